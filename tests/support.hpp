// SPDX-License-Identifier: MIT
// Small builders for tests: scenarios written in code, run to completion, spikes back.
#pragma once

#include <string>
#include <vector>

#include "memspike/core/simulation.hpp"
#include "memspike/core/spec.hpp"
#include "memspike/core/builder.hpp"
#include "memspike/models/builtin.hpp"
#include "memspike/models/workloads.hpp"

namespace memspike::test {

using build::add_dc;
using build::add_poisson;
using build::add_population;
using build::connect;
using build::make_scenario;
using workloads::brunel;

/// Runs the whole duration and returns the simulation (spikes kept in memory).
inline std::unique_ptr<simulation> run(const scenario& sc, unsigned threads = 1) {
    auto sim = std::make_unique<simulation>(sc, builtin_models(), threads);
    sim->run(ms_to_ticks_round(sc.simulation.duration_ms, sc.simulation.resolution_ms));
    return sim;
}

/// Spike ticks of neuron `id` of population `pop`.
inline std::vector<tick_t> spike_ticks(const simulation& sim, std::size_t pop, std::uint32_t id) {
    std::vector<tick_t> out;
    const auto& s = sim.spikes()[pop];
    for (std::size_t k = 0; k < s.ids.size(); ++k)
        if (s.ids[k] == id) out.push_back(s.ticks[k]);
    return out;
}

} // namespace memspike::test
