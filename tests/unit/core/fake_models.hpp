// SPDX-License-Identifier: MIT
// Networks of dynamics-free models for the connectivity, graph and fixed_total_number tests: the
// build and the graph analysis need a model's ports and nothing else (create is left empty), so
// these tests do not depend on any neuron model's code.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "memspike/core/model.hpp"
#include "memspike/core/scenario.hpp"

namespace memspike::testing {

/// "fake": one voltage port; "fake_cond": conductance ports "ex" and "in"; "fake_source": none.
inline const model_registry& fake_models() {
    static const model_registry models = [] {
        model_registry m;
        model_info one;
        one.name = "fake";
        one.ports = {{"v", dimension::voltage}};
        m.add(one);
        model_info cond;
        cond.name = "fake_cond";
        cond.ports = {{"ex", dimension::conductance}, {"in", dimension::conductance}};
        m.add(cond);
        model_info src;
        src.name = "fake_source";
        m.add(src);
        return m;
    }();
    return models;
}

/// Populations of "fake" neurons (name, size): 0.1 ms resolution, 100 ms, the given seed.
inline scenario fake_network(const std::vector<std::pair<std::string, std::uint64_t>>& pops,
                             std::uint64_t seed = 42) {
    scenario sc;
    sc.simulation.duration_ms = 100.0;
    sc.simulation.resolution_ms = 0.1;
    sc.simulation.seed = seed;
    for (const auto& [name, size] : pops) {
        population_spec p;
        p.name = name;
        p.size = size;
        p.model = "fake";
        sc.populations.push_back(p);
    }
    return sc;
}

/// Appends projection "src->tgt" by `rule` with a constant weight and delay, placed at line
/// 10 + its index of "test.toml" (what error messages name); returns it for further settings.
inline projection_spec& add_fake_projection(scenario& sc, const std::string& src, const std::string& tgt,
                                            const std::string& rule, double weight = 0.5,
                                            double delay_ms = 1.5) {
    projection_spec p;
    p.name = src + "->" + tgt;
    p.source = src;
    p.target = tgt;
    p.rule = rule;
    p.weight = distribution::constant(weight);
    p.delay = distribution::constant(delay_ms);
    p.where = {"test.toml", static_cast<int>(10 + sc.projections.size()), 1,
               "projection[" + std::to_string(sc.projections.size()) + "]"};
    sc.projections.push_back(p);
    return sc.projections.back();
}

}  // namespace memspike::testing
