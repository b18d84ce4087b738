// SPDX-License-Identifier: MIT
// The crossbar's table for `memspike inspect`: tiles and utilisation per projection, natural
// order against reverse Cuthill-McKee, so a user sees what reordering buys before a run.
#include <cstdio>
#include <string>

#include "memspike/backends/crossbar/crossbar.hpp"

namespace memspike::crossbar {
namespace {

std::string format(const char* fmt, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}
std::string count(std::uint64_t n) { return std::to_string(n); }
std::string percent(std::uint64_t synapses, std::uint64_t tiles, double cells) {
    return format("%.2f%%", tiles ? 100.0 * static_cast<double>(synapses) / (static_cast<double>(tiles) * cells) : 0.0);
}

} // namespace

std::vector<inspect_table> inspect_tiles(const scenario& sc, const synapse_store& store, const param_map& params) {
    const auto rows = static_cast<std::uint32_t>(params.at("tile_rows"));
    const auto cols = static_cast<std::uint32_t>(params.at("tile_cols"));
    inspect_table t;
    t.title = "crossbar tiles (" + count(rows) + " x " + count(cols) + " cells, one synapse per cell; used: in the reorder = " +
              (params.at("reorder") != 0.0 ? "true" : "false") + " mapping)";
    t.columns = {"projection", "cells used", "rows", "tiles natural", "tiles RCM", "util natural", "util RCM"};
    const double cells = static_cast<double>(rows) * cols;
    std::uint64_t total_natural = 0, total_rcm = 0, total_synapses = 0;
    for (const auto& r : tile_report(sc, store, rows, cols)) {
        t.rows.push_back({r.projection, count(r.synapses), count(r.rows), count(r.tiles_natural), count(r.tiles_rcm),
                          percent(r.synapses, r.tiles_natural, cells), percent(r.synapses, r.tiles_rcm, cells)});
        total_natural += r.tiles_natural;
        total_rcm += r.tiles_rcm;
        total_synapses += r.synapses;
    }
    t.rows.push_back({"total", count(total_synapses), "", count(total_natural), count(total_rcm),
                      percent(total_synapses, total_natural, cells), percent(total_synapses, total_rcm, cells)});
    return {t};
}

} // namespace memspike::crossbar
