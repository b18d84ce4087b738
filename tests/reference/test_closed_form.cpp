// SPDX-License-Identifier: MIT
// Closed-form checks of the LIF models (cf. NEST's test_iaf_ps_dc_accuracy): subthreshold voltage
// under constant current, first-spike time and the f-I curve, and the postsynaptic potential of
// an exponential current, each at several resolutions with stated tolerances.
#include <catch2/catch.hpp>

#include <cmath>

#include "support.hpp"

using namespace memspike;
using Catch::Matchers::WithinAbs;

namespace {

// NEST iaf_psc_delta defaults: tau_m 10 ms, C_m 250 pF, E_L -70 mV, V_th -55 mV, V_reset -70 mV, t_ref 2 ms.
constexpr double tau_m = 10.0, c_m = 250.0, e_l = -70.0, v_th = -55.0, v_reset = -70.0, t_ref = 2.0;

param_map lif_params(double i_e = 0.0) {
    return {{"tau_m", tau_m}, {"c_m", c_m}, {"e_l", e_l}, {"v_th", v_th}, {"v_reset", v_reset}, {"t_ref", t_ref}, {"i_e", i_e}};
}

} // namespace

TEST_CASE("subthreshold V(t) under a constant current equals V_inf + (E_L - V_inf) exp(-t/tau_m)", "[reference]") {
    for (const std::string model : {"lif_delta", "lif_exp"}) {
        for (const double h : {0.1, 0.01, 0.25}) {
            auto sc = test::make_scenario(50.0, h);
            test::add_population(sc, "n", model, 1, lif_params());
            const double i_dc = 300.0;  // V_inf = -70 + 300 * 10 / 250 = -58 mV < V_th
            test::add_dc(sc, "n", i_dc);
            simulation sim(sc, builtin_models(), 1);
            const double v_inf = e_l + i_dc * tau_m / c_m;
            double max_err = 0.0;
            for (int k = 0; k < static_cast<int>(50.0 / h); ++k) {
                sim.run(1);
                const double t = static_cast<double>(sim.now() - 1) * h;
                const double expected = v_inf + (e_l - v_inf) * std::exp(-t / tau_m);
                max_err = std::max(max_err, std::abs(sim.state(0, "v", 0) - expected));
            }
            INFO(model << " h = " << h << " ms: max |V - V_exact| = " << max_err << " mV");
            CHECK(max_err < 1e-10);  // exact integration: only rounding error
            CHECK(sim.spikes()[0].ids.empty());
        }
    }
}

TEST_CASE("first spike time and f-I curve match 1/(t_ref + tau ln((V_inf - V_reset)/(V_inf - V_th)))", "[reference]") {
    // On the grid a crossing is detected at the first tick at or after the continuous crossing, so
    // every interval is the continuous one rounded up to whole ticks: error in [0, h).
    struct point { std::string model; double i_e; };
    for (const auto& [model, i_e] : std::vector<point>{{"lif_delta", 500.0}, {"lif_delta", 1000.0}, {"lif_exp", 700.0},
                                                       {"lif_cond_exp", 600.0}}) {
        for (const double h : {0.1, 0.01}) {
            auto sc = test::make_scenario(1000.0, h);
            param_map p = lif_params(i_e);
            double tau = tau_m;
            if (model == "lif_cond_exp") {
                p.erase("tau_m");
                p["g_l"] = c_m / tau_m;  // 25 nS, so tau_m = 10 ms
            }
            test::add_population(sc, "n", model, 1, p);
            const auto sim = test::run(sc);
            const auto ticks = test::spike_ticks(*sim, 0, 0);
            const double v_inf = e_l + i_e * tau / c_m;
            const double t_first = tau * std::log((v_inf - e_l) / (v_inf - v_th));
            const double period = t_ref + tau * std::log((v_inf - v_reset) / (v_inf - v_th));
            REQUIRE(ticks.size() > 10);
            INFO(model << " I_e = " << i_e << " pA, h = " << h << " ms");
            const double first = static_cast<double>(ticks[0]) * h;
            CHECK(first >= t_first - 1e-9);
            CHECK(first < t_first + h);
            for (std::size_t k = 1; k < ticks.size(); ++k) {
                const double isi = static_cast<double>(ticks[k] - ticks[k - 1]) * h;
                // cond_exp integrates with RK4 while the other two are exact: allow 1e-6 ms more.
                CHECK(isi >= period - 1e-6);
                CHECK(isi < period + h + 1e-6);
            }
            const double rate = static_cast<double>(ticks.size() - 1) / (static_cast<double>(ticks.back() - ticks.front()) * h) * 1e3;
            CHECK_THAT(rate, WithinAbs(1e3 / period, 1e3 / period * h / period + 1e-9));
        }
    }
}

TEST_CASE("lif_exp: the PSP of one exponential current matches its closed form", "[reference]") {
    // V(t) - E_L = w/C * tau_s tau_m / (tau_m - tau_s) * (exp(-t/tau_m) - exp(-t/tau_s)), t from arrival.
    for (const double h : {0.1, 0.05}) {
        for (const double tau_s : {2.0, 5.0, tau_m}) {
            auto sc = test::make_scenario(60.0, h);
            auto& src = test::add_population(sc, "src", "spike_source", 1);
            src.spike_ticks = {{static_cast<tick_t>(std::llround(1.0 / h))}};  // spike at 1 ms
            param_map p = lif_params();
            p["tau_syn_ex"] = tau_s;
            p["tau_syn_in"] = 3.0;
            test::add_population(sc, "n", "lif_exp", 1, p);
            const double w = 400.0;  // pA
            test::connect(sc, "src", "n", "all_to_all", w, 1.0, "ex");
            simulation sim(sc, builtin_models(), 1);
            const tick_t arrival = std::llround(2.0 / h);
            double max_err = 0.0, peak = 0.0;
            for (tick_t k = 0; k < std::llround(60.0 / h); ++k) {
                sim.run(1);
                const tick_t t = sim.now() - 1;
                double expected = e_l;
                if (t > arrival) {
                    const double s = static_cast<double>(t - arrival) * h;
                    expected += tau_s == tau_m ? w / c_m * s * std::exp(-s / tau_m)
                                               : w / c_m * tau_s * tau_m / (tau_m - tau_s) *
                                                     (std::exp(-s / tau_m) - std::exp(-s / tau_s));
                }
                max_err = std::max(max_err, std::abs(sim.state(1, "v", 0) - expected));
                peak = std::max(peak, sim.state(1, "v", 0) - e_l);
            }
            INFO("h = " << h << " ms, tau_syn = " << tau_s << " ms: peak " << peak << " mV, max error " << max_err << " mV");
            CHECK(peak > 0.5);
            CHECK(max_err < 1e-9);
        }
    }
}

TEST_CASE("lif_delta: a voltage jump decays with tau_m", "[reference]") {
    const double h = 0.1;
    auto sc = test::make_scenario(30.0, h);
    auto& src = test::add_population(sc, "src", "spike_source", 1);
    src.spike_ticks = {{5}};
    test::add_population(sc, "n", "lif_delta", 1, lif_params());
    test::connect(sc, "src", "n", "all_to_all", 2.0, 0.5);
    simulation sim(sc, builtin_models(), 1);
    for (tick_t k = 0; k < 300; ++k) {
        sim.run(1);
        const tick_t t = sim.now() - 1;
        const double expected = t < 10 ? e_l : e_l + 2.0 * std::exp(-static_cast<double>(t - 10) * h / tau_m);
        REQUIRE_THAT(sim.state(1, "v", 0), WithinAbs(expected, 1e-12));
    }
}
