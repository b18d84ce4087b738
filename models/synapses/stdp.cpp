// SPDX-License-Identifier: MIT
// Spike-timing-dependent plasticity, exact and event-driven.
//
// Traces. Each presynaptic (source, delay) range of a block has a trace x, as seen at the synapse:
// it jumps at every arrival of a spike through the range. Each target neuron has a trace y that
// jumps at every one of its spikes. Between jumps the traces decay as exp(-Δt/τ), read from
// tick tables, and they are brought up to date only when they are read.
//   all-to-all interaction: x <- x + 1 (every earlier spike pairs with every later one);
//   nearest interaction:    x <- 1     (a spike pairs only with the nearest spike of the other
//                                       side; the symmetric nearest-spike scheme of Morrison,
//                                       Diesmann & Gerstner 2008).
// Updates (Δt = t_post − t_arrival; see core/plasticity.hpp for the delay convention):
//   at a presynaptic arrival (Δt < 0, depression): w <- w − F−(w) y(t)
//   at a postsynaptic spike (Δt >= 0, potentiation):  w <- w + F+(w) x(t)
// so that one pre/post pair changes w by F+ e^{−Δt/τ+} for Δt >= 0 and by −F− e^{Δt/τ−} for Δt < 0.
//
// Rules:
//   stdp: NEST's stdp_synapse family (Song, Miller & Abbott 2000; van Rossum, Bi & Turrigiano 2000;
//     Gütig et al. 2003), with ŵ = w / w_max:
//       F+(w) = λ w_max (1 − ŵ)^μ+,   F−(w) = λ α w_max ((w − w_off) / w_max)^μ−
//     μ+ = μ− = 0: additive (Song 2000); μ+ = 0, μ− = 1: multiplicative depression (van Rossum
//     2000); μ+ = μ− = μ: Gütig 2003. w_off (`depression_offset`) is 0 in NEST; PyNN's weight
//     dependences measure depression from w_min (Δw− ∝ (w − w_min)^μ−).
//   stdp_power_law: Morrison, Aertsen & Diesmann (2007), as NEST's hpc_benchmark:
//       F+(w) = λ w_0^{1−μ} w^μ,     F−(w) = λ α w
//   stdp_triplet: Pfister & Gerstner (2006): two presynaptic traces r1 (τ+), r2 (τ_x) and two
//     postsynaptic ones o1 (τ−), o2 (τ_y):
//       at an arrival:   w <- w − o1 (A2− + A3− r2⁻),   at a post spike: w <- w + r1 (A2+ + A3+ o2⁻)
//     where r2⁻, o2⁻ are taken just before their own jump.
// Bounds: every update ends in [w_min, w_max]. These are named parameters of the rule, and every
// update that had to be held at a bound is counted (hits_min, hits_max).
#include "synapses/stdp.hpp"
#include "synapses/stdp_parts.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "memspike/core/errors.hpp"
#include "memspike/core/state_io.hpp"
#include "memspike/core/units.hpp"
#include "memspike/models/decay_table.hpp"

namespace memspike::plasticity {
namespace {

using namespace detail;

/// Pair-based STDP with a weight dependence `Rule` (F+ and F−).
///
/// Potentiation is deferred. A postsynaptic spike is only written into its neuron's short spike
/// list. The potentiation it causes at a synapse is applied at the next arrival through that
/// synapse's range, in the same order as an immediate update would apply it: all post spikes in
/// [previous arrival, this arrival) first, then this arrival's depression. Weights are therefore
/// bit-identical to updating at every post spike. The difference is that the weights are then
/// walked in CSR order, sequentially, instead of scattered through the reverse index. When a
/// neuron's list is full, its incoming synapses are brought up to date through the reverse index
/// (once per `list_size` spikes); settle() does the same for all neurons before weights are read.
template <class Rule>
class pair_block final : public plastic_block {
    static constexpr std::uint32_t list_size = 16;

    /// Per target neuron: its trace and the post spikes not yet applied to every incoming synapse.
    /// 32 bytes, read for every arriving event; the spike list itself (`list_`) is only read when
    /// the newest listed spike is recent enough to be pending.
    struct post_state {
        trace y;
        tick_t settled = 0;          // spikes before this tick are applied to all incoming synapses
        tick_t newest = -1;          // the last listed spike
        tick_t previous = -1;        // the one before: when it is not pending, only `newest` is,
                                     // and the list itself need not be read (the common case)
    };
    struct post_list {
        std::uint32_t count = 0;     // spikes in `ticks`, chronological
        std::array<tick_t, list_size> ticks{};
    };

public:
    pair_block(const plastic_context& ctx, Rule rule, double tau_plus, double tau_minus, bounds b)
        : rule_(rule), bounds_(b), nearest_(ctx.interaction == "nearest"), plus_(ctx.resolution_ms / tau_plus),
          minus_(ctx.resolution_ms / tau_minus), x_(ctx.ranges), post_(ctx.targets), list_(ctx.targets) {}

    void on_pre(tick_t t, std::size_t k, std::uint64_t lo, std::uint64_t hi, synapse_block& block) override {
        float* w = block.weights.data();
        const std::uint32_t* target = block.targets.data();
        const trace xk = x_[k];
        std::uint64_t depressions = 0;
        for (std::uint64_t j = lo; j < hi; ++j) {
            const std::uint32_t i = target[j];
            const post_state& ps = post_[i];
            if (xk.value != 0.0) {
                const tick_t lower = std::max(xk.last, ps.settled);
                if (ps.newest >= lower) {
                    if (ps.previous < lower)
                        potentiate(w[j], xk, ps.newest);  // exactly one pending spike
                    else
                        apply_pending(w[j], xk, ps, list_[i]);
                }
            }
            const double y = ps.y.at(t, minus_);
            if (y == 0.0) continue;
            w[j] = bounds_.clip(w[j] - rule_.depression(w[j]) * y, c_);
            ++depressions;
        }
        c_.weight_updates += depressions;
        x_[k].jump(t, plus_, nearest_);
        ++c_.trace_updates;
    }

    void on_post(tick_t t, std::span<const std::uint32_t> neurons, synapse_block& block, const reverse_index& rev) override {
        for (const std::uint32_t i : neurons) {
            post_state& ps = post_[i];
            post_list& pl = list_[i];
            if (pl.count == list_size) settle_neuron(i, t, block, rev);
            pl.ticks[pl.count++] = t;
            ps.previous = ps.newest;
            ps.newest = t;
            ps.y.jump(t, minus_, nearest_);
            ++c_.trace_updates;
        }
    }

    void settle(tick_t t, synapse_block& block) override {
        float* w = block.weights.data();
        const std::size_t ranges = x_.size();
        for (std::size_t k = 0; k < ranges; ++k) {
            const trace xk = x_[k];
            if (xk.value == 0.0) continue;
            for (std::uint64_t j = block.offsets[k]; j < block.offsets[k + 1]; ++j)
                apply_pending(w[j], xk, post_[block.targets[j]], list_[block.targets[j]]);
        }
        for (auto& ps : post_) ps.settled = t;
        for (auto& pl : list_) pl.count = 0;
    }

    const plasticity_counters& counters() const override { return c_; }
    std::size_t memory_bytes() const override {
        return x_.capacity() * sizeof(trace) + post_.capacity() * sizeof(post_state) + list_.capacity() * sizeof(post_list);
    }
    void save_state(std::ostream& os) const override {
        state_io::put_vector(os, x_);
        state_io::put_vector(os, post_);
        state_io::put_vector(os, list_);
        state_io::put(os, c_);
    }
    void load_state(std::istream& is) override {
        state_io::get_exact(is, x_, x_.size());
        state_io::get_exact(is, post_, post_.size());
        state_io::get_exact(is, list_, list_.size());
        state_io::get(is, c_);
        for (const auto& pl : list_) {  // on_post appends at ticks[count]
            if (pl.count > list_size) throw io_error("checkpoint: a post-spike list is longer than " + std::to_string(list_size));
            for (std::uint32_t q = 0; q < pl.count; ++q)  // their distances to traces' times are taken
                if (pl.ticks[q] < 0) throw io_error("checkpoint: a post-spike list holds tick " + std::to_string(pl.ticks[q]));
        }
        check_loaded(x_);
        for (const auto& ps : post_) {
            check_loaded({ps.y});
            if (ps.settled < 0 || ps.newest < -1 || ps.previous < -1)
                throw io_error("checkpoint: a post-spike state holds a tick before the start");
        }
    }

private:
    /// Applies to weight w the potentiation of the post spikes of `ps` at or after the last
    /// arrival of range trace `xk` (and not yet settled), oldest first.
    void apply_pending(float& w, const trace& xk, const post_state& ps, const post_list& pl) {
        const tick_t lower = std::max(xk.last, ps.settled);
        std::uint32_t first = pl.count;
        while (first > 0 && pl.ticks[first - 1] >= lower) --first;
        for (std::uint32_t q = first; q < pl.count; ++q) potentiate(w, xk, pl.ticks[q]);
    }

    /// The potentiation of one pending post spike at tick t_post.
    void potentiate(float& w, const trace& xk, tick_t t_post) {
        const double x = xk.at(t_post, plus_);
        if (x == 0.0) return;
        w = bounds_.clip(w + rule_.potentiation(w) * x, c_);
        ++c_.weight_updates;
    }

    void settle_neuron(std::uint32_t i, tick_t t, synapse_block& block, const reverse_index& rev) {
        float* w = block.weights.data();
        post_state& ps = post_[i];
        for (std::uint32_t p = rev.offsets[i]; p < rev.offsets[i + 1]; ++p) {
            const trace xk = x_[rev.range(p)];
            if (xk.value != 0.0) apply_pending(w[rev.synapse[p]], xk, ps, list_[i]);
        }
        ps.settled = t;
        list_[i].count = 0;
    }

    Rule rule_;
    bounds bounds_;
    bool nearest_;
    decay_table plus_, minus_;
    std::vector<trace> x_;          // per (source, delay) range
    std::vector<post_state> post_;  // per target neuron (hot)
    std::vector<post_list> list_;   // per target neuron (cold)
    plasticity_counters c_;
};

/// `offset`: the weight from which depression grows, (w − offset)^μ−: 0 in NEST's stdp_synapse,
/// w_min in PyNN's weight dependences (Multiplicative, Gütig: Δw− ∝ (w − w_min)^μ−). w − 0 is w
/// exactly, so the default gives NEST's numbers bit for bit.
struct nest_family {
    double lambda, alpha, mu_plus, mu_minus, w_max, offset;
    double potentiation(double w) const {
        return mu_plus == 0.0 ? lambda * w_max : lambda * w_max * std::pow(std::max(0.0, 1.0 - w / w_max), mu_plus);
    }
    double depression(double w) const {
        return mu_minus == 0.0 ? lambda * alpha * w_max
                               : lambda * alpha * w_max * std::pow(std::max(0.0, (w - offset) / w_max), mu_minus);
    }
};

struct power_law {
    double lambda, alpha, mu, w_0;
    double potentiation(double w) const { return lambda * std::pow(w_0, 1.0 - mu) * std::pow(std::max(0.0, w), mu); }
    double depression(double w) const { return lambda * alpha * w; }
};

class triplet_block final : public plastic_block {
public:
    triplet_block(const plastic_context& ctx, const param_map& p)
        : a2p_(p.at("a2_plus")), a3p_(p.at("a3_plus")), a2m_(p.at("a2_minus")), a3m_(p.at("a3_minus")),
          bounds_{p.at("w_min"), p.at("w_max")}, nearest_(ctx.interaction == "nearest"),
          d_plus_(ctx.resolution_ms / p.at("tau_plus")), d_x_(ctx.resolution_ms / p.at("tau_x")),
          d_minus_(ctx.resolution_ms / p.at("tau_minus")), d_y_(ctx.resolution_ms / p.at("tau_y")), r1_(ctx.ranges),
          r2_(ctx.ranges), o1_(ctx.targets), o2_(ctx.targets) {}

    void on_pre(tick_t t, std::size_t k, std::uint64_t lo, std::uint64_t hi, synapse_block& block) override {
        float* w = block.weights.data();
        const std::uint32_t* target = block.targets.data();
        const double r2 = r2_[k].at(t, d_x_);  // before its own jump
        for (std::uint64_t j = lo; j < hi; ++j) {
            const double o1 = o1_[target[j]].at(t, d_minus_);
            if (o1 == 0.0) continue;
            w[j] = bounds_.clip(w[j] - o1 * (a2m_ + a3m_ * r2), c_);
            ++c_.weight_updates;
        }
        r1_[k].jump(t, d_plus_, nearest_);
        r2_[k].jump(t, d_x_, nearest_);
        c_.trace_updates += 2;
    }

    void on_post(tick_t t, std::span<const std::uint32_t> neurons, synapse_block& block, const reverse_index& rev) override {
        float* w = block.weights.data();
        for (const std::uint32_t i : neurons) {
            const double o2 = o2_[i].at(t, d_y_);  // before its own jump
            for (std::uint32_t p = rev.offsets[i]; p < rev.offsets[i + 1]; ++p) {
                const double r1 = r1_[rev.range(p)].at(t, d_plus_);
                if (r1 == 0.0) continue;
                const std::uint32_t j = rev.synapse[p];
                w[j] = bounds_.clip(w[j] + r1 * (a2p_ + a3p_ * o2), c_);
                ++c_.weight_updates;
            }
            o1_[i].jump(t, d_minus_, nearest_);
            o2_[i].jump(t, d_y_, nearest_);
            c_.trace_updates += 2;
        }
    }

    const plasticity_counters& counters() const override { return c_; }
    std::size_t memory_bytes() const override {
        return (r1_.capacity() + r2_.capacity() + o1_.capacity() + o2_.capacity()) * sizeof(trace);
    }
    void save_state(std::ostream& os) const override {
        for (const auto* v : {&r1_, &r2_, &o1_, &o2_}) state_io::put_vector(os, *v);
        state_io::put(os, c_);
    }
    void load_state(std::istream& is) override {
        for (auto* v : {&r1_, &r2_, &o1_, &o2_}) state_io::get_exact(is, *v, v->size());
        state_io::get(is, c_);
        for (const auto* v : {&r1_, &r2_, &o1_, &o2_}) check_loaded(*v);
    }

private:
    double a2p_, a3p_, a2m_, a3m_;
    bounds bounds_;
    bool nearest_;
    decay_table d_plus_, d_x_, d_minus_, d_y_;
    std::vector<trace> r1_, r2_, o1_, o2_;
    plasticity_counters c_;
};

} // namespace

plasticity_info stdp_rule() {
    plasticity_info r;
    r.name = "stdp";
    r.summary = "pair-based STDP, additive to multiplicative (NEST stdp_synapse: Song 2000, van Rossum 2000, Gütig 2003)";
    r.params = {
        {"tau_plus", dimension::time, 20.0, "potentiation time constant (presynaptic trace)"},
        {"tau_minus", dimension::time, 20.0, "depression time constant (postsynaptic trace)"},
        {"lambda", dimension::dimensionless, 0.01, "step size, in units of w_max"},
        {"alpha", dimension::dimensionless, 1.0, "depression / potentiation amplitude ratio"},
        {"mu_plus", dimension::dimensionless, 0.0, "weight dependence of potentiation (0 additive, 1 multiplicative)"},
        {"mu_minus", dimension::dimensionless, 0.0, "weight dependence of depression (0 additive, 1 multiplicative)"},
        {"w_min", dimension::dimensionless, 0.0, "hard lower bound (weight unit)"},
        {"w_max", dimension::dimensionless, required, "hard upper bound and weight scale (weight unit)"},
        {"depression_offset", dimension::dimensionless, 0.0,
         "depression grows with (w - depression_offset)^mu_minus, 0 below it (weight unit; NEST: 0, PyNN: w_min)"},
    };
    r.weight_unit_params = {"w_min", "w_max", "depression_offset"};
    r.weight_bounds = hard_bounds;
    r.interactions = {"all_to_all", "nearest"};
    r.validate = [](const param_map& p) {
        require_positive("stdp", p, "tau_plus", dimension::time);
        require_positive("stdp", p, "tau_minus", dimension::time);
        for (const char* n : {"lambda", "alpha", "mu_plus", "mu_minus"}) require_non_negative("stdp", p, n, dimension::dimensionless);
        check_bounds("stdp", p);
        require_positive("stdp", p, "w_max", dimension::dimensionless);  // it scales the updates
        if (!std::isfinite(p.at("depression_offset")))
            throw invalid_parameter("stdp", "depression_offset", std::to_string(p.at("depression_offset")), "must be finite");
    };
    r.create = [](const plastic_context& ctx) -> std::unique_ptr<plastic_block> {
        const auto& p = ctx.params;
        const nest_family rule{p.at("lambda"), p.at("alpha"), p.at("mu_plus"), p.at("mu_minus"), p.at("w_max"),
                                 p.at("depression_offset")};
        return std::make_unique<pair_block<nest_family>>(ctx, rule, p.at("tau_plus"), p.at("tau_minus"),
                                                         bounds{p.at("w_min"), p.at("w_max")});
    };
    // For the resource estimate: a 16-byte trace per range; per target its post state (40) and
    // spike list (8 + 16 x 8 bytes).
    r.state_bytes = [](const plastic_context& cx) {
        return 16.0 * static_cast<double>(cx.ranges) + 176.0 * static_cast<double>(cx.targets);
    };
    return r;
}

plasticity_info stdp_power_law_rule() {
    plasticity_info r;
    r.name = "stdp_power_law";
    r.summary = "power-law potentiation, multiplicative depression (Morrison et al. 2007; NEST hpc_benchmark)";
    r.params = {
        {"tau_plus", dimension::time, 15.0, "potentiation time constant"},
        {"tau_minus", dimension::time, 30.0, "depression time constant"},
        {"lambda", dimension::dimensionless, 0.1, "step size"},
        {"alpha", dimension::dimensionless, 0.0513, "depression amplitude"},
        {"mu", dimension::dimensionless, 0.4, "exponent of the potentiation"},
        {"w_0", dimension::dimensionless, required, "reference weight (weight unit)"},
        {"w_min", dimension::dimensionless, 0.0, "hard lower bound (weight unit)"},
        {"w_max", dimension::dimensionless, inf, "hard upper bound (weight unit)"},
    };
    r.weight_unit_params = {"w_0", "w_min", "w_max"};
    r.weight_bounds = hard_bounds;
    r.interactions = {"all_to_all", "nearest"};
    r.validate = [](const param_map& p) {
        require_positive("stdp_power_law", p, "tau_plus", dimension::time);
        require_positive("stdp_power_law", p, "tau_minus", dimension::time);
        for (const char* n : {"lambda", "alpha", "mu"}) require_non_negative("stdp_power_law", p, n, dimension::dimensionless);
        require_positive("stdp_power_law", p, "w_0", dimension::dimensionless);
        check_bounds("stdp_power_law", p);
        if (p.at("w_min") < 0.0)
            throw invalid_parameter("stdp_power_law", "w_min", std::to_string(p.at("w_min")), "must be >= 0 (w^mu needs w >= 0)");
    };
    r.create = [](const plastic_context& ctx) -> std::unique_ptr<plastic_block> {
        const auto& p = ctx.params;
        const power_law rule{p.at("lambda"), p.at("alpha"), p.at("mu"), p.at("w_0")};
        return std::make_unique<pair_block<power_law>>(ctx, rule, p.at("tau_plus"), p.at("tau_minus"),
                                                       bounds{p.at("w_min"), p.at("w_max")});
    };
    // For the resource estimate: a 16-byte trace per range; per target its post state (40) and
    // spike list (8 + 16 x 8 bytes).
    r.state_bytes = [](const plastic_context& cx) {
        return 16.0 * static_cast<double>(cx.ranges) + 176.0 * static_cast<double>(cx.targets);
    };
    return r;
}

plasticity_info stdp_triplet_rule() {
    plasticity_info r;
    r.name = "stdp_triplet";
    r.summary = "triplet STDP (Pfister & Gerstner 2006)";
    // Defaults: Pfister & Gerstner (2006) Table 4, visual cortex, all-to-all, minimal model
    // (A3- = 0), amplitudes as weight changes in the port unit per unit of w_max = 1.
    r.params = {
        {"tau_plus", dimension::time, 16.8, "presynaptic pair trace r1"},
        {"tau_x", dimension::time, 101.0, "presynaptic triplet trace r2"},
        {"tau_minus", dimension::time, 33.7, "postsynaptic pair trace o1"},
        {"tau_y", dimension::time, 125.0, "postsynaptic triplet trace o2"},
        {"a2_plus", dimension::dimensionless, 5e-10, "pair potentiation (weight unit)"},
        {"a3_plus", dimension::dimensionless, 6.2e-3, "triplet potentiation (weight unit)"},
        {"a2_minus", dimension::dimensionless, 7e-3, "pair depression (weight unit)"},
        {"a3_minus", dimension::dimensionless, 0.0, "triplet depression (weight unit)"},
        {"w_min", dimension::dimensionless, 0.0, "hard lower bound (weight unit)"},
        {"w_max", dimension::dimensionless, required, "hard upper bound (weight unit)"},
    };
    r.weight_unit_params = {"a2_plus", "a3_plus", "a2_minus", "a3_minus", "w_min", "w_max"};
    r.weight_bounds = hard_bounds;
    r.interactions = {"all_to_all", "nearest"};
    r.validate = [](const param_map& p) {
        for (const char* n : {"tau_plus", "tau_x", "tau_minus", "tau_y"}) require_positive("stdp_triplet", p, n, dimension::time);
        for (const char* n : {"a2_plus", "a3_plus", "a2_minus", "a3_minus"}) require_non_negative("stdp_triplet", p, n, dimension::dimensionless);
        check_bounds("stdp_triplet", p);
    };
    r.create = [](const plastic_context& ctx) -> std::unique_ptr<plastic_block> {
        return std::make_unique<triplet_block>(ctx, ctx.params);
    };
    // For the resource estimate: two 16-byte traces per range and two per target.
    r.state_bytes = [](const plastic_context& cx) {
        return 32.0 * static_cast<double>(cx.ranges) + 32.0 * static_cast<double>(cx.targets);
    };
    return r;
}

} // namespace memspike::plasticity
