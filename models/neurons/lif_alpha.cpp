// SPDX-License-Identifier: MIT
// lif_alpha: leaky integrate-and-fire neuron with alpha-shaped synaptic currents, as NEST's
// iaf_psc_alpha and PyNN's IF_curr_alpha.
//
//   tau_m dV/dt = -(V - E_L) + tau_m (I_ex + I_in + I_e + I_stim) / C_m
//   dI_x/dt = -I_x / tau_syn_x + D_x,   dD_x/dt = -D_x / tau_syn_x,   D_x += w e / tau_syn_x at an event,
// so an event of weight w (pA) gives I_x(t) = w (t / tau) e^{1 - t / tau}: a current peaking at w
// after tau_syn_x (NEST's and PyNN's normalisation).
//
// The system is linear, so one tick h is integrated exactly (Rotter & Diesmann 1999):
//   D(t+h) = P11 D,  I(t+h) = h P11 D + P11 I,  P11 = e^{-h/tau_s},
//   V(t+h) = V_inf + (V - V_inf) P22 + P31 D + P32 I,  P22 = e^{-h/tau_m},
//   P32 = P22 (1/C) int_0^h e^{-a s} ds,  P31 = P22 (1/C) int_0^h s e^{-a s} ds,  a = 1/tau_s - 1/tau_m,
// evaluated with series for |a h| small (tau_s -> tau_m is a removable singularity).
// The threshold is tested at every tick (grid spikes as lif_exp: late by less than one tick);
// refractoriness clamps V to V_reset while the currents keep integrating (as iaf_psc_alpha).
#include <cmath>

#include "neurons/lif_synapses.hpp"
#include "neurons/stepped.hpp"
#include "neurons/stepped_models.hpp"

namespace memspike::stepped {
namespace {

/// (1/C) e^{-h/tau_m} int_0^h s e^{-a s} ds, the voltage [mV] that D = 1 pA/ms adds over one tick.
double rise_to_voltage(double h, double tau_m, double tau_s, double c_m) {
    const double a = 1.0 / tau_s - 1.0 / tau_m;
    const double x = a * h;
    // int_0^h s e^{-a s} ds = h^2 (1 - e^{-x}(1 + x)) / x^2; its series 1/2 - x/3 + x^2/8 - x^3/30
    // (error < x^4/144) below |x| = 1e-3, where the closed form loses digits to cancellation.
    const double f = std::abs(x) < 1e-3 ? 0.5 - x / 3.0 + x * x / 8.0 - x * x * x / 30.0
                                        : -(std::expm1(-x) + x * std::exp(-x)) / (x * x);
    return std::exp(-h / tau_m) * h * h * f / c_m;
}

struct alpha_dynamics {
    static constexpr std::size_t vars = 5, exposed = 3, ports = 2;
    // x: V [mV], I_ex, I_in [pA] (recordable, initialisable), D_ex, D_in [pA/ms] (internal)
    static constexpr const char* var_names[exposed] = {"v", "i_ex", "i_in"};
    const char* const* names = var_names;
    double e_l = 0, r = 0, i_e = 0, v_th = 0, v_reset = 0, h = 0;  // r = tau_m / C_m [mV/pA]
    double p22 = 0, p11_ex = 0, p11_in = 0, p31_ex = 0, p31_in = 0, p32_ex = 0, p32_in = 0;
    double jump_ex = 0, jump_in = 0;  // e / tau_syn_x

    double init(std::size_t var) const { return var == 0 ? e_l : 0.0; }
    void receive(double* x, std::size_t port, double w) const { x[3 + port] += w * (port == 0 ? jump_ex : jump_in); }
    bool step(double* x, double cur, bool refractory) const {
        const double v_inf = e_l + (i_e + cur) * r;
        const double v = v_inf + (x[0] - v_inf) * p22 + p31_ex * x[3] + p32_ex * x[1] + p31_in * x[4] + p32_in * x[2];
        x[1] = p11_ex * (x[1] + h * x[3]);
        x[2] = p11_in * (x[2] + h * x[4]);
        x[3] *= p11_ex;
        x[4] *= p11_in;
        if (refractory) return false;  // V stays V_reset
        if (v >= v_th) {
            x[0] = v_reset;
            return true;
        }
        x[0] = v;
        return false;
    }
    bool above(const double* x) const { return x[0] >= v_th; }
    void reset(double* x) const { x[0] = v_reset; }
};

} // namespace

model_info lif_alpha_model() {
    model_info m;
    m.name = "lif_alpha";
    m.summary = "LIF with alpha-shaped current synapses, exact integration (NEST iaf_psc_alpha)";
    m.params = lif::membrane_param_table();
    m.params.push_back({"tau_syn_ex", dimension::time, 2.0, "excitatory synaptic current rise time (peak after tau_syn_ex)"});
    m.params.push_back({"tau_syn_in", dimension::time, 2.0, "inhibitory synaptic current rise time (peak after tau_syn_in)"});
    m.ports = {{"ex", dimension::current}, {"in", dimension::current}};
    m.state = {{"v", dimension::voltage}, {"i_ex", dimension::current}, {"i_in", dimension::current}};
    m.validate = [](const param_map& p) {
        lif::validate_membrane("lif_alpha", p);
        require_positive("lif_alpha", p, "tau_syn_ex", dimension::time);
        require_positive("lif_alpha", p, "tau_syn_in", dimension::time);
    };
    m.create = [](const group_context& ctx) -> std::unique_ptr<neuron_group> {
        return make_stepped_group<alpha_dynamics>(ctx, [](const param_map& p, double h) {
            const double tau_m = p.at("tau_m"), c_m = p.at("c_m");
            alpha_dynamics d;
            d.e_l = p.at("e_l");
            d.r = tau_m / c_m;
            d.i_e = p.at("i_e");
            d.v_th = p.at("v_th");
            d.v_reset = p.at("v_reset");
            d.h = h;
            d.p22 = std::exp(-h / tau_m);
            d.p11_ex = std::exp(-h / p.at("tau_syn_ex"));
            d.p11_in = std::exp(-h / p.at("tau_syn_in"));
            d.p32_ex = lif::current_to_voltage(h, tau_m, p.at("tau_syn_ex"), c_m);
            d.p32_in = lif::current_to_voltage(h, tau_m, p.at("tau_syn_in"), c_m);
            d.p31_ex = rise_to_voltage(h, tau_m, p.at("tau_syn_ex"), c_m);
            d.p31_in = rise_to_voltage(h, tau_m, p.at("tau_syn_in"), c_m);
            d.jump_ex = std::exp(1.0) / p.at("tau_syn_ex");
            d.jump_in = std::exp(1.0) / p.at("tau_syn_in");
            return std::pair{d, refractory_ticks("lif_alpha", p.at("t_ref"), h)};
        });
    };
    m.per_neuron_params = true;
    // 5 state doubles, stimulus current, refractory end, spike flag (memory_bytes()); with per-neuron
    // parameters also a record of constants and a refractory length per neuron.
    m.state_bytes = [](const population_spec& pop) {
        return (65.0 + (pop.per_neuron.empty() ? 0.0 : 8.0 + sizeof(alpha_dynamics))) * static_cast<double>(pop.size);
    };
    m.spikes = lif::membrane_spikes;
    return m;
}

} // namespace memspike::stepped
