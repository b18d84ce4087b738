// SPDX-License-Identifier: MIT
// The memristor crossbar backend (DESIGN.md §4, docs/crossbar.md): synaptic weights live as
// differential conductance pairs G+ - G- in tiles, and a tick's weighted sums are column currents.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "memspike/core/backend.hpp"

namespace memspike::crossbar {

/// The backend's registry entry: parameters (device, array, periphery) and factory.
backend_info crossbar_backend();

/// How one projection packs into tiles, with and without the reverse Cuthill-McKee ordering
/// (`memspike inspect`).
struct projection_tiles {
    std::string projection;
    std::uint64_t synapses = 0;
    std::uint64_t rows = 0;           // crossbar rows: (source, delay) pairs, one more per multapse
    std::uint64_t tiles_natural = 0, tiles_rcm = 0;
    double utilisation_natural = 0.0, utilisation_rcm = 0.0;  // synapses / (tiles x cells per tile)
};

/// The tiles every projection of `store` needs with tiles of tile_rows x tile_cols.
std::vector<projection_tiles> tile_report(const scenario& sc, const synapse_store& store, std::uint32_t tile_rows,
                                          std::uint32_t tile_cols);

/// The `memspike inspect` table of tile_report at the backend's tile size (completed `params`).
std::vector<inspect_table> inspect_tiles(const scenario& sc, const synapse_store& store, const param_map& params);

} // namespace memspike::crossbar
