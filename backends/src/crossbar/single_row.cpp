// SPDX-License-Identifier: MIT
// The single-row reads of a static block (partition.hpp, cache_single_rows): most woken tiles of a
// spiking network have one driven row, and then read_tile_sparse's hit-column currents, their
// read-noise deviations and the empty columns' bound depend on that row's own cells alone. A
// static block computes them once here; the read then costs a draw, a product and an ADC
// conversion per hit column (issue 15, fourth step). Also here, called by read_tile_sparse for
// cached blocks: several rows' sums from the cache (add_cached_rows) and the empty columns read
// one by one (read_empty_columns).
#include <cmath>

#include "partition.hpp"

namespace memspike::crossbar::detail {

/// Fills tb.one and tb.one_seg, or clears them where they cannot serve: a plastic block (its
/// cells change between reads), a block outside the sparse read (not compact, device variation,
/// per-device drift clocks), a cell below e0 (none on nominal devices: e0 is their lowest level). Every value is computed with read_tile_sparse's operations for K = 1,
/// in its order, so a cached read gives the same bits as the uncached one (the test "the
/// single-row cache reads as the sweep does" compares them).
void crossbar_partition::cache_single_rows(tiled_block& tb) const {
    tb.one.clear();
    tb.one_seg.clear();
    if (tb.plastic || !tb.compact || !sparse_ok_ || !tb.tp.empty()) return;
    tb.one.resize(tb.seg_cols.size());
    tb.one_seg.resize(tb.segs.size());
    const double e0 = tb.e0, rho = s_.arr.r_wire * 1e-3, R = s_.arr.tile_rows;
    std::vector<double> dp, dm;
    for (std::size_t q = 0; q < tb.segs.size(); ++q) {
        const segment& sg = tb.segs[q];
        const std::size_t n = sg.end - sg.first;
        dp.resize(n);
        dm.resize(n);
        double tp = 0.0, tm = 0.0, bp = 0.0, bm = 0.0;
        for (std::size_t e = 0; e < n; ++e) {  // read_tile_sparse's pass 1
            const std::uint32_t c = sg.first + static_cast<std::uint32_t>(e);
            dp[e] = g_plus(tb, c) - e0;
            dm[e] = g_minus(tb, c) - e0;
            if (dp[e] < 0.0 || dm[e] < 0.0) {  // below e0: the bounds on the drops do not hold (not on nominal devices)
                tb.one.clear();
                tb.one_seg.clear();
                return;
            }
            tp += dp[e];
            tm += dm[e];
            const double j1 = tb.seg_at[c].j1;
            bp += dp[e] * j1;
            bm += dm[e] * j1;
        }
        tb.one_seg[q] = {tp + tm, tp - tm, bp, bm};
        // ... and its hit-column loop for one row: w = R - i, sum_w = w, K e0 = e0.
        const double ri = R - sg.row, wk = 1.0 * ri + 0.0;
        one_row_sweep sweep{e0, 1.0 * e0, e0 * e0 * (0.0 + wk), 2.0 * e0 * wk, ri, rho, tp, tm};
        for (std::size_t h = 0; h < n; ++h) {
            const cell_ref& A = tb.seg_at[sg.first + h];
            const auto col = sweep.next(A.j1, A.z, dp[h], dm[h]);
            tb.one[sg.first + h] = {A.target, static_cast<float>(col.x), static_cast<float>(std::sqrt(col.var))};
        }
    }
}

/// Several driven rows of a static block (read_tile_sparse, rows ascending in sorted_rows_, the
/// hit columns' places in hit_index_): per hit column h, X[h] = the sum over the rows with a
/// synapse there of their cached single-row currents, corrected for what the other driven rows
/// add to the first-order bracket: the column wire's rise 2 e0 (w_k - (R - i_k)) (d+ - d-) and
/// 2 (R - i_k)(d+ D+_<k - d- D-_<k) (D_<k: the earlier rows' deltas in that column), and the
/// row's own drop at the cell, which the caller's sweep over all rows counts again (so added back
/// here). D+, D- and SQ as in read_tile_sparse. Adds to `read` and `mu_max`; returns the sum over
/// the rows of delta+ - delta-. The same first-order model: the test "several driven rows ..."
/// checks the sum against ir_drop.hpp's general routine.
double crossbar_partition::add_cached_rows(const tiled_block& tb, const tile& T, double* X, double* Dp, double* Dm, double* SQ,
                                           double& read, double& mu_max) {
    const std::size_t K = sorted_rows_.size();
    const double e0 = tb.e0, rho = s_.arr.r_wire * 1e-3, R = s_.arr.tile_rows;
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
        const double ri = R - sorted_rows_[k].first, c1 = 2.0 * e0 * (wk_[k] - ri), c2 = 2.0 * ri;
        double ld = 0.0, ldj = 0.0;  // over the row's cells left of c: delta+ - delta-, times (j + 1)
        for (std::uint32_t c = sg.first; c < sg.end; ++c) {
            const std::size_t h = hit_index_[tb.seg_cols[c]];
            const single_row_cell& one = tb.one[c];
            const float j1f = static_cast<float>(T.position[tb.seg_cols[c]]) + 1.0f;  // seg_at's j1, from the tile
            hit_ref_[h] = {one.target, 0.0f, j1f};  // (z is not read on this path)
            const double j1 = j1f;
            const double p = decode(tb, tb.gp[c]) - e0, m = decode(tb, tb.gm[c]) - e0, d = p - m;
            X[h] += one.x + rho * (e0 * (ldj + j1 * (os.diff - ld)) - (c1 * d + c2 * (p * Dp[h] - m * Dm[h])));
            Dp[h] += p;
            Dm[h] += m;
            SQ[h] += p * (2.0 * e0 + p) + m * (2.0 * e0 + m);
            ld += d;
            ldj += d * j1;
        }
    }
    // An empty column's drop difference sum_k (S+_k - S-_k) lies between -sum bm and sum bp
    // (every delta >= 0): a tighter bound than the sum over rows of max(bp_k, bm_k).
    mu_max += std::max(bp, bm);
    return diff_total;
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
            const double d = decode(tb, tb.gp[q]) - decode(tb, tb.gm[q]);
            col_d_[tb.seg_cols[q]] += d;
            total += d;
        }
    const double mu_scale = -s_.arr.r_wire * 1e-3 * tb.e0 * drift;
    double ld = 0.0, ldj = 0.0;
    std::size_t h = 0;
    for (std::uint32_t c = 0; c < cols; ++c) {
        const double j1 = T.position[c] + 1.0;
        if (h < nh && H[h] == c) {
            ++h;
        } else {
            const double x = mu_scale * (ldj + j1 * (total - ld)) + (sigma_e > 0.0 ? sigma_e * normal_(read_rng_) : 0.0);
            const double v = convert(x, true);
            if (v != 0.0) touch(sum, in, T.target[c], v * tb.scale);
        }
        ld += col_d_[c];
        ldj += col_d_[c] * j1;
    }
}

} // namespace memspike::crossbar::detail
