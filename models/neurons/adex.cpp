// SPDX-License-Identifier: MIT
// adex: adaptive exponential integrate-and-fire neuron with exponential conductance synapses
// (Brette & Gerstner 2005), as NEST's aeif_cond_exp and PyNN's EIF_cond_exp_isfa_ista.
//
//   C_m dV/dt = -g_L (V - E_L) + g_L Delta_T exp((V - V_th) / Delta_T) - g_ex (V - E_ex) - g_in (V - E_in)
//               - w + I_e + I_stim
//   tau_w dw/dt = a (V - E_L) - w
//   tau_syn_x dg_x/dt = -g_x,  g_x += w_syn (nS, >= 0) at an event.
// At V >= V_peak (V_th when Delta_T = 0, as NEST): a spike, V = V_reset, w += b, and V is clamped
// to V_reset for the rest of that tick and the t_ref that follows (w keeps integrating with
// V = V_reset), as NEST's aeif models. As in NEST, the exponential term is evaluated at
// min(V, V_peak), so a stage that overshoots V_peak stays finite.
//
// Integration (docs/decisions.md §30): not exactly solvable. The conductances are exact
// (g(t + s) = g(t) e^{-s/tau}); V and w take n = ceil(h / 0.01 ms) classical RK4 sub-steps per tick,
// with the threshold tested after each sub-step and the crossing placed inside it by linear
// interpolation (the spike is reported at the tick, late by less than one tick, as for every
// memspike model). tests/unit/models/test_adex.cpp measures the error
// against an independent reference with 1,000 times smaller steps. A fixed step (NEST: adaptive
// RKF45) keeps the cost per neuron and tick constant and the result free of error-control
// heuristics.
#include <algorithm>
#include <cmath>

#include "neurons/stepped.hpp"
#include "neurons/stepped_models.hpp"

namespace memspike::stepped {
namespace {

constexpr double max_substep_ms = 0.01;

struct adex_dynamics {
    static constexpr std::size_t vars = 4, exposed = 4, ports = 2;
    static constexpr const char* var_names[exposed] = {"v", "w", "g_ex", "g_in"};  // mV, pA, nS, nS
    const char* const* names = var_names;
    double c_m = 0, g_l = 0, e_l = 0, v_th = 0, delta_t = 0, v_peak = 0, v_reset = 0, a = 0, b = 0, tau_w = 0;
    double e_ex = 0, e_in = 0, i_e = 0, tau_ex = 1, tau_in = 1;
    double detect = 0;  // the spike test's voltage: V_peak, or V_th when Delta_T = 0
    int n_sub = 1;
    double hs = 0;                    // sub-step [ms]
    double dh_ex = 0, dh_in = 0;      // conductance decay over half a sub-step
    double p_ex = 0, p_in = 0;        // ... over one tick (exact at the tick end)

    double init(std::size_t var) const { return var == 0 ? e_l : 0.0; }
    void receive(double* x, std::size_t port, double w) const { x[2 + port] += w; }

    /// dV/dt [mV/ms] (0 while clamped) and dw/dt [pA/ms].
    void rhs(double v, double w, double ge, double gi, double cur, bool clamped, double& dv, double& dw) const {
        const double vv = clamped ? v_reset : v;
        dw = (a * (vv - e_l) - w) / tau_w;
        if (clamped) {
            dv = 0.0;
            return;
        }
        const double spike = delta_t > 0 ? g_l * delta_t * std::exp((std::min(v, v_peak) - v_th) / delta_t) : 0.0;
        dv = (-g_l * (v - e_l) + spike - ge * (v - e_ex) - gi * (v - e_in) - w + cur) / c_m;
    }

    bool step(double* x, double cur_stim, bool refractory) const {
        const double cur = i_e + cur_stim;
        double v = x[0], w = x[1], ge = x[2], gi = x[3];
        bool clamped = refractory, spiked = false;
        if (clamped) v = v_reset;
        // One classical RK4 step of length dt from conductances g, decaying exactly within it by
        // dh_e, dh_i over dt / 2.
        auto rk4 = [&](double& vv, double& ww, double g_e, double g_i, double dt, double dh_e, double dh_i) {
            const double ge_h = g_e * dh_e, gi_h = g_i * dh_i, ge_1 = ge_h * dh_e, gi_1 = gi_h * dh_i;
            double k1v, k1w, k2v, k2w, k3v, k3w, k4v, k4w;
            rhs(vv, ww, g_e, g_i, cur, clamped, k1v, k1w);
            rhs(vv + 0.5 * dt * k1v, ww + 0.5 * dt * k1w, ge_h, gi_h, cur, clamped, k2v, k2w);
            rhs(vv + 0.5 * dt * k2v, ww + 0.5 * dt * k2w, ge_h, gi_h, cur, clamped, k3v, k3w);
            rhs(vv + dt * k3v, ww + dt * k3w, ge_1, gi_1, cur, clamped, k4v, k4w);
            vv += dt / 6.0 * (k1v + 2.0 * (k2v + k3v) + k4v);
            ww += dt / 6.0 * (k1w + 2.0 * (k2w + k3w) + k4w);
        };
        for (int k = 0; k < n_sub; ++k) {
            const double v0 = v, w0 = w;
            rk4(v, w, ge, gi, hs, dh_ex, dh_in);
            if (!clamped && v >= detect) {
                // The crossing inside the sub-step by linear interpolation: the sub-step is redone
                // to it, then V is reset and clamped for the rest of it (and of the tick: one spike
                // per tick), so w does not integrate the run-away overshoot past V_peak.
                const double theta = (detect - v0) / (v - v0);
                v = v0;
                w = w0;
                rk4(v, w, ge, gi, theta * hs, std::exp(-0.5 * theta * hs / tau_ex), std::exp(-0.5 * theta * hs / tau_in));
                v = v_reset;
                w += b;
                clamped = spiked = true;
                const double rest = (1.0 - theta) * hs;
                rk4(v, w, ge * std::exp(-theta * hs / tau_ex), gi * std::exp(-theta * hs / tau_in), rest,
                    std::exp(-0.5 * rest / tau_ex), std::exp(-0.5 * rest / tau_in));
            }
            ge *= dh_ex * dh_ex;
            gi *= dh_in * dh_in;
        }
        x[0] = clamped ? v_reset : v;
        x[1] = w;
        x[2] *= p_ex;  // exact (the sub-step products differ in the last bits)
        x[3] *= p_in;
        return spiked;
    }
    bool above(const double* x) const { return x[0] >= detect; }
    void reset(double* x) const {
        x[0] = v_reset;
        x[1] += b;
    }
};

} // namespace

model_info adex_model() {
    model_info m;
    m.name = "adex";
    m.summary = "adaptive exponential IF, conductance synapses, RK4 sub-steps <= 0.01 ms (NEST aeif_cond_exp)";
    m.params = {
        {"c_m", dimension::capacitance, 281.0, "membrane capacitance"},
        {"g_l", dimension::conductance, 30.0, "leak conductance"},
        {"e_l", dimension::voltage, -70.6, "leak reversal potential"},
        {"v_th", dimension::voltage, -50.4, "spike initiation threshold (V_T)"},
        {"delta_t", dimension::voltage, 2.0, "slope factor (0: integrate-and-fire with threshold v_th)"},
        {"v_peak", dimension::voltage, 0.0, "spike detection voltage"},
        {"v_reset", dimension::voltage, -60.0, "reset potential"},
        {"t_ref", dimension::time, 0.0, "absolute refractory period"},
        {"a", dimension::conductance, 4.0, "subthreshold adaptation"},
        {"b", dimension::current, 80.5, "spike-triggered adaptation"},
        {"tau_w", dimension::time, 144.0, "adaptation time constant"},
        {"e_ex", dimension::voltage, 0.0, "excitatory reversal potential"},
        {"e_in", dimension::voltage, -85.0, "inhibitory reversal potential"},
        {"tau_syn_ex", dimension::time, 0.2, "excitatory conductance time constant"},
        {"tau_syn_in", dimension::time, 2.0, "inhibitory conductance time constant"},
        {"i_e", dimension::current, 0.0, "constant bias current"},
    };
    m.ports = {{"ex", dimension::conductance}, {"in", dimension::conductance}};
    m.state = {{"v", dimension::voltage}, {"w", dimension::current}, {"g_ex", dimension::conductance},
               {"g_in", dimension::conductance}};
    m.validate = [](const param_map& p) {
        const std::string n = "adex";
        require_positive(n, p, "c_m", dimension::capacitance);
        require_positive(n, p, "g_l", dimension::conductance);
        require_positive(n, p, "tau_w", dimension::time);
        require_positive(n, p, "tau_syn_ex", dimension::time);
        require_positive(n, p, "tau_syn_in", dimension::time);
        require_non_negative(n, p, "delta_t", dimension::voltage);
        require_non_negative(n, p, "t_ref", dimension::time);
        for (const char* k : {"e_l", "v_th", "v_peak", "v_reset", "e_ex", "e_in"}) require_finite(n, p, k, dimension::voltage);
        require_finite(n, p, "a", dimension::conductance);
        require_finite(n, p, "b", dimension::current);
        require_finite(n, p, "i_e", dimension::current);
        const double detect = p.at("delta_t") > 0 ? p.at("v_peak") : p.at("v_th");
        if (p.at("v_reset") >= detect)
            throw invalid_parameter(n, "v_reset", format_quantity(p.at("v_reset"), dimension::voltage),
                                    "must be < " + std::string(p.at("delta_t") > 0 ? "v_peak = " : "v_th = ") +
                                        format_quantity(detect, dimension::voltage));
        if (p.at("delta_t") > 0 && p.at("v_peak") < p.at("v_th"))
            throw invalid_parameter(n, "v_peak", format_quantity(p.at("v_peak"), dimension::voltage),
                                    "must be >= v_th = " + format_quantity(p.at("v_th"), dimension::voltage));
        // exp((V_peak - V_th) / Delta_T) must stay far from overflow (NEST's check, with margin).
        if (p.at("delta_t") > 0 && (p.at("v_peak") - p.at("v_th")) / p.at("delta_t") > 500.0)
            throw invalid_parameter(n, "delta_t", format_quantity(p.at("delta_t"), dimension::voltage),
                                    "must be >= (v_peak - v_th) / 500 (exp((v_peak - v_th) / delta_t) would overflow)");
    };
    m.create = [](const group_context& ctx) -> std::unique_ptr<neuron_group> {
        return make_stepped_group<adex_dynamics>(ctx, [](const param_map& p, double h) {
            adex_dynamics d;
            d.c_m = p.at("c_m");
            d.g_l = p.at("g_l");
            d.e_l = p.at("e_l");
            d.v_th = p.at("v_th");
            d.delta_t = p.at("delta_t");
            d.v_peak = p.at("v_peak");
            d.v_reset = p.at("v_reset");
            d.a = p.at("a");
            d.b = p.at("b");
            d.tau_w = p.at("tau_w");
            d.e_ex = p.at("e_ex");
            d.e_in = p.at("e_in");
            d.i_e = p.at("i_e");
            d.tau_ex = p.at("tau_syn_ex");
            d.tau_in = p.at("tau_syn_in");
            d.detect = d.delta_t > 0 ? d.v_peak : d.v_th;
            d.n_sub = std::max(1, static_cast<int>(std::ceil(h / max_substep_ms - 1e-9)));
            d.hs = h / d.n_sub;
            d.dh_ex = std::exp(-0.5 * d.hs / p.at("tau_syn_ex"));
            d.dh_in = std::exp(-0.5 * d.hs / p.at("tau_syn_in"));
            d.p_ex = std::exp(-h / p.at("tau_syn_ex"));
            d.p_in = std::exp(-h / p.at("tau_syn_in"));
            return std::pair{d, refractory_ticks("adex", p.at("t_ref"), h)};
        });
    };
    m.per_neuron_params = true;
    m.state_bytes = [](const population_spec& pop) {  // + a record and refractory length per neuron if per-neuron
        return (57.0 + (pop.per_neuron.empty() ? 0.0 : 8.0 + sizeof(adex_dynamics))) * static_cast<double>(pop.size);
    };
    m.spikes = [](const population_spec& pop, double duration_ms, double resolution_ms) {
        // Per-neuron t_ref: the shortest possible, 0 (a bound).
        const double t_ref = pop.params.count("t_ref") && !pop.per_neuron.count("t_ref") ? pop.params.at("t_ref") : 0.0;
        return spike_bound{duration_ms / (t_ref + resolution_ms), false};  // one per tick, then t_ref
    };
    return m;
}

} // namespace memspike::stepped
