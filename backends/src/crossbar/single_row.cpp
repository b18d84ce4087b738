// SPDX-License-Identifier: MIT
// The single-row reads of a static block (partition.hpp, cache_single_rows): most woken tiles of a
// spiking network have one driven row, and then read_tile_sparse's hit-column currents, their
// read-noise deviations and the empty columns' bound depend on that row's own cells alone. A
// static block computes them once here; the read then costs a draw, a product and an ADC
// conversion per hit column (issue 15, fourth step). Also here, called by read_tile_sparse for
// cached blocks: several rows' sums from the cache (add_cached_rows) and the empty columns read
// one by one (read_empty_columns); and the thinning of any sparse read's empty columns past its
// first uniform (thin_empty_columns, the rare case: out of read_path.cpp for its length).
#include <bit>
#include <cmath>

#if defined(__SSE2__)
#include <emmintrin.h>  // SSE2: part of every x86-64 target
#endif

#include "partition.hpp"

namespace memspike::crossbar::detail {

/// Interns a block's (G+ code, G- code) pairs: the index of each distinct pair, in the order of
/// first sight. Open addressing over a power-of-two table kept at most half full: building the
/// cache visits every synapse cell, and a node-based map costs an allocation and a pointer chase
/// per distinct pair and a hash-chain walk per cell.
class pair_interner {
public:
    /// The pair's index, and whether it was new.
    std::pair<std::uint32_t, bool> intern(std::uint32_t key) {
        if (2 * (std::uint64_t{count_} + 1) > slots_.size()) grow();
        for (std::size_t i = slot_of(key);; i = (i + 1) & (slots_.size() - 1)) {
            const std::uint64_t s = slots_[i];
            if (s == 0) {  // (index + 1) << 32 | key: never 0 when occupied
                slots_[i] = (std::uint64_t{count_} + 1) << 32 | key;
                return {count_++, true};
            }
            if (static_cast<std::uint32_t>(s) == key) return {static_cast<std::uint32_t>(s >> 32) - 1, false};
        }
    }
    std::uint32_t size() const { return count_; }

private:
    std::size_t slot_of(std::uint32_t key) const { return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> (64 - bits_)); }
    void grow() {
        std::vector<std::uint64_t> old(std::uint64_t{1} << (bits_ + 1), 0);
        old.swap(slots_);
        ++bits_;
        for (const std::uint64_t s : old)
            if (s != 0)
                for (std::size_t i = slot_of(static_cast<std::uint32_t>(s));; i = (i + 1) & (slots_.size() - 1))
                    if (slots_[i] == 0) {
                        slots_[i] = s;
                        break;
                    }
    }

    std::vector<std::uint64_t> slots_;
    int bits_ = 5;  // the first grow() makes 64 slots
    std::uint32_t count_ = 0;
};


/// seg_at from the tiles' column arrays: what the uncached reads take per synapse cell. A block
/// served by the single-row cache does without it (12 bytes per synapse), so it is built only
/// where the cache does not serve.
void crossbar_partition::fill_seg_at(tiled_block& tb) {
    tb.seg_at.resize(tb.seg_cols.size());
    for (const segment& sg : tb.segs) {
        const tile& T = tb.tiles[sg.tile];
        for (std::uint32_t c = sg.first; c < sg.end; ++c) {
            const std::uint16_t col = tb.seg_cols[c];
            tb.seg_at[c] = {T.target[col], T.z[col], T.position[col] + 1.0f};
        }
    }
}

/// With the sneak term: the block's code pairs interned up front, in the order the loop below
/// meets them (so the same indices), with their pair-table entries as that loop computes them, and
/// each column list's cells given their pair (tile::col_cell::pair): column_h and column_sneak
/// then read the pair table instead of scattered codes (most of the term's cost, `perf`).
void crossbar_partition::intern_pairs(tiled_block& tb, pair_interner& pairs) const {
    const double e0 = tb.e0;
    for (std::size_t c = 0; c < tb.seg_cols.size(); ++c) {
        const auto [index, fresh] = pairs.intern(std::uint32_t{tb.gp[c]} << 16 | tb.gm[c]);
        if (!fresh) continue;
        const double p = g_plus(tb, c) - e0, m = g_minus(tb, c) - e0;
        tb.pair_s.push_back(static_cast<float>(std::sqrt(2.0 * (1.0 * e0) * e0 + (p * (2.0 * e0 + p) + m * (2.0 * e0 + m)))));
        tb.pair_d.push_back({p, m, g_plus(tb, c) - g_minus(tb, c), p - m, p * (2.0 * e0 + p) + m * (2.0 * e0 + m)});
    }
    if (pairs.size() > 0x10000) return;  // the pair does not fit the column lists' 16 bits: they decode the codes
    for (tile& T : tb.tiles)
        for (std::size_t e = 0; e < T.col_cells.size(); ++e)
            T.col_cells[e].pair = static_cast<std::uint16_t>(pairs.intern(std::uint32_t{tb.gp[T.col_index[e]]} << 16 | tb.gm[T.col_index[e]]).first);
    tb.col_pairs = true;
}

/// Fills tb.one, tb.one_seg and the pair table, or clears them where they cannot serve: a
/// plastic block (its cells change between reads), a block outside the sparse read (not compact,
/// device variation, per-device drift clocks), a cell below e0 (none on nominal devices: e0 is
/// their lowest level); seg_at is then built for the uncached reads. Every value is computed with
/// read_tile_sparse's operations for K = 1, in its order (the column data as seg_at holds it),
/// so a cached read gives the values of the uncached one rounded once to float (the test "a
/// single driven row of a static block reads the first-order IR drop from its cache").
/// Longer than 80 lines: the pass over the segments computes what the records, the pair table
/// and the per-segment sums share (the decoded deltas and the sweep).
void crossbar_partition::cache_single_rows(tiled_block& tb) const {
    tb.one.clear();
    tb.one_seg.clear();
    tb.pair_s.clear();
    tb.pair_d.clear();
    tb.one_target.clear();
    tb.one_pair.clear();
    tb.col_pairs = false;
    tb.one_h.clear();
    const auto uncached = [&tb] {
        tb.one = {};
        tb.one_seg = {};
        tb.pair_s = {};
        tb.pair_d = {};
        tb.one_h = {};
        if (tb.seg_at.empty()) fill_seg_at(tb);
    };
    if (sneak_) sneak_bounds(tb);  // the codes may have changed (set_weights, a checkpoint)
    if (tb.plastic || !tb.compact || !sparse_ok_ || !tb.tp.empty()) return uncached();
    reserve_huge(tb.one, tb.seg_cols.size());  // the records every cached read streams (reserve_huge)
    reserve_huge(tb.one_seg, tb.segs.size());
    tb.one.resize(tb.seg_cols.size());
    tb.one_seg.resize(tb.segs.size());
    std::vector<std::uint32_t> target(tb.seg_cols.size()), pair(tb.seg_cols.size());
    std::uint32_t max_target = 0;
    pair_interner pairs;
    const double e0 = tb.e0, rho = s_.arr.r_wire * 1e-3, R = s_.arr.tile_rows;
    std::vector<double> dp, dm;
    if (sneak_) {
        intern_pairs(tb, pairs);
        tb.one_h.resize(tb.seg_cols.size());
    }
    for (std::size_t q = 0; q < tb.segs.size(); ++q) {
        const segment& sg = tb.segs[q];
        const tile& T = tb.tiles[sg.tile];
        const std::size_t n = sg.end - sg.first;
        dp.resize(n);
        dm.resize(n);
        double tp = 0.0, tm = 0.0, bp = 0.0, bm = 0.0;
        for (std::size_t e = 0; e < n; ++e) {  // read_tile_sparse's pass 1
            const std::uint32_t c = sg.first + static_cast<std::uint32_t>(e);
            dp[e] = g_plus(tb, c) - e0;
            dm[e] = g_minus(tb, c) - e0;
            if (dp[e] < 0.0 || dm[e] < 0.0) return uncached();  // below e0: the bounds on the drops do not hold
            tp += dp[e];
            tm += dm[e];
            const double j1 = T.position[tb.seg_cols[c]] + 1.0f;  // seg_at's j1
            bp += dp[e] * j1;
            bm += dm[e] * j1;
        }
        tb.one_seg[q] = {tp + tm, tp - tm, bp, bm};
        // ... and its hit-column loop for one row: w = R - i, sum_w = w, K e0 = e0.
        const double ri = R - sg.row, wk = 1.0 * ri + 0.0;
        one_row_sweep sweep{e0, 1.0 * e0, e0 * e0 * (0.0 + wk), 2.0 * e0 * wk, ri, rho, tp, tm};
        sweep.sa = e0 * one_row_sweep::others(R, sg.row);  // the sneak term's (read_tile_sparse's one-row loop)
        for (std::size_t h = 0; h < n; ++h) {
            const std::uint32_t c = sg.first + static_cast<std::uint32_t>(h);
            const std::uint16_t col = tb.seg_cols[c];
            double hp = 0.0, hm = 0.0;
            if (sneak_) {
                column_h(tb, T, col, sg.row, hp, hm);
                tb.one_h[c] = static_cast<float>(hp - hm);
            }
            const auto r = sneak_ ? sweep.next_sneak(T.position[col] + 1.0f, T.z[col], dp[h], dm[h], hp, hm)
                                  : sweep.next(T.position[col] + 1.0f, T.z[col], dp[h], dm[h]);
            const auto [index, fresh] = pairs.intern(std::uint32_t{tb.gp[c]} << 16 | tb.gm[c]);
            if (fresh) {  // the deviation and the deltas depend on the codes alone
                tb.pair_s.push_back(static_cast<float>(std::sqrt(r.var)));
                const double p = dp[h], m = dm[h];
                tb.pair_d.push_back({p, m, g_plus(tb, c) - g_minus(tb, c), p - m, p * (2.0 * e0 + p) + m * (2.0 * e0 + m)});
            }
            tb.one[c].x = static_cast<float>(r.x);
            target[c] = T.target[col];
            pair[c] = index;
            max_target = std::max(max_target, T.target[col]);
        }
    }
    if (max_target > 0xffff || pairs.size() > 0x10000) {  // the fallback: full-width fields beside the records
        tb.one_target = std::move(target);
        tb.one_pair = std::move(pair);
    } else {
        for (std::size_t c = 0; c < tb.one.size(); ++c) {
            tb.one[c].target = static_cast<std::uint16_t>(target[c]);
            tb.one[c].pair = static_cast<std::uint16_t>(pair[c]);
        }
    }
    tb.seg_at = {};  // the cached reads take their column data from the cache and the tiles
}

/// Several driven rows of a static block (read_tile_sparse, rows ascending in sorted_rows_): per
/// used column c that a driven row holds a synapse in (a hit column), the sums over those rows,
/// in col_acc_[c]: x = their cached single-row currents, corrected for what the other driven
/// rows add to the first-order bracket: the column wire's rise 2 e0 (w_k - (R - i_k)) (d+ - d-)
/// and 2 (R - i_k)(d+ D+_<k - d- D-_<k) (D_<k: the earlier rows' deltas in that column), and the
/// row's own drop at the cell, which cached_rows_columns' sweep over all rows counts again (so
/// added back here); p, m = D+, D-; sq as read_tile_sparse's SQ. Adds to `read` and `mu_max`;
/// returns the sum over the rows of delta+ - delta-, and in `nh` the number of hit columns, whose
/// bitmap it leaves in hit_bits_. The same first-order model: the test "several driven rows ..."
/// checks the sum against ir_drop.hpp's general routine. The cells' deltas come from the pair
/// table (the decoded codes, without loading them).
/// The sums are kept per used column, not per hit column: no bitmap pass over the cells before
/// this one to number the hit columns, and no lookup of a cell's number in the loop (its place
/// among the hit columns is found once, by cached_rows_columns). The same additions in the same
/// order as with per-hit-column sums, so the same bits.
double crossbar_partition::add_cached_rows(const tiled_block& tb, const tile& T, double& read, double& mu_max, std::size_t& nh) {
    const double diff_total = tb.wide() ? add_cached_rows_of<true>(tb, T, read, mu_max) : add_cached_rows_of<false>(tb, T, read, mu_max);
    nh = collect_hit_columns(T.cols);
    return diff_total;
}

namespace {

/// What add_cached_rows' cell loop reads, in locals: its byte store (the hit marks) may alias any
/// object, and a member or a vector's data() read through `this` would be loaded again per cell.
struct cached_rows_view {
    const pair_delta* pd;
    const double* j1;  // per used column: its physical position + 1 (seg_at's j1)
    const std::uint16_t* seg_cols;
    const single_row_cell* ones;
    const std::uint32_t *one_target, *one_pair;
    const float* one_h;
    crossbar_partition_column_acc* acc;
    std::uint32_t* col_target;
    std::uint8_t* col_hit;
    double e0, rho;
};

/// One driven row's cells into the column sums (add_cached_rows_of). The first row finds every
/// sum at 0: it stores 0 + its terms, which the general loop would add, without loading the
/// sums (p * 0 - m * 0 = +0 exactly for the finite deltas >= 0 of a cached block, and c2 >= 0;
/// p, m, sq >= 0 are their own sums with +0).
template <bool wide, bool first_row, bool sneak>
void add_cached_row(const cached_rows_view& v, std::uint32_t first, std::uint32_t end, double row_diff, double c1, double c2, double ri) {
    const double e0 = v.e0, rho = v.rho;
    double ld = 0.0, ldj = 0.0;  // over the row's cells left of c: delta+ - delta-, times (j + 1)
    for (std::uint32_t c = first; c < end; ++c) {
        const std::uint16_t col = v.seg_cols[c];
        const single_row_cell one = v.ones[c];
        const double j1 = v.j1[col];
        const pair_delta& pm = v.pd[wide ? v.one_pair[c] : one.pair];
        const double p = pm.p, m = pm.m, d = pm.d, sq = pm.sq;
        crossbar_partition_column_acc& a = v.acc[col];
        double x;
        if constexpr (first_row)
            x = 0.0 + (one.x + rho * (e0 * (ldj + j1 * (row_diff - ld)) - (c1 * d + 0.0)));
        else
            x = a.x + (one.x + rho * (e0 * (ldj + j1 * (row_diff - ld)) - (c1 * d + c2 * (p * a.p - m * a.m))));
        // The caller takes rho e0 sum_k H_k(c) over every driven row (column_sneak); a row with
        // a synapse here has its share in its cached current already: put it back.
        if constexpr (sneak) x += rho * e0 * (static_cast<double>(v.one_h[c]) + d * ri);
        if constexpr (first_row) {
            a = {x, p, m, sq};
        } else {
            a.x = x;
            a.p += p;
            a.m += m;
            a.sq += sq;
        }
        v.col_target[col] = wide ? v.one_target[c] : one.target;
        v.col_hit[col] = 0xff;
        ld += d;
        ldj += d * j1;
    }
}

} // namespace

template <bool wide>
double crossbar_partition::add_cached_rows_of(const tiled_block& tb, const tile& T, double& read, double& mu_max) {
    const std::size_t K = sorted_rows_.size();
    const double e0 = tb.e0, rho = s_.arr.r_wire * 1e-3, R = s_.arr.tile_rows;
    const cached_rows_view v{tb.pair_d.data(), j1_of(T), tb.seg_cols.data(), tb.one.data(), tb.one_target.data(), tb.one_pair.data(),
                             tb.one_h.data(), col_acc_.data(), col_target_.data(), col_hit_.data(), e0, rho};
    double after = 0.0, diff_total = 0.0, bp = 0.0, bm = 0.0;
    wk_.resize(K);
    for (std::size_t k = K; k-- > 0;) {  // w_k = sum_k' (R - max(i_k, i_k')), rows ascending
        const double ri = R - sorted_rows_[k].first;
        wk_[k] = static_cast<double>(k + 1) * ri + after;
        after += ri;
    }
    for (std::size_t k = 0; k < K; ++k) {
        const std::uint32_t seg = sorted_rows_[k].second;
        const segment& sg = tb.segs[seg];
        const single_row_segment& os = tb.one_seg[seg];
        read += os.read;
        bp += os.bp;
        bm += os.bm;
        diff_total += os.diff;
        // With the sneak term the cached currents hold every other cell of the column already
        // (sneak.cpp): no column cross terms between the driven rows then.
        const double ri = R - sorted_rows_[k].first, c1 = sneak_ ? 0.0 : 2.0 * e0 * (wk_[k] - ri), c2 = sneak_ ? 0.0 : 2.0 * ri;
        if (sneak_)
            k == 0 ? add_cached_row<wide, true, true>(v, sg.first, sg.end, os.diff, c1, c2, ri)
                   : add_cached_row<wide, false, true>(v, sg.first, sg.end, os.diff, c1, c2, ri);
        else
            k == 0 ? add_cached_row<wide, true, false>(v, sg.first, sg.end, os.diff, c1, c2, ri)
                   : add_cached_row<wide, false, false>(v, sg.first, sg.end, os.diff, c1, c2, ri);
    }
    // An empty column's drop difference sum_k (S+_k - S-_k) lies between -sum bm and sum bp
    // (every delta >= 0): a tighter bound than the sum over rows of max(bp_k, bm_k).
    mu_max += std::max(bp, bm);
    return diff_total;
}

/// Per used column of T, its physical position + 1 as a double: a full tile's from a table made
/// once, any other's converted into scratch (the cell loops then load it, without a conversion
/// on their chains).
const double* crossbar_partition::j1_of(const tile& T) {
    if (T.cols == j1_identity_.size()) return j1_identity_.data();
    for (std::uint32_t c = 0; c < T.cols; ++c) j1_scratch_[c] = static_cast<double>(T.position[c]) + 1.0;
    return j1_scratch_.data();
}

/// The hit columns that add_cached_rows marked in col_hit_ (the first `cols`), as the bitmap
/// hit_bits_; clears the marks. Returns their number. Sixteen marks per instruction (SSE2, part
/// of every x86-64 target), else one by one.
std::size_t crossbar_partition::collect_hit_columns(std::uint32_t cols) {
    std::uint8_t* const marks = col_hit_.data();
    std::size_t n = 0;
    for (std::size_t w = 0; 64 * w < cols; ++w) {
        std::uint64_t bits = 0;
        std::uint8_t* const m = marks + 64 * w;
#if defined(__SSE2__)
        for (int q = 0; q < 4; ++q) {
            auto* const v = reinterpret_cast<__m128i*>(m + 16 * q);
            bits |= static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_loadu_si128(v)))) << (16 * q);
            _mm_storeu_si128(v, _mm_setzero_si128());
        }
#else
        for (std::size_t b = 0; b < 64; ++b) {
            bits |= static_cast<std::uint64_t>(m[b] >> 7) << b;
            m[b] = 0;
        }
#endif
        hit_bits_[w] = bits;
        n += static_cast<std::size_t>(std::popcount(bits));
    }
    return n;
}

/// The several-row read's noiseless currents and variances per hit column, ascending (H, xs,
/// vs, hit_target_), from add_cached_rows' sums: X less the other rows' drops at each hit column,
/// rho e0 S(c), S of the drop difference of all rows (one sweep over the hit columns). Clears
/// the sums and the bitmap for the next read.
void crossbar_partition::cached_rows_columns(const tiled_block& tb, const tile& T, double diff_total, double drift, double ke0,
                                             std::uint16_t* H, double* xs, double* vs) {
    const double e0 = tb.e0, rho = s_.arr.r_wire * 1e-3;
    const double* const j1_col = j1_of(T);  // add_cached_rows left no cell_ref: j1 from the positions
    column_acc* const acc = col_acc_.data();
    const std::uint32_t* const col_target = col_target_.data();
    std::uint32_t* const target = hit_target_.data();
    double ld = 0.0, ldj = 0.0;  // over the hit columns left of h: D+ - D-, (D+ - D-)(j + 1)
    std::size_t h = 0;
    for (std::size_t w = 0; w < hit_bits_.size(); ++w) {
        for (std::uint64_t bits = hit_bits_[w]; bits != 0; bits &= bits - 1) {
            const auto c = static_cast<std::uint16_t>(64 * w + static_cast<std::size_t>(__builtin_ctzll(bits)));
            column_acc& a = acc[c];
            double x = a.x;
            if (sneak_) x -= rho * e0 * column_sneak(tb, T, c);  // the rows without a synapse at c see its synapse cells (sneak.cpp)
            const double j1 = j1_col[c], d = a.p - a.m;
            xs[h] = (x - rho * e0 * (ldj + j1 * (diff_total - ld))) * drift;
            vs[h] = 2.0 * ke0 * e0 + a.sq;
            ld += d;
            ldj += d * j1;
            H[h] = c;
            target[h] = col_target[c];
            a = column_acc{};
            ++h;
        }
        hit_bits_[w] = 0;
    }
}

/// The empty columns of a read of a cached block where thinning would not pay (many driven rows:
/// n_empty p_max > 4) or the bound on their means reaches half an LSB: each empty column c is
/// read as read_tile reads it, mean mu_c = -rho e0 sum_c' (D+ - D-)(c') (min(j_c, j_c') + 1)
/// (the driven rows' drop difference, one sweep over the used columns) plus read noise sigma_e Z,
/// one draw per empty column, then the ADC. Exact in distribution, as thinning is; cost: the used
/// columns and a draw per empty one, instead of the full read's rows x used columns.
void crossbar_partition::read_empty_columns(const tiled_block& tb, const tile& T, const std::uint16_t* H, std::size_t nh,
                                            double drift, double sigma_e, double* sum, input_buffer& in) {
    const std::uint32_t cols = T.cols;
    col_d_.assign(cols, 0.0);
    double total = 0.0;
    for (const auto& [row, seg] : sorted_rows_)
        for (std::uint32_t q = tb.segs[seg].first; q < tb.segs[seg].end; ++q) {
            const double d = tb.pair_d[tb.wide() ? tb.one_pair[q] : tb.one[q].pair].diff;  // decode(gp) - decode(gm), without their loads
            col_d_[tb.seg_cols[q]] += d;
            total += d;
        }
    const double mu_scale = -s_.arr.r_wire * 1e-3 * tb.e0 * drift;
    const std::uint16_t* position = positions(T);
    double ld = 0.0, ldj = 0.0;
    std::size_t h = 0;
    for (std::uint32_t c = 0; c < cols; ++c) {
        const double j1 = position[c] + 1.0;
        if (h < nh && H[h] == c) {
            ++h;
        } else {
            double x = mu_scale * (ldj + j1 * (total - ld)) + (sigma_e > 0.0 ? sigma_e * normal_(read_rng_) : 0.0);
            if (sneak_) x += mu_scale * column_sneak(tb, T, c);  // the grounded rows' share of its mean (sneak.cpp)
            const double v = convert(x, true);
            if (v != 0.0) touch(sum, in, T.target[c], v * tb.scale);
        }
        ld += col_d_[c];
        ldj += col_d_[c] * j1;
    }
}

/// The thinning of read_tile_sparse's empty columns past its first uniform u (above): skips
/// of floor(log u / log(1 - p_max)) empty columns, each candidate kept with probability p_c / p_max.
void crossbar_partition::thin_empty_columns(const tiled_block& tb, const tile& T, const std::uint16_t* H, std::size_t nh,
                                            std::size_t empty, double p_max, double u, double drift, double sigma_e, double* sum,
                                            input_buffer& in) {
    // No candidate, without logarithms, where u <= 1 - 2 n p_max (n = empty, p_max >= p0: the
    // read's own p_max in the test read_tile_sparse makes with p0): then -log u >= 2 n p_max
    // (less 2^-53, 1e-8 of it), and n (-log(1 - p_max)) <= 0.7 x 2 n p_max for p_max <= 1/2 (a
    // larger one fails the test), so the first skip's log u / log(1 - p_max) >= 1.4 n, far beyond
    // its rounding: it passes every empty column, as the exact skip below would.
    if (p_max >= thin_p0_ && u <= 1.0 - 2.0 * static_cast<double>(empty) * p_max) return;
    const double half = 0.5 * adc_lsb_signed_;
    const double log_keep = std::log1p(-p_max);
    double pos = -1.0;
    std::uint32_t c = 0;
    std::size_t h = 0;  // the hit columns before c
    for (bool first_skip = true;; first_skip = false) {
        if (!first_skip) u = read_rng_.uniform_open0();
        pos += 1.0 + std::floor(std::log(u) / log_keep);
        if (!(pos < static_cast<double>(empty))) break;
        // The column of empty index pos: pos + the hit columns before it (H ascending), found
        // by stepping over the hits rather than over every column (a branch per column).
        const auto p = static_cast<std::size_t>(pos);
        while (h < nh && H[h] <= p + h) ++h;
        c = static_cast<std::uint32_t>(p + h);
        const double mu = empty_column_mean(tb, T, c) * drift;
        const double up = 0.5 * std::erfc((half - mu) / (sigma_e * std::sqrt(2.0)));
        const double down = 0.5 * std::erfc((half + mu) / (sigma_e * std::sqrt(2.0)));
        if (read_rng_.uniform() * p_max < up + down) {
            const double x = read_rng_.uniform() * (up + down) < up ? mu + sigma_e * normal_tail(read_rng_, (half - mu) / sigma_e)
                                                                    : mu - sigma_e * normal_tail(read_rng_, (half + mu) / sigma_e);
            const double v = convert(x, true);
            if (v != 0.0) touch(sum, in, T.target[c], v * tb.scale);
        }
    }
}

} // namespace memspike::crossbar::detail
