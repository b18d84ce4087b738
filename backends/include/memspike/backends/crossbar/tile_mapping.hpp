// SPDX-License-Identifier: MIT
// Tile mapping of the crossbar backend: which crossbar tile, and which row and column inside it,
// each synapse of one (projection, target partition) block occupies.
//
// The synapses form a sparse matrix: logical rows (one presynaptic neuron at one delay, made by the
// caller) x columns (target neurons, partition-local index). Every nonzero needs one crossbar cell.
// Rows and columns without a synapse need no crossbar line and are compacted away. The non-empty
// rows and columns are put in an order and then cut into tiles of tile_rows x tile_cols cells.
// The order decides how many tiles hold at least one synapse: a reverse Cuthill-McKee order
// (Cuthill & McKee 1969; George 1971) of the row/column bipartite graph gathers the nonzeros near
// the diagonal, so a local network packs into few tiles even when its neuron ids are scrambled.
//
// Boost.Graph is used only inside tile_mapping.cpp; this header does not pull it in.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace memspike::crossbar {

/// Slot value of a row or column that holds no synapse (it gets no crossbar line).
inline constexpr std::uint32_t empty_slot = std::numeric_limits<std::uint32_t>::max();

/// Sparse pattern, CSR by row: row r has the columns indices[offsets[r] .. offsets[r+1]).
/// offsets has rows + 1 entries, starts at 0 and ends at indices.size(). A column may appear at
/// most once per row (the caller guarantees it; map_tiles checks it).
struct sparse_pattern {
    std::uint32_t rows = 0, cols = 0;
    std::vector<std::uint64_t> offsets;
    std::vector<std::uint32_t> indices;
};

/// How the non-empty rows and columns are ordered before they are cut into tiles.
enum class row_order {
    natural,  ///< index order
    rcm,      ///< reverse Cuthill-McKee of the row/column bipartite graph
};

/// Where each row and column goes. A slot is the position among the non-empty rows (columns) after
/// ordering; empty rows and columns have slot empty_slot. Cell (r, c) lies in tile
/// (row_slot[r] / tile_rows, col_slot[c] / tile_cols), at (row_slot[r] % tile_rows,
/// col_slot[c] % tile_cols) inside that tile.
struct tile_layout {
    std::uint32_t tile_rows = 128, tile_cols = 128;  ///< tile size [cells]
    std::vector<std::uint32_t> row_slot, col_slot;   ///< one per row / column of the pattern
    std::uint32_t row_tiles = 0, col_tiles = 0;      ///< grid size [tiles]
    std::uint64_t tiles_used = 0;                    ///< tiles of the grid with at least one synapse
    std::uint64_t cells_used = 0;                    ///< == number of nonzeros

    /// cells_used / (tiles_used * tile_rows * tile_cols); 0 when no tile is used.
    double utilisation() const;
    /// Tile id row_tile * col_tiles + col_tile of cell (r, c). Throws invalid_parameter when r or
    /// c is out of range or has no synapse (no slot).
    std::uint32_t tile_of(std::uint32_t r, std::uint32_t c) const;
};

/// Orders the non-empty rows and columns of `pattern` and cuts them into tiles of
/// tile_rows x tile_cols. natural: index order. rcm: reverse Cuthill-McKee
/// (boost/graph/cuthill_mckee_ordering.hpp) on the undirected bipartite graph whose vertices are the
/// non-empty rows and columns and whose edges are the synapses, every connected component included;
/// rows keep their relative order in that permutation, columns likewise. Deterministic: no
/// randomness and no threads. Throws invalid_parameter for a zero tile size, a malformed pattern
/// (offsets, a column index out of range, a duplicate column in a row) or a grid with more than
/// 2^32 - 1 tiles.
/// row_groups (optional): rows [row_groups[g], row_groups[g+1]) are one group (the crossbar rows
/// one spike drives: a multapse's extra rows). With rcm, the non-empty rows of a group then take
/// consecutive slots, in index order, the groups ordered by the lowest RCM slot of their rows; the
/// natural order keeps them together already. Bounds must rise from 0 to rows.
tile_layout map_tiles(const sparse_pattern& pattern, row_order order, std::uint32_t tile_rows = 128,
                      std::uint32_t tile_cols = 128, std::span<const std::uint32_t> row_groups = {});

} // namespace memspike::crossbar
