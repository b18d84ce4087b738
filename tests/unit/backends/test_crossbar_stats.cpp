// SPDX-License-Identifier: MIT
// The distributions the crossbar computes, checked after the speed-up of issue 15 against
// closed forms and an independent implementation: the ziggurat normal (moments, tail mass,
// Kolmogorov-Smirnov distance), read noise over several rows with one draw per column or one per
// device, the single-row IR-drop path against the general first-order routine and the nodal
// solve, and the 16-bit conductance codes against the device's level grid. Tolerances are stated
// per check, with the standard error they are measured against; seeds are fixed, so a pass is
// reproducible.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "memspike/backends/builtin.hpp"
#include "memspike/backends/crossbar/fast_normal.hpp"
#include "memspike/backends/crossbar/ir_drop.hpp"
#include "memspike/backends/crossbar/lane_normals.hpp"
#include "unit/backends/networks.hpp"

using namespace memspike;
using namespace memspike::test;

namespace {


double phi(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

/// Checks that z (10^6 draws) is a standard normal sample. Standard errors: mean 1e-3, variance
/// sqrt(2/n) = 1.4e-3, kurtosis sqrt(24/n) = 4.9e-3; tolerances are 5 of them. Tail beyond r (the
/// ziggurat's own tail algorithm): expected n erfc(r / sqrt 2) = 576, Poisson sd 24, tolerance 5 sd.
/// KS: the 0.1 % critical value of sqrt(n) D is 1.95.
void check_standard_normal(std::vector<double> z) {
    const std::size_t n = z.size();
    double m1 = 0, m2 = 0, m4 = 0;
    std::size_t tail = 0;
    for (const double x : z) {
        m1 += x;
        m2 += x * x;
        m4 += x * x * x * x;
        tail += std::abs(x) > crossbar::fast_normal::r;
    }
    m1 /= n;
    m2 /= n;
    m4 /= n;
    CHECK(std::abs(m1) < 5e-3);
    CHECK(std::abs(m2 - 1.0) < 5 * 1.42e-3);
    CHECK(std::abs(m4 / (m2 * m2) - 3.0) < 5 * 4.9e-3);
    const double expected_tail = n * std::erfc(crossbar::fast_normal::r / std::sqrt(2.0));
    CHECK(std::abs(static_cast<double>(tail) - expected_tail) < 5 * std::sqrt(expected_tail));
    std::sort(z.begin(), z.end());
    double d = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double f = phi(z[i]);
        d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
    }
    INFO("KS sqrt(n) D = " << std::sqrt(double(n)) * d);
    CHECK(std::sqrt(double(n)) * d < 1.95);
}

/// xoshiro256++ as Blackman & Vigna (2019) publish it, written apart from core's random_stream
/// and lane_normals: the reference the lanes' words are checked against.
std::uint64_t xoshiro_reference(std::array<std::uint64_t, 4>& s) {
    const auto rotl = [](std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
    const std::uint64_t result = rotl(s[0] + s[3], 23) + s[0], t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

} // namespace

TEST_CASE("fast_normal: the ziggurat draws a standard normal", "[crossbar][stats]") {
    crossbar::fast_normal normal;
    random_stream rng(2026, stream_purpose::user, 15);
    std::vector<double> z(1000000);
    for (auto& x : z) x = normal(rng);
    check_standard_normal(std::move(z));
}

TEST_CASE("lane_normals: the read's draws are independent standard normals", "[crossbar][stats]") {
    // The sparse read's draws (docs/decisions.md §44) as it takes them: seeded from a stream, then
    // drawn. The checks of check_standard_normal, and the variance of sums of 16 consecutive
    // draws, 16 for independent ones (62,500 sums: se of the variance 0.6 %, tolerance 3 %).
    // Lanes seeded alike (each word eight times over) gave 86.
    crossbar::lane_normals normal;
    random_stream rng(2026, stream_purpose::user, 16);
    normal.seed(rng);
    std::vector<double> z(1000000);
    for (std::size_t i = 0, n = 1; i < z.size(); i += n, n = n % 40 + 1)  // in reads of 1 to 40
        normal.draw(z.data() + i, std::min(n, z.size() - i), rng);
    double sum2 = 0.0, sum1 = 0.0;
    const std::size_t sums = z.size() / 16;
    for (std::size_t i = 0; i < sums; ++i) {
        double s = 0.0;
        for (std::size_t k = 0; k < 16; ++k) s += z[16 * i + k];
        sum1 += s;
        sum2 += s * s;
    }
    const double var = (sum2 - sum1 * sum1 / sums) / (sums - 1.0);
    INFO("variance of sums of 16: " << var);
    CHECK(var == Approx(16.0).epsilon(0.03));
    check_standard_normal(std::move(z));
}

TEST_CASE("lane_normals: take() gives draw()'s draws in place, bit for bit", "[crossbar][stats]") {
    // The one-row read takes its normals where the lanes left them (lane_normals::take) instead of
    // copying them (draw): the same draws in the same order must follow, whatever the request
    // sizes (here 1 to 40 against 1 to 29, so refills fall inside requests on both sides), and
    // the stream that feeds the wedge tests must be left in the same state. Catches a draw
    // skipped or repeated at a refill, or a request served across a refill with stale floats.
    crossbar::lane_normals a, b;
    random_stream ra(77, stream_purpose::user, 5), rb = ra;
    a.seed(ra);
    b.seed(rb);
    std::vector<double> drawn(20000), taken;
    for (std::size_t i = 0, n = 1; i < drawn.size(); i += n, n = n % 40 + 1) a.draw(drawn.data() + i, std::min(n, drawn.size() - i), ra);
    for (std::size_t n = 1; taken.size() < drawn.size(); n = n % 29 + 1) {
        const std::size_t want = std::min(n, drawn.size() - taken.size());
        for (std::size_t got = 0; got < want;) {
            std::size_t k = 0;
            const float* z = b.take(want - got, k, rb);
            REQUIRE(k <= want - got);
            taken.insert(taken.end(), z, z + k);
            got += k;
        }
    }
    std::size_t differ = 0;
    for (std::size_t i = 0; i < drawn.size(); ++i) differ += std::memcmp(&drawn[i], &taken[i], sizeof(double)) != 0;
    CHECK(differ == 0);
    CHECK(ra() == rb());
}

TEST_CASE("erfc_above: a bound of erfc, at most 1.3 times it", "[crossbar][stats]") {
    // The thinning trusts erfc_above(a) >= std::erfc(a) to skip erfc (decisions.md §53): checked
    // at every grid point, the double just below each (the last of the cell before), and 10^5
    // uniform points of [0, 4). Catches the grid point above a taken (a value below erfc(a)),
    // and a coarser table (the factor bound).
    const crossbar::erfc_above bound;
    std::vector<double> as;
    for (int i = 0; i < 128; ++i) {
        as.push_back(i / 32.0);
        if (i > 0) as.push_back(std::nextafter(i / 32.0, 0.0));
    }
    as.push_back(std::nextafter(4.0, 0.0));
    random_stream rng(5, stream_purpose::user, 9);
    for (int k = 0; k < 100000; ++k) as.push_back(4.0 * rng.uniform());
    std::size_t below = 0, loose = 0;
    for (const double a : as) {
        const double e = std::erfc(a), b = bound(a);
        below += !(b >= e);
        loose += !(b <= 1.3 * e);  // erfc(a - 1/32) / erfc(a) <= 1.293 for a < 4
    }
    CHECK(below == 0);
    CHECK(loose == 0);
}

TEST_CASE("lane_normals: the core draws are the published xoshiro256++ words' bits, inside exact limits", "[crossbar][stats]") {
    // Lane l is xoshiro256++ from state words 4 l ... 4 l + 3 (checked against the published
    // algorithm, written apart above); its word's low half is candidate 2 l, the high half 2 l + 1;
    // bits 0-6 the layer i, bit 7 the sign, bits 8-31 m, and the core holds m 2^-24 < x_{i+1} / x_i
    // (the floats, compared exactly: m x_i < 2^24 x_{i+1}, both sides exact in double). The first
    // refill's core draws must be +-(m 2^-24) x_i of those candidates, in order.
    crossbar::lane_normals normal;
    const auto& t = normal.table();
    random_stream rng(11, stream_purpose::user, 3);
    std::uint64_t state[4][8];
    std::array<std::array<std::uint64_t, 4>, 8> ref;
    for (std::size_t l = 0; l < 8; ++l)
        for (std::size_t w = 0; w < 4; ++w) state[w][l] = ref[l][w] = rng();
    std::vector<float> expected;
    for (std::size_t round = 0; round < crossbar::lane_normals::rounds; ++round)
        for (std::size_t l = 0; l < 8; ++l) {
            const std::uint64_t w = xoshiro_reference(ref[l]);
            for (const std::uint32_t c : {static_cast<std::uint32_t>(w), static_cast<std::uint32_t>(w >> 32)}) {
                const std::uint32_t i = c & 127, m = c >> 8;
                if (!(double(m) * t.x[i] < 0x1.0p24 * t.x[i + 1])) continue;
                const float z = static_cast<float>(m) / 16777216.0f * t.x[i];
                expected.push_back(c & 128 ? -z : z);
            }
        }
    std::uint64_t copy[4][8];
    std::copy(&state[0][0], &state[0][0] + 32, &copy[0][0]);
    float out[256], out_plain[256];
    random_stream wedge(1, stream_purpose::user, 1), wedge_copy = wedge;
    const std::size_t n = crossbar::lane_normals::fill_simd(state, t, out, wedge);
    REQUIRE(n >= expected.size());
    CHECK(std::vector<float>(out, out + expected.size()) == expected);
    // ... and the vector path (where the CPU has it) gives the plain one's floats, over 400 refills.
    INFO("vector path taken: " << crossbar::lane_normals::has_simd());
    std::size_t differ = 0;
    for (std::size_t k = 0, now = n; k < 400; ++k) {
        const std::size_t m = crossbar::lane_normals::fill_scalar(copy, t, out_plain, wedge_copy);
        differ += m != now || !std::equal(out, out + now, out_plain);
        now = crossbar::lane_normals::fill_simd(state, t, out, wedge);  // the next refill, compared next turn
    }
    CHECK(differ == 0);
    std::size_t wrong_limits = 0;
    for (int i = 0; i < crossbar::lane_normals::layers; ++i) {
        const double m = t.limit[i], a = 0x1.0p24 * t.x[i + 1], b = t.x[i];
        wrong_limits += !((m - 1.0) * b < a && m * b >= a);
    }
    CHECK(wrong_limits == 0);
}

TEST_CASE("crossbar: the ziggurat's wedge bounds decide as exp does", "[crossbar][stats]") {
    // lane_normals::wedge_decides settles most wedge tests by a chord and two tangents instead of
    // exp(-x^2/2); where it decides, it must give exactly y < exp(-x^2/2) (the draws stay
    // bit-identical). Per layer, x on a grid of 257 points over [x_{i+1}, x_i] (edges included)
    // and y on a grid of 257 points over [f_i, f_{i+1}] plus y at the computed exp and one step
    // either side. Bugs caught: the convex and concave roles swapped (chord taken as the lower
    // bound for x >= 1), a tangent's slope with the wrong sign, the margin dropped (decides y one
    // ulp from exp by the bound), the layer across x = 1 bounded. The bounds must also decide
    // most of the uniform grid (> 90 %), or the speed-up would be gone unnoticed.
    crossbar::lane_normals normal;
    const auto& t = normal.table();
    std::size_t wrong = 0, decided = 0, total = 0;
    for (int i = 1; i < crossbar::lane_normals::layers; ++i) {
        const double lo = t.x[i + 1], hi = t.x[i];
        for (int a = 0; a <= 256; ++a) {
            const double x = static_cast<float>(lo + (hi - lo) * a / 256.0);
            const double e = std::exp(-0.5 * x * x);
            auto check = [&](double y) {
                const int d = crossbar::lane_normals::wedge_decides(t, i, x, y);
                wrong += d != 0 && (d > 0) != (y < e);
                wrong += crossbar::lane_normals::wedge_accepts(t, i, x, y) != (y < e);
                decided += d != 0;
                ++total;
            };
            for (int b = 0; b <= 256; ++b) check(t.f[i] + (b / 256.0) * (t.f[i + 1] - t.f[i]));
            for (const double y : {e, std::nextafter(e, 0.0), std::nextafter(e, 2.0)}) check(y);
        }
    }
    INFO(wrong << " wrong decisions, " << decided << " of " << total << " decided by the bounds");
    CHECK(wrong == 0);
    CHECK(static_cast<double>(decided) > 0.9 * static_cast<double>(total));
}

TEST_CASE("crossbar: read noise over several rows, one draw per column or one per device", "[crossbar][stats]") {
    // Three rows driven at once, every weight w_max: each column reads 3 G+ = g and 3 G- = g_min,
    // each device with relative sigma 0.05. Converted as a difference (one Gaussian per column)
    // or per polarity (one per array), the input's sd is scale sigma sqrt(3 (g^2 + g_min^2)).
    // 4,000 columns: the sd's standard error is 1.1 %; tolerance 5 %.
    const scenario sc = single_spike(3, 4000, 0.5, 0.5);
    for (const double per_polarity : {0.0, 1.0}) {
        param_map p = ideal_crossbar();
        p["sigma_read"] = 0.05;
        p["adc_per_polarity"] = per_polarity;
        const auto v = potentials(*run_all(with_backend(sc, "crossbar", p)), 1, 4000);
        const double mean = std::accumulate(v.begin(), v.end(), 0.0) / v.size();
        double var = 0.0;
        for (const double x : v) var += (x - mean) * (x - mean);
        const double sd = std::sqrt(var / (v.size() - 1));
        const double scale = 0.5 / 16384.0, g = 17384.0, g0 = 1000.0;
        INFO("adc_per_polarity " << per_polarity);
        CHECK(mean == Approx(1.5).epsilon(0.005));  // se of the mean: 0.026 % of it
        CHECK(sd == Approx(scale * 0.05 * std::sqrt(3.0 * (g * g + g0 * g0))).epsilon(0.05));
    }
}

TEST_CASE("crossbar: one driven row's IR drop is the first-order model and tracks the nodal solve", "[crossbar][stats]") {
    // One spike, one row across 128 columns of one tile, r = 2 Ohm. The single-row path must give
    // what the general first-order routine gives (to rounding), and stay within the first-order
    // error bound of docs/crossbar-ir-drop.md against Kirchhoff on every node (the nodal solve of
    // the same driven cells): |first - nodal| <= 1.25 x |ideal - nodal|, x = eps / (1 - eps).
    const scenario sc = single_spike(1, 128, 0.1, 1.0);
    param_map p = ideal_crossbar();
    p["r_wire"] = 2e-6;  // MOhm
    p["reorder"] = 0.0;
    const auto xbar = run_all(with_backend(sc, "crossbar", p));
    const auto held = xbar->synapses_of(0);
    double w_max = 0.0;
    for (const float w : held.weights) w_max = std::max(w_max, double(w));
    const double scale = w_max / 16384.0, v = 0.2;
    std::vector<crossbar::array_cell> plus, minus;
    for (std::size_t k = 0; k < held.weights.size(); ++k) {
        plus.push_back({0, held.targets[k], (1000.0 + held.weights[k] / scale) * 1e-9});
        minus.push_back({0, held.targets[k], 1000.0 * 1e-9});
    }
    std::vector<double> v_row(128, 0.0), fp(128), fm(128), np(128), nm(128), ip(128), im(128);
    v_row[0] = v;
    crossbar::ir_workspace ws;
    crossbar::column_currents_first_order(128, 128, plus, v_row, 2.0, fp, ws);
    crossbar::column_currents_first_order(128, 128, minus, v_row, 2.0, fm, ws);
    crossbar::column_currents_nodal(128, 128, plus, v_row, 2.0, np);
    crossbar::column_currents_nodal(128, 128, minus, v_row, 2.0, nm);
    crossbar::column_currents_ideal(128, 128, plus, v_row, ip);
    crossbar::column_currents_ideal(128, 128, minus, v_row, im);
    double eps = 0.0;
    for (std::uint32_t j = 0; j < 128; ++j) eps = std::max(eps, (ip[j] - np[j]) / ip[j]);
    REQUIRE(eps > 0.01);  // a real effect: the far columns lose more than 1 %
    const double x = eps / (1.0 - eps);
    const auto got = potentials(*xbar, 1, 128);
    const double to_input = scale / v * 1e9;
    for (std::uint32_t j = 0; j < 128; ++j) {
        INFO("column " << j);
        CHECK(got[j] == Approx(to_input * (fp[j] - fm[j])).epsilon(1e-6));
        const double nodal = to_input * (np[j] - nm[j]);
        const double effect = to_input * (std::abs(ip[j] - np[j]) + std::abs(im[j] - nm[j]));
        CHECK(std::abs(got[j] - nodal) <= 1.25 * x * effect + 1e-12);
    }
}

TEST_CASE("crossbar: 16-bit codes hold the device's levels exactly", "[crossbar][stats]") {
    // A nominal device with 32 levels: every held weight is scale (level k - g_min) = k w_max / 31
    // for an integer k, to float rounding. A code grid that did not divide the level step (a power
    // of two, say) would put levels up to q / 2 = 4e-4 of a step off.
    const scenario sc = single_spike(20, 300, 0.0, 1.0);
    param_map p = ideal_crossbar();
    p["levels"] = 32;
    const auto held = run_all(with_backend(sc, "crossbar", p))->synapses_of(0).weights;
    const auto original = run_all(sc)->synapses_of(0).weights;
    double w_max = 0.0;
    for (const float w : original) w_max = std::max(w_max, double(w));
    double worst = 0.0;
    for (const float w : held) {
        const double k = double(w) / (w_max / 31.0);
        worst = std::max(worst, std::abs(k - std::round(k)));
    }
    CHECK(worst < 1e-5);
}

TEST_CASE("fast_normal: normal_tail draws the normal conditioned on Z > a", "[crossbar][stats]") {
    // Kolmogorov-Smirnov against F(z) = 1 - Q(z) / Q(a), Q the upper tail, below a = 1 (rejection
    // of plain draws) and above (Marsaglia's tail method); n = 200,000, 0.1 % critical value 1.95.
    random_stream rng(7, stream_purpose::user, 15);
    const auto Q = [](double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); };
    for (const double a : {0.4, 3.0, 7.0}) {
        constexpr std::size_t n = 200000;
        std::vector<double> z(n);
        for (auto& x : z) x = crossbar::normal_tail(rng, a);
        std::sort(z.begin(), z.end());
        REQUIRE(z.front() > a);
        double d = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            const double f = 1.0 - Q(z[i]) / Q(a);
            d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
        }
        INFO("a = " << a << ", KS sqrt(n) D = " << std::sqrt(double(n)) * d);
        CHECK(std::sqrt(double(n)) * d < 1.95);
    }
}

TEST_CASE("crossbar: empty columns convert to nonzero codes as often as read noise says, on both read paths", "[crossbar][stats]") {
    // Source 0 spikes 500 times; it holds one synapse per tile of 128 columns, source 1 (silent)
    // holds one in every column, so each read has 1 hit and 127 empty columns (g_min = 1000 nS on
    // both arrays, no IR drop: mean 0). With read noise sigma_e = 0.05 x 1000 x sqrt 2 nS and an
    // ADC whose half LSB is 3 sigma_e, an empty column converts to +-1 LSB with probability
    // p = erfc(3 / sqrt 2) = 0.27 % per read. The default (sparse) path draws that by thinning;
    // with p_stuck_on = 1e-300 (no device is stuck, but the devices count as varied) the per-column
    // path runs. Both must give sum over empty targets of (input / LSB)^2 = n_empty x 500 x p
    // (each read adds +-1 with probability p), over three seeds: 16,069. A target's S^2 (S the
    // difference of two Poisson counts of mean m = 500 p / 2) has variance 2m + 8m^2 = 5.0 against
    // its mean 1.35, so the sum's se is 1.5 %; tolerance 8 %. (Dropping the p_c / p_max acceptance
    // or one of the two directions would be off by 50 % or more.) The sum of the inputs is 0 within
    // 5 sd (both directions are equally likely).
    const std::uint32_t n = 4000;
    const std::string csv = "crossbar_empty_columns.csv";
    write_one_hit_per_tile(csv, n);
    scenario sc = make_scenario(60.0, 0.1, 3);
    auto& src = add_population(sc, "S", "spike_source", 2);
    src.spike_ticks.assign(2, {});
    for (tick_t t = 10; t < 510; ++t) src.spike_ticks[0].push_back(t);
    add_integrators(sc, n);
    auto& pr = connect(sc, "S", "N", "explicit", 0.5, 0.1);
    pr.file = std::filesystem::absolute(csv).string();
    const double sigma_e = 0.05 * 1000.0 * std::sqrt(2.0), lsb = 6.0 * sigma_e, scale = 0.5 / 16384.0;
    const double p = std::erfc(3.0 / std::sqrt(2.0));
    for (const double stuck : {0.0, 1e-300}) {
        param_map par = ideal_crossbar();
        par["reorder"] = 0.0;
        par["sigma_read"] = 0.05;
        par["adc_bits"] = 8;
        par["adc_range"] = 128.0 * lsb * 200.0;  // pA at 200 mV: 128 codes of lsb each side
        par["p_stuck_on"] = stuck;
        double squares = 0.0, total = 0.0;
        for (const std::uint64_t seed : {3, 4, 5}) {
            sc.simulation.seed = seed;
            const auto v = potentials(*run_all(with_backend(sc, "crossbar", par)), 1, n);
            for (std::uint32_t t = 0; t < n; ++t)
                if (t % 128 != 0) {
                    squares += (v[t] / (scale * lsb)) * (v[t] / (scale * lsb));
                    total += v[t] / (scale * lsb);
                }
        }
        const double expected = 3 * (n - 32) * 500.0 * p;
        INFO("p_stuck_on " << stuck << ": sum of squares " << squares << ", expected " << expected);
        CHECK(squares == Approx(expected).epsilon(0.08));
        CHECK(std::abs(total) < 5.0 * std::sqrt(expected));
    }
    std::remove(csv.c_str());
}

TEST_CASE("crossbar: several driven rows with different synapse columns give the first-order IR drop, on both read paths", "[crossbar][stats]") {
    // Eight sources spike at once onto 128 targets, each source reaching 64 targets drawn at
    // random (fixed_probability 0.5), weights uniform in [-1, 1]: the driven rows hold synapses in
    // different columns, so most columns mix synapse cells and empty cells (g_min on both arrays)
    // of the driven rows. Every used column is hit (all rows are driven), so the sparse read serves
    // it; p_stuck_on = 1e-300 forces the full read. Reference: ir_drop.hpp's general first-order
    // routine over every driven cell of the used columns (positions in natural order: a column's
    // position is its target's rank among the used targets, a row's its source). A 24-bit ADC
    // over +-28 uA leaves a quantisation of half an LSB (0.008 nS) on top of the float weights.
    scenario sc = make_scenario(5.0, 0.1, 11);
    auto& src = add_population(sc, "S", "spike_source", 8);
    src.spike_ticks.assign(8, std::vector<tick_t>{10});
    random_integrators(sc, 128, 0.5);
    param_map p = ideal_crossbar();
    p["r_wire"] = 2e-6;  // MOhm
    p["reorder"] = 0.0;
    p["adc_bits"] = 24.0;
    p["adc_range"] = 2.8e7;  // pA
    // 32 levels: a compact static block, whose reads add the rows' cached single-row currents
    // and their interactions (docs/crossbar.md, "The sparse read").
    for (const double levels : {double(INFINITY), 32.0})
    for (const bool full : {false, true}) {
        INFO((full ? "full read" : "sparse read") << ", levels " << levels);
        p["levels"] = levels;
        p["p_stuck_on"] = full ? 1e-300 : 0.0;
        const auto xbar = run_all(with_backend(sc, "crossbar", p));
        const auto held = xbar->synapses_of(0);
        double w_max = 0.0;
        for (const float w : held.weights) w_max = std::max(w_max, std::abs(double(w)));
        const double scale = w_max / 16384.0, v = 0.2, g_min = 1000.0;
        std::vector<int> position(128, -1), used;
        for (const auto t : held.targets) position[t] = 0;
        for (std::uint32_t t = 0, k = 0; t < 128; ++t)
            if (position[t] == 0) position[t] = static_cast<int>(k++), used.push_back(static_cast<int>(t));
        std::vector<std::vector<double>> gp(8, std::vector<double>(128, g_min)), gm = gp;
        std::vector<int> synapses_in(128, 0);
        for (std::size_t k = 0; k < held.weights.size(); ++k) {
            const double w = held.weights[k];
            gp[held.sources[k]][position[held.targets[k]]] = g_min + std::max(w, 0.0) / scale;
            gm[held.sources[k]][position[held.targets[k]]] = g_min + std::max(-w, 0.0) / scale;
            ++synapses_in[held.targets[k]];
        }
        std::vector<crossbar::array_cell> plus, minus;
        for (std::uint32_t r = 0; r < 8; ++r)
            for (std::uint32_t c = 0; c < used.size(); ++c) {
                plus.push_back({r, c, gp[r][c] * 1e-9});
                minus.push_back({r, c, gm[r][c] * 1e-9});
            }
        std::vector<double> v_row(128, 0.0), ip(128), im(128);
        std::fill(v_row.begin(), v_row.begin() + 8, v);
        crossbar::ir_workspace ws;
        crossbar::column_currents_first_order(128, 128, plus, v_row, 2.0, ip, ws);
        crossbar::column_currents_first_order(128, 128, minus, v_row, 2.0, im, ws);
        const auto got = potentials(*xbar, 1, 128);
        const double lsb = 2.8e7 / 200.0 / std::ldexp(1.0, 23);  // nS
        int mixed = 0;
        for (const int t : used) {
            INFO("target " << t);
            const double expected = scale * (ip[position[t]] - im[position[t]]) / v * 1e9;
            CHECK(std::abs(got[t] - expected) <= scale * 0.5 * lsb + 1e-6 * std::abs(expected));  // 1e-6: float weights, as above
            mixed += synapses_in[t] > 0 && synapses_in[t] < 8;
        }
        CHECK(mixed > 100);  // most columns mix synapse and empty cells of the driven rows
    }
}
