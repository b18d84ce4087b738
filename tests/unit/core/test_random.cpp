// SPDX-License-Identifier: MIT
// random_stream and distribution::draw. Every check uses a fixed key and a stated bound, almost
// always 4 standard errors of the estimate (a false failure about once in 16 000 checks; with fixed
// seeds a passing check passes forever). The estimate's standard error comes from the central moments
// of the distribution, given beside each check.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "memspike/core/errors.hpp"
#include "memspike/core/random.hpp"
#include "memspike/core/spec.hpp"

using namespace memspike;
using Catch::Matchers::Contains;

namespace {

struct moments {
    double mean = 0, var = 0;
};

template <class Draw>
moments sample(int n, Draw&& draw) {
    // Welford's update: stable for the 10^6 samples used here.
    double mean = 0, m2 = 0;
    for (int i = 1; i <= n; ++i) {
        const double x = draw();
        const double d = x - mean;
        mean += d / i;
        m2 += d * (x - mean);
    }
    return {mean, m2 / (n - 1)};
}

/// Checks mean and variance against the true mean mu, variance s2 and fourth central moment m4:
/// se(mean) = sqrt(s2 / n), se(variance) ~ sqrt((m4 - s2^2) / n).
void check_moments(const moments& m, int n, double mu, double s2, double m4) {
    const double se_mean = std::sqrt(s2 / n), se_var = std::sqrt((m4 - s2 * s2) / n);
    INFO("mean " << m.mean << " (want " << mu << " +- " << 4 * se_mean << "), variance " << m.var << " (want " << s2
                 << " +- " << 4 * se_var << ")");
    CHECK(std::abs(m.mean - mu) < 4 * se_mean);
    CHECK(std::abs(m.var - s2) < 4 * se_var);
}

constexpr int n = 1000000;

}  // namespace

TEST_CASE("random_stream: streams are keyed, reproducible and distinct", "[unit]") {
    random_stream a(1, stream_purpose::connectivity, 2, 3), b(1, stream_purpose::connectivity, 2, 3);
    for (int i = 0; i < 100; ++i) REQUIRE(a() == b());
    // Changing any part of the key changes the stream.
    const auto first = [](random_stream r) { return r(); };
    const auto base = first(random_stream(1, stream_purpose::connectivity, 2, 3));
    CHECK(first(random_stream(2, stream_purpose::connectivity, 2, 3)) != base);
    CHECK(first(random_stream(1, stream_purpose::weights, 2, 3)) != base);
    CHECK(first(random_stream(1, stream_purpose::connectivity, 3, 3)) != base);
    CHECK(first(random_stream(1, stream_purpose::connectivity, 2, 4)) != base);
    CHECK(first(random_stream(1, stream_purpose::connectivity, 3, 2)) !=
          first(random_stream(1, stream_purpose::connectivity, 2, 3)));
}

TEST_CASE("random_stream: uniform", "[unit]") {
    random_stream r(2024, stream_purpose::user, 1);
    double lo = 1, hi = 0;
    const auto m = sample(n, [&] {
        const double u = r.uniform();
        lo = std::min(lo, u);
        hi = std::max(hi, u);
        return u;
    });
    CHECK(lo >= 0.0);
    CHECK(hi < 1.0);
    // U(0,1): mean 1/2, variance 1/12, fourth central moment 1/80.
    check_moments(m, n, 0.5, 1.0 / 12, 1.0 / 80);
    // Scaled: U(-3, 5) has mean 1, variance 64/12, m4 = 8^4/80.
    random_stream r2(2024, stream_purpose::user, 2);
    check_moments(sample(n, [&] { return r2.uniform(-3.0, 5.0); }), n, 1.0, 64.0 / 12, 4096.0 / 80);
    random_stream r3(2024, stream_purpose::user, 3);
    for (int i = 0; i < 1000; ++i) {
        const double u = r3.uniform_open0();
        REQUIRE((u > 0.0 && u <= 1.0));
    }
}

TEST_CASE("random_stream: normal", "[unit]") {
    random_stream r(7, stream_purpose::user, 1);
    // N(0,1): variance 1, m4 = 3.
    check_moments(sample(n, [&] { return r.normal(); }), n, 0.0, 1.0, 3.0);
    // N(-65, 4^2): variance 16, m4 = 3 * 4^4.
    random_stream r2(7, stream_purpose::user, 2);
    check_moments(sample(n, [&] { return r2.normal(-65.0, 4.0); }), n, -65.0, 16.0, 3 * 256.0);
    // Tails: P(|Z| > 3) = 0.0027; the count of 10^6 draws is ~Binomial, sd sqrt(2700) = 52.
    random_stream r3(7, stream_purpose::user, 3);
    int tail = 0;
    for (int i = 0; i < n; ++i) tail += std::abs(r3.normal()) > 3.0;
    CHECK(std::abs(tail - 2699.8) < 4 * 52.0);
}

TEST_CASE("random_stream: exponential", "[unit]") {
    random_stream r(8, stream_purpose::user, 1);
    // Exp with mean 2: variance 4, m4 = 9 * mean^4 = 144.
    check_moments(sample(n, [&] { return r.exponential(2.0); }), n, 2.0, 4.0, 144.0);
}

TEST_CASE("random_stream: poisson for small, medium and large means", "[unit]") {
    // Poisson(l): mean l, variance l, fourth central moment l (1 + 3 l). l = 0.5 and 5 use
    // inversion, 50 uses PTRS.
    for (const double lambda : {0.5, 5.0, 50.0}) {
        random_stream r(99, stream_purpose::poisson_stimulus, static_cast<std::uint64_t>(lambda * 10));
        INFO("lambda = " << lambda << ", seed 99");
        check_moments(sample(n, [&] { return static_cast<double>(r.poisson(lambda)); }), n, lambda, lambda,
                      lambda * (1 + 3 * lambda));
    }
    random_stream r(99, stream_purpose::poisson_stimulus, 0);
    CHECK(r.poisson(0.0) == 0);
    CHECK(r.poisson(-1.0) == 0);
    // P(0) for l = 5 is e^-5 = 0.006738: count sd sqrt(n p (1-p)) = 81.8.
    int zeros = 0;
    for (int i = 0; i < n; ++i) zeros += r.poisson(5.0) == 0;
    CHECK(std::abs(zeros - 6737.9) < 4 * 81.8);
}

TEST_CASE("random_stream: binomial", "[unit]") {
    // Binomial(m, p): mean m p, variance v = m p q, m4 = v (1 + 3 (m - 2) p q). p = 0.7 uses the
    // complement branch.
    for (const double p : {0.03, 0.3, 0.7}) {
        const std::uint64_t m = 100;
        random_stream r(5, stream_purpose::user, static_cast<std::uint64_t>(p * 100));
        const double q = 1 - p, v = static_cast<double>(m) * p * q;
        INFO("binomial(100, " << p << "), seed 5");
        check_moments(sample(n / 4, [&] { return static_cast<double>(r.binomial(m, p)); }), n / 4,
                      static_cast<double>(m) * p, v, v * (1 + 3 * (static_cast<double>(m) - 2) * p * q));
    }
    random_stream r(5, stream_purpose::user, 0);
    CHECK(r.binomial(10, 0.0) == 0);
    CHECK(r.binomial(10, 1.0) == 10);
    CHECK(r.binomial(0, 0.5) == 0);
    for (int i = 0; i < 1000; ++i) REQUIRE(r.binomial(7, 0.5) <= 7);
}

TEST_CASE("random_stream: below(n) is in range and uniform", "[unit]") {
    random_stream r(3, stream_purpose::user, 1);
    // Each of 7 values has probability 1/7: a count of 7*10^5 draws has sd sqrt(N p (1-p)) = 292.8.
    const int draws = 700000;
    std::vector<int> count(7, 0);
    for (int i = 0; i < draws; ++i) {
        const auto v = r.below(7);
        REQUIRE(v < 7);
        ++count[v];
    }
    for (int v = 0; v < 7; ++v) {
        INFO("value " << v);
        CHECK(std::abs(count[v] - 100000) < 4 * 292.8);
    }
    for (int i = 0; i < 100; ++i) REQUIRE(r.below(1) == 0);
    // A range near 2^64 exercises the rejection step of Lemire's method.
    const std::uint64_t big = (std::uint64_t{1} << 63) + 12345;
    int upper = 0;
    for (int i = 0; i < 10000; ++i) {
        const auto v = r.below(big);
        REQUIRE(v < big);
        upper += v >= big / 2;
    }
    CHECK(std::abs(upper - 5000) < 4 * 50);  // Binomial(10^4, 1/2): sd 50
}

TEST_CASE("distribution::draw", "[unit]") {
    random_stream r(17, stream_purpose::weights, 0, 0);
    SECTION("constant, uniform, normal") {
        CHECK(distribution::constant(3.5).draw(r) == 3.5);
        distribution u;
        u.k = distribution::kind::uniform;
        u.low = 2.0;
        u.high = 4.0;
        // U(2, 4): mean 3, variance 4/12, m4 = 16/80.
        check_moments(sample(n / 10, [&] { return u.draw(r); }), n / 10, 3.0, 4.0 / 12, 16.0 / 80);
        distribution g;
        g.k = distribution::kind::normal;
        g.mean = 10.0;
        g.sd = 2.0;
        check_moments(sample(n / 10, [&] { return g.draw(r); }), n / 10, 10.0, 4.0, 3 * 16.0);
    }
    SECTION("out of range: error names the location and the fix") {
        distribution g;
        g.k = distribution::kind::normal;
        g.mean = 0.0;
        g.sd = 1.0;
        g.min = -0.5;
        g.max = 0.5;
        g.where = {"net.toml", 7, 3, "projection.E->I.weight"};
        // P(|Z| > 0.5) = 0.62 per draw: 100 draws all inside has probability 0.38^100.
        REQUIRE_THROWS_WITH(
            [&] {
                for (int i = 0; i < 100; ++i) g.draw(r);
            }(),
            Contains("net.toml:7:3") && Contains("projection.E->I.weight") && Contains("outside [-0.5, 0.5]") &&
                Contains("out_of_range = \"redraw\""));
    }
    SECTION("redraw truncates, and gives up with a clear error") {
        distribution g;
        g.k = distribution::kind::normal;
        g.mean = 0.0;
        g.sd = 1.0;
        g.min = 0.0;
        g.policy = distribution::out_of_range::redraw;
        // N(0,1) truncated to [0, inf) is the half-normal: mean sqrt(2/pi) = 0.79788, variance
        // 1 - 2/pi = 0.36338, so se(mean) = sqrt(0.36338 / 10^5).
        const auto m = sample(n / 10, [&] {
            const double x = g.draw(r);
            REQUIRE(x >= 0.0);
            return x;
        });
        CHECK(std::abs(m.mean - std::sqrt(2 / M_PI)) < 4 * std::sqrt(0.36338 / (n / 10)));
        g.min = 50.0;  // 50 sd away: never reached
        REQUIRE_THROWS_WITH(g.draw(r), Contains("1000 consecutive draws"));
        distribution c = distribution::constant(5.0);
        c.max = 1.0;
        c.policy = distribution::out_of_range::redraw;
        REQUIRE_THROWS_WITH(c.draw(r), Contains("constant value 5"));
    }
}
