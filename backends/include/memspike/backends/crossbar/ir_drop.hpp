// SPDX-License-Identifier: MIT
// IR drop in a resistive crossbar: ideal, exact (nodal) and first-order column currents.
//
// Self-contained physics in SI units: volts [V], siemens [S], ohms [Ohm], amperes [A].
//
// Array model (R rows x C columns). Row wire i is driven at its left end by a driver at v_row[i]
// (0 V for rows not driven this read: they are grounded, not floating). Column wire j is held at
// 0 V at its bottom end by the sense amplifier (virtual ground); the current into it is the column
// current I_j. One wire segment of resistance r sits between consecutive nodes of a wire, between
// the driver and column 0, and between row R-1 and the sense amp. Cell (i,j) is a conductance g
// between row-wire node (i,j) and column-wire node (i,j). Unlisted cells are open (g = 0); a cell
// listed twice acts as two conductances in parallel.
//
//   ideal        I_j = sum_i v_i g_ij                                          (r = 0)
//   nodal        Kirchhoff's current law on all 2 R C wire nodes (Eigen SparseLU); exact
//   first order  c_ij = g_ij v_i (ideal cell currents);
//                row node voltage  V^r_ij = v_i - r sum_{k<=j} sum_{j'>=k} c_ij'
//                col node voltage  V^c_ij =       r sum_{k>=i} sum_{i'<=k} c_i'j
//                I_j ~= sum_i g_ij (V^r_ij - V^c_ij)
// The first-order error is second order in the relative drop eps ~ r g N^2 / 2; see
// docs/crossbar.md ("IR drop") for the derivation, validity and measured errors.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace memspike::crossbar {

/// One programmed cell of the array.
struct array_cell {
    std::uint32_t row, col;  ///< position; row < rows, col < cols
    double g;                ///< conductance [S], finite and >= 0
};

/// Ideal column currents [A]: I_j = sum_i v_row[i] * g_ij (wire resistance zero).
/// v_row has `rows` entries [V]; out has `cols` entries and is overwritten.
/// Throws invalid_parameter for a cell outside the array, a negative or non-finite g, a non-finite
/// voltage or a span of the wrong size.
void column_currents_ideal(std::uint32_t rows, std::uint32_t cols, std::span<const array_cell> cells,
                           std::span<const double> v_row, std::span<double> out);

/// Wire-node voltages of the exact solve [V], row-major index i * cols + j.
struct nodal_voltages {
    std::vector<double> row_wire;  ///< row-wire node (i,j)
    std::vector<double> col_wire;  ///< column-wire node (i,j)
};

/// Exact solve of Kirchhoff's current law on all 2 R C wire nodes (Eigen SparseLU).
/// r_wire [Ohm per cell] must be finite and >= 0; r_wire = 0 gives row wires at v_row and column
/// wires at 0 V. Meant for tests and documentation (arrays up to ~128 x 128): it allocates.
nodal_voltages solve_nodal(std::uint32_t rows, std::uint32_t cols, std::span<const array_cell> cells,
                           std::span<const double> v_row, double r_wire);

/// Exact sense-amp currents [A] from solve_nodal. Computed as the sum of the cell currents
/// g_ij (V^r_ij - V^c_ij) of each column, which equals the current into the sense amp by KCL on
/// the column wire (whose top end is open) and stays accurate as r_wire -> 0.
void column_currents_nodal(std::uint32_t rows, std::uint32_t cols, std::span<const array_cell> cells,
                           std::span<const double> v_row, double r_wire, std::span<double> out);

/// Reusable scratch for column_currents_first_order. It grows on first use with a given array and
/// cell count; later calls with no larger sizes do not allocate.
struct ir_workspace {
    std::vector<double> acc;             ///< 3 per row + 3 per column running sums
    std::vector<std::uint32_t> last;     ///< order check: last column per row, last row per column
    std::vector<std::uint32_t> order;    ///< cell permutation when the input is not ordered
    std::vector<std::uint32_t> scratch;  ///< counting-sort buffer (cells + max(rows, cols) + 1)
};

/// First-order IR-drop column currents [A], cost O(cells + R + C).
/// Ideal cell currents c_ij = g v_i give the drop along each row wire (segment k of row i carries
/// the currents of its cells at columns >= k) and the rise along each column wire (the segment
/// below row k carries the currents of its cells at rows <= k); each listed cell's voltage is
/// corrected by both, and its current recomputed once. Cells of grounded rows (v_i = 0) are
/// corrected too: they give the first-order sneak current -g V^c_ij from the column wire into
/// the grounded row. A caller that lists only the cells of driven rows drops that term.
/// Cells may come in any order. Fastest (no sort) when every row's cells have non-decreasing
/// columns and every column's cells non-decreasing rows, e.g. row-major or column-major order;
/// otherwise the routine sorts an index permutation in the workspace (counting sort, O(cells+R+C)).
void column_currents_first_order(std::uint32_t rows, std::uint32_t cols, std::span<const array_cell> cells,
                                 std::span<const double> v_row, double r_wire, std::span<double> out,
                                 ir_workspace& ws);

/// column_currents_first_order without the input checks, for callers whose inputs are valid by
/// construction (the crossbar backend's hot loop).
void column_currents_first_order_unchecked(std::uint32_t rows, std::uint32_t cols, std::span<const array_cell> cells,
                                           std::span<const double> v_row, double r_wire, std::span<double> out,
                                           ir_workspace& ws);

/// The grounded rows' share of the column wire (docs/crossbar-ir-drop.md, "Grounded rows and sneak
/// currents"). Every cell (i,j) of an array, driven or grounded, loses g_ij V^c_ij at first order,
/// and sum_i g_ij V^c_ij = r sum_i' c_i'j h_i'j with
///     h_i'j = sum_i g_ij (R - max(i, i'))   [S],
/// which depends on the conductances only: a backend can keep it per cell and refresh it when
/// weights are written. sneak_weights writes h for every listed cell (out parallel to cells), the
/// sum running over the listed cells; cells may come in any order (sorted in the workspace if
/// their rows decrease within a column). O(cells + R + C).
void sneak_weights(std::uint32_t rows, std::uint32_t cols, std::span<const array_cell> cells,
                   std::span<double> out, ir_workspace& ws);

/// Adds the grounded rows' sneak current at first order to the column currents `out` of
/// column_currents_first_order over `driven` (the driven rows' cells): out_j -= r sum c_i'j
/// (h_i'j - hd_i'j), with h the array's sneak_weights at the driven cells (`h`, parallel to
/// `driven`) and hd those of the driven cells among themselves, which that routine already
/// counts. The result equals column_currents_first_order over every cell of the array up to
/// rounding, at a cost of O(driven cells + R + C). Throws invalid_parameter as the routines above,
/// and for h of the wrong size or a negative or non-finite h.
void add_sneak_first_order(std::uint32_t rows, std::uint32_t cols, std::span<const array_cell> driven,
                           std::span<const double> h, std::span<const double> v_row, double r_wire,
                           std::span<double> out, ir_workspace& ws);

} // namespace memspike::crossbar
