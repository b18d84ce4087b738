// SPDX-License-Identifier: MIT
// The single-row reads of a static block (partition.hpp, cache_single_rows): most woken tiles of a
// spiking network have one driven row, and then read_tile_sparse's hit-column currents, their
// read-noise deviations and the empty columns' bound depend on that row's own cells alone. A
// static block computes them once here; the read then costs a draw, a product and an ADC
// conversion per hit column (issue 15, fourth step).
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
        const double ke0 = 1.0 * e0, e00 = e0 * e0 * (0.0 + wk), w2 = 2.0 * e0 * wk;
        double lp = 0.0, lpj = 0.0, lm = 0.0, lmj = 0.0;
        for (std::size_t h = 0; h < n; ++h) {
            const cell_ref& A = tb.seg_at[sg.first + h];
            const double j1 = A.j1, ez = e0 * A.z, p = dp[h], m = dm[h];
            const double sp = lpj + j1 * (tp - lp), sm = lmj + j1 * (tm - lm);
            const double gp = ke0 + p, gm = ke0 + m;
            const double op = gp - rho * (ez * gp + e0 * sp + p * (sp + w2 + ri * p) + e00);
            const double om = gm - rho * (ez * gm + e0 * sm + m * (sm + w2 + ri * m) + e00);
            lp += p;
            lpj += p * j1;
            lm += m;
            lmj += m * j1;
            tb.one[sg.first + h] = {A.target, static_cast<float>(op - om),
                                    static_cast<float>(std::sqrt(2.0 * ke0 * e0 + (p * (2.0 * e0 + p) + m * (2.0 * e0 + m))))};
        }
    }
}

} // namespace memspike::crossbar::detail
