// SPDX-License-Identifier: MIT
// if_delta, li_delta, i_delta (models/neurons/integrators.cpp): closed forms, the threshold on
// the grid, and the checks of their parameters.
#include <catch2/catch.hpp>

#include <cmath>

#include "support.hpp"

using namespace memspike;
using Catch::Matchers::Contains;

TEST_CASE("if_delta: a DC current fires at the first tick at or after the continuous crossing", "[unit]") {
    // dV/dt = I / C_m = 30 pA / 100 pF = 0.3 mV/ms from 0 mV: V = 1 mV at 3.333 ms, i.e. tick 34 at
    // h = 0.1 ms; after the reset to 0 the next at 2 x 33.33 ticks, and so on (each ISI rounded up).
    auto sc = test::make_scenario(12.0, 0.1);
    test::add_population(sc, "n", "if_delta", 1, {{"c_m", 100.0}, {"v_th", 1.0}, {"v_reset", 0.0}, {"i_e", 0.0}});
    test::add_dc(sc, "n", 30.0);
    const auto sim = test::run(sc);
    CHECK(test::spike_ticks(*sim, 0, 0) == std::vector<tick_t>{34, 68, 102});
}

TEST_CASE("li_delta: jumps decay with tau_m towards E_L + tau_m I / C_m and never spike", "[unit]") {
    // A +50 mV jump at tick 10 (far above any threshold: a read-out has none), then exact decay.
    auto sc = test::make_scenario(5.0, 0.1);
    auto& src = test::add_population(sc, "src", "spike_source", 1);
    src.spike_ticks = {{9}};
    test::add_population(sc, "r", "li_delta", 1, {{"tau_m", 4.0}, {"c_m", 200.0}, {"e_l", -1.0}, {"i_e", 10.0}});
    test::connect(sc, "src", "r", "all_to_all", 50.0, 0.1);
    simulation sim(sc, builtin_models(), 1);
    sim.run(41);  // the state after tick 40
    const double v_inf = -1.0 + 4.0 * 10.0 / 200.0;
    const double v10 = v_inf + (-1.0 - v_inf) * std::exp(-1.0 / 4.0) + 50.0;  // init v = e_l
    CHECK(sim.state(1, "v", 0) == Approx(v_inf + (v10 - v_inf) * std::exp(-3.0 / 4.0)).epsilon(1e-12));
    CHECK(sim.spikes()[1].ids.empty());
}

TEST_CASE("i_delta: the integral of its input current plus its jumps", "[unit]") {
    auto sc = test::make_scenario(5.0, 0.1);
    auto& src = test::add_population(sc, "src", "spike_source", 1);
    src.spike_ticks = {{4}};
    test::add_population(sc, "r", "i_delta", 1, {{"c_m", 50.0}, {"i_e", -5.0}});
    test::connect(sc, "src", "r", "all_to_all", 2.5, 0.1);
    simulation sim(sc, builtin_models(), 1);
    sim.run(31);
    CHECK(sim.state(1, "v", 0) == Approx(2.5 - 5.0 / 50.0 * 3.0).epsilon(1e-12));  // 30 ticks = 3 ms of -0.1 mV/ms
}

TEST_CASE("integrators: bad parameters are refused naming model, parameter and rule", "[unit]") {
    const auto& m = builtin_models();
    REQUIRE_THROWS_WITH(m.find("if_delta").complete({{"v_reset", 2.0}, {"v_th", 1.0}}),
                        Contains("if_delta: v_reset = 2 mV is invalid (must be < v_th = 1 mV)"));
    REQUIRE_THROWS_WITH(m.find("li_delta").complete({{"tau_m", 0.0}}), Contains("li_delta: tau_m = 0 ms is invalid"));
    REQUIRE_THROWS_WITH(m.find("i_delta").complete({{"c_m", -1.0}}), Contains("i_delta: c_m = -1 pF is invalid"));
    REQUIRE_THROWS_WITH(m.find("i_delta").complete({{"v_th", 1.0}}), Contains("unknown parameter 'v_th'"));
}

TEST_CASE("threshold_delta: each tick's input plus h I / C_m against v_th, with no memory", "[unit]") {
    // 0.6 mV at ticks 10 and 11 (one each: below 1 mV, and nothing carries over), 1.2 mV at 20.
    auto sc = test::make_scenario(3.0, 0.1);
    auto& src = test::add_population(sc, "src", "spike_source", 2);
    src.spike_ticks = {{9, 10, 19}, {19}};
    test::add_population(sc, "t", "threshold_delta", 1, {{"c_m", 100.0}, {"v_th", 1.0}, {"i_e", 0.0}});
    test::connect(sc, "src", "t", "all_to_all", 0.6, 0.1);
    auto sim = test::run(sc);
    CHECK(test::spike_ticks(*sim, 1, 0) == std::vector<tick_t>{20});
    // A current of 1000 pA adds h I / C_m = 1 mV every tick: it fires at every tick from 1 on.
    test::add_dc(sc, "t", 1000.0);
    sim = test::run(sc);
    CHECK(test::spike_ticks(*sim, 1, 0).size() == 29);
}
