// SPDX-License-Identifier: MIT
// The crossbar backend's registry entry (crossbar.hpp): its parameter table, settings and their
// checks, ledger counters, random streams and the factory that maps every block onto tiles.
// The model is described in partition.hpp and docs/crossbar.md.
#include <cmath>
#include <limits>

#include "memspike/core/errors.hpp"
#include "partition.hpp"

namespace memspike::crossbar::detail {

settings settings_of(const param_map& p) {
    settings s;
    s.dev.g_min = p.at("g_min");
    s.dev.g_max = p.at("g_max");
    s.dev.levels = p.at("levels");
    s.dev.nl_ltp = p.at("nl_ltp");
    s.dev.nl_ltd = p.at("nl_ltd");
    s.dev.sigma_c2c = p.at("sigma_c2c");
    s.dev.sigma_d2d = p.at("sigma_d2d");
    s.dev.sigma_d2d_nl = p.at("sigma_d2d_nl");
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
    a.sneak = p.at("sneak") != 0.0;
    return s;
}

namespace {

void require_integer(const param_map& p, const std::string& name, double lo, double hi, bool inf_ok = false) {
    const double v = p.at(name);
    if (inf_ok && v == std::numeric_limits<double>::infinity()) return;
    if (!(v >= lo && v <= hi && v == std::floor(v)))
        throw invalid_parameter(owner, name, format_quantity(v, dimension::dimensionless),
                                "must be an integer in [" + format_quantity(lo, dimension::dimensionless) + ", " +
                                    format_quantity(hi, dimension::dimensionless) + "]" + (inf_ok ? " or inf" : ""));
}

} // namespace

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

} // namespace memspike::crossbar::detail

namespace memspike::crossbar {

using namespace detail;

namespace {

/// The largest |weight| a projection holds or may learn in this process's blocks (create takes
/// the maximum over ranks): sets the weight-to-conductance scale.
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
    return m;
}

param_info param(std::string name, dimension d, double value, std::string doc, bool inf_ok = false, bool boolean = false) {
    param_info p{std::move(name), d, value, std::move(doc)};
    p.infinite_ok = inf_ok;
    p.boolean = boolean;
    return p;
}

} // namespace

namespace {

/// For the resource estimate (backend_info::memory), following map_block: a block's crossbar rows
/// are its (source, delay) ranges that hold synapses; a tile is in use when one of its cells holds
/// a synapse, and then every used column of it has tile_rows cells. For synapses spread at random
/// with density p over rows x columns, a column of a tile is used with probability
/// 1 - exp(-p tile_rows), so the cells are (rows rounded up to whole tiles) x columns x that.
/// Each cell is a G+/G- pair of 16-bit codes (and their float programming times with drift on
/// plastic blocks), or, in a compact block, each synapse cell only;
/// each synapse keeps its cell index, a column entry of its row segment, and either its column's
/// cell_ref (12 bytes) or, in a cached block, its single-row record (8 bytes), and (when the store
/// shared one weight) its own weight again. While a block is mapped: its rows, pattern, the
/// reordering's edge lists and the per-row cell lists, about 24 bytes per synapse (with the
/// cache's full-width targets and pair indices while it is built, 8 more, the measured peaks of
/// cli.resource_estimate still lie below this estimate; blocks are mapped one at a time, so the
/// largest counts).
/// Expected crossbar rows of a range holding synapses: one, plus one per extra multapse level.
/// The shape does not say whether the rule allowed multapses, so this assumes targets drawn with
/// replacement (Poisson multiplicity lambda per target): the expected largest multiplicity over
/// the targets, sum over m >= 1 of 1 - (1 - P(Poisson(lambda) >= m))^targets. Without multapses
/// it overestimates (crossbar_brunel at scale 0.5: 3.1 rows per range against 1).
double rows_per_range(double per_range, double targets) {
    if (targets <= 0.0 || per_range <= 0.0) return 1.0;
    const double lambda = per_range / targets;
    double rows = 1.0, term = lambda * std::exp(-lambda), cdf = std::exp(-lambda) + term;  // P(X = m), P(X <= m), m = 1
    for (int m = 1; m < 64; ++m) {
        const double tail = 1.0 - cdf;                       // P(X >= m + 1)
        const double level = -std::expm1(targets * std::log1p(-std::min(tail, 1.0 - 1e-16)));
        if (level < 1e-4) break;
        rows += level;
        term *= lambda / (m + 1);
        cdf += term;
    }
    return rows;
}

backend_memory memory_estimate(const param_map& p, const std::vector<block_shape>& shapes) {
    const double tr = p.at("tile_rows"), tc = p.at("tile_cols");
    const bool drift = p.at("drift_nu") > 0.0;
    const bool varied = p.at("sigma_d2d") > 0.0 || p.at("p_stuck_on") > 0.0 || p.at("p_stuck_off") > 0.0;
    backend_memory m;
    for (const auto& b : shapes) {
        if (b.synapses <= 0) continue;
        const double ranges = b.sources * b.delays;
        const double rows = ranges * -std::expm1(-b.synapses / ranges) * rows_per_range(b.synapses / ranges, b.targets);
        const double density = b.synapses / (rows * b.targets);
        const double cells = std::ceil(rows / tr) * tr * b.targets * -std::expm1(-density * tr);
        // Compact blocks (nominal devices with codes, no per-device drift clock) store codes for
        // the synapse cells only (tiled_block::compact).
        const bool compact = !varied && std::isfinite(p.at("levels")) && !(b.plastic && drift);
        const double per_cell = compact ? 0.0 : (b.plastic && drift) ? 12.0 : 4.0;
        // Static compact blocks on the sparse read keep the single-row cache (single_row.cpp): 8
        // bytes per synapse instead of the cell_ref, and 32 per segment.
        const bool cached = compact && !b.plastic && std::isfinite(p.at("adc_bits")) && p.at("adc_per_polarity") == 0.0;
        // A row's segments: the column tiles its synapses fall in (a multapse level's row holds
        // few synapses, so it has fewer segments than there are column tiles).
        const double col_tiles = std::ceil(b.targets / tc);
        const double segments_per_row = col_tiles * -std::expm1(-(b.synapses / rows) / col_tiles);
        const double per_block = cells * per_cell +
                                 b.synapses * ((compact ? 4.0 : 0.0) + 4.0 + 2.0 + (cached ? 8.0 : 12.0) + (b.homogeneous ? 4.0 : 0.0)) +
                                 rows * (4.0 + (cached ? 48.0 : 16.0) * segments_per_row) + ranges * 4.0;
        // The sneak term (sneak.cpp): per-tile column lists, 8 bytes per synapse and 4 per used
        // column, and a cached block's put-back float, 4 per synapse.
        const double sneak = p.at("sneak") != 0.0 && p.at("r_wire") > 0.0 ? (cached ? 12.0 : 8.0) * b.synapses + 4.0 * cells / tr : 0.0;
        m.steady_bytes += b.blocks * (per_block + sneak);
        m.build_bytes = std::max(m.build_bytes, 24.0 * b.synapses + 56.0 * rows);
    }
    return m;
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
        param("sigma_d2d_nl", D::dimensionless, dev.sigma_d2d_nl, "device-to-device sigma of each device's nonlinearity labels nl_ltp, nl_ltd (NeuroSim sigmaDtoD)"),
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
        param("sneak", D::dimensionless, 0.0,
              "first-order sneak current through the grounded (unselected) rows (true) or the driven rows' cells only", false, true),
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
        {"crossbar_adc_rounds", "events",
         "ADC conversion rounds: per woken tile ceil(used columns / columns_per_adc), x 2 per polarity (its read latency)"},
    };
    info.streams = {
        {"crossbar_device", device_stream, "device-to-device variation and faults, per device"},
        {"crossbar_read", read_stream, "read noise, per partition"},
        {"crossbar_write", write_stream, "cycle-to-cycle noise and stochastic rounding, per partition"},
    };
    // Each partition's programming and noise depend on its own blocks, the network-wide weight
    // range and streams keyed by its network-wide index only (create).
    info.ranks_safe = true;
    info.inspect = inspect_tiles;
    info.validate = validate;
    info.create = [](const backend_context& cx) {
        const settings s = settings_of(cx.params);
        std::vector<std::unique_ptr<synaptic_backend>> out;
        // Over MPI ranks, a rank's partitions must be programmed as one process programs them
        // (docs/mpi.md): the same scale (the maximum over every rank's blocks) and the same
        // streams (keyed by the network-wide partition index, not the place in this process).
        std::vector<double> ranges(cx.sc.projections.size());
        for (std::size_t j = 0; j < ranges.size(); ++j) ranges[j] = weight_range(cx, j);
        cx.max_over_ranks(ranges);
        for (double& r : ranges) r = r > 0.0 ? r : 1.0;
        for (std::size_t p = 0; p < cx.store.partitions.size(); ++p) {
            const std::uint32_t global = cx.partition_index.empty() ? static_cast<std::uint32_t>(p) : cx.partition_index[p];
            auto part = std::make_unique<crossbar_partition>(s, cx.sc.simulation.seed, global, cx.sc.simulation.resolution_ms);
            for (auto& b : cx.store.blocks[p])
                part->map_block(b, static_cast<std::uint32_t>(cx.store.partitions[p].count), ranges[b.projection],
                                cx.sc.projections[b.projection].plasticity.enabled(), (std::uint64_t{b.projection} << 32) | global);
            out.push_back(std::move(part));
        }
        return out;
    };
    info.memory = memory_estimate;
    return info;
}

} // namespace memspike::crossbar
