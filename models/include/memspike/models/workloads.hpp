// SPDX-License-Identifier: MIT
// The reference workloads of DESIGN.md §9 written in code, shared by the tests and the benchmarks
// (the scenario files in examples/ describe the same networks for users).
#pragma once

#include <cstdint>

#include "memspike/core/builder.hpp"

namespace memspike::workloads {

/// Brunel (2000) model A: n_e excitatory and n_e / 4 inhibitory lif_delta neurons (tau_m = 20 ms,
/// theta = 20 mV, V_r = 10 mV, t_ref = 2 ms), fixed in-degree C_E = c_e from E and C_I = c_e / 4
/// from I (no autapses), weights J and -g J, one delay D, and an independent Poisson drive of
/// eta * nu_thr * C_E per neuron with nu_thr = theta / (J C_E tau_m). Scale 1 in the AI regime:
/// brunel(10000, 1000, 5.0, 2.0, ...).
inline scenario brunel(std::uint64_t n_e, std::uint64_t c_e, double g, double eta, double duration_ms,
                       std::uint64_t seed = 1, double j_mv = 0.1, double delay_ms = 1.5) {
    auto sc = build::make_scenario(duration_ms, 0.1, seed);
    const param_map lif = {{"tau_m", 20.0}, {"c_m", 250.0}, {"e_l", 0.0}, {"v_th", 20.0}, {"v_reset", 10.0}, {"t_ref", 2.0}};
    build::add_population(sc, "E", "lif_delta", n_e, lif);
    build::add_population(sc, "I", "lif_delta", n_e / 4, lif);
    const double nu_thr_hz = 20.0 / (j_mv * static_cast<double>(c_e) * 20.0) * 1e3;
    for (const char* target : {"E", "I"}) {
        build::connect(sc, "E", target, "fixed_indegree", j_mv, delay_ms).indegree = c_e;
        build::connect(sc, "I", target, "fixed_indegree", -g * j_mv, delay_ms).indegree = c_e / 4;
        build::add_poisson(sc, target, eta * nu_thr_hz * static_cast<double>(c_e), j_mv);
    }
    for (auto& p : sc.projections) p.allow_autapses = false;
    return sc;
}

/// CUBA (Brette et al. 2007, benchmark 2) with lif_exp: 3,200 E + 800 I, every ordered pair
/// connected with p = 0.02, tau_m = 20 ms, V_th = -50 mV, V_r = -60 mV, E_L = -49 mV (self-sustained),
/// t_ref = 5 ms, tau_ex = 5 ms, tau_in = 10 ms, initial V uniform in [V_r, V_th]. The paper's jumps
/// of g_e / g_i in volts (1.62 mV, -9 mV) become currents I = g C_m / tau_m with C_m = 250 pF:
/// 20.25 pA and -112.5 pA. Delay: one tick (0.1 ms). No external input.
inline scenario cuba(double duration_ms, std::uint64_t seed = 1) {
    auto sc = build::make_scenario(duration_ms, 0.1, seed);
    const param_map lif = {{"tau_m", 20.0}, {"c_m", 250.0}, {"e_l", -49.0}, {"v_th", -50.0}, {"v_reset", -60.0},
                           {"t_ref", 5.0}, {"tau_syn_ex", 5.0}, {"tau_syn_in", 10.0}};
    distribution v0;
    v0.k = distribution::kind::uniform;
    v0.low = -60.0;
    v0.high = -50.0;
    build::add_population(sc, "E", "lif_exp", 3200, lif).init["v"] = v0;
    build::add_population(sc, "I", "lif_exp", 800, lif).init["v"] = v0;
    const double c_over_tau = 250.0 / 20.0;
    for (const char* target : {"E", "I"}) {
        build::connect(sc, "E", target, "fixed_probability", 1.62 * c_over_tau, 0.1, "ex").probability = 0.02;
        build::connect(sc, "I", target, "fixed_probability", -9.0 * c_over_tau, 0.1, "in").probability = 0.02;
    }
    for (auto& p : sc.projections) p.allow_autapses = false;
    return sc;
}

} // namespace memspike::workloads
