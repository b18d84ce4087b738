// SPDX-License-Identifier: MIT
// Small helpers to write scenarios in C++ code (tests, benchmarks, embedding), with the same
// names and units as scenario files. They check nothing: a scenario built here goes through the
// same validate() as a file (scenario.hpp; simulation's constructor calls it) and gets the same
// messages, located by key ("<scenario>: key 'projection.E->I#0.delay': ...").
#pragma once

#include <cstdint>
#include <string>

#include "memspike/core/spec.hpp"

namespace memspike::build {

inline scenario make_scenario(double duration_ms, double resolution_ms = 0.1, std::uint64_t seed = 1) {
    scenario sc;
    sc.simulation.duration_ms = duration_ms;
    sc.simulation.resolution_ms = resolution_ms;
    sc.simulation.seed = seed;
    sc.recording.all_spikes = true;
    return sc;
}

/// Appends a population; the reference is valid until the next population is added.
inline population_spec& add_population(scenario& sc, const std::string& name, const std::string& model, std::uint64_t size,
                                       param_map params = {}) {
    population_spec p;
    p.name = name;
    p.model = model;
    p.size = size;
    p.params = std::move(params);
    sc.populations.push_back(std::move(p));
    return sc.populations.back();
}

/// Appends a projection with constant weight and delay, named "<source>-><target>#<index>".
inline projection_spec& connect(scenario& sc, const std::string& source, const std::string& target, const std::string& rule,
                                double weight, double delay_ms, const std::string& receptor = "") {
    projection_spec p;
    p.name = source + "->" + target + "#" + std::to_string(sc.projections.size());
    p.source = source;
    p.target = target;
    p.rule = rule;
    p.weight = distribution::constant(weight);
    p.delay = distribution::constant(delay_ms);
    p.receptor = receptor;
    sc.projections.push_back(std::move(p));
    return sc.projections.back();
}

inline stimulus_spec& add_dc(scenario& sc, const std::string& target, double amplitude_pa, double start_ms = 0.0) {
    stimulus_spec s;
    s.name = "dc" + std::to_string(sc.stimuli.size());
    s.kind = "dc";
    s.target = target;
    s.amplitude_pa = amplitude_pa;
    s.start_ms = start_ms;
    sc.stimuli.push_back(std::move(s));
    return sc.stimuli.back();
}

/// An independent (or shared) Poisson drive of `rate_hz` per target neuron.
inline stimulus_spec& add_poisson(scenario& sc, const std::string& target, double rate_hz, double weight,
                                  const std::string& receptor = "", bool shared = false) {
    stimulus_spec s;
    s.name = "poisson" + std::to_string(sc.stimuli.size());
    s.kind = "poisson";
    s.target = target;
    s.rate_hz = rate_hz;
    s.weight = weight;
    s.receptor = receptor;
    s.shared = shared;
    sc.stimuli.push_back(std::move(s));
    return sc.stimuli.back();
}

} // namespace memspike::build
