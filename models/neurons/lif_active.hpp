// SPDX-License-Identifier: MIT
// The active set shared by LIF models whose synaptic variables keep moving after an input
// (exponential currents or conductances).
//
// A neuron with a non-zero synaptic variable is "active": it is stepped every tick by the model's
// exact (CUBA) or high-order (COBA) one-tick update and tested against threshold at each tick. When
// all its synaptic variables have decayed below `quiescence_tolerance` (absolute, in the port unit)
// they are set to zero, the neuron leaves the active set, and from then on it is advanced lazily and
// exactly like lif_delta, with a self-scheduled crossing if its bias current is suprathreshold.
// Dropping a current below tol changes V by at most tol * tau_syn / C_m (CUBA) or tol * tau_syn *
// |E_syn - V| / C_m (COBA): with the default 1e-9 that is far below 1e-9 mV.
//
// Timing (as NEST's iaf_psc_exp / iaf_cond_exp): input arriving at tick t is added to the synaptic
// variable at t and moves V from tick t+1 on. While refractory, V is clamped to V_reset but the
// synaptic variables keep integrating their input.
#pragma once

#include <cmath>
#include <vector>
#include <utility>

#include "neurons/lif_base.hpp"

namespace memspike::lif {

/// Synapses must provide: static constexpr std::size_t ports; names[ports] (state variable names); void resize(n);
/// save_state(os) / load_state(is, n); double step_v(i, v, membrane&) (V after one tick, from the synaptic state at the tick start);
/// void decay(i) (synaptic state to the next tick); void add(i, port, w); bool quiet(i, tol) const;
/// void zero(i); double value(i, var) const (state variable var >= 1); std::size_t memory_bytes() const.
template <class Synapses>
class active_lif_group final : public neuron_group {
public:
    active_lif_group(const group_context& ctx, const membrane_params& mp, Synapses syn)
        : m_(mp, ctx.resolution_ms, ctx.count), syn_(std::move(syn)), active_flag_(ctx.count, 0),
          tol_(ctx.quiescence_tolerance) {
        syn_.resize(ctx.count);
        const auto v0 = initial_values(ctx, "v", mp.e_l_mv);
        for (std::uint32_t i = 0; i < ctx.count; ++i) m_.v(i) = v0[i];
        // Synaptic variables may start non-zero (e.g. the COBA benchmark's random conductances):
        // such neurons start in the active set.
        for (std::size_t port = 0; port < Synapses::ports; ++port) {
            const auto x0 = initial_values(ctx, Synapses::names[port], 0.0);
            for (std::uint32_t i = 0; i < ctx.count; ++i) syn_.add(i, port, x0[i]);
        }
        for (std::uint32_t i = 0; i < ctx.count; ++i) {
            if (syn_.quiet(i, tol_)) {
                syn_.zero(i);
                m_.schedule_crossing(i);
            } else {
                active_flag_[i] = 1;
                active_.push_back(i);
            }
        }
    }

    void advance(tick_t t, input_buffer& in, std::vector<std::uint32_t>& spikes) override {
        // 1. Active neurons: one exact tick of V from the synaptic state at t-1, then threshold.
        //    At tick 0 the state is the initial state at time 0: there is nothing to integrate
        //    yet (a neuron that starts with synaptic current ran one tick early when it was
        //    stepped here), only the threshold to test.
        if (t == 0) {
            for (const std::uint32_t i : active_)
                if (!m_.refractory(i, t) && m_.v(i) >= m_.v_th()) {
                    m_.fire(i, t);
                    spikes.push_back(i);
                }
        } else {
            for (const std::uint32_t i : active_) {
                if (!m_.refractory(i, t)) {
                    m_.v(i) = syn_.step_v(i, m_.v(i), m_);
                    m_.set_last(i, t);
                    if (m_.v(i) >= m_.v_th()) {
                        m_.fire(i, t);
                        spikes.push_back(i);
                    }
                }
                syn_.decay(i);
                if (syn_.quiet(i, tol_)) leaving_.push_back(i);  // step 4 confirms after this tick's input
            }
        }
        // A stimulus change at t acts from t on: the step above integrated (t-1, t] with the
        // current before it (add_current deferred it for active neurons).
        for (const auto& [i, delta_pa] : deferred_current_) m_.shift_current(i, delta_pa);
        deferred_current_.clear();
        // 2. Input of this tick: passive neurons are brought forward (a crossing due exactly now
        //    fires here), then join the active set.
        for (const std::uint32_t i : in.touched) {
            if (!active_flag_[i]) {
                const double v = m_.bring_to(i, t);
                if (!m_.refractory(i, t) && v >= m_.v_th()) {
                    m_.fire(i, t);
                    spikes.push_back(i);
                }
                m_.cancel_crossing(i);
                active_flag_[i] = 1;
                active_.push_back(i);
            }
            for (std::size_t port = 0; port < Synapses::ports; ++port) {
                syn_.add(i, port, in.sum[port][i]);
                in.sum[port][i] = 0.0;
            }
            in.flag[i] = 0;
            if (syn_.quiet(i, tol_)) leaving_.push_back(i);  // input that cancelled or was below tol
        }
        in.touched.clear();
        // 3. Self-scheduled crossings of passive neurons.
        m_.fire_due(t, due_, spikes);
        // 4. Quiescent neurons leave the active set and become lazy again. Only the candidates
        //    noted in steps 1 and 2 can be quiet now (a second pass over the whole active set
        //    cost ~15 % of CUBA's run); the set keeps its order.
        if (leaving_.empty()) return;
        bool any = false;
        for (const std::uint32_t i : leaving_) {
            if (active_flag_[i] && syn_.quiet(i, tol_)) {
                syn_.zero(i);
                active_flag_[i] = 0;
                m_.schedule_crossing(i);
                any = true;
            }
        }
        leaving_.clear();
        if (!any) return;
        std::size_t kept = 0;
        for (const std::uint32_t i : active_)
            if (active_flag_[i]) active_[kept++] = i;
        active_.resize(kept);
    }

    tick_t next_event_tick(tick_t now) const override { return active_.empty() ? m_.next_wake(now) : now + 1; }

    void add_current(tick_t t, std::span<const std::uint32_t> neurons, double delta_pa) override {
        // A passive neuron is brought to t on the old current now; an active one is stepped over
        // (t-1, t] in advance(t), so its change waits until after that step (it was brought
        // forward here and stepped again there: two ticks of leak in one).
        for (const std::uint32_t i : neurons) {
            if (active_flag_[i])
                deferred_current_.emplace_back(i, delta_pa);
            else
                m_.add_current(i, t, delta_pa, true);
        }
    }

    double peek(tick_t t, std::uint32_t i, std::size_t var) const override {
        if (var == 0) return active_flag_[i] ? m_.v(i) : m_.peek(i, t);
        return active_flag_[i] ? syn_.value(i, var) : 0.0;
    }

    std::size_t memory_bytes() const override {
        return m_.memory_bytes() + syn_.memory_bytes() + active_flag_.capacity() +
               (active_.capacity() + due_.capacity() + leaving_.capacity()) * sizeof(std::uint32_t);
    }

    void save_state(std::ostream& os) const override {
        m_.save_state(os);
        syn_.save_state(os);
        state_io::put_vector(os, active_flag_);
        state_io::put_vector(os, active_);
    }
    void load_state(std::istream& is) override {
        m_.load_state(is);
        syn_.load_state(is, active_flag_.size());
        state_io::get_exact(is, active_flag_, active_flag_.size());
        state_io::get_vector(is, active_, active_flag_.size());
        // The list and the flags must agree (each listed neuron exists and is flagged, once):
        // advance() indexes by them.
        std::vector<std::uint8_t> seen(active_flag_.size(), 0);
        for (const std::uint32_t i : active_) {
            if (i >= active_flag_.size()) throw io_error("checkpoint: an active neuron index does not match this network");
            if (active_flag_[i] != 1 || seen[i]++) throw io_error("checkpoint: the active neurons and their flags disagree");
        }
        for (std::size_t i = 0; i < seen.size(); ++i)
            if (active_flag_[i] != seen[i]) throw io_error("checkpoint: the active neurons and their flags disagree");
    }

private:
    membrane m_;
    Synapses syn_;
    std::vector<std::uint8_t> active_flag_;
    std::vector<std::uint32_t> active_;
    std::vector<std::uint32_t> due_;
    std::vector<std::uint32_t> leaving_;  // active neurons that may be quiet at the end of the tick
    std::vector<std::pair<std::uint32_t, double>> deferred_current_;  // (neuron, pA) of add_current, applied after the step
    double tol_;
};

/// Two exponentially decaying synaptic variables per neuron, on ports "ex" (0) and "in" (1):
/// the state of lif_exp (currents) and lif_cond_exp (conductances), which add step_v and names.
struct two_exponentials {
    static constexpr std::size_t ports = 2;
    double p_ex = 0.0, p_in = 0.0;  // one-tick decay factors exp(-h / tau_syn)
    std::vector<double> ex, in;

    void resize(std::size_t n) {
        ex.assign(n, 0.0);
        in.assign(n, 0.0);
    }
    void decay(std::uint32_t i) {
        ex[i] *= p_ex;
        in[i] *= p_in;
    }
    void add(std::uint32_t i, std::size_t port, double w) { (port == 0 ? ex : in)[i] += w; }
    bool quiet(std::uint32_t i, double tol) const { return std::abs(ex[i]) < tol && std::abs(in[i]) < tol; }
    void zero(std::uint32_t i) { ex[i] = in[i] = 0.0; }
    double value(std::uint32_t i, std::size_t var) const { return var == 1 ? ex[i] : in[i]; }
    std::size_t memory_bytes() const { return (ex.capacity() + in.capacity()) * sizeof(double); }
    void save_state(std::ostream& os) const {
        state_io::put_vector(os, ex);
        state_io::put_vector(os, in);
    }
    void load_state(std::istream& is, std::size_t n) {
        state_io::get_exact(is, ex, n);
        state_io::get_exact(is, in, n);
    }
};

/// exp(-h/tau_m) * integral_0^h exp(-s/tau_s) exp(s/tau_m) ds / C: the voltage (mV) that a
/// synaptic current of 1 pA, decaying with tau_s, adds over one tick. Stable for tau_s -> tau_m.
inline double current_to_voltage(double h, double tau_m, double tau_s, double c_m) {
    const double a = 1.0 / tau_s - 1.0 / tau_m;
    const double integral = std::abs(a * h) < 1e-12 ? h : -std::expm1(-a * h) / a;
    return std::exp(-h / tau_m) * integral / c_m;
}

} // namespace memspike::lif
