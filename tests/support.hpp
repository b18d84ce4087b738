// SPDX-License-Identifier: MIT
// Small builders for tests: scenarios written in code, run to completion, spikes back.
#pragma once

#include <string>
#include <vector>

#include "memspike/core/simulation.hpp"
#include "memspike/core/spec.hpp"
#include "memspike/models/builtin.hpp"

namespace memspike::test {

inline scenario make_scenario(double duration_ms, double resolution_ms = 0.1, std::uint64_t seed = 1) {
    scenario sc;
    sc.simulation.duration_ms = duration_ms;
    sc.simulation.resolution_ms = resolution_ms;
    sc.simulation.seed = seed;
    sc.recording.all_spikes = true;
    return sc;
}

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

/// Brunel (2000) model A: N_E excitatory and N_E/4 inhibitory lif_delta neurons, fixed in-degree
/// C_E = epsilon N_E... given directly as c_e (C_I = c_e / 4), weights J and -g J, delay D, and an
/// independent Poisson drive of rate eta * nu_thr * C_E per neuron, nu_thr = theta / (J C_E tau_m).
inline scenario brunel(std::uint64_t n_e, std::uint64_t c_e, double g, double eta, double duration_ms,
                       std::uint64_t seed = 1, double j_mv = 0.1, double delay_ms = 1.5) {
    auto sc = make_scenario(duration_ms, 0.1, seed);
    const param_map lif = {{"tau_m", 20.0}, {"c_m", 250.0}, {"e_l", 0.0}, {"v_th", 20.0}, {"v_reset", 10.0}, {"t_ref", 2.0}};
    add_population(sc, "E", "lif_delta", n_e, lif);
    add_population(sc, "I", "lif_delta", n_e / 4, lif);
    for (const char* target : {"E", "I"}) {
        connect(sc, "E", target, "fixed_indegree", j_mv, delay_ms).indegree = c_e;
        connect(sc, "I", target, "fixed_indegree", -g * j_mv, delay_ms).indegree = c_e / 4;
        const double nu_thr = 20.0 / (j_mv * static_cast<double>(c_e) * 20.0) * 1e3;  // Hz
        add_poisson(sc, target, eta * nu_thr * static_cast<double>(c_e), j_mv);
    }
    for (auto& p : sc.projections) p.allow_autapses = false;
    return sc;
}

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
