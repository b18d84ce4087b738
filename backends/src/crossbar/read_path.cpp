// SPDX-License-Identifier: MIT
// The crossbar's read path (partition.hpp): an arriving spike drives its rows, each woken tile's
// used columns are read (column sums, IR drop, read noise, drift, ADC) into the target neurons.
// The hot loop of a crossbar run: deliver and the sparse read with what they call per tile stay
// in this one translation unit so that the compiler can inline them into it. The full read
// (full_read.cpp) and the cached several-row and empty-column helpers (single_row.cpp) were calls
// already; they live beside what they belong to (measured: no change, docs/benchmarks.md), and so
// do the noise and ADC passes over the hit columns (column_passes.cpp; their AVX2 bodies were
// calls already).
#include <cmath>

#include "memspike/core/model.hpp"
#include "partition.hpp"

namespace memspike::crossbar::detail {

std::uint64_t crossbar_partition::deliver(tick_t t, std::span<const spike_arrival> arrivals, const partition_view& part,
                      input_buffer& in) {
    std::uint64_t delivered = 0;
    lanes_seeded_ = false;  // draw_normals seeds the lanes afresh from read_rng_ at this tick's first draw
    // In stages, so that the loads of different arrivals overlap instead of each waiting on the
    // one before (CSR offsets, then range_seg, then the segments, then their tiles): the ranges,
    // then where their segments lie, then the tiles they wake, in the same order as one pass.
    arrived_.clear();
    part.for_each_range(t, arrivals, [&](std::uint32_t b, std::size_t k, synapse_block& block, std::uint64_t lo,
                                         std::uint64_t hi, const spike_arrival&) {
        tiled_block& tb = blocks_[b];
        if (tb.plastic)  // the rule has updated the range: program what changed
            for (std::uint64_t j = lo; j < hi; ++j) sync(tb, block, j, t);
        delivered += hi - lo;
        __builtin_prefetch(tb.range_seg.data() + k, 0, 3);
        arrived_.push_back({b, static_cast<std::uint32_t>(k), 0, 0});
    });
    for (arrived_range& r : arrived_) {
        const tiled_block& tb = blocks_[r.block];
        r.first = tb.range_seg[r.k];
        r.end = tb.range_seg[r.k + 1];
        // Every line of the range's segments (~50 of 16 bytes in crossbar_brunel), not only the
        // first: the loop below waited on each further line (a third of deliver's time, `perf`).
        for (std::uint32_t q = r.first; q < r.end; q += 64 / sizeof(segment)) __builtin_prefetch(tb.segs.data() + q, 0, 3);
        if (r.end > r.first) __builtin_prefetch(tb.segs.data() + r.end - 1, 0, 3);
    }
    for (const arrived_range& r : arrived_) {
        tiled_block& tb = blocks_[r.block];
        for (std::uint32_t q = r.first; q < r.end; ++q) {
            const std::uint32_t t = tb.segs[q].tile, e = static_cast<std::uint32_t>(wake_.size());
            wake_.push_back({q, no_entry});
            if (tb.wake_head[t] == no_entry) {
                if (tb.woken.empty()) touched_blocks_.push_back(r.block);
                tb.woken.push_back(t);
                tb.wake_head[t] = e;
            } else {  // a second row: its read will want the tile's column positions (prefetch_tile)
                wake_[tb.wake_tail[t]].next = e;
                __builtin_prefetch(&tb.tiles[t], 0, 3);
            }
            tb.wake_tail[t] = e;
        }
    }
    const double drift = s_.dev.drift_nu > 0.0 ? drift_factor(s_.dev, s_.arr.drift_age + static_cast<double>(t) * h_) : 1.0;
    for (const std::uint32_t b : touched_blocks_) {
        tiled_block& tb = blocks_[b];
        double* sum = in.sum[part.blocks[b].port].data();
        const double now_ms = static_cast<double>(t) * h_;
        // What read_tile_sparse does with one row of a cached block, without its general prologue
        // (read_one_cached): the same values, draws and counts.
        const bool one_cached = sparse_ok_ && tb.tp.empty() && !tb.one.empty();
        for (std::size_t w = 0; w < tb.woken.size(); ++w) {
            // A tick's woken tiles hold more synapse cells than the caches keep from arrival to
            // read: fetch the segment data a few tiles ahead of the read instead.
            if (w + read_ahead < tb.woken.size()) prefetch_tile(tb, tb.woken[w + read_ahead]);
            const std::uint32_t id = tb.woken[w], head = tb.wake_head[id];
            tb.wake_head[id] = no_entry;
            tile& T = tb.tiles[id];
            if (one_cached && wake_[head].next == no_entry) {  // most reads: one row of a static block
                read_one_cached(tb, T, wake_[head].seg, drift, sum, in);
                continue;
            }
            active_.clear();
            active_seg_.clear();
            for (std::uint32_t e = head; e != no_entry; e = wake_[e].next) {
                active_seg_.push_back(wake_[e].seg);
                active_.push_back(tb.segs[wake_[e].seg].row);
            }
            if (!(sparse_ok_ && tb.tp.empty() && read_tile_sparse(tb, T, drift, sum, in)))
                read_tile(tb, T, tb.tp.empty() ? drift : 1.0, now_ms, sum, in);
        }
        tb.woken.clear();
    }
    touched_blocks_.clear();
    wake_.clear();
    return delivered;
}

/// Prefetches what reading woken tile t will load first: its driven segments' column data
/// (seg_at), columns and, in a compact block, their codes; with the single-row cache, the
/// records, and for several rows the tile's column positions.
void crossbar_partition::prefetch_tile(const tiled_block& tb, std::uint32_t t) const {
    const std::uint32_t head = tb.wake_head[t];
    const bool one_row = wake_[head].next == no_entry;
    for (std::uint32_t w = head; w != no_entry; w = wake_[w].next) {
        const std::uint32_t q = wake_[w].seg;
        const segment& sg = tb.segs[q];
        if (!tb.one.empty()) {  // the cached single-row reads: all a one-row read loads, but for thinning
            __builtin_prefetch(tb.one_seg.data() + q, 0, 3);
            for (std::uint32_t e = sg.first; e < sg.end; e += 64 / sizeof(single_row_cell)) __builtin_prefetch(tb.one.data() + e, 0, 3);
            __builtin_prefetch(tb.one.data() + sg.end - 1, 0, 3);
            if (one_row) return;
            // several rows (add_cached_rows): the records, their columns; the deltas come from the pair table
            __builtin_prefetch(tb.seg_cols.data() + sg.first, 0, 3);
            __builtin_prefetch(tb.seg_cols.data() + sg.end - 1, 0, 3);
            if (w == head && sg.cols != identity_.size()) {  // ... and the columns' positions, once per tile (a miss per read before), unless taken from identity_
                const tile& T = tb.tiles[t];
                for (std::size_t off = 0; off < T.cols; off += 32) __builtin_prefetch(T.position.data() + off, 0, 3);
            }
            continue;
        }
        const tile& T = tb.tiles[t];
        for (std::uint32_t e = sg.first; e < sg.end; e += 64 / sizeof(cell_ref)) __builtin_prefetch(tb.seg_at.data() + e, 0, 3);
        __builtin_prefetch(tb.seg_at.data() + sg.end - 1, 0, 3);
        if (tb.compact) {
            __builtin_prefetch(tb.gp.data() + sg.first, 0, 3);
            __builtin_prefetch(tb.gm.data() + sg.first, 0, 3);
            __builtin_prefetch(tb.gp.data() + sg.end - 1, 0, 3);
            __builtin_prefetch(tb.gm.data() + sg.end - 1, 0, 3);
            __builtin_prefetch(tb.seg_cols.data() + sg.first, 0, 3);
        } else if (!tb.exact) {  // the full layout: the row's codes over the used columns
            const std::size_t first = T.base + std::uint64_t{sg.row} * T.cols;
            for (std::size_t off = 0; off < T.cols; off += 32) {
                __builtin_prefetch(tb.gp.data() + first + off, 0, 3);
                __builtin_prefetch(tb.gm.data() + first + off, 0, 3);
            }
            __builtin_prefetch(tb.gp.data() + first + T.cols - 1, 0, 3);
            __builtin_prefetch(tb.gm.data() + first + T.cols - 1, 0, 3);
        }
    }
}


/// The empty columns of a read with `empty` of them, means bounded by mu_max and noise sigma_e:
/// with mu_max >= LSB/2 read one by one (direct); else p_max = erfc(a), a = (LSB/2 - mu_max) /
/// (sigma_e sqrt 2) > 0, the probability that one crosses a decision level. Where a bound
/// p0 >= erfc(a) keeps empty p0 <= 4 (erfc(4) for a >= 4, erfc_above below), p0 is taken
/// (p_bound): it decides as erfc(a) would that the columns are thinned, not read one by one, and
/// the thinning's first uniform needs erfc(a) only when it fails u <= 1 - 2 empty p0
/// (read_empties). The libm call per read was 1 % of a run (`perf`). empty p_max > 4 (many
/// rows) reads them one by one too.
crossbar_partition::empty_plan crossbar_partition::plan_empty(std::size_t empty, double mu_max, double half, double sigma_e) const {
    empty_plan r;
    if (empty == 0) return r;
    if (mu_max >= half) {
        r.direct = true;
    } else if (sigma_e > 0.0) {
        const double a = (half - mu_max) / (sigma_e * std::sqrt(2.0)), n = static_cast<double>(empty);
        r.a = a;
        r.p_bound = true;
        if (a >= thin_a0 && n * thin_p0_ <= 4.0) {
            r.p_max = thin_p0_;
        } else if (a < thin_a0 && n * erfc_above_(a) <= 4.0) {
            r.p_max = erfc_above_(a);
        } else {
            r.p_bound = false;
            r.p_max = std::erfc(a);
        }
        r.direct = n * r.p_max > 4.0;
    }
    return r;
}

/// The read of a woken tile when every cell without a synapse holds the same conductance e0 (no
/// device variation or faults) and the ADC converts G+ - G- with finite bits: the default device.
/// It computes what read_tile computes, with the work proportional to the hit columns (those
/// where a driven row holds a synapse) instead of all used columns:
///  - In a hit column, the sums, squares and first-order IR drop of read_tile, written with
///    g = e0 + delta: a row's drop at column c is e0 z_c (tile::z) plus the sum over the row's own
///    synapse cells of delta (min(j_c, j') + 1), a sweep over the row's synapses.
///  - In an empty column (all driven cells e0 on both arrays), G+ - G- has the mean
///    mu_c = -rho e0 sum_k (S+_k(c) - S-_k(c)) (the row drops' difference; the rest cancels) and
///    read noise sigma_e = sigma_read e0 sqrt(2K), the same for every empty column. With
///    |mu_c| <= mu_max < half an LSB, the ADC gives 0 unless the noise crosses a decision level,
///    which happens with probability p_c <= p_max = erfc((LSB/2 - mu_max) / (sigma_e sqrt 2)).
///    Thinning draws exactly that: candidates with probability p_max each (geometric skips: one
///    uniform per tile when, as usual, there is none), each kept with probability p_c / p_max,
///    and a kept one takes its value from the normal conditioned on crossing. Each empty column's
///    output has the distribution read_tile gives it, without a draw per column.
/// A static block with the single-row cache (single_row.cpp) takes a one-row read's currents and
/// deviations from it, and a several-row read's from it plus the rows' interactions
/// (add_cached_rows); where thinning would not serve (mu_max >= LSB/2, or n_empty p_max > 4),
/// it reads every empty column directly (read_empty_columns). Any other block returns false then,
/// having changed nothing and drawn nothing: the caller runs read_tile (with the hit columns
/// marked, which it keeps).
/// Longer than 80 lines on purpose: the decision to fall back must precede every draw and every
/// count, and the per-row passes, the hit-column loops (one row; several rows) and the thinning
/// share the decoded cells; split apart they would pass a dozen scratch pointers around the hot
/// loop. A hit column's sums are expanded in delta = g - e0 (docs/crossbar.md, "The sparse
/// read"), so the work is the driven synapse cells plus the hit columns, for any number of rows.
bool crossbar_partition::read_tile_sparse(tiled_block& tb, tile& T, double drift, double* sum, input_buffer& in) {
    const std::size_t K = active_.size();
    const std::uint32_t cols = tb.segs[active_seg_[0]].cols;  // = T.cols, without a load from the tile
    const double e0 = tb.e0, rho = s_.arr.r_wire * 1e-3, half = 0.5 * adc_lsb_signed_;  // rho: MOhm x nS
    // The hit columns, ascending: one row's are its segment's columns; several rows' are the
    // union, through a bitmap of the tile's columns (ascending for free, no sort).
    const std::uint16_t* H;
    const cell_ref* A;  // ... and their target, z and position (tile::target, z, position + 1)
    std::size_t nh;
    sorted_rows_.resize(K);
    for (std::size_t k = 0; k < K; ++k) sorted_rows_[k] = {active_[k], active_seg_[k]};
    sneak_w_ready_ = false;  // column_sneak's table belongs to these rows
    if (K == 1) {
        const segment& sg = tb.segs[active_seg_[0]];
        H = tb.seg_cols.data() + sg.first;
        A = tb.seg_at.empty() ? nullptr : tb.seg_at.data() + sg.first;  // a cached block has none (nor needs it)
        nh = sg.end - sg.first;
    } else if (!tb.one.empty()) {  // a cached block: the hit columns are found as add_cached_rows sums (below)
        std::sort(sorted_rows_.begin(), sorted_rows_.end());
        if (hits_.size() < cols) hits_.resize(s_.arr.tile_cols);
        H = hits_.data();
        A = nullptr;
        nh = 0;
    } else {
        std::sort(sorted_rows_.begin(), sorted_rows_.end());
        std::uint64_t* bits = hit_bits_.data();
        if (hit_bits_.size() <= 2) {  // up to 128 columns: two registers (an OR into memory per cell waits on the one before)
            std::uint64_t lo = 0, hi = 0;
            // The word chosen by a mask, not by c < 64: g++ compiled the conditional into a branch,
            // taken at random per cell (a fifth of read_tile_sparse's samples, `perf`).
            for (const auto& [row, seg] : sorted_rows_)
                for (std::uint32_t e = tb.segs[seg].first; e < tb.segs[seg].end; ++e) {
                    const std::uint16_t c = tb.seg_cols[e];
                    const std::uint64_t bit = std::uint64_t{1} << (c & 63);
                    const std::uint64_t upper = std::uint64_t{0} - static_cast<std::uint64_t>(c >> 6);  // c < 128: all ones or 0
                    lo |= bit & ~upper;
                    hi |= bit & upper;
                }
            bits[0] = lo;
            if (hit_bits_.size() == 2) bits[1] = hi;
        } else {
            for (const auto& [row, seg] : sorted_rows_)
                for (std::uint32_t e = tb.segs[seg].first; e < tb.segs[seg].end; ++e) {
                    const std::uint16_t c = tb.seg_cols[e];
                    bits[c >> 6] |= std::uint64_t{1} << (c & 63);
                }
        }
        // The set bits in ascending order, each with its place: written through a pointer into
        // storage sized for a whole tile (a push_back per hit column checked the capacity).
        if (hits_.size() < cols) hits_.resize(s_.arr.tile_cols);
        std::uint16_t* out = hits_.data();
        nh = 0;
        for (std::size_t w = 0; w < hit_bits_.size(); ++w) {
            for (std::uint64_t x = bits[w]; x != 0; x &= x - 1) {
                const auto c = static_cast<std::uint16_t>(64 * w + static_cast<std::size_t>(__builtin_ctzll(x)));
                out[nh] = c;
                hit_index_[c] = static_cast<std::uint16_t>(nh++);
            }
            bits[w] = 0;
        }
        H = out;
        if (hit_ref_.size() < nh) hit_ref_.resize(s_.arr.tile_cols);
        A = hit_ref_.data();
    }

    // Per hit column and polarity, sums over the driven rows' synapse cells of delta = g - e0
    // (rows without a synapse there add nothing): D = sum delta, B = the IR bracket's delta terms
    // (below), and SQ = sum over both polarities of delta (2 e0 + delta), for the squares.
    // Each row's bound sum delta (j' + 1) (bk_) bounds the empty columns' drop difference.
    // One row needs no per-column sums (below); the storage still spans them so that the pointers
    // below stay within one array (UBSan: no offsets from a null data()).
    if (acc_.size() < 5 * nh + 1) acc_.resize(5 * nh + 1);  // + 1: a cached several-row read has nh = 0 here
    if (K > 1 && tb.one.empty()) {
        std::fill_n(acc_.data(), 5 * nh, 0.0);
    }
    double* Dp = acc_.data();
    double* Dm = Dp + nh;
    double* Bp = Dm + nh;
    double* Bm = Bp + nh;
    double* SQ = Bm + nh;
    double sum_w = 0.0;
    // A single driven row of a static block never comes here: deliver gives it to read_one_cached.
    const bool cached_rows = K > 1 && !tb.one.empty();  // several rows: the cache plus their interactions
    double diff_total = 0.0;
    double read = 2.0 * static_cast<double>(K) * cols * e0;  // crossbar_read_conductance
    double mu_max = 0.0;
    double one_tp = 0.0, one_tm = 0.0;
    const double R = s_.arr.tile_rows;
    if (cached_rows) {
        diff_total = add_cached_rows(tb, T, read, mu_max, nh);  // sums per used column, and the hit columns' number
    } else {
        bk_.assign(2 * K, 0.0);
        // w_k = sum_k' (R - max(i_k, i_k')), rows ascending: the rise weights of the column wire.
        wk_.resize(K);
        double after = 0.0;
        for (std::size_t k = K; k-- > 0;) {
            const double ri = R - sorted_rows_[k].first;
            wk_[k] = static_cast<double>(k + 1) * ri + after;
            after += ri;
            sum_w += wk_[k];
        }
        for (std::size_t k = 0; k < K; ++k) {
            const segment& sg = tb.segs[sorted_rows_[k].second];
            const std::uint64_t first = T.base + std::uint64_t{sorted_rows_[k].first} * cols;
            const std::size_t n = sg.end - sg.first;
            row_d_.resize(2 * n);
            double* dp = row_d_.data();
            double* dm = dp + n;
            double tp = 0.0, tm = 0.0, bp = 0.0, bm = 0.0;  // the row's sums of delta, delta (j' + 1)
            for (std::size_t e = 0; e < n; ++e) {  // pass 1: decode, totals (in locals: bk_ may alias dp)
                const std::uint32_t q = sg.first + static_cast<std::uint32_t>(e);
                const std::uint64_t cell = tb.compact ? q : first + tb.seg_cols[q];
                dp[e] = g_plus(tb, cell) - e0;
                dm[e] = g_minus(tb, cell) - e0;
                tp += dp[e];
                tm += dm[e];
                const double j1 = tb.seg_at[q].j1;
                bp += dp[e] * j1;
                bm += dm[e] * j1;
            }
            bk_[2 * k] = bp;
            bk_[2 * k + 1] = bm;
            read += tp + tm;
            if (K == 1) {  // the sums are the row's own: the hit-column loop takes them from row_d_
                one_tp = tp;
                one_tm = tm;
                break;
            }
            // pass 2: the row's own drop S_k(c) = sum_j' delta (min(j_c, j') + 1) at its cells, and
            // delta (S_k + 2 e0 w_k + (R - i_k)(delta + 2 D)): the bracket's terms linear and
            // quadratic in delta (the latter over the pairs of driven synapse cells of one column).
            const double ri = R - sorted_rows_[k].first, w2 = 2.0 * e0 * wk_[k];
            double lp = 0.0, lpj = 0.0, lm = 0.0, lmj = 0.0;  // over the row's cells left of c: delta, delta (j' + 1)
            for (std::size_t e = 0; e < n; ++e) {
                const std::uint32_t q = sg.first + static_cast<std::uint32_t>(e);
                const std::size_t h = K == 1 ? e : hit_index_[tb.seg_cols[q]];
                if (K > 1) hit_ref_[h] = tb.seg_at[q];
                const double j1 = tb.seg_at[q].j1, p = dp[e], m = dm[e];
                Bp[h] += p * (lpj + j1 * (tp - lp) + w2 + ri * (p + 2.0 * Dp[h]));
                Bm[h] += m * (lmj + j1 * (tm - lm) + w2 + ri * (m + 2.0 * Dm[h]));
                Dp[h] += p;
                Dm[h] += m;
                SQ[h] += p * (2.0 * e0 + p) + m * (2.0 * e0 + m);
                lp += p;
                lpj += p * j1;
                lm += m;
                lmj += m * j1;
            }
        }
        for (std::size_t k = 0; k < K; ++k) mu_max += std::max(std::abs(bk_[2 * k]), std::abs(bk_[2 * k + 1]));
    }
    const std::size_t empty = cols - nh;
    if (sneak_)  // each row's H_k(c) (sneak.cpp, sneak_bounds)
        for (std::size_t k = 0; k < K; ++k) mu_max += std::min(T.sneak_bound, (R - active_[k]) * T.sneak_sum);
    mu_max *= rho * e0 * drift;
    const double sigma_e = s_.dev.sigma_read * drift * e0 * std::sqrt(2.0 * static_cast<double>(K));
    // Where the bound on the empty columns' means or their crossing probability fails
    // (plan_empty: direct), a cached block reads them one by one; any other falls back to read_tile.
    const empty_plan plan = plan_empty(empty, mu_max, half, sigma_e);
    if (plan.direct && tb.one.empty()) return false;
    read_conductance_ += read;
    auto& e = events_;
    ++e[tiles_woken];
    e[row_drives] += K;
    e[cell_reads] += 2 * K * cols;
    e[adc_conversions] += cols;
    e[adc_rounds] += adc_rounds_of(cols);

    // Hit columns: with G = K e0 + D the column's ideal sum, the first-order current (read_tile's
    // ir_drop over the driven cells, expanded in delta) is
    //   G - rho (e0 z_c G + e0 S(c) + B + e0^2 sum_w),   S(c) = sum_h' D(h') (min(j_c, j_h') + 1),
    // S the row drops of all driven rows at once (one sweep over the hit columns), and the read
    // noise's variance sigma^2 (2 K e0^2 + SQ). Then noise, ADC, into the target.
    const double sigma = s_.dev.sigma_read * drift, ke0 = static_cast<double>(K) * e0, e00 = e0 * e0 * sum_w;
    if (hit_x_.size() < 3 * nh) hit_x_.resize(3 * nh);  // grown only: a resize would zero what it adds, every read
    double* xs = hit_x_.data();  // per hit column: the noiseless G+ - G- current, then the output
    double* vs = xs + nh;        // ... the read noise's variance / sigma^2
    double* zs = vs + nh;        // ... its standard normal draw
    if (K == 1) {
        // One row: D = delta, B = delta (S + w2 + (R - i) delta), SQ = the squares' delta terms,
        // inline; the same operations as the general loop below (whose zero terms are exact).
        const double* dp = row_d_.data();
        const double* dm = dp + nh;
        one_row_sweep sweep{e0, ke0, e00, 2.0 * e0 * wk_[0], R - sorted_rows_[0].first, rho, one_tp, one_tm};
        sweep.sa = e0 * one_row_sweep::others(R, sorted_rows_[0].first);  // the sneak term's, as the cache has it
        for (std::size_t h = 0; h < nh; ++h) {
            double hp = 0.0, hm = 0.0;
            if (sneak_) column_h(tb, T, H[h], sorted_rows_[0].first, hp, hm);
            const auto col = sneak_ ? sweep.next_sneak(A[h].j1, A[h].z, dp[h], dm[h], hp, hm) : sweep.next(A[h].j1, A[h].z, dp[h], dm[h]);
            xs[h] = col.x * drift;
            vs[h] = col.var;
        }
    } else if (cached_rows) {  // X less the other rows' drops, per hit column; H and the targets (single_row.cpp)
        cached_rows_columns(tb, T, diff_total, drift, ke0, hits_.data(), xs, vs);
    } else {
    double tp = 0.0, tm = 0.0;
    for (std::size_t h = 0; h < nh; ++h) {
        tp += Dp[h];
        tm += Dm[h];
    }
    double lp = 0.0, lpj = 0.0, lm = 0.0, lmj = 0.0;
    for (std::size_t h = 0; h < nh; ++h) {
        const double j1 = A[h].j1, ez = e0 * A[h].z;
        const double gp = ke0 + Dp[h], gm = ke0 + Dm[h];
        const double op = gp - rho * (ez * gp + e0 * (lpj + j1 * (tp - lp)) + Bp[h] + e00);
        const double om = gm - rho * (ez * gm + e0 * (lmj + j1 * (tm - lm)) + Bm[h] + e00);
        lp += Dp[h];
        lpj += Dp[h] * j1;
        lm += Dm[h];
        lmj += Dm[h] * j1;
        xs[h] = (op - om) * drift;
        vs[h] = 2.0 * ke0 * e0 + SQ[h];
    }
    if (sneak_)  // the grounded rows' share (sneak.cpp)
        for (std::size_t h = 0; h < nh; ++h) xs[h] -= rho * sneak_several(tb, T, H[h]) * drift;
    }
    // Noise, ADC and scatter as separate passes over the hit columns: the draws are one tight
    // loop on the read stream (its state stays in registers: no char store of touch between
    // them), the conversions one branch-free loop, in the same order and with the same
    // operations as convert(), so every value is bit-identical to the fused loop.
    if (sigma > 0.0) {
        draw_normals(zs, nh);
        add_noise(xs, vs, zs, nh, sigma);
    }
    convert_signed(xs, nh, tb.scale);
    if (cached_rows) {
        const std::uint32_t* target = hit_target_.data();
        for (std::size_t h = 0; h < nh; ++h) touch(sum, in, target[h], xs[h]);
    } else {
        for (std::size_t h = 0; h < nh; ++h) touch(sum, in, A[h].target, xs[h]);
    }
    read_empties(tb, T, H, nh, empty, plan, drift, sigma_e, sum, in);
    return true;
}

/// read_tile_sparse for one driven row (segment seg) of a block with the single-row cache, the
/// most frequent read (two in three tiles woken in crossbar_brunel): the same operations in the
/// same order, so the same values, draws and counts, without the general prologue (row lists,
/// per-row sums, the K-dependent constants). The normals are read where the lanes left them
/// (take_normals) rather than copied first, in the loop that forms the hit columns' currents.
void crossbar_partition::read_one_cached(const tiled_block& tb, const tile& T, std::uint32_t seg, double drift, double* sum,
                                         input_buffer& in) {
    const segment& sg = tb.segs[seg];
    const single_row_segment& cached = tb.one_seg[seg];
    const std::uint32_t cols = sg.cols, first = sg.first;
    const std::size_t nh = sg.end - first, empty = cols - nh;
    const std::uint16_t* H = tb.seg_cols.data() + first;
    const double e0 = tb.e0, rho = s_.arr.r_wire * 1e-3, half = 0.5 * adc_lsb_signed_;
    sneak_w_ready_ = false;  // column_sneak's table belongs to the rows read before
    double read = 2.0 * static_cast<double>(cols) * e0;  // read_tile_sparse's 2 K cols e0, K = 1
    read += cached.read;
    double mu_max = 0.0 + std::max(std::abs(cached.bp), std::abs(cached.bm));
    if (sneak_) mu_max += std::min(T.sneak_bound, (static_cast<double>(s_.arr.tile_rows) - sg.row) * T.sneak_sum);
    mu_max *= rho * e0 * drift;
    const double sigma_e = s_.dev.sigma_read * drift * e0 * std::sqrt(2.0);  // sqrt(2 K)
    const empty_plan plan = plan_empty(empty, mu_max, half, sigma_e);
    read_conductance_ += read;
    auto& e = events_;
    ++e[tiles_woken];
    ++e[row_drives];
    e[cell_reads] += 2 * std::uint64_t{cols};
    e[adc_conversions] += cols;
    e[adc_rounds] += adc_rounds_of(cols);

    // The hit columns' currents with their read noise, the normals read where the lanes left
    // them (take_normals); then the ADC (convert_signed), and into the targets.
    if (hit_x_.size() < nh) hit_x_.resize(nh);  // grown only
    double* xs = hit_x_.data();
    const single_row_cell* one = tb.one.data() + first;
    const double sigma = s_.dev.sigma_read * drift;
    if (sigma > 0.0) {
        const float* dev = tb.pair_s.data();  // per code pair: the read-noise deviation / sigma_read
        const std::uint32_t* pair = tb.wide() ? tb.one_pair.data() + first : nullptr;
        for (std::size_t h = 0; h < nh;) {
            std::size_t k = 0;
            const float* z = take_normals(nh - h, k);
            if (pair)
                for (std::size_t j = 0; j < k; ++j, ++h) {
                    xs[h] = one[h].x * drift + sigma * dev[pair[h]] * z[j];
                    __builtin_prefetch(sum + tb.one_target[first + h], 1, 3);
                }
            else
                for (std::size_t j = 0; j < k; ++j, ++h) {
                    xs[h] = one[h].x * drift + sigma * dev[one[h].pair] * z[j];
                    __builtin_prefetch(sum + one[h].target, 1, 3);  // the scatter below waited on sum[] (a fifth of the read, `perf`)
                }
        }
    } else {
        for (std::size_t h = 0; h < nh; ++h) xs[h] = one[h].x * drift;
    }
    convert_signed(xs, nh, tb.scale);
    if (tb.wide()) {
        const std::uint32_t* target = tb.one_target.data() + first;
        for (std::size_t h = 0; h < nh; ++h) touch(sum, in, target[h], xs[h]);
    } else {
        for (std::size_t h = 0; h < nh; ++h) touch(sum, in, one[h].target, xs[h]);
    }
    if (!plan.direct && plan.p_max <= 0.0) return;
    sorted_rows_.assign(1, {sg.row, seg});  // the empty columns' means (empty_column_mean, column_sneak) read the row from here
    read_empties(tb, T, H, nh, empty, plan, drift, sigma_e, sum, in);
}

/// The empty columns of a read after its hit columns, as `plan` says: one by one (direct), or
/// thinned (read_tile_sparse's comment). pos counts empty columns; walk finds the column. The
/// first skip, floor(log u / log(1 - p_max)), passes every empty column exactly when
/// u <= (1 - p_max)^empty, which holds whenever u <= 1 - empty p0 for a bound p0 >= p_max
/// (Bernoulli's inequality; 2 p0 keeps the rounding of the test on the safe side): then no erfc
/// and no logarithms. Otherwise the same u goes through the exact skip (thin_empty_columns).
void crossbar_partition::read_empties(const tiled_block& tb, const tile& T, const std::uint16_t* H, std::size_t nh,
                                      std::size_t empty, const empty_plan& plan, double drift, double sigma_e, double* sum,
                                      input_buffer& in) {
    if (plan.direct) {
        read_empty_columns(tb, T, H, nh, drift, sigma_e, sum, in);
        return;
    }
    double p_max = plan.p_max;
    if (p_max <= 0.0) return;
    const double u = read_rng_.uniform_open0();
    if (plan.p_bound) {
        if (u <= 1.0 - 2.0 * static_cast<double>(empty) * p_max) return;
        p_max = std::erfc(plan.a);
        if (p_max <= 0.0) return;
    }
    thin_empty_columns(tb, T, H, nh, empty, p_max, u, drift, sigma_e, sum, in);
}

/// mu_c of read_tile_sparse for an empty column c (before drift): -rho e0 sum_k (S+_k(c) - S-_k(c)).
double crossbar_partition::empty_column_mean(const tiled_block& tb, const tile& T, std::uint32_t c) const {
    const std::uint16_t* position = positions(T);
    const double rho = s_.arr.r_wire * 1e-3, j = position[c];
    double diff = 0.0;
    if (!tb.one.empty()) {  // a cached block: G+ - G- from the pair table (its codes are not in the caches)
        for (const auto& [row, seg] : sorted_rows_)
            for (std::uint32_t q = tb.segs[seg].first; q < tb.segs[seg].end; ++q)
                diff += tb.pair_d[tb.wide() ? tb.one_pair[q] : tb.one[q].pair].diff *
                        (std::min(j, double(position[tb.seg_cols[q]])) + 1.0);
        if (sneak_) diff += column_sneak(tb, T, c);  // sneak.cpp
        return -rho * tb.e0 * diff;
    }
    for (const auto& [row, seg] : sorted_rows_) {
        const segment& sg = tb.segs[seg];
        const std::uint64_t first = T.base + std::uint64_t{row} * T.cols;
        for (std::uint32_t q = sg.first; q < sg.end; ++q) {
            const std::uint16_t cc = tb.seg_cols[q];
            const std::uint64_t cell = tb.compact ? q : first + cc;
            diff += (g_plus(tb, cell) - g_minus(tb, cell)) * (std::min(j, double(position[cc])) + 1.0);
        }
    }
    if (sneak_) diff += column_sneak(tb, T, c);  // sneak.cpp
    return -rho * tb.e0 * diff;
}

} // namespace memspike::crossbar::detail
