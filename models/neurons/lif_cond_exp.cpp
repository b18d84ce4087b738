// SPDX-License-Identifier: MIT
// lif_cond_exp: leaky integrate-and-fire neuron with exponentially decaying synaptic conductances
// ("COBA"), as NEST's iaf_cond_exp and the Vogels-Abbott / Brette et al. (2007) COBA benchmark.
//
//   C_m dV/dt = g_L (E_L - V) + g_ex (E_ex - V) + g_in (E_in - V) + I_e + I_stim
//   tau_syn_ex dg_ex/dt = -g_ex,  tau_syn_in dg_in/dt = -g_in,  g_x += w (nS, w >= 0) at each event.
//
// Integration method: the conductances are known exactly over a tick (g(t+s) = g(t) e^{-s/tau}),
// and V is advanced by one classical fourth-order Runge-Kutta step per tick that evaluates them
// exactly at s = 0, h/2 and h. The local error is O(h^5); tests/unit/models/test_lif_cond_exp.cpp
// measures it against a reference with 1000 sub-steps per tick. With no conductance left the
// equation is linear (tau_m = C_m / g_L) and the neuron is advanced lazily and exactly.
// Rationale against NEST's adaptive RKF45 (GSL): a fixed step keeps the cost per active neuron
// constant and the result independent of error-control heuristics, at an error well below the
// effect of one synaptic event.
#include "neurons/lif_cond_exp.hpp"

#include "memspike/core/units.hpp"
#include "neurons/lif_active.hpp"

namespace memspike::lif {
namespace {

struct exp_conductances : two_exponentials {  // ex, in: conductances [nS], never negative
    static constexpr const char* names[ports] = {"g_ex", "g_in"};
    double h = 0.1, c_m = 250, g_l = 16.6667, e_l = -70, e_ex = 0, e_in = -85;
    double dex_half = 0, din_half = 0;  // decay over half a tick

    double dvdt(double v, double gex, double gin, double i_pa) const {
        return (g_l * (e_l - v) + gex * (e_ex - v) + gin * (e_in - v) + i_pa) / c_m;  // nS*mV/pF = mV/ms
    }
    void bind(const membrane&) {}
    double bias(std::uint32_t i, const membrane& m) const { return m.current(i); }
    /// One RK4 step; `cur` is the bias plus stimulus current [pA] (bias).
    double step(double v, double ge, double gi, double cur) const {
        const double k1 = dvdt(v, ge, gi, cur);
        const double k2 = dvdt(v + 0.5 * h * k1, ge * dex_half, gi * din_half, cur);
        const double k3 = dvdt(v + 0.5 * h * k2, ge * dex_half, gi * din_half, cur);
        const double k4 = dvdt(v + h * k3, ge * p_ex, gi * p_in, cur);
        return v + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
    }
};

} // namespace

model_info lif_cond_exp_model() {
    model_info m;
    m.name = "lif_cond_exp";
    m.summary = "LIF with exponential conductance synapses (COBA), RK4 per tick (NEST iaf_cond_exp)";
    m.params = {
        {"c_m", dimension::capacitance, 250.0, "membrane capacitance"},
        {"g_l", dimension::conductance, 16.6667, "leak conductance"},
        {"e_l", dimension::voltage, -70.0, "leak reversal potential"},
        {"v_th", dimension::voltage, -55.0, "spike threshold"},
        {"v_reset", dimension::voltage, -60.0, "reset potential"},
        {"t_ref", dimension::time, 2.0, "absolute refractory period"},
        {"e_ex", dimension::voltage, 0.0, "excitatory reversal potential"},
        {"e_in", dimension::voltage, -85.0, "inhibitory reversal potential"},
        {"tau_syn_ex", dimension::time, 0.2, "excitatory conductance time constant"},
        {"tau_syn_in", dimension::time, 2.0, "inhibitory conductance time constant"},
        {"i_e", dimension::current, 0.0, "constant bias current"},
    };
    m.ports = {{"ex", dimension::conductance}, {"in", dimension::conductance}};
    m.state = {{"v", dimension::voltage}, {"g_ex", dimension::conductance}, {"g_in", dimension::conductance}};
    m.validate = [](const param_map& p) {
        validate_membrane("lif_cond_exp", p);
        require_positive("lif_cond_exp", p, "g_l", dimension::conductance);
        require_positive("lif_cond_exp", p, "tau_syn_ex", dimension::time);
        require_positive("lif_cond_exp", p, "tau_syn_in", dimension::time);
        for (const char* n : {"e_ex", "e_in"}) require_finite("lif_cond_exp", p, n, dimension::voltage);
    };
    m.create = [](const group_context& ctx) -> std::unique_ptr<neuron_group> {
        const auto& p = ctx.spec.params;
        param_map with_tau = p;
        with_tau["tau_m"] = p.at("c_m") / p.at("g_l");  // pF / nS = ms
        const membrane_params mp = read_membrane(with_tau);
        exp_conductances syn;
        syn.h = ctx.resolution_ms;
        syn.c_m = p.at("c_m");
        syn.g_l = p.at("g_l");
        syn.e_l = p.at("e_l");
        syn.e_ex = p.at("e_ex");
        syn.e_in = p.at("e_in");
        syn.dex_half = std::exp(-0.5 * syn.h / p.at("tau_syn_ex"));
        syn.p_ex = std::exp(-syn.h / p.at("tau_syn_ex"));
        syn.din_half = std::exp(-0.5 * syn.h / p.at("tau_syn_in"));
        syn.p_in = std::exp(-syn.h / p.at("tau_syn_in"));
        return std::make_unique<active_lif_group<exp_conductances>>(ctx, mp, std::move(syn));
    };
    // For the resource estimate: membrane record 40, wake-heap entry 16, slot 52 (index, V, two conductances, bias, refractory end, flag), slot index 4, due and leaving lists 8 bytes per neuron (memory_bytes() at most).
    m.state_bytes = [](const population_spec& pop) { return 120.0 * static_cast<double>(pop.size); };
    m.spikes = membrane_spikes;
    return m;
}

} // namespace memspike::lif
