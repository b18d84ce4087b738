// SPDX-License-Identifier: MIT
// Fuzzes the checkpoint reader: simulation::load_state on a simulation of a fixed small scenario
// (every kind of state a checkpoint holds: LIF and Poisson-source neurons, a Poisson stimulus,
// STDP weights and traces, spikes in flight, crossbar conductances), then a few ticks run on the
// loaded state, so that a load that "succeeds" with inconsistent state is caught too.
//
// The input is one control byte, then a checkpoint image (simulation::load_state_from_bytes, no
// file). Almost every mutation would stop at the checksum, so the harness reseals the image
// (state_io::reseal: payload size and checksum rewritten) unless the control byte is a multiple
// of 16: about 1 input in 16 goes in as it is and exercises the header checks, the rest reach
// the payload parser and the models' load_state functions.
//
// The simulation is built once (building it is 100 times slower than a load). A refused load must
// leave it exactly as it was (checked: its state bytes must equal the pristine image); after an
// accepted load 20 ticks are run and the pristine image is loaded back, so that findings never
// depend on the order of inputs.
// MEMSPIKE_FUZZ_WRITE_SEEDS=<dir>: writes inputs (control byte 1, resealed) holding checkpoints
// of the fixture at a few times, and one with control byte 0 (not resealed), then exits.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "memspike/backends/builtin.hpp"
#include "memspike/core/scenario.hpp"
#include "memspike/core/simulation.hpp"
#include "memspike/core/state_io.hpp"

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

void write_seeds(const std::string& dir) {
    auto sim = build();
    memspike::run_options quiet;
    quiet.keep_spikes = false;
    auto write = [&](const std::string& name, std::uint8_t control) {
        const std::vector<std::byte> image = sim->save_state_to_bytes();
        std::ofstream os(dir + "/" + name, std::ios::binary | std::ios::trunc);
        os.put(static_cast<char>(control));
        os.write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
        if (!os.flush()) {
            std::fprintf(stderr, "cannot write seed %s/%s\n", dir.c_str(), name.c_str());
            std::exit(1);
        }
    };
    for (const memspike::tick_t t : {0, 15, 60, 200}) {
        sim->run(t - sim->now(), quiet);
        write("t" + std::to_string(t) + ".ckpt", 1);
    }
    write("t200_unsealed.ckpt", 0);
}

std::unique_ptr<memspike::simulation> sim;
std::vector<std::byte> pristine;

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    if (const char* dir = std::getenv("MEMSPIKE_FUZZ_WRITE_SEEDS")) {
        write_seeds(dir);
        std::exit(0);
    }
    sim = build();
    pristine = sim->save_state_to_bytes();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    if (size == 0) return 0;
    const bool seal = data[0] % 16 != 0;
    std::vector<std::byte> image(reinterpret_cast<const std::byte*>(data) + 1, reinterpret_cast<const std::byte*>(data) + size);
    if (seal && image.size() >= memspike::state_io::header::size) memspike::state_io::reseal(image);
    bool accepted = false;
    memspike::fuzz::expect_clean([&] {
        sim->load_state_from_bytes(image, "fuzz input");
        accepted = true;
        memspike::run_options quiet;
        quiet.keep_spikes = false;
        sim->run(20, quiet);  // 2 ms: past the longest delay, so every loaded spike in flight is delivered
    });
    if (accepted) {
        sim->load_state_from_bytes(pristine);  // a valid checkpoint: throws nothing
    } else if (sim->save_state_to_bytes() != pristine) {
        std::fprintf(stderr, "FINDING: a refused checkpoint changed the simulation\n");
        std::abort();
    }
    return 0;
}
