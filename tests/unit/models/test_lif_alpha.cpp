// SPDX-License-Identifier: MIT
// lif_alpha against closed forms computed here at each time directly (not by the model's one-tick
// propagation): the alpha current and the membrane's response to it, and the DC firing grid.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include "support.hpp"

using namespace memspike;

namespace {

/// V(s) - E_L for an alpha current w (s/tau) e^{1 - s/tau} starting at s = 0 into a membrane at
/// rest: (w e / (tau C)) e^{-s/tau_m} int_0^s u e^{-a u} du, a = 1/tau - 1/tau_m.
double alpha_response(double s, double w, double tau, double tau_m, double c_m) {
    const double a = 1.0 / tau - 1.0 / tau_m;
    const double integral = a == 0.0 ? s * s / 2.0 : (1.0 - std::exp(-a * s) * (1.0 + a * s)) / (a * a);
    return w * std::exp(1.0) / (tau * c_m) * std::exp(-s / tau_m) * integral;
}

} // namespace

TEST_CASE("lif_alpha: one event gives the alpha current and its exact membrane response", "[unit][reference]") {
    // tau_syn_in = tau_m exercises the removable singularity a = 0 of the propagator (its series).
    for (const auto& [tau_ex, tau_in] : {std::pair{2.0, 10.0}, std::pair{0.5, 3.0}}) {
        auto sc = test::make_scenario(60.0, 0.1);
        auto& src = test::add_population(sc, "src", "spike_source", 1);
        src.spike_ticks = {{0}};
        test::add_population(sc, "n", "lif_alpha", 2,
                             {{"tau_m", 10.0}, {"c_m", 250.0}, {"e_l", -70.0}, {"tau_syn_ex", tau_ex}, {"tau_syn_in", tau_in}});
        test::connect(sc, "src", "n", "all_to_all", 300.0, 1.0, "ex");
        test::connect(sc, "src", "n", "all_to_all", -200.0, 1.0, "in");
        simulation sim(sc, builtin_models(), 1);
        sim.run(11);  // the events arrive at tick 10
        double worst_v = 0, worst_i = 0, peak = 0;
        for (int k = 0; k <= 400; ++k) {
            const double s = 0.1 * k;
            const double v = -70.0 + alpha_response(s, 300.0, tau_ex, 10.0, 250.0) + alpha_response(s, -200.0, tau_in, 10.0, 250.0);
            const double i_ex = 300.0 * s / tau_ex * std::exp(1.0 - s / tau_ex);
            const double i_in = -200.0 * s / tau_in * std::exp(1.0 - s / tau_in);
            worst_v = std::max(worst_v, std::abs(sim.state(1, "v", 0) - v));
            worst_i = std::max({worst_i, std::abs(sim.state(1, "i_ex", 0) - i_ex), std::abs(sim.state(1, "i_in", 0) - i_in)});
            peak = std::max(peak, sim.state(1, "i_ex", 0));
            sim.run(1);
        }
        INFO("tau_syn_ex " << tau_ex << ", tau_syn_in " << tau_in);
        CHECK(worst_v < 1e-10);
        CHECK(worst_i < 1e-9);
        CHECK(peak == Approx(300.0).epsilon(1e-12));  // the peak is the weight (tau_syn on the grid)
    }
}

TEST_CASE("lif_alpha: DC firing on the grid, with the refractory period", "[unit][reference]") {
    const double tau_m = 10.0, c_m = 250.0, e_l = -70.0, v_th = -55.0, v_reset = -68.0, i_e = 400.0, h = 0.1;
    auto sc = test::make_scenario(100.0, h);
    test::add_population(sc, "n", "lif_alpha", 1,
                         {{"tau_m", tau_m}, {"c_m", c_m}, {"e_l", e_l}, {"v_th", v_th}, {"v_reset", v_reset},
                          {"t_ref", 2.0}, {"i_e", i_e}});
    const auto sim = test::run(sc);
    const double v_inf = e_l + i_e * tau_m / c_m;  // -54 mV
    const auto first = static_cast<tick_t>(std::ceil(-tau_m * std::log((v_inf - v_th) / (v_inf - e_l)) / h));
    const auto isi = 20 + static_cast<tick_t>(std::ceil(-tau_m * std::log((v_inf - v_th) / (v_inf - v_reset)) / h));
    const auto ticks = test::spike_ticks(*sim, 0, 0);
    REQUIRE(ticks.size() >= 3);
    CHECK(ticks[0] == first);
    for (std::size_t k = 1; k < ticks.size(); ++k) CHECK(ticks[k] - ticks[k - 1] == isi);
}

TEST_CASE("lif_alpha: a checkpoint continues exactly", "[unit]") {
    auto sc = test::make_scenario(200.0, 0.1);
    test::add_poisson(sc, test::add_population(sc, "n", "lif_alpha", 20, {{"i_e", 300.0}}).name, 800.0, 150.0, "ex");
    simulation a(sc, builtin_models(), 1);
    a.run(700);
    const auto bytes = a.save_state_to_bytes();
    a.run(700);
    simulation b(sc, builtin_models(), 1);
    b.load_state_from_bytes(bytes, "ck.bin");
    b.run(700);
    for (std::uint32_t i = 0; i < 20; ++i) CHECK(a.state(0, "v", i) == b.state(0, "v", i));
    CHECK(a.state(0, "i_ex", 3) == b.state(0, "i_ex", 3));
}

TEST_CASE("lif_alpha: bad parameters are refused with the rule", "[unit]") {
    auto sc = test::make_scenario(10.0, 0.1);
    test::add_population(sc, "n", "lif_alpha", 1, {{"tau_syn_ex", 0.0}});
    CHECK_THROWS_WITH(simulation(sc, builtin_models(), 1), Catch::Contains("tau_syn_ex") && Catch::Contains("> 0"));
    auto sc2 = test::make_scenario(10.0, 0.1);
    test::add_population(sc2, "n", "lif_alpha", 1, {{"t_ref", 0.25}});
    CHECK_THROWS_WITH(simulation(sc2, builtin_models(), 1), Catch::Contains("t_ref") && Catch::Contains("whole number of ticks"));
}
