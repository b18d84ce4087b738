// SPDX-License-Identifier: MIT
// The downstream program of tests/install: a two-population network (excitatory and inhibitory
// LIF neurons under Poisson drive) built with the built-in registry, run for 50 ms; prints its
// spike count. It uses headers of all three libraries, so a missing installed header, target or
// link dependency fails its build.
#include <cmath>
#include <cstdio>

#include "memspike/backends/builtin.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/scenario.hpp"
#include "memspike/core/simulation.hpp"
#include "memspike/core/version.hpp"
#include "memspike/models/builtin.hpp"

namespace {

const char* const scenario_text = R"(
[simulation]
duration = "50 ms"
resolution = "0.1 ms"
seed = 7

[[population]]
name = "E"
model = "lif_delta"
size = 80
params = { tau_m = "20 ms", c_m = "250 pF", e_l = "0 mV", v_th = "20 mV", v_reset = "10 mV", t_ref = "2 ms" }
init = { v = { dist = "uniform", low = "0 mV", high = "20 mV" } }

[[population]]
name = "I"
model = "lif_delta"
size = 20
params = { tau_m = "20 ms", c_m = "250 pF", e_l = "0 mV", v_th = "20 mV", v_reset = "10 mV", t_ref = "2 ms" }
init = { v = { dist = "uniform", low = "0 mV", high = "20 mV" } }

[[projection]]
name = "EI"
source = "E"
target = "I"
rule = "fixed_indegree"
indegree = 10
weight = "0.1 mV"
delay = "1.5 ms"

[[projection]]
name = "IE"
source = "I"
target = "E"
rule = "fixed_indegree"
indegree = 5
weight = "-0.5 mV"
delay = "1.5 ms"

[[stimulus]]
name = "drive"
kind = "poisson"
target = "E"
rate = "20 kHz"
weight = "0.1 mV"
)";

} // namespace

int main() {
    try {
        const auto& registry = memspike::builtin_registry();
        if (!memspike::builtin_models().contains("lif_delta")) return 1;  // the models library links
        const auto sc = memspike::parse_scenario(scenario_text, "downstream.toml", registry);
        memspike::simulation sim(sc, registry, 1);
        sim.run(static_cast<memspike::tick_t>(std::llround(sc.simulation.duration_ms / sc.simulation.resolution_ms)));
        std::printf("memspike %s: %llu spikes\n", memspike::version,
                    static_cast<unsigned long long>(sim.counters().spikes));
        return 0;
    } catch (const memspike::error& e) {
        std::fprintf(stderr, "downstream: %s\n", e.what());
        return 2;
    }
}
