// SPDX-License-Identifier: MIT
// Networks the benchmarks run, written in code (no scenario files, no HDF5): Brunel (2000) model A
// and a CUBA-like lif_exp network after Vogels & Abbott (2005) / Brette et al. (2007) benchmark 2.
#pragma once

#include <cstdint>
#include <string>

#include "memspike/core/spec.hpp"

namespace memspike::bench {

inline population_spec& add_population(scenario& sc, const std::string& name, const std::string& model,
                                       std::uint64_t size, param_map params) {
    population_spec p;
    p.name = name;
    p.model = model;
    p.size = size;
    p.params = std::move(params);
    sc.populations.push_back(std::move(p));
    return sc.populations.back();
}

inline projection_spec& connect(scenario& sc, const std::string& source, const std::string& target,
                                const std::string& rule, double weight, double delay_ms, const std::string& receptor = "") {
    projection_spec p;
    p.name = source + "->" + target;
    p.source = source;
    p.target = target;
    p.rule = rule;
    p.weight = distribution::constant(weight);
    p.delay = distribution::constant(delay_ms);
    p.receptor = receptor;
    p.allow_autapses = false;
    sc.projections.push_back(std::move(p));
    return sc.projections.back();
}

/// Brunel (2000) model A: n_e excitatory and n_e / 4 inhibitory lif_delta neurons (tau_m = 20 ms,
/// theta = 20 mV, V_r = 10 mV, t_ref = 2 ms), fixed in-degree C_E = c_e from E and C_I = c_e / 4
/// from I, weights J and -g J, one delay D, and an independent Poisson drive of rate
/// eta * nu_thr * C_E per neuron with nu_thr = theta / (J C_E tau_m). Resolution 0.1 ms.
/// Scale 1 in the AI regime: brunel(10000, 1000, 5.0, 2.0).
inline scenario brunel(std::uint64_t n_e, std::uint64_t c_e, double g, double eta, std::uint64_t seed = 1,
                       double j_mv = 0.1, double delay_ms = 1.5) {
    scenario sc;
    sc.simulation.resolution_ms = 0.1;
    sc.simulation.seed = seed;
    sc.recording.all_spikes = false;
    const param_map lif = {{"tau_m", 20.0}, {"c_m", 250.0}, {"e_l", 0.0}, {"v_th", 20.0}, {"v_reset", 10.0}, {"t_ref", 2.0}};
    add_population(sc, "E", "lif_delta", n_e, lif);
    add_population(sc, "I", "lif_delta", n_e / 4, lif);
    const double nu_thr_hz = 20.0 / (j_mv * static_cast<double>(c_e) * 20.0) * 1e3;
    for (const char* target : {"E", "I"}) {
        connect(sc, "E", target, "fixed_indegree", j_mv, delay_ms).indegree = c_e;
        connect(sc, "I", target, "fixed_indegree", -g * j_mv, delay_ms).indegree = c_e / 4;
        stimulus_spec s;
        s.name = std::string("drive_") + target;
        s.kind = "poisson";
        s.target = target;
        s.rate_hz = eta * nu_thr_hz * static_cast<double>(c_e);
        s.weight = j_mv;
        sc.stimuli.push_back(std::move(s));
    }
    return sc;
}

/// CUBA (Brette et al. 2007, benchmark 2) with lif_exp: 3,200 E + 800 I, every ordered pair
/// connected with p = 0.02, tau_m = 20 ms, V_th = -50 mV, V_r = -60 mV, E_L = -49 mV (self-sustained),
/// t_ref = 5 ms, tau_ex = 5 ms, tau_in = 10 ms, initial V uniform in [V_r, V_th]. The paper's jumps
/// of g_e / g_i in volts (1.62 mV, -9 mV) become currents I = g C_m / tau_m with C_m = 250 pF:
/// 20.25 pA and -112.5 pA. Delay: one tick (0.1 ms). No external input.
inline scenario cuba(std::uint64_t seed = 1) {
    scenario sc;
    sc.simulation.resolution_ms = 0.1;
    sc.simulation.seed = seed;
    sc.recording.all_spikes = false;
    const param_map lif = {{"tau_m", 20.0}, {"c_m", 250.0}, {"e_l", -49.0}, {"v_th", -50.0}, {"v_reset", -60.0},
                           {"t_ref", 5.0}, {"tau_syn_ex", 5.0}, {"tau_syn_in", 10.0}};
    distribution v0;
    v0.k = distribution::kind::uniform;
    v0.low = -60.0;
    v0.high = -50.0;
    add_population(sc, "E", "lif_exp", 3200, lif).init["v"] = v0;
    add_population(sc, "I", "lif_exp", 800, lif).init["v"] = v0;
    const double c_over_tau = 250.0 / 20.0;
    for (const char* target : {"E", "I"}) {
        connect(sc, "E", target, "fixed_probability", 1.62 * c_over_tau, 0.1, "ex").probability = 0.02;
        connect(sc, "I", target, "fixed_probability", -9.0 * c_over_tau, 0.1, "in").probability = 0.02;
    }
    return sc;
}

/// `n` lif_delta neurons with NEST's defaults (V_inf = E_L < V_th), no synapses, no input.
inline scenario idle(std::uint64_t n) {
    scenario sc;
    sc.simulation.resolution_ms = 0.1;
    sc.simulation.seed = 1;
    sc.recording.all_spikes = false;
    add_population(sc, "silent", "lif_delta", n, {});
    return sc;
}

} // namespace memspike::bench
