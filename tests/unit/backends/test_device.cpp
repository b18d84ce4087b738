// SPDX-License-Identifier: MIT
// The crossbar device model: parameter validation; NeuroSim's nonlinearity label against its
// published table; the pulse curves against their closed forms (and NeuroSim's own LTD form);
// level quantisation; and the noise, variation and fault statistics against their parameters.
// Every random test uses a fixed seed; statistical tolerances are stated where they are used.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "memspike/backends/crossbar/device.hpp"
#include "memspike/core/errors.hpp"

using namespace memspike;
using namespace memspike::crossbar;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
constexpr std::uint64_t seed = 20240517;

/// The name of the parameter validate() rejects, or "" when it accepts.
std::string rejected(const device_params& p) {
    try {
        p.validate();
    } catch (const invalid_parameter& e) {
        CHECK(e.owner == "crossbar");
        return e.name;
    }
    return "";
}

struct moments {
    double mean = 0, sd = 0;
};
moments stats(const std::vector<double>& x) {
    moments m;
    for (double v : x) m.mean += v;
    m.mean /= static_cast<double>(x.size());
    for (double v : x) m.sd += (v - m.mean) * (v - m.mean);
    m.sd = std::sqrt(m.sd / static_cast<double>(x.size() - 1));
    return m;
}

device_instance nominal(const device_params& p) { return {p.g_min, p.g_max, fault::none}; }

} // namespace

TEST_CASE("device: validate rejects each bad value, naming the parameter", "[unit]") {
    const device_params ok;
    CHECK(rejected(ok).empty());
    auto with = [&](auto edit) {
        device_params p = ok;
        edit(p);
        return rejected(p);
    };
    CHECK(with([](device_params& p) { p.levels = inf; }).empty());
    CHECK(with([](device_params& p) { p.nl_ltp = 0; p.nl_ltd = 9; }).empty());

    CHECK(with([](device_params& p) { p.g_max = p.g_min; }) == "g_max");
    CHECK(with([](device_params& p) { p.g_max = 400; }) == "g_max");
    CHECK(with([](device_params& p) { p.g_min = -1; }) == "g_min");
    CHECK(with([](device_params& p) { p.g_min = nan_v; }) == "g_min");
    CHECK(with([](device_params& p) { p.g_max = inf; }) == "g_max");
    CHECK(with([](device_params& p) { p.levels = 1; }) == "levels");
    CHECK(with([](device_params& p) { p.levels = 2.5; }) == "levels");
    CHECK(with([](device_params& p) { p.levels = nan_v; }) == "levels");
    CHECK(with([](device_params& p) { p.levels = -inf; }) == "levels");
    CHECK(with([](device_params& p) { p.levels = 1e12; }) == "levels");
    CHECK(with([](device_params& p) { p.nl_ltp = 9.5; }) == "nl_ltp");
    CHECK(with([](device_params& p) { p.nl_ltd = nan_v; }) == "nl_ltd");
    CHECK(with([](device_params& p) { p.sigma_c2c = -0.1; }) == "sigma_c2c");
    CHECK(with([](device_params& p) { p.sigma_d2d = nan_v; }) == "sigma_d2d");
    CHECK(with([](device_params& p) { p.sigma_d2d_nl = -0.1; }) == "sigma_d2d_nl");
    CHECK(with([](device_params& p) { p.sigma_d2d_nl = 9.5; }) == "sigma_d2d_nl");
    CHECK(with([](device_params& p) { p.sigma_d2d_nl = 9.0; }).empty());
    CHECK(with([](device_params& p) { p.sigma_read = inf; }) == "sigma_read");
    CHECK(with([](device_params& p) { p.p_stuck_on = 1.5; }) == "p_stuck_on");
    CHECK(with([](device_params& p) { p.p_stuck_off = -0.1; }) == "p_stuck_off");
    CHECK(with([](device_params& p) { p.p_stuck_off = nan_v; }) == "p_stuck_off");
    CHECK(with([](device_params& p) { p.p_stuck_on = 0.6; p.p_stuck_off = 0.6; }) == "p_stuck_off");
    CHECK(with([](device_params& p) { p.drift_nu = -1; }) == "drift_nu");
    CHECK(with([](device_params& p) { p.drift_t0 = 0; }) == "drift_t0");
    CHECK(with([](device_params& p) { p.drift_t0 = nan_v; }) == "drift_t0");

    // The message carries owner, name, value with its unit, and the rule.
    device_params p = ok;
    p.g_max = 400;
    REQUIRE_THROWS_WITH(p.validate(), Catch::Contains("crossbar: g_max = 400 nS is invalid") &&
                                          Catch::Contains("must be > g_min = 476 nS"));
    p = ok;
    p.drift_t0 = -5;
    REQUIRE_THROWS_WITH(p.validate(), Catch::Contains("drift_t0 = -5 ms"));
    p = ok;
    p.levels = 2.5;
    REQUIRE_THROWS_WITH(p.validate(), Catch::Contains("levels = 2.5") && Catch::Contains("integer"));
}

TEST_CASE("device: NeuroSim nonlinearity label maps to the published normalized A", "[unit]") {
    // MLP_NeuroSim V3 formula.cpp getParamA (6 printed digits; entry i is label (i+1)/100) and
    // documents/Nonlinearity-NormA.htm (4 printed digits). Tolerance: half the last printed digit.
    const std::vector<std::pair<double, double>> six = {{0.01, 126.268958}, {0.5, 2.519877}, {0.97, 1.291038},
                                                        {1.00, 1.251653},   {8.95, 0.024129}, {8.99, 0.023073},
                                                        {9.00, 0.022810}};
    for (const auto& [nl, a] : six) {
        CAPTURE(nl, a, neurosim_normalized_a(nl));
        CHECK(std::abs(neurosim_normalized_a(nl) - a) <= 0.5e-6 + 1e-12);
        CHECK(neurosim_normalized_a(-nl) == neurosim_normalized_a(nl));
    }
    const std::vector<std::pair<double, double>> four = {
        {1.51, 0.8195}, {3.01, 0.3853}, {4.51, 0.2266}, {6.01, 0.1351}, {7.51, 0.0702}};
    for (const auto& [nl, a] : four) {
        CAPTURE(nl, a, neurosim_normalized_a(nl));
        CHECK(std::abs(neurosim_normalized_a(nl) - a) <= 0.5e-4 + 1e-12);
    }
    CHECK(std::isinf(neurosim_normalized_a(0.0)));
    // Small labels follow the asymptote a = k / (8 nl) (k = 10.1015): continuous across the switch at 1e-6.
    CHECK(neurosim_normalized_a(1.01e-6) == Approx(10.10152544552211 / (8 * 1.01e-6)).epsilon(1e-8));
}

TEST_CASE("device: pulse curves against their closed forms", "[unit]") {
    device_params p;
    p.levels = 32;  // P = 31
    p.nl_ltp = 1.0;
    p.nl_ltd = -1.0;
    const double lo = 500, hi = 9000, P = 31;
    const pulse_response c(p, lo, hi);
    REQUIRE(c.max_pulses() == P);

    // NeuroSim: G(p) = lo + B (1 - exp(-p/A)), B = (hi - lo)/(1 - exp(-P/A)), A = normA(NL) P,
    // normA(1.00) = 1.251653 (table). Its LTD uses the same form with A = normA(-1.00) P < 0 and
    // moves p down from P, so the q-th depression pulse from hi sits at p = P - q. Tolerance 0.01 nS
    // (1e-6 of the range) covers the table's 6 printed digits (dG/dlnA < range, |dlnA| < 4e-7).
    const double A = 1.251653 * P, B = (hi - lo) / (1 - std::exp(-P / A));
    const double Ad = -A, Bd = (hi - lo) / (1 - std::exp(-P / Ad));
    for (double x : {0.0, 1.0, 2.5, 5.0, 15.5, 30.0, 31.0}) {
        CAPTURE(x);
        CHECK(c.potentiation_curve(x) == Approx(lo + B * (1 - std::exp(-x / A))).margin(0.01));
        CHECK(c.depression_curve(x) == Approx(lo + Bd * (1 - std::exp(-(P - x) / Ad))).margin(0.01));
    }
    CHECK(c.potentiation_curve(0) == lo);
    CHECK(c.potentiation_curve(P) == Approx(hi).epsilon(1e-14));
    CHECK(c.depression_curve(0) == hi);
    CHECK(c.depression_curve(P) == Approx(lo).epsilon(1e-14));

    // Inverse, monotone, saturating.
    double prev_up = -inf, prev_down = inf;
    for (double x = 0; x <= P; x += 0.25) {
        CAPTURE(x);
        CHECK(c.potentiation_position(c.potentiation_curve(x)) == Approx(x).margin(1e-9));
        CHECK(c.depression_position(c.depression_curve(x)) == Approx(x).margin(1e-9));
        CHECK(c.potentiation_curve(x) > prev_up);
        CHECK(c.depression_curve(x) < prev_down);
        prev_up = c.potentiation_curve(x);
        prev_down = c.depression_curve(x);
    }
    CHECK(c.after_potentiation(lo, 3) == Approx(c.potentiation_curve(3)).epsilon(1e-12));
    CHECK(c.after_potentiation(c.potentiation_curve(7.5), 2) == Approx(c.potentiation_curve(9.5)).epsilon(1e-12));
    CHECK(c.after_potentiation(lo, 100) == hi);
    CHECK(c.after_depression(hi, 100) == lo);
    CHECK(c.after_potentiation(hi + 50, 1) == hi);  // above the bound: taken as at the bound

    // nl = 0: linear, equal steps.
    p.nl_ltp = p.nl_ltd = 0;
    const pulse_response lin(p, lo, hi);
    for (double x : {0.0, 1.0, 7.0, 20.5, 31.0}) {
        CHECK(lin.potentiation_curve(x) == Approx(lo + (hi - lo) * x / P).epsilon(1e-14));
        CHECK(lin.depression_curve(x) == Approx(hi - (hi - lo) * x / P).epsilon(1e-14));
    }

    p.levels = inf;
    REQUIRE_THROWS_WITH(pulse_response(p, lo, hi), Catch::Contains("levels"));
}

TEST_CASE("device: potentiation then depression asymmetry follows the labels", "[unit]") {
    const double lo = 476, hi = 10000;
    device_params p;  // NeuroSim RealDevice labels: 4.22 / -4.22
    const pulse_response mirror(p, lo, hi);
    const double P = mirror.max_pulses();
    // Opposite signs: depression is the 180-degree mirror of potentiation.
    for (double x = 0; x <= P; x += 0.5)
        CHECK(mirror.potentiation_curve(x) - lo == Approx(hi - mirror.depression_curve(x)).margin(1e-9));
    // So 5 up then 5 down does not come back: from lo the first steps are big, from there the
    // depression steps (small far from hi) are small. Independent closed form (mirror form):
    const double A = neurosim_normalized_a(4.22) * P, B = (hi - lo) / (1 - std::exp(-P / A));
    const double g1 = lo + B * (1 - std::exp(-5 / A));
    const double q1 = -A * std::log(1 - (hi - g1) / B);
    const double g2 = hi - B * (1 - std::exp(-(q1 + 5) / A));
    CHECK(mirror.after_potentiation(lo, 5) == Approx(g1).epsilon(1e-12));
    CHECK(mirror.after_depression(g1, 5) == Approx(g2).epsilon(1e-9));
    CHECK(g2 - lo > 0.5 * (g1 - lo));  // net drift up: the classic asymmetric-update bias

    // Same signs: depression retraces the potentiation curve backwards, so up-then-down returns.
    p.nl_ltd = 4.22;
    const pulse_response same(p, lo, hi);
    for (double x = 0; x <= P; x += 0.5)
        CHECK(same.depression_curve(x) == Approx(same.potentiation_curve(P - x)).margin(1e-9));
    CHECK(same.after_depression(same.after_potentiation(lo, 5), 5) == Approx(lo).margin(1e-9));
    // Linear: symmetric, returns exactly.
    p.nl_ltp = p.nl_ltd = 0;
    const pulse_response lin(p, lo, hi);
    CHECK(lin.after_depression(lin.after_potentiation(lo + 1000, 5), 5) == Approx(lo + 1000).margin(1e-9));
}

TEST_CASE("device: program_level quantises to the nearest level", "[unit]") {
    device_params p;
    const device_instance dev{480, 9800, fault::none};
    const double step = (dev.g_hi - dev.g_lo) / (p.levels - 1);
    random_stream rng(seed, stream_purpose::user, 1);
    for (int k = 0; k < 10000; ++k) {
        const double t = rng.uniform(dev.g_lo, dev.g_hi);
        const double g = program_level(p, dev, t);
        CAPTURE(t, g);
        REQUIRE(std::abs(g - t) <= 0.5 * step + 1e-9);
        const double idx = (g - dev.g_lo) / step;
        REQUIRE(std::abs(idx - std::round(idx)) < 1e-9);
    }
    CHECK(program_level(p, dev, dev.g_lo - 100) == dev.g_lo);
    CHECK(program_level(p, dev, dev.g_hi + 1e6) == dev.g_hi);
    CHECK(program_level(p, dev, dev.g_lo + 0.49 * step) == dev.g_lo);
    CHECK(program_level(p, dev, dev.g_lo + 0.51 * step) == Approx(dev.g_lo + step).epsilon(1e-14));
    REQUIRE_THROWS_AS(program_level(p, dev, nan_v), invalid_parameter);

    p.levels = inf;  // continuous: the target itself, saturated at the bounds
    for (double t : {480.0, 1234.5678, 9799.999}) CHECK(program_level(p, dev, t) == t);
    CHECK(program_level(p, dev, 20000) == dev.g_hi);
    p.levels = 2;
    CHECK(program_level(p, dev, 5000) == dev.g_lo);
    CHECK(program_level(p, dev, 5200) == dev.g_hi);
}

TEST_CASE("device: cycle-to-cycle noise has sigma_c2c (g_max - g_min) sqrt(n)", "[unit]") {
    // N = 20000 draws: the sample sd has relative standard error 1/sqrt(2N) = 0.5%; tolerance 3%
    // (6 SE). The mean residual must be within 5 SE (sd/sqrt(N)). g0 = 5000 nS sits > 20 sd from
    // both bounds, so the saturation never acts.
    const device_params p;
    const device_instance dev = nominal(p);
    const pulse_response c(p, dev.g_lo, dev.g_hi);
    const int N = 20000;
    for (bool up : {true, false})
        for (unsigned n : {1u, 4u}) {
            random_stream rng(seed, stream_purpose::user, 2, n + (up ? 100 : 0));
            const double g0 = 5000;
            const double det = up ? c.after_potentiation(g0, n) : c.after_depression(g0, n);
            std::vector<double> r;
            for (int k = 0; k < N; ++k) r.push_back(apply_pulses(p, dev, g0, up, n, rng) - det);
            const auto m = stats(r);
            const double expect = p.sigma_c2c * (p.g_max - p.g_min) * std::sqrt(double(n));
            CAPTURE(up, n, m.mean, m.sd, expect);
            CHECK(std::abs(m.sd / expect - 1) < 0.03);
            CHECK(std::abs(m.mean) < 5 * expect / std::sqrt(double(N)));
        }
    // Near a bound the noisy result is kept inside [lo, hi].
    random_stream rng(seed, stream_purpose::user, 3);
    int at_top = 0;
    for (int k = 0; k < 2000; ++k) {
        const double g = apply_pulses(p, dev, dev.g_hi, true, 1, rng);
        REQUIRE(g <= dev.g_hi);
        at_top += g == dev.g_hi;
    }
    CHECK(at_top > 500);  // about half the draws push above hi and saturate
    CHECK(apply_pulses(p, dev, 3000, true, 0, rng) == 3000);
}

TEST_CASE("device: device-to-device bounds have relative sigma sigma_d2d", "[unit]") {
    // sigma_d2d = 0.05: truncation needs N < -20, negligible. N = 20000 devices, sd tolerance 3%
    // (6 SE as above), mean within 5 SE.
    device_params p;
    p.sigma_d2d = 0.05;
    random_stream rng(seed, stream_purpose::user, 4);
    const int N = 20000;
    std::vector<double> his, los;
    for (int k = 0; k < N; ++k) {
        const auto d = draw_device(p, rng);
        his.push_back(d.g_hi / p.g_max);
        los.push_back(d.g_lo / p.g_min);
    }
    for (const auto* x : {&his, &los}) {
        const auto m = stats(*x);
        CAPTURE(m.mean, m.sd);
        CHECK(std::abs(m.sd / p.sigma_d2d - 1) < 0.03);
        CHECK(std::abs(m.mean - 1) < 5 * p.sigma_d2d / std::sqrt(double(N)));
    }
    // sigma_d2d = 0.3 (aihwkit ReRamES): lo < 0 has probability 4e-4 per draw (~9 of 20000). A
    // clamp would leave devices at exactly 0; the truncated draw leaves none.
    p.sigma_d2d = 0.3;
    int zeros = 0;
    for (int k = 0; k < N; ++k) {
        const auto d = draw_device(p, rng);
        REQUIRE(d.g_lo >= 0);
        REQUIRE(d.g_lo < d.g_hi);
        zeros += d.g_lo == 0;
    }
    CHECK(zeros == 0);
}

TEST_CASE("device: device-to-device nonlinearity labels have sigma sigma_d2d_nl, truncated to [-9, 9]", "[unit]") {
    // sigma 0.5 around 4.22 / -4.22: truncation at |nl| = 9 is 9.6 sd away, negligible. N = 20000
    // devices: sd tolerance 3 % (6 SE of sqrt(1/(2N)) = 0.5 %), mean within 5 SE.
    device_params p;
    p.sigma_d2d_nl = 0.5;
    random_stream rng(seed, stream_purpose::user, 7);
    const int N = 20000;
    std::vector<double> ltp, ltd;
    for (int k = 0; k < N; ++k) {
        const auto d = draw_device(p, rng);
        CHECK(d.g_lo == p.g_min);  // sigma_d2d = 0: the bounds stay nominal
        ltp.push_back(d.nl_ltp);
        ltd.push_back(d.nl_ltd);
    }
    for (const auto& [x, nominal_label] : {std::pair{&ltp, p.nl_ltp}, std::pair{&ltd, p.nl_ltd}}) {
        const auto m = stats(*x);
        CAPTURE(m.mean, m.sd);
        CHECK(std::abs(m.sd / p.sigma_d2d_nl - 1) < 0.03);
        CHECK(std::abs(m.mean - nominal_label) < 5 * p.sigma_d2d_nl / std::sqrt(double(N)));
    }
    // Near the table's end (8.5, sigma 2) about 40 % of raw draws fall beyond 9: a clamp would pile
    // them up at 9; the truncated draw keeps every label inside with none exactly at the edge.
    p.nl_ltp = 8.5;
    p.sigma_d2d_nl = 2.0;
    int at_edge = 0;
    for (int k = 0; k < N; ++k) {
        const auto d = draw_device(p, rng);
        REQUIRE(std::abs(d.nl_ltp) <= 9.0);
        at_edge += std::abs(d.nl_ltp) == 9.0;
    }
    CHECK(at_edge == 0);
}

TEST_CASE("device: without sigma_d2d_nl a draw is unchanged; with it each device pulses on its own curve", "[unit]") {
    // sigma_d2d_nl = 0 consumes two normals and one uniform, as before the labels could vary, so
    // existing device streams (and their results) stay the same; the labels are left unset (NaN).
    device_params p;
    p.sigma_d2d = 0.05;
    random_stream a(seed, stream_purpose::user, 8), b = a;
    const device_instance d = draw_device(p, a);
    const double lo = p.g_min * (1.0 + p.sigma_d2d * b.normal()), hi = p.g_max * (1.0 + p.sigma_d2d * b.normal());
    b.uniform();
    CHECK(d.g_lo == lo);
    CHECK(d.g_hi == hi);
    CHECK(a() == b());
    CHECK(std::isnan(d.nl_ltp));
    CHECK(std::isnan(d.nl_ltd));

    // A varied device's pulse counts are those of the nominal device with its labels: the same
    // count computed through device_params carrying the labels (another code path), and not the
    // nominal labels' count.
    p.sigma_d2d = 0.0;
    p.sigma_d2d_nl = 1.0;
    random_stream rng(seed, stream_purpose::user, 9);
    int differs = 0;
    for (int k = 0; k < 200; ++k) {
        const device_instance dev = draw_device(p, rng);
        device_params own = p;
        own.nl_ltp = dev.nl_ltp;
        own.nl_ltd = dev.nl_ltd;
        const pulse_response curve(own, p.g_min, p.g_max);
        const double up = curve.potentiation_position(6000) - curve.potentiation_position(2000);
        const double down = curve.depression_position(2000) - curve.depression_position(6000);
        CHECK(exact_pulses_towards(p, dev, 2000, 6000) == Approx(up).epsilon(1e-12));
        CHECK(exact_pulses_towards(p, dev, 6000, 2000) == Approx(-down).epsilon(1e-12));
        differs += std::abs(exact_pulses_towards(p, dev, 2000, 6000) - exact_pulses_towards(p, nominal(p), 2000, 6000)) > 1e-6;
    }
    CHECK(differs == 200);
    // A label below 0 on potentiation bends the curve the other way: small first steps.
    device_instance convex = nominal(p);
    convex.nl_ltp = -3.0;
    const pulse_response c(p, convex);
    CHECK(c.potentiation_curve(1) - c.potentiation_curve(0) < c.potentiation_curve(c.max_pulses()) - c.potentiation_curve(c.max_pulses() - 1));
}

TEST_CASE("device: stuck-at fractions and stuck devices never move", "[unit]") {
    device_params p;
    p.p_stuck_on = 0.1;
    p.p_stuck_off = 0.05;
    random_stream rng(seed, stream_purpose::user, 5);
    const int N = 20000;
    int on = 0, off = 0;
    std::vector<device_instance> stuck;
    for (int k = 0; k < N; ++k) {
        const auto d = draw_device(p, rng);
        on += d.f == fault::stuck_on;
        off += d.f == fault::stuck_off;
        if (d.f != fault::none && stuck.size() < 200) stuck.push_back(d);
    }
    // Binomial counts: tolerance 5 sd = 5 sqrt(N p (1-p)).
    CHECK(std::abs(on - N * 0.1) < 5 * std::sqrt(N * 0.1 * 0.9));
    CHECK(std::abs(off - N * 0.05) < 5 * std::sqrt(N * 0.05 * 0.95));
    for (const auto& d : stuck) {
        const double g = program_level(p, d, 5000);
        CHECK(g == (d.f == fault::stuck_on ? d.g_hi : d.g_lo));
        CHECK(apply_pulses(p, d, g, true, 10, rng) == g);
        CHECK(apply_pulses(p, d, g, false, 10, rng) == g);
        CHECK(pulses_towards(p, d, g, 7000, rounding::nearest, rng) == 0);
    }
}

TEST_CASE("device: pulses_towards, nearest and stochastic rounding", "[unit]") {
    const device_params p;
    const device_instance dev = nominal(p);
    const pulse_response c(p, dev.g_lo, dev.g_hi);
    random_stream rng(seed, stream_purpose::user, 6);
    for (const auto& [g, target] : {std::pair{3000.0, 7000.3}, std::pair{8000.0, 1500.0}}) {
        const double x = exact_pulses_towards(p, dev, g, target);
        // Independent: the position difference on the curve the move uses.
        const double expect = target > g ? c.potentiation_position(target) - c.potentiation_position(g)
                                         : c.depression_position(g) - c.depression_position(target);
        CHECK(x == Approx(expect).epsilon(1e-12));
        CHECK((target > g ? x > 0 : x < 0));
        CHECK(pulses_towards(p, dev, g, target, rounding::nearest, rng) == static_cast<int>(std::lround(x)));
        // Stochastic: each draw is floor or ceil of x, mean x. Rounding variance <= 1/4, so the
        // standard error of the mean of N = 20000 is <= 0.0035; tolerance 0.02 (> 5.6 SE).
        const int N = 20000;
        double sum = 0;
        for (int k = 0; k < N; ++k) {
            const int n = pulses_towards(p, dev, g, target, rounding::stochastic, rng);
            REQUIRE((n == static_cast<int>(std::floor(x)) || n == static_cast<int>(std::ceil(x))));
            sum += n;
        }
        CAPTURE(x, sum / N);
        CHECK(std::abs(sum / N - x) < 0.02);
    }
    CHECK(pulses_towards(p, dev, 4000, 4000, rounding::stochastic, rng) == 0);
    // Beyond the bound: counts to the bound, never beyond P.
    CHECK(exact_pulses_towards(p, dev, dev.g_lo, 1e9) == Approx(c.max_pulses()).epsilon(1e-12));
}

TEST_CASE("device: read noise has relative sigma sigma_read", "[unit]") {
    const device_params p;
    random_stream rng(seed, stream_purpose::user, 7);
    std::vector<double> r;
    for (int k = 0; k < 20000; ++k) r.push_back(read_conductance(p, 5000, rng) / 5000);
    const auto m = stats(r);
    CHECK(std::abs(m.sd / p.sigma_read - 1) < 0.03);  // 6 SE, as for c2c
    CHECK(std::abs(m.mean - 1) < 5 * p.sigma_read / std::sqrt(20000.0));
}

TEST_CASE("device: drift factor closed form", "[unit]") {
    device_params p;
    CHECK(drift_factor(p, 1e12) == 1.0);  // nu = 0: off
    p.drift_nu = 0.1;
    p.drift_t0 = 20000;
    CHECK(drift_factor(p, 0) == 1.0);
    CHECK(drift_factor(p, 10000) == 1.0);
    CHECK(drift_factor(p, 20000) == 1.0);
    CHECK(drift_factor(p, 200000) == Approx(std::pow(10.0, -0.1)).epsilon(1e-14));
    CHECK(drift_factor(p, 2e7) == Approx(std::pow(1000.0, -0.1)).epsilon(1e-14));
    CHECK(drift_factor(p, 2e7) == Approx(0.5011872336272722).epsilon(1e-14));
}
