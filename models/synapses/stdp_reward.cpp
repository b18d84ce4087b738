// SPDX-License-Identifier: MIT
// stdp_reward: three-factor STDP, as NEST's stdp_dopamine_synapse / CARLsim's DA-STDP
// (Izhikevich 2007), with the rate written so that a reward of 1 held long enough turns the whole
// eligibility into weight.
//
// The rule. Pairs do not change w but an eligibility c per synapse:
//   at a post spike c <- c + a_plus x,  at an arrival c <- c − a_minus y,  dc/dt = −c/τ_c between,
// with x, y the pair traces of stdp.cpp (τ+, τ−; all-to-all or nearest). The weight follows
//   dw/dt = (m − b) c / τ_c,  held within [w_min, w_max],
// with m the neuromodulator ([[modulator]] or Python's set_modulator; 0 before its first value)
// and b the baseline.
//
// Timing (ticks; see core/plasticity.hpp for the order within a tick). A jump of c at tick t and a
// change of m at tick t act on (t, t+1] and later; w(t) does not see them. An arrival at tick t
// delivers w(t), the solution of the equation at t, before its own jump of c.
//
// Exact between events. A synapse's events are the jumps of its c and the changes of m. Between
// two of them m is constant and c = c0 e^{−(t−t0)/τ_c} keeps its sign, so
//   w(t) = clip(w(t0) + (m − b) c0 (1 − e^{−(t−t0)/τ_c}))
// exactly. w moves monotonically there, so a bound reached inside the interval holds w until the
// next event, and clipping once at t is the same as holding w at the bound from the tick it is
// reached (the reference simulator clips after every tick; both give this value).
//
// Lazy, per synapse, O(events). Each synapse keeps c at its last event and that tick; its weight in
// the block is its weight then. An arrival brings the synapses of its range to t (so the weight it
// delivers is current), a post spike those incoming synapses whose c jumps. A change of m changes
// every slope, so it brings the whole block to t in one pass (as before this design).
//
// Reads do not change the run. A read (weight snapshot, synapses_of, counters, checkpoint's
// caller) shows w(t) of every synapse but must not move the rule's state: rounding w(t) to float
// and starting again from it would give other last bits than going straight to the next event,
// and a snapshot interval would change the spikes. So settle() keeps the weights the rule holds
// (`anchor_`, allocated at the first read) and writes w(t) into the block for the reader; the next
// event puts them back first. A weight that someone replaced after the read (set_weights, or a
// crossbar writing back what its devices hold) is kept: the rule continues from it, from the
// read's tick on.
#include <cmath>
#include <cstdint>
#include <limits>

#include "memspike/core/state_io.hpp"
#include "synapses/stdp.hpp"
#include "synapses/stdp_parts.hpp"

namespace memspike::plasticity {
namespace {

using namespace detail;

class reward_block final : public plastic_block {
    /// Per synapse (block order), 8 bytes, read together at every event of the synapse.
    struct synapse {
        float c = 0.0f;                  // the eligibility at its last event
        std::uint32_t since = 0;         // its last event, in ticks after epoch_
    };

public:
    reward_block(const plastic_context& ctx, const param_map& p)
        : a_plus_(p.at("a_plus")), a_minus_(p.at("a_minus")), baseline_(p.at("baseline")), gain_(-baseline_),
          bounds_{p.at("w_min"), p.at("w_max")}, nearest_(ctx.interaction == "nearest"),
          plus_(ctx.resolution_ms / p.at("tau_plus")), minus_(ctx.resolution_ms / p.at("tau_minus")),
          decay_c_(ctx.resolution_ms / p.at("tau_c")), x_(ctx.ranges), y_(ctx.targets), syn_(ctx.synapses) {}

    void on_pre(tick_t t, std::size_t k, std::uint64_t lo, std::uint64_t hi, synapse_block& block) override {
        prepare(t, block);
        float* w = block.weights.data();
        const std::uint32_t* target = block.targets.data();
        const auto since = static_cast<std::uint32_t>(t - epoch_);
        for (std::uint64_t j = lo; j < hi; ++j) {
            synapse& s = syn_[j];
            evolve(s, t, w[j]);  // the weight this arrival delivers: w(t)
            s.since = since;
            const double y = y_[target[j]].at(t, minus_);
            if (y == 0.0) continue;
            s.c = static_cast<float>(s.c - a_minus_ * y);
            ++c_.trace_updates;
        }
        x_[k].jump(t, plus_, nearest_);
        ++c_.trace_updates;
    }

    void on_post(tick_t t, std::span<const std::uint32_t> neurons, synapse_block& block, const reverse_index& rev) override {
        prepare(t, block);
        float* w = block.weights.data();
        const auto since = static_cast<std::uint32_t>(t - epoch_);
        for (const std::uint32_t i : neurons) {
            for (std::uint32_t p = rev.offsets[i]; p < rev.offsets[i + 1]; ++p) {
                const double x = x_[rev.range(p)].at(t, plus_);
                if (x == 0.0) continue;
                const std::uint32_t j = rev.synapse[p];
                synapse& s = syn_[j];
                evolve(s, t, w[j]);
                s.since = since;
                s.c = static_cast<float>(s.c + a_plus_ * x);
                ++c_.trace_updates;
            }
            y_[i].jump(t, minus_, nearest_);
            ++c_.trace_updates;
        }
    }

    void set_modulator(tick_t t, double value, synapse_block& block) override {
        restore(block);
        advance_all(t, block);  // with the old m up to t
        m_ = value;
        gain_ = m_ - baseline_;
    }

    /// For a reader: w(t) of every synapse into the block; the rule's state stays as it is.
    void settle(tick_t t, synapse_block& block) override {
        restore(block);
        float* w = block.weights.data();
        anchor_.assign(w, w + syn_.size());
        for (std::size_t j = 0; j < syn_.size(); ++j) w[j] = weight_at(anchor_[j], syn_[j], t);
        read_at_ = t;
        shown_ = true;
    }

    const plasticity_counters& counters() const override { return c_; }
    std::size_t memory_bytes() const override {
        return (x_.capacity() + y_.capacity()) * sizeof(trace) + syn_.capacity() * sizeof(synapse) +
               anchor_.capacity() * sizeof(float);
    }
    void save_state(std::ostream& os) const override {
        state_io::put(os, layout);
        state_io::put_vector(os, x_);
        state_io::put_vector(os, y_);
        state_io::put_vector(os, syn_);
        state_io::put(os, m_);
        state_io::put(os, epoch_);
        state_io::put(os, shown_);
        state_io::put(os, read_at_);
        if (shown_) state_io::put_vector(os, anchor_);
        state_io::put(os, c_);
    }
    void load_state(std::istream& is) override {
        std::uint64_t tag = 0;
        state_io::get(is, tag);
        if (tag != layout) throw io_error("checkpoint: the stdp_reward state was written by an older memspike (other layout)");
        state_io::get_exact(is, x_, x_.size());
        state_io::get_exact(is, y_, y_.size());
        check_loaded(x_);
        check_loaded(y_);
        state_io::get_exact(is, syn_, syn_.size());
        state_io::get(is, m_);
        state_io::get(is, epoch_);
        state_io::get(is, shown_);
        state_io::get(is, read_at_);
        if (shown_) state_io::get_exact(is, anchor_, syn_.size());
        state_io::get(is, c_);
        gain_ = m_ - baseline_;
    }

private:
    /// First word of the saved state. The old layout began with x_'s length, a small number, so a
    /// checkpoint of the old rule is refused instead of misread.
    static constexpr std::uint64_t layout = 0x3272'6177'6572'0002ULL;

    /// w(t) from weight w, the synapse's weight at its last event: the closed form above.
    float weight_at(float w, const synapse& s, tick_t t) const {
        const float c0 = s.c;
        const tick_t dt = t - epoch_ - s.since;
        if (c0 == 0.0f || gain_ == 0.0 || dt <= 0) return w;
        return bounds_.held(w + gain_ * c0 * (1.0 - decay_c_(dt)));
    }

    /// Moves a synapse's weight w and eligibility from its last event to t (the caller sets since).
    void evolve(synapse& s, tick_t t, float& w) {
        const float c0 = s.c;
        if (c0 == 0.0f) return;
        const tick_t dt = t - epoch_ - s.since;
        if (dt <= 0) return;
        const double d = decay_c_(dt);
        if (gain_ != 0.0) {  // the same expression as weight_at(), so a read shows what an event applies
            w = bounds_.clip(w + gain_ * c0 * (1.0 - d), c_);
            ++c_.weight_updates;
        }
        s.c = static_cast<float>(c0 * d);
    }

    /// Every synapse to t; the epoch moves to t (`since` then fits in 32 bits again).
    void advance_all(tick_t t, synapse_block& block) {
        float* w = block.weights.data();
        for (std::size_t j = 0; j < syn_.size(); ++j) {
            evolve(syn_[j], t, w[j]);
            syn_[j].since = 0;
        }
        epoch_ = t;
    }

    /// Before an event: the weights the rule holds go back into the block after a read, and the
    /// epoch moves on before t − epoch_ could overflow `since`.
    void prepare(tick_t t, synapse_block& block) {
        restore(block);
        if (t - epoch_ > static_cast<tick_t>(std::numeric_limits<std::uint32_t>::max())) advance_all(t, block);
    }

    /// Undoes the last read (settle()): a weight still as shown gets the rule's own value back; a
    /// replaced one is kept, and its synapse starts from it at the read's tick.
    void restore(synapse_block& block) {
        if (!shown_) return;
        float* w = block.weights.data();
        for (std::size_t j = 0; j < syn_.size(); ++j) {
            synapse& s = syn_[j];
            if (w[j] == weight_at(anchor_[j], s, read_at_)) {
                w[j] = anchor_[j];
                continue;
            }
            const tick_t dt = read_at_ - epoch_ - s.since;
            if (dt > 0) s.c = static_cast<float>(s.c * decay_c_(dt));
            s.since = static_cast<std::uint32_t>(read_at_ - epoch_);
        }
        shown_ = false;
    }

    double a_plus_, a_minus_, baseline_, gain_;  // gain_ = m_ − baseline_
    bounds bounds_;
    bool nearest_;
    decay_table plus_, minus_, decay_c_;
    std::vector<trace> x_, y_;
    std::vector<synapse> syn_;
    std::vector<float> anchor_;          // per synapse, while shown_: the weights the rule holds
    double m_ = 0.0;
    tick_t epoch_ = 0;                   // the last pass over the whole block (a change of m)
    tick_t read_at_ = 0;
    bool shown_ = false;                 // the block holds the weights of a read at read_at_
    plasticity_counters c_;
};

} // namespace

plasticity_info stdp_reward_rule() {
    plasticity_info r;
    r.name = "stdp_reward";
    r.summary = "three-factor STDP: eligibility trace x neuromodulator (NEST stdp_dopamine, Izhikevich 2007)";
    r.params = {
        {"tau_plus", dimension::time, 20.0, "potentiation time constant"},
        {"tau_minus", dimension::time, 20.0, "depression time constant"},
        {"tau_c", dimension::time, 1000.0, "eligibility trace time constant"},
        {"a_plus", dimension::dimensionless, required, "eligibility increment per causal pair (weight unit)"},
        {"a_minus", dimension::dimensionless, required, "eligibility decrement per anti-causal pair (weight unit)"},
        {"baseline", dimension::dimensionless, 0.0, "modulator level that leaves weights unchanged"},
        {"w_min", dimension::dimensionless, 0.0, "hard lower bound (weight unit)"},
        {"w_max", dimension::dimensionless, required, "hard upper bound (weight unit)"},
    };
    r.weight_unit_params = {"a_plus", "a_minus", "w_min", "w_max"};
    r.weight_bounds = hard_bounds;
    r.interactions = {"all_to_all", "nearest"};
    r.validate = [](const param_map& p) {
        for (const char* n : {"tau_plus", "tau_minus", "tau_c"}) require_positive("stdp_reward", p, n, dimension::time);
        require_non_negative("stdp_reward", p, "a_plus", dimension::dimensionless);
        require_non_negative("stdp_reward", p, "a_minus", dimension::dimensionless);
        require_finite("stdp_reward", p, "baseline", dimension::dimensionless);
        check_bounds("stdp_reward", p);
    };
    r.create = [](const plastic_context& ctx) -> std::unique_ptr<plastic_block> {
        return std::make_unique<reward_block>(ctx, ctx.params);
    };
    // For the resource estimate: a 16-byte trace per range and per target; per synapse the
    // eligibility and its last event tick (8 bytes) and the rule's own weight kept aside at the
    // first read (4 bytes; counted, since runs that record weights read them).
    r.state_bytes = [](const plastic_context& cx) {
        return 16.0 * static_cast<double>(cx.ranges + cx.targets) + 12.0 * static_cast<double>(cx.synapses);
    };
    return r;
}

} // namespace memspike::plasticity
