// SPDX-License-Identifier: MIT
// The crossbar's fourth speed-up step (issue 15, docs/decisions.md §36): reads served from the
// single-row cache of static blocks, checked against ir_drop.hpp's general first-order routine
// (an implementation sharing no code with the read path), including after the weights were
// replaced (a stale cache would keep the old currents); and the empty columns read one by one
// (no thinning), whose codes must follow the distribution that read noise and the IR-drop mean
// give, on that path and on the full read.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "memspike/backends/builtin.hpp"
#include "memspike/backends/crossbar/ir_drop.hpp"
#include "unit/backends/networks.hpp"

using namespace memspike;
using namespace memspike::test;

namespace {

/// A nominal, linear 32-level device (compact, static: the cache serves its single-row reads)
/// without noise, r_wire = 2 Ohm, a 24-bit ADC over +-28 uA (half an LSB: 0.008 nS), natural order.
param_map cached_device() {
    param_map p = ideal_crossbar();
    p["levels"] = 32.0;
    p["nl_ltp"] = 0.0;  // linear: set_weights below moves devices by whole levels with pulses,
    p["nl_ltd"] = 0.0;  // so each pair ends with one device at g_min, as the reference assumes
    p["stochastic_rounding"] = 0.0;
    p["r_wire"] = 2e-6;  // MOhm
    p["reorder"] = 0.0;
    p["adc_bits"] = 24.0;
    p["adc_range"] = 2.8e7;  // pA
    return p;
}

/// The input each of the 128 targets of single_spike(1, 128, ...) must receive from the weights
/// the devices hold: scale (I+ - I-) / V_read with I+- from the general first-order routine over
/// the one driven row (row 0, column = target in natural order).
std::vector<double> first_order_inputs(const synapse_list& held) {
    double w_max = 0.0;
    for (const float w : held.weights) w_max = std::max(w_max, std::abs(double(w)));
    const double scale = w_max / 16384.0, v = 0.2;
    std::vector<crossbar::array_cell> plus, minus;
    for (std::size_t k = 0; k < held.weights.size(); ++k) {
        const double w = held.weights[k];
        plus.push_back({0, held.targets[k], (1000.0 + std::max(w, 0.0) / scale) * 1e-9});
        minus.push_back({0, held.targets[k], (1000.0 + std::max(-w, 0.0) / scale) * 1e-9});
    }
    std::vector<double> v_row(128, 0.0), ip(128), im(128), out(128);
    v_row[0] = v;
    crossbar::ir_workspace ws;
    crossbar::column_currents_first_order(128, 128, plus, v_row, 2.0, ip, ws);
    crossbar::column_currents_first_order(128, 128, minus, v_row, 2.0, im, ws);
    for (std::size_t j = 0; j < 128; ++j) out[j] = scale * (ip[j] - im[j]) / v * 1e9;
    return out;
}

void check_inputs(const simulation& sim) {
    const auto held = sim.synapses_of(0);
    const auto expected = first_order_inputs(held);
    double w_max = 0.0;
    for (const float w : held.weights) w_max = std::max(w_max, std::abs(double(w)));
    const double lsb = 2.8e7 / 200.0 / std::ldexp(1.0, 23), scale = w_max / 16384.0;  // nS; weight per nS
    const auto got = potentials(sim, 1, 128);
    for (std::size_t j = 0; j < 128; ++j) {
        INFO("target " << j);
        CHECK(std::abs(got[j] - expected[j]) <= scale * 0.5 * lsb + 1e-6 * std::abs(expected[j]));
    }
}

} // namespace

TEST_CASE("crossbar: a single driven row of a static block reads the first-order IR drop from its cache", "[crossbar][stats]") {
    // One spike drives one row of 128 synapse cells with weights of both signs. Bugs caught: a
    // cached current missing a term of the bracket (the row drop, the column rise, the e0 terms),
    // a cache indexed by the wrong segment, a cache not recomputed after set_weights.
    const scenario sc = with_backend(single_spike(1, 128, -1.0, 1.0), "crossbar", cached_device());
    const auto first = run_all(sc);
    {
        INFO("as built");
        check_inputs(*first);
    }
    // The same block with other weights put on it before the run (the held ones, shifted by one
    // synapse: level values, reached by whole pulses): the read must see them.
    simulation sim(sc, builtin_registry(), 1);
    const std::vector<float> held = sim.synapses_of(0).weights;
    std::vector<float> w(held.size());
    for (std::size_t k = 0; k < w.size(); ++k) w[k] = held[(k + 1) % held.size()];
    sim.set_weights(0, w);
    sim.run(sc.duration_ticks());
    {
        INFO("after set_weights");
        check_inputs(sim);
    }
    const auto before = potentials(*first, 1, 128), after = potentials(sim, 1, 128);
    int changed = 0;
    for (std::size_t j = 0; j < 128; ++j) changed += before[j] != after[j];
    CHECK(changed > 100);  // the new weights are what was read
}

TEST_CASE("crossbar: empty columns read one by one have the distribution read noise and the IR-drop mean give", "[crossbar][stats]") {
    // Source 0 spikes once; it holds one synapse (weight 0.5 = the largest: delta = 16,384 nS) at
    // column 0 of each of 32 tiles, source 1 (silent) one in every column, so each read has one
    // hit and 127 empty columns. r_wire = 2.16 kOhm puts the empty columns' mean at
    // mu = -rho g_min delta = -35 nS = -0.5 sigma_e (sigma_e = 0.05 x 1000 x sqrt 2 nS), and an
    // ADC with half an LSB of 1.5 sigma_e makes thinning pay nothing (127 x erfc(1 / sqrt 2) > 4):
    // the cached block reads every empty column directly. Codes of the 32 x 127 empty columns
    // over 8 seeds (32,512 reads) in the bins {<= -1, 0, >= 1} against Phi at (k +- 1/2) LSB - mu,
    // mu from ir_drop.hpp's general first-order routine: chi-square with 2 degrees of freedom,
    // false-alarm rate 0.1 % (critical value 13.8). The full read (p_stuck_on = 1e-300) must pass
    // the same test. Bugs caught: a mean with the wrong sign or scale (mu = 0 gives chi-square
    // 4,600 by the binomial counts; +mu: 31,700), the noise of one device instead of two (sigma / sqrt 2: 2,250),
    // an empty column skipped or read twice.
    const std::uint32_t n = 4096;
    const std::string csv = "crossbar_direct_columns.csv";
    scenario sc = one_hit_per_tile_network(csv, n);
    const double sigma_e = 0.05 * 1000.0 * std::sqrt(2.0), lsb = 3.0 * sigma_e, scale = 0.5 / 16384.0, r_ohm = 2160.0;
    // The mean of an empty column: row 0 driven, cell (0, 0) at g_min + delta on G+, all else g_min.
    std::vector<crossbar::array_cell> plus, minus;
    for (std::uint32_t c = 0; c < 128; ++c) {
        plus.push_back({0, c, (c == 0 ? 17384.0 : 1000.0) * 1e-9});
        minus.push_back({0, c, 1000.0 * 1e-9});
    }
    std::vector<double> v_row(128, 0.0), ip(128), im(128);
    v_row[0] = 0.2;
    crossbar::ir_workspace ws;
    crossbar::column_currents_first_order(128, 128, plus, v_row, r_ohm, ip, ws);
    crossbar::column_currents_first_order(128, 128, minus, v_row, r_ohm, im, ws);
    for (const double stuck : {0.0, 1e-300}) {
        param_map p = ideal_crossbar();
        p["levels"] = 32.0;
        p["reorder"] = 0.0;
        p["sigma_read"] = 0.05;
        p["r_wire"] = r_ohm * 1e-6;  // MOhm
        p["adc_bits"] = 8.0;
        p["adc_range"] = 128.0 * lsb * 200.0;  // pA at 200 mV: 128 codes of lsb each side
        p["p_stuck_on"] = stuck;
        auto [seen, expected] = empty_column_codes(sc, p, n, 8, scale, lsb, sigma_e, ip, im);
        double chi2 = 0.0;
        for (int b = 0; b < 3; ++b) chi2 += (seen[b] - expected[b]) * (seen[b] - expected[b]) / expected[b];
        INFO("p_stuck_on " << stuck << ": codes < 0, 0, > 0: " << seen[0] << ", " << seen[1] << ", " << seen[2] << " against "
                           << expected[0] << ", " << expected[1] << ", " << expected[2] << "; chi-square " << chi2);
        CHECK(expected[0] > 3.0 * expected[2]);  // the mean is really there (-0.5 sigma_e)
        CHECK(chi2 < 13.8);
    }
    std::remove(csv.c_str());
}

TEST_CASE("crossbar: a block whose code pairs overflow 16 bits reads the same values from its wide cache", "[crossbar][stats]") {
    // The single-row cache keeps each cell's target and code-pair index in 16 bits, and a block
    // with more than 65,536 distinct pairs (or targets) keeps them in full-width arrays instead
    // (docs/decisions.md §40). Sources 0 and 1 spike together; source 0 holds 256 synapses
    // (targets 0-255: two tiles), source 1 128 (targets 0-127): one tile read with one driven
    // row, one with two (the several-row path). Read noise on, r_wire = 2 Ohm, natural order.
    // The same network with 142,080 more synapses of distinct weights on a 65,536-level device
    // (silent sources, targets >= 256: other tiles of the same block, ~130,000 code pairs) must
    // put bit-identical inputs into targets 0-255: same tiles, same draws, same values. Bugs
    // caught: the wide path reading the records' unused 16-bit fields (every input into target 0,
    // every cell the deviation and deltas of pair 0), indices truncated to 16 bits (another
    // pair's deviation or deltas; another neuron's input), the wide block's pair table indexed
    // by the narrow records.
    const std::uint32_t n = 4096;
    scenario sc = make_scenario(5.0, 0.1, 5);
    auto& src = add_population(sc, "S", "spike_source", 40);
    src.spike_ticks.assign(40, {});
    src.spike_ticks[0] = {10};
    src.spike_ticks[1] = {10};
    add_integrators(sc, n);
    param_map p = cached_device();
    p["levels"] = 65536.0;
    p["sigma_read"] = 0.05;
    std::vector<std::vector<double>> got;
    for (const bool fillers : {false, true}) {
        const std::string csv = fillers ? "crossbar_wide_cache.csv" : "crossbar_narrow_cache.csv";
        {
            std::ofstream f(csv);
            f << "source,target,weight\n";
            for (std::uint32_t t = 0; t < 256; ++t)  // |w| <= 1, the largest at target 0 (the scale)
                f << "0," << t << "," << (t == 0 ? 1.0 : (t % 2 ? -1.0 : 1.0) * (0.05 + 0.9 * ((t * 37) % 256) / 255.0)) << "\n";
            for (std::uint32_t t = 0; t < 128; ++t) f << "1," << t << "," << ((t * 53) % 128) / 128.0 - 0.5 << "\n";
            if (fillers) {
                const std::uint32_t m = 37 * (n - 256);
                for (std::uint32_t k = 0; k < m; ++k)  // weights spaced below one level step on each polarity
                    f << 2 + k / (n - 256) << "," << 256 + k % (n - 256) << "," << -1.0 + 2.0 * (k + 0.5) / m << "\n";
            }
        }
        auto& pr = connect(sc, "S", "N", "explicit", 0.5, 0.1);
        pr.file = std::filesystem::absolute(csv).string();
        got.push_back(potentials(*run_all(with_backend(sc, "crossbar", p)), 1, 256));
        sc.projections.clear();
        std::remove(csv.c_str());
    }
    int differ = 0, silent = 0;
    for (std::size_t j = 0; j < 256; ++j) {
        differ += got[0][j] != got[1][j];
        silent += got[0][j] == 0.0;
    }
    CHECK(silent == 0);  // every target of the two spikes was read
    CHECK(differ == 0);
}

TEST_CASE("crossbar: the sparse read's noise is independent from tick to tick, with one and two driven rows", "[crossbar][stats]") {
    // K sources (K = 1: the single-row cache; K = 2: several rows) spike at each of 400 ticks onto
    // 4,000 targets, every weight w_max: each read of a column gives K (g - g_min) plus read noise
    // of sd sigma sqrt(K (g^2 + g_min^2)) (sparse path: 32 levels, a 16-bit ADC with 2 nS codes, no
    // IR drop). The hit columns' normals come from lanes seeded afresh from the read stream each
    // tick (docs/decisions.md §44): summed over the ticks, a target's input has sd sqrt(400) times
    // one read's, and mean 400 K 0.5. Lanes seeded from a stream made anew each tick with the same
    // key (not the partition's advancing read stream) repeat most of a tick's noise: 9 times the sd.
    // 4,000 targets: the sd's standard error is 1.1 %; tolerance 5 %.
    for (const std::uint64_t K : {1, 2}) {
        scenario sc = make_scenario(45.0, 0.1, 3);
        auto& src = add_population(sc, "S", "spike_source", K);
        src.spike_ticks.assign(K, {});
        for (auto& ticks : src.spike_ticks)
            for (tick_t t = 10; t < 410; ++t) ticks.push_back(t);
        add_integrators(sc, 4000);
        auto& pr = connect(sc, "S", "N", "all_to_all", 0.0, 0.1);
        pr.weight.k = distribution::kind::uniform;
        pr.weight.low = pr.weight.high = 0.5;
        param_map p = ideal_crossbar();
        p["levels"] = 32.0;
        p["sigma_read"] = 0.05;
        p["adc_bits"] = 16.0;
        p["adc_range"] = 65536.0 * 200.0;  // pA at 200 mV: +-65,536 nS, 2 nS per code
        const auto v = potentials(*run_all(with_backend(sc, "crossbar", p)), 1, 4000);
        const double mean = std::accumulate(v.begin(), v.end(), 0.0) / v.size();
        double var = 0.0;
        for (const double x : v) var += (x - mean) * (x - mean);
        const double sd = std::sqrt(var / (v.size() - 1));
        const double scale = 0.5 / 16384.0, g = 17384.0, g0 = 1000.0;
        INFO("K = " << K << ": mean " << mean << ", sd " << sd);
        CHECK(mean == Approx(400.0 * K * 0.5).epsilon(0.001));  // se of the mean: 0.01 % of it
        CHECK(sd == Approx(std::sqrt(400.0) * scale * 0.05 * std::sqrt(K * (g * g + g0 * g0))).epsilon(0.05));
    }
}

TEST_CASE("crossbar: successive several-row reads of cached tiles give the first-order IR drop of each read's rows", "[crossbar][stats]") {
    // Eight sources onto 120 targets (fixed_probability 0.3, weights uniform in [-1, 1]), tiles
    // of 100 columns: a full tile (columns 64-99 in the hit bitmap's second word) and a partial
    // one. Four ticks drive different sets of rows of the same tiles (rows share columns: the
    // column cross terms), and the input of each target must be the sum over the four reads of
    // ir_drop.hpp's general first-order routine over that read's driven rows (positions in
    // natural order: a used target's rank, modulo 100 in its tile; a row's its source). No read
    // noise; a 24-bit ADC (half an LSB per read, 0.008 nS). Bugs caught: a read's per-column
    // sums or hit marks left for the next read (sums of earlier rows added again, empty columns
    // read as hit), the first driven row's sums stored where a column's earlier row had one, a
    // hit column past the bitmap's first word lost.
    scenario sc = make_scenario(5.0, 0.1, 17);
    auto& src = add_population(sc, "S", "spike_source", 8);
    const std::vector<std::vector<std::uint32_t>> reads = {{0, 2, 5}, {1, 2, 3, 6, 7}, {4, 5}, {0, 1, 2, 3, 4, 5, 6, 7}};
    src.spike_ticks.assign(8, {});
    for (std::size_t r = 0; r < reads.size(); ++r)
        for (const std::uint32_t s : reads[r]) src.spike_ticks[s].push_back(static_cast<tick_t>(10 + 10 * r));
    random_integrators(sc, 120, 0.3);
    param_map p = cached_device();
    p["tile_cols"] = 100.0;
    const auto xbar = run_all(with_backend(sc, "crossbar", p));
    const auto held = xbar->synapses_of(0);
    double w_max = 0.0;
    for (const float w : held.weights) w_max = std::max(w_max, std::abs(double(w)));
    const double scale = w_max / 16384.0, v = 0.2, g_min = 1000.0;
    std::vector<int> slot(120, -1);
    for (const auto t : held.targets) slot[t] = 0;
    std::vector<int> used;
    for (std::uint32_t t = 0; t < 120; ++t)
        if (slot[t] == 0) slot[t] = static_cast<int>(used.size()), used.push_back(static_cast<int>(t));
    std::vector<std::vector<double>> gp(8, std::vector<double>(used.size(), g_min)), gm = gp;
    for (std::size_t k = 0; k < held.weights.size(); ++k) {
        const double w = held.weights[k];
        gp[held.sources[k]][slot[held.targets[k]]] = g_min + std::max(w, 0.0) / scale;
        gm[held.sources[k]][slot[held.targets[k]]] = g_min + std::max(-w, 0.0) / scale;
    }
    std::vector<double> expected(120, 0.0);
    crossbar::ir_workspace ws;
    for (const auto& rows : reads)
        for (std::size_t first = 0; first < used.size(); first += 100) {  // each column tile
            const std::size_t cols = std::min<std::size_t>(100, used.size() - first);
            std::vector<crossbar::array_cell> plus, minus;
            std::vector<double> v_row(128, 0.0), ip(100), im(100);
            for (const std::uint32_t r : rows) {
                v_row[r] = v;
                for (std::uint32_t c = 0; c < cols; ++c) {
                    plus.push_back({r, c, gp[r][first + c] * 1e-9});
                    minus.push_back({r, c, gm[r][first + c] * 1e-9});
                }
            }
            crossbar::column_currents_first_order(128, 100, plus, v_row, 2.0, ip, ws);
            crossbar::column_currents_first_order(128, 100, minus, v_row, 2.0, im, ws);
            for (std::uint32_t c = 0; c < cols; ++c) expected[used[first + c]] += scale * (ip[c] - im[c]) / v * 1e9;
        }
    REQUIRE(used.size() > 100);  // two column tiles, the second partial
    const auto got = potentials(*xbar, 1, 120);
    const double lsb = 2.8e7 / 200.0 / std::ldexp(1.0, 23);  // nS
    for (const int t : used) {
        INFO("target " << t);
        CHECK(std::abs(got[t] - expected[t]) <= 4 * scale * 0.5 * lsb + 1e-6 * std::abs(expected[t]));  // 1e-6: float weights
    }
}
