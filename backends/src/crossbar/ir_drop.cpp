// SPDX-License-Identifier: MIT
// IR drop in a resistive crossbar: see ir_drop.hpp for the array model and the equations, and
// docs/crossbar.md ("IR drop") for the derivation of the first-order model and its errors.
#include "memspike/backends/crossbar/ir_drop.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include <Eigen/SparseCore>
#include <Eigen/SparseLU>

#include "memspike/core/errors.hpp"

namespace memspike::crossbar {
namespace {

constexpr const char* owner = "crossbar ir_drop";

std::string num(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", x);
    return buf;
}

/// Shape and value checks shared by every entry point. O(cells + R): cheap next to any solve.
void check_inputs(std::uint32_t rows, std::uint32_t cols, std::span<const array_cell> cells,
                  std::span<const double> v_row, std::size_t out_size) {
    if (v_row.size() != rows)
        throw invalid_parameter(owner, "v_row.size()", std::to_string(v_row.size()),
                                "must equal rows = " + std::to_string(rows));
    if (out_size != cols)
        throw invalid_parameter(owner, "out.size()", std::to_string(out_size),
                                "must equal cols = " + std::to_string(cols));
    if (cells.size() >= std::numeric_limits<std::uint32_t>::max())
        throw invalid_parameter(owner, "cells.size()", std::to_string(cells.size()), "must be < 2^32 - 1");
    for (std::size_t i = 0; i < v_row.size(); ++i)
        if (!std::isfinite(v_row[i]))
            throw invalid_parameter(owner, "v_row[" + std::to_string(i) + "]", num(v_row[i]) + " V",
                                    "must be finite");
    for (std::size_t k = 0; k < cells.size(); ++k) {
        const auto& c = cells[k];
        if (c.row < rows && c.col < cols && std::isfinite(c.g) && c.g >= 0.0) continue;
        const std::string at = "cells[" + std::to_string(k) + "]";
        if (c.row >= rows)
            throw invalid_parameter(owner, at + ".row", std::to_string(c.row),
                                    "must be < rows = " + std::to_string(rows));
        if (c.col >= cols)
            throw invalid_parameter(owner, at + ".col", std::to_string(c.col),
                                    "must be < cols = " + std::to_string(cols));
        if (!std::isfinite(c.g) || c.g < 0.0)
            throw invalid_parameter(owner, at + ".g", num(c.g) + " S", "must be finite and >= 0");
    }
}

void check_r(double r_wire) {
    if (!std::isfinite(r_wire) || r_wire < 0.0)
        throw invalid_parameter(owner, "r_wire", num(r_wire) + " Ohm", "must be finite and >= 0");
}

/// True when every row's cells have non-decreasing columns and every column's cells
/// non-decreasing rows: the order the single pass of the first-order model needs.
bool pass_order_ok(std::uint32_t rows, std::span<const array_cell> cells, std::vector<std::uint32_t>& last) {
    std::fill(last.begin(), last.end(), 0u);
    for (const auto& c : cells) {
        std::uint32_t& lc = last[c.row];         // last column seen in this row
        std::uint32_t& lr = last[rows + c.col];  // last row seen in this column
        if (c.col < lc || c.row < lr) return false;
        lc = c.col;
        lr = c.row;
    }
    return true;
}

/// Row-major permutation of the cells by a two-pass LSD counting sort (column, then row; both
/// stable), O(cells + R + C), into ws.order. Uses only workspace memory.
void sort_row_major(std::uint32_t rows, std::uint32_t cols, std::span<const array_cell> cells,
                    ir_workspace& ws) {
    const std::size_t n = cells.size();
    ws.order.resize(n);
    ws.scratch.resize(n + std::max(rows, cols) + 1);
    std::uint32_t* by_col = ws.scratch.data();
    std::uint32_t* count = ws.scratch.data() + n;

    std::fill(count, count + cols + 1, 0u);
    for (const auto& c : cells) ++count[c.col + 1];
    for (std::uint32_t j = 0; j < cols; ++j) count[j + 1] += count[j];
    for (std::uint32_t k = 0; k < n; ++k) by_col[count[cells[k].col]++] = k;

    std::fill(count, count + rows + 1, 0u);
    for (const auto& c : cells) ++count[c.row + 1];
    for (std::uint32_t i = 0; i < rows; ++i) count[i + 1] += count[i];
    for (std::size_t m = 0; m < n; ++m) {
        const std::uint32_t k = by_col[m];
        ws.order[count[cells[k].row]++] = k;
    }
}

} // namespace

void column_currents_ideal(std::uint32_t rows, std::uint32_t cols, std::span<const array_cell> cells,
                           std::span<const double> v_row, std::span<double> out) {
    check_inputs(rows, cols, cells, v_row, out.size());
    std::fill(out.begin(), out.end(), 0.0);
    for (const auto& c : cells) out[c.col] += v_row[c.row] * c.g;
}

nodal_voltages solve_nodal(std::uint32_t rows, std::uint32_t cols, std::span<const array_cell> cells,
                           std::span<const double> v_row, double r_wire) {
    check_inputs(rows, cols, cells, v_row, cols);
    check_r(r_wire);
    const std::size_t rc = std::size_t{rows} * cols;
    nodal_voltages out;
    out.row_wire.assign(rc, 0.0);
    out.col_wire.assign(rc, 0.0);
    if (r_wire == 0.0) {  // ideal wires: every row node sits at its driver, every column node at 0 V
        for (std::size_t n = 0; n < rc; ++n) out.row_wire[n] = v_row[n / cols];
        return out;
    }
    if (rc == 0) return out;

    // Unknowns: row-wire node (i,j) -> i*C + j; column-wire node (i,j) -> R*C + i*C + j.
    // Every node reaches a fixed voltage through wire segments, so the matrix is nonsingular.
    const double gw = 1.0 / r_wire;  // wire segment conductance [S]
    using index = Eigen::Index;
    std::vector<Eigen::Triplet<double>> t;
    t.reserve(4 * rc * 3 + 4 * cells.size());
    Eigen::VectorXd rhs = Eigen::VectorXd::Zero(static_cast<index>(2 * rc));
    const auto stamp = [&t](index a, index b, double g) {  // conductance g between nodes a and b
        t.emplace_back(a, a, g);
        t.emplace_back(b, b, g);
        t.emplace_back(a, b, -g);
        t.emplace_back(b, a, -g);
    };
    const auto rnode = [cols](std::size_t i, std::size_t j) { return static_cast<index>(i * cols + j); };
    const auto cnode = [cols, rc](std::size_t i, std::size_t j) { return static_cast<index>(rc + i * cols + j); };
    for (std::uint32_t i = 0; i < rows; ++i) {
        t.emplace_back(rnode(i, 0), rnode(i, 0), gw);  // driver segment
        rhs[rnode(i, 0)] += gw * v_row[i];
        for (std::uint32_t j = 0; j + 1 < cols; ++j) stamp(rnode(i, j), rnode(i, j + 1), gw);
    }
    for (std::uint32_t j = 0; j < cols; ++j) {
        for (std::uint32_t i = 0; i + 1 < rows; ++i) stamp(cnode(i, j), cnode(i + 1, j), gw);
        t.emplace_back(cnode(rows - 1, j), cnode(rows - 1, j), gw);  // segment to the sense amp
    }
    for (const auto& c : cells)
        if (c.g > 0.0) stamp(rnode(c.row, c.col), cnode(c.row, c.col), c.g);

    Eigen::SparseMatrix<double> a(static_cast<index>(2 * rc), static_cast<index>(2 * rc));
    a.setFromTriplets(t.begin(), t.end());  // duplicates add: parallel conductances
    a.makeCompressed();
    Eigen::SparseLU<Eigen::SparseMatrix<double>, Eigen::COLAMDOrdering<int>> lu;
    lu.analyzePattern(a);
    lu.factorize(a);
    if (lu.info() != Eigen::Success) throw internal_error("ir_drop: SparseLU failed: " + lu.lastErrorMessage());
    const Eigen::VectorXd v = lu.solve(rhs);
    if (lu.info() != Eigen::Success) throw internal_error("ir_drop: SparseLU solve failed");
    for (std::size_t n = 0; n < rc; ++n) {
        out.row_wire[n] = v[static_cast<index>(n)];
        out.col_wire[n] = v[static_cast<index>(rc + n)];
    }
    return out;
}

void column_currents_nodal(std::uint32_t rows, std::uint32_t cols, std::span<const array_cell> cells,
                           std::span<const double> v_row, double r_wire, std::span<double> out) {
    check_inputs(rows, cols, cells, v_row, out.size());
    const nodal_voltages nv = solve_nodal(rows, cols, cells, v_row, r_wire);
    std::fill(out.begin(), out.end(), 0.0);
    for (const auto& c : cells) {
        const std::size_t n = std::size_t{c.row} * cols + c.col;
        out[c.col] += c.g * (nv.row_wire[n] - nv.col_wire[n]);
    }
}

void column_currents_first_order(std::uint32_t rows, std::uint32_t cols, std::span<const array_cell> cells,
                                 std::span<const double> v_row, double r_wire, std::span<double> out,
                                 ir_workspace& ws) {
    check_inputs(rows, cols, cells, v_row, out.size());
    check_r(r_wire);
    column_currents_first_order_unchecked(rows, cols, cells, v_row, r_wire, out, ws);
}

void column_currents_first_order_unchecked(std::uint32_t rows, std::uint32_t cols, std::span<const array_cell> cells,
                                           std::span<const double> v_row, double r_wire, std::span<double> out,
                                           ir_workspace& ws) {
    ws.acc.assign(3 * std::size_t{rows} + 3 * std::size_t{cols}, 0.0);  // no allocation once sized
    double* row_total = ws.acc.data();  // T_i  = sum_j' c_ij'             [A]
    double* row_pc = row_total + rows;  // sum over cells already passed of c   [A]
    double* row_pcj = row_pc + rows;    //   ... of c * j'                       [A]
    double* col_w = row_pcj + rows;     // W_j  = sum_i' c_i'j (R - i')         [A]
    double* col_qc = col_w + cols;      // sum over cells already passed of c   [A]
    double* col_qci = col_qc + cols;    //   ... of c * i'                       [A]

    for (const auto& c : cells) {  // pass 1: totals of the ideal cell currents c = g v
        const double cur = c.g * v_row[c.row];
        row_total[c.row] += cur;
        col_w[c.col] += cur * static_cast<double>(rows - c.row);
    }

    ws.last.resize(std::size_t{rows} + cols);
    const bool ordered = pass_order_ok(rows, cells, ws.last);
    if (!ordered) sort_row_major(rows, cols, cells, ws);

    // Pass 2. With sum over k of [j' >= k] for k = 0..j equal to min(j, j') + 1, and over k = i..R-1
    // of [i' <= k] equal to (R - i') - max(0, i - i'):
    //   row drop     v_i - V^r_ij = r ((j+1) T_i - sum_{j'<j} c_ij' (j - j'))
    //   column rise  V^c_ij       = r (W_j      - sum_{i'<i} c_i'j (i - i'))
    // Cells at j' = j (i' = i) add zero, so prefix sums over the cells passed so far are exact
    // whenever the pass order has non-decreasing columns per row and rows per column.
    std::fill(out.begin(), out.end(), 0.0);
    const std::size_t n = cells.size();
    for (std::size_t m = 0; m < n; ++m) {
        const array_cell& c = ordered ? cells[m] : cells[ws.order[m]];
        const double i = c.row, j = c.col;
        const double drop = r_wire * ((j + 1.0) * row_total[c.row] - (j * row_pc[c.row] - row_pcj[c.row]));
        const double rise = r_wire * (col_w[c.col] - (i * col_qc[c.col] - col_qci[c.col]));
        out[c.col] += c.g * (v_row[c.row] - drop - rise);
        const double cur = c.g * v_row[c.row];
        row_pc[c.row] += cur;
        row_pcj[c.row] += cur * j;
        col_qc[c.col] += cur;
        col_qci[c.col] += cur * i;
    }
}

namespace {

/// sneak_weights without the checks. Per column j: W_j = sum_i g_ij (R - i) over all its cells,
/// then, passing its cells with non-decreasing rows, G_<= and W_<= over the cells passed
/// (this one included) give h_i'j = (R - i') G_<= + (W_j - W_<=).
void sneak_weights_unchecked(std::uint32_t rows, std::uint32_t cols, std::span<const array_cell> cells,
                             std::span<double> out, ir_workspace& ws) {
    ws.acc.assign(3 * std::size_t{cols}, 0.0);
    double* col_w = ws.acc.data();  // W_j
    double* col_g = col_w + cols;   // G_<= over the cells passed
    double* col_p = col_g + cols;   // W_<= over the cells passed
    const double R = rows;
    for (const auto& c : cells) col_w[c.col] += c.g * (R - c.row);
    ws.last.resize(std::size_t{rows} + cols);
    const bool ordered = pass_order_ok(rows, cells, ws.last);
    if (!ordered) sort_row_major(rows, cols, cells, ws);
    for (std::size_t m = 0; m < cells.size(); ++m) {
        const std::size_t k = ordered ? m : ws.order[m];
        const array_cell& c = cells[k];
        const double ri = R - c.row;
        col_g[c.col] += c.g;
        col_p[c.col] += c.g * ri;
        out[k] = ri * col_g[c.col] + (col_w[c.col] - col_p[c.col]);
    }
}

} // namespace

void sneak_weights(std::uint32_t rows, std::uint32_t cols, std::span<const array_cell> cells,
                   std::span<double> out, ir_workspace& ws) {
    if (out.size() != cells.size())
        throw invalid_parameter(owner, "out.size()", std::to_string(out.size()),
                                "must equal cells.size() = " + std::to_string(cells.size()));
    const std::vector<double> no_v(rows, 0.0);
    check_inputs(rows, cols, cells, no_v, cols);
    sneak_weights_unchecked(rows, cols, cells, out, ws);
}

void add_sneak_first_order(std::uint32_t rows, std::uint32_t cols, std::span<const array_cell> driven,
                           std::span<const double> h, std::span<const double> v_row, double r_wire,
                           std::span<double> out, ir_workspace& ws) {
    check_inputs(rows, cols, driven, v_row, out.size());
    check_r(r_wire);
    if (h.size() != driven.size())
        throw invalid_parameter(owner, "h.size()", std::to_string(h.size()),
                                "must equal driven.size() = " + std::to_string(driven.size()));
    for (std::size_t k = 0; k < h.size(); ++k)
        if (!std::isfinite(h[k]) || h[k] < 0.0)
            throw invalid_parameter(owner, "h[" + std::to_string(k) + "]", num(h[k]) + " S",
                                    "must be finite and >= 0 (sneak_weights of the array)");
    std::vector<double> hd(driven.size());  // the driven cells among themselves (counted already)
    sneak_weights_unchecked(rows, cols, driven, hd, ws);
    for (std::size_t k = 0; k < driven.size(); ++k) {
        const array_cell& c = driven[k];
        out[c.col] -= r_wire * c.g * v_row[c.row] * (h[k] - hd[k]);
    }
}

} // namespace memspike::crossbar
