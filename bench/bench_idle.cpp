// SPDX-License-Identifier: MIT
// Question: does a network with no input cost nothing per tick?
//
// 100,000 lif_delta neurons at rest (V_inf = E_L < V_th), no synapses, no stimulus: the scheduler
// must skip every tick. Each iteration simulates 10 s (100,000 ticks); the time per iteration is
// the wall cost of 10 simulated seconds, and wall_s_per_sim_s is the cost per simulated second
// (building the network, about 25 partitions, is outside the timed loop).
#include <benchmark/benchmark.h>

#include "memspike/core/simulation.hpp"
#include "memspike/models/builtin.hpp"
#include "networks.hpp"

namespace {

using namespace memspike;

void BM_idle_network_10s(benchmark::State& state) {
    simulation sim(bench::idle(100000), builtin_models(), 1);
    run_options opt;
    opt.keep_spikes = false;
    const tick_t ten_seconds = 100000;
    std::uint64_t simulated = 0;
    for (auto _ : state) {
        sim.run(ten_seconds, opt);
        simulated += ten_seconds;
    }
    const run_counters& c = sim.counters();
    state.counters["wall_s_per_sim_s"] = benchmark::Counter(static_cast<double>(simulated) * 1e-4,
                                                            benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["visited_ticks_per_run"] = static_cast<double>(c.visited_ticks) / static_cast<double>(state.iterations());
    state.counters["neuron_updates"] = static_cast<double>(c.neuron_updates);
}
BENCHMARK(BM_idle_network_10s)->Unit(benchmark::kMicrosecond);

} // namespace
