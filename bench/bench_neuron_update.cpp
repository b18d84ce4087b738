// SPDX-License-Identifier: MIT
// Question: what does one neuron update cost (the lif_delta model's advance() for a neuron that
// received input), apart from delivery?
//
// A real lif_delta partition is made through the registry (builtin_models().find("lif_delta")
// .create), with Brunel's parameters. Each iteration is one tick: `touched` neurons of the 4,096
// receive a summed input, then advance() brings them forward exactly, adds the input, tests the
// threshold, fires, and reschedules their crossing. items_per_second counts neuron updates.
// A second benchmark steps a small real network through memspike::simulation to show the
// per-tick overhead of the scheduler around the model.
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "memspike/core/model.hpp"
#include "memspike/core/simulation.hpp"
#include "memspike/models/builtin.hpp"
#include "networks.hpp"

namespace {

using namespace memspike;

void BM_lif_delta_advance(benchmark::State& state) {
    const auto n = static_cast<std::uint32_t>(4096);
    const auto touched = static_cast<std::uint32_t>(state.range(0));
    const model_info& model = builtin_models().find("lif_delta");
    population_spec pop;
    pop.name = "E";
    pop.model = "lif_delta";
    pop.size = n;
    pop.params = model.complete(
        {{"tau_m", 20.0}, {"c_m", 250.0}, {"e_l", 0.0}, {"v_th", 20.0}, {"v_reset", 10.0}, {"t_ref", 2.0}});
    const group_context ctx{pop, 0, 0, n, 0.1, 1, 1e-9};
    auto group = model.create(ctx);
    input_buffer in;
    in.resize(1, n);
    // Input per tick: a mean drive that keeps V fluctuating below and across threshold.
    std::mt19937_64 rng(3);
    std::normal_distribution<double> w(0.2, 0.6);
    std::uniform_int_distribution<std::uint32_t> pick(0, n - 1);
    std::vector<double> weights(1 << 16);
    std::vector<std::uint32_t> who(1 << 16);
    for (auto& x : weights) x = w(rng);
    for (auto& x : who) x = pick(rng);
    std::vector<std::uint32_t> spikes;
    std::size_t next = 0;
    tick_t t = 1;
    std::uint64_t updates = 0, fired = 0;
    for (auto _ : state) {
        state.PauseTiming();
        for (std::uint32_t k = 0; k < touched; ++k, ++next) in.add(0, who[next & 0xffff], weights[next & 0xffff]);
        updates += in.touched.size();
        state.ResumeTiming();
        spikes.clear();
        group->advance(t++, in, spikes);
        fired += spikes.size();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(updates));
    state.counters["time_per_update"] = benchmark::Counter(static_cast<double>(updates),
                                                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["spikes_per_tick"] = static_cast<double>(fired) / static_cast<double>(state.iterations());
}
// 1,000 inputs / tick / partition is about Brunel scale 1 (4,096 neurons, ~0.25 events each per tick
// from recurrence, plus the Poisson drive touching every neuron: the 4,096 case).
BENCHMARK(BM_lif_delta_advance)->Arg(256)->Arg(1000)->Arg(4096);

/// Brunel at a tenth of scale 1 (N_E = 1,000, C_E = 100) through the real scheduler, 1 thread:
/// wall time per simulated tick, everything included (delivery, drive, update, spike enqueue).
void BM_brunel_small_tick(benchmark::State& state) {
    const auto sc = bench::brunel(1000, 100, 5.0, 2.0);
    simulation sim(sc, builtin_models(), 1);
    run_options opt;
    opt.keep_spikes = false;
    sim.run(1000, opt);  // 100 ms warm-up
    const run_counters c0 = sim.counters();
    for (auto _ : state) sim.run(100, opt);  // 10 ms per iteration
    const run_counters& c1 = sim.counters();
    const auto ticks = static_cast<double>(c1.ticks - c0.ticks);
    state.counters["time_per_tick"] =
        benchmark::Counter(ticks, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["updates_per_s"] =
        benchmark::Counter(static_cast<double>(c1.neuron_updates - c0.neuron_updates), benchmark::Counter::kIsRate);
    state.counters["events_per_s"] =
        benchmark::Counter(static_cast<double>(c1.synaptic_events - c0.synaptic_events), benchmark::Counter::kIsRate);
    state.counters["rate_Hz"] = static_cast<double>(c1.spikes - c0.spikes) / static_cast<double>(sim.neuron_count()) /
                                (ticks * sim.resolution_ms() * 1e-3);
}
BENCHMARK(BM_brunel_small_tick)->Unit(benchmark::kMillisecond);

} // namespace
