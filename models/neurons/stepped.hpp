// SPDX-License-Identifier: MIT
// A partition of neurons that are all stepped at every tick: the group of lif_alpha, adex and
// izhikevich (docs/decisions.md §30).
//
// Why not the LIF active set (lif_active.hpp): that machinery advances quiet neurons lazily with
// the closed-form leaky membrane and lets a neuron join the stepped set only while its synaptic
// variables are non-zero. AdEx and Izhikevich have no closed form between inputs (their membranes
// keep moving towards a fixed point they reach only asymptotically, and the adaptation variable
// keeps moving with them), so every neuron is "active" for as long as the run lasts; lif_alpha has
// four synaptic variables where the active set holds two. These models are also the ones NEST
// steps every tick (iaf_psc_alpha, aeif_cond_exp, izhikevich). The group is therefore a plain
// dense loop over structure-of-arrays state, one Dynamics::step per neuron and tick.
//
// Timing, as the LIF models (docs/models.md): input arriving at tick t is added to the state at t
// (a synaptic variable, or V for a voltage port) and the threshold is tested at t; a stimulus
// current change at t acts from t on; a neuron spiking at tick s is refractory for the ticks
// s+1 .. s+n_ref (Dynamics decides what refractory means: V clamped to its reset value).
//
// Dynamics must provide:
//   static constexpr std::size_t vars;           // state variables per neuron, [0] = V
//   static constexpr std::size_t exposed;        // the first `exposed` are model_info::state
//   static constexpr std::size_t ports;          // receptor ports
//   const char* const* names;                    // names of the exposed variables
//   double init(std::size_t var) const;          // default initial value of variable var
//   void receive(double* x, std::size_t port, double w) const;  // input of one tick on a port
//   bool step(double* x, double current_pa, bool refractory) const;  // (t-1, t]; true: spiked
//   bool above(const double* x) const;           // threshold test at a tick (initial state, delta input)
//   void reset(double* x) const;                 // after a spike found by above()
//
// Per-neuron parameters (population_spec::per_neuron, docs/decisions.md §29): the group then keeps
// one Dynamics record per neuron (its constants, derived from that neuron's parameter set by the
// same code as a homogeneous population's) and one refractory length per neuron. The homogeneous
// loop is a separate instantiation (step_all<false>) reading the one shared record, so a
// homogeneous population runs the same instructions as before.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "memspike/core/errors.hpp"
#include "memspike/core/model.hpp"
#include "memspike/core/state_io.hpp"
#include "neurons/lif_base.hpp"

namespace memspike::stepped {

template <class Dynamics>
class stepped_group final : public neuron_group {
    static constexpr std::size_t vars = Dynamics::vars;

public:
    /// `per` / `per_ref`: one record and refractory length per neuron (per-neuron parameters), or
    /// empty (homogeneous: `dyn` and `refractory_ticks` for every neuron).
    stepped_group(const group_context& ctx, Dynamics dyn, tick_t refractory_ticks, std::vector<Dynamics> per = {},
                  std::vector<tick_t> per_ref = {})
        : dyn_(std::move(dyn)), per_(std::move(per)), per_ref_(std::move(per_ref)), n_(ctx.count),
          n_ref_(refractory_ticks), x_(ctx.count * vars, 0.0), i_stim_(ctx.count, 0.0), ref_end_(ctx.count, -1) {
        for (std::size_t k = 0; k < vars; ++k) {
            const bool given = k < Dynamics::exposed && (ctx.spec.init.count(dyn_.names[k]) != 0 || ctx.spec.init_values.count(dyn_.names[k]) != 0);
            const auto v0 = given ? lif::initial_values(ctx, dyn_.names[k], dyn_.init(k))
                                  : std::vector<double>(ctx.count, dyn_.init(k));
            // Defaults that derive from a parameter (V = E_L, u = b v) follow each neuron's own.
            for (std::size_t i = 0; i < n_; ++i) x_[i * vars + k] = given || per_.empty() ? v0[i] : per_[i].init(k);
        }
    }

    void advance(tick_t t, input_buffer& in, std::vector<std::uint32_t>& spikes) override {
        // 1. Every neuron over (t-1, t], with the current of t-1 (a change at t waits: step 2).
        //    At tick 0 there is nothing to integrate; only the initial state is tested (step 3).
        spiked_.assign(n_, 0);
        if (t > 0) {
            if (per_.empty()) step_all<false>(t);
            else step_all<true>(t);
        }
        for (const auto& [i, delta_pa] : deferred_current_) i_stim_[i] += delta_pa;
        deferred_current_.clear();
        // 2. The input of tick t.
        for (const std::uint32_t i : in.touched) {
            for (std::size_t p = 0; p < Dynamics::ports; ++p) {
                dyn(i).receive(&x_[i * vars], p, in.sum[p][i]);
                in.sum[p][i] = 0.0;
            }
            in.flag[i] = 0;
        }
        // 3. Threshold at t for what step() could not see: the initial state and voltage-port input
        //    (at most one spike per neuron and tick).
        const bool test_all = t == 0;
        auto test = [&](std::uint32_t i) {
            if (spiked_[i] || t <= ref_end_[i] || !dyn(i).above(&x_[i * vars])) return;
            dyn(i).reset(&x_[i * vars]);
            spiked_[i] = 1;
            ref_end_[i] = t + n_ref(i);
        };
        if (test_all) {
            for (std::uint32_t i = 0; i < n_; ++i) test(i);
        } else {
            for (const std::uint32_t i : in.touched) test(i);
        }
        in.touched.clear();
        for (std::uint32_t i = 0; i < n_; ++i)
            if (spiked_[i]) spikes.push_back(i);
        tick_ = t;
    }

    tick_t next_event_tick(tick_t now) const override {
        return n_ == 0 ? std::numeric_limits<tick_t>::max() : now + 1;
    }

    void add_current(tick_t, std::span<const std::uint32_t> neurons, double delta_pa) override {
        for (const std::uint32_t i : neurons) deferred_current_.emplace_back(i, delta_pa);
    }

    double peek(tick_t, std::uint32_t i, std::size_t var) const override { return x_[i * vars + var]; }

    std::size_t memory_bytes() const override {
        return (x_.capacity() + i_stim_.capacity()) * sizeof(double) +
               (ref_end_.capacity() + per_ref_.capacity()) * sizeof(tick_t) + per_.capacity() * sizeof(Dynamics) +
               spiked_.capacity();
    }

    void save_state(std::ostream& os) const override {
        state_io::put_vector(os, x_);
        state_io::put_vector(os, i_stim_);
        state_io::put_vector(os, ref_end_);
        state_io::put_vector(os, std::vector<tick_t>{tick_});
    }
    void load_state(std::istream& is) override {
        std::vector<double> x, cur;
        std::vector<tick_t> ref, tick;
        state_io::get_exact(is, x, x_.size());
        state_io::get_exact(is, cur, n_);
        state_io::get_exact(is, ref, n_);
        state_io::get_exact(is, tick, 1);
        // A state no run produces would give NaN spikes or a refractory period reaching back before
        // tick 0 (refractory ends lie at most n_ref ticks after the saved tick).
        for (const double v : x)
            if (!std::isfinite(v)) throw io_error("checkpoint: a neuron state is not finite");
        for (const double v : cur)
            if (!std::isfinite(v)) throw io_error("checkpoint: a stimulus current is not finite");
        for (const tick_t r : ref)
            if (r < -1 || tick[0] < 0 || r > tick[0] + max_ref())
                throw io_error("checkpoint: a refractory period (until tick " + std::to_string(r) +
                               ") is not one a run produces");
        x_ = std::move(x);
        i_stim_ = std::move(cur);
        ref_end_ = std::move(ref);
        tick_ = tick[0];
        deferred_current_.clear();
    }

private:
    const Dynamics& dyn(std::size_t i) const { return per_.empty() ? dyn_ : per_[i]; }
    tick_t n_ref(std::size_t i) const { return per_ref_.empty() ? n_ref_ : per_ref_[i]; }
    tick_t max_ref() const {
        tick_t m = n_ref_;
        for (const tick_t r : per_ref_) m = std::max(m, r);
        return m;
    }

    /// Step 1 of advance(): every neuron over (t-1, t]. Het: each neuron's own record.
    template <bool Het>
    void step_all(tick_t t) {
        for (std::size_t i = 0; i < n_; ++i) {
            const Dynamics& d = Het ? per_[i] : dyn_;
            if (d.step(&x_[i * vars], i_stim_[i], t <= ref_end_[i])) {
                spiked_[i] = 1;
                ref_end_[i] = t + (Het ? per_ref_[i] : n_ref_);
            }
        }
    }

    Dynamics dyn_;
    std::vector<Dynamics> per_;      // per-neuron records (empty: homogeneous)
    std::vector<tick_t> per_ref_;    // per-neuron refractory ticks (empty: homogeneous)
    std::size_t n_;
    tick_t n_ref_;
    std::vector<double> x_;         // [neuron * vars + variable]
    std::vector<double> i_stim_;    // stimulus current [pA]
    std::vector<tick_t> ref_end_;   // last refractory tick (-1 before any spike)
    std::vector<std::uint8_t> spiked_;
    std::vector<std::pair<std::uint32_t, double>> deferred_current_;  // add_current at t, applied after the step to t
    tick_t tick_ = 0;
};

/// The refractory period as whole ticks; throws invalid_parameter naming `model` otherwise.
inline tick_t refractory_ticks(const std::string& model, double t_ref_ms, double resolution_ms) {
    const auto n = static_cast<tick_t>(std::llround(t_ref_ms / resolution_ms));
    if (std::abs(static_cast<double>(n) * resolution_ms - t_ref_ms) > 1e-9 * std::max(1.0, t_ref_ms))
        throw invalid_parameter(model, "t_ref", format_quantity(t_ref_ms, dimension::time),
                                "must be a whole number of ticks of " + format_quantity(resolution_ms, dimension::time));
    return n;
}

/// The group of a population: `make(params, resolution_ms)` returns the Dynamics record and the
/// refractory ticks of one complete parameter set. With per-neuron parameters it is called once per
/// neuron with that neuron's set (neuron_values), so a neuron gets exactly the record a one-neuron
/// homogeneous population with its values would.
template <class Dynamics, class Make>
std::unique_ptr<neuron_group> make_stepped_group(const group_context& ctx, Make make) {
    if (ctx.spec.per_neuron.empty()) {
        auto [d, n_ref] = make(ctx.spec.params, ctx.resolution_ms);
        return std::make_unique<stepped_group<Dynamics>>(ctx, std::move(d), n_ref);
    }
    std::vector<std::pair<std::string, std::vector<double>>> columns;
    for (const auto& [name, pn] : ctx.spec.per_neuron) columns.emplace_back(name, neuron_values(ctx, name));
    std::vector<Dynamics> per;
    std::vector<tick_t> per_ref;
    per.reserve(ctx.count);
    per_ref.reserve(ctx.count);
    param_map p = ctx.spec.params;
    for (std::size_t i = 0; i < ctx.count; ++i) {
        for (const auto& [name, col] : columns) p[name] = col[i];
        auto [d, n_ref] = make(p, ctx.resolution_ms);
        per.push_back(std::move(d));
        per_ref.push_back(n_ref);
    }
    Dynamics first = per.empty() ? Dynamics{} : per.front();  // names and defaults for the initial state
    return std::make_unique<stepped_group<Dynamics>>(ctx, std::move(first), 0, std::move(per), std::move(per_ref));
}

} // namespace memspike::stepped
