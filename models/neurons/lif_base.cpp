// SPDX-License-Identifier: MIT
#include "neurons/lif_base.hpp"

#include <algorithm>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <bit>
#include <map>
#include <string>

#include "memspike/core/units.hpp"

namespace memspike::lif {

std::vector<param_info> membrane_param_table() {
    return {
        {"tau_m", dimension::time, 10.0, "membrane time constant"},
        {"c_m", dimension::capacitance, 250.0, "membrane capacitance"},
        {"e_l", dimension::voltage, -70.0, "resting (leak reversal) potential"},
        {"v_th", dimension::voltage, -55.0, "spike threshold"},
        {"v_reset", dimension::voltage, -70.0, "reset potential"},
        {"t_ref", dimension::time, 2.0, "absolute refractory period"},
        {"i_e", dimension::current, 0.0, "constant bias current"},
    };
}

membrane_params read_membrane(const param_map& p) {
    membrane_params m;
    m.tau_m_ms = p.at("tau_m");
    m.c_m_pf = p.at("c_m");
    m.e_l_mv = p.at("e_l");
    m.v_th_mv = p.at("v_th");
    m.v_reset_mv = p.at("v_reset");
    m.t_ref_ms = p.at("t_ref");
    m.i_e_pa = p.at("i_e");
    return m;
}

membrane_columns read_membrane_columns(const group_context& ctx) {
    membrane_columns c;
    if (ctx.spec.params.count("tau_m")) c.tau_m_ms = neuron_values(ctx, "tau_m");
    c.c_m_pf = neuron_values(ctx, "c_m");
    c.e_l_mv = neuron_values(ctx, "e_l");
    c.v_th_mv = neuron_values(ctx, "v_th");
    c.v_reset_mv = neuron_values(ctx, "v_reset");
    c.t_ref_ms = neuron_values(ctx, "t_ref");
    c.i_e_pa = neuron_values(ctx, "i_e");
    return c;
}

bool any_per_neuron(const group_context& ctx, std::initializer_list<const char*> names) {
    for (const char* n : names)
        if (ctx.spec.per_neuron.count(n)) return true;
    return false;
}

spike_bound membrane_spikes(const population_spec& pop, double duration_ms, double resolution_ms) {
    double t_ref = pop.params.count("t_ref") ? pop.params.at("t_ref") : 0.0;
    // Per-neuron t_ref: the shortest given, the lower end of a distribution (0 when unbounded).
    if (const auto it = pop.per_neuron.find("t_ref"); it != pop.per_neuron.end()) {
        const per_neuron_param& pn = it->second;
        if (!pn.drawn()) t_ref = *std::min_element(pn.values.begin(), pn.values.end());
        else if (pn.dist.k == distribution::kind::uniform) t_ref = pn.dist.low;
        else t_ref = std::isfinite(pn.dist.min) ? pn.dist.min : 0.0;
    }
    return {duration_ms / std::max(t_ref, resolution_ms), false};
}

double membrane_constant_bytes(const population_spec& pop) {
    // A record of constants (56 bytes) per neuron, and a decay table (32 bytes without entries)
    // per distinct membrane time constant when it may vary (at most 8 full tables of 32 KiB per
    // partition are left out, as the wake heap's slack is).
    if (pop.per_neuron.empty()) return 0.0;
    const bool tau = pop.per_neuron.count("tau_m") || pop.per_neuron.count("c_m") || pop.per_neuron.count("g_l");
    return 56.0 + (tau ? 32.0 : 0.0);
}

void validate_membrane(const std::string& model, const param_map& p) {
    if (p.count("tau_m")) require_positive(model, p, "tau_m", dimension::time);
    require_positive(model, p, "c_m", dimension::capacitance);
    for (const char* n : {"e_l", "v_th", "v_reset"}) require_finite(model, p, n, dimension::voltage);
    require_finite(model, p, "i_e", dimension::current);
    require_non_negative(model, p, "t_ref", dimension::time);
    if (p.at("v_reset") >= p.at("v_th"))
        throw invalid_parameter(model, "v_reset", format_quantity(p.at("v_reset"), dimension::voltage),
                                "must be < v_th = " + format_quantity(p.at("v_th"), dimension::voltage));
}

template <>
membrane_t<false>::membrane_t(const membrane_params& p, double resolution_ms, std::size_t n)
    : p_(p), r_(p.tau_m_ms / p.c_m_pf), n_ref_(static_cast<tick_t>(std::llround(p.t_ref_ms / resolution_ms))),
      decay_(resolution_ms / p.tau_m_ms), s_(n, neuron_state{p.e_l_mv, 0, -1, never}) {
    v_inf0_ = p_.e_l_mv + (p_.i_e_pa + 0.0) * r_;
    if (std::abs(static_cast<double>(n_ref_) * resolution_ms - p.t_ref_ms) > 1e-9 * std::max(1.0, p.t_ref_ms))
        throw invalid_parameter("lif", "t_ref", format_quantity(p.t_ref_ms, dimension::time),
                                "must be a whole number of ticks of " + format_quantity(resolution_ms, dimension::time));
}

namespace {
// Distinct tau_m values up to which each gets a full decay table (32 KiB each); beyond, tables
// hold no entries and every lookup is std::exp of the same expression (the same values).
constexpr std::size_t max_full_tables = 8;
}  // namespace

// Each neuron's constants computed with the very expressions of the homogeneous constructor, so
// a neuron with the same values as a homogeneous population's follows the same trajectory.
template <>
membrane_t<true>::membrane_t(const membrane_columns& c, double resolution_ms) {
    const std::size_t n = c.v_th_mv.size();
    std::map<double, std::uint32_t> table_of;
    for (const double tau : c.tau_m_ms) table_of.emplace(tau, 0);
    const std::size_t entries = table_of.size() <= max_full_tables ? 4096 : 0;
    for (auto& [tau, index] : table_of) {
        index = static_cast<std::uint32_t>(tables_.size());
        tables_.emplace_back(resolution_ms / tau, entries);
    }
    c_.resize(n);
    s_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto n_ref = static_cast<tick_t>(std::llround(c.t_ref_ms[i] / resolution_ms));
        if (std::abs(static_cast<double>(n_ref) * resolution_ms - c.t_ref_ms[i]) > 1e-9 * std::max(1.0, c.t_ref_ms[i]))
            throw invalid_parameter("lif", "t_ref", format_quantity(c.t_ref_ms[i], dimension::time),
                                    "must be a whole number of ticks of " + format_quantity(resolution_ms, dimension::time) +
                                        " (a neuron's per-neuron value)");
        c_[i] = {c.v_th_mv[i], c.v_reset_mv[i], c.e_l_mv[i], c.i_e_pa[i], c.tau_m_ms[i] / c.c_m_pf[i], n_ref,
                 table_of.at(c.tau_m_ms[i])};
        s_[i] = neuron_state{c.e_l_mv[i], 0, -1, never};
    }
}

template <bool Het>
void membrane_t<Het>::schedule_crossing_slow(std::uint32_t i) {
    const double th = v_th(i);
    const double v0 = s_[i].v;
    if (v0 >= th) {  // already at or above threshold (e.g. initialised there): due now
        s_[i].wake = s_[i].last;
        heap_.emplace(s_[i].wake, i);
        return;
    }
    const double vi = v_inf(i);
    if (!(vi > th)) {
        s_[i].wake = never;
        return;
    }
    auto value = [&](tick_t k) { return vi + (v0 - vi) * decay(i, k); };
    const double ratio = (th - vi) / (v0 - vi);  // in (0, 1)
    const double kf = std::ceil(-std::log(ratio) / rate(i));
    tick_t k = std::max<tick_t>(1, kf < 9e18 ? static_cast<tick_t>(kf) : never / 2);
    // The closed form can be off by one tick in floating point: settle on the first tick at which
    // the very expression used by the lazy update reaches threshold.
    while (value(k) < th) ++k;
    while (k > 1 && value(k - 1) >= th) --k;
    s_[i].wake = s_[i].last + k;
    heap_.emplace(s_[i].wake, i);
}

template <bool Het>
void membrane_t<Het>::pop_due(tick_t t, std::vector<std::uint32_t>& due) {
    while (!heap_.empty() && heap_.top().first <= t) {
        const auto [tick, i] = heap_.top();
        heap_.pop();
        if (s_[i].wake != tick) continue;  // stale: the neuron was rescheduled or fired meanwhile
        s_[i].wake = never;
        due.push_back(i);
    }
}

template <bool Het>
void membrane_t<Het>::open_grid() {
    const std::size_t blocks = (s_.size() + grid_block - 1) / grid_block;
    lb_.assign(blocks * grid_block, std::numeric_limits<double>::infinity());
    block_min_.assign((blocks + grid_block - 1) / grid_block * grid_block, std::numeric_limits<double>::infinity());
}

template <bool Het>
tick_t membrane_t<Het>::next_wake(tick_t now) const {
    if (grid_count_ != 0) return now + 1;
    return heap_.empty() ? never : heap_.top().first;
}

// Visits the blocks whose minimum bound is due at tick t, reading the minima eight at a time (a
// packed compare and one branch; ~4,000 grid neurons cost ~60 such reads a tick), tests each
// neuron of such a block whose bound is due with test_grid(), and sets the block's minimum anew.
template <bool Het>
void membrane_t<Het>::sweep_grid(tick_t t, std::vector<std::uint32_t>& spikes) {
    const double now = static_cast<double>(t);  // may round for t >= 2^53: bounds there are base + 1 <= t
    const double* bm = block_min_.data();
#if defined(__SSE2__)
    // Eight values compared at once, their results as the bits of a mask: the due blocks of a
    // group, then the due neurons of a block, are visited by their set bits, without a branch
    // per value (bench4: ~4 blocks visited a tick, most of them without a due neuron, their
    // minimum having been lowered by a bound that a later input raised).
    const __m128d nowv = _mm_set1_pd(now);
    const auto due_mask = [nowv](const double* x) {
        return static_cast<unsigned>(_mm_movemask_pd(_mm_cmple_pd(_mm_loadu_pd(x), nowv))) |
               static_cast<unsigned>(_mm_movemask_pd(_mm_cmple_pd(_mm_loadu_pd(x + 2), nowv))) << 2 |
               static_cast<unsigned>(_mm_movemask_pd(_mm_cmple_pd(_mm_loadu_pd(x + 4), nowv))) << 4 |
               static_cast<unsigned>(_mm_movemask_pd(_mm_cmple_pd(_mm_loadu_pd(x + 6), nowv))) << 6;
    };
    static_assert(grid_block == 8);
    for (std::size_t c = 0; c < block_min_.size(); c += grid_block) {
        const __m128d d01 = _mm_or_pd(_mm_cmple_pd(_mm_loadu_pd(bm + c), nowv), _mm_cmple_pd(_mm_loadu_pd(bm + c + 2), nowv));
        const __m128d d23 = _mm_or_pd(_mm_cmple_pd(_mm_loadu_pd(bm + c + 4), nowv), _mm_cmple_pd(_mm_loadu_pd(bm + c + 6), nowv));
        if (_mm_movemask_pd(_mm_or_pd(d01, d23)) == 0) continue;
        for (unsigned blocks = due_mask(bm + c); blocks != 0; blocks &= blocks - 1) {
            const std::size_t b = c + static_cast<std::size_t>(__builtin_ctz(blocks));
            const double* lb = lb_.data() + b * grid_block;
            // test_grid() changes only its own neuron's bound: the mask taken first is the one
            // the tests in index order would see.
            for (unsigned due = due_mask(lb); due != 0; due &= due - 1)
                test_grid(static_cast<std::uint32_t>(b * grid_block + static_cast<std::size_t>(__builtin_ctz(due))), t, spikes);
            const __m128d m = _mm_min_pd(_mm_min_pd(_mm_loadu_pd(lb), _mm_loadu_pd(lb + 2)),
                                         _mm_min_pd(_mm_loadu_pd(lb + 4), _mm_loadu_pd(lb + 6)));
            block_min_[b] = std::min(_mm_cvtsd_f64(m), _mm_cvtsd_f64(_mm_unpackhi_pd(m, m)));  // no NaN among bounds
        }
    }
#else
    for (std::size_t c = 0; c < block_min_.size(); c += grid_block) {
        unsigned due = 0;  // bitwise: no branch per block
        for (std::size_t k = 0; k < grid_block; ++k) due |= static_cast<unsigned>(bm[c + k] <= now);
        if (due == 0) continue;
        for (std::size_t b = c; b < c + grid_block; ++b) {
            if (!(bm[b] <= now)) continue;
            double* lb = lb_.data() + b * grid_block;
            double m = std::numeric_limits<double>::infinity();
            for (std::size_t k = 0; k < grid_block; ++k) {
                if (lb[k] <= now) test_grid(static_cast<std::uint32_t>(b * grid_block + k), t, spikes);
                m = lb[k] < m ? lb[k] : m;
            }
            block_min_[b] = m;
        }
    }
#endif
}

// Tests grid neuron i at tick t with peek()'s expression, the one bring_to() and the crossing
// prediction use, so a grid neuron fires at the very tick its heap entry would have been due.
// A neuron brought to t already (a stimulus change at t, which may leave V >= V_th exactly as a
// crossing due at t) is tested on its stored V. Below threshold it gets a new bound from V at t;
// after grid_quiet_ticks without input it returns to the heap instead: its exact crossing lies
// after t, since no tick since its last update could reach threshold (the bounds say so).
template <bool Het>
void membrane_t<Het>::test_grid(std::uint32_t i, tick_t t, std::vector<std::uint32_t>& spikes) {
    neuron_state& n = s_[i];
    if (t <= n.ref_end) {  // refractory: V stays V_reset until ref_end (= last)
        set_bound(i, crossing_bound(i, n.last, n.v, v_inf(i)));
        return;
    }
    // last >= ref_end always, so t >= last here
    const double vi = v_inf(i);
    const double vt = t > n.last ? vi + (n.v - vi) * decay(i, t - n.last) : n.v;
    if (vt >= v_th(i)) {
        bring_to(i, t);
        fire(i, t);
        spikes.push_back(i);
        set_bound(i, crossing_bound(i, n.last, n.v, vi));
    } else if (t - n.last >= grid_quiet_ticks) {
        leave_grid(i);
        n.wake = never;
        schedule_crossing(i);
    } else {
        set_bound(i, crossing_bound(i, t, vt, vi));
    }
}

// lif_delta's input loops for a partition without stimulus (bench4: ~6 ns per input before,
// instruction-bound, and half of bench4's run). Every pointer and constant sits in a local: the
// char store to the input flags may alias every member, and with members GCC reloaded them after
// it at each input. The operations per neuron are those of lif_delta's general loop and of the
// functions it calls, in their order, so values and bounds are the same to the bit. What
// plain_input() guarantees lets some tests go. Grid: V_inf > V_th, so track() never takes its
// fast path and every neuron it sees goes on the grid (the grid is opened here); V < V_th after
// the threshold test (fire() resets to V_reset < V_th), so crossing_bound()'s `v0 < th` holds;
// its bases (t, a refractory end) lie below 2^52; and k < tau/h < 2^52 (the numerator is below
// the denominator over the rate), so its clamp at 2^52 never applies; its `k >= 1` test is a
// select with the same value. Quiet (Brunel): V_inf <= V_th and V < V_th after the threshold
// test, so track() takes its fast path for every input, and nobody is on the grid to leave it.
// Both: a neuron that input reaches outside its refractory period lies behind t (last < t) after
// tick 0: its last update was at an earlier tick (an input, a grid test or a due crossing that
// fired, a spike's refractory end), and a stimulus (add_current brings neurons to t) sends the
// partition to the general loop. One that does not (input at tick 0, where last = 0; a made-up
// checkpoint) takes the general loop's steps (apply_input_general), as it would there.
template <bool Het>
void membrane_t<Het>::apply_input_general(std::uint32_t i, tick_t t, double w, std::vector<std::uint32_t>& spikes) {
    bring_to(i, t);
    s_[i].v += w;
    if (s_[i].v >= v_th(i)) {
        fire(i, t);
        spikes.push_back(i);
    }
    track(i, w > 0.0);
}

template <bool Het>
template <bool Grid>
void membrane_t<Het>::plain_input_loop(tick_t t, input_buffer& in, std::vector<std::uint32_t>& spikes) {
    if constexpr (!Het) {
        if (Grid && lb_.empty() && !in.touched.empty()) open_grid();  // as the first join would
        double* const sum = in.sum[0].data();
        std::uint8_t* const flag = in.flag.data();
        const std::uint32_t* const touched = in.touched.data();
        const std::size_t n = in.touched.size();
        neuron_state* const s = s_.data();
        double* const lb = lb_.data();
        double* const bm = block_min_.data();
        const double* const dec = decay_.data();
        const auto dec_n = static_cast<std::uint64_t>(decay_.entries());
        const double rate = decay_.rate();
        const double th = p_.v_th_mv, vi = v_inf0_, v_reset = p_.v_reset_mv;
        const double abs_sum = std::abs(th) + std::abs(vi);  // crossing_bound's slack, its first two terms
        const tick_t end = t + n_ref_;
        const double base = static_cast<double>(t);
        std::size_t joined = 0;
        constexpr std::size_t ahead = 8;  // inputs between a record's prefetch and its update
        for (std::size_t k = 0; k < n; ++k) {
            const std::uint32_t i = touched[k];
            // Grid neurons (bench4) come in random order; Brunel's drive touches its neurons in
            // index order, where the hardware prefetcher streams the records (decisions.md §35).
            if (Grid && k + ahead < n) {
                __builtin_prefetch(s + touched[k + ahead]);
                __builtin_prefetch(lb + touched[k + ahead]);
            }
            const double w = sum[i];
            sum[i] = 0.0;
            flag[i] = 0;
            neuron_state& r = s[i];
            if (t <= r.ref_end) continue;  // refractory: input discarded
            const tick_t last = r.last;
            if (!(t > last)) {  // tick 0, or a made-up checkpoint (see above)
                apply_input_general(i, t, w, spikes);
                continue;
            }
            const auto d = static_cast<std::uint64_t>(t - last);
            double v = r.v;
            v = vi + (v - vi) * (d < dec_n ? dec[d] : std::exp(-static_cast<double>(d) * rate));
            v += w;
            double b = base;  // the bound's base: t, or the refractory end after a spike
            if (v >= th) {
                v = v_reset;
                r.last = end;
                r.ref_end = end;
                b = static_cast<double>(end);
                spikes.push_back(i);
            } else {
                r.last = t;
            }
            r.v = v;
            if constexpr (!Grid) {
                r.wake = never;  // track()'s fast path (and fire()'s reset of a heap neuron)
            } else {
                if (r.wake != on_grid) {
                    r.wake = on_grid;
                    ++joined;
                } else if (!(w > 0.0)) {
                    continue;  // a falling input keeps the bound: it holds for the lower trajectory
                }
                const double slack = 1e-9 * (abs_sum + std::abs(v));
                const double kk = (th - slack - v) / ((vi - v) * rate);
                const double bound = b + static_cast<double>(static_cast<std::int64_t>(kk >= 1.0 ? kk : 1.0));
                lb[i] = bound;
                double& m = bm[i / grid_block];
                m = bound < m ? bound : m;
            }
        }
        grid_count_ += joined;
    }
}

template <bool Het>
void membrane_t<Het>::apply_plain_input(plain_loop loop, tick_t t, input_buffer& in, std::vector<std::uint32_t>& spikes) {
    if (loop == plain_loop::grid)
        plain_input_loop<true>(t, in, spikes);
    else if (loop == plain_loop::quiet)
        plain_input_loop<false>(t, in, spikes);
    else
        throw internal_error("apply_plain_input: a partition for lif_delta's general loop");
}

template <bool Het>
void membrane_t<Het>::add_current(std::uint32_t i, tick_t t, double delta_pa, bool passive) {
    bring_to(i, t);
    shift_current(i, delta_pa);
    if (s_[i].wake == on_grid) set_bound(i, -std::numeric_limits<double>::infinity());  // tested at t
    if (passive) schedule_crossing(i);
}

template <bool Het>
std::size_t membrane_t<Het>::memory_bytes() const {
    std::size_t tables = 0;
    for (const decay_table& d : tables_) tables += sizeof(decay_table) + d.entries() * sizeof(double);
    return s_.capacity() * sizeof(neuron_state) + stim_.capacity() * sizeof(double) + heap_.size() * sizeof(wake_entry) +
           (lb_.capacity() + block_min_.capacity()) * sizeof(double) + c_.capacity() * sizeof(neuron_constants) + tables;
}

// The checkpoint keeps the 40-byte record of before (V, stimulus, last, refractory end, wake):
// old checkpoints load, and new ones load into an older build.
namespace {
struct saved_neuron {
    double v, i_stim;
    tick_t last, ref_end, wake;
};
}  // namespace

template <bool Het>
void membrane_t<Het>::save_state(std::ostream& os) const {
    std::vector<saved_neuron> saved(s_.size());
    for (std::uint32_t i = 0; i < s_.size(); ++i) saved[i] = {s_[i].v, stim(i), s_[i].last, s_[i].ref_end, s_[i].wake};
    state_io::put_vector(os, saved);
    save_heap(os, heap_);
    // The grid neurons, in index order (the format of the list this replaced); their bounds are
    // not saved: a restored grid neuron is tested at the first tick after the checkpoint.
    std::vector<std::uint32_t> grid;
    for (std::uint32_t i = 0; i < s_.size(); ++i)
        if (s_[i].wake == on_grid) grid.push_back(i);
    state_io::put_vector(os, grid);
}

template <bool Het>
void membrane_t<Het>::load_state(std::istream& is) {
    std::vector<saved_neuron> saved;
    state_io::get_exact(is, saved, s_.size());
    // Times no run produces: a time before tick 0 overflows t - last (undefined behaviour, found
    // by fuzz_checkpoint); a state that is not finite makes every later value NaN. A run starts
    // at last = 0, ref_end = -1, and keeps last >= ref_end (a spike sets both to its end).
    for (const saved_neuron& n : saved)
        if (n.last < 0 || n.ref_end < -1 || n.ref_end > n.last || !std::isfinite(n.v) || !std::isfinite(n.i_stim))
            throw io_error("checkpoint: a neuron state (V " + std::to_string(n.v) + " mV at tick " + std::to_string(n.last) +
                           ", refractory until " + std::to_string(n.ref_end) + ") is not one a run produces");
    // A stimulus array only where some neuron has a current other than +0.0 (bit for bit: the
    // expression without one adds +0.0).
    const bool any_stim = std::any_of(saved.begin(), saved.end(), [](const saved_neuron& n) {
        return std::bit_cast<std::uint64_t>(n.i_stim) != 0;
    });
    if (any_stim) stim_.assign(s_.size(), 0.0);
    else stim_.clear();
    for (std::size_t i = 0; i < s_.size(); ++i) {
        s_[i] = {saved[i].v, saved[i].last, saved[i].ref_end, saved[i].wake};
        if (any_stim) stim_[i] = saved[i].i_stim;
    }
    load_heap(is, heap_, static_cast<std::uint32_t>(s_.size()));
    std::vector<std::uint32_t> grid;
    state_io::get_vector(is, grid, s_.size());
    // The grid list and the on_grid marks must agree, each grid neuron listed once: a list that
    // does not would test a neuron twice a tick or never.
    std::vector<std::uint8_t> listed(s_.size(), 0);
    bool consistent = true;
    for (const std::uint32_t i : grid) {
        consistent = consistent && i < s_.size() && !listed[i] && s_[i].wake == on_grid;
        if (consistent) listed[i] = 1;
    }
    for (std::size_t i = 0; i < s_.size() && consistent; ++i) consistent = (s_[i].wake == on_grid) == (listed[i] != 0);
    if (!consistent) throw io_error("checkpoint: the neuron state does not match this network");
    if (!grid.empty() || !lb_.empty()) open_grid();
    for (const std::uint32_t i : grid) set_bound(i, -std::numeric_limits<double>::infinity());
    grid_count_ = grid.size();
}

template class membrane_t<false>;
template class membrane_t<true>;

std::vector<double> initial_values(const group_context& ctx, const std::string& var, double fallback) {
    std::vector<double> out(ctx.count, fallback);
    // Values given per neuron (the validator checked their number): this partition's slice.
    if (const auto given = ctx.spec.init_values.find(var); given != ctx.spec.init_values.end()) {
        const auto& v = given->second.values;
        if (ctx.first + ctx.count > v.size()) throw internal_error("initial values of '" + var + "': too few for the population");
        std::copy(v.begin() + static_cast<std::ptrdiff_t>(ctx.first),
                  v.begin() + static_cast<std::ptrdiff_t>(ctx.first + ctx.count), out.begin());
        return out;
    }
    auto it = ctx.spec.init.find(var);
    if (it == ctx.spec.init.end()) return out;
    const distribution& d = it->second;
    // One stream per (population, variable, neuron): independent of partitioning and threads.
    const std::uint64_t var_key = stable_hash(var) & 0xffffULL;
    for (std::uint64_t j = 0; j < ctx.count; ++j) {
        random_stream rng(ctx.seed, stream_purpose::initial_state, (std::uint64_t{ctx.population_index} << 16) | var_key,
                          ctx.first + j);
        out[j] = d.draw(rng);
    }
    return out;
}

} // namespace memspike::lif
