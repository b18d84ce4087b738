// SPDX-License-Identifier: MIT
// The first-order sneak current through the grounded rows (array_params::sneak, docs/crossbar.md
// "Sneak currents"; decisions.md §38, §45). A read drives K rows of a tile and grounds the others;
// at first order every cell (i, j) of a used column, driven or grounded, loses g_ij V^c_ij, the
// column wire's rise, so a driven cell k loses rho g_kj h_kj with
//     h_kj = sum_i g_ij (R - max(i, i_k))   over every row of the tile (ir_drop.hpp, sneak_weights).
// Without the term the reads sum over the driven rows only. With it the column side is additive
// over the driven rows, and on nominal devices (every cell e0 but the synapse cells, e0 + delta)
// h is e0 sum_i (R - max(i, i_k)) plus a sum over the column's synapse cells: per tile a list of
// them per column (build_columns), walked at read time where a read needs it. What each read
// path does with it:
//  - one row of a static block: computed once into the single-row cache (cache_single_rows,
//    one_row_sweep::next_sneak with column_h); the uncached one-row read takes the same call;
//  - several rows of a static block: the cached currents already hold every other cell of the
//    column, so add_cached_rows drops its column cross terms, and the rows without a synapse in a
//    hit column add -rho e0 sum over its synapse cells of (delta+ - delta-)(R - max) (column_sneak,
//    less the rows with a synapse there, whose share the cache holds: tiled_block::one_h);
//  - several rows of any other block on the sparse read: the grounded rows' part added to the
//    driven-rows first order (sneak_several: add_sneak_first_order's formula);
//  - empty columns: mean -rho e0 sum_k (S_k + H_k) (column_sneak), bounded per tile for
//    thinning (sneak_bounds);
//  - the full read: every cell of the used columns, per read (sneak_full).
// Plastic blocks read the codes they hold at the read, so nothing goes stale when pulses move them.
#include <algorithm>
#include <cmath>

#include "partition.hpp"

namespace memspike::crossbar::detail {

/// Per tile, the synapse cells of each used column in ascending rows (tile::col_first, col_cells).
void crossbar_partition::build_columns(tiled_block& tb) const {
    for (tile& T : tb.tiles) T.col_first.assign(T.cols + 1, 0);
    for (const segment& sg : tb.segs)
        for (std::uint32_t q = sg.first; q < sg.end; ++q) ++tb.tiles[sg.tile].col_first[tb.seg_cols[q] + 1];
    for (tile& T : tb.tiles) {
        for (std::uint32_t c = 0; c < T.cols; ++c) T.col_first[c + 1] += T.col_first[c];
        T.col_cells.resize(T.col_first[T.cols]);
    }
    std::vector<std::vector<std::uint32_t>> fill(tb.tiles.size());
    std::vector<std::vector<std::uint64_t>> keys(tb.tiles.size());  // (row << 32 | cell) per column, sorted below
    for (std::size_t t = 0; t < tb.tiles.size(); ++t) {
        fill[t].assign(tb.tiles[t].col_first.begin(), tb.tiles[t].col_first.end() - 1);
        keys[t].resize(tb.tiles[t].col_first.back());
    }
    for (const segment& sg : tb.segs) {
        const tile& T = tb.tiles[sg.tile];
        for (std::uint32_t q = sg.first; q < sg.end; ++q) {
            const std::uint16_t col = tb.seg_cols[q];
            const std::uint64_t cell = tb.compact ? q : T.base + std::uint64_t{sg.row} * T.cols + col;
            keys[sg.tile][fill[sg.tile][col]++] = std::uint64_t{sg.row} << 32 | cell;
        }
    }
    for (std::size_t t = 0; t < tb.tiles.size(); ++t) {
        tile& T = tb.tiles[t];
        T.col_index.resize(keys[t].size());
        for (std::uint32_t c = 0; c < T.cols; ++c) std::sort(keys[t].begin() + T.col_first[c], keys[t].begin() + T.col_first[c + 1]);
        for (std::size_t e = 0; e < keys[t].size(); ++e) {
            T.col_cells[e] = {static_cast<std::uint16_t>(keys[t][e] >> 32), 0};
            T.col_index[e] = static_cast<std::uint32_t>(keys[t][e]);
        }
    }
}

/// tile::sneak_bound, sneak_sum: max over the used columns and both arrays of sum delta (R - i)
/// and of sum delta over the column's synapse cells; H_k(c) = sum delta (R - max(i, i_k)) lies
/// below both the first and (R - i_k) times the second (every delta >= 0 on nominal devices).
/// A plastic block's cells move, so it takes each cell at the device's highest conductance (plus
/// a code step: the nearest code may lie above g_max).
void crossbar_partition::sneak_bounds(tiled_block& tb) const {
    const double R = s_.arr.tile_rows;
    const double top = (s_.dev.g_max - tb.e0) * (1.0 + 1e-6) + (tb.exact ? 0.0 : tb.q);
    for (tile& T : tb.tiles) {
        T.sneak_bound = 0.0;
        T.sneak_sum = 0.0;
        for (std::uint32_t c = 0; c < T.cols; ++c) {
            double bp = 0.0, bm = 0.0, sp = 0.0, sm = 0.0;
            for (std::uint32_t e = T.col_first[c]; e < T.col_first[c + 1]; ++e) {
                const tile::col_cell& s = T.col_cells[e];
                const double w = R - s.row;
                const double p = tb.plastic ? top : std::max(g_plus(tb, T.col_index[e]) - tb.e0, 0.0);
                const double m = tb.plastic ? top : std::max(g_minus(tb, T.col_index[e]) - tb.e0, 0.0);
                bp += p * w;
                bm += m * w;
                sp += p;
                sm += m;
            }
            T.sneak_bound = std::max({T.sneak_bound, bp, bm});
            T.sneak_sum = std::max({T.sneak_sum, sp, sm});
        }
    }
}

/// hp, hm = sum over column c's synapse cells other than the one in `row` of delta (R - max(i, row)),
/// per array: the synapse cells' share of h for a single driven row (one_row_sweep::next_sneak).
/// The cache and the uncached one-row read both call it, so they get the same doubles.
void crossbar_partition::column_h(const tiled_block& tb, const tile& T, std::uint32_t c, std::uint32_t row, double& hp,
                                  double& hm) const {
    const double R = s_.arr.tile_rows, e0 = tb.e0;
    hp = 0.0;
    hm = 0.0;
    for (std::uint32_t e = T.col_first[c]; e < T.col_first[c + 1]; ++e) {
        const tile::col_cell& s = T.col_cells[e];
        if (s.row == row) continue;
        const double w = R - std::max<std::uint32_t>(s.row, row);
        if (tb.col_pairs) {  // the same doubles from the pair table (in L1) instead of scattered codes
            hp += tb.pair_d[s.pair].p * w;
            hm += tb.pair_d[s.pair].m * w;
        } else {
            hp += (g_plus(tb, T.col_index[e]) - e0) * w;
            hm += (g_minus(tb, T.col_index[e]) - e0) * w;
        }
    }
}

/// sum over the driven rows k (sorted_rows_) of H+_k(c) - H-_k(c), H_k(c) = sum over column c's
/// synapse cells of delta (R - max(i, i_k)): a driven row's e0 cell in column c loses rho e0 H_k(c)
/// per array (its e0^2 part cancels in G+ - G-). An empty column has no driven synapse cell, so this
/// is its whole sneak share: mean -rho e0 (sum_k S_k + this). A hit column of a cached several-row
/// read takes it for every row, and add_cached_rows puts back the share of the rows with a synapse
/// there (their cached currents hold it). One pass over the column's cells, K terms each.
double crossbar_partition::column_sneak(const tiled_block& tb, const tile& T, std::uint32_t c) const {
    if (!sneak_w_ready_) {  // once per read: W(i) = sum_k (R - max(i, i_k)), exact small integers
        const std::uint32_t R = s_.arr.tile_rows;
        sneak_w_.resize(R);
        for (std::uint32_t i = 0; i < R; ++i) {
            double w = 0.0;
            for (const auto& [row, seg] : sorted_rows_) w += static_cast<double>(R - std::max<std::uint32_t>(i, row));
            sneak_w_[i] = w;
        }
        sneak_w_ready_ = true;
    }
    const double* W = sneak_w_.data();
    double out = 0.0;
    if (tb.col_pairs) {
        const pair_delta* pd = tb.pair_d.data();
        for (std::uint32_t e = T.col_first[c]; e < T.col_first[c + 1]; ++e) out += pd[T.col_cells[e].pair].diff * W[T.col_cells[e].row];
    } else {
        for (std::uint32_t e = T.col_first[c]; e < T.col_first[c + 1]; ++e) {
            const tile::col_cell& s = T.col_cells[e];
            out += (g_plus(tb, T.col_index[e]) - g_minus(tb, T.col_index[e])) * W[s.row];
        }
    }
    return out;
}

/// The grounded rows' share of hit column c's G+ - G- over several driven rows (sorted_rows_, with
/// wk_[k] = sum_k' (R - max(i_k, i_k'))), divided by -rho: add_sneak_first_order's
/// sum_k c_k (h_k - hd_k) per array, with g = e0 + delta:
///     sum_k [e0 N_k (p_k - m_k) + e0 (H'+_k - H'-_k) + p_k H'+_k - m_k H'-_k],
/// N_k = sum over the grounded rows of (R - max(i, i_k)), H'_k the same sum of the grounded synapse
/// cells' deltas, p_k, m_k the deltas of row k's cell in column c (0 without one).
double crossbar_partition::sneak_several(const tiled_block& tb, const tile& T, std::uint32_t c) const {
    const std::size_t K = sorted_rows_.size();
    const double R = s_.arr.tile_rows, e0 = tb.e0;
    sneak_acc_.assign(4 * K, 0.0);
    double* p = sneak_acc_.data();
    double* m = p + K;
    double* hp = m + K;
    double* hm = hp + K;
    for (std::uint32_t e = T.col_first[c]; e < T.col_first[c + 1]; ++e) {
        const tile::col_cell& s = T.col_cells[e];
        const double dp = g_plus(tb, T.col_index[e]) - e0, dm = g_minus(tb, T.col_index[e]) - e0;
        std::size_t driven = K;
        for (std::size_t k = 0; k < K; ++k)
            if (sorted_rows_[k].first == s.row) driven = k;
        if (driven < K) {
            p[driven] = dp;
            m[driven] = dm;
            continue;
        }
        for (std::size_t k = 0; k < K; ++k) {
            const double w = R - std::max<double>(s.row, sorted_rows_[k].first);
            hp[k] += dp * w;
            hm[k] += dm * w;
        }
    }
    double out = 0.0;
    for (std::size_t k = 0; k < K; ++k) {
        const double i = sorted_rows_[k].first;
        const double n = (i + 1.0) * (R - i) + (R - i - 1.0) * (R - i) / 2.0 - wk_[k];  // all rows' (R - max) less the driven ones'
        out += e0 * n * (p[k] - m[k]) + e0 * (hp[k] - hm[k]) + (p[k] * hp[k] - m[k] * hm[k]);
    }
    return out;
}

/// The full read's sneak term (read_tile, after its IR drop): per array and used column,
/// ap[c] -= rho sum_k g_kc sum over the grounded rows i of g_ic (R - max(i, i_k)), with every cell
/// of the column decoded as decode_rows decodes the driven ones (float; drift per device where
/// each device has its own clock). Rows ascending (read_tile sorts them). Cost: every cell of the
/// used columns per read, ~R / K times the read without it; the full read serves device variation,
/// continuous devices, per-device drift, per-polarity or ideal ADCs, not the default device.
void crossbar_partition::sneak_full(const tiled_block& tb, const tile& T, double now_ms, double* ap, double* am) {
    const std::uint32_t R = s_.arr.tile_rows, cols = T.cols;
    const std::size_t K = active_.size();
    const double rho = s_.arr.r_wire * 1e-3;
    const auto g0 = static_cast<float>(tb.g0), q = static_cast<float>(tb.q);
    sneak_acc_.resize(R);
    double* g = sneak_acc_.data();
    for (int polarity = 0; polarity < 2; ++polarity) {
        const std::vector<std::uint16_t>& codes = polarity == 0 ? tb.gp : tb.gm;
        const std::vector<float>& floats = polarity == 0 ? tb.fp : tb.fm;
        const std::vector<float>& clock = polarity == 0 ? tb.tp : tb.tm;
        const std::vector<const float*>& rows = polarity == 0 ? row_p_ : row_m_;
        double* out = polarity == 0 ? ap : am;
        for (std::uint32_t c = 0; c < cols; ++c) {
            if (tb.compact) {  // e0 but at the column's synapse cells
                std::fill_n(g, R, static_cast<double>(g0 + q * static_cast<float>(tb.e0_code)));
                for (std::uint32_t e = T.col_first[c]; e < T.col_first[c + 1]; ++e)
                    g[T.col_cells[e].row] = g0 + q * static_cast<float>(codes[T.col_index[e]]);
            } else {
                for (std::uint32_t i = 0; i < R; ++i) {
                    const std::uint64_t cell = T.base + std::uint64_t{i} * cols + c;
                    float v = tb.exact ? floats[cell] : g0 + q * static_cast<float>(codes[cell]);
                    if (!clock.empty()) v = static_cast<float>(v * drift_factor(s_.dev, now_ms - clock[cell]));
                    g[i] = v;
                }
            }
            // One pass down the column: a = sum g, b = sum g (R - i) over the grounded rows so far.
            double b_total = 0.0;
            for (std::uint32_t i = 0; i < R; ++i) b_total += g[i] * (R - i);
            for (std::size_t k = 0; k < K; ++k) b_total -= g[active_[k]] * (R - active_[k]);
            double a = 0.0, b = 0.0, loss = 0.0;
            std::size_t k = 0;
            for (std::uint32_t i = 0; i < R && k < K; ++i) {
                if (i == active_[k]) {  // h_k less the driven rows: (R - i_k) a + the grounded rows below
                    loss += static_cast<double>(rows[k][c]) * ((R - i) * a + (b_total - b));
                    ++k;
                    continue;
                }
                a += g[i];
                b += g[i] * (R - i);
            }
            out[c] -= rho * loss;
        }
    }
}

} // namespace memspike::crossbar::detail
