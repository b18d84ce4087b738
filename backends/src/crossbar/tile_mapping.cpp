// SPDX-License-Identifier: MIT
// Tile mapping of the crossbar backend (tile_mapping.hpp).
//
// Steps: check the pattern, number the non-empty rows and columns, order them (index order or
// reverse Cuthill-McKee), then count the tiles that hold a synapse.
//
// The RCM graph is Boost.Graph's compressed_sparse_row_graph with both directions of every synapse
// stored: out_edges then gives all neighbours, which is what Cuthill-McKee walks (breadth-first
// levels, neighbours by increasing degree). It costs 8 bytes per synapse plus 8 per line, instead
// of roughly 70 for an undirected adjacency_list with its global edge list.
#include "memspike/backends/crossbar/tile_mapping.hpp"

#include <algorithm>
#include <string>

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/cuthill_mckee_ordering.hpp>

#include "memspike/core/errors.hpp"

namespace memspike::crossbar {

namespace {

const char* const owner = "sparse_pattern";

/// Throws invalid_parameter unless `p` is well-formed CSR with no duplicate column in a row.
void check_pattern(const sparse_pattern& p) {
    if (p.offsets.size() != static_cast<std::size_t>(p.rows) + 1)
        throw invalid_parameter(owner, "offsets.size()", std::to_string(p.offsets.size()),
                                "must be rows + 1 = " + std::to_string(std::uint64_t{p.rows} + 1));
    if (p.offsets.front() != 0)
        throw invalid_parameter(owner, "offsets[0]", std::to_string(p.offsets.front()), "must be 0");
    if (p.offsets.back() != p.indices.size())
        throw invalid_parameter(owner, "offsets[rows]", std::to_string(p.offsets.back()),
                                "must be indices.size() = " + std::to_string(p.indices.size()));
    // Monotone offsets first, so that no row below reads past the end of indices.
    for (std::uint32_t r = 0; r < p.rows; ++r)
        if (p.offsets[r + 1] < p.offsets[r])
            throw invalid_parameter(owner, "offsets[" + std::to_string(r + 1) + "]", std::to_string(p.offsets[r + 1]),
                                    "must be >= offsets[" + std::to_string(r) + "] = " + std::to_string(p.offsets[r]));
    // last_row[c]: the last row that listed column c, to find a column listed twice in one row.
    std::vector<std::uint32_t> last_row(p.cols, empty_slot);
    for (std::uint32_t r = 0; r < p.rows; ++r) {
        for (std::uint64_t k = p.offsets[r]; k < p.offsets[r + 1]; ++k) {
            const std::uint32_t c = p.indices[k];
            // The key is built only for the message: once per synapse it was a tenth of the mapping.
            const auto name = [k] { return "indices[" + std::to_string(k) + "]"; };
            if (c >= p.cols)
                throw invalid_parameter(owner, name(), std::to_string(c), "must be < cols = " + std::to_string(p.cols));
            if (last_row[c] == r)
                throw invalid_parameter(owner, name(), std::to_string(c),
                                        "column already listed in row " + std::to_string(r) +
                                            " (each column at most once per row)");
            last_row[c] = r;
        }
    }
}

/// Gives the non-empty entries of `used` slots 0, 1, ... in index order; empty ones get empty_slot.
/// Returns the number of non-empty entries.
std::uint32_t natural_slots(const std::vector<bool>& used, std::vector<std::uint32_t>& slot) {
    slot.assign(used.size(), empty_slot);
    std::uint32_t next = 0;
    for (std::size_t i = 0; i < used.size(); ++i)
        if (used[i]) slot[i] = next++;
    return next;
}

/// Reorders the slots of the non-empty rows and columns by reverse Cuthill-McKee on the bipartite
/// graph. On entry row_slot / col_slot hold the natural slots (they double as vertex numbers:
/// rows are vertices 0 .. n_rows-1, columns n_rows .. n_rows+n_cols-1).
void rcm_slots(const sparse_pattern& p, std::uint32_t n_rows, std::uint32_t n_cols, std::vector<std::uint32_t>& row_slot,
               std::vector<std::uint32_t>& col_slot) {
    using graph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                                     boost::no_property, std::uint32_t, std::uint64_t>;
    const std::uint32_t n = n_rows + n_cols;  // fits: checked by the caller
    // Both directions of every synapse, sorted by source vertex: the rows' edges in CSR order (row
    // slots rise with r), then each column's rows in rising r, by a counting sort (the transpose).
    // Boost's in-place construction sorted the lists itself: a fifth of building crossbar_brunel.
    // Its neighbour order was not this one, so Cuthill-McKee breaks degree ties differently: the
    // same quality (the lattice tests), another permutation.
    const std::uint64_t m = p.indices.size();
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges(2 * m);
    std::vector<std::uint64_t> col_start(n_cols + 1, 0);
    for (const std::uint32_t c : p.indices) ++col_start[col_slot[c] + 1];
    for (std::uint32_t c = 0; c < n_cols; ++c) col_start[c + 1] += col_start[c];
    std::uint64_t e = 0;
    for (std::uint32_t r = 0; r < p.rows; ++r)
        for (std::uint64_t k = p.offsets[r]; k < p.offsets[r + 1]; ++k) {
            const std::uint32_t u = row_slot[r], cs = col_slot[p.indices[k]];
            edges[e++] = {u, n_rows + cs};
            edges[m + col_start[cs]++] = {n_rows + cs, u};
        }
    col_start = {};
    const graph g(boost::edges_are_sorted, edges.begin(), edges.end(), n);
    edges = {};

    // Cuthill-McKee writes vertices in visit order; writing through a reverse iterator reverses it.
    // The overload without a start vertex picks a pseudo-peripheral start in every component.
    std::vector<std::uint32_t> order(n, empty_slot);
    boost::cuthill_mckee_ordering(g, order.rbegin());
    if (std::find(order.begin(), order.end(), empty_slot) != order.end())
        throw internal_error("tile mapping: Cuthill-McKee ordering left a vertex out");

    // Rows (columns) keep their relative order in the permutation.
    std::vector<std::uint32_t> new_slot(n);
    std::uint32_t next_row = 0, next_col = 0;
    for (const std::uint32_t v : order) new_slot[v] = v < n_rows ? next_row++ : next_col++;
    if (next_row != n_rows || next_col != n_cols) throw internal_error("tile mapping: RCM permutation is not a bijection");
    for (auto& s : row_slot)
        if (s != empty_slot) s = new_slot[s];
    for (auto& s : col_slot)
        if (s != empty_slot) s = new_slot[n_rows + s];
}

std::uint32_t ceil_div(std::uint32_t a, std::uint32_t b) { return a / b + (a % b != 0); }

/// Gives the non-empty rows of each group consecutive slots, in index order, the groups ordered
/// by the lowest slot any of their rows had. The rows of one spike (a multapse's extra rows) then
/// share the row tiles of their first row instead of waking tiles of their own elsewhere.
void keep_groups_together(std::span<const std::uint32_t> groups, std::vector<std::uint32_t>& row_slot) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> first;  // (lowest slot, group)
    for (std::uint32_t g = 0; g + 1 < groups.size(); ++g) {
        std::uint32_t lowest = empty_slot;
        for (std::uint32_t r = groups[g]; r < groups[g + 1]; ++r) lowest = std::min(lowest, row_slot[r]);
        if (lowest != empty_slot) first.emplace_back(lowest, g);
    }
    std::sort(first.begin(), first.end());
    std::uint32_t next = 0;
    for (const auto& [lowest, g] : first)
        for (std::uint32_t r = groups[g]; r < groups[g + 1]; ++r)
            if (row_slot[r] != empty_slot) row_slot[r] = next++;
}

} // namespace

double tile_layout::utilisation() const {
    if (tiles_used == 0) return 0.0;
    return static_cast<double>(cells_used) /
           (static_cast<double>(tiles_used) * static_cast<double>(tile_rows) * static_cast<double>(tile_cols));
}

std::uint32_t tile_layout::tile_of(std::uint32_t r, std::uint32_t c) const {
    if (r >= row_slot.size() || row_slot[r] == empty_slot)
        throw invalid_parameter("tile_layout", "row", std::to_string(r), "must be a row that holds a synapse");
    if (c >= col_slot.size() || col_slot[c] == empty_slot)
        throw invalid_parameter("tile_layout", "column", std::to_string(c), "must be a column that holds a synapse");
    return (row_slot[r] / tile_rows) * col_tiles + col_slot[c] / tile_cols;
}

tile_layout map_tiles(const sparse_pattern& p, row_order order, std::uint32_t tile_rows, std::uint32_t tile_cols,
                      std::span<const std::uint32_t> row_groups) {
    if (tile_rows == 0) throw invalid_parameter("map_tiles", "tile_rows", "0", "must be > 0");
    if (tile_cols == 0) throw invalid_parameter("map_tiles", "tile_cols", "0", "must be > 0");
    check_pattern(p);
    if (!row_groups.empty()) {
        bool ok = row_groups.front() == 0 && row_groups.back() == p.rows;
        for (std::size_t g = 0; ok && g + 1 < row_groups.size(); ++g) ok = row_groups[g] <= row_groups[g + 1];
        if (!ok)
            throw invalid_parameter("map_tiles", "row_groups", std::to_string(row_groups.size()) + " bounds",
                                    "must rise from 0 to rows = " + std::to_string(p.rows));
    }

    tile_layout t;
    t.tile_rows = tile_rows;
    t.tile_cols = tile_cols;
    t.cells_used = p.indices.size();
    std::vector<bool> row_used(p.rows), col_used(p.cols);
    for (std::uint32_t r = 0; r < p.rows; ++r) row_used[r] = p.offsets[r + 1] > p.offsets[r];
    for (const auto c : p.indices) col_used[c] = true;
    const std::uint32_t n_rows = natural_slots(row_used, t.row_slot);
    const std::uint32_t n_cols = natural_slots(col_used, t.col_slot);
    t.row_tiles = ceil_div(n_rows, tile_rows);
    t.col_tiles = ceil_div(n_cols, tile_cols);
    if (std::uint64_t{t.row_tiles} * t.col_tiles > empty_slot)
        throw invalid_parameter("map_tiles", "tile grid",
                                std::to_string(t.row_tiles) + " x " + std::to_string(t.col_tiles) + " tiles",
                                "must have at most 2^32 - 1 tiles (tile ids are 32-bit)");
    if (order == row_order::rcm && t.cells_used > 0) {
        if (std::uint64_t{n_rows} + n_cols > empty_slot)
            throw invalid_parameter("map_tiles", "non-empty rows + columns", std::to_string(std::uint64_t{n_rows} + n_cols),
                                    "must be < 2^32 for the rcm order");
        rcm_slots(p, n_rows, n_cols, t.row_slot, t.col_slot);
        if (!row_groups.empty()) keep_groups_together(row_groups, t.row_slot);
    }

    // Count the used tiles one row of tiles at a time: seen[ct] holds the last row tile (+1) that
    // marked column tile ct, so the scratch is one entry per column tile.
    std::vector<std::uint32_t> row_at(n_rows);
    for (std::uint32_t r = 0; r < p.rows; ++r)
        if (t.row_slot[r] != empty_slot) row_at[t.row_slot[r]] = r;
    std::vector<std::uint32_t> seen(t.col_tiles, 0);
    for (std::uint32_t s = 0; s < n_rows; ++s) {
        const std::uint32_t r = row_at[s], mark = s / tile_rows + 1;
        for (std::uint64_t k = p.offsets[r]; k < p.offsets[r + 1]; ++k) {
            const std::uint32_t ct = t.col_slot[p.indices[k]] / tile_cols;
            if (seen[ct] != mark) {
                seen[ct] = mark;
                ++t.tiles_used;
            }
        }
    }
    return t;
}

} // namespace memspike::crossbar
