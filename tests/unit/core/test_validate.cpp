// SPDX-License-Identifier: MIT
// validate(): one pass and one message per rule, however the scenario was made. The same bad value
// written in a file and set in code must give the same message (Python goes through the file
// path: tests/python/test_scenario.py checks it there).
#include <catch2/catch.hpp>

#include <string>

#include "memspike/core/builder.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/plasticity.hpp"
#include "memspike/core/scenario.hpp"
#include "memspike/core/simulation.hpp"

using namespace memspike;

namespace {

/// A registry core knows nothing about: a neuron with one voltage port, a source that takes spike
/// lists, a rule that declares weight bounds and one that declares none.
model_registry registry() {
    model_registry r;
    model_info n;
    n.name = "neuron";
    n.params = {{"tau_m", dimension::time, 10.0, "membrane time constant"}};
    n.ports = {{"v", dimension::voltage}};
    n.state = {{"v", dimension::voltage}};
    r.add(n);
    model_info lists;
    lists.name = "listed";
    lists.spike_times = true;
    r.add(lists);

    plasticity_info bounded;
    bounded.name = "bounded";
    bounded.params = {{"lo", dimension::dimensionless, 0.0, "lower bound"}, {"hi", dimension::dimensionless, 1.0, "upper bound"}};
    bounded.weight_unit_params = {"lo", "hi"};
    bounded.weight_bounds = [](const param_map& p) { return std::pair{p.at("lo"), p.at("hi")}; };
    r.add_plasticity(bounded);
    plasticity_info free = bounded;
    free.name = "free";
    free.weight_bounds = nullptr;
    r.add_plasticity(free);
    return r;
}

const model_registry& models() {
    static const model_registry r = registry();
    return r;
}

scenario_error from_file(const std::string& text) {
    try {
        (void)parse_scenario(text, "net.toml", models());
    } catch (const scenario_error& e) {
        return e;
    }
    FAIL("expected a scenario_error for:\n" << text);
    throw;
}

scenario_error from_code(const scenario& sc) {
    try {
        validate(sc, models());
    } catch (const scenario_error& e) {
        return e;
    }
    FAIL("expected a scenario_error from validate()");
    throw;
}

const std::string two_pops = R"([simulation]
duration = "100 ms"

[[population]]
name = "E"
model = "neuron"
size = 4

[[population]]
name = "L"
model = "listed"
spike_times = [["1 ms"]]
)";

/// The same network in code: E (4 neurons), L (one spike list).
scenario two_pops_in_code() {
    scenario sc = build::make_scenario(100.0);
    build::add_population(sc, "E", "neuron", 4);
    build::add_population(sc, "L", "listed", 1).spike_ticks = {{10}};
    return sc;
}

} // namespace

TEST_CASE("validate: a file and code give the same message for the same bad value", "[unit][scenario]") {
    SECTION("the duration: one rule (> 0 ms, on the grid) in every path") {
        const auto f = from_file("[simulation]\nduration = \"-20 ms\"\n");
        scenario sc = build::make_scenario(-20.0);
        const auto c = from_code(sc);
        CHECK(f.what == "\"-20 ms\" is invalid (must be > 0 ms)");
        CHECK(c.what == f.what);
        CHECK(c.key == f.key);
        CHECK(f.line == 2);
        // Built in code: located by its key alone.
        CHECK(std::string(c.std::runtime_error::what()) == "<scenario>: key 'simulation.duration': " + f.what);
        // scenario::duration_ticks() applies the same rule.
        REQUIRE_THROWS_WITH(sc.duration_ticks(), Catch::Contains(f.what));
        sc.simulation.duration_ms = 10.05;
        CHECK(from_code(sc).what == from_file("[simulation]\nduration = \"10.05 ms\"\n").what);
    }
    SECTION("a connectivity rule's parameters: checked once, not again by the builder") {
        const auto f = from_file(two_pops + R"(
[[projection]]
name = "EE"
source = "E"
target = "E"
rule = "fixed_indegree"
indegree = 4
allow_autapses = false
allow_multapses = false
weight = "1 mV"
delay = "1 ms"
)");
        scenario sc = two_pops_in_code();
        auto& p = build::connect(sc, "E", "E", "fixed_indegree", 1.0, 1.0);
        p.name = "EE";
        p.indegree = 4;
        p.allow_autapses = p.allow_multapses = false;
        const auto c = from_code(sc);
        CHECK(f.what == "4 is invalid (exceeds the 3 available source neurons of 'E' (autapses excluded); lower the indegree "
                        "or set allow_multapses = true)");
        CHECK(c.what == f.what);
        CHECK(c.key == "projection.EE.indegree");
        CHECK(f.key == c.key);
        CHECK(f.line == 19);
    }
    SECTION("initial weights outside the bounds a rule declares") {
        const std::string proj = R"(
[[projection]]
name = "EE"
source = "E"
target = "E"
rule = "all_to_all"
weight = "2 mV"
delay = "1 ms"
)";
        const auto f = from_file(two_pops + proj + "plasticity = { rule = \"bounded\", hi = \"1.5 mV\" }\n");
        scenario sc = two_pops_in_code();
        auto& p = build::connect(sc, "E", "E", "all_to_all", 2.0, 1.0);
        p.name = "EE";
        p.plasticity.rule = "bounded";
        p.plasticity.params = {{"hi", 1.5}};
        const auto c = from_code(sc);
        CHECK(f.what == "\"2 mV\" is invalid (initial weights must lie within the weight bounds of rule 'bounded': [0 mV, 1.5 mV])");
        CHECK(c.what == f.what);
        CHECK(c.key == f.key);
        // A rule that declares no bounds has none.
        p.plasticity.rule = "free";
        CHECK_NOTHROW(validate(sc, models()));
        CHECK_NOTHROW(parse_scenario(two_pops + proj + "plasticity = { rule = \"free\", hi = \"1.5 mV\" }\n", "net.toml", models()));
    }
    SECTION("spike lists: only for models that declare them, named as the file names them") {
        const auto f = from_file(two_pops + R"(
[[population]]
name = "X"
model = "neuron"
size = 1
spike_times = [["1 ms"]]
)");
        scenario sc = two_pops_in_code();
        build::add_population(sc, "X", "neuron", 1).spike_ticks = {{10}};
        const auto c = from_code(sc);
        CHECK(f.what == "'spike_times' is only used by models that take spike-time lists (listed); this population uses 'neuron'");
        CHECK(c.what == f.what);
        CHECK(c.key == f.key);
        // Their size comes from the lists and is not scaled.
        const scenario scaled = parse_scenario("[simulation]\nduration = \"1 ms\"\nscale = 3\n[[population]]\nname = \"L\"\n"
                                               "model = \"listed\"\nspike_times = [[], []]\n",
                                               "net.toml", models());
        CHECK(scaled.populations[0].size == 2);
    }
}

TEST_CASE("validate: [simulation] is checked before the values that depend on it", "[unit][scenario]") {
    // A zero resolution is reported as such, not as spike times "off the grid" of 0 ms.
    const auto e = from_file("[simulation]\nduration = \"1 ms\"\nresolution = \"0 ms\"\n[[population]]\nname = \"L\"\n"
                             "model = \"listed\"\nspike_times = [[\"0.5 ms\"]]\n");
    CHECK(e.key == "simulation.resolution");
    CHECK(e.what == "\"0 ms\" is invalid (must be > 0 ms)");
}

TEST_CASE("validate: a thread count given in code obeys the simulation.threads rule", "[unit][scenario]") {
    // The file's rule and the constructor's argument are one rule: 65,537 threads used to reach
    // oneTBB from code (and crash at teardown) while the file refused it.
    scenario sc = build::make_scenario(1.0);  // an empty network: only the thread count matters
    sc.simulation.threads = 65537;
    model_registry none;
    CHECK_THROWS_WITH(validate(sc, none), Catch::Contains("simulation.threads") && Catch::Contains("65537 is invalid (must be <= 65536"));
    sc.simulation.threads = 0;
    CHECK_THROWS_WITH(simulation(sc, none, 65537), Catch::Contains("threads") && Catch::Contains("65537") && Catch::Contains("must be <= 65536"));
    CHECK_THROWS_AS(run_points(1, 65537, [](std::size_t) {}), invalid_parameter);
    CHECK(threads_rule_broken(65536).empty());
}
