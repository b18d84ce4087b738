// SPDX-License-Identifier: MIT
// The crossbar's full read (partition.hpp): every used column of a woken tile over its driven rows,
// decoded cell by cell (device variation, faults, continuous devices, per-device drift clocks,
// ADC per polarity, an ideal ADC), with the first-order IR drop of the driven cells. The default
// device takes read_tile_sparse (read_path.cpp) instead; this path is out of its hot loop.
#include <algorithm>
#include <cmath>

#include "partition.hpp"

namespace memspike::crossbar::detail {

/// Marks the tile's hit columns (T.hit, T.hit_list): those where a driven row holds a synapse.
void crossbar_partition::mark_hits(const tiled_block& tb, tile& T) {
    for (const std::uint32_t q : active_seg_)
        for (std::uint32_t c = tb.segs[q].first; c < tb.segs[q].end; ++c) {
            const std::uint16_t col = tb.seg_cols[c];
            if (!T.hit[col]) {
                T.hit[col] = 1;
                T.hit_list.push_back(col);
            }
        }
}

/// Reads a woken tile: column currents over its driven rows, noise, drift, ADC, into `sum`.
void crossbar_partition::read_tile(tiled_block& tb, tile& T, double drift, double now_ms, double* sum, input_buffer& in) {
    if (T.hit_list.empty()) mark_hits(tb, T);
    const std::uint32_t cols = T.cols;
    const std::size_t rows = active_.size();
    double* ap = column_scratch_.data();  // sum of G+ over driven rows [nS]
    double* am = ap + cols;               // sum of G-
    double* sp = am + cols;               // sums of squares, for read noise
    double* sm = sp + cols;
    const bool noisy = s_.dev.sigma_read > 0.0;
    // Row-major cells in ascending rows and columns take the IR-drop solver's path without a sort.
    // The rows' segments move with them (decode_rows of a compact block reads them).
    if (s_.arr.r_wire > 0.0 && rows > 1) {
        sorted_rows_.resize(rows);
        for (std::size_t k = 0; k < rows; ++k) sorted_rows_[k] = {active_[k], active_seg_[k]};
        std::sort(sorted_rows_.begin(), sorted_rows_.end());
        for (std::size_t k = 0; k < rows; ++k) {
            active_[k] = sorted_rows_[k].first;
            active_seg_[k] = sorted_rows_[k].second;
        }
    }
    decode_rows(tb, T, now_ms);
    {
        const float* gp = row_p_[0];
        const float* gm = row_m_[0];
        for (std::uint32_t c = 0; c < cols; ++c) {
            ap[c] = gp[c];
            am[c] = gm[c];
            sp[c] = static_cast<double>(gp[c]) * gp[c];
            sm[c] = static_cast<double>(gm[c]) * gm[c];
        }
    }
    for (std::size_t k = 1; k < rows; ++k) {
        const float* gp = row_p_[k];
        const float* gm = row_m_[k];
        for (std::uint32_t c = 0; c < cols; ++c) {
            ap[c] += gp[c];
            am[c] += gm[c];
            sp[c] += static_cast<double>(gp[c]) * gp[c];
            sm[c] += static_cast<double>(gm[c]) * gm[c];
        }
    }
    double read = 0.0;
    for (std::uint32_t c = 0; c < cols; ++c) read += ap[c] + am[c];
    read_conductance_ += read;
    if (s_.arr.r_wire > 0.0) {
        if (rows == 1)
            ir_drop_one_row(T, ap, am);
        else
            ir_drop(T, ap, am);
        if (sneak_) sneak_full(tb, T, now_ms, ap, am);  // the grounded rows (sneak.cpp)
    }

    auto& e = events_;
    ++e[tiles_woken];
    e[row_drives] += rows;
    e[cell_reads] += 2 * rows * cols;
    e[adc_conversions] += std::uint64_t{cols} * (s_.arr.adc_per_polarity ? 2 : 1);
    e[adc_rounds] += adc_rounds_of(cols) * (s_.arr.adc_per_polarity ? 2 : 1);
    const double sigma = s_.dev.sigma_read * drift;
    for (std::uint32_t c = 0; c < cols; ++c) {
        const double p = ap[c] * drift, m = am[c] * drift;
        double x;
        if (s_.arr.adc_per_polarity) {
            const double zp = noisy ? normal_(read_rng_) : 0.0;
            const double zm = noisy ? normal_(read_rng_) : 0.0;
            x = convert(p + sigma * std::sqrt(sp[c]) * zp, false) - convert(m + sigma * std::sqrt(sm[c]) * zm, false);
        } else {
            // The ADC sees only G+ - G-: the two devices' independent Gaussian read noises add up
            // to one Gaussian of variance sigma^2 (sum G+^2 + sum G-^2), drawn once.
            x = convert(noisy ? p - m + sigma * std::sqrt(sp[c] + sm[c]) * normal_(read_rng_) : p - m, true);
        }
        if (x == 0.0 && !T.hit[c]) continue;
        touch(sum, in, T.target[c], x * tb.scale);
    }
    for (const std::uint16_t c : T.hit_list) T.hit[c] = 0;
    T.hit_list.clear();
}

/// Decodes the tile's driven rows into rows_ and points row_p_ / row_m_ at them: G = g0 + q code
/// (or the stored float of a continuous device), times each device's own drift factor where each
/// device has its own drift clock.
void crossbar_partition::decode_rows(const tiled_block& tb, const tile& T, double now_ms) {
    const std::size_t n = active_.size(), cols = T.cols;
    row_p_.resize(n);
    row_m_.resize(n);
    rows_.resize(2 * n * cols);
    const auto g0 = static_cast<float>(tb.g0), q = static_cast<float>(tb.q);
    for (std::size_t k = 0; k < n; ++k) {
        const std::uint64_t first = T.base + std::uint64_t{active_[k]} * cols;
        float* p = rows_.data() + 2 * k * cols;
        float* m = p + cols;
        if (tb.exact) {
            std::copy_n(tb.fp.data() + first, cols, p);
            std::copy_n(tb.fm.data() + first, cols, m);
        } else if (tb.compact) {  // e0 everywhere but at the row's synapse cells
            std::fill_n(p, cols, g0 + q * static_cast<float>(tb.e0_code));
            std::fill_n(m, cols, g0 + q * static_cast<float>(tb.e0_code));
            const segment& sg = tb.segs[active_seg_[k]];
            for (std::uint32_t e = sg.first; e < sg.end; ++e) {
                p[tb.seg_cols[e]] = g0 + q * static_cast<float>(tb.gp[e]);
                m[tb.seg_cols[e]] = g0 + q * static_cast<float>(tb.gm[e]);
            }
        } else {
            const std::uint16_t* cp = tb.gp.data() + first;
            const std::uint16_t* cm = tb.gm.data() + first;
            for (std::size_t c = 0; c < cols; ++c) {
                p[c] = g0 + q * static_cast<float>(cp[c]);
                m[c] = g0 + q * static_cast<float>(cm[c]);
            }
        }
        if (!tb.tp.empty())
            for (std::size_t c = 0; c < cols; ++c) {
                p[c] = static_cast<float>(p[c] * drift_factor(s_.dev, now_ms - tb.tp[first + c]));
                m[c] = static_cast<float>(m[c] * drift_factor(s_.dev, now_ms - tb.tm[first + c]));
            }
        row_p_[k] = p;
        row_m_[k] = m;
    }
}

/// ir_drop for a single driven row i: each cell's current g (1 - rho D_j - rho g (R - i)) [nS of
/// V_read], where D_j = (j + 1) T - sum_{j' < j} g_j' (j - j') is the row wire's drop (T: the row's
/// total) and g (R - i) the column wire's rise under the cell itself (no other row drives it).
/// The same first-order model as ir_drop with one row, in one pass per polarity. Most woken tiles
/// of a spiking network have exactly one driven row.
void crossbar_partition::ir_drop_one_row(const tile& T, double* ap, double* am) const {
    const double rho = s_.arr.r_wire * 1e-3;  // MOhm x nS = 1e-3
    const std::uint32_t cols = T.cols;
    const double below = static_cast<double>(s_.arr.tile_rows) - active_[0];
    for (double* out : {ap, am}) {
        double total = 0.0;
        for (std::uint32_t c = 0; c < cols; ++c) total += out[c];
        double pc = 0.0, pcj = 0.0;  // sums over the lower columns of g and g j
        for (std::uint32_t c = 0; c < cols; ++c) {
            const double j = T.position[c], g = out[c];
            const double drop = (j + 1.0) * total - (j * pc - pcj);
            out[c] = g * (1.0 - rho * (drop + g * below));
            pc += g;
            pcj += g * j;
        }
    }
}

/// Replaces the ideal column sums by first-order IR-drop currents, per array: the model of
/// ir_drop.hpp (column_currents_first_order, see docs/crossbar-ir-drop.md) applied to the
/// driven rows' cells, written for this case so that a read costs driven rows x used columns
/// with no per-tile setup. Rows are ascending (read_tile sorted them); used columns ascend in
/// position by construction. Units: nS of V_read (the voltage cancels; rho = r_wire x 1 nS).
/// The test "IR drop delivers the first-order column currents" checks it against the general
/// routine.
void crossbar_partition::ir_drop(const tile& T, double* ap, double* am) {
    const double rho = s_.arr.r_wire * 1e-3;  // MOhm x nS = 1e-3
    const std::uint32_t cols = T.cols;
    const double rows_total = s_.arr.tile_rows;
    double* w = column_scratch_.data() + 4 * std::size_t{cols};  // W_j = sum_i g_ij (R - i)
    double* qc = w + cols;                                        // sum over rows passed of g_ij
    ir_qci_.resize(cols);                                         //   ... of g_ij i
    for (int polarity = 0; polarity < 2; ++polarity) {
        const std::vector<const float*>& rows = polarity == 0 ? row_p_ : row_m_;
        double* out = polarity == 0 ? ap : am;
        std::fill(w, w + 2 * std::size_t{cols}, 0.0);
        std::fill(ir_qci_.begin(), ir_qci_.end(), 0.0);
        ir_row_total_.assign(rows.size(), 0.0);
        for (std::size_t k = 0; k < rows.size(); ++k) {  // pass 1: totals of the ideal currents
            const double weight = rows_total - active_[k];
            double total = 0.0;
            for (std::uint32_t c = 0; c < cols; ++c) {
                const double g = rows[k][c];
                total += g;
                w[c] += g * weight;
            }
            ir_row_total_[k] = total;
        }
        std::fill(out, out + cols, 0.0);
        for (std::size_t k = 0; k < rows.size(); ++k) {  // pass 2: each cell's voltage, corrected once
            const double i = active_[k], total = ir_row_total_[k];
            double pc = 0.0, pcj = 0.0;  // sums over this row's cells at lower columns of g and g j
            for (std::uint32_t c = 0; c < cols; ++c) {
                const double j = T.position[c], g = rows[k][c];
                const double drop = (j + 1.0) * total - (j * pc - pcj);
                const double rise = w[c] - (i * qc[c] - ir_qci_[c]);
                out[c] += g * (1.0 - rho * (drop + rise));
                pc += g;
                pcj += g * j;
                qc[c] += g;
                ir_qci_[c] += g * i;
            }
        }
    }
}

} // namespace memspike::crossbar::detail
