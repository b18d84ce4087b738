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
//
// Layout (issue 13, docs/decisions.md §23): an active neuron's state moves into a slot of dense
// per-partition arrays (V, both synaptic variables, its bias, its remaining refractory ticks), so
// the per-tick loop reads and writes contiguous doubles without branches and the compiler
// vectorises it; spikes and quiescence are flagged per slot and collected by a second, cheap pass.
// A neuron leaving the set writes V back to the lazy membrane record, and the last slot moves into
// its place. The arithmetic per neuron is the one of the per-neuron loop it replaced, so the spikes
// are the same (the engine sorts a partition's spikes, so the slot order does not matter).
//
// Where the parts are: this file holds the active set's bookkeeping (which neuron is in which
// slot, joining, leaving, the dense order) and the tick (advance: the step, the input, the
// crossings, the quiescent); the step loop itself and its run-time choice of kernel are in
// lif_step_kernels.hpp (and lif_clamped_kernel.hpp), the slot arrays' memory in slot_memory.hpp,
// and what a model provides as its Synapses type in lif_synapses.hpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <queue>
#include <utility>
#include <vector>

#include "neurons/lif_base.hpp"
#include "neurons/lif_step_kernels.hpp"
#include "neurons/lif_synapses.hpp"
#include "neurons/slot_memory.hpp"

namespace memspike::lif {

/// Synapses must provide: static constexpr std::size_t ports (2); names[ports] (state variable
/// names); p_ex, p_in (one-tick decay factors); void bind(membrane&) (reads constants of the
/// membrane once; homogeneous groups only); double bias(i, membrane_t<Het>&) (the per-neuron
/// constant that step() needs); double step(v, x_ex, x_in, bias), always_inline (V after one tick, from the
/// synaptic state at the tick start); static constexpr bool store_events (whether the step loop
/// stores each slot's event flag, or re-tests a chunk that has one: see step_kernels::step_chunks); static
/// constexpr bool clamp_in_loop (whether the step loop keeps a refractory slot's V, or the slot
/// runs free and its V is held outside the loop: see step_slots). A trivially copyable struct of doubles (per-neuron sets are
/// told apart by their bytes).
///
/// Het: the population has per-neuron parameters. The membrane keeps a record of constants per
/// neuron, and the synaptic constants come as the distinct sets `syns` with each neuron's index in
/// `syn_of`. With one set (only membrane constants vary: V_th, E_L, I_e, ...) the active slots run
/// the vectorised kernel with a per-slot threshold; with several, a scalar loop that reads each
/// neuron's own constants (the same step() and the same tests either way, so the same arithmetic
/// per neuron; decisions.md §29).
template <class Synapses, bool Het = false>
class active_lif_group final : public neuron_group {
public:
    active_lif_group(const group_context& ctx, membrane_t<Het> m, std::vector<Synapses> syns,
                     std::vector<std::uint32_t> syn_of = {})
        : m_(std::move(m)), syn_(syns.at(0)), slot_of_(ctx.count, none), tol_(ctx.quiescence_tolerance),
          syns_(std::move(syns)), syn_of_(std::move(syn_of)) {
        if constexpr (!Het) {
            syn_.bind(m_);
            if (ctx.count > 0) base_bias_ = syn_.bias(0, m_);  // no stimulus yet: the same for every neuron
        }
        // Every slot array at its full size at once (a slot per neuron at most): no reallocation
        // in the run, and each array is placed once in the huge-page chunks (slot_memory.hpp).
        for (auto* a : {&v_, &ex_, &in_, &bias_}) a->reserve(ctx.count);
        if constexpr (Synapses::clamp_in_loop) ref_end_.reserve(ctx.count);
        if constexpr (Het) th_.reserve(ctx.count);
        const auto v0 = initial_values(ctx, "v", ctx.spec.params.at("e_l"));
        const bool v_given = ctx.spec.init.count("v") != 0 || ctx.spec.init_values.count("v") != 0;
        for (std::uint32_t i = 0; i < ctx.count; ++i)
            if (v_given || !Het) m_.v(i) = v0[i];  // else V starts at the neuron's own E_L
        // Synaptic variables may start non-zero (e.g. the COBA benchmark's random conductances):
        // such neurons start in the active set.
        const auto ex0 = initial_values(ctx, Synapses::names[0], 0.0);
        const auto in0 = initial_values(ctx, Synapses::names[1], 0.0);
        for (std::uint32_t i = 0; i < ctx.count; ++i) {
            if (std::abs(ex0[i]) < tol_ && std::abs(in0[i]) < tol_) {
                m_.schedule_crossing(i);
            } else {
                join(i);
                ex_.back() = ex0[i];
                in_.back() = in0[i];
            }
        }
    }

    void advance(tick_t t, input_buffer& in, std::vector<std::uint32_t>& spikes) override {
        tick_ = t;
        // 1. Active neurons: one exact tick of V from the synaptic state at t-1, then threshold.
        //    At tick 0 the state is the initial state at time 0: there is nothing to integrate
        //    yet (a neuron that starts with synaptic current ran one tick early when it was
        //    stepped here), only the threshold to test.
        if (t == 0) {
            for (std::size_t j = 0; j < id_.size(); ++j)
                if (!m_.refractory(id_[j], t) && v_[j] >= m_.v_th(id_[j])) fire_slot(j, t, spikes);
        } else {
            step_slots(t, dense_ ? &in : nullptr);
            collect_events(t, spikes);
        }
        // A stimulus change at t acts from t on: the step above integrated (t-1, t] with the
        // current before it (add_current deferred it for active neurons).
        for (const auto& [i, delta_pa] : deferred_current_) {
            m_.shift_current(i, delta_pa);
            if (slot_of_[i] != none) set_bias(slot_of_[i], syn_.bias(i, m_));
        }
        deferred_current_.clear();
        // 2. Input of this tick: passive neurons are brought forward (a crossing due exactly now
        //    fires here), then join the active set.
        //    The arrays are held in local pointers: the store to a flag (a char) could alias
        //    any member, and the compiler would reload every pointer after it (join() moves the
        //    slot arrays, so they are read again after it).
        double* const sum_ex = in.sum[0].data();
        double* const sum_in = in.sum[1].data();
        std::uint8_t* const flag = in.flag.data();
        const std::uint32_t* const slot_of = slot_of_.data();
        double* ex = ex_.data();
        double* inh = in_.data();
        const double tol = tol_;
        const std::uint32_t* const touched = in.touched.data();
        if (dense_) {  // the step loop added the sums (go_dense): they and the flags are cleared here
            for (const std::uint32_t i : in.touched) {
                flag[i] = 0;
                sum_ex[i] = 0.0;
                sum_in[i] = 0.0;
            }
        }
        const std::size_t n_touched = dense_ ? 0 : in.touched.size();
        for (std::size_t k = 0; k < n_touched; ++k) {
            const std::uint32_t i = touched[k];
            if (k + ahead < n_touched) {  // the slot of an input some inputs ahead: its misses overlap
                const std::uint32_t ja = slot_of[touched[k + ahead]];
                if (ja != none) {
                    __builtin_prefetch(ex + ja);
                    __builtin_prefetch(inh + ja);
                }
            }
            std::uint32_t j = slot_of[i];
            if (j == none) {
                const double v = m_.bring_to(i, t);
                if (!m_.refractory(i, t) && v >= m_.v_th(i)) {
                    m_.fire(i, t);
                    spikes.push_back(i);
                }
                m_.cancel_crossing(i);
                join(i);
                j = slot_of[i];
                ex = ex_.data();
                inh = in_.data();
            }
            const double e = ex[j] + sum_ex[i], g = inh[j] + sum_in[i];
            ex[j] = e;
            inh[j] = g;
            sum_ex[i] = 0.0;
            sum_in[i] = 0.0;
            flag[i] = 0;
            if (std::abs(e) < tol && std::abs(g) < tol) leaving_.push_back(i);  // input that cancelled or was below tol (quiet())
        }
        in.touched.clear();
        // 3. Self-scheduled crossings of passive neurons.
        m_.fire_due(t, due_, spikes);
        // 4. Quiescent neurons leave the active set and become lazy again. Only the candidates
        //    noted in steps 1 and 2 can be quiet now.
        for (const std::uint32_t i : leaving_)
            if (slot_of_[i] != none && quiet(slot_of_[i])) leave(i, t);
        leaving_.clear();
        // 5. Every neuron active: the next ticks take their input in the step loop.
        if constexpr (dense_input_of<Synapses>)
            if (!dense_ && !id_.empty() && id_.size() == slot_of_.size()) go_dense();
    }

    tick_t next_event_tick(tick_t now) const override { return id_.empty() ? m_.next_wake(now) : now + 1; }

    void add_current(tick_t t, std::span<const std::uint32_t> neurons, double delta_pa) override {
        // A passive neuron is brought to t on the old current now; an active one is stepped over
        // (t-1, t] in advance(t), so its change waits until after that step (it was brought
        // forward here and stepped again there: two ticks of leak in one).
        for (const std::uint32_t i : neurons) {
            if (slot_of_[i] != none)
                deferred_current_.emplace_back(i, delta_pa);
            else
                m_.add_current(i, t, delta_pa, true);
        }
    }

    double peek(tick_t t, std::uint32_t i, std::size_t var) const override {
        const std::uint32_t j = slot_of_[i];
        if (var == 0) return j == none ? m_.peek(i, t) : slot_v(m_, j, t);
        if (j == none) return 0.0;
        return var == 1 ? ex_[j] : in_[j];
    }

    std::size_t memory_bytes() const override {
        return m_.memory_bytes() + syns_.capacity() * sizeof(Synapses) + (slot_of_.capacity() + syn_of_.capacity()) * sizeof(std::uint32_t) +
               (id_.capacity() + due_.capacity() + leaving_.capacity()) * sizeof(std::uint32_t) +
               (v_.capacity() + ex_.capacity() + in_.capacity() + bias_.capacity() + ref_end_.capacity() + th_.capacity()) *
                   sizeof(double) +
               hits_.capacity() * sizeof(std::uint32_t) + ends_.size() * sizeof(std::pair<tick_t, std::uint32_t>);
    }

    // The checkpoint keeps the format of the per-neuron layout: the membrane records with the
    // active neurons' V and update tick written back, both synaptic variables of every neuron
    // (zero when passive), the active flags and the active list (in slot order).
    void save_state(std::ostream& os) const override {
        membrane_t<Het> m = m_;
        const std::size_t n = slot_of_.size();
        std::vector<double> ex(n, 0.0), in(n, 0.0);
        std::vector<std::uint8_t> flag(n, 0);
        for (std::size_t j = 0; j < id_.size(); ++j) {
            const std::uint32_t i = id_[j];
            write_back(m, j, tick_);
            ex[i] = ex_[j];
            in[i] = in_[j];
            flag[i] = 1;
        }
        m.save_state(os);
        state_io::put_vector(os, ex);
        state_io::put_vector(os, in);
        state_io::put_vector(os, flag);
        state_io::put_vector(os, id_);
    }
    void load_state(std::istream& is) override {
        const std::size_t n = slot_of_.size();
        m_.load_state(is);
        std::vector<double> ex, in;
        std::vector<std::uint8_t> flag;
        std::vector<std::uint32_t> active;
        state_io::get_exact(is, ex, n);
        state_io::get_exact(is, in, n);
        state_io::get_exact(is, flag, n);
        state_io::get_vector(is, active, n);
        // The list and the flags must agree (each listed neuron exists and is flagged, once):
        // advance() indexes by them.
        std::vector<std::uint8_t> seen(n, 0);
        for (const std::uint32_t i : active) {
            if (i >= n) throw io_error("checkpoint: an active neuron index does not match this network");
            if (flag[i] != 1 || seen[i]++) throw io_error("checkpoint: the active neurons and their flags disagree");
        }
        for (std::size_t i = 0; i < n; ++i)
            if (flag[i] != seen[i]) throw io_error("checkpoint: the active neurons and their flags disagree");
        clear_slots();
        tick_ = 0;  // the membrane records are as saved: a save before the next tick keeps them
        for (const std::uint32_t i : active) {
            join(i);
            ex_.back() = ex[i];
            in_.back() = in[i];
        }
    }

private:
    static constexpr std::uint32_t none = 0xffffffffU;
    static constexpr std::size_t ahead = 8;  // inputs between a slot's prefetch and its update
    using kernels = step_kernels<Synapses, Het>;  // the step loop (lif_step_kernels.hpp)
    using kernel_args = typename kernels::kernel_args;

    bool quiet(std::uint32_t j) const { return std::abs(ex_[j]) < tol_ && std::abs(in_[j]) < tol_; }

    /// Puts passive neuron i (brought to the current tick) into a new slot with zero synaptic variables.
    void join(std::uint32_t i) {
        slot_of_[i] = static_cast<std::uint32_t>(id_.size());
        id_.push_back(i);
        v_.push_back(m_.v(i));
        ex_.push_back(0.0);
        in_.push_back(0.0);
        bias_.push_back(base_bias_);
        set_bias(bias_.size() - 1, syn_.bias(i, m_));
        if constexpr (Synapses::clamp_in_loop)
            ref_end_.push_back(static_cast<double>(m_.ref_end(i)));
        else if (m_.ref_end(i) > tick_)
            ends_.emplace(m_.ref_end(i), i);  // refractory at the next step
        if constexpr (Het) th_.push_back(m_.v_th(i));
    }
    /// Slot j's V at tick t: while its neuron is refractory the slot's V runs free (the step loop
    /// does not test refractoriness) and the held V is the membrane record's (fire() and join()
    /// leave it there: the V_reset of the spike).
    static double slot_v_of(const membrane_t<Het>& m, std::uint32_t i, double v, tick_t t) { return m.refractory(i, t) ? m.v(i) : v; }
    double slot_v(const membrane_t<Het>& m, std::size_t j, tick_t t) const { return slot_v_of(m, id_[j], v_[j], t); }
    /// The membrane record of slot j's neuron as the per-neuron layout kept it at tick t: V and
    /// its update tick (t, or the end of the refractory period).
    void write_back(membrane_t<Het>& m, std::size_t j, tick_t t) const {
        const std::uint32_t i = id_[j];
        m.v(i) = slot_v(m, j, t);
        m.set_last(i, std::max(t, m.last(i)));
    }
    void leave(std::uint32_t i, tick_t t) {
        const std::uint32_t j = slot_of_[i];
        write_back(m_, j, t);
        const std::size_t last = id_.size() - 1;
        if (j != last) {
            id_[j] = id_[last];
            v_[j] = v_[last];
            ex_[j] = ex_[last];
            in_[j] = in_[last];
            set_bias(j, bias_[last]);
            if constexpr (Synapses::clamp_in_loop) ref_end_[j] = ref_end_[last];
            if constexpr (Het) th_[j] = th_[last];
            slot_of_[id_[j]] = j;
        }
        if constexpr (Het) th_.pop_back();
        set_bias(last, base_bias_);
        for (auto* a : {&v_, &ex_, &in_, &bias_}) a->pop_back();
        if constexpr (Synapses::clamp_in_loop) ref_end_.pop_back();
        id_.pop_back();
        slot_of_[i] = none;
        m_.schedule_crossing(i);
        dense_ = false;  // the last slot moved: slot j no longer holds neuron j
    }
    /// Every neuron is active: the slots are put in neuron order (slot j holds neuron j), so that
    /// the step loop can read the input sums, which are per neuron, at its slot index and add them
    /// itself (step_loop's `fused`). The slot order changes nothing else: each slot's arithmetic
    /// is its own, and the engine sorts a partition's spikes. Not for several constant sets
    /// (their scalar loop reads no sums). Costs one pass over the slots when a partition fills.
    void go_dense() {
        if constexpr (Het)
            if (syns_.size() > 1) return;
        const std::size_t n = id_.size();
        const auto permuted = [&](const slot_array& a) {
            slot_array out(n);
            for (std::size_t i = 0; i < n; ++i) out[i] = a[slot_of_[i]];
            return out;
        };
        v_ = permuted(v_);
        ex_ = permuted(ex_);
        in_ = permuted(in_);
        bias_ = permuted(bias_);  // the same values: odd_bias_ stays right
        if constexpr (Synapses::clamp_in_loop) ref_end_ = permuted(ref_end_);
        if constexpr (Het) th_ = permuted(th_);
        for (std::uint32_t i = 0; i < n; ++i) id_[i] = slot_of_[i] = i;
        dense_ = true;
    }
    void clear_slots() {
        dense_ = false;
        for (const std::uint32_t i : id_) slot_of_[i] = none;
        for (auto* a : {&v_, &ex_, &in_, &bias_, &ref_end_, &th_}) a->clear();
        ends_ = {};
        odd_bias_ = 0;
        id_.clear();
    }
    /// Sets slot j's bias, counting the slots whose bias is not base_bias_.
    void set_bias(std::size_t j, double b) {
        odd_bias_ -= bias_[j] != base_bias_;
        odd_bias_ += b != base_bias_;
        bias_[j] = b;
    }
    void fire_slot(std::size_t j, tick_t t, std::vector<std::uint32_t>& spikes) {
        m_.fire(id_[j], t);
        v_[j] = m_.v_reset(id_[j]);
        if constexpr (Synapses::clamp_in_loop) {
            ref_end_[j] = static_cast<double>(m_.ref_end(id_[j]));
        } else if (m_.ref_end(id_[j]) > t) {
            ends_.emplace(m_.ref_end(id_[j]), id_[j]);
            // The free V of the period is never read: NaN keeps it below threshold (no hits to
            // drop; a V stepped from V_reset crossed it in many ticks of COBA's periods).
            v_[j] = std::numeric_limits<double>::quiet_NaN();
        }
        spikes.push_back(id_[j]);
    }

    // One tick t for every slot, without branches, so that it vectorises: V is stepped, the
    // synaptic variables decay, and the slots that reached threshold or became quiescent are
    // listed in hits_ (hit_count_ of them, in slot order). With Synapses::clamp_in_loop the loop
    // keeps a refractory slot's V and does not let it spike; ticks compare as doubles there,
    // exact below 2^52; beyond (only a checkpoint placed there reaches it) the refractory test is
    // made exactly first and handed to the loop as +-inf. Otherwise refractoriness is not tested
    // in the loop (one array less per slot, decisions.md §39): a refractory slot's V runs free, every
    // reader takes the held V from the membrane record instead (slot_v), collect_events() drops
    // its threshold hits, and at the first tick after the period the held V goes back into the
    // slot before the step (end_refractory). The same values as a clamp in the loop.
    void step_slots(tick_t t, input_buffer* dense_in) {
        const std::size_t n = id_.size();
        double now = static_cast<double>(t);
        if constexpr (Synapses::clamp_in_loop) {
            constexpr tick_t exact_ticks = tick_t{1} << 52;
            if (t >= exact_ticks) {
                for (std::size_t j = 0; j < n; ++j)
                    ref_end_[j] = m_.refractory(id_[j], t) ? HUGE_VAL : -HUGE_VAL;
                now = 0.0;
            }
        } else {
            end_refractory(t);
        }
        if (hits_.size() < n) hits_.resize(n);
        if constexpr (Het) {
            if (syns_.size() > 1) {  // synaptic constants differ between neurons: per-neuron loop
                hit_count_ = step_per_neuron(now);
                return;
            }
        }
        kernel_args a{n,    v_.data(), ex_.data(), in_.data(), ref_end_.data(), bias_.data(), hits_.data(),
                      now,  m_.v_th(0), tol_,      base_bias_, odd_bias_ == 0,  Het ? th_.data() : nullptr};
        if (dense_in != nullptr) {  // dense_: slot j is neuron j, whose sums are at j
            a.add_ex = dense_in->sum[0].data();
            a.add_in = dense_in->sum[1].data();
        }
        // The widest vectors the processor has: the results are the same on each (IEEE adds,
        // multiplies, compares and selects, no contraction into fused multiply-adds; lif_cond_exp's
        // explicit std::fma is correctly rounded on every path), only the speed differs.
        // (The choice stays here, not in a function of lif_step_kernels.hpp: through one, GCC
        // inlined differently into advance().)
#if defined(__x86_64__)
        static const int isa = step_kernel_isa();
        if (isa == 2)
            hit_count_ = kernels::step_avx512(syn_, a);
        else if (isa == 1)
            hit_count_ = kernels::step_avx2(syn_, a);
        else
            hit_count_ = kernels::step_kernel(syn_, a);
#else
        hit_count_ = kernels::step_kernel(syn_, a);
#endif
    }
    /// Puts the held V back into the slots whose refractory period ended at t - 1. A neuron active
    /// at t - 1 is stepped at t (the group is advanced every tick while it has active neurons), so
    /// an older entry belongs to a neuron that left: it is dropped (as are the twins of a neuron
    /// that left and joined again within its period: the same V twice).
    void end_refractory(tick_t t) {
        while (!ends_.empty() && ends_.top().first < t) {
            const auto [end, i] = ends_.top();
            ends_.pop();
            const std::uint32_t j = slot_of_[i];
            if (end == t - 1 && j != none && m_.ref_end(i) == end) v_[j] = m_.v(i);
        }
    }
// The per-neuron loop (Het, several constant sets) does the step loop's arithmetic: no
// contraction either (as in lif_step_kernels.hpp).
#if !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#endif
    // Het: step_kernels::step_loop's body per slot with the neuron's own synaptic constants and
    // threshold. Not vectorised (a gather per slot); the cost is measured in decisions.md §29.
    [[gnu::noinline]] std::size_t step_per_neuron(double now) {
        const std::size_t n = id_.size();
        std::size_t hits = 0;
        for (std::size_t j = 0; j < n; ++j) {
            const std::uint32_t i = id_[j];
            const Synapses& syn = syns_[syn_of_[i]];
            const double v0 = v_[j];
            const double stepped = syn.step(v0, ex_[j], in_[j], bias_[j]);
            const double free = Synapses::clamp_in_loop ? (now > ref_end_[j] ? 1.0 : 0.0) : 1.0;
            v_[j] = Synapses::clamp_in_loop ? (now > ref_end_[j] ? stepped : v0) : stepped;
            const double e = ex_[j] * syn.p_ex, g = in_[j] * syn.p_in;
            ex_[j] = e;
            in_[j] = g;
            const double above = stepped >= m_.v_th(i) ? 1.0 : 0.0;
            const double quiet_ex = std::abs(e) < tol_ ? 2.0 : 0.0;
            const double quiet_in = std::abs(g) < tol_ ? 1.0 : 0.0;
            const double event = free * above + quiet_ex * quiet_in;
            if (event != 0.0) hits_[hits++] = static_cast<std::uint32_t>(j << 2) | static_cast<std::uint32_t>(event);
        }
        return hits;
    }
#if !defined(__clang__)
#pragma GCC pop_options
#endif
    // The hits of step_slots(), in slot order: the same spikes and leaving candidates, in the
    // same order, as the flag per slot of the loop before gave.
    void collect_events(tick_t t, std::vector<std::uint32_t>& spikes) {
        for (std::size_t k = 0; k < hit_count_; ++k) {
            const std::uint32_t h = hits_[k];
            const std::size_t j = h >> 2;
            if ((h & 1U) && !m_.refractory(id_[j], t)) fire_slot(j, t, spikes);  // a refractory slot's V was put back
            if (h & 2U) leaving_.push_back(id_[j]);  // step 4 confirms after this tick's input
        }
    }

    membrane_t<Het> m_;
    Synapses syn_;  // homogeneous: the partition's synaptic constants
    std::vector<std::uint32_t> slot_of_;  // per neuron: its slot, or none while passive
    // The slots, one per active neuron: its index, V, synaptic variables, bias and refractory end.
    std::vector<std::uint32_t> id_;
    slot_array v_, ex_, in_, bias_;
    slot_array ref_end_;  // with Synapses::clamp_in_loop: per slot, the last refractory tick
    // (last refractory tick, neuron) of the active neurons that spiked or joined while refractory,
    // earliest first: end_refractory() puts their held V back when the period ends.
    std::priority_queue<std::pair<tick_t, std::uint32_t>, std::vector<std::pair<tick_t, std::uint32_t>>, std::greater<>> ends_;
    std::vector<std::uint32_t> hits_;  // (slot << 2) | 1 spiked | 2 quiescent, from step_slots()
    std::size_t hit_count_ = 0;
    std::vector<std::uint32_t> due_;
    std::vector<std::uint32_t> leaving_;  // active neurons that may be quiet at the end of the tick
    std::vector<std::pair<std::uint32_t, double>> deferred_current_;  // (neuron, pA) of add_current, applied after the step
    double tol_;
    bool dense_ = false;  // every neuron active, slot j = neuron j: the step loop adds the input (go_dense)
    double base_bias_ = 0.0;    // the bias of a neuron without stimulus current
    std::size_t odd_bias_ = 0;  // slots whose bias differs from base_bias_ (a stimulus)
    tick_t tick_ = 0;  // the last tick advanced (for the checkpoint's write-back)
    slot_array th_;                       // Het: per slot, its neuron's threshold (the kernel's)
    std::vector<Synapses> syns_;          // Het: the distinct synaptic constant sets
    std::vector<std::uint32_t> syn_of_;   // Het: per neuron, its set in syns_
};

} // namespace memspike::lif
