// SPDX-License-Identifier: MIT
// The crossbar's read path (partition.hpp): an arriving spike drives its rows, each woken tile's
// used columns are read (column sums, IR drop, read noise, drift, ADC) into the target neurons.
// The hot loop of a crossbar run: deliver and everything it calls per tile stay in this one
// translation unit so that the compiler can inline them into it.
#include <cmath>

#include "memspike/core/model.hpp"
#include "partition.hpp"

namespace memspike::crossbar::detail {

std::uint64_t crossbar_partition::deliver(tick_t t, std::span<const spike_arrival> arrivals, const partition_view& part,
                      input_buffer& in) {
    std::uint64_t delivered = 0;
    part.for_each_range(t, arrivals, [&](std::uint32_t b, std::size_t k, synapse_block& block, std::uint64_t lo,
                                         std::uint64_t hi, const spike_arrival&) {
        tiled_block& tb = blocks_[b];
        if (tb.plastic)  // the rule has updated the range: program what changed
            for (std::uint64_t j = lo; j < hi; ++j) sync(tb, block, j, t);
        delivered += hi - lo;
        for (std::uint32_t row = tb.row_first[k]; row < tb.row_first[k + 1]; ++row)
            for (std::uint32_t q = tb.seg_first[row]; q < tb.seg_first[row + 1]; ++q) {
                const segment& sg = tb.segs[q];
                tile& T = tb.tiles[sg.tile];
                if (T.active.empty()) {
                    if (tb.woken.empty()) touched_blocks_.push_back(b);
                    tb.woken.push_back(sg.tile);
                }
                T.active.push_back(sg.row);
                for (std::uint32_t c = sg.first; c < sg.end; ++c) {
                    const std::uint16_t col = tb.seg_cols[c];
                    if (!T.hit[col]) {
                        T.hit[col] = 1;
                        T.hit_list.push_back(col);
                    }
                }
            }
    });
    const double drift = s_.dev.drift_nu > 0.0 ? drift_factor(s_.dev, s_.arr.drift_age + static_cast<double>(t) * h_) : 1.0;
    for (const std::uint32_t b : touched_blocks_) {
        tiled_block& tb = blocks_[b];
        double* sum = in.sum[part.blocks[b].port].data();
        const double now_ms = static_cast<double>(t) * h_;
        for (const std::uint32_t t_id : tb.woken) read_tile(tb, tb.tiles[t_id], tb.tp.empty() ? drift : 1.0, now_ms, sum, in);
        tb.woken.clear();
    }
    touched_blocks_.clear();
    return delivered;
}

/// One ADC conversion of x (conductance units, full scale `range`): ideal, or quantised
/// with clipping counted. Signed for the difference, unsigned per polarity.
double crossbar_partition::convert(double x, bool is_signed) {
    if (s_.arr.adc_bits == std::numeric_limits<double>::infinity()) return x;
    const double range = s_.arr.adc_range / s_.arr.v_read;  // pA / mV = nS
    const double half = std::ldexp(1.0, static_cast<int>(s_.arr.adc_bits) - (is_signed ? 1 : 0));
    const double lsb = range / half;
    const double lo = is_signed ? -half : 0.0, hi = half - 1.0;
    double code = std::nearbyint(x / lsb);
    if (code < lo || code > hi) {
        ++events_[adc_clipped];
        code = std::clamp(code, lo, hi);
    }
    return code * lsb;
}

/// Reads a woken tile: column currents over its driven rows, noise, drift, ADC, into `sum`.
void crossbar_partition::read_tile(tiled_block& tb, tile& T, double drift, double now_ms, double* sum, input_buffer& in) {
    const std::uint32_t cols = T.cols;
    double* ap = column_scratch_.data();  // sum of G+ over driven rows [nS]
    double* am = ap + cols;               // sum of G-
    double* sp = am + cols;               // sums of squares, for read noise
    double* sm = sp + cols;
    std::fill(ap, ap + 4 * cols, 0.0);
    const bool noisy = s_.dev.sigma_read > 0.0;
    // Row-major cells in ascending rows and columns take the IR-drop solver's path without a sort.
    if (s_.arr.r_wire > 0.0) std::sort(T.active.begin(), T.active.end());
    point_rows(tb, T, now_ms);
    for (std::size_t k = 0; k < T.active.size(); ++k) {
        const float* gp = row_p_[k];
        const float* gm = row_m_[k];
        for (std::uint32_t c = 0; c < cols; ++c) {
            ap[c] += gp[c];
            am[c] += gm[c];
        }
        if (noisy)
            for (std::uint32_t c = 0; c < cols; ++c) {
                sp[c] += static_cast<double>(gp[c]) * gp[c];
                sm[c] += static_cast<double>(gm[c]) * gm[c];
            }
    }
    for (std::uint32_t c = 0; c < cols; ++c) read_conductance_ += ap[c] + am[c];
    if (s_.arr.r_wire > 0.0) ir_drop(T, ap, am);

    const std::size_t rows = T.active.size();
    auto& e = events_;
    ++e[tiles_woken];
    e[row_drives] += rows;
    e[cell_reads] += 2 * rows * cols;
    e[adc_conversions] += std::uint64_t{cols} * (s_.arr.adc_per_polarity ? 2 : 1);
    for (std::uint32_t c = 0; c < cols; ++c) {
        double p = ap[c] * drift, m = am[c] * drift;
        if (noisy) {
            double zp = 0.0, zm = 0.0;
            read_rng_.normal_pair(zp, zm);
            p += s_.dev.sigma_read * std::sqrt(sp[c]) * drift * zp;
            m += s_.dev.sigma_read * std::sqrt(sm[c]) * drift * zm;
        }
        const double x = s_.arr.adc_per_polarity ? convert(p, false) - convert(m, false) : convert(p - m, true);
        if (x == 0.0 && !T.hit[c]) continue;
        const std::uint32_t i = T.target[c];
        sum[i] += x * tb.scale;
        if (!in.flag[i]) {
            in.flag[i] = 1;
            in.touched.push_back(i);
        }
    }
    T.active.clear();
    for (const std::uint16_t c : T.hit_list) T.hit[c] = 0;
    T.hit_list.clear();
}

/// Points row_p_ / row_m_ at the conductances of the tile's driven rows: the devices' own, or,
/// where each device has its own drift clock, copies scaled by its drift factor.
void crossbar_partition::point_rows(const tiled_block& tb, const tile& T, double now_ms) {
    const std::size_t n = T.active.size(), cols = T.cols;
    row_p_.resize(n);
    row_m_.resize(n);
    if (tb.tp.empty()) {
        for (std::size_t k = 0; k < n; ++k) {
            row_p_[k] = tb.gp.data() + T.base + std::uint64_t{T.active[k]} * cols;
            row_m_[k] = tb.gm.data() + T.base + std::uint64_t{T.active[k]} * cols;
        }
        return;
    }
    drifted_.resize(2 * n * cols);
    for (std::size_t k = 0; k < n; ++k) {
        const std::uint64_t first = T.base + std::uint64_t{T.active[k]} * cols;
        float* p = drifted_.data() + 2 * k * cols;
        float* m = p + cols;
        for (std::size_t c = 0; c < cols; ++c) {
            p[c] = static_cast<float>(tb.gp[first + c] * drift_factor(s_.dev, now_ms - tb.tp[first + c]));
            m[c] = static_cast<float>(tb.gm[first + c] * drift_factor(s_.dev, now_ms - tb.tm[first + c]));
        }
        row_p_[k] = p;
        row_m_[k] = m;
    }
}

/// Replaces the ideal column sums by first-order IR-drop currents, per array: the model of
/// ir_drop.hpp (column_currents_first_order, see docs/crossbar-ir-drop.md) applied to the
/// driven rows' cells, written for this case so that a read costs driven rows x used columns
/// with no per-tile setup. Rows are ascending (read_tile sorted them); used columns ascend in
/// position by construction. The test "IR drop delivers the first-order column currents"
/// checks it against the general routine.
void crossbar_partition::ir_drop(const tile& T, double* ap, double* am) {
    const double v = s_.arr.v_read * 1e-3;  // V
    const double r = s_.arr.r_wire * 1e6;   // ohm
    const std::uint32_t cols = T.cols;
    const double rows_total = s_.arr.tile_rows;
    double* w = column_scratch_.data() + 4 * std::size_t{cols};  // W_j = sum_i c_ij (R - i)
    double* qc = w + cols;                                        // sum over rows passed of c_ij
    ir_qci_.assign(cols, 0.0);                                    //   ... of c_ij i
    for (int polarity = 0; polarity < 2; ++polarity) {
        const std::vector<const float*>& rows = polarity == 0 ? row_p_ : row_m_;
        double* out = polarity == 0 ? ap : am;
        std::fill(w, w + 2 * std::size_t{cols}, 0.0);
        std::fill(ir_qci_.begin(), ir_qci_.end(), 0.0);
        ir_row_total_.assign(rows.size(), 0.0);
        for (std::size_t k = 0; k < rows.size(); ++k) {  // pass 1: totals of the ideal currents c = g v
            const double weight = rows_total - T.active[k];
            for (std::uint32_t c = 0; c < cols; ++c) {
                const double cur = rows[k][c] * 1e-9 * v;
                ir_row_total_[k] += cur;
                w[c] += cur * weight;
            }
        }
        std::fill(out, out + cols, 0.0);
        for (std::size_t k = 0; k < rows.size(); ++k) {  // pass 2: each cell's voltage, corrected once
            const double i = T.active[k];
            double pc = 0.0, pcj = 0.0;  // sums over this row's cells at lower columns of c and c j
            for (std::uint32_t c = 0; c < cols; ++c) {
                const double j = T.position[c], g = rows[k][c] * 1e-9, cur = g * v;
                const double drop = r * ((j + 1.0) * ir_row_total_[k] - (j * pc - pcj));
                const double rise = r * (w[c] - (i * qc[c] - ir_qci_[c]));
                out[c] += g * (v - drop - rise);
                pc += cur;
                pcj += cur * j;
                qc[c] += cur;
                ir_qci_[c] += cur * i;
            }
        }
        for (std::uint32_t c = 0; c < cols; ++c) out[c] = out[c] / v * 1e9;  // back to nS
    }
}

} // namespace memspike::crossbar::detail
