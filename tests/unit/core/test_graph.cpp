// SPDX-License-Identifier: MIT
// Graph analysis: components and degree statistics of small networks whose answers are known, and a
// cross-check of the component counts against a brute-force reachability computation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>

#include <oneapi/tbb/global_control.h>

#include "memspike/core/connectivity.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/graph.hpp"
#include "memspike/core/model.hpp"
#include "unit/core/fake_models.hpp"

using namespace memspike;
using Catch::Matchers::Contains;

namespace {

using testing::fake_models;

scenario network(const std::vector<std::pair<std::string, std::uint64_t>>& pops) { return testing::fake_network(pops, 5); }

projection_spec& connect(scenario& sc, const std::string& src, const std::string& tgt, const std::string& rule) {
    return testing::add_fake_projection(sc, src, tgt, rule, 1.0, 1.0);
}

synapse_store build(const scenario& sc, std::uint64_t max_part) { return build_synapses(sc, fake_models(), make_partitions(sc, max_part)); }

struct temp_dir {
    std::filesystem::path path;
    temp_dir() {
        path = std::filesystem::temp_directory_path() /
               ("memspike_graph_" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
        std::filesystem::create_directories(path);
    }
    ~temp_dir() { std::filesystem::remove_all(path); }
};

/// Writes a CSV with the directed ring first -> first+1 -> ... -> first+n-1 -> first (population-local ids).
void append_ring(std::ofstream& out, std::uint64_t first, std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i) out << first + i << ',' << first + (i + 1) % n << '\n';
}

}  // namespace

TEST_CASE("graph: two disconnected rings are two components", "[unit]") {
    temp_dir dir;
    SECTION("one ring per population") {
        auto sc = network({{"A", 12}, {"B", 9}});
        sc.file = (dir.path / "net.toml").string();
        for (const char* pop : {"A", "B"}) {
            std::ofstream out(dir.path / (std::string(pop) + ".csv"));
            out << "source,target\n";
            append_ring(out, 0, pop == std::string("A") ? 12 : 9);
            out.close();
            connect(sc, pop, pop, "explicit").file = std::string(pop) + ".csv";
        }
        const auto r = analyze_graph(sc, build(sc, 5));  // several partitions per ring
        CHECK(r.neurons == 21);
        CHECK(r.synapses == 21);
        CHECK(r.components == 2);
        CHECK(r.largest_component == 12);
        CHECK(r.strong_components == 2);
        CHECK(r.largest_strong_component == 12);
        CHECK(r.in_degree.min == 1);
        CHECK(r.in_degree.max == 1);
        CHECK(r.out_degree.mean == Approx(1.0));
        CHECK(r.out_degree.sd == Approx(0.0).margin(1e-12));
    }
    SECTION("two rings inside one population, plus a chain and an isolated neuron") {
        auto sc = network({{"A", 20}, {"C", 4}, {"Z", 1}});
        sc.file = (dir.path / "net.toml").string();
        {
            std::ofstream out(dir.path / "rings.csv");
            out << "source,target\n";
            append_ring(out, 0, 10);
            append_ring(out, 10, 10);
        }
        {
            std::ofstream out(dir.path / "chain.csv");
            out << "source,target\n0,1\n1,2\n2,3\n";  // a chain: 4 strong components of one neuron
        }
        connect(sc, "A", "A", "explicit").file = "rings.csv";
        connect(sc, "C", "C", "explicit").file = "chain.csv";
        const auto r = analyze_graph(sc, build(sc, 3));
        CHECK(r.components == 2 + 1 + 1);
        CHECK(r.largest_component == 10);
        CHECK(r.strong_components == 2 + 4 + 1);
        CHECK(r.largest_strong_component == 10);
    }
}

TEST_CASE("graph: degree statistics of a known network", "[unit]") {
    auto sc = network({{"E", 40}, {"I", 10}});
    connect(sc, "E", "I", "all_to_all");                // in 40 per I, out 10 per E
    auto& p = connect(sc, "I", "E", "fixed_indegree");  // in 3 per E
    p.indegree = 3;
    p.delay = {};
    p.delay.k = distribution::kind::uniform;
    p.delay.low = 0.1;
    p.delay.high = 0.5;  // ticks 1 .. 5
    const auto r = analyze_graph(sc, build(sc, 16));
    REQUIRE(r.projections.size() == 2);
    const auto& a = r.projections[0];
    CHECK(a.name == "E->I");
    CHECK(a.rule == "all_to_all");
    CHECK(a.synapses == 400);
    CHECK(a.in_degree.mean == Approx(40.0));
    CHECK(a.in_degree.sd == Approx(0.0).margin(1e-12));
    CHECK(a.out_degree.min == 10);
    CHECK(a.out_degree.max == 10);
    CHECK(a.delay_min_ticks == 10);
    CHECK(a.delay_max_ticks == 10);
    const auto& b = r.projections[1];
    CHECK(b.synapses == 120);
    CHECK(b.in_degree.min == 3);
    CHECK(b.in_degree.max == 3);
    CHECK(b.out_degree.mean == Approx(12.0));  // 120 synapses over 10 sources
    CHECK(b.delay_min_ticks >= 1);
    CHECK(b.delay_max_ticks <= 5);
    CHECK(b.delay_max_ticks > b.delay_min_ticks);
    // Whole network: E neurons have in-degree 3, I neurons 40; mean 7.6 * ... computed exactly:
    // in = (40 * 3 + 10 * 40) / 50 = 10.4, sd = sqrt(mean of squares - mean^2).
    CHECK(r.neurons == 50);
    CHECK(r.synapses == 520);
    CHECK(r.in_degree.mean == Approx(10.4));
    CHECK(r.in_degree.sd == Approx(std::sqrt((40 * 9.0 + 10 * 1600.0) / 50 - 10.4 * 10.4)));
    CHECK(r.in_degree.min == 3);
    CHECK(r.in_degree.max == 40);
    CHECK(r.out_degree.mean == Approx(10.4));
    CHECK(r.components == 1);
    // Memory: 8 bytes per synapse plus the offsets and bookkeeping.
    CHECK(r.synapse_bytes >= 520 * 8);
    CHECK(r.bytes_per_synapse == Approx(static_cast<double>(r.synapse_bytes) / 520));
    CHECK(r.estimated_state_bytes > 0);

    const std::string text = format_graph_report(r);
    CHECK_THAT(text, Contains("50 neurons") && Contains("520 synapses") && Contains("E->I") && Contains("I->E") &&
                         Contains("fixed_indegree") && Contains("10.0 ± 0.0 [10, 10]"));
}

TEST_CASE("graph: components agree with brute-force reachability", "[unit]") {
    // A sparse random network over three populations and several partitions: the CSR edge walk and
    // the union-find must agree with a plain reachability computation.
    auto sc = network({{"A", 60}, {"B", 45}, {"C", 30}});
    connect(sc, "A", "B", "fixed_probability").probability = 0.01;
    connect(sc, "B", "A", "fixed_probability").probability = 0.015;
    connect(sc, "C", "C", "fixed_outdegree").outdegree = 1;
    connect(sc, "A", "A", "fixed_probability").probability = 0.02;
    const auto st = build(sc, 7);
    const auto r = analyze_graph(sc, st);

    const std::size_t nv = 135;
    const auto off = population_offsets(sc);
    std::vector<std::vector<std::size_t>> adj(nv);
    for (std::size_t p = 0; p < st.blocks.size(); ++p)
        for (const auto& b : st.blocks[p]) {
            const auto dc = static_cast<std::uint64_t>(b.delay_count);
            for (std::uint64_t s = 0; s < b.source_count; ++s)
                for (auto i = b.offsets[s * dc]; i < b.offsets[(s + 1) * dc]; ++i)
                    adj[off[b.source_population] + s].push_back(off[st.partitions[p].population] +
                                                                st.partitions[p].first + b.targets[i]);
        }
    // reach[u][v]: v reachable from u (directed), by depth-first search from every vertex.
    std::vector<std::vector<char>> reach(nv, std::vector<char>(nv, 0));
    for (std::size_t u = 0; u < nv; ++u) {
        std::vector<std::size_t> stack = {u};
        reach[u][u] = 1;
        while (!stack.empty()) {
            const auto x = stack.back();
            stack.pop_back();
            for (const auto y : adj[x])
                if (!reach[u][y]) {
                    reach[u][y] = 1;
                    stack.push_back(y);
                }
        }
    }
    // Strong components: classes of mutual reachability. Weak: connectivity of the undirected view.
    std::vector<std::size_t> strong(nv, nv), weak(nv, nv);
    std::uint64_t n_strong = 0, n_weak = 0, big_strong = 0, big_weak = 0;
    for (std::size_t u = 0; u < nv; ++u) {
        if (strong[u] != nv) continue;
        std::uint64_t size = 0;
        for (std::size_t v = 0; v < nv; ++v)
            if (reach[u][v] && reach[v][u]) strong[v] = n_strong, ++size;
        ++n_strong;
        big_strong = std::max(big_strong, size);
    }
    std::vector<std::vector<std::size_t>> undirected(nv);
    for (std::size_t u = 0; u < nv; ++u)
        for (const auto v : adj[u]) {
            undirected[u].push_back(v);
            undirected[v].push_back(u);
        }
    for (std::size_t u = 0; u < nv; ++u) {
        if (weak[u] != nv) continue;
        std::uint64_t size = 0;
        std::vector<std::size_t> stack = {u};
        weak[u] = n_weak;
        while (!stack.empty()) {
            const auto x = stack.back();
            stack.pop_back();
            ++size;
            for (const auto y : undirected[x])
                if (weak[y] == nv) {
                    weak[y] = n_weak;
                    stack.push_back(y);
                }
        }
        ++n_weak;
        big_weak = std::max(big_weak, size);
    }
    INFO("synapses " << r.synapses);
    CHECK(r.components == n_weak);
    CHECK(r.largest_component == big_weak);
    CHECK(r.strong_components == n_strong);
    CHECK(r.largest_strong_component == big_strong);
    CHECK(n_weak > 1);  // the network is sparse enough to be interesting
    CHECK(n_strong > n_weak);
}

TEST_CASE("graph: expected synapses per rule", "[unit]") {
    auto sc = network({{"E", 100}, {"I", 20}});
    auto& a = connect(sc, "E", "E", "fixed_probability");
    a.probability = 0.1;
    a.allow_autapses = false;
    CHECK(expected_synapses(sc, fake_models(), 0) == Approx(0.1 * (100 * 100 - 100)));
    auto& b = connect(sc, "E", "I", "fixed_indegree");
    b.indegree = 7;
    CHECK(expected_synapses(sc, fake_models(), 1) == Approx(140));
    auto& c = connect(sc, "I", "E", "fixed_outdegree");
    c.outdegree = 9;
    CHECK(expected_synapses(sc, fake_models(), 2) == Approx(180));
    connect(sc, "I", "I", "all_to_all").allow_autapses = false;
    CHECK(expected_synapses(sc, fake_models(), 3) == Approx(380));
    connect(sc, "I", "I", "one_to_one");
    CHECK(expected_synapses(sc, fake_models(), 4) == Approx(20));
    temp_dir dir;
    sc.file = (dir.path / "net.toml").string();
    std::ofstream(dir.path / "e.csv") << "source,target\n0,1\n\n1,2\n# note\n2,3\n";
    connect(sc, "I", "I", "explicit").file = "e.csv";
    CHECK(expected_synapses(sc, fake_models(), 5) == Approx(3));
    // The estimate matches the build where the rule fixes the count.
    const auto st = build(sc, 4096);
    const auto r = analyze_graph(sc, st);
    for (std::size_t j = 1; j < sc.projections.size(); ++j)
        CHECK(static_cast<double>(r.projections[j].synapses) == Approx(expected_synapses(sc, fake_models(), j)));
}

TEST_CASE("graph: analysis of a Brunel-size network", "[slow][.]") {
    auto sc = network({{"E", 10000}, {"I", 2500}});
    for (const char* src : {"E", "I"})
        for (const char* tgt : {"E", "I"}) {
            auto& p = connect(sc, src, tgt, "fixed_indegree");
            p.indegree = std::string(src) == "E" ? 1000 : 250;
            p.allow_autapses = false;
            p.allow_multapses = false;
        }
    tbb::global_control c(tbb::global_control::max_allowed_parallelism, 1);
    const auto st = build(sc, 4096);
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = analyze_graph(sc, st);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    WARN("analyze_graph on Brunel: " << s << " s\n" << format_graph_report(r));
    CHECK(r.components == 1);
    CHECK(r.strong_components == 1);
}
