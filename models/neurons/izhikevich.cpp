// SPDX-License-Identifier: MIT
// izhikevich: Izhikevich's (2003) simple model, as NEST's izhikevich and PyNN's Izhikevich.
//
//   dv/dt = 0.04 v^2 + 5 v + 140 - u + (I_e + I_stim) / C,   du/dt = a (b v - u),
//   v >= v_th (30 mV): a spike, v = c, u += d.
// v in mV, t in ms, u in mV/ms (a, b in 1/ms, d in mV/ms, as PyNN). The current enters through
// C = 1 pF (1 pA = 1 mV/ms), as in NEST (which adds I_e in pA to dv/dt) and pyNN.brian2
// ((i_offset + i_inj) / pF). Synaptic input is a voltage jump on port `v` (NEST's izhikevich,
// PyNN's voltage-based synapses), added at its tick and tested against v_th then, as lif_delta.
//
// Integration (docs/decisions.md §30): NEST's izhikevich takes one forward-Euler step per tick
// (error O(h): at h = 0.1 ms its spike times drift by whole ticks from the exact solution); here
// v and u take n = ceil(h / 0.01 ms) classical RK4 sub-steps per tick with the threshold tested
// after each; the crossing is placed inside the sub-step by linear interpolation (reported at the
// tick; at most one spike per tick: after it, v stays at c until the tick ends while u integrates). tests/unit/models/test_izhikevich.cpp measures the error against
// an independent reference with 1,000 times smaller steps.
#include <algorithm>
#include <cmath>

#include "neurons/stepped.hpp"
#include "neurons/stepped_models.hpp"

namespace memspike::stepped {
namespace {

constexpr double max_substep_ms = 0.01;

struct izhikevich_dynamics {
    static constexpr std::size_t vars = 2, exposed = 2, ports = 1;
    static constexpr const char* var_names[exposed] = {"v", "u"};  // mV, mV/ms
    const char* const* names = var_names;
    double a = 0, b = 0, c = 0, d = 0, v_th = 0, i_e = 0, v0 = 0, u0 = 0;
    int n_sub = 1;
    double hs = 0;

    double init(std::size_t var) const { return var == 0 ? v0 : u0; }
    void receive(double* x, std::size_t, double w) const { x[0] += w; }
    bool step(double* x, double cur_stim, bool) const {
        const double in = i_e + cur_stim;  // pA = mV/ms through C = 1 pF
        double v = x[0], u = x[1];
        bool clamped = false, spiked = false;
        // One classical RK4 step of length dt; v's derivative is 0 while clamped (after a spike).
        auto rk4 = [&](double& vv, double& uu, double dt) {
            auto fv = [&](double a_v, double a_u) { return clamped ? 0.0 : (0.04 * a_v + 5.0) * a_v + 140.0 - a_u + in; };
            auto fu = [&](double a_v, double a_u) { return a * (b * a_v - a_u); };
            const double k1v = fv(vv, uu), k1u = fu(vv, uu);
            const double k2v = fv(vv + 0.5 * dt * k1v, uu + 0.5 * dt * k1u), k2u = fu(vv + 0.5 * dt * k1v, uu + 0.5 * dt * k1u);
            const double k3v = fv(vv + 0.5 * dt * k2v, uu + 0.5 * dt * k2u), k3u = fu(vv + 0.5 * dt * k2v, uu + 0.5 * dt * k2u);
            const double k4v = fv(vv + dt * k3v, uu + dt * k3u), k4u = fu(vv + dt * k3v, uu + dt * k3u);
            vv += dt / 6.0 * (k1v + 2.0 * (k2v + k3v) + k4v);
            uu += dt / 6.0 * (k1u + 2.0 * (k2u + k3u) + k4u);
        };
        for (int k = 0; k < n_sub; ++k) {
            const double v0 = v, u0 = u;
            rk4(v, u, hs);
            if (!clamped && v >= v_th) {
                // The crossing inside the sub-step, by linear interpolation: the sub-step is redone
                // to it, and the rest is clamped. Past v_th, v runs away within the sub-step, and u
                // integrated over that overshoot would gain far more than over the true (tiny)
                // time above threshold (measured: spike times drifting by 0.05 ms per spike).
                const double theta = (v_th - v0) / (v - v0);
                v = v0;
                u = u0;
                rk4(v, u, theta * hs);
                v = c;
                u += d;
                clamped = spiked = true;
                rk4(v, u, (1.0 - theta) * hs);
            }
        }
        x[0] = v;
        x[1] = u;
        return spiked;
    }
    bool above(const double* x) const { return x[0] >= v_th; }
    void reset(double* x) const {
        x[0] = c;
        x[1] += d;
    }
};

} // namespace

model_info izhikevich_model() {
    model_info m;
    m.name = "izhikevich";
    m.summary = "Izhikevich (2003) simple model, RK4 sub-steps <= 0.01 ms (NEST izhikevich, PyNN Izhikevich)";
    m.params = {
        {"a", dimension::dimensionless, 0.02, "recovery rate [1/ms]"},
        {"b", dimension::dimensionless, 0.2, "sensitivity of u to v [1/ms]"},
        {"c", dimension::voltage, -65.0, "reset potential"},
        {"d", dimension::dimensionless, 2.0, "jump of u at a spike [mV/ms]"},
        {"v_th", dimension::voltage, 30.0, "spike cut-off"},
        {"i_e", dimension::current, 0.0, "constant bias current (1 pA = 1 mV/ms)"},
    };
    m.ports = {{"v", dimension::voltage}};
    m.state = {{"v", dimension::voltage}, {"u", dimension::dimensionless}};
    m.validate = [](const param_map& p) {
        const std::string n = "izhikevich";
        for (const char* k : {"a", "b", "d"}) require_finite(n, p, k, dimension::dimensionless);
        require_finite(n, p, "c", dimension::voltage);
        require_finite(n, p, "v_th", dimension::voltage);
        require_finite(n, p, "i_e", dimension::current);
        if (p.at("c") >= p.at("v_th"))
            throw invalid_parameter(n, "c", format_quantity(p.at("c"), dimension::voltage),
                                    "must be < v_th = " + format_quantity(p.at("v_th"), dimension::voltage));
    };
    m.create = [](const group_context& ctx) -> std::unique_ptr<neuron_group> {
        return make_stepped_group<izhikevich_dynamics>(ctx, [](const param_map& p, double h) {
            izhikevich_dynamics d;
            d.a = p.at("a");
            d.b = p.at("b");
            d.c = p.at("c");
            d.d = p.at("d");
            d.v_th = p.at("v_th");
            d.i_e = p.at("i_e");
            d.v0 = -70.0;  // PyNN's and NEST's default initial state: v = -70 mV, u = b v
            d.u0 = d.b * d.v0;
            d.n_sub = std::max(1, static_cast<int>(std::ceil(h / max_substep_ms - 1e-9)));
            d.hs = h / d.n_sub;
            return std::pair{d, tick_t{0}};
        });
    };
    m.per_neuron_params = true;
    m.state_bytes = [](const population_spec& pop) {  // + a record and refractory length per neuron if per-neuron
        return (41.0 + (pop.per_neuron.empty() ? 0.0 : 8.0 + sizeof(izhikevich_dynamics))) * static_cast<double>(pop.size);
    };
    m.spikes = [](const population_spec&, double duration_ms, double resolution_ms) {
        return spike_bound{duration_ms / resolution_ms, false};  // at most one per tick
    };
    return m;
}

} // namespace memspike::stepped
