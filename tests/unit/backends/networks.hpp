// SPDX-License-Identifier: MIT
// Networks and helpers shared by the backend tests: the digital backend is their reference.
#pragma once

#include <string>

#include <catch2/catch.hpp>

#include "memspike/backends/builtin.hpp"
#include "support.hpp"

namespace memspike::test {

inline scenario with_backend(scenario sc, const std::string& kind, param_map params = {}) {
    sc.backend.kind = kind;
    sc.backend.params = std::move(params);
    return sc;
}

inline std::unique_ptr<simulation> run_all(const scenario& sc, unsigned threads = 1) {
    auto sim = std::make_unique<simulation>(sc, builtin_registry(), threads);
    sim->run(sc.duration_ticks());
    return sim;
}

/// A recurrent E/I network of lif_delta neurons with refractoriness, drawn delays, multapses and
/// a Poisson drive; every weight is a small dyadic number, so any summation order is exact.
inline scenario dyadic_network() {
    scenario sc = make_scenario(300.0, 0.1, 7);
    const param_map lif{{"tau_m", 20.0}, {"e_l", 0.0}, {"v_th", 20.0}, {"v_reset", 10.0}, {"t_ref", 2.0}};
    add_population(sc, "E", "lif_delta", 400, lif);
    add_population(sc, "I", "lif_delta", 100, lif);
    for (const char* src : {"E", "I"})
        for (const char* tgt : {"E", "I"}) {
            auto& p = connect(sc, src, tgt, "fixed_indegree", std::string(src) == "E" ? 0.25 : -1.0, 1.5);
            p.indegree = std::string(src) == "E" ? 40 : 10;
            p.delay.k = distribution::kind::uniform;
            p.delay.low = 0.5;
            p.delay.high = 3.0;
        }
    add_poisson(sc, "E", 9000.0, 0.25);
    add_poisson(sc, "I", 9000.0, 0.25);
    return sc;
}

inline std::size_t total_spikes(const simulation& sim) {
    std::size_t n = 0;
    for (const auto& s : sim.spikes()) n += s.ids.size();
    return n;
}

inline void require_same_spikes(const simulation& a, const simulation& b) {
    REQUIRE(a.spikes().size() == b.spikes().size());
    for (std::size_t p = 0; p < a.spikes().size(); ++p) {
        CHECK(a.spikes()[p].ids == b.spikes()[p].ids);
        CHECK(a.spikes()[p].ticks == b.spikes()[p].ticks);
    }
}

} // namespace memspike::test
