// SPDX-License-Identifier: MIT
// Fuzzes the checkpoint reader: simulation::load_state on a simulation of a fixed small scenario
// (every kind of state a checkpoint holds: LIF and Poisson-source neurons, a Poisson stimulus,
// STDP weights and traces, spikes in flight, crossbar conductances), then a few ticks run on the
// loaded state, so that a load that "succeeds" with inconsistent state is caught too.
//
// The simulation is built once (building it is 100 times slower than a load) and put back
// before every input by loading a checkpoint of its pristine state: a half-loaded simulation
// left by an earlier input would otherwise make findings depend on the order of inputs.
//
// load_checkpoint() is the one place that knows how a checkpoint reaches the reader (today a
// file path); a reader that takes bytes only changes that function.
// MEMSPIKE_FUZZ_WRITE_SEEDS=<dir>: writes checkpoints of the fixture at a few times and exits.
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <string>

#include "fuzz_support.hpp"
#include "memspike/backends/builtin.hpp"
#include "memspike/core/scenario.hpp"
#include "memspike/core/simulation.hpp"

namespace {

constexpr const char* fixture = R"(
[simulation]
duration = "20 ms"
resolution = "0.1 ms"
seed = 7
threads = 1

[[population]]
name = "input"
model = "poisson_source"
size = 20
params = { rate = "200 Hz" }

[[population]]
name = "out"
model = "lif_cond_exp"
size = 3
params = { c_m = "100 pF", g_l = "10 nS", e_l = "-74 mV", v_th = "-54 mV", v_reset = "-60 mV", t_ref = "1 ms", e_ex = "0 mV", tau_syn_ex = "5 ms" }

[[population]]
name = "lif"
model = "lif_delta"
size = 4

[[projection]]
name = "plastic"
source = "input"
target = "out"
rule = "all_to_all"
weight = { dist = "uniform", low = "0 nS", high = "5 nS" }
delay = "1.5 ms"
receptor = "ex"
plasticity = { rule = "stdp", interaction = "all_to_all", tau_plus = "20 ms", tau_minus = "20 ms", lambda = 0.01, alpha = 1.05, w_min = "0 nS", w_max = "5 nS" }

[[stimulus]]
name = "noise"
kind = "poisson"
target = "lif"
rate = "2 kHz"
weight = "2 mV"

[recording]
spikes = "all"

[backend]
kind = "crossbar"
)";

const memspike::scenario& fixture_scenario() {
    static const memspike::scenario sc = memspike::parse_scenario(fixture, "fuzz_checkpoint_fixture.toml", memspike::builtin_registry());
    return sc;
}

std::unique_ptr<memspike::simulation> build() {
    return std::make_unique<memspike::simulation>(fixture_scenario(), memspike::builtin_registry(), 1);
}

/// Hands the input to the checkpoint reader (the only function to change for a byte-buffer entry point).
void load_checkpoint(memspike::simulation& sim, const unsigned char* data, std::size_t size) {
    static memspike::fuzz::input_file file(".ckpt");
    sim.load_state(file.write(data, size));
}

void write_seeds(const std::string& dir) {
    auto sim = build();
    memspike::run_options quiet;
    quiet.keep_spikes = false;
    for (const memspike::tick_t t : {0, 15, 60, 200}) {
        sim->run(t - sim->now(), quiet);
        sim->save_state(dir + "/t" + std::to_string(t) + ".ckpt");
    }
}

std::unique_ptr<memspike::simulation> sim;
std::unique_ptr<memspike::fuzz::input_file> pristine;

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    if (const char* dir = std::getenv("MEMSPIKE_FUZZ_WRITE_SEEDS")) {
        write_seeds(dir);
        std::exit(0);
    }
    sim = build();
    pristine = std::make_unique<memspike::fuzz::input_file>(".pristine.ckpt");
    sim->save_state(pristine->path());
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    sim->load_state(pristine->path());  // a valid checkpoint: throws nothing
    memspike::fuzz::expect_clean([&] {
        load_checkpoint(*sim, data, size);
        memspike::run_options quiet;
        quiet.keep_spikes = false;
        sim->run(20, quiet);  // 2 ms: past the longest delay, so every loaded spike in flight is delivered
    });
    return 0;
}
