// SPDX-License-Identifier: MIT
// Networks the benchmarks run, written in code (no scenario files, no HDF5): the reference
// workloads (models/include/memspike/models/workloads.hpp) without spike recording, and an idle
// network.
#pragma once

#include <cstdint>

#include "memspike/core/builder.hpp"
#include "memspike/models/workloads.hpp"

namespace memspike::bench {

/// The benchmarks run their own number of ticks (sim.run(ticks)); a scenario still needs a valid
/// duration (> 0 ms, validate() in scenario.hpp), which they do not use.
constexpr double unused_duration_ms = 1000.0;

/// Brunel (2000) model A; scale 1 in the AI regime: brunel(10000, 1000, 5.0, 2.0).
inline scenario brunel(std::uint64_t n_e, std::uint64_t c_e, double g, double eta, std::uint64_t seed = 1,
                       double j_mv = 0.1, double delay_ms = 1.5) {
    auto sc = workloads::brunel(n_e, c_e, g, eta, unused_duration_ms, seed, j_mv, delay_ms);
    sc.recording.all_spikes = false;
    return sc;
}

/// CUBA (Brette et al. 2007, benchmark 2) with lif_exp.
inline scenario cuba(std::uint64_t seed = 1) {
    auto sc = workloads::cuba(unused_duration_ms, seed);
    sc.recording.all_spikes = false;
    return sc;
}

/// `n` lif_delta neurons with NEST's defaults (V_inf = E_L < V_th), no synapses, no input.
inline scenario idle(std::uint64_t n) {
    auto sc = build::make_scenario(unused_duration_ms);
    sc.recording.all_spikes = false;
    build::add_population(sc, "silent", "lif_delta", n, {});
    return sc;
}

} // namespace memspike::bench
