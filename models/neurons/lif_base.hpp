// SPDX-License-Identifier: MIT
// What every leaky integrate-and-fire model here shares: the membrane between inputs, solved
// exactly and lazily, the refractory period, and self-scheduled threshold crossings.
//
// Between synaptic inputs (and with no synaptic current or conductance left) the membrane obeys
//     tau_m dV/dt = -(V - E_L) + tau_m (I_e + I_stim) / C_m,
// whose exact solution over k ticks of width h is
//     V(t + k h) = V_inf + (V(t) - V_inf) exp(-k h / tau_m),   V_inf = E_L + tau_m (I_e + I_stim) / C_m.
// A neuron is brought forward only when something reaches it, with exp(-k h / tau_m) read from a
// table (no exp in the hot path). When V_inf > V_th the neuron would cross threshold on its own:
// the first tick k with V(t + k h) >= V_th is computed with the same table, and the neuron is put on
// a wake-up heap for that tick (DESIGN.md §2).
//
// Hybrid update (issue 13, docs/decisions.md §21, §23): a neuron that would cross on its own and
// keeps getting input is not re-predicted and re-pushed on the heap at every input. Input moves it
// onto the partition's grid instead, with a cheap lower bound on its crossing tick (no log: the
// membrane rises at most linearly, at its initial slope). It is tested with the lazy update's own
// expression at that tick (so it fires at exactly the tick the heap would have woken it), and a
// test that finds it below threshold sets a new bound. The bounds lie in one dense array with a
// minimum per block of eight, and a tick reads the minima: a grid neuron costs well under one
// compare a tick until its bound is due.
// A grid neuron goes back to one exact heap entry when tested after `grid_quiet_ticks` ticks
// without input. Quiet neurons (no input) stay lazy and cost nothing per tick.
//
// Refractoriness follows NEST's iaf_psc_* models: a neuron spiking at tick s is clamped to V_reset
// for the ticks s+1 .. s+n_ref (n_ref = t_ref / h) and integrates again from tick s+n_ref on, so the
// voltage at tick s+n_ref+k is V_inf + (V_reset - V_inf) exp(-k h / tau_m).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <queue>
#include <span>
#include <vector>

#include "memspike/core/errors.hpp"
#include "memspike/core/model.hpp"
#include "memspike/core/random.hpp"
#include "memspike/core/state_io.hpp"
#include "memspike/models/decay_table.hpp"

namespace memspike::lif {

inline constexpr tick_t never = std::numeric_limits<tick_t>::max();
/// `wake` of a neuron on the grid: tested from its lower bound on, no heap entry of its own.
inline constexpr tick_t on_grid = never - 1;
/// A grid neuron tested this many ticks after its last input (or spike) returns to the heap, so a
/// partition whose inputs stop stops scanning its grid.
inline constexpr tick_t grid_quiet_ticks = 64;
/// Bounds compared per block by the grid sweep (one branch per block).
inline constexpr std::size_t grid_block = 8;
/// apply_plain_input()'s grid loop runs while a spike's refractory end lies below this tick: base + K of a
/// crossing bound stays an exact double.
inline constexpr tick_t grid_tick_limit = tick_t{1} << 52;

using memspike::decay_table;

/// The parameters every LIF model has, in internal units.
struct membrane_params {
    double tau_m_ms = 10.0;
    double c_m_pf = 250.0;
    double e_l_mv = -70.0;
    double v_th_mv = -55.0;
    double v_reset_mv = -70.0;
    double t_ref_ms = 2.0;
    double i_e_pa = 0.0;
};

/// The membrane parameters of every neuron of a partition, for a population with per-neuron
/// values (population_spec::per_neuron): one column per parameter.
struct membrane_columns {
    std::vector<double> tau_m_ms, c_m_pf, e_l_mv, v_th_mv, v_reset_mv, t_ref_ms, i_e_pa;
};

/// The param_info rows of membrane_params, with NEST's iaf_psc_delta defaults.
std::vector<param_info> membrane_param_table();
/// Reads membrane_params from a completed param_map (tau_m is derived by COBA models from c_m/g_l).
membrane_params read_membrane(const param_map& p);
/// The partition's membrane columns (neuron_values()); tau_m is left empty for the caller when
/// the model has no tau_m parameter (COBA: c_m / g_l).
membrane_columns read_membrane_columns(const group_context& ctx);
/// Whether any of `names` is given per neuron in the partition's population.
bool any_per_neuron(const group_context& ctx, std::initializer_list<const char*> names);
/// Checks the rules shared by all LIF models; throws invalid_parameter naming `model`.
void validate_membrane(const std::string& model, const param_map& p);

/// The resource estimate's spike bound for a membrane (model_info::spikes): at most one spike per
/// refractory period (per tick when t_ref is shorter).
spike_bound membrane_spikes(const population_spec& pop, double duration_ms, double resolution_ms);
/// The resource estimate's bytes per neuron of per-neuron membrane constants (0 for a population
/// without per-neuron parameters).
double membrane_constant_bytes(const population_spec& pop);

/// Lazy membrane state of one partition, with refractoriness and the wake-up heap.
///
/// Het = false: one parameter set for the partition (the code path of a homogeneous population,
/// unchanged by per-neuron parameters). Het = true: a record of constants per neuron and one
/// decay table per distinct tau_m, each neuron's lazy solution, crossing prediction and grid bound
/// computed with its own constants (docs/decisions.md §29).
template <bool Het>
class membrane_t {
public:
    membrane_t() = default;
    /// Homogeneous (Het = false) and per-neuron (Het = true) constructors. Each exists only as the
    /// explicit specialization declared below the class (lif_base.cpp defines them); the other
    /// combination is declared but never defined, so using it fails at link time. Not written with
    /// requires-clauses: clang 14 (the fuzz and sanitizer builds) cannot match their out-of-line
    /// explicit specializations.
    membrane_t(const membrane_params& p, double resolution_ms, std::size_t n);
    membrane_t(const membrane_columns& c, double resolution_ms);

    std::size_t size() const { return s_.size(); }
    double v_th(std::uint32_t i) const {
        if constexpr (Het) return c_[i].v_th; else return p_.v_th_mv;
    }
    double v_reset(std::uint32_t i) const {
        if constexpr (Het) return c_[i].v_reset; else return p_.v_reset_mv;
    }
    tick_t refractory_ticks(std::uint32_t i) const {
        if constexpr (Het) return c_[i].n_ref; else return n_ref_;
    }
    /// Bias plus stimulus current [pA].
    double current(std::uint32_t i) const {
        if constexpr (Het) return c_[i].i_e + stim(i); else return p_.i_e_pa + stim(i);
    }
    double v_inf(std::uint32_t i) const {
        if constexpr (Het) return c_[i].e_l + (c_[i].i_e + stim(i)) * c_[i].r;
        else return stim_.empty() ? v_inf0_ : p_.e_l_mv + (p_.i_e_pa + stim_[i]) * r_;
    }
    /// The stimulus current [pA] of neuron i (0 until a stimulus reaches the partition).
    double stim(std::uint32_t i) const { return stim_.empty() ? 0.0 : stim_[i]; }
    /// exp(-k h / tau_m) of neuron i.
    double decay(std::uint32_t i, tick_t k) const {
        if constexpr (Het) return tables_[c_[i].table](k); else return decay_(k);
    }
    /// h / tau_m of neuron i.
    double rate(std::uint32_t i) const {
        if constexpr (Het) return tables_[c_[i].table].rate(); else return decay_.rate();
    }
    /// exp(-h / tau_m): the one-tick membrane propagator.
    double p22(std::uint32_t i) const { return decay(i, 1); }

    /// True while tick t lies in the refractory period that follows the neuron's last spike.
    bool refractory(std::uint32_t i, tick_t t) const { return t <= s_[i].ref_end; }
    /// The last refractory tick of the neuron's last spike (-1 before any).
    tick_t ref_end(std::uint32_t i) const { return s_[i].ref_end; }

    /// V at tick t (>= the neuron's last update) without storing it.
    double peek(std::uint32_t i, tick_t t) const {
        if (t <= s_[i].last) return s_[i].v;
        return v_inf(i) + (s_[i].v - v_inf(i)) * decay(i, t - s_[i].last);
    }
    /// Brings the stored V forward to tick t (no-op while refractory: V stays V_reset).
    double bring_to(std::uint32_t i, tick_t t) {
        if (t > s_[i].last) {
            s_[i].v = peek(i, t);
            s_[i].last = t;
        }
        return s_[i].v;
    }
    /// Asks for neuron i's record (and grid bound) ahead of its update: an input loop calls it
    /// some inputs ahead, so that the misses overlap the branches of the inputs in between.
    void prefetch(std::uint32_t i) const {
        __builtin_prefetch(&s_[i]);
        if (!lb_.empty()) __builtin_prefetch(&lb_[i]);
    }
    double& v(std::uint32_t i) { return s_[i].v; }
    double v(std::uint32_t i) const { return s_[i].v; }
    tick_t last(std::uint32_t i) const { return s_[i].last; }
    void set_last(std::uint32_t i, tick_t t) { s_[i].last = t; }
    /// Changes neuron i's stimulus current without bringing it forward: for a neuron whose V is
    /// already at the current tick (stepped by its group).
    void shift_current(std::uint32_t i, double delta_pa) {
        if (stim_.empty()) stim_.assign(s_.size(), 0.0);
        stim_[i] += delta_pa;
    }

    /// Emits a spike at tick t: V = V_reset, refractory until t + n_ref. A grid neuron stays on
    /// the grid (it is tested every tick, and V_reset < V_th keeps it from firing while refractory).
    void fire(std::uint32_t i, tick_t t) {
        s_[i].v = v_reset(i);
        s_[i].last = t + refractory_ticks(i);
        s_[i].ref_end = t + refractory_ticks(i);
        if (s_[i].wake != on_grid) s_[i].wake = never;
    }

    /// Recomputes the neuron's self-scheduled threshold crossing from its stored state (valid only
    /// while it has no synaptic current: callers guarantee that) and pushes it on the heap. A grid
    /// neuron needs none: the grid test finds the same tick.
    void schedule_crossing(std::uint32_t i) {
        if (s_[i].wake == on_grid) return;
        // Fast path, taken by almost every update in a fluctuation-driven network: below
        // threshold and relaxing towards a subthreshold V_inf, the neuron never fires on its own.
        if (s_[i].v < v_th(i) && v_inf(i) <= v_th(i)) {
            s_[i].wake = never;
            return;
        }
        schedule_crossing_slow(i);
    }
    /// After input at the neuron's current tick: a neuron that can cross on its own goes on the grid
    /// (its heap entry, if any, becomes stale) with a new lower bound on its crossing instead of
    /// being re-predicted; one that cannot has nothing scheduled. Same spikes as schedule_crossing
    /// (decisions.md §21, §23).
    /// `rose`: whether the input could have raised V (a sum > 0); if not, a grid neuron keeps its
    /// bound, which still holds for the lower trajectory.
    void track(std::uint32_t i, bool rose = true) {
        // The fast path first, exactly as schedule_crossing's (Brunel's neurons take only this).
        if (s_[i].v < v_th(i) && v_inf(i) <= v_th(i)) {
            if (s_[i].wake == on_grid) leave_grid(i);
            s_[i].wake = never;
            return;
        }
        if (s_[i].wake != on_grid) {
            if (lb_.empty()) open_grid();
            s_[i].wake = on_grid;
            ++grid_count_;
        } else if (!rose) {
            return;
        }
        set_bound(i, crossing_bound(i, s_[i].last, s_[i].v, v_inf(i)));
    }
    /// Cancels a scheduled crossing (the heap entry becomes stale). Not for grid neurons: the
    /// models that cancel (lif_active.hpp) never put a neuron on the grid.
    void cancel_crossing(std::uint32_t i) { s_[i].wake = never; }
    /// Pops the crossings due at tick t into `due` (stale entries dropped).
    void pop_due(tick_t t, std::vector<std::uint32_t>& due);
    /// The next tick after `now` at which a crossing may be due: now + 1 while the grid is not empty.
    tick_t next_wake(tick_t now) const;
    /// Fires the grid neurons at or above threshold and the self-scheduled crossings due at tick t
    /// (appending to `spikes`), reschedules the latter and returns grid neurons quiet for
    /// grid_quiet_ticks to the heap; `scratch` is reused storage.
    void fire_due(tick_t t, std::vector<std::uint32_t>& scratch, std::vector<std::uint32_t>& spikes) {
        if (grid_count_ != 0) sweep_grid(t, spikes);
        if (heap_.empty() || heap_.top().first > t) return;
        scratch.clear();
        pop_due(t, scratch);
        for (const std::uint32_t i : scratch) {
            if (bring_to(i, t) >= v_th(i) && !refractory(i, t)) {
                fire(i, t);
                spikes.push_back(i);
            }
            schedule_crossing(i);
        }
    }
    std::size_t grid_size() const { return grid_count_; }

    /// Which of lif_delta's loops over locals (apply_plain_input) may take the input of tick t.
    /// `grid`: one parameter set, no stimulus current, V_inf above threshold (every input puts its
    /// neuron on the grid: bench4), the ticks and time constant in the ranges its shortcuts
    /// assume; `quiet`: the same without stimulus, V_inf at or below threshold and nobody on the
    /// grid (Brunel: every input takes track()'s fast path); `none`: lif_delta's general loop.
    enum class plain_loop { none, quiet, grid };
    plain_loop plain_input(tick_t t) const {
        if constexpr (Het) {
            return plain_loop::none;
        } else {
            if (!stim_.empty()) return plain_loop::none;
            if (!(v_inf0_ > p_.v_th_mv)) return grid_count_ == 0 ? plain_loop::quiet : plain_loop::none;
            const bool in_range = t >= 0 && t < grid_tick_limit && n_ref_ < grid_tick_limit - t && decay_.rate() > 1e-12;
            return in_range ? plain_loop::grid : plain_loop::none;
        }
    }
    /// Applies a tick's delta-synapse input (lif_delta) to the neurons `in` lists, as lif_delta's
    /// general loop does (refractory input dropped, bring_to, V += sum, threshold, track), with
    /// the same arithmetic, for a partition where plain_input(t) == `loop` (not `none`): one loop
    /// with every array and constant in a local (docs/decisions.md §41). Clears the sums and flags it
    /// reads; the caller clears the touched list, as after its general loop.
    void apply_plain_input(plain_loop loop, tick_t t, input_buffer& in, std::vector<std::uint32_t>& spikes);

    /// Adds delta_pa to the stimulus current from tick t on (the interval (t, t+1] uses it).
    /// `passive` tells whether the neuron has no synaptic current (so its crossing can be predicted).
    void add_current(std::uint32_t i, tick_t t, double delta_pa, bool passive);

    std::size_t memory_bytes() const;

    void save_state(std::ostream& os) const;
    void load_state(std::istream& is);

private:
    void schedule_crossing_slow(std::uint32_t i);
    void sweep_grid(tick_t t, std::vector<std::uint32_t>& spikes);
    void test_grid(std::uint32_t i, tick_t t, std::vector<std::uint32_t>& spikes);
    template <bool Grid>
    void plain_input_loop(tick_t t, input_buffer& in, std::vector<std::uint32_t>& spikes);
    [[gnu::cold, gnu::noinline]] void apply_input_general(std::uint32_t i, tick_t t, double w, std::vector<std::uint32_t>& spikes);
    void open_grid();  // allocates the bounds on first use: models that never call track() need none
    void leave_grid(std::uint32_t i) {
        lb_[i] = std::numeric_limits<double>::infinity();  // the block's minimum may stay low: it only is a bound
        --grid_count_;
    }
    void set_bound(std::uint32_t i, double tick) {
        lb_[i] = tick;
        double& m = block_min_[i / grid_block];
        m = tick < m ? tick : m;
    }
    // The lazy update gives V(base + k) = vi + (v0 - vi) e^{-k h / tau_m}, concave in k, so it
    // lies below its tangent at k = 0: V(base + k) <= v0 + (vi - v0) k h / tau_m, and no tick
    // before K = (V_th - v0) / ((vi - v0) h / tau_m) can reach threshold. The margin `slack`
    // (1e-9 of the voltages' size, some 10^5 times the rounding of the table lookups and of the
    // tested expression) keeps the bound below every tick at which the *computed* value reaches
    // V_th. Where vi <= V_th (a bias that dropped while on the grid) or V >= V_th (a restored
    // checkpoint's refractory neuron) the neuron is tested every tick, as before. Inline and
    // without std::floor (a library call on baseline x86-64): it runs at every rising input.
    // With per-neuron parameters, V_th and tau_m are neuron i's: the bound is the same argument
    // for each neuron's own trajectory.
    /// A tick (as a double, exact) after `base` and at or before the first tick at which the lazy
    /// update from V = v0 at `base` towards vi can reach threshold.
    double crossing_bound(std::uint32_t i, tick_t base, double v0, double vi) const {
        constexpr double exact_ticks = 4503599627370496.0;  // 2^52: base + K stays an exact double
        const double th = v_th(i);
        const double b = static_cast<double>(base);
        if (!(vi > th) || !(v0 < th) || !(b < exact_ticks)) return b + 1.0;
        const double slack = 1e-9 * (std::abs(th) + std::abs(vi) + std::abs(v0));
        const double k = (th - slack - v0) / ((vi - v0) * rate(i));
        // k < 1 (V at or near V_th): test at the next tick. Truncation is floor for k >= 1.
        if (!(k >= 1.0)) return b + 1.0;
        return b + (k < exact_ticks ? static_cast<double>(static_cast<std::int64_t>(k)) : exact_ticks);
    }
    using wake_entry = std::pair<tick_t, std::uint32_t>;
    membrane_params p_;
    double r_ = 0.0;       // tau_m / C_m [mV / pA]
    tick_t n_ref_ = 0;
    decay_table decay_;
    /// Het: one neuron's constants (56 bytes), and the decay tables they index (one per distinct
    /// tau_m; beyond max_full_tables distinct values, tables without entries: std::exp per lookup,
    /// the same values a full table would hold).
    struct neuron_constants {
        double v_th, v_reset, e_l, i_e, r;  // r = tau_m / C_m [mV / pA]
        tick_t n_ref;
        std::uint32_t table;
    };
    std::vector<neuron_constants> c_;
    std::vector<decay_table> tables_;
    /// One neuron's state in one 32-byte record, aligned: an update touches a single cache line
    /// (measured faster than five separate arrays on Brunel's network). The stimulus current,
    /// which only V_inf reads, lives beside it (stim_): a 40-byte record straddled two lines at
    /// every other neuron (decisions.md §41).
    struct alignas(32) neuron_state {
        double v;        // membrane potential at tick `last` [mV]
        tick_t last;     // tick at which v holds
        tick_t ref_end;  // last refractory tick
        tick_t wake;     // predicted crossing tick, never, or on_grid
    };
    std::vector<neuron_state> s_;
    std::vector<double> stim_;  // DC / step stimulus current [pA]; empty until a stimulus reaches the partition
    double v_inf0_ = 0.0;       // V_inf without stimulus: E_L + (I_e + 0.0) tau_m / C_m, v_inf()'s expression
    // Per neuron: the tick from which its grid test is due (+inf off the grid; -inf: due at the
    // next sweep), padded with +inf to whole blocks of the sweep; empty until the grid is used. Doubles, so the scan is a
    // packed compare on any x86-64 (integer 64-bit compares need SSE4.2).
    std::vector<double> lb_;
    // Per block of grid_block bounds: at most their minimum (lowered by set_bound, made exact when
    // the sweep visits the block), so that a sweep reads one value per block; padded with +inf.
    std::vector<double> block_min_;
    std::size_t grid_count_ = 0;  // neurons whose wake is on_grid
    std::priority_queue<wake_entry, std::vector<wake_entry>, std::greater<>> heap_;
};

template <>
membrane_t<false>::membrane_t(const membrane_params& p, double resolution_ms, std::size_t n);
template <>
membrane_t<true>::membrane_t(const membrane_columns& c, double resolution_ms);

using membrane = membrane_t<false>;
using membrane_het = membrane_t<true>;

/// Saves / restores a (tick, index) min-heap as it is.
template <class Heap>
void save_heap(std::ostream& os, const Heap& heap) {
    auto copy = heap;
    const auto& c = state_io::container_of(copy);
    std::vector<tick_t> ticks;
    std::vector<std::uint32_t> ids;
    for (const auto& [t, i] : c) {
        ticks.push_back(t);
        ids.push_back(i);
    }
    state_io::put_vector(os, ticks);
    state_io::put_vector(os, ids);
}

template <class Heap>
void load_heap(std::istream& is, Heap& heap, std::uint32_t max_id) {
    std::vector<tick_t> ticks;
    std::vector<std::uint32_t> ids;
    state_io::get_vector(is, ticks);
    state_io::get_exact(is, ids, ticks.size());
    auto& c = state_io::container_of(heap);
    c.clear();
    for (std::size_t k = 0; k < ticks.size(); ++k) {
        if (ids[k] >= max_id) throw io_error("checkpoint: a neuron index does not match this network");
        c.emplace_back(ticks[k], ids[k]);  // stored in heap order
    }
    // A damaged order would not crash, but the heap would hand out wake-ups late or never (wrong
    // spikes); the caller undoes the partial load.
    if (!std::is_heap(c.begin(), c.end(), typename Heap::value_compare{}))
        throw io_error("checkpoint: the pending wake-ups are not in heap order");
}

/// The initial value of state variable `var` for every neuron of the partition: this partition's
/// slice of the population's per-neuron `init` values, or draws from its `init` distribution
/// (stream keyed by seed, population, variable and neuron: the same values whatever the partition
/// cut or thread count), or `fallback` when the variable is not listed. Every model uses this one
/// (docs/models.md).
std::vector<double> initial_values(const group_context& ctx, const std::string& var, double fallback);

} // namespace memspike::lif
