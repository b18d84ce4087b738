// SPDX-License-Identifier: MIT
// Synapse generation: every rule's counts, the exclusions, explicit CSV files, the delay grouping of
// the store, and determinism across thread counts. Fixed seeds throughout; statistical bounds are
// stated where they are used.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include <oneapi/tbb/global_control.h>

#include "memspike/core/connectivity.hpp"
#include "memspike/core/scenario.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/model.hpp"
#include "unit/core/fake_models.hpp"

using namespace memspike;
using Catch::Matchers::Contains;

namespace {

using testing::fake_models;

scenario make_scenario(const std::vector<std::pair<std::string, std::uint64_t>>& pops, std::uint64_t seed = 42) {
    return testing::fake_network(pops, seed);
}

projection_spec& add_projection(scenario& sc, const std::string& src, const std::string& tgt, const std::string& rule) {
    return testing::add_fake_projection(sc, src, tgt, rule, 0.5, 1.5);  // delay 15 ticks
}

/// One synapse read back from the store, in population-local indices.
struct syn {
    std::uint32_t proj;
    std::uint64_t s, t;
    float w;
    std::int32_t d;
    bool operator<(const syn& o) const { return std::tie(proj, s, t, d, w) < std::tie(o.proj, o.s, o.t, o.d, o.w); }
    bool operator==(const syn& o) const { return !(*this < o) && !(o < *this); }
};

/// Walks the CSR of every block, checking its invariants on the way.
std::vector<syn> walk(const synapse_store& st) {
    std::vector<syn> out;
    REQUIRE(st.blocks.size() == st.partitions.size());
    for (std::size_t p = 0; p < st.blocks.size(); ++p) {
        const auto& part = st.partitions[p];
        for (const auto& b : st.blocks[p]) {
            const auto dc = static_cast<std::uint64_t>(b.delay_count);
            REQUIRE(b.size() > 0);  // empty blocks are skipped
            REQUIRE(b.offsets.size() == b.source_count * dc + 1);
            REQUIRE(b.offsets.front() == 0);
            REQUIRE(b.offsets.back() == b.size());
            REQUIRE((b.homogeneous ? b.weights.empty() : b.weights.size() == b.size()));
            bool lowest = false, highest = false;  // the delay range is the range present
            for (std::uint64_t s = 0; s < b.source_count; ++s)
                for (std::uint64_t k = 0; k < dc; ++k) {
                    const auto lo = b.offsets[s * dc + k], hi = b.offsets[s * dc + k + 1];
                    REQUIRE(lo <= hi);
                    if (lo < hi && k == 0) lowest = true;
                    if (lo < hi && k + 1 == dc) highest = true;
                    for (auto i = lo; i < hi; ++i) {
                        REQUIRE(b.targets[i] < part.count);
                        if (i > lo) REQUIRE(b.targets[i - 1] <= b.targets[i]);  // ordered by target
                        out.push_back({b.projection, s, part.first + b.targets[i], b.weight(i),
                                       b.delay_min + static_cast<std::int32_t>(k)});
                    }
                }
            REQUIRE(lowest);
            REQUIRE(highest);
        }
    }
    return out;
}

/// Validates (the checks every scenario goes through) and builds, as the simulation does.
synapse_store build(const scenario& sc, std::uint64_t max_part = 4096) {
    validate(sc, fake_models());
    return build_synapses(sc, fake_models(), make_partitions(sc, max_part));
}

std::map<std::uint64_t, std::uint64_t> in_degrees(const std::vector<syn>& all) {
    std::map<std::uint64_t, std::uint64_t> m;
    for (const auto& x : all) ++m[x.t];
    return m;
}

/// A temporary directory removed at the end of the test.
struct temp_dir {
    std::filesystem::path path;
    temp_dir() {
        path = std::filesystem::temp_directory_path() /
               ("memspike_conn_" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
        std::filesystem::create_directories(path);
    }
    ~temp_dir() { std::filesystem::remove_all(path); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
        return (path / name).string();
    }
};

}  // namespace

TEST_CASE("make_partitions cuts populations into near-equal contiguous slices", "[unit]") {
    const auto sc = make_scenario({{"A", 10000}, {"B", 0}, {"C", 4096}, {"D", 5}});
    const auto parts = make_partitions(sc, 4096);
    REQUIRE(parts.size() == 3 + 0 + 1 + 1);
    CHECK(parts[0].population == 0);
    CHECK(parts[0].first == 0);
    CHECK(parts[0].count == 3334);
    CHECK(parts[1].first == 3334);
    CHECK(parts[1].count == 3333);
    CHECK(parts[2].first == 6667);
    CHECK(parts[2].count == 3333);
    CHECK(parts[3].population == 2);
    CHECK(parts[3].count == 4096);
    CHECK(parts[4].population == 3);
    CHECK(parts[4].count == 5);
    CHECK_THROWS_AS(make_partitions(sc, 0), error);

    const auto off = population_offsets(sc);
    REQUIRE(off == std::vector<std::uint64_t>{0, 10000, 10000, 14096, 14101});
}

TEST_CASE("one_to_one and all_to_all are exact", "[unit]") {
    SECTION("one_to_one") {
        auto sc = make_scenario({{"A", 50}, {"B", 50}});
        add_projection(sc, "A", "B", "one_to_one");
        const auto all = walk(build(sc, 16));
        REQUIRE(all.size() == 50);
        for (const auto& x : all) {
            CHECK(x.s == x.t);
            CHECK(x.w == 0.5f);
            CHECK(x.d == 15);
        }
    }
    SECTION("one_to_one onto itself without autapses is refused: it would create nothing (issue 11)") {
        auto sc = make_scenario({{"A", 50}});
        add_projection(sc, "A", "A", "one_to_one").allow_autapses = false;
        REQUIRE_THROWS_WITH(build(sc), Contains("test.toml:10:1") && Contains("allow_autapses") && Contains("makes no synapse"));
    }
    SECTION("one_to_one needs equal sizes") {
        auto sc = make_scenario({{"A", 5}, {"B", 6}});
        add_projection(sc, "A", "B", "one_to_one");
        REQUIRE_THROWS_WITH(build(sc),
                            Contains("test.toml:10:1") && Contains("projection[0].rule") && Contains("equal size"));
    }
    SECTION("all_to_all") {
        auto sc = make_scenario({{"A", 30}, {"B", 20}});
        add_projection(sc, "A", "B", "all_to_all");
        add_projection(sc, "B", "B", "all_to_all").allow_autapses = false;
        const auto all = walk(build(sc, 7));
        std::set<std::tuple<std::uint32_t, std::uint64_t, std::uint64_t>> pairs;
        for (const auto& x : all) pairs.insert({x.proj, x.s, x.t});
        REQUIRE(all.size() == 30 * 20 + 20 * 19);
        REQUIRE(pairs.size() == all.size());  // no pair twice
        for (const auto& x : all)
            if (x.proj == 1) CHECK(x.s != x.t);
    }
}

/// A rule defined outside core, as a plug-in would: target t of a ring of n neurons is driven by
/// neuron t - 1 (mod n). Populations of equal size.
class ring_rule final : public connection_rule {
public:
    void sources_of(const projection_context& cx, std::uint64_t t, random_stream&, sampler&,
                    chosen_sources& out) const override {
        out.source.push_back((t + cx.ns - 1) % cx.ns);
    }
};

connectivity_info ring_info() {
    connectivity_info c;
    c.name = "ring";
    c.summary = "neuron i - 1 drives neuron i";
    c.validate = [](const projection_context& cx) {
        if (cx.ns != cx.nt) cx.fail(cx.at("rule"), "rule 'ring' needs populations of equal size");
    };
    c.create = [](const projection_context&) { return std::make_unique<const ring_rule>(); };
    return c;
}

TEST_CASE("a connectivity rule registered from outside core builds through the registry", "[unit]") {
    model_registry models = fake_models();
    models.add_connectivity(ring_info());
    REQUIRE(models.contains_connectivity("ring"));
    REQUIRE_THROWS_AS(models.add_connectivity(ring_info()), internal_error);  // registered twice

    SECTION("its synapses") {
        auto sc = make_scenario({{"A", 20}, {"B", 20}});
        add_projection(sc, "A", "B", "ring");
        const auto all = walk(build_synapses(sc, models, make_partitions(sc, 7)));  // 3 partitions
        REQUIRE(all.size() == 20);
        for (const auto& x : all) {
            CHECK(x.s == (x.t + 19) % 20);
            CHECK(x.w == 0.5f);
            CHECK(x.d == 15);
        }
    }
    SECTION("its own checks, located at the projection") {
        auto sc = make_scenario({{"A", 20}, {"B", 21}});
        add_projection(sc, "A", "B", "ring");
        REQUIRE_THROWS_WITH(build_synapses(sc, models, make_partitions(sc)),
                            Contains("test.toml:10:1") && Contains("projection[0].rule") && Contains("'ring' needs"));
    }
    SECTION("an unknown rule lists the registered ones, the new one included") {
        auto sc = make_scenario({{"A", 20}});
        add_projection(sc, "A", "A", "rign");
        // validate() refuses it, located; the builder (which trusts validated scenarios) names it too.
        REQUIRE_THROWS_WITH(validate(sc, models), Contains("test.toml:10:1") && Contains("unknown connectivity rule 'rign'") &&
                                                      Contains("ring") && Contains("fixed_indegree") && Contains("explicit"));
        REQUIRE_THROWS_WITH(build_synapses(sc, models, make_partitions(sc)), Contains("unknown connectivity rule 'rign'"));
        REQUIRE_THROWS_AS(models.find_connectivity("rign"), unknown_model);
        REQUIRE_THROWS_WITH(models.find_connectivity("rign"), Contains("rign") && Contains("ring") &&
                                                                 Contains("one_to_one") && Contains("fixed_outdegree"));
    }
    SECTION("a registry that was not given it does not know it") {
        const model_registry plain = fake_models();
        CHECK(plain.connectivity_names() == std::vector<std::string>{"one_to_one", "all_to_all", "fixed_probability",
                                                                     "fixed_indegree", "fixed_outdegree", "fixed_total_number",
                                                                     "explicit"});
        CHECK_FALSE(plain.contains_connectivity("ring"));
    }
}

/// A source-driven rule with a different count per source: source s drives targets s+1 .. s+(s % 4)
/// (mod n). Catches a builder that assumes the same count for every source (as fixed_outdegree has).
class fan_rule final : public connection_rule {
public:
    bool source_driven() const override { return true; }
    std::uint64_t count_from(const projection_context&, std::uint64_t s) const override { return s % 4; }
    void targets_of(const projection_context& cx, std::uint64_t s, random_stream&, sampler&,
                    std::vector<std::uint32_t>& out) const override {
        for (std::uint64_t k = 1; k <= s % 4; ++k) out.push_back(static_cast<std::uint32_t>((s + k) % cx.nt));
    }
};

TEST_CASE("a source-driven rule with varying counts per source builds through the registry", "[unit]") {
    model_registry models = fake_models();
    connectivity_info fan;
    fan.name = "fan";
    fan.create = [](const projection_context&) { return std::make_unique<const fan_rule>(); };
    models.add_connectivity(fan);
    auto sc = make_scenario({{"A", 30}});
    add_projection(sc, "A", "A", "fan");
    const auto all = walk(build_synapses(sc, models, make_partitions(sc, 8)));  // 4 partitions
    std::set<std::pair<std::uint64_t, std::uint64_t>> got, want;
    for (const auto& x : all) got.insert({x.s, x.t});
    for (std::uint64_t s = 0; s < 30; ++s)
        for (std::uint64_t k = 1; k <= s % 4; ++k) want.insert({s, (s + k) % 30});
    REQUIRE(all.size() == want.size());
    REQUIRE(got == want);
}

TEST_CASE("fixed_indegree gives exactly K sources per target", "[unit]") {
    auto sc = make_scenario({{"E", 200}, {"I", 60}});
    SECTION("without autapses or multapses") {
        for (const std::uint64_t k : {10u, 150u, 199u}) {  // rejection, complement and all-but-self branches
            sc.projections.clear();
            auto& p = add_projection(sc, "E", "E", "fixed_indegree");
            p.indegree = k;
            p.allow_autapses = false;
            p.allow_multapses = false;
            const auto all = walk(build(sc, 64));
            INFO("K = " << k);
            REQUIRE(all.size() == 200 * k);
            for (const auto& [t, n] : in_degrees(all)) CHECK(n == k);
            std::set<std::pair<std::uint64_t, std::uint64_t>> pairs;
            for (const auto& x : all) {
                CHECK(x.s != x.t);
                pairs.insert({x.s, x.t});
            }
            CHECK(pairs.size() == all.size());
        }
    }
    SECTION("with multapses, without autapses") {
        auto& p = add_projection(sc, "I", "I", "fixed_indegree");
        p.indegree = 100;  // more than the 59 available: needs multapses
        p.allow_autapses = false;
        const auto all = walk(build(sc));
        REQUIRE(all.size() == 60 * 100);
        for (const auto& [t, n] : in_degrees(all)) CHECK(n == 100);
        for (const auto& x : all) CHECK(x.s != x.t);
    }
    SECTION("infeasible indegree is a located error") {
        auto& p = add_projection(sc, "I", "E", "fixed_indegree");
        p.indegree = 61;
        p.allow_multapses = false;
        REQUIRE_THROWS_WITH(build(sc),
                            Contains("projection[0].indegree") && Contains("61") && Contains("60 available"));
    }
}

TEST_CASE("fixed_outdegree gives exactly K targets per source", "[unit]") {
    auto sc = make_scenario({{"E", 150}, {"I", 40}});
    auto& p = add_projection(sc, "E", "E", "fixed_outdegree");
    p.outdegree = 30;
    p.allow_autapses = false;
    p.allow_multapses = false;
    auto& q = add_projection(sc, "I", "E", "fixed_outdegree");
    q.outdegree = 200;  // multapses allowed: more than the 150 targets
    const auto all = walk(build(sc, 32));
    std::map<std::pair<std::uint32_t, std::uint64_t>, std::uint64_t> out;
    std::set<std::pair<std::uint64_t, std::uint64_t>> pairs;
    for (const auto& x : all) {
        ++out[{x.proj, x.s}];
        if (x.proj == 0) {
            CHECK(x.s != x.t);
            pairs.insert({x.s, x.t});
        }
    }
    REQUIRE(all.size() == 150 * 30 + 40 * 200);
    REQUIRE(pairs.size() == 150 * 30);
    REQUIRE(out.size() == 150 + 40);
    for (const auto& [key, n] : out) CHECK(n == (key.first == 0 ? 30u : 200u));

    q.outdegree = 151;
    q.allow_multapses = false;
    REQUIRE_THROWS_WITH(build(sc), Contains("projection[1].outdegree") && Contains("150 available"));
}

TEST_CASE("fixed_probability matches the binomial statistics", "[unit]") {
    auto sc = make_scenario({{"A", 1000}, {"B", 800}}, 7);
    auto& p = add_projection(sc, "A", "B", "fixed_probability");
    p.probability = 0.1;
    const auto all = walk(build(sc, 300));
    // Total ~ Binomial(800 000, 0.1): mean 80 000, sd sqrt(800 000 * 0.09) = 268.3; 4 sigma.
    const double n = static_cast<double>(all.size());
    INFO("synapses " << n << " (seed 7)");
    CHECK(std::abs(n - 80000.0) < 4 * 268.3);
    // In-degrees ~ Binomial(1000, 0.1): mean 100, variance 90. Over 800 targets the sample mean has
    // sd sqrt(90 / 800) = 0.335 and the sample variance sd ~ 90 * sqrt(2 / 799) = 4.5 (normal
    // approximation; the excess kurtosis of this binomial is ~0); 4 sigma each.
    const auto deg = in_degrees(all);
    REQUIRE(deg.size() == 800);
    double sum = 0, sq = 0;
    for (const auto& [t, k] : deg) sum += static_cast<double>(k);
    const double mean = sum / 800;
    for (const auto& [t, k] : deg) sq += (static_cast<double>(k) - mean) * (static_cast<double>(k) - mean);
    const double var = sq / 799;
    INFO("in-degree mean " << mean << ", variance " << var);
    CHECK(std::abs(mean - 100.0) < 4 * 0.335);
    CHECK(std::abs(var - 90.0) < 4 * 4.5);
    std::set<std::pair<std::uint64_t, std::uint64_t>> pairs;
    for (const auto& x : all) pairs.insert({x.s, x.t});
    CHECK(pairs.size() == all.size());  // each ordered pair at most once

    SECTION("p = 0, p = 1, autapses, bad p") {
        p.probability = 0.0;
        CHECK(build(sc).synapse_count() == 0);
        p.probability = 1.0;
        CHECK(build(sc).synapse_count() == 800000);
        auto sc2 = make_scenario({{"A", 300}});
        auto& r = add_projection(sc2, "A", "A", "fixed_probability");
        r.probability = 0.5;
        r.allow_autapses = false;
        for (const auto& x : walk(build(sc2))) CHECK(x.s != x.t);
        r.probability = 1.0;
        CHECK(build(sc2).synapse_count() == 300 * 299);
        r.probability = 1.5;
        REQUIRE_THROWS_WITH(build(sc2), Contains("projection[0].probability") && Contains("1.5"));
    }
}

TEST_CASE("explicit CSV files are read back exactly", "[unit]") {
    temp_dir dir;
    auto sc = make_scenario({{"A", 10}, {"B", 8}});
    sc.file = (dir.path / "net.toml").string();  // the CSV path is relative to the scenario file
    dir.write("edges.csv",
              "source,target,weight,delay\n"
              "0,0,1.5,1.0\n"
              "# a comment\n"
              "\n"
              "9,7,-2.25,2.3\n"
              "3,4,0.125,0.1\n"
              "3,4,0.125,0.1\n"  // a multapse, allowed by default
              "2,4,7,1.04\n");   // 10.4 ticks: rounds to 10
    auto& p = add_projection(sc, "A", "B", "explicit");
    p.file = "edges.csv";
    auto all = walk(build(sc, 3));
    std::sort(all.begin(), all.end());
    std::vector<syn> expect = {
        {0, 0, 0, 1.5f, 10}, {0, 9, 7, -2.25f, 23}, {0, 3, 4, 0.125f, 1}, {0, 3, 4, 0.125f, 1}, {0, 2, 4, 7.0f, 10}};
    std::sort(expect.begin(), expect.end());
    REQUIRE(all == expect);

    SECTION("missing columns take the projection's weight and delay") {
        dir.write("ids.csv", "source,target\n1,2\n4,3\n");
        p.file = "ids.csv";
        auto got = walk(build(sc));
        std::sort(got.begin(), got.end());
        REQUIRE(got == std::vector<syn>{{0, 1, 2, 0.5f, 15}, {0, 4, 3, 0.5f, 15}});
        dir.write("delays.csv", "source,target,delay\n1,2,0.7\n");
        p.file = "delays.csv";
        REQUIRE(walk(build(sc)) == std::vector<syn>{{0, 1, 2, 0.5f, 7}});
    }
    SECTION("bad files: errors name the CSV file and line") {
        const std::string csv = (dir.path / "bad.csv").string();
        p.file = "bad.csv";
        dir.write("bad.csv", "source,target\n0,1\n1,2\n10,3\n");
        REQUIRE_THROWS_WITH(build(sc), Contains(csv + ":4:1") && Contains("source id 10 is out of range") &&
                                           Contains("projection[0].file"));
        dir.write("bad.csv", "source,target\n0,8\n");
        REQUIRE_THROWS_WITH(build(sc), Contains(csv + ":2:3") && Contains("target id 8"));
        dir.write("bad.csv", "source,target,weight\n0,1,abc\n");
        REQUIRE_THROWS_WITH(build(sc), Contains(csv + ":2:5") && Contains("weight 'abc' is not a finite number"));
        dir.write("bad.csv", "source,target,weight\n0,1,2\n0,1\n");
        REQUIRE_THROWS_WITH(build(sc), Contains(csv + ":3:") && Contains("expected 3") && Contains("found 2"));
        dir.write("bad.csv", "src,target\n0,1\n");
        REQUIRE_THROWS_WITH(build(sc), Contains(csv + ":1:") && Contains("header"));
        dir.write("bad.csv", "source,target\n-1,1\n");
        REQUIRE_THROWS_WITH(build(sc), Contains(csv + ":2:") && Contains("not a non-negative integer"));
        dir.write("bad.csv", "source,target,delay\n0,1,0.04\n");
        REQUIRE_THROWS_WITH(build(sc), Contains(csv + ":2:5") && Contains("at least one tick"));
        p.file = "missing.csv";
        REQUIRE_THROWS_WITH(build(sc), Contains("missing.csv") && Contains("projection[0].file"));
    }
    SECTION("exclusions apply to listed synapses") {
        auto sc2 = make_scenario({{"A", 5}});
        sc2.file = (dir.path / "net.toml").string();
        auto& q = add_projection(sc2, "A", "A", "explicit");
        q.file = "self.csv";
        q.allow_autapses = false;
        dir.write("self.csv", "source,target\n0,1\n2,2\n");
        REQUIRE_THROWS_WITH(build(sc2), Contains("self.csv:3") && Contains("allow_autapses = false"));
        q.allow_autapses = true;
        q.allow_multapses = false;
        dir.write("self.csv", "source,target\n0,1\n2,2\n0,1\n");
        REQUIRE_THROWS_WITH(build(sc2), Contains("self.csv:4") && Contains("line 2") && Contains("allow_multapses"));
    }
}

TEST_CASE("delays are grouped: one (source, delay) range holds exactly the synapses of that delay", "[unit]") {
    auto sc = make_scenario({{"A", 120}, {"B", 90}}, 3);
    auto& p = add_projection(sc, "A", "B", "fixed_indegree");
    p.indegree = 25;
    p.delay = {};
    p.delay.k = distribution::kind::uniform;
    p.delay.low = 1.0;  // ms: ticks 10 .. 30 after rounding
    p.delay.high = 3.0;
    p.weight = {};
    p.weight.k = distribution::kind::normal;
    p.weight.mean = 2.0;
    p.weight.sd = 0.5;
    const auto st = build(sc, 40);
    const auto all = walk(st);  // also checks the block delay range is the range present
    REQUIRE(all.size() == 90 * 25);

    // The contract: target t's delays come from stream (seed, delays, projection, t), its weights
    // from (seed, weights, projection, t), one draw per synapse in generation order. So the multiset
    // of (delay, weight) per target is known; the store must hold exactly it, each delay in its range.
    std::map<std::uint64_t, std::multiset<std::int32_t>> want_d, got_d;
    std::map<std::uint64_t, std::multiset<float>> want_w, got_w;
    for (std::uint64_t t = 0; t < 90; ++t) {
        random_stream dr(3, stream_purpose::delays, 0, t), wr(3, stream_purpose::weights, 0, t);
        for (int i = 0; i < 25; ++i) {
            want_d[t].insert(static_cast<std::int32_t>(ms_to_ticks_round(p.delay.draw(dr), 0.1)));
            want_w[t].insert(static_cast<float>(p.weight.draw(wr)));
        }
    }
    for (const auto& x : all) {
        got_d[x.t].insert(x.d);
        got_w[x.t].insert(x.w);
    }
    CHECK(got_d == want_d);
    CHECK(got_w == want_w);
    std::set<std::int32_t> distinct;
    for (const auto& x : all) distinct.insert(x.d);
    CHECK(distinct.size() > 10);
    CHECK(*distinct.begin() >= 10);
    CHECK(*distinct.rbegin() <= 30);

    // The per-source delay index lists exactly the delays each source uses, sorted; max_delay.
    std::map<std::uint64_t, std::set<std::int32_t>> per_source;
    for (const auto& x : all) per_source[x.s].insert(x.d);
    REQUIRE(st.source_delay_offsets.size() == 120 + 90 + 1);
    for (std::uint64_t g = 0; g < 210; ++g) {
        const std::vector<std::int32_t> have(
            st.source_delays.begin() + static_cast<std::ptrdiff_t>(st.source_delay_offsets[g]),
            st.source_delays.begin() + static_cast<std::ptrdiff_t>(st.source_delay_offsets[g + 1]));
        const auto& want = per_source[g];  // B neurons (g >= 120) project nowhere: empty
        CHECK(have == std::vector<std::int32_t>(want.begin(), want.end()));
    }
    CHECK(st.max_delay == *distinct.rbegin());
}

TEST_CASE("weights and delays are checked", "[unit]") {
    auto sc = make_scenario({{"A", 20}, {"C", 20}});
    sc.populations[1].model = "fake_cond";
    SECTION("negative conductance") {
        auto& p = add_projection(sc, "A", "C", "all_to_all");
        p.receptor = "in";
        p.weight = distribution::constant(-1.0);
        REQUIRE_THROWS_WITH(build(sc), Contains("projection[0].weight") &&
                                           Contains("\"-1 nS\" is invalid (must be >= 0 nS (conductances cannot be negative))"));
        p.weight.where = {"net.toml", 33, 12, "projection.A->C.weight"};  // the parser's own location wins
        REQUIRE_THROWS_WITH(build(sc), Contains("net.toml:33:12") && Contains("projection.A->C.weight"));
    }
    SECTION("receptor must name a port of the target model") {
        add_projection(sc, "A", "C", "all_to_all");  // two ports: the receptor must be named
        REQUIRE_THROWS_WITH(build(sc), Contains("projection[0].receptor"));
        sc.projections[0].receptor = "gaba";
        REQUIRE_THROWS_WITH(build(sc), Contains("gaba") && Contains("ex, in"));
    }
    SECTION("delay below one tick") {
        auto& p = add_projection(sc, "A", "A", "all_to_all");
        p.delay = distribution::constant(0.04);
        REQUIRE_THROWS_WITH(build(sc), Contains("projection[0].delay") &&
                                           Contains("\"0.04 ms\" is invalid (must be >= 0.1 ms (one resolution step))"));
        p.delay = {};  // drawn delays round to the nearest tick (documented)
        p.delay.k = distribution::kind::uniform;
        p.delay.low = 0.1;
        p.delay.high = 0.14;
        CHECK(walk(build(sc)).front().d == 1);
    }
    SECTION("a huge delay range is refused before it allocates gigabytes") {
        auto sc2 = make_scenario({{"A", 20000}, {"B", 1}});
        auto& p = add_projection(sc2, "A", "B", "fixed_indegree");
        p.indegree = 2000;
        p.delay = {};
        p.delay.k = distribution::kind::uniform;
        p.delay.low = 1.0;
        p.delay.high = 2000.0;  // ~20 000 ticks x 20 000 sources
        REQUIRE_THROWS_WITH(build(sc2), Contains("projection[0].delay") && Contains("more than 1 GiB"));
    }
    SECTION("out-of-range draws: error, or redraw within [min, max]") {
        auto& p = add_projection(sc, "A", "A", "all_to_all");
        p.weight = {};
        p.weight.k = distribution::kind::normal;
        p.weight.mean = 1.0;
        p.weight.sd = 1.0;
        p.weight.min = 0.0;
        p.weight.max = 2.0;
        REQUIRE_THROWS_WITH(build(sc), Contains("outside [0, 2]") && Contains("out_of_range = \"redraw\""));
        p.weight.policy = distribution::out_of_range::redraw;
        const auto all = walk(build(sc));
        REQUIRE(all.size() == 400);
        for (const auto& x : all) CHECK((x.w >= 0.0f && x.w <= 2.0f));
    }
    SECTION("unknown names") {
        add_projection(sc, "A", "X", "all_to_all");
        REQUIRE_THROWS_WITH(build(sc), Contains("projection[0].target") && Contains("no population named 'X'"));
        sc.projections[0].target = "A";
        sc.projections[0].rule = "small_world";
        REQUIRE_THROWS_WITH(build(sc), Contains("small_world") && Contains("fixed_indegree"));
    }
    SECTION("sources have no ports") {
        sc.populations[0].model = "fake_source";
        add_projection(sc, "C", "A", "all_to_all");
        REQUIRE_THROWS_WITH(build(sc), Contains("no receptor ports"));
    }
}

namespace {

/// A network that exercises every random path: all rules with random choices, drawn weights and
/// delays, several partitions per population.
scenario mixed_network(std::uint64_t seed) {
    auto sc = make_scenario({{"E", 400}, {"I", 100}}, seed);
    distribution uniform_delay;
    uniform_delay.k = distribution::kind::uniform;
    uniform_delay.low = 0.5;
    uniform_delay.high = 4.0;
    distribution normal_weight;
    normal_weight.k = distribution::kind::normal;
    normal_weight.mean = 1.0;
    normal_weight.sd = 0.3;
    {
        auto& a = add_projection(sc, "E", "E", "fixed_indegree");
        a.indegree = 40;
        a.allow_autapses = false;
        a.allow_multapses = false;
        a.delay = uniform_delay;
    }
    {
        auto& b = add_projection(sc, "E", "I", "fixed_probability");
        b.probability = 0.1;
        b.weight = normal_weight;
    }
    {
        auto& c = add_projection(sc, "I", "E", "fixed_outdegree");
        c.outdegree = 50;
        c.weight = normal_weight;
        c.delay = uniform_delay;
    }
    add_projection(sc, "I", "I", "fixed_indegree").indegree = 30;  // multapses allowed
    return sc;
}

bool same_store(const synapse_store& x, const synapse_store& y) {
    if (x.blocks.size() != y.blocks.size() || x.max_delay != y.max_delay ||
        x.source_delay_offsets != y.source_delay_offsets || x.source_delays != y.source_delays)
        return false;
    for (std::size_t p = 0; p < x.blocks.size(); ++p) {
        if (x.blocks[p].size() != y.blocks[p].size()) return false;
        for (std::size_t i = 0; i < x.blocks[p].size(); ++i) {
            const auto &a = x.blocks[p][i], &b = y.blocks[p][i];
            if (a.projection != b.projection || a.delay_min != b.delay_min || a.delay_count != b.delay_count ||
                a.offsets != b.offsets || a.targets != b.targets || a.weights != b.weights || a.homogeneous != b.homogeneous || a.weight_value != b.weight_value)
                return false;
        }
    }
    return true;
}

}  // namespace

TEST_CASE("the build is identical for any thread count and reproducible per seed", "[unit]") {
    const auto sc = mixed_network(11);
    synapse_store one, two, again;
    {
        tbb::global_control c(tbb::global_control::max_allowed_parallelism, 1);
        one = build(sc, 64);
    }
    {
        tbb::global_control c(tbb::global_control::max_allowed_parallelism, 2);
        two = build(sc, 64);
        again = build(sc, 64);
    }
    REQUIRE(one.synapse_count() > 0);
    CHECK(same_store(one, two));
    CHECK(same_store(two, again));
    const auto other = build(mixed_network(12), 64);
    CHECK_FALSE(same_store(one, other));
    // The partition cut changes the blocks, not the network: same synapses.
    auto a = walk(one), b = walk(build(sc, 150));
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    CHECK(a == b);
}

TEST_CASE("Brunel-size construction time and memory", "[slow][.]") {
    // 12 500 neurons, 1 250 inputs each (10 % of E and I, as in Brunel 2000 model A): fixed_indegree
    // with a constant delay (two generation passes), then fixed_probability with uniform delays
    // (three passes, 21 distinct delays).
    for (const std::string rule : {"fixed_indegree", "fixed_probability"}) {
        auto sc = make_scenario({{"E", 10000}, {"I", 2500}});
        for (const char* src : {"E", "I"})
            for (const char* tgt : {"E", "I"}) {
                auto& p = add_projection(sc, src, tgt, rule);
                p.indegree = std::string(src) == "E" ? 1000 : 250;
                p.probability = 0.1;
                p.allow_autapses = false;
                p.allow_multapses = false;
                if (rule == "fixed_probability") {
                    p.delay = {};
                    p.delay.k = distribution::kind::uniform;
                    p.delay.low = 1.0;
                    p.delay.high = 3.0;
                }
            }
        tbb::global_control c(tbb::global_control::max_allowed_parallelism, 1);
        const auto t0 = std::chrono::steady_clock::now();
        const auto st = build(sc);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double n = static_cast<double>(st.synapse_count());
        WARN(rule << " Brunel build on one thread: " << s << " s, " << n << " synapses, "
                  << static_cast<double>(st.memory_bytes()) / n << " bytes/synapse");
        if (rule == "fixed_indegree") CHECK(st.synapse_count() == 12500ull * 1250);
        CHECK(std::abs(n - 12500.0 * 1250) < 4 * std::sqrt(12500.0 * 12500 * 0.09));  // 4 sigma of the binomial
        CHECK(s < 10.0);
    }
}
