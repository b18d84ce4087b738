// SPDX-License-Identifier: MIT
// Synapse blocks onto crossbar tiles (partition.hpp): the crossbar rows of a block, the tiles and
// used columns, the initial programming, the tile report of `memspike inspect`, and the state a
// checkpoint keeps.
#include <cmath>
#include <unordered_map>

#ifdef __linux__
#include <sys/mman.h>
#endif

#include "memspike/core/errors.hpp"
#include "memspike/core/state_io.hpp"
#include "partition.hpp"

namespace memspike::crossbar::detail {

block_rows rows_of(const synapse_block& b, std::uint32_t targets) {
    block_rows out;
    const std::size_t ranges = b.offsets.size() - 1;
    out.row_first.assign(ranges + 1, 0);
    out.row_of.resize(b.size());
    std::vector<std::uint32_t> seen(targets, 0);
    std::vector<std::vector<std::uint32_t>> cols;  // per row
    for (std::size_t k = 0; k < ranges; ++k) {
        std::uint32_t replicas = 0;
        for (std::uint64_t j = b.offsets[k]; j < b.offsets[k + 1]; ++j) {
            const std::uint32_t r = seen[b.targets[j]]++;
            replicas = std::max(replicas, r + 1);
            const std::uint32_t row = out.row_first[k] + r;
            if (row >= cols.size()) cols.resize(row + 1);
            cols[row].push_back(b.targets[j]);
            out.row_of[j] = row;
        }
        for (std::uint64_t j = b.offsets[k]; j < b.offsets[k + 1]; ++j) seen[b.targets[j]] = 0;
        out.row_first[k + 1] = out.row_first[k] + replicas;
    }
    auto& pt = out.pattern;
    pt.rows = out.row_first.back();
    pt.cols = targets;
    pt.offsets.assign(1, 0);
    cols.resize(pt.rows);
    for (auto& c : cols) {
        pt.indices.insert(pt.indices.end(), c.begin(), c.end());
        pt.offsets.push_back(pt.indices.size());
    }
    return out;
}

namespace {


/// The segments of every crossbar row: its cells grouped by tile, the used columns in order.
/// row_cells[row] holds the row's (tile, used column) pairs, in any order (sorted here).
void build_segments(tiled_block& tb, std::vector<std::vector<std::pair<std::uint32_t, std::uint16_t>>>& row_cells,
                    const tile_layout& L, std::uint32_t R) {
    tb.seg_first.assign(1, 0);
    for (std::uint32_t row = 0; row < tb.rows; ++row) {
        auto& rc = row_cells[row];
        std::sort(rc.begin(), rc.end());
        for (std::size_t q = 0; q < rc.size(); ++q) {
            if (q == 0 || rc[q].first != rc[q - 1].first) {
                const auto seg_row = static_cast<std::uint16_t>(L.row_slot[row] % R);
                const auto at = static_cast<std::uint32_t>(tb.seg_cols.size());
                tb.segs.push_back({rc[q].first, seg_row, static_cast<std::uint16_t>(tb.tiles[rc[q].first].cols), at, at});
            }
            tb.seg_cols.push_back(rc[q].second);
            tb.segs.back().end = static_cast<std::uint32_t>(tb.seg_cols.size());
        }
        tb.seg_first.push_back(static_cast<std::uint32_t>(tb.segs.size()));
    }
}

} // namespace

void crossbar_partition::map_block(synapse_block& b, std::uint32_t targets, double w_range, bool plastic,
                                   std::uint64_t stream_key) {
    tiled_block& tb = blocks_.emplace_back();
    tb.plastic = plastic;
    tb.stream_key = stream_key;
    tb.scale = w_range / (s_.dev.g_max - s_.dev.g_min);
    const std::uint32_t R = s_.arr.tile_rows, C = s_.arr.tile_cols;
    block_rows br = rows_of(b, targets);
    tb.row_first = std::move(br.row_first);
    tb.rows = br.pattern.rows;
    const tile_layout L = map_tiles(br.pattern, s_.arr.reorder ? row_order::rcm : row_order::natural, R, C, tb.row_first);

    // Tiles in use, numbered in the order their first synapse comes, and their used columns (by
    // physical position). grid id -> tile: a flat table when the grid is not much larger than the
    // block (a std::map lookup per synapse was 10 % of building crossbar_brunel), else a hash map.
    const std::uint64_t grid = std::uint64_t{L.row_tiles} * L.col_tiles;
    const bool flat = grid <= 8 * std::uint64_t{b.size()} + 4096;
    std::vector<std::uint32_t> tile_table(flat ? grid : 0, empty_slot);
    std::unordered_map<std::uint32_t, std::uint32_t> tile_hash;
    std::vector<std::vector<std::uint16_t>> column_of;  // per tile: position -> used column
    auto tile_of_cell = [&](std::uint32_t row, std::uint32_t col) {
        const std::uint32_t id = (L.row_slot[row] / R) * L.col_tiles + L.col_slot[col] / C;
        std::uint32_t* slot = flat ? &tile_table[id] : &tile_hash.try_emplace(id, empty_slot).first->second;
        if (*slot == empty_slot) {
            *slot = static_cast<std::uint32_t>(tb.tiles.size());
            tb.tiles.emplace_back();
            column_of.emplace_back(C, unused_column);
        }
        return *slot;
    };
    for (std::uint64_t j = 0; j < b.size(); ++j) {
        const std::uint32_t t = tile_of_cell(br.row_of[j], b.targets[j]);
        column_of[t][L.col_slot[b.targets[j]] % C] = 0;  // marked used; numbered below
    }
    std::uint64_t cells = 0;
    for (std::uint32_t t = 0; t < tb.tiles.size(); ++t) {
        tile& T = tb.tiles[t];
        for (std::uint32_t pos = 0; pos < C; ++pos)
            if (column_of[t][pos] != unused_column) {
                column_of[t][pos] = static_cast<std::uint16_t>(T.cols++);
                T.position.push_back(static_cast<std::uint16_t>(pos));
            }
        T.target.assign(T.cols, 0);
        T.hit.assign(T.cols, 0);
        // z_c = sum_{c'} min(j_c, j_c') + 1 over the used columns (positions ascend with c): the
        // row-wire drop at column c of a row whose cells all hold one conductance, per nS.
        T.z.resize(T.cols);
        double below = 0.0;
        for (std::uint32_t c = 0; c < T.cols; ++c) {
            const double j1 = T.position[c] + 1.0;
            T.z[c] = static_cast<float>(below + (T.cols - c) * j1);
            below += j1;
        }
        T.base = cells;
        cells += static_cast<std::uint64_t>(R) * T.cols;
    }
    if (cells > std::numeric_limits<std::uint32_t>::max())
        throw invalid_parameter(owner, "tile_rows", std::to_string(R), "a block needs more than 2^32 cells; use smaller partitions");

    // Every cell starts as the pair of weight 0, programmed like any other (nominal devices all
    // land on the same level: one fill).
    tb.exact = s_.dev.continuous();
    if (!tb.exact) choose_grid(tb, cells);
    // Compact (tiled_block): every cell without a synapse holds e0_code, so only synapse cells are
    // stored; not with device variation or faults (each cell differs), a continuous device (floats)
    // or per-device drift clocks (indexed like the cells of the full layout).
    tb.compact = !varied_ && !tb.exact && !(plastic && s_.dev.drift_nu > 0.0);
    if (varied_) {
        if (tb.exact) {
            tb.fp.resize(cells);
            tb.fm.resize(cells);
        } else {
            reserve_huge(tb.gp, cells);
            reserve_huge(tb.gm, cells);
            tb.gp.resize(cells);
            tb.gm.resize(cells);
        }
        for (std::uint32_t c = 0; c < cells; ++c)
            set_pair(tb, c, program_level(s_.dev, bounds_of(tb, c, 0), s_.dev.g_min),
                     program_level(s_.dev, bounds_of(tb, c, 1), s_.dev.g_min));
    } else {
        const double g = program_level(s_.dev, bounds_of(tb, 0, 0), s_.dev.g_min);
        if (tb.exact) {
            tb.fp.assign(cells, static_cast<float>(g));
            tb.fm.assign(cells, static_cast<float>(g));
            tb.e0 = static_cast<float>(g);
        } else {
            const std::uint64_t n = tb.compact ? b.size() : cells;
            reserve_huge(tb.gp, n);
            reserve_huge(tb.gm, n);
            tb.e0_code = encode(tb, g);
            tb.gp.assign(n, tb.e0_code);
            tb.gm.assign(n, tb.e0_code);
            tb.e0 = decode(tb, tb.e0_code);
        }
    }

    // Synapses: their cells, the rows' segments, the targets of the columns.
    tb.cell.resize(b.size());
    std::vector<std::vector<std::pair<std::uint32_t, std::uint16_t>>> row_cells(tb.rows);  // (tile, used column)
    for (std::uint64_t j = 0; j < b.size(); ++j) {
        const std::uint32_t row = br.row_of[j], target = b.targets[j];
        const std::uint32_t t = tile_of_cell(row, target);
        const std::uint16_t col = column_of[t][L.col_slot[target] % C];
        tb.tiles[t].target[col] = target;
        tb.cell[j] = static_cast<std::uint32_t>(tb.tiles[t].base + (L.row_slot[row] % R) * tb.tiles[t].cols + col);
        row_cells[row].emplace_back(t, col);
    }
    reserve_huge(tb.seg_cols, b.size());  // every read of a several-row tile reads its rows' columns here
    build_segments(tb, row_cells, L, R);
    if (tb.compact)  // each synapse's cell is its entry in its row's segments (sorted by tile, then column)
        for (std::uint64_t j = 0; j < b.size(); ++j) {
            const std::uint32_t row = br.row_of[j], target = b.targets[j];
            const std::uint32_t t = tile_of_cell(row, target);
            const std::uint16_t col = column_of[t][L.col_slot[target] % C];
            const auto s0 = tb.segs.begin() + tb.seg_first[row], s1 = tb.segs.begin() + tb.seg_first[row + 1];
            const auto sg = std::lower_bound(s0, s1, t, [](const segment& x, std::uint32_t id) { return x.tile < id; });
            const auto c0 = tb.seg_cols.begin() + sg->first, c1 = tb.seg_cols.begin() + sg->end;
            tb.cell[j] = static_cast<std::uint32_t>(std::lower_bound(c0, c1, col) - tb.seg_cols.begin());
        }

    program_weights(tb, b, plastic, cells);
    if (sneak_) build_columns(tb);
    cache_single_rows(tb);  // or, where it cannot serve, seg_at for the uncached reads
    // A range's rows are consecutive, and so are their segments: deliver needs only where they
    // start (one load per arriving range instead of two dependent ones).
    tb.range_seg.resize(tb.row_first.size());
    for (std::size_t k = 0; k < tb.row_first.size(); ++k) tb.range_seg[k] = tb.seg_first[tb.row_first[k]];
    tb.row_first = {};
    tb.seg_first = {};
    tb.wake_head.assign(tb.tiles.size(), no_entry);
    tb.wake_tail.assign(tb.tiles.size(), no_entry);
}

/// The block's code grid (tiled_block): nominal devices with L <= 65,536 finite levels get
/// q = (g_max - g_min) / ((L - 1) m), m = floor(65535 / (L - 1)), so level k is code k m and
/// decodes to the level itself (to 1 ulp). Otherwise (device variation, faults, more levels; a
/// continuous device keeps float conductances instead) g0 is the lowest lower bound of the
/// block's devices and q the power of two >= (highest upper bound - g0) / 65,535: a device's own
/// level between codes is then off by at most q / 2 (0.125 nS at the defaults' bounds).
void crossbar_partition::choose_grid(tiled_block& tb, std::uint64_t cells) const {
    const device_params& d = s_.dev;
    if (!varied_ && !d.continuous() && d.levels <= 65536.0) {
        const double m = std::floor(65535.0 / (d.levels - 1.0));
        tb.g0 = d.g_min;
        tb.q = (d.g_max - d.g_min) / ((d.levels - 1.0) * m);
        return;
    }
    double lo = d.g_min, hi = d.g_max;
    if (varied_)  // the devices' own bounds (each drawn again where it is programmed: no storage)
        for (std::uint32_t c = 0; c < cells; ++c)
            for (const int polarity : {0, 1}) {
                const device_instance dev = bounds_of(tb, c, polarity);
                lo = std::min(lo, dev.g_lo);
                hi = std::max(hi, dev.g_hi);
            }
    tb.g0 = lo;
    tb.q = std::exp2(std::ceil(std::log2((hi - lo) / 65535.0)));
}

/// Programs the block's weights onto their cells, then writes back what the devices hold.
void crossbar_partition::program_weights(tiled_block& tb, synapse_block& b, bool plastic, std::uint64_t cells) {
    if (b.homogeneous) {
        b.weights.assign(b.size(), b.weight_value);
        b.homogeneous = false;
    }
    if (plastic && s_.dev.drift_nu > 0.0) {
        tb.tp.assign(cells, static_cast<float>(-s_.arr.drift_age));
        tb.tm.assign(cells, static_cast<float>(-s_.arr.drift_age));
    }
    for (std::uint64_t j = 0; j < b.size(); ++j) {
        const std::uint32_t c = tb.cell[j];
        const auto [gp, gm] = canonical_pair(tb, b.weights[j]);
        set_pair(tb, c, program_level(s_.dev, bounds_of(tb, c, 0), gp), program_level(s_.dev, bounds_of(tb, c, 1), gm));
        b.weights[j] = held_weight(tb, c);
    }
}

void crossbar_partition::add_events(std::span<std::uint64_t> mine) const {
    for (std::size_t k = 0; k < events_.size(); ++k) mine[k] += events_[k];
    mine[read_conductance] += static_cast<std::uint64_t>(std::llround(read_conductance_));
}

std::size_t crossbar_partition::memory_bytes() const {
    std::size_t bytes = 0;
    for (const auto& tb : blocks_) bytes += tb.memory_bytes();
    return bytes;
}

namespace {
/// Marks the crossbar state as 16-bit conductance codes: a checkpoint of the float format before
/// it is refused by name instead of misread.
constexpr std::uint64_t state_tag = 0x3631752d72616278ULL;  // "xbar-u16"
} // namespace

void crossbar_partition::save_state(std::ostream& os) const {
    using namespace state_io;
    put(os, read_rng_);
    put(os, write_rng_);
    put(os, events_);
    put(os, read_conductance_);
    put(os, state_tag);
    for (const auto& tb : blocks_) {
        put_vector(os, tb.gp);
        put_vector(os, tb.gm);
        put_vector(os, tb.fp);
        put_vector(os, tb.fm);
        put_vector(os, tb.tp);
        put_vector(os, tb.tm);
    }
}

void crossbar_partition::load_state(std::istream& is) {
    using namespace state_io;
    get(is, read_rng_);
    get(is, write_rng_);
    // All zero: normal() (programming and read noise) would never return.
    if (all_zero(read_rng_) || all_zero(write_rng_)) throw io_error("checkpoint: a crossbar random stream is in the all-zero state");
    get(is, events_);
    get(is, read_conductance_);
    std::uint64_t tag = 0;
    get(is, tag);
    if (tag != state_tag)
        throw io_error("checkpoint: the crossbar state is not in this version's format (16-bit conductance codes); "
                       "checkpoints written before it cannot be continued");
    for (auto& tb : blocks_) {
        get_exact(is, tb.gp, tb.gp.size());
        get_exact(is, tb.gm, tb.gm.size());
        get_exact(is, tb.fp, tb.fp.size());
        get_exact(is, tb.fm, tb.fm.size());
        get_exact(is, tb.tp, tb.tp.size());
        get_exact(is, tb.tm, tb.tm.size());
        cache_single_rows(tb);  // the codes may differ from those the cache was computed from
    }
}

} // namespace memspike::crossbar::detail

namespace memspike::crossbar {

using detail::block_rows;
using detail::rows_of;

std::vector<projection_tiles> tile_report(const scenario& sc, const synapse_store& store, std::uint32_t tile_rows,
                                          std::uint32_t tile_cols) {
    std::vector<projection_tiles> out(sc.projections.size());
    for (std::size_t j = 0; j < out.size(); ++j) out[j].projection = sc.projections[j].name;
    for (std::size_t p = 0; p < store.blocks.size(); ++p)
        for (const auto& b : store.blocks[p]) {
            auto& r = out[b.projection];
            const block_rows br = rows_of(b, static_cast<std::uint32_t>(store.partitions[p].count));
            const tile_layout natural = map_tiles(br.pattern, row_order::natural, tile_rows, tile_cols);
            const tile_layout rcm = map_tiles(br.pattern, row_order::rcm, tile_rows, tile_cols, br.row_first);
            r.synapses += b.size();
            r.rows += br.pattern.rows;
            r.tiles_natural += natural.tiles_used;
            r.tiles_rcm += rcm.tiles_used;
        }
    const double cells = static_cast<double>(tile_rows) * tile_cols;
    for (auto& r : out) {
        if (r.tiles_natural) r.utilisation_natural = static_cast<double>(r.synapses) / (static_cast<double>(r.tiles_natural) * cells);
        if (r.tiles_rcm) r.utilisation_rcm = static_cast<double>(r.synapses) / (static_cast<double>(r.tiles_rcm) * cells);
    }
    return out;
}

} // namespace memspike::crossbar
