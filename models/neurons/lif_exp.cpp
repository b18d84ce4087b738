// SPDX-License-Identifier: MIT
// lif_exp: leaky integrate-and-fire neuron with exponentially decaying synaptic currents
// (current-based, "CUBA"), separate excitatory and inhibitory time constants; as NEST's
// iaf_psc_exp and the Vogels-Abbott / Brette et al. (2007) CUBA benchmark.
//
//   tau_m dV/dt = -(V - E_L) + tau_m (I_ex + I_in + I_e + I_stim) / C_m
//   tau_syn_ex dI_ex/dt = -I_ex,  tau_syn_in dI_in/dt = -I_in,  I_x += w at each event on port x.
//
// The system is linear, so one tick is integrated exactly (Rotter & Diesmann 1999):
//   V(t+h) = V_inf + (V(t) - V_inf) e^{-h/tau_m} + P21_ex I_ex(t) + P21_in I_in(t),
//   I_x(t+h) = I_x(t) e^{-h/tau_syn_x},
// with P21_x = current_to_voltage(h, tau_m, tau_syn_x, C_m). Neurons with current are in the active
// set (lif_active.hpp); the others are lazy and exact.
#include "neurons/lif_exp.hpp"

#include "neurons/lif_active.hpp"

namespace memspike::lif {
namespace {

struct exp_currents : two_exponentials {  // ex, in: currents [pA]
    static constexpr const char* names[ports] = {"i_ex", "i_in"};
    double p21_ex = 0, p21_in = 0, p22 = 0;

    void bind(const membrane& m) { p22 = m.p22(); }
    double bias(std::uint32_t i, const membrane& m) const { return m.v_inf(i); }
    /// One exact tick; `vi` is V_inf (bias).
    double step(double v, double i_ex, double i_in, double vi) const {
        return vi + (v - vi) * p22 + p21_ex * i_ex + p21_in * i_in;
    }
};

} // namespace

model_info lif_exp_model() {
    model_info m;
    m.name = "lif_exp";
    m.summary = "LIF with exponential current synapses (CUBA), exact integration (NEST iaf_psc_exp)";
    m.params = membrane_param_table();
    m.params.push_back({"tau_syn_ex", dimension::time, 2.0, "excitatory synaptic current time constant"});
    m.params.push_back({"tau_syn_in", dimension::time, 2.0, "inhibitory synaptic current time constant"});
    m.ports = {{"ex", dimension::current}, {"in", dimension::current}};
    m.state = {{"v", dimension::voltage}, {"i_ex", dimension::current}, {"i_in", dimension::current}};
    m.validate = [](const param_map& p) {
        validate_membrane("lif_exp", p);
        require_positive("lif_exp", p, "tau_syn_ex", dimension::time);
        require_positive("lif_exp", p, "tau_syn_in", dimension::time);
    };
    m.create = [](const group_context& ctx) -> std::unique_ptr<neuron_group> {
        const auto& p = ctx.spec.params;
        const membrane_params mp = read_membrane(p);
        const double h = ctx.resolution_ms;
        exp_currents syn;
        syn.p_ex = std::exp(-h / p.at("tau_syn_ex"));
        syn.p_in = std::exp(-h / p.at("tau_syn_in"));
        syn.p21_ex = current_to_voltage(h, mp.tau_m_ms, p.at("tau_syn_ex"), mp.c_m_pf);
        syn.p21_in = current_to_voltage(h, mp.tau_m_ms, p.at("tau_syn_in"), mp.c_m_pf);
        return std::make_unique<active_lif_group<exp_currents>>(ctx, mp, std::move(syn));
    };
    // For the resource estimate: membrane record 40, wake-heap entry 16, slot 52 (index, V, two currents, bias, refractory end, flag), slot index 4, due and leaving lists 8 bytes per neuron (memory_bytes() at most).
    m.state_bytes = [](const population_spec& pop) { return 120.0 * static_cast<double>(pop.size); };
    m.spikes = membrane_spikes;
    return m;
}

} // namespace memspike::lif
