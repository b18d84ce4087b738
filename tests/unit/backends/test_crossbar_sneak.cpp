// SPDX-License-Identifier: MIT
// The crossbar's first-order sneak term through the grounded rows (`sneak = true`, docs/crossbar.md
// "Sneak currents", decisions.md §45): every read path against ir_drop.hpp's add_sneak_first_order
// (an implementation sharing no code with the backend's reads), the single-row cache against the
// uncached read of the same cells, the empty columns' codes against Phi at the new means
// (chi-square), an ideal device and the thread count, and the parameter's error.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "memspike/backends/builtin.hpp"
#include "memspike/backends/crossbar/ir_drop.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/scenario.hpp"
#include "unit/backends/networks.hpp"

using namespace memspike;
using namespace memspike::test;

namespace {

constexpr std::uint32_t sources = 16, targets = 128;

/// Whether source s holds a synapse onto target t, and its weight in [-1, 1] (1 at (0, 0): the
/// scale). Source 0 onto every target (its reads and those of rows 0-7 have no empty column: an
/// uncached block reads them on the sparse path, which a noiseless read with empty columns leaves
/// to the full read), the others by a hash (61-83 of the 128 targets: every row of the tile used).
bool holds(std::uint32_t s, std::uint32_t t) {
    const std::uint64_t x = ((std::uint64_t{s} * 2654435761u) ^ (std::uint64_t{t} * 40503u)) * 2246822519u % (std::uint64_t{1} << 32);
    return s == 0 || (x >> 13) % 10 < 6;
}
double weight_of(std::uint32_t s, std::uint32_t t, bool signed_weights) {
    if (s == 0 && t == 0) return 1.0;
    const double u = ((s * 53 + t * 29) % 201) / 200.0;  // [0, 1]
    return signed_weights ? 2.0 * u - 1.0 : u;
}

/// 16 sources onto 128 lif_delta targets (which integrate: the potential is the input), the
/// `driven` sources spiking once at tick 10, the others silent: their rows are grounded and hold
/// synapses in most columns.
scenario sneak_network(const std::vector<std::uint32_t>& driven, bool signed_weights, const std::string& csv) {
    {
        std::ofstream f(csv);
        f << "source,target,weight\n";
        for (std::uint32_t s = 0; s < sources; ++s)
            for (std::uint32_t t = 0; t < targets; ++t)
                if (holds(s, t)) f << s << "," << t << "," << weight_of(s, t, signed_weights) << "\n";
    }
    scenario sc = make_scenario(5.0, 0.1, 11);
    auto& src = add_population(sc, "S", "spike_source", sources);
    src.spike_ticks.assign(sources, {});
    for (const std::uint32_t s : driven) src.spike_ticks[s] = {10};
    add_integrators(sc, targets);
    auto& pr = connect(sc, "S", "N", "explicit", 0.5, 0.1);
    pr.file = std::filesystem::absolute(csv).string();
    return sc;
}

/// The input of each target from the held weights (natural order: row = source, column = target,
/// every one of the 128 x 128 cells present, g_min where no synapse lies) by ir_drop.hpp: the first
/// order over the driven rows' cells, plus (sneak) add_sneak_first_order with h over every cell.
std::vector<double> reference(const synapse_list& held, const std::vector<std::uint32_t>& driven, double r_ohm, bool sneak) {
    const double scale = 1.0 / 16384.0, v = 0.2, g_min = 1000.0;  // weight per nS (max |w| = 1)
    std::vector<std::vector<double>> gp(128, std::vector<double>(targets, g_min)), gm = gp;
    for (std::size_t k = 0; k < held.weights.size(); ++k) {
        const double w = held.weights[k];
        gp[held.sources[k]][held.targets[k]] = g_min + std::max(w, 0.0) / scale;
        gm[held.sources[k]][held.targets[k]] = g_min + std::max(-w, 0.0) / scale;
    }
    std::vector<double> v_row(128, 0.0), out(targets, 0.0);
    for (const std::uint32_t s : driven) v_row[s] = v;
    crossbar::ir_workspace ws;
    for (int polarity = 0; polarity < 2; ++polarity) {
        const auto& g = polarity == 0 ? gp : gm;
        std::vector<crossbar::array_cell> all, on;  // the driven cells first: h's first entries are theirs
        for (std::uint32_t r = 0; r < 128; ++r)
            for (std::uint32_t c = 0; c < targets; ++c) (v_row[r] != 0.0 ? on : all).push_back({r, c, g[r][c] * 1e-9});
        const std::size_t n_on = on.size();
        on.insert(on.end(), all.begin(), all.end());
        all = on;
        on.resize(n_on);
        std::vector<double> i(targets), h(all.size());
        crossbar::column_currents_first_order(128, targets, on, v_row, r_ohm, i, ws);
        if (sneak) {
            crossbar::sneak_weights(128, targets, all, h, ws);
            h.resize(n_on);
            crossbar::add_sneak_first_order(128, targets, on, h, v_row, r_ohm, i, ws);
        }
        for (std::uint32_t c = 0; c < targets; ++c) out[c] += (polarity == 0 ? 1.0 : -1.0) * scale * i[c] / v * 1e9;
    }
    return out;
}

/// r_wire = 2 Ohm, no noise, natural order, a 24-bit ADC over +-28 uA (half an LSB: 0.008 nS).
param_map sneak_device() {
    param_map p = ideal_crossbar();
    p["r_wire"] = 2e-6;  // MOhm
    p["reorder"] = 0.0;
    p["adc_bits"] = 24.0;
    p["adc_range"] = 2.8e7;  // pA
    p["sneak"] = 1.0;
    return p;
}

} // namespace

TEST_CASE("crossbar: with the sneak term every read path gives add_sneak_first_order's currents", "[crossbar][stats]") {
    // One driven row (row 0: every column hit; row 1: 57 empty columns), then eight (of 16 rows
    // holding synapses; 112 more rows of g_min), on each
    // read path: the sparse read with the single-row cache (32 levels) and without (a continuous
    // device), the full read of a full layout (p_stuck_on = 1e-300: varied devices) and of a
    // compact one (an ideal ADC). Tolerance: half an LSB plus 1e-6 relative (the float weights and
    // the cache's float), as the IR-drop tests; the sneak term itself is ~1 % of a column (up to
    // 700 nS here), far above it, and the check below makes sure of that. Bugs caught: any of the
    // term's parts missing (e0 A (p - m), e0 (H+ - H-), p H+ - m H-), the several-row cached read
    // keeping its column cross terms (counted twice), the rows without a synapse at a hit column
    // or the empty columns not seeing the column's synapse cells, a column list missing a row.
    const std::string csv = "crossbar_sneak_paths.csv";
    const std::vector<std::vector<std::uint32_t>> reads{{0}, {1}, {0, 1, 2, 3, 4, 5, 6, 7}};
    for (const auto& driven : reads) {
        const scenario sc = sneak_network(driven, true, csv);
        struct path {
            const char* name;
            param_map p;
        };
        std::vector<path> paths{{"sparse, cached", sneak_device()}, {"sparse, continuous device", sneak_device()},
                                {"full read, full layout", sneak_device()}, {"full read, compact", sneak_device()}};
        paths[0].p["levels"] = 32.0;
        paths[2].p["levels"] = 32.0;
        paths[2].p["p_stuck_on"] = 1e-300;
        paths[3].p["levels"] = 32.0;
        paths[3].p["adc_bits"] = INFINITY;
        for (const auto& [name, p] : paths) {
            INFO(driven.size() << " driven rows from " << driven[0] << ", " << name);
            const auto xbar = run_all(with_backend(sc, "crossbar", p));
            const auto held = xbar->synapses_of(0);
            const auto expected = reference(held, driven, 2.0, true), plain = reference(held, driven, 2.0, false);
            const auto got = potentials(*xbar, 1, targets);
            const double lsb = std::isinf(p.at("adc_bits")) ? 0.0 : 2.8e7 / 200.0 / std::ldexp(1.0, 23);  // nS
            int resolved = 0;
            for (std::uint32_t t = 0; t < targets; ++t) {
                INFO("target " << t);
                // + 1e-7: the full read decodes cells to float (6e-8 of a 17,384 nS cell, in weight units),
                // which matters only where the ideal ADC leaves a column near 0
                const double tol = 0.5 * lsb / 16384.0 + 1e-6 * std::abs(expected[t]) + 1e-7;
                CHECK(std::abs(got[t] - expected[t]) <= tol);
                resolved += std::abs(expected[t] - plain[t]) > 20.0 * (tol + 1e-9);
            }
            CHECK(resolved > 100);  // the term is far above the tolerance in most columns
        }
    }
    std::remove(csv.c_str());
}

TEST_CASE("crossbar: with the sneak term the single-row cache reads as the uncached sweep does", "[crossbar][stats]") {
    // The same cells (weights in [0, 1], 32 levels) on a static block, whose reads come from the
    // single-row cache, and on a plastic one (stdp, lambda = 0: nothing moves), read uncached:
    // one_row_sweep::next_sneak with the same column_h sums, so the cache holds the sweep's value
    // rounded once to float (6e-8 relative), and several rows add the same terms by other sums
    // (add_cached_rows without cross terms, against sneak_several). Through a 24-bit ADC the
    // inputs are equal or one LSB apart. Bugs caught: the uncached read or the cache without a part
    // of the term, or with another row's or column's sums (tens of nS: a thousand LSBs).
    const std::string csv = "crossbar_sneak_cache.csv";
    for (const std::vector<std::uint32_t>& driven : {std::vector<std::uint32_t>{0}, std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5, 6, 7}}) {
        scenario sc = sneak_network(driven, false, csv);
        param_map p = sneak_device();
        p["levels"] = 32.0;
        p["nl_ltp"] = 0.0;
        p["nl_ltd"] = 0.0;
        const auto fixed = potentials(*run_all(with_backend(sc, "crossbar", p)), 1, targets);
        sc.projections[0].plasticity.rule = "stdp";
        sc.projections[0].plasticity.params = {{"w_max", 1.0}, {"lambda", 0.0}};
        const auto plastic = potentials(*run_all(with_backend(sc, "crossbar", p)), 1, targets);
        const double lsb = 2.8e7 / 200.0 / std::ldexp(1.0, 23) / 16384.0;  // weight units
        int equal = 0;
        for (std::uint32_t t = 0; t < targets; ++t) {
            INFO(driven.size() << " driven rows, target " << t << ": " << fixed[t] << " against " << plastic[t]);
            CHECK(std::abs(fixed[t] - plastic[t]) <= 1.5 * lsb);
            equal += fixed[t] == plastic[t];
        }
        CHECK(equal > 100);
    }
    std::remove(csv.c_str());
}

TEST_CASE("crossbar: with the sneak term empty columns convert as read noise and the new means say", "[crossbar][stats]") {
    // As "empty columns read one by one ..." (test_crossbar_fast.cpp): source 0 spikes once and
    // holds one synapse (delta = 16,384 nS) at column 0 of each of 32 tiles; source 1 (silent, row
    // 1) one in every column. With the sneak term an empty column's mean is
    // -rho e0 delta (1 + 127): its own row's drop and the grounded row-1 cell's share of the
    // column wire (R - 1 = 127), -35 nS = -0.5 sigma_e at r_wire = 16.9 Ohm (without the term it
    // would be -0.27 nS). Half an LSB of 1.5 sigma_e reads every empty column directly (cached
    // block); 3.5 sigma_e thins them: the bound on the means is rho e0 delta (1 + 255) = 1 sigma_e
    // (column 0's two synapse cells in the per-tile sneak bound), 127 erfc(2.5 / sqrt 2) = 1.5 <= 4.
    // The full read (p_stuck_on = 1e-300) must pass both too. Codes of the 32 x 127 empty columns
    // over 8 seeds (16 when thinned: fewer nonzero codes) in {<= -1, 0, >= 1} against Phi at
    // (k +- 1/2) LSB - mu, mu from add_sneak_first_order: chi-square, 2 degrees of freedom, 0.1 %
    // false alarms (13.8); where fewer than 5 codes >= 1 are expected, {nonzero, 0}: 1 degree, 10.83.
    // Bugs caught: the empty columns' means without the term on the direct read (chi-square in the
    // thousands with mu ~ 0), a thinned candidate's mean without it (accepted half as often:
    // ~25), a thinning bound without it (candidates drawn with too small a p_max).
    const std::uint32_t n = 4096;
    const std::string csv = "crossbar_sneak_empty.csv";
    scenario sc = one_hit_per_tile_network(csv, n);
    const double sigma_e = 0.05 * 1000.0 * std::sqrt(2.0), scale = 0.5 / 16384.0, r_ohm = 2160.0 / 128.0;
    std::vector<crossbar::array_cell> plus, minus, on_p, on_m;
    for (std::uint32_t r = 0; r < 128; ++r)
        for (std::uint32_t c = 0; c < 128; ++c) {
            plus.push_back({r, c, ((r == 0 && c == 0) || r == 1 ? 17384.0 : 1000.0) * 1e-9});
            minus.push_back({r, c, 1000.0 * 1e-9});
        }
    on_p.assign(plus.begin(), plus.begin() + 128);  // row 0: the driven cells (the first 128 listed)
    on_m.assign(minus.begin(), minus.begin() + 128);
    std::vector<double> v_row(128, 0.0), ip(128), im(128), hp(plus.size()), hm(minus.size());
    v_row[0] = 0.2;
    crossbar::ir_workspace ws;
    crossbar::sneak_weights(128, 128, plus, hp, ws);
    crossbar::sneak_weights(128, 128, minus, hm, ws);
    hp.resize(128);
    hm.resize(128);
    crossbar::column_currents_first_order(128, 128, on_p, v_row, r_ohm, ip, ws);
    crossbar::column_currents_first_order(128, 128, on_m, v_row, r_ohm, im, ws);
    crossbar::add_sneak_first_order(128, 128, on_p, hp, v_row, r_ohm, ip, ws);
    crossbar::add_sneak_first_order(128, 128, on_m, hm, v_row, r_ohm, im, ws);
    for (const double half_lsb : {1.5, 3.5})
    for (const double stuck : {0.0, 1e-300}) {
        const double lsb = 2.0 * half_lsb * sigma_e;
        param_map p = ideal_crossbar();
        p["levels"] = 32.0;
        p["reorder"] = 0.0;
        p["sigma_read"] = 0.05;
        p["r_wire"] = r_ohm * 1e-6;  // MOhm
        p["adc_bits"] = 8.0;
        p["adc_range"] = 128.0 * lsb * 200.0;  // pA at 200 mV: 128 codes of lsb each side
        p["p_stuck_on"] = stuck;
        p["sneak"] = 1.0;
        auto [seen, expected] = empty_column_codes(sc, p, n, half_lsb > 2.0 ? 16u : 8u, scale, lsb, sigma_e, ip, im);
        double chi2 = 0.0, critical = 13.8;
        if (expected[2] < 5.0) {  // too few for a bin of its own
            seen[0] += seen[2];
            expected[0] += expected[2];
            seen[2] = expected[2] = 0.0;
            critical = 10.83;
        }
        for (int b = 0; b < 3; ++b)
            if (expected[b] > 0.0) chi2 += (seen[b] - expected[b]) * (seen[b] - expected[b]) / expected[b];
        INFO("half LSB " << half_lsb << " sigma_e, p_stuck_on " << stuck << ": codes < 0, 0, > 0: " << seen[0] << ", " << seen[1]
                         << ", " << seen[2] << " against " << expected[0] << ", " << expected[1] << ", " << expected[2]
                         << "; chi-square " << chi2);
        CHECK(expected[0] > 3.0 * expected[2]);  // the mean is really there
        CHECK(chi2 < critical);
    }
    std::remove(csv.c_str());
}

TEST_CASE("crossbar: with the sneak term an ideal device still gives the digital spikes, and threads do not matter", "[crossbar]") {
    // r_wire = 0: no wire, no sneak current; the term must change nothing (a term not scaled by
    // rho, or a column list disturbing the mapping, shows). Then the noisy default device with
    // 2 Ohm and the term on: the same spikes on 1 and 2 threads (the term's scratch is per partition).
    const scenario sc = dyadic_network();
    const auto digital = run_all(sc);
    param_map p = ideal_crossbar();
    p["sneak"] = 1.0;
    require_same_spikes(*digital, *run_all(with_backend(sc, "crossbar", p)));
    scenario noisy = with_backend(dyadic_network(), "crossbar", {{"sneak", 1.0}});
    noisy.populations[0].size = 4200;  // two partitions
    noisy.simulation.duration_ms = 100.0;
    const auto one = run_all(noisy, 1);
    const auto two = run_all(noisy, 2);
    require_same_spikes(*one, *two);
    CHECK(one->events() == two->events());
}

TEST_CASE("crossbar: a sneak value that is not true or false is refused with its file, line and key", "[crossbar][errors]") {
    const std::string text = "[simulation]\nduration = \"1 ms\"\n[[population]]\nname = \"A\"\nmodel = \"lif_delta\"\nsize = 10\n"
                             "[backend]\nkind = \"crossbar\"\nsneak = \"first_order\"\n";
    try {
        parse_scenario(text, "s.toml", builtin_registry());
        FAIL("accepted");
    } catch (const scenario_error& e) {
        CHECK(e.file == "s.toml");
        CHECK(e.line == 9);
        CHECK(e.key == "backend.sneak");
        CHECK(e.what.find("true or false") != std::string::npos);
    }
}
