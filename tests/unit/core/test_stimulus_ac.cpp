// SPDX-License-Identifier: MIT
// The `ac` stimulus kind: a sine held constant over each tick (NEST's ac_generator), checked
// against the exact membrane of a passive LIF driven by that piecewise-constant sine, computed
// here from the sine formula (not from the stimulus's changes).
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <string>

#include "memspike/core/scenario.hpp"
#include "support.hpp"

using namespace memspike;
using Catch::Matchers::Contains;

namespace {

const std::string pops = "[simulation]\nduration = \"100 ms\"\n[[population]]\nname = \"E\"\nmodel = \"lif_delta\"\nsize = 4\n";

std::string error_of(const std::string& text) {
    try {
        parse_scenario(text, "test.toml", builtin_models());
    } catch (const scenario_error& e) {
        return static_cast<const std::exception&>(e).what();
    }
    FAIL("expected a scenario_error for:\n" << text);
    return "";
}

} // namespace

TEST_CASE("ac: a passive LIF follows the exact response to the sine held per tick", "[unit][stimulus]") {
    // lif_delta (exact between changes) far below threshold; start and stop inside the run, a
    // phase and an offset, 40 Hz at h = 0.1 ms (250 ticks per period).
    const double h = 0.1, tau_m = 10.0, c_m = 250.0, e_l = -70.0;
    const double amp = 120.0, f = 40.0, phase = 30.0, offset = 25.0;
    const tick_t start = 50, stop = 1530;
    const std::string text = "[simulation]\nduration = \"200 ms\"\nresolution = \"0.1 ms\"\n"
                             "[[population]]\nname = \"E\"\nmodel = \"lif_delta\"\nsize = 2\nparams = { v_th = \"0 mV\" }\n"
                             "[[stimulus]]\nkind = \"ac\"\ntarget = \"E\"\nneurons = [1]\namplitude = \"120 pA\"\n"
                             "frequency = \"40 Hz\"\nphase = 30\noffset = \"25 pA\"\nstart = \"5 ms\"\nstop = \"153 ms\"\n";
    const scenario sc = parse_scenario(text, "test.toml", builtin_models());
    simulation sim(sc, builtin_models(), 1);
    const double decay = std::exp(-h / tau_m);
    double v = e_l, worst = 0;
    for (tick_t k = 0; k <= 2000; ++k) {
        sim.run(1);  // now at tick k
        worst = std::max(worst, std::abs(sim.state(0, "v", 1) - v));
        CHECK(sim.state(0, "v", 0) == e_l);  // not a target
        const double i = k >= start && k < stop
                             ? offset + amp * std::sin(2 * std::numbers::pi * f * 1e-3 * static_cast<double>(k) * h + phase * std::numbers::pi / 180)
                             : 0.0;
        const double v_inf = e_l + i * tau_m / c_m;
        v = v_inf + (v - v_inf) * decay;  // over (t_k, t_k+1]
    }
    CHECK(worst < 1e-9);
}

TEST_CASE("ac: bad values are refused with the key and the rule", "[unit][stimulus]") {
    const std::string st = "[[stimulus]]\nkind = \"ac\"\ntarget = \"E\"\namplitude = \"1 pA\"\n";
    CHECK_THAT(error_of(pops + st + "frequency = \"10 Hz\"\n"), Contains("stop") && Contains("required for kind 'ac'"));
    CHECK_THAT(error_of(pops + st + "frequency = \"-10 Hz\"\nstop = \"10 ms\"\n"),
               Contains("frequency") && Contains("must be >= 0 Hz"));
    CHECK_THAT(error_of(pops + st + "stop = \"10 ms\"\n"), Contains("frequency"));
    CHECK_THAT(error_of(pops + st + "frequency = \"10 Hz\"\nstop = \"10 ms\"\nrate = \"5 Hz\"\n"), Contains("rate"));
    CHECK_THAT(error_of(pops + st + "frequency = \"10 Hz\"\nstop = \"1e7 ms\"\n"), Contains("at most 1e7 ticks"));
}
