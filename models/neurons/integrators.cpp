// SPDX-License-Identifier: MIT
// Integrators with delta (voltage-jump) synapses, for the NIR primitives IF, LI and I
// (Pedersen et al., Nat. Commun. 15, 8122, 2024; docs/nir.md):
//
//   li_delta:  tau_m dV/dt = -(V - E_L) + tau_m I / C_m     (leaky integrator, never spikes)
//   i_delta:         dV/dt =  I / C_m                         (integrator, never spikes)
//   if_delta:        dV/dt =  I / C_m,  V >= V_th: spike, V <- V_reset   (integrate-and-fire)
//   threshold_delta: V(t) = the events of tick t + h I / C_m, no memory; V >= V_th: spike (NIR
//                    Threshold on the current averaged over the tick, docs/nir.md)
//
// with I = I_e + I_stim constant between stimulus changes, and V += w at each synaptic event.
// The events of one tick are summed, added to V at that tick, and V is then compared with V_th
// (the convention of lif_delta, docs/models.md). Between events the solution is exact:
//   leaky:  V(t + k h) = V_inf + (V(t) - V_inf) exp(-k h / tau_m),  V_inf = E_L + tau_m I / C_m
//   plain:  V(t + k h) = V(t) + k h I / C_m
// so a neuron is brought forward only when something reaches it or it is sampled. The one case
// that moves on its own towards a spike, an if_delta with a current, is stepped on the grid
// every tick (an active list), with the threshold tested each tick; no refractory period (NIR
// has none).
#include "neurons/integrators.hpp"

#include <cmath>
#include <limits>

#include "memspike/core/errors.hpp"
#include "neurons/lif_base.hpp"
#include "memspike/core/state_io.hpp"
#include "memspike/core/units.hpp"

namespace memspike::integrators {
namespace {

constexpr tick_t never = std::numeric_limits<tick_t>::max();

struct kind {
    bool leaky = false;
    bool spiking = false;
    bool memoryless = false;  // threshold_delta: V is this tick's input only
};

class integrator_group final : public neuron_group {
public:
    integrator_group(const group_context& ctx, kind k) : k_(k), h_(ctx.resolution_ms) {
        const param_map& p = ctx.spec.params;
        c_m_ = p.at("c_m");
        i_e_ = p.at("i_e");
        tau_m_ = k.leaky ? p.at("tau_m") : 0.0;
        e_l_ = k.leaky ? p.at("e_l") : 0.0;
        v_th_ = k.spiking ? p.at("v_th") : 0.0;
        v_reset_ = k.spiking && !k.memoryless ? p.at("v_reset") : 0.0;
        v_ = lif::initial_values(ctx, "v", k.leaky ? e_l_ : 0.0);
        last_.assign(ctx.count, 0);
        i_stim_.assign(ctx.count, 0.0);
        active_flag_.assign(ctx.count, 0);
        for (std::uint32_t i = 0; i < ctx.count; ++i) update_active(i);
    }

    void advance(tick_t t, input_buffer& in, std::vector<std::uint32_t>& spikes) override {
        auto& sum = in.sum[0];
        for (const std::uint32_t i : in.touched) {
            v_[i] = value_at(i, t);
            last_[i] = t;
            v_[i] += sum[i];
            sum[i] = 0.0;
            in.flag[i] = 0;
            test(i, spikes);
        }
        in.touched.clear();
        // Driven if_delta neurons: stepped every tick (a neuron touched above is already at t).
        for (const std::uint32_t i : active_) {
            if (last_[i] == t) continue;
            v_[i] = value_at(i, t);
            last_[i] = t;
            test(i, spikes);
        }
    }

    tick_t next_event_tick(tick_t now) const override { return active_.empty() ? never : now + 1; }

    void add_current(tick_t t, std::span<const std::uint32_t> neurons, double delta_pa) override {
        for (const std::uint32_t i : neurons) {
            v_[i] = value_at(i, t);
            last_[i] = t;
            i_stim_[i] += delta_pa;
            update_active(i);
        }
    }

    double peek(tick_t t, std::uint32_t i, std::size_t) const override { return value_at(i, t); }

    std::size_t memory_bytes() const override {
        return v_.capacity() * sizeof(double) + last_.capacity() * sizeof(tick_t) + i_stim_.capacity() * sizeof(double) +
               active_flag_.capacity() + active_.capacity() * sizeof(std::uint32_t);
    }

    void save_state(std::ostream& os) const override {
        state_io::put_vector(os, v_);
        state_io::put_vector(os, last_);
        state_io::put_vector(os, i_stim_);
    }

    void load_state(std::istream& is) override {
        state_io::get_exact(is, v_, v_.size());
        state_io::get_exact(is, last_, last_.size());
        state_io::get_exact(is, i_stim_, i_stim_.size());
        for (std::size_t i = 0; i < v_.size(); ++i)
            if (!std::isfinite(v_[i]) || !std::isfinite(i_stim_[i]) || last_[i] < 0)
                throw io_error("checkpoint: integrator state of neuron " + std::to_string(i) + " is not valid");
        active_.clear();
        active_flag_.assign(v_.size(), 0);
        for (std::uint32_t i = 0; i < v_.size(); ++i) update_active(i);
    }

private:
    /// The exact membrane of neuron i at tick t >= last_[i], without changing the state.
    double value_at(std::uint32_t i, tick_t t) const {
        const double current = i_e_ + i_stim_[i];
        const double span_ms = static_cast<double>(t - last_[i]) * h_;
        if (span_ms <= 0.0) return v_[i];
        if (k_.memoryless) return h_ * current / c_m_;
        if (k_.leaky) {
            const double v_inf = e_l_ + tau_m_ * current / c_m_;
            return v_inf + (v_[i] - v_inf) * std::exp(-span_ms / tau_m_);
        }
        return v_[i] + span_ms * current / c_m_;
    }

    void test(std::uint32_t i, std::vector<std::uint32_t>& spikes) {
        if (k_.spiking && v_[i] >= v_th_) {
            if (!k_.memoryless) v_[i] = v_reset_;
            spikes.push_back(i);
        }
    }

    /// A spiking neuron with a current moves towards threshold on its own: on the active list.
    void update_active(std::uint32_t i) {
        const bool moving = k_.spiking && i_e_ + i_stim_[i] != 0.0;
        if (moving && !active_flag_[i]) {
            active_flag_[i] = 1;
            active_.push_back(i);
        } else if (!moving && active_flag_[i]) {
            active_flag_[i] = 0;
            std::erase(active_, i);
        }
    }

    kind k_;
    double h_, c_m_ = 0, i_e_ = 0, tau_m_ = 0, e_l_ = 0, v_th_ = 0, v_reset_ = 0;
    std::vector<double> v_;        // membrane [mV] at tick last_
    std::vector<tick_t> last_;     // tick v_ refers to
    std::vector<double> i_stim_;   // stimulus current [pA]
    std::vector<std::uint8_t> active_flag_;
    std::vector<std::uint32_t> active_;
};

model_info make(const std::string& name, const std::string& summary, kind k) {
    model_info m;
    m.name = name;
    m.summary = summary;
    if (k.leaky) m.params.push_back({"tau_m", dimension::time, 10.0, "membrane time constant"});
    m.params.push_back({"c_m", dimension::capacitance, 250.0, "membrane capacitance"});
    if (k.leaky) m.params.push_back({"e_l", dimension::voltage, 0.0, "leak (resting) potential"});
    if (k.spiking) m.params.push_back({"v_th", dimension::voltage, 1.0, "spike threshold (V >= v_th)"});
    if (k.spiking && !k.memoryless) m.params.push_back({"v_reset", dimension::voltage, 0.0, "reset potential after a spike"});
    m.params.push_back({"i_e", dimension::current, 0.0, "constant external current"});
    m.ports = {{"v", dimension::voltage}};
    m.state = {{"v", dimension::voltage}};
    m.validate = [name, k](const param_map& p) {
        if (k.leaky) require_positive(name, p, "tau_m", dimension::time);
        require_positive(name, p, "c_m", dimension::capacitance);
        if (k.leaky) require_finite(name, p, "e_l", dimension::voltage);
        require_finite(name, p, "i_e", dimension::current);
        if (k.spiking) require_finite(name, p, "v_th", dimension::voltage);
        if (k.spiking && !k.memoryless) {
            require_finite(name, p, "v_reset", dimension::voltage);
            if (p.at("v_reset") >= p.at("v_th"))
                throw invalid_parameter(name, "v_reset", format_quantity(p.at("v_reset"), dimension::voltage),
                                        "must be < v_th = " + format_quantity(p.at("v_th"), dimension::voltage));
        }
    };
    m.create = [k](const group_context& ctx) -> std::unique_ptr<neuron_group> {
        return std::make_unique<integrator_group>(ctx, k);
    };
    // v, last tick, stimulus current, active flag and list entry: 8 + 8 + 8 + 1 + 4 bytes.
    m.state_bytes = [](const population_spec& pop) { return 29.0 * static_cast<double>(pop.size); };
    if (!k.spiking)
        m.spikes = [](const population_spec&, double, double) { return spike_bound{0.0, true}; };
    return m;
}

} // namespace

model_info if_delta_model() {
    return make("if_delta", "integrate-and-fire without leak, delta synapses (NIR IF); exact", {false, true});
}
model_info li_delta_model() {
    return make("li_delta", "leaky integrator read-out, delta synapses, never spikes (NIR LI); exact", {true, false});
}
model_info threshold_delta_model() {
    return make("threshold_delta", "memoryless threshold on each tick's input and current (NIR Threshold)", {false, true, true});
}
model_info i_delta_model() {
    return make("i_delta", "integrator read-out, delta synapses, never spikes (NIR I); exact", {false, false});
}

} // namespace memspike::integrators
