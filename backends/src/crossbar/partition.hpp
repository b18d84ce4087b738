// SPDX-License-Identifier: MIT
// Private to the crossbar sources: the backend's settings, the tiled form of a synapse block and
// the per-partition backend. Its members are defined by responsibility:
//   crossbar.cpp       parameter table, settings and their checks, the factory
//   block_mapping.cpp  blocks onto tiles, initial programming, tile_report, checkpoint state
//   read_path.cpp      delivery: driven rows, the sparse read of the default device (the hot loop)
//   single_row.cpp     the cached single-row reads of static blocks, several rows from the cache,
//                      empty columns read one by one or thinned past the first skip
//   full_read.cpp      the full read of every used column (other devices, rare fallbacks)
//   sneak.cpp          the first-order sneak term through the grounded rows (sneak = true)
//   programming.cpp    plasticity: pulses that move devices to the rule's new weights
//
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
// and into the target neurons. Cost: driven rows x used columns of woken tiles; on the default
// device (read_tile_sparse) only the hit columns, the empty ones drawn by thinning.
//
// Plasticity. The rule keeps computing in weight units; before a plastic row is read, any synapse
// whose rule weight differs from what its devices hold is programmed: pulses move each device of
// the pair towards the canonical pair of the new weight, through the nonlinear pulse response with
// cycle-to-cycle noise, and the weight the devices now hold is written back to the rule.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#ifdef __linux__
#include <sys/mman.h>
#endif

#include "memspike/backends/crossbar/crossbar.hpp"
#include "memspike/backends/crossbar/device.hpp"
#include "memspike/backends/crossbar/fast_normal.hpp"
#include "memspike/backends/crossbar/lane_normals.hpp"
#include "memspike/backends/crossbar/tile_mapping.hpp"
#include "memspike/core/random.hpp"

// detail: the names here (e.g. the counter read_conductance) must not meet device.hpp's.
namespace memspike::crossbar::detail {


/// The backend's ledger counters, in the order of info.counters (crossbar_backend()).
enum counter : std::size_t {
    tiles_woken, row_drives, cell_reads, read_conductance, adc_conversions, adc_clipped, set_pulses, reset_pulses, adc_rounds,
    counter_count
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
    bool sneak = false;                      // first-order sneak current through the grounded rows
};

struct settings {
    device_params dev;
    array_params arr;
};

/// The settings of a completed parameter map.
settings settings_of(const param_map& p);
/// The backend's cross-parameter checks (backend_info::validate).
void validate(const param_map& p);

/// Reserves n elements for `v` and asks Linux to back them with huge pages: a spike's tile reads
/// touch places scattered over arrays of tens to hundreds of MB, and with 4 KiB pages nearly every
/// read costs a TLB miss (a nested page walk in a virtual machine). Only a request (transparent
/// huge pages in madvise mode), made before the pages are first written; nothing else changes.
template <class T>
void reserve_huge(std::vector<T>& v, std::size_t n) {
    v.reserve(n);
#ifdef __linux__
    constexpr std::uintptr_t huge = std::uintptr_t{1} << 21;
    const auto first = (reinterpret_cast<std::uintptr_t>(v.data()) + huge - 1) & ~(huge - 1);
    const auto last = (reinterpret_cast<std::uintptr_t>(v.data() + n)) & ~(huge - 1);
    if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#endif
}

/// x[h] += sigma sqrt(v[h]) z[h] for h < n (column_passes.cpp): the read noise over a read's hit
/// columns, bit-identical to the scalar loop on every CPU.
void add_noise(double* x, const double* v, const double* z, std::size_t n, double sigma);

/// One tile of a block: its used columns and per-tick scratch.
struct tile {
    std::uint32_t cols = 0;                // used columns
    std::uint64_t base = 0;                // first cell in the block's conductance arrays
    std::vector<std::uint32_t> target;     // per used column: partition-local target neuron
    std::vector<std::uint16_t> position;   // per used column: physical column in the tile
    std::vector<float> z;                  // per used column: sum over used columns c' of min(j, j') + 1 (IR drop)
    std::vector<std::uint8_t> hit;         // per used column: a synapse lies on a driven row
    std::vector<std::uint16_t> hit_list;
    /// The sneak term (array_params::sneak; empty otherwise): per used column c, its synapse
    /// cells col_cells[col_first[c], col_first[c + 1]) in ascending rows, and bounds over the
    /// columns of sum delta (R - i) and of sum delta per array (empty columns' thinning).
    /// 4 bytes: a several-row read of a cached block streams these for every hit column.
    struct col_cell {
        std::uint16_t row;   // position in the tile
        std::uint16_t pair;  // a cached block's code pair (tiled_block::pair_d), if tiled_block::col_pairs
    };
    std::vector<std::uint32_t> col_first;
    std::vector<col_cell> col_cells;
    std::vector<std::uint32_t> col_index;  // parallel to col_cells: the cell's index into gp / gm (fp / fm)
    double sneak_bound = 0.0, sneak_sum = 0.0;
};

/// A crossbar row's part inside one tile: the tile, the row's position there, and the used
/// columns where the row holds synapses (seg_cols[first, end)).
struct segment {
    std::uint32_t tile;
    std::uint16_t row;
    std::uint16_t cols;  // the tile's used columns (tile::cols: a one-row read needs nothing else of the tile)
    std::uint32_t first, end;
};
static_assert(sizeof(segment) == 16);

/// What the read of a synapse cell needs of its column, stored with the cell in segment order
/// (seg_at, parallel to seg_cols): the tile's per-column arrays are scattered over the tiles, and
/// a row's hit columns otherwise cost a cache miss each in three of them.
struct cell_ref {
    std::uint32_t target;  // tile::target of the column
    float z;               // tile::z of the column
    float j1;              // its physical position + 1 (exact in float)
};

/// The first-order read of one driven row's hit columns, taken in column order: read_tile_sparse's
/// one-row loop and the single-row cache (cache_single_rows) both step it, so the cache holds
/// exactly what the direct read computes. With G = K e0 + delta the column's ideal sum (K = 1
/// here), the current is G - rho (e0 z G + e0 S + delta (S + w2 + (R - i) delta) + e00), S the row
/// drop up to the column (the running sums l*), per array; the variance is that of the read noise
/// over sigma_read^2.
struct one_row_sweep {
    double e0, ke0, e00, w2, ri, rho, tp, tm;  // tp, tm: the row's sums of delta+ and delta-
    double lp = 0.0, lpj = 0.0, lm = 0.0, lmj = 0.0;

    struct column {
        double x;    // the noiseless G+ - G- current [nS, before drift]
        double var;  // its read-noise variance / sigma_read^2 [nS^2]
    };
    /// The next hit column, at position j1 (+ 1) with column-side factor z, cell deltas p and m.
    column next(double j1, double z, double p, double m) {
        const double ez = e0 * z;
        const double sp = lpj + j1 * (tp - lp), sm = lmj + j1 * (tm - lm);
        const double gp = ke0 + p, gm = ke0 + m;
        const double op = gp - rho * (ez * gp + e0 * sp + p * (sp + w2 + ri * p) + e00);
        const double om = gm - rho * (ez * gm + e0 * sm + m * (sm + w2 + ri * m) + e00);
        lp += p;
        lpj += p * j1;
        lm += m;
        lmj += m * j1;
        return {op - om, 2.0 * ke0 * e0 + (p * (2.0 * e0 + p) + m * (2.0 * e0 + m))};
    }
    /// next() with the sneak term through the grounded rows (array_params::sneak): each array's
    /// cell also loses rho g sum_{i != row} g_i (R - max(i, row)) over its column, whose e0 parts
    /// are e0 A (sa = e0 A, A = sum_{i != row} (R - max(i, row))) and whose synapse cells' deltas
    /// give hp, hm (crossbar_partition::column_h); e0^2 A cancels in G+ - G-.
    double sa = 0.0;
    column next_sneak(double j1, double z, double p, double m, double hp, double hm) {
        column r = next(j1, z, p, m);
        r.x -= rho * (sa * (p - m) + e0 * (hp - hm) + (p * hp - m * hm));
        return r;
    }
    /// A = sum_{i != row, 0 <= i < R} (R - max(i, row)): the rows of a tile column other than `row`.
    static double others(double R, double row) { return row * (R - row) + (R - row) * (R - row - 1.0) / 2.0; }
};

/// A synapse cell's share of a read in which its row is the tile's only driven row (most reads of
/// a spiking network): read_tile_sparse's noiseless G+ - G- current with the first-order IR drop
/// [nS, before drift] as a float (6e-8 relative: 1e-5 of an LSB, below the codes' own q / 2),
/// the column's partition-local target, and the index of the cell's code pair in the block's pair
/// table (tiled_block::pair_s, pair_d): the read-noise deviation and the deltas depend on the
/// codes alone, and a block holds few distinct pairs (at most 2 levels - 1 on nominal devices).
/// 8 bytes per hit column streamed by a one-row read (was 12 with the deviation in the record).
/// Both depend on the row's own cells only, so a static block computes them once
/// (cache_single_rows). A block whose targets or pairs do not fit 16 bits keeps them in
/// tiled_block::one_target / one_pair instead (the same values; see tiled_block::wide).
struct single_row_cell {
    float x;
    std::uint16_t target;
    std::uint16_t pair;
};
static_assert(sizeof(single_row_cell) == 8);

/// A code pair's deltas g - e0 [nS], as read_tile_sparse decodes them (several rows' reads), what
/// add_cached_rows computes of them per cell, and its G+ - G- [nS], as empty_column_mean decodes it.
struct pair_delta {
    double p, m;
    double diff;
    double d;   // p - m
    double sq;  // p (2 e0 + p) + m (2 e0 + m): the pair's share of a column's squares
};

/// ... and per segment: the sum of its cells' delta = g - e0 over both arrays (read conductance),
/// sum (delta+ - delta-) (several rows' reads: the row drops' difference), and sum delta (j + 1)
/// per array, which bound its drop at any column (every delta >= 0 in a cached block).
struct single_row_segment {
    double read;
    double diff;
    double bp, bm;
};

/// One synapse block on tiles. A device's conductance is g0 + q * code, code a 16-bit level
/// (docs/crossbar.md, "State"): q is an exact fraction of the level step for nominal devices with
/// at most 65,536 levels, else a power of two >= (highest - lowest bound of the block's devices) / 65,535.
/// Cell indices (cell[j], the index into gp / gm): row-major in each tile (base + row x cols +
/// used column), or, in a compact block, the synapse's place in seg_cols. A compact block (nominal
/// devices, codes, no per-device drift clock) stores only the synapse cells: every other cell of a
/// used column holds the code e0_code, which need not be stored, and a spike's codes are then one
/// contiguous stream per row, in the order its segments are read.
struct tiled_block {
    double scale = 1.0;                    // weight unit per nS
    double g0 = 0.0, q = 1.0;              // [nS] conductance of code 0, and of one code step
    double e0 = 0.0;                       // [nS] what a cell without a synapse holds (nominal devices)
    std::uint16_t e0_code = 0;             // ... its code
    bool compact = false;                  // gp / gm hold the synapse cells only, in seg_cols order
    bool plastic = false;
    std::uint64_t stream_key = 0;          // (projection, partition) for device streams
    std::vector<tile> tiles;
    std::vector<std::uint16_t> gp, gm;     // conductance codes (g0, q), tile by tile, row-major (tile_rows x cols); compact: per seg_cols entry
    bool exact = false;                    // a continuous device (levels = inf): the conductances themselves
    std::vector<float> fp, fm;             // ... in fp / fm [nS] instead of codes
    /// Plastic blocks with drift: when each device was last programmed [ms of run time; the
    /// initial programming is at -drift_age]. Empty otherwise (all devices share that time).
    std::vector<float> tp, tm;
    std::vector<std::uint32_t> row_first;  // per CSR range k: crossbar rows [row_first[k], row_first[k+1]) (mapping only)
    std::vector<std::uint32_t> seg_first;  // per crossbar row: segments [seg_first[r], seg_first[r+1]) (mapping only)
    std::vector<std::uint32_t> range_seg;  // per CSR range k: the segments of all its rows, [range_seg[k], range_seg[k+1])
    std::vector<segment> segs;
    std::vector<std::uint16_t> seg_cols;
    std::vector<cell_ref> seg_at;          // parallel to seg_cols; empty while the single-row cache serves (it reads the tiles)
    std::vector<std::uint32_t> cell;       // per synapse: its cell (index into gp / gm)
    std::vector<std::uint32_t> woken;      // tiles woken this tick
    /// Per tile: its first and last entry in crossbar_partition::wake_ this tick (none: not woken).
    /// Kept here, a few KiB per block, and not in the tile: collecting a tick's driven rows then
    /// touches no tile, and a one-row read none either.
    std::vector<std::uint32_t> wake_head, wake_tail;
    std::uint64_t rows = 0;
    /// Static compact blocks on the sparse read: the single-row reads, parallel to seg_cols and
    /// to segs (empty otherwise: plastic blocks change their cells between reads).
    std::vector<single_row_cell> one;
    std::vector<single_row_segment> one_seg;
    std::vector<float> pair_s;             // per code pair: sqrt of the read-noise variance / sigma_read^2 of a one-row read [nS]
    std::vector<pair_delta> pair_d;        // ... its deltas
    /// With the sneak term: per cached cell, hp - hm of column_h (its column's other synapse cells,
    /// as its own row sees them), as a float: the several-row reads take the rows with a synapse
    /// in a column out of that column's sneak sum with it (add_cached_rows).
    std::vector<float> one_h;
    /// The fallback for a partition of more than 65,536 targets or a block of more than 65,536
    /// code pairs: each cell's target and pair index in full, parallel to `one` (whose 16-bit
    /// fields are then unused); empty otherwise.
    std::vector<std::uint32_t> one_target, one_pair;
    bool wide() const { return !one_target.empty(); }
    /// tile::col_cell::pair holds each synapse cell's code pair (a cached block whose pairs fit 16 bits).
    bool col_pairs = false;

    std::size_t memory_bytes() const {
        std::size_t b = (gp.capacity() + gm.capacity()) * sizeof(std::uint16_t) +
                        (fp.capacity() + fm.capacity() + tp.capacity() + tm.capacity()) * sizeof(float) +
                        (row_first.capacity() + seg_first.capacity() + range_seg.capacity() + cell.capacity() +
                         wake_head.capacity() + wake_tail.capacity()) * 4 +
                        segs.capacity() * sizeof(segment) + seg_cols.capacity() * 2 +
                        seg_at.capacity() * sizeof(cell_ref) + one.capacity() * sizeof(single_row_cell) +
                        one_seg.capacity() * sizeof(single_row_segment) + pair_s.capacity() * sizeof(float) +
                        pair_d.capacity() * sizeof(pair_delta) + (one_target.capacity() + one_pair.capacity()) * 4 + one_h.capacity() * 4;
        for (const auto& t : tiles)
            b += sizeof(tile) + t.target.capacity() * 4 + t.position.capacity() * 2 + t.hit.capacity() * 3 + t.z.capacity() * 4 +
                 t.col_first.capacity() * 4 + t.col_cells.capacity() * sizeof(tile::col_cell) + t.col_index.capacity() * 4;
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

block_rows rows_of(const synapse_block& b, std::uint32_t targets);

class pair_interner;  // single_row.cpp

/// crossbar_partition::col_acc_'s entries (single_row.cpp): one used column's sums over the
/// driven rows of a several-row read of a cached block.
struct crossbar_partition_column_acc {
    double x, p, m, sq;
};

class crossbar_partition final : public synaptic_backend {
public:
    crossbar_partition(const settings& s, std::uint64_t seed, std::uint32_t partition, double resolution_ms)
        : s_(s), seed_(seed), h_(resolution_ms), read_rng_(seed, read_stream, partition),
          write_rng_(seed, write_stream, partition),
          varied_(s.dev.sigma_d2d > 0.0 || s.dev.p_stuck_on > 0.0 || s.dev.p_stuck_off > 0.0),
          nl_varied_(s.dev.sigma_d2d_nl > 0.0),
          rounding_(s.arr.stochastic_rounding ? rounding::stochastic : rounding::nearest),
          sneak_(s.arr.sneak && s.arr.r_wire > 0.0) {
        column_scratch_.resize(6 * static_cast<std::size_t>(s.arr.tile_cols));
        hit_index_.resize(s.arr.tile_cols);
        hit_target_.resize(s.arr.tile_cols);
        identity_.resize(s.arr.tile_cols);
        for (std::uint32_t c = 0; c < s.arr.tile_cols; ++c) identity_[c] = static_cast<std::uint16_t>(c);
        hit_bits_.assign((s.arr.tile_cols + 63) / 64, 0);
        col_acc_.resize(s.arr.tile_cols);
        col_target_.resize(s.arr.tile_cols);
        col_hit_.assign(64 * hit_bits_.size(), 0);
        j1_identity_.resize(s.arr.tile_cols);
        j1_scratch_.resize(s.arr.tile_cols);
        for (std::uint32_t c = 0; c < s.arr.tile_cols; ++c) j1_identity_[c] = static_cast<double>(c) + 1.0;
        sparse_ok_ = !varied_ && !s.arr.adc_per_polarity && s.arr.adc_bits != std::numeric_limits<double>::infinity();
        if (s.arr.adc_bits != std::numeric_limits<double>::infinity()) {  // ADC codes: 2^(bits-1) each side of 0, or 2^bits from 0
            const double range = s.arr.adc_range / s.arr.v_read;             // pA / mV = nS
            adc_half_signed_ = std::ldexp(1.0, static_cast<int>(s.arr.adc_bits) - 1);
            adc_half_unsigned_ = std::ldexp(1.0, static_cast<int>(s.arr.adc_bits));
            adc_lsb_signed_ = range / adc_half_signed_;
            adc_lsb_unsigned_ = range / adc_half_unsigned_;
            adc_per_lsb_signed_ = 1.0 / adc_lsb_signed_;
            adc_per_lsb_unsigned_ = 1.0 / adc_lsb_unsigned_;
        }
    }

    /// Maps block `b` of this partition onto tiles and programs its devices; writes the weights
    /// the devices hold back into the block (block_mapping.cpp).
    void map_block(synapse_block& b, std::uint32_t targets, double w_range, bool plastic, std::uint64_t stream_key);

    // read_path.cpp
    std::uint64_t deliver(tick_t t, std::span<const spike_arrival> arrivals, const partition_view& part,
                          input_buffer& in) override;

    // programming.cpp
    void weights_changed(tick_t t, const partition_view& part, std::size_t b) override;

    // block_mapping.cpp
    void add_events(std::span<std::uint64_t> mine) const override;
    std::size_t memory_bytes() const override;
    void save_state(std::ostream& os) const override;
    void load_state(std::istream& is) override;

private:
    /// Device `polarity` (0: G+, 1: G-) of cell c: nominal, or drawn from its own stream.
    device_instance device(const tiled_block& tb, std::uint32_t c, int polarity) const {
        if (!varied_ && !nl_varied_) return {s_.dev.g_min, s_.dev.g_max, fault::none};
        random_stream rng(seed_, device_stream, tb.stream_key, 2 * std::uint64_t{c} + static_cast<std::uint64_t>(polarity));
        return draw_device(s_.dev, rng);
    }
    /// The same device where only its bounds and fault matter (write-verify programming): drawn
    /// only when they vary (the labels alone vary its pulse response, not its levels).
    device_instance bounds_of(const tiled_block& tb, std::uint32_t c, int polarity) const {
        return varied_ ? device(tb, c, polarity) : device_instance{s_.dev.g_min, s_.dev.g_max, fault::none};
    }

    std::pair<double, double> canonical_pair(const tiled_block& tb, double w) const {
        return {s_.dev.g_min + std::max(w, 0.0) / tb.scale, s_.dev.g_min + std::max(-w, 0.0) / tb.scale};
    }

    /// Conductance [nS] of a code, and the code of a conductance (nearest; the block's grid covers
    /// every bound of its devices, so a programmed value is always inside it).
    static double decode(const tiled_block& tb, std::uint16_t code) { return tb.g0 + tb.q * code; }
    static std::uint16_t encode(const tiled_block& tb, double g) {
        const double k = std::nearbyint((g - tb.g0) / tb.q);
        return static_cast<std::uint16_t>(std::clamp(k, 0.0, 65535.0));
    }

    /// The conductances of cell c [nS], and setting them (programmed values: inside the grid).
    static double g_plus(const tiled_block& tb, std::uint64_t c) { return tb.exact ? tb.fp[c] : decode(tb, tb.gp[c]); }
    static double g_minus(const tiled_block& tb, std::uint64_t c) { return tb.exact ? tb.fm[c] : decode(tb, tb.gm[c]); }
    static void set_pair(tiled_block& tb, std::uint64_t c, double p, double m) {
        if (tb.exact) {
            tb.fp[c] = static_cast<float>(p);
            tb.fm[c] = static_cast<float>(m);
        } else {
            tb.gp[c] = encode(tb, p);
            tb.gm[c] = encode(tb, m);
        }
    }

    float held_weight(const tiled_block& tb, std::uint32_t c) const {
        return static_cast<float>(tb.scale * (g_plus(tb, c) - g_minus(tb, c)));
    }

    /// Programs synapse j's devices if its rule weight moved away from what they hold.
    void sync(tiled_block& tb, synapse_block& block, std::uint64_t j, tick_t t) {
        const std::uint32_t c = tb.cell[j];
        if (block.weights[j] == held_weight(tb, c)) return;
        reprogram(tb, block, j, t);  // out of line: only plastic synapses whose weight moved get here
    }

    // block_mapping.cpp
    void program_weights(tiled_block& tb, synapse_block& b, bool plastic, std::uint64_t cells);
    void choose_grid(tiled_block& tb, std::uint64_t cells) const;

    // programming.cpp
    void reprogram(tiled_block& tb, synapse_block& block, std::uint64_t j, tick_t t);
    double program(const device_instance& dev, double g, double target);

    // read_path.cpp
    double convert(double x, bool is_signed);
    void convert_signed(double* x, std::size_t n, double scale);
    void prefetch_tile(const tiled_block& tb, std::uint32_t t) const;
    static constexpr std::size_t read_ahead = 4;  // deliver: woken tiles prefetched ahead of the read
    void read_tile(tiled_block& tb, tile& T, double drift, double now_ms, double* sum, input_buffer& in);
    bool read_tile_sparse(tiled_block& tb, tile& T, double drift, double* sum, input_buffer& in);
    void read_one_cached(const tiled_block& tb, const tile& T, std::uint32_t seg, double drift, double* sum, input_buffer& in);
    /// A read's plan for its empty columns (read_path.cpp): none, thinned with p_max (a bound where p_bound), or direct.
    struct empty_plan {
        double p_max = 0.0, a = 0.0;
        bool p_bound = false, direct = false;
    };
    empty_plan plan_empty(std::size_t empty, double mu_max, double half, double sigma_e) const;
    void read_empties(const tiled_block& tb, const tile& T, const std::uint16_t* H, std::size_t nh, std::size_t empty,
                      const empty_plan& plan, double drift, double sigma_e, double* sum, input_buffer& in);
    void thin_empty_columns(const tiled_block& tb, const tile& T, const std::uint16_t* H, std::size_t nh, std::size_t empty,
                            double p_max, double u, double drift, double sigma_e, double* sum, input_buffer& in);
    void cache_single_rows(tiled_block& tb) const;
    void intern_pairs(tiled_block& tb, pair_interner& pairs) const;
    static void fill_seg_at(tiled_block& tb);
    double add_cached_rows(const tiled_block& tb, const tile& T, double& read, double& mu_max, std::size_t& nh);
    template <bool wide>
    double add_cached_rows_of(const tiled_block& tb, const tile& T, double& read, double& mu_max);
    std::size_t collect_hit_columns(std::uint32_t cols);
    const double* j1_of(const tile& T);
    void cached_rows_columns(const tiled_block& tb, const tile& T, double diff_total, double drift, double ke0, std::uint16_t* H,
                             double* xs, double* vs);

    void read_empty_columns(const tiled_block& tb, const tile& T, const std::uint16_t* H, std::size_t nh, double drift,
                            double sigma_e, double* sum, input_buffer& in);
    void mark_hits(const tiled_block& tb, tile& T);
    double empty_column_mean(const tiled_block& tb, const tile& T, std::uint32_t c) const;
    /// Conversion rounds of one read of `cols` used columns: columns_per_adc columns share an ADC,
    /// so a tile's read takes ceil(cols / columns_per_adc) conversion times (docs/crossbar.md).
    std::uint64_t adc_rounds_of(std::uint32_t cols) const {
        return (std::uint64_t{cols} + s_.arr.columns_per_adc - 1) / s_.arr.columns_per_adc;
    }
    void touch(double* sum, input_buffer& in, std::uint32_t i, double x) const {
        sum[i] += x;
        if (!in.flag[i]) {
            in.flag[i] = 1;
            in.touched.push_back(i);
        }
    }
    void decode_rows(const tiled_block& tb, const tile& T, double now_ms);
    // sneak.cpp: the first-order sneak term through the grounded rows (array_params::sneak)
    void build_columns(tiled_block& tb) const;
    void sneak_bounds(tiled_block& tb) const;
    void column_h(const tiled_block& tb, const tile& T, std::uint32_t c, std::uint32_t row, double& hp, double& hm) const;
    double column_sneak(const tiled_block& tb, const tile& T, std::uint32_t c) const;
    double sneak_several(const tiled_block& tb, const tile& T, std::uint32_t c) const;
    void sneak_full(const tiled_block& tb, const tile& T, double now_ms, double* ap, double* am);
    void ir_drop(const tile& T, double* ap, double* am);
    void ir_drop_one_row(const tile& T, double* ap, double* am) const;

    settings s_;
    std::uint64_t seed_;
    double h_;
    random_stream read_rng_, write_rng_;
    bool varied_;      // device bounds or faults vary: every cell differs (full layout, full read)
    bool nl_varied_;   // the nonlinearity labels vary: only pulses (plastic updates) see it
    rounding rounding_;
    bool sneak_;       // the sneak term is on and there is wire resistance (sneak.cpp)
    mutable std::vector<double> sneak_w_;    // sneak.cpp: per tile row i, sum over the read's driven rows of (R - max(i, i_k))
    mutable bool sneak_w_ready_ = false;     // ... computed for the read under way (read_tile_sparse clears it)
    mutable std::vector<double> sneak_acc_;  // sneak.cpp: per driven row sums; a tile column's conductances
    std::vector<tiled_block> blocks_;       // parallel to the partition's synapse blocks
    std::vector<std::uint32_t> touched_blocks_;
    struct arrived_range {  // deliver: a range of this tick's arrivals, then its segments
        std::uint32_t block, k, first, end;
    };
    std::vector<arrived_range> arrived_;
    /// deliver: this tick's driven segments, one list per woken tile in arrival order (its first
    /// and last entry in tiled_block::wake_head / wake_tail), and those of the tile being read.
    struct wake_entry {
        std::uint32_t seg, next;
    };
    static constexpr std::uint32_t no_entry = std::numeric_limits<std::uint32_t>::max();
    std::vector<wake_entry> wake_;
    std::vector<std::uint16_t> active_;      // the tile's driven rows (positions in the tile)
    std::vector<std::uint32_t> active_seg_;  // ... and their segments
    std::vector<double> column_scratch_;
    std::vector<double> ir_qci_, ir_row_total_;
    std::vector<const float*> row_p_, row_m_;  // the driven rows' G+ / G- [nS] of the tile being read
    std::vector<float> rows_;                  // ... decoded there
    fast_normal normal_;                       // read noise
    /// The sparse read's hit-column normals (draw_normals): lanes seeded from read_rng_ at a
    /// tick's first draw, so a tick's draws depend on read_rng_ alone (never on threads or the
    /// CPU) and a checkpoint (between ticks) needs no state beyond it.
    lane_normals lanes_;
    bool lanes_seeded_ = false;
    void draw_normals(double* z, std::size_t n) {
        if (!lanes_seeded_) {
            lanes_.seed(read_rng_);
            lanes_seeded_ = true;
        }
        lanes_.draw(z, n, read_rng_);
    }
    /// draw_normals' next k <= n draws in place (lane_normals::take): the same draws, not copied.
    const float* take_normals(std::size_t n, std::size_t& k) {
        if (!lanes_seeded_) {
            lanes_.seed(read_rng_);
            lanes_seeded_ = true;
        }
        return lanes_.take(n, k, read_rng_);
    }
    bool sparse_ok_ = false;                   // read_tile_sparse may serve (nominal devices, ADC of the difference)
    std::vector<std::pair<std::uint16_t, std::uint32_t>> sorted_rows_;  // read_tile_sparse: (row, segment)
    std::vector<std::uint16_t> hits_, hit_index_;  // hit columns; used column -> its place among them
    std::vector<cell_ref> hit_ref_;                // ... the hit columns' cell_ref (several rows of an uncached block)
    std::vector<std::uint32_t> hit_target_;        // ... their targets alone (several rows of a cached block: j1 from positions())
    std::vector<std::uint64_t> hit_bits_;          // ... as a bitmap of used columns while collected (all 0 between reads)
    /// Several rows of a cached block (add_cached_rows): per used column, the sums over the driven
    /// rows' synapse cells there, its target, and a mark (0xff) where there is one; all 0 between reads.
    using column_acc = crossbar_partition_column_acc;
    std::vector<column_acc> col_acc_;
    std::vector<double> j1_identity_, j1_scratch_;  // j1_of: c + 1 for c < tile_cols; a partial tile's positions + 1
    std::vector<std::uint32_t> col_target_;
    std::vector<std::uint8_t> col_hit_;            // 64 per word of hit_bits_
    std::vector<double> hit_x_;                    // read_tile_sparse: per hit column output, variance, draw
    std::vector<double> acc_, bk_, wk_, row_d_;  // per hit column sums; per row bounds, rise weights; a row's deltas
    std::vector<double> col_d_;                   // read_empty_columns: per used column, the driven rows' delta+ - delta-
    /// 0, 1, ..., tile_cols - 1: the positions of a tile whose columns are all used (nearly every
    /// tile of a dense network). The reads take a full tile's positions from here, in L1, instead
    /// of from the tile's own array (four cache lines a several-row read, prefetched or waited on).
    std::vector<std::uint16_t> identity_;
    const std::uint16_t* positions(const tile& T) const { return T.cols == identity_.size() ? identity_.data() : T.position.data(); }
    double adc_lsb_signed_ = 0.0, adc_lsb_unsigned_ = 0.0, adc_half_signed_ = 0.0, adc_half_unsigned_ = 0.0;
    double adc_per_lsb_signed_ = 0.0, adc_per_lsb_unsigned_ = 0.0;  // their inverses
    static constexpr double thin_a0 = 4.0;          // read_tile_sparse: erfc(a) for a >= thin_a0 is bounded by
    const double thin_p0_ = std::erfc(thin_a0);     // ... this (1.5e-8)
    const erfc_above erfc_above_;                   // ... and below thin_a0, a bound of erfc(a) within 1.3 times it
    static_assert(erfc_above::a_max == thin_a0);
    std::array<std::uint64_t, counter_count> events_{};  // read_conductance: kept apart, as a sum
    double read_conductance_ = 0.0;
};

/// Rounds to the nearest integer, ties to even, as std::nearbyint does in the default rounding
/// mode, for |x| < 2^51: adding and removing 1.5 * 2^52 leaves no fraction bits. Without SSE4.1
/// (the portable build) std::nearbyint is a libm call, once per conversion.
inline double round_even(double x) {
    constexpr double magic = 6755399441055744.0;  // 1.5 * 2^52
    return (x + magic) - magic;
}

/// One ADC conversion of x (conductance units, full scale adc_range / v_read): ideal, or quantised
/// with clipping counted. Signed for the difference, unsigned per polarity.
inline double crossbar_partition::convert(double x, bool is_signed) {
    if (adc_lsb_signed_ == 0.0) return x;  // adc_bits = inf
    const double lsb = is_signed ? adc_lsb_signed_ : adc_lsb_unsigned_;
    const double half = is_signed ? adc_half_signed_ : adc_half_unsigned_;
    const double lo = is_signed ? -half : 0.0, hi = half - 1.0;
    // x / lsb as a product (a division was a tenth of the read's time): it differs from the
    // quotient by at most an ulp, so a code changes only for y within 1e-16 of a decision level.
    const double y = x * (is_signed ? adc_per_lsb_signed_ : adc_per_lsb_unsigned_);
    // Beyond the codes (or NaN-free but huge) clips before rounding, which would not be exact there.
    double code = std::abs(y) < 0x1p50 ? round_even(y) : y;
    if (code < lo || code > hi) {
        ++events_[adc_clipped];
        code = std::clamp(code, lo, hi);
    }
    return code * lsb;
}

} // namespace memspike::crossbar::detail
