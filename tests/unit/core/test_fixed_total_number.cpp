// SPDX-License-Identifier: MIT
// fixed_total_number (core/src/connectivity/fixed_total_number.cpp): exactly K synapses on pairs
// drawn uniformly with replacement, so the in-degrees (and out-degrees) are multinomial; the
// same network for any thread count; errors located at the file's line and key. Fixed seeds; each
// statistical bound is stated where it is used.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <map>
#include <vector>

#include <oneapi/tbb/global_control.h>

#include "memspike/backends/builtin.hpp"
#include "memspike/core/connectivity.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/model.hpp"
#include "memspike/core/resource_estimate.hpp"
#include "memspike/core/scenario.hpp"
#include "unit/core/fake_models.hpp"

using namespace memspike;
using Catch::Matchers::Contains;

namespace {

const model_registry& registry() { return testing::fake_models(); }

scenario make_scenario(std::uint64_t ns, std::uint64_t nt, std::uint64_t k, std::uint64_t seed = 7) {
    scenario sc = testing::fake_network({{"A", ns}, {"B", nt}}, seed);
    projection_spec p;
    p.name = "AB";
    p.source = "A";
    p.target = "B";
    p.rule = "fixed_total_number";
    p.total_number = k;
    // Drawn weights and delays, so that the thread-count test also covers their streams.
    p.weight.k = p.delay.k = distribution::kind::uniform;
    p.weight.low = 0.0;
    p.weight.high = 1.0;
    p.delay.low = 0.5;
    p.delay.high = 2.0;
    p.where = {"test.toml", 10, 1, "projection.AB"};
    sc.projections.push_back(p);
    return sc;
}

struct synapse {
    std::uint64_t s, t;
    float w;
    std::int32_t d;
    bool operator==(const synapse&) const = default;
};

/// Every synapse of the store, block by block (the order of the store).
std::vector<synapse> all_synapses(const synapse_store& st) {
    std::vector<synapse> out;
    for (std::size_t p = 0; p < st.blocks.size(); ++p)
        for (const auto& b : st.blocks[p]) {
            const auto dc = static_cast<std::uint64_t>(b.delay_count);
            for (std::uint64_t s = 0; s < b.source_count; ++s)
                for (std::uint64_t k = 0; k < dc; ++k)
                    for (auto i = b.offsets[s * dc + k]; i < b.offsets[s * dc + k + 1]; ++i)
                        out.push_back({s, st.partitions[p].first + b.targets[i], b.weight(i),
                                       b.delay_min + static_cast<std::int32_t>(k)});
        }
    return out;
}

std::vector<synapse> build(const scenario& sc, std::uint64_t max_part = 4096) {
    validate(sc, registry());
    return all_synapses(build_synapses(sc, registry(), make_partitions(sc, max_part)));
}

/// Pearson's statistic of counts against equal expected counts: chi-square with n - 1 degrees of
/// freedom when the counts are multinomial with equal probabilities.
double chi_square(const std::vector<std::uint64_t>& count, double total) {
    const double e = total / static_cast<double>(count.size());
    double x = 0;
    for (const auto c : count) x += (static_cast<double>(c) - e) * (static_cast<double>(c) - e) / e;
    return x;
}

}  // namespace

TEST_CASE("fixed_total_number: exactly K synapses, multinomial in- and out-degrees", "[unit]") {
    // 1,000 targets, K = 100,000: 100 per target on average. Under the multinomial the in-degree
    // chi-square has mean 999 and sd sqrt(2 x 999) = 44.7; the bounds are +-5 sd (a false failure
    // has probability < 1e-6). Equal counts (a fixed in-degree) give 0; counts drawn from a
    // wider law give far more. The same holds for the 400 sources (mean 399, sd 28.2).
    const std::uint64_t ns = 400, nt = 1000, k = 100000;
    const auto all = build(make_scenario(ns, nt, k), 128);
    REQUIRE(all.size() == k);
    std::vector<std::uint64_t> in(nt, 0), out(ns, 0);
    for (const auto& x : all) {
        REQUIRE(x.s < ns);
        REQUIRE(x.t < nt);
        ++in[x.t];
        ++out[x.s];
    }
    const double xin = chi_square(in, static_cast<double>(k)), xout = chi_square(out, static_cast<double>(k));
    INFO("seed 7, chi-square in " << xin << " (999 +- 224), out " << xout << " (399 +- 141)");
    CHECK(std::abs(xin - 999.0) < 5 * std::sqrt(2 * 999.0));
    CHECK(std::abs(xout - 399.0) < 5 * std::sqrt(2 * 399.0));
    // The moments directly: mean K/nt exactly (the total is exact), variance K (1/nt)(1 - 1/nt) = 99.9
    // within 15 % (the sample variance of 1,000 near-normal counts has a relative sd of 4.5 %).
    double m2 = 0;
    for (const auto c : in) m2 += (static_cast<double>(c) - 100.0) * (static_cast<double>(c) - 100.0);
    CHECK(m2 / nt == Approx(99.9).epsilon(0.15));
    // Multapses occur (K / pairs = 0.25 per pair: about 2.6 % of pairs get two or more).
    std::map<std::pair<std::uint64_t, std::uint64_t>, int> pairs;
    for (const auto& x : all) ++pairs[{x.s, x.t}];
    CHECK(pairs.size() < all.size());
}

TEST_CASE("fixed_total_number: edge cases and autapses", "[unit]") {
    SECTION("K = 0 makes nothing; K = 1 makes one synapse") {
        CHECK(build(make_scenario(10, 10, 0)).empty());
        CHECK(build(make_scenario(10, 10, 1)).size() == 1);
    }
    SECTION("a recurrent projection without autapses never joins a neuron to itself") {
        auto sc = make_scenario(5, 5, 2000);
        sc.projections[0].target = "A";
        sc.projections[0].allow_autapses = false;
        const auto all = build(sc);
        REQUIRE(all.size() == 2000);
        for (const auto& x : all) CHECK(x.s != x.t);
        // ... and still draws the other 20 pairs: each gets 100 on average.
        std::map<std::pair<std::uint64_t, std::uint64_t>, int> pairs;
        for (const auto& x : all) ++pairs[{x.s, x.t}];
        CHECK(pairs.size() == 20);
    }
    SECTION("the estimate counts exactly K synapses") {
        const auto sc = make_scenario(300, 200, 12345);
        CHECK(expected_synapses(sc, registry(), 0) == 12345.0);
    }
}

TEST_CASE("fixed_total_number: the same network for any thread count and partition cut", "[unit]") {
    // K spans two count chunks (4,194,304 draws each), so the chunked, parallel count is exercised.
    // Constant weight and delay keep it fast (it also runs under TSan); drawn weights and delays
    // keep their per-target streams, which the thread test of test_connectivity.cpp covers.
    auto sc = make_scenario(50, 3000, 4500000);
    sc.projections[0].weight = distribution::constant(0.5);
    sc.projections[0].delay = distribution::constant(1.0);
    std::vector<synapse> one, two;
    {
        tbb::global_control c(tbb::global_control::max_allowed_parallelism, 1);
        one = build(sc, 512);
    }
    {
        tbb::global_control c(tbb::global_control::max_allowed_parallelism, 4);
        two = build(sc, 1000);  // and another cut: the blocks differ, not the network
    }
    REQUIRE(one.size() == 4500000);
    REQUIRE(two.size() == 4500000);
    const auto by_pair = [](std::vector<synapse> v) {
        std::sort(v.begin(), v.end(), [](const synapse& a, const synapse& b) { return std::tie(a.t, a.s) < std::tie(b.t, b.s); });
        return v;
    };
    CHECK(by_pair(one) == by_pair(two));
    // Another seed, another network (a small one suffices).
    const auto a = build(make_scenario(50, 300, 20000, 7)), b = build(make_scenario(50, 300, 20000, 8));
    CHECK_FALSE(a == b);
}

TEST_CASE("fixed_total_number: read from a file, scaled, and checked with file, line and key", "[unit][scenario]") {
    const std::string pops = R"([simulation]
duration = "10 ms"
scale = SCALE

[[population]]
name = "E"
model = "fake"
size = 100

[[population]]
name = "I"
model = "fake"
size = 25
)";
    const auto with = [&](const std::string& scale, const std::string& proj) {
        std::string text = pops;
        text.replace(text.find("SCALE"), 5, scale);
        return text + proj;
    };
    const std::string ee = R"(
[[projection]]
name = "EE"
source = "E"
target = "E"
rule = "fixed_total_number"
weight = "0.1 mV"
delay = "1 ms"
)";
    SECTION("scaled with the populations: the mean in-degree stays") {
        const auto sc = parse_scenario(with("1.0", ee + "total_number = 5000\n"), "net.toml", registry());
        CHECK(sc.projections[0].total_number == 5000);
        const auto half = parse_scenario(with("0.5", ee + "total_number = 5001\n"), "net.toml", registry());
        CHECK(half.populations[0].size == 50);
        CHECK(half.projections[0].total_number == 2501);  // round(2500.5) = 2501 (away from zero)
    }
    SECTION("errors name the file, line and key") {
        const auto fails = [&](const std::string& text) -> scenario_error {
            try {
                (void)parse_scenario(text, "net.toml", registry());
            } catch (const scenario_error& e) {
                return e;
            }
            FAIL("expected a scenario_error");
            throw;
        };
        auto e = fails(with("1.0", ee + "total_number = -3\n"));
        CHECK(e.file == "net.toml");
        CHECK(e.key == "projection.EE.total_number");
        CHECK(e.line == 22);
        CHECK_THAT(e.what, Contains("-3") && Contains(">= 0"));
        e = fails(with("1.0", ee + "total_number = 2.5\n"));
        CHECK(e.key == "projection.EE.total_number");
        CHECK_THAT(e.what, Contains("integer"));
        e = fails(with("1.0", ee));
        CHECK(e.key == "projection.EE.total_number");
        CHECK_THAT(e.what, Contains("total_number"));
        e = fails(with("1.0", ee + "total_number = 10\nallow_multapses = false\n"));
        CHECK(e.key == "projection.EE.allow_multapses");
        CHECK(e.line == 23);
        CHECK_THAT(e.what, Contains("with replacement") && Contains("allow_multapses = true"));
        e = fails(with("1.0", ee + "indegree = 10\n"));
        CHECK(e.key == "projection.EE.indegree");
        CHECK_THAT(e.what, Contains("fixed_total_number"));
    }
    SECTION("K > 0 with no pair to place it on") {
        std::string one = pops;
        one.replace(one.find("size = 25"), 9, "size = 1");
        one.replace(one.find("SCALE"), 5, "1.0");
        const std::string ii = R"(
[[projection]]
name = "II"
source = "I"
target = "I"
rule = "fixed_total_number"
total_number = 3
allow_autapses = false
weight = "0.1 mV"
delay = "1 ms"
)";
        try {
            (void)parse_scenario(one + ii, "net.toml", registry());
            FAIL("expected a scenario_error");
        } catch (const scenario_error& e) {
            CHECK(e.key == "projection.II.total_number");
            CHECK_THAT(e.what, Contains("3 is invalid") && Contains("no (source, target) pair") &&
                                   Contains("autapses excluded"));
        }
    }
}

TEST_CASE("examples/pd14.toml: the published microcircuit's sizes and synapse totals", "[unit][scenario]") {
    // Independent of the generator script: PD14's 77,169 neurons and the synapse total that NEST's
    // example derives from the connection probabilities (eq. 1 of the paper, rounded per
    // projection): 298,880,968. A regenerated file with another table or formula changes it.
    const std::string path = std::string(MEMSPIKE_SOURCE_DIR) + "/examples/pd14.toml";
    for (const char* file : {"/examples/pd14.toml", "/examples/pd14_dc.toml"}) {
        const auto sc = load_scenario(std::string(MEMSPIKE_SOURCE_DIR) + file, builtin_registry());
        std::uint64_t neurons = 0;
        for (const auto& p : sc.populations) neurons += p.size;
        CHECK(neurons == 77169);
        CHECK(sc.projections.size() == 55);  // 64 pairs less the 9 with p = 0
        double total = 0;
        for (std::size_t j = 0; j < sc.projections.size(); ++j) total += expected_synapses(sc, builtin_registry(), j);
        CHECK(total == 298880968.0);
    }
    // scale: sizes and totals shrink together, so the mean in-degree stays within rounding.
    const auto full = load_scenario(path, builtin_registry());
    const auto small = load_scenario(path, builtin_registry(), {{"simulation.scale", "0.1"}});
    for (std::size_t j = 0; j < full.projections.size(); ++j) {
        const auto* tf = full.find_population(full.projections[j].target);
        const auto* ts = small.find_population(small.projections[j].target);
        const double kf = static_cast<double>(full.projections[j].total_number) / static_cast<double>(tf->size);
        const double ks = static_cast<double>(small.projections[j].total_number) / static_cast<double>(ts->size);
        INFO(full.projections[j].name);
        CHECK(ks == Approx(kf).epsilon(0.01));
    }
}
