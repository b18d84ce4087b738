// SPDX-License-Identifier: MIT
// Boundaries that scripts/mutation.py found untested (docs/testing.md, "Mutation testing"): a
// spike at the longest delay of an event-driven run, the first tick of a poisson_source after its
// start, and the conversion count of the per-polarity ADC.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "memspike/backends/builtin.hpp"
#include "support.hpp"

using namespace memspike;

TEST_CASE("event-driven run: a spike at the longest delay is delivered on time", "[unit][boundaries]") {
    // One source spike at tick 10 onto N[0] with delay `longest` and onto M[0] with 1.0 ms; both
    // lif_delta neurons fire on any input. Nothing else happens (no traces, no drive), so the
    // loop visits only the ticks where something is due. Either delay is the longest in turn.
    // Bug caught: a delay ring one slot short, whose scan for the next busy tick never looks at
    // t + max_delay, so that spike is never delivered.
    for (const double longest : {2.0, 0.1}) {
        auto sc = test::make_scenario(10.0, 0.1, 1);
        test::add_population(sc, "S", "spike_source", 1).spike_ticks = {{10}};
        test::add_population(sc, "N", "lif_delta", 1, {{"v_th", -69.0}});  // e_l -70 mV: any input fires
        test::add_population(sc, "M", "lif_delta", 1, {{"v_th", -69.0}});
        test::connect(sc, "S", "N", "all_to_all", 5.0, longest);
        test::connect(sc, "S", "M", "all_to_all", 5.0, 1.0);
        const auto sim = test::run(sc);
        INFO("delay onto N " << longest << " ms");
        const tick_t d = static_cast<tick_t>(longest * 10.0 + 0.5);
        CHECK(test::spike_ticks(*sim, 1, 0) == std::vector<tick_t>{10 + d});
        CHECK(test::spike_ticks(*sim, 2, 0) == std::vector<tick_t>{20});
    }
}

TEST_CASE("poisson_source: a spike at time s falls on tick ceil(s / h), never on the start tick", "[unit][boundaries]") {
    // 2,000 neurons at 1 kHz from 5 ms: each fires in (5, 5.1] ms with probability 1 - e^-0.1
    // = 0.095, so about 190 spikes land on tick 51 and none on tick 50 or before. Bug caught:
    // rounding down, which moves every spike one tick early (onto the start tick).
    auto sc = test::make_scenario(6.0, 0.1, 3);
    test::add_population(sc, "p", "poisson_source", 2000, {{"rate", 1000.0}, {"start", 5.0}});
    const auto sim = test::run(sc);
    const auto& s = sim->spikes()[0];
    REQUIRE(!s.ticks.empty());
    CHECK(*std::min_element(s.ticks.begin(), s.ticks.end()) == 51);
    const auto at51 = static_cast<double>(std::count(s.ticks.begin(), s.ticks.end(), tick_t{51}));
    const double expected = 2000 * (1.0 - std::exp(-0.1));
    CHECK(std::abs(at51 - expected) < 5 * std::sqrt(expected));
}

TEST_CASE("crossbar: the per-polarity ADC converts each used column twice", "[unit][boundaries][crossbar]") {
    // One source spike onto 300 targets: 300 used columns over the woken tiles (docs/crossbar.md:
    // "used columns of the woken tiles (x 2 with adc_per_polarity)").
    for (const double per_polarity : {0.0, 1.0}) {
        auto sc = test::make_scenario(5.0, 0.1, 1);
        test::add_population(sc, "S", "spike_source", 1).spike_ticks = {{10}};
        test::add_population(sc, "N", "lif_delta", 300, {{"v_th", 1e6}});
        test::connect(sc, "S", "N", "all_to_all", 0.5, 0.1);
        sc.backend.kind = "crossbar";
        sc.backend.params = {{"adc_bits", 8.0}, {"adc_per_polarity", per_polarity}};
        simulation sim(sc, builtin_registry(), 1);
        sim.run(sc.duration_ticks());
        INFO("adc_per_polarity " << per_polarity);
        CHECK(sim.events().at("crossbar_adc_conversions") == (per_polarity != 0.0 ? 600u : 300u));
    }
}
