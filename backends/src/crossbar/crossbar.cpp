// SPDX-License-Identifier: MIT
// The crossbar backend. Model and parameters: docs/crossbar.md. In short:
//
// Mapping. Each synapse block (one projection's synapses onto one partition) becomes a grid of
// tiles. A crossbar row is one (source, delay) range of the block's CSR (a spike drives it when
// it arrives), plus one more row per extra multapse (a cell holds one synapse). Columns are the
// partition's target neurons. Rows and columns are ordered naturally or by reverse
// Cuthill-McKee (tile_mapping.hpp) and cut into tiles of tile_rows x tile_cols. A weight w is the
// pair G+ = g_min + max(w, 0)/s, G- = g_min + max(-w, 0)/s, with s = max|w| / (g_max - g_min) per
// projection (the bounds |w_min|, |w_max| for plastic ones), programmed by write-verify onto the
// device's level grid. Every cell of a used column exists: cells without a synapse hold the pair
// (g_min, g_min), so device variation and faults make them conduct as they would on a chip.
//
// Delivery. An arriving spike drives its rows in the tiles where they hold synapses. Each woken
// tile reads every used column over its driven rows: column currents (first-order IR drop when
// r_wire > 0), read noise, drift, then the ADC (clipping counted), then back to weight units
// and into the target neurons. Cost: driven rows x used columns of woken tiles.
//
// Plasticity. The rule keeps computing in weight units; before a plastic row is read, any synapse
// whose rule weight differs from what its devices hold is programmed: pulses move each device of
// the pair towards the canonical pair of the new weight, through the nonlinear pulse response with
// cycle-to-cycle noise, and the weight the devices now hold is written back to the rule.
#include "memspike/backends/crossbar/crossbar.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "memspike/backends/crossbar/device.hpp"
#include "memspike/backends/crossbar/tile_mapping.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/random.hpp"
#include "memspike/core/state_io.hpp"

namespace memspike::crossbar {
namespace {

/// The backend's ledger counters, in the order of info.counters (crossbar_backend()).
enum counter : std::size_t {
    tiles_woken, row_drives, cell_reads, read_conductance, adc_conversions, adc_clipped, set_pulses, reset_pulses, counter_count
};

// Its random streams: the purpose numbers it had when core listed them, so seeds keep their results.
constexpr stream_purpose device_stream{8};  // device-to-device variation and faults, per device
constexpr stream_purpose read_stream{9};    // read noise, per partition
constexpr stream_purpose write_stream{10};  // cycle-to-cycle noise and stochastic rounding, per partition

constexpr const char* owner = "crossbar";
constexpr std::uint16_t unused_column = std::numeric_limits<std::uint16_t>::max();

/// Array and periphery parameters (internal units: mV, ms, pA, MOhm).
struct array_params {
    std::uint32_t tile_rows = 128, tile_cols = 128;
    bool reorder = true;
    double v_read = 200.0, t_read = 1e-5;    // mV, ms
    double v_write = 2000.0, t_write = 8e-5; // mV, ms
    double adc_bits = 8.0;                   // or +inf: ideal
    double adc_range = 8e6;                  // pA, full scale of one column's (G+ - G-) current
    std::uint32_t columns_per_adc = 8;
    bool adc_per_polarity = false;           // G+ and G- columns converted apart (2 conversions)
    double r_wire = 2e-6;                    // MOhm per cell segment
    bool stochastic_rounding = true;
    double drift_age = 0.0;                  // ms from programming to t = 0 of the run
};

struct settings {
    device_params dev;
    array_params arr;
};

settings settings_of(const param_map& p) {
    settings s;
    s.dev.g_min = p.at("g_min");
    s.dev.g_max = p.at("g_max");
    s.dev.levels = p.at("levels");
    s.dev.nl_ltp = p.at("nl_ltp");
    s.dev.nl_ltd = p.at("nl_ltd");
    s.dev.sigma_c2c = p.at("sigma_c2c");
    s.dev.sigma_d2d = p.at("sigma_d2d");
    s.dev.sigma_read = p.at("sigma_read");
    s.dev.p_stuck_on = p.at("p_stuck_on");
    s.dev.p_stuck_off = p.at("p_stuck_off");
    s.dev.drift_nu = p.at("drift_nu");
    s.dev.drift_t0 = p.at("drift_t0");
    auto& a = s.arr;
    a.tile_rows = static_cast<std::uint32_t>(p.at("tile_rows"));
    a.tile_cols = static_cast<std::uint32_t>(p.at("tile_cols"));
    a.reorder = p.at("reorder") != 0.0;
    a.v_read = p.at("v_read");
    a.t_read = p.at("t_read");
    a.v_write = p.at("v_write");
    a.t_write = p.at("t_write");
    a.adc_bits = p.at("adc_bits");
    a.adc_range = p.at("adc_range");
    a.columns_per_adc = static_cast<std::uint32_t>(p.at("columns_per_adc"));
    a.adc_per_polarity = p.at("adc_per_polarity") != 0.0;
    a.r_wire = p.at("r_wire");
    a.stochastic_rounding = p.at("stochastic_rounding") != 0.0;
    a.drift_age = p.at("drift_age");
    return s;
}

void require_integer(const param_map& p, const std::string& name, double lo, double hi, bool inf_ok = false) {
    const double v = p.at(name);
    if (inf_ok && v == std::numeric_limits<double>::infinity()) return;
    if (!(v >= lo && v <= hi && v == std::floor(v)))
        throw invalid_parameter(owner, name, format_quantity(v, dimension::dimensionless),
                                "must be an integer in [" + format_quantity(lo, dimension::dimensionless) + ", " +
                                    format_quantity(hi, dimension::dimensionless) + "]" + (inf_ok ? " or inf" : ""));
}

void validate(const param_map& p) {
    settings_of(p).dev.validate();
    require_integer(p, "tile_rows", 1, 65535);
    require_integer(p, "tile_cols", 1, 65535);
    require_integer(p, "adc_bits", 1, 24, true);
    require_integer(p, "columns_per_adc", 1, 65535);
    require_positive(owner, p, "v_read", dimension::voltage);
    require_positive(owner, p, "t_read", dimension::time);
    require_positive(owner, p, "v_write", dimension::voltage);
    require_positive(owner, p, "t_write", dimension::time);
    require_positive(owner, p, "adc_range", dimension::current);
    require_non_negative(owner, p, "r_wire", dimension::resistance);
    require_non_negative(owner, p, "drift_age", dimension::time);
}

/// One tile of a block: its used columns and per-tick scratch.
struct tile {
    std::uint32_t cols = 0;                // used columns
    std::uint64_t base = 0;                // first cell in the block's conductance arrays
    std::vector<std::uint32_t> target;     // per used column: partition-local target neuron
    std::vector<std::uint16_t> position;   // per used column: physical column in the tile
    std::vector<std::uint16_t> active;     // rows driven this tick (positions in the tile)
    std::vector<std::uint8_t> hit;         // per used column: a synapse lies on a driven row
    std::vector<std::uint16_t> hit_list;
};

/// A crossbar row's part inside one tile: the tile, the row's position there, and the used
/// columns where the row holds synapses (seg_cols[first, end)).
struct segment {
    std::uint32_t tile;
    std::uint16_t row;
    std::uint32_t first, end;
};

/// One synapse block on tiles.
struct tiled_block {
    double scale = 1.0;                    // weight unit per nS
    bool plastic = false;
    std::uint64_t stream_key = 0;          // (projection, partition) for device streams
    std::vector<tile> tiles;
    std::vector<float> gp, gm;             // conductances [nS], tile by tile, row-major (tile_rows x cols)
    /// Plastic blocks with drift: when each device was last programmed [ms of run time; the
    /// initial programming is at -drift_age]. Empty otherwise (all devices share that time).
    std::vector<float> tp, tm;
    std::vector<std::uint32_t> row_first;  // per CSR range k: crossbar rows [row_first[k], row_first[k+1])
    std::vector<std::uint32_t> seg_first;  // per crossbar row: segments [seg_first[r], seg_first[r+1])
    std::vector<segment> segs;
    std::vector<std::uint16_t> seg_cols;
    std::vector<std::uint32_t> cell;       // per synapse: its cell (index into gp / gm)
    std::vector<std::uint32_t> woken;      // tiles woken this tick
    std::uint64_t rows = 0;

    std::size_t memory_bytes() const {
        std::size_t b = (gp.capacity() + gm.capacity() + tp.capacity() + tm.capacity()) * sizeof(float) + (row_first.capacity() + seg_first.capacity() + cell.capacity()) * 4 +
                        segs.capacity() * sizeof(segment) + seg_cols.capacity() * 2;
        for (const auto& t : tiles) b += sizeof(tile) + t.target.capacity() * 4 + t.position.capacity() * 2 + t.hit.capacity() * 3;
        return b;
    }
};

/// The crossbar rows of a block: per CSR range, one row per occurrence of a repeated target
/// (multapses), and the row of every synapse.
struct block_rows {
    std::vector<std::uint32_t> row_first;  // per range
    std::vector<std::uint32_t> row_of;     // per synapse
    sparse_pattern pattern;                // rows x partition targets
};

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

/// The largest |weight| a projection holds or may learn: sets the weight-to-conductance scale.
double weight_range(const backend_context& cx, std::size_t projection) {
    double m = 0.0;
    for (const auto& blocks : cx.store.blocks)
        for (const auto& b : blocks) {
            if (b.projection != projection) continue;
            if (b.homogeneous) m = std::max(m, std::abs(static_cast<double>(b.weight_value)));
            for (const float w : b.weights) m = std::max(m, std::abs(static_cast<double>(w)));
        }
    const auto& plasticity = cx.sc.projections[projection].plasticity;
    if (plasticity.enabled()) {
        const param_map p = cx.models.find_plasticity(plasticity.rule).complete(plasticity.params);
        for (const char* bound : {"w_min", "w_max"})
            if (p.count(bound) && std::isfinite(p.at(bound))) m = std::max(m, std::abs(p.at(bound)));
    }
    return m > 0.0 ? m : 1.0;
}

class crossbar_partition final : public synaptic_backend {
public:
    crossbar_partition(const settings& s, std::uint64_t seed, std::uint32_t partition, double resolution_ms)
        : s_(s), seed_(seed), h_(resolution_ms), read_rng_(seed, read_stream, partition),
          write_rng_(seed, write_stream, partition),
          varied_(s.dev.sigma_d2d > 0.0 || s.dev.p_stuck_on > 0.0 || s.dev.p_stuck_off > 0.0),
          rounding_(s.arr.stochastic_rounding ? rounding::stochastic : rounding::nearest) {
        column_scratch_.resize(6 * static_cast<std::size_t>(s.arr.tile_cols));
    }

    /// Maps block `b` of this partition onto tiles and programs its devices; writes the weights
    /// the devices hold back into the block.
    void map_block(synapse_block& b, std::uint32_t targets, double w_range, bool plastic, std::uint64_t stream_key) {
        tiled_block& tb = blocks_.emplace_back();
        tb.plastic = plastic;
        tb.stream_key = stream_key;
        tb.scale = w_range / (s_.dev.g_max - s_.dev.g_min);
        const std::uint32_t R = s_.arr.tile_rows, C = s_.arr.tile_cols;
        block_rows br = rows_of(b, targets);
        tb.row_first = std::move(br.row_first);
        tb.rows = br.pattern.rows;
        const tile_layout L = map_tiles(br.pattern, s_.arr.reorder ? row_order::rcm : row_order::natural, R, C);

        // Tiles in use, and their used columns (by physical position).
        std::map<std::uint32_t, std::uint32_t> tile_index;  // grid id -> tile
        std::vector<std::vector<std::uint16_t>> column_of;  // per tile: position -> used column
        auto tile_of_cell = [&](std::uint32_t row, std::uint32_t col) {
            const std::uint32_t id = L.tile_of(row, col);
            auto [it, inserted] = tile_index.emplace(id, static_cast<std::uint32_t>(tb.tiles.size()));
            if (inserted) {
                tb.tiles.emplace_back();
                column_of.emplace_back(C, unused_column);
            }
            return it->second;
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
            T.base = cells;
            cells += static_cast<std::uint64_t>(R) * T.cols;
        }
        if (cells > std::numeric_limits<std::uint32_t>::max())
            throw invalid_parameter(owner, "tile_rows", std::to_string(R), "a block needs more than 2^32 cells; use smaller partitions");

        // Every cell starts as the pair of weight 0, programmed like any other.
        tb.gp.resize(cells);
        tb.gm.resize(cells);
        for (std::uint32_t c = 0; c < cells; ++c) {
            tb.gp[c] = static_cast<float>(program_level(s_.dev, device(tb, c, 0), s_.dev.g_min));
            tb.gm[c] = static_cast<float>(program_level(s_.dev, device(tb, c, 1), s_.dev.g_min));
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
        tb.seg_first.assign(1, 0);
        for (std::uint32_t row = 0; row < tb.rows; ++row) {
            auto& rc = row_cells[row];
            std::sort(rc.begin(), rc.end());
            for (std::size_t q = 0; q < rc.size(); ++q) {
                if (q == 0 || rc[q].first != rc[q - 1].first) {
                    const auto seg_row = static_cast<std::uint16_t>(L.row_slot[row] % R);
                    const auto at = static_cast<std::uint32_t>(tb.seg_cols.size());
                    tb.segs.push_back({rc[q].first, seg_row, at, at});
                }
                tb.seg_cols.push_back(rc[q].second);
                tb.segs.back().end = static_cast<std::uint32_t>(tb.seg_cols.size());
            }
            tb.seg_first.push_back(static_cast<std::uint32_t>(tb.segs.size()));
        }

        // Program the weights, then write back what the devices hold.
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
            tb.gp[c] = static_cast<float>(program_level(s_.dev, device(tb, c, 0), gp));
            tb.gm[c] = static_cast<float>(program_level(s_.dev, device(tb, c, 1), gm));
            b.weights[j] = held_weight(tb, c);
        }
    }

    std::uint64_t deliver(tick_t t, std::span<const spike_arrival> arrivals, const partition_view& part,
                          input_buffer& in) override {
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

    void weights_changed(tick_t t, const partition_view& part, std::size_t b) override {
        for (std::uint64_t j = 0; j < part.blocks[b].size(); ++j) sync(blocks_[b], part.blocks[b], j, t);
    }

    void add_events(std::span<std::uint64_t> mine) const override {
        for (std::size_t k = 0; k < events_.size(); ++k) mine[k] += events_[k];
        mine[read_conductance] += static_cast<std::uint64_t>(std::llround(read_conductance_));
    }

    std::size_t memory_bytes() const override {
        std::size_t bytes = 0;
        for (const auto& tb : blocks_) bytes += tb.memory_bytes();
        return bytes;
    }

    void save_state(std::ostream& os) const override {
        using namespace state_io;
        put(os, read_rng_);
        put(os, write_rng_);
        put(os, events_);
        put(os, read_conductance_);
        for (const auto& tb : blocks_) {
            put_vector(os, tb.gp);
            put_vector(os, tb.gm);
            put_vector(os, tb.tp);
            put_vector(os, tb.tm);
        }
    }
    void load_state(std::istream& is) override {
        using namespace state_io;
        get(is, read_rng_);
        get(is, write_rng_);
        get(is, events_);
        get(is, read_conductance_);
        for (auto& tb : blocks_) {
            const std::size_t n = tb.gp.size();
            get_exact(is, tb.gp, n);
            get_exact(is, tb.gm, n);
            get_exact(is, tb.tp, tb.tp.size());
            get_exact(is, tb.tm, tb.tm.size());
        }
    }

private:
    /// Device `polarity` (0: G+, 1: G-) of cell c: nominal, or drawn from its own stream.
    device_instance device(const tiled_block& tb, std::uint32_t c, int polarity) const {
        if (!varied_) return {s_.dev.g_min, s_.dev.g_max, fault::none};
        random_stream rng(seed_, device_stream, tb.stream_key, 2 * std::uint64_t{c} + static_cast<std::uint64_t>(polarity));
        return draw_device(s_.dev, rng);
    }

    std::pair<double, double> canonical_pair(const tiled_block& tb, double w) const {
        return {s_.dev.g_min + std::max(w, 0.0) / tb.scale, s_.dev.g_min + std::max(-w, 0.0) / tb.scale};
    }

    float held_weight(const tiled_block& tb, std::uint32_t c) const {
        return static_cast<float>(tb.scale * (static_cast<double>(tb.gp[c]) - static_cast<double>(tb.gm[c])));
    }

    /// Programs synapse j's devices if its rule weight moved away from what they hold.
    void sync(tiled_block& tb, synapse_block& block, std::uint64_t j, tick_t t) {
        const std::uint32_t c = tb.cell[j];
        if (block.weights[j] == held_weight(tb, c)) return;
        const auto [gp, gm] = canonical_pair(tb, block.weights[j]);
        const float old_p = tb.gp[c], old_m = tb.gm[c];
        tb.gp[c] = static_cast<float>(program(device(tb, c, 0), tb.gp[c], gp));
        tb.gm[c] = static_cast<float>(program(device(tb, c, 1), tb.gm[c], gm));
        if (!tb.tp.empty()) {  // a programmed device restarts its drift clock
            const auto now = static_cast<float>(static_cast<double>(t) * h_);
            if (tb.gp[c] != old_p) tb.tp[c] = now;
            if (tb.gm[c] != old_m) tb.tm[c] = now;
        }
        block.weights[j] = held_weight(tb, c);
    }

    /// Moves one device from g towards target with programming pulses; returns its conductance.
    double program(const device_instance& dev, double g, double target) {
        if (s_.dev.continuous()) {  // an ideal device: one exact write
            const double now = program_level(s_.dev, dev, target);
            if (now > g) ++events_[set_pulses];
            if (now < g) ++events_[reset_pulses];
            return now;
        }
        const int n = pulses_towards(s_.dev, dev, g, target, rounding_, write_rng_);
        if (n == 0) return g;
        events_[n > 0 ? set_pulses : reset_pulses] += static_cast<std::uint64_t>(std::abs(n));
        return apply_pulses(s_.dev, dev, g, n > 0, static_cast<unsigned>(std::abs(n)), write_rng_);
    }

    /// One ADC conversion of x (conductance units, full scale `range`): ideal, or quantised
    /// with clipping counted. Signed for the difference, unsigned per polarity.
    double convert(double x, bool is_signed) {
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
    void read_tile(tiled_block& tb, tile& T, double drift, double now_ms, double* sum, input_buffer& in) {
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
    void point_rows(const tiled_block& tb, const tile& T, double now_ms) {
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
    void ir_drop(const tile& T, double* ap, double* am) {
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

    settings s_;
    std::uint64_t seed_;
    double h_;
    random_stream read_rng_, write_rng_;
    bool varied_;
    rounding rounding_;
    std::vector<tiled_block> blocks_;       // parallel to the partition's synapse blocks
    std::vector<std::uint32_t> touched_blocks_;
    std::vector<double> column_scratch_;
    std::vector<double> ir_qci_, ir_row_total_;
    std::vector<const float*> row_p_, row_m_;  // the driven rows' G+ / G- of the tile being read
    std::vector<float> drifted_;
    std::array<std::uint64_t, counter_count> events_{};  // read_conductance: kept apart, as a sum
    double read_conductance_ = 0.0;
};

param_info param(std::string name, dimension d, double value, std::string doc, bool inf_ok = false, bool boolean = false) {
    param_info p{std::move(name), d, value, std::move(doc)};
    p.infinite_ok = inf_ok;
    p.boolean = boolean;
    return p;
}

} // namespace

backend_info crossbar_backend() {
    using D = dimension;
    backend_info info;
    info.name = "crossbar";
    info.summary = "memristor crossbar tiles: differential conductance pairs, column currents, ADC (docs/crossbar.md)";
    const device_params dev;
    const array_params arr;
    info.params = {
        param("tile_rows", D::dimensionless, arr.tile_rows, "rows per tile (NeuroSim, ISAAC: 128)"),
        param("tile_cols", D::dimensionless, arr.tile_cols, "weight columns per tile (each a G+/G- pair)"),
        param("reorder", D::dimensionless, 1.0, "order rows and columns by reverse Cuthill-McKee (true) or naturally", false, true),
        param("g_min", D::conductance, dev.g_min, "lowest device conductance (MLP_NeuroSim V3 RealDevice: 0.476 uS)"),
        param("g_max", D::conductance, dev.g_max, "highest device conductance (MLP_NeuroSim V3 RealDevice: 10 uS)"),
        param("levels", D::dimensionless, dev.levels, "conductance levels (NeuroSim: 32); inf: continuous", true),
        param("nl_ltp", D::dimensionless, dev.nl_ltp, "potentiation nonlinearity, NeuroSim label (RealDevice 4.22)"),
        param("nl_ltd", D::dimensionless, dev.nl_ltd, "depression nonlinearity, NeuroSim label (RealDevice -4.22)"),
        param("sigma_c2c", D::dimensionless, dev.sigma_c2c, "cycle-to-cycle sigma per pulse, fraction of g_max - g_min (NeuroSim 0.005)"),
        param("sigma_d2d", D::dimensionless, dev.sigma_d2d, "device-to-device relative sigma of each device's bounds (aihwkit ReRamES: 0.3)"),
        param("sigma_read", D::dimensionless, dev.sigma_read, "relative read noise per read (NeuroSim 0.0289)"),
        param("p_stuck_on", D::dimensionless, dev.p_stuck_on, "fraction of devices stuck at g_max (no cited default)"),
        param("p_stuck_off", D::dimensionless, dev.p_stuck_off, "fraction of devices stuck at g_min (no cited default)"),
        param("drift_nu", D::dimensionless, dev.drift_nu, "PCM drift exponent (aihwkit: 0.05-0.1); 0: none"),
        param("drift_t0", D::time, dev.drift_t0, "drift reference time t0 (aihwkit: 20 s)"),
        param("drift_age", D::time, arr.drift_age, "time from programming to the start of the run"),
        param("v_read", D::voltage, arr.v_read, "read voltage of a driven row (a choice; NeuroSim uses 0.5 V)"),
        param("t_read", D::time, arr.t_read, "read pulse width (DNN_NeuroSim V1.3: 10 ns)"),
        param("v_write", D::voltage, arr.v_write, "programming pulse voltage (MLP_NeuroSim V3: 2 V)"),
        param("t_write", D::time, arr.t_write, "programming pulse width (MLP_NeuroSim V3: 80 ns)"),
        param("adc_bits", D::dimensionless, arr.adc_bits, "ADC resolution in bits; inf: ideal", true),
        param("adc_range", D::current, arr.adc_range, "ADC full scale of a column current (a choice: ~4 fully-on pairs at the defaults)"),
        param("columns_per_adc", D::dimensionless, arr.columns_per_adc, "columns sharing one ADC (DNN_NeuroSim V1.3: 8)"),
        param("adc_per_polarity", D::dimensionless, 0.0, "convert G+ and G- columns apart (true) or their analog difference", false, true),
        param("r_wire", D::resistance, arr.r_wire, "wire resistance per cell segment (MemTorch example: 2 Ohm); 0: no IR drop"),
        param("stochastic_rounding", D::dimensionless, 1.0, "round a plastic update's pulse count stochastically (true) or to nearest", false, true),
    };
    info.counters = {
        {"crossbar_tiles_woken", "events", "(tile, tick) pairs with at least one driven row"},
        {"crossbar_row_drives", "events", "rows driven, per woken tile"},
        {"crossbar_cell_reads", "events", "devices read: driven rows x used columns x 2 (G+ and G-)"},
        {"crossbar_read_conductance", "nS", "sum of the conductances read: read energy is V^2 t times this"},
        {"crossbar_adc_conversions", "events", "used columns of woken tiles (x 2 when G+ and G- are converted apart)"},
        {"crossbar_adc_clipped", "events", "conversions whose input lay outside the ADC range (clipped)"},
        {"crossbar_set_pulses", "events", "potentiating programming pulses"},
        {"crossbar_reset_pulses", "events", "depressing programming pulses"},
    };
    info.streams = {
        {"crossbar_device", device_stream, "device-to-device variation and faults, per device"},
        {"crossbar_read", read_stream, "read noise, per partition"},
        {"crossbar_write", write_stream, "cycle-to-cycle noise and stochastic rounding, per partition"},
    };
    info.inspect = inspect_tiles;
    info.validate = validate;
    info.create = [](const backend_context& cx) {
        const settings s = settings_of(cx.params);
        std::vector<std::unique_ptr<synaptic_backend>> out;
        std::vector<double> ranges(cx.sc.projections.size());
        for (std::size_t j = 0; j < ranges.size(); ++j) ranges[j] = weight_range(cx, j);
        for (std::size_t p = 0; p < cx.store.partitions.size(); ++p) {
            auto part = std::make_unique<crossbar_partition>(s, cx.sc.simulation.seed, static_cast<std::uint32_t>(p),
                                                             cx.sc.simulation.resolution_ms);
            for (auto& b : cx.store.blocks[p])
                part->map_block(b, static_cast<std::uint32_t>(cx.store.partitions[p].count), ranges[b.projection],
                                cx.sc.projections[b.projection].plasticity.enabled(), (std::uint64_t{b.projection} << 32) | p);
            out.push_back(std::move(part));
        }
        return out;
    };
    return info;
}

std::vector<projection_tiles> tile_report(const scenario& sc, const synapse_store& store, std::uint32_t tile_rows,
                                          std::uint32_t tile_cols) {
    std::vector<projection_tiles> out(sc.projections.size());
    for (std::size_t j = 0; j < out.size(); ++j) out[j].projection = sc.projections[j].name;
    for (std::size_t p = 0; p < store.blocks.size(); ++p)
        for (const auto& b : store.blocks[p]) {
            auto& r = out[b.projection];
            const block_rows br = rows_of(b, static_cast<std::uint32_t>(store.partitions[p].count));
            const tile_layout natural = map_tiles(br.pattern, row_order::natural, tile_rows, tile_cols);
            const tile_layout rcm = map_tiles(br.pattern, row_order::rcm, tile_rows, tile_cols);
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
