// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <cmath>

#include "support.hpp"

using namespace memspike;

TEST_CASE("lif_exp: excitatory and inhibitory ports use their own time constants", "[unit]") {
    auto sc = test::make_scenario(40.0, 0.1);
    auto& src = test::add_population(sc, "src", "spike_source", 1);
    src.spike_ticks = {{0}};
    test::add_population(sc, "n", "lif_exp", 2, {{"tau_syn_ex", 2.0}, {"tau_syn_in", 8.0}});
    test::connect(sc, "src", "n", "all_to_all", 100.0, 1.0, "ex");
    simulation sim(sc, builtin_models(), 1);
    sim.run(11);  // arrival at tick 10
    CHECK(sim.state(1, "i_ex", 0) == Approx(100.0));
    sim.run(20);  // 2 ms later: one tau_syn_ex
    CHECK(sim.state(1, "i_ex", 0) == Approx(100.0 * std::exp(-1.0)).epsilon(1e-12));
    CHECK(sim.state(1, "i_in", 0) == 0.0);
}

TEST_CASE("lif_exp: a neuron leaves the active set once its currents are negligible", "[unit]") {
    auto sc = test::make_scenario(500.0, 0.1);
    auto& src = test::add_population(sc, "src", "spike_source", 1);
    src.spike_ticks = {{0}};
    test::add_population(sc, "n", "lif_exp", 1, {{"tau_syn_ex", 2.0}});
    test::connect(sc, "src", "n", "all_to_all", 100.0, 0.1, "ex");
    const auto sim = test::run(sc);
    // 100 pA decays below 1e-9 pA after ln(1e11) * 2 ms = 51 ms = 507 ticks; then no tick is visited.
    CHECK(sim->counters().visited_ticks < 530);
    CHECK(sim->counters().visited_ticks > 490);
}

TEST_CASE("lif_exp: currents keep integrating during the refractory period", "[unit]") {
    auto sc = test::make_scenario(10.0, 0.1);
    auto& src = test::add_population(sc, "src", "spike_source", 2);
    src.spike_ticks = {{0}, {5}};
    test::add_population(sc, "n", "lif_exp", 1, {{"i_e", 1e5}, {"tau_syn_ex", 2.0}});  // fires at once, then refractory
    test::connect(sc, "src", "n", "all_to_all", 50.0, 0.1, "ex");
    simulation sim(sc, builtin_models(), 1);
    sim.run(8);
    REQUIRE(!sim.spikes()[1].ids.empty());
    // Inputs at ticks 1 and 6 both in the current, decayed to tick 7.
    const double expected = 50.0 * std::exp(-0.6 / 2.0) + 50.0 * std::exp(-0.1 / 2.0);
    CHECK(sim.state(1, "i_ex", 0) == Approx(expected).epsilon(1e-12));
}
