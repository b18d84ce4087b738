// SPDX-License-Identifier: MIT
// The dense clock-driven backend as the oracle of the event-driven engine: identical spikes on
// exactly representable weights, for several networks, and the MAC count of a dense machine.
#include <catch2/catch.hpp>

#include "memspike/core/errors.hpp"
#include "unit/backends/networks.hpp"

using namespace memspike;
using namespace memspike::test;

namespace {

/// A CUBA network of lif_exp neurons (exponential currents, bias current, refractoriness) with
/// dyadic weights in pA and two constant delays.
scenario dyadic_cuba() {
    scenario sc = make_scenario(250.0, 0.1, 17);
    const param_map lif{{"tau_m", 20.0}, {"e_l", -60.0}, {"v_th", -50.0}, {"v_reset", -60.0}, {"t_ref", 5.0}, {"i_e", 100.0}};
    add_population(sc, "E", "lif_exp", 320, lif);
    add_population(sc, "I", "lif_exp", 80, lif);
    auto& ee = connect(sc, "E", "E", "fixed_probability", 64.0, 0.8, "ex");
    ee.probability = 0.05;
    auto& ei = connect(sc, "E", "I", "fixed_probability", 64.0, 2.0, "ex");
    ei.probability = 0.05;
    auto& ie = connect(sc, "I", "E", "fixed_probability", -256.0, 0.8, "in");
    ie.probability = 0.05;
    auto& ii = connect(sc, "I", "I", "fixed_probability", -256.0, 2.0, "in");
    ii.probability = 0.05;
    add_poisson(sc, "E", 2000.0, 32.0, "ex");
    add_poisson(sc, "I", 2000.0, 32.0, "ex");
    return sc;
}

} // namespace

TEST_CASE("dense: identical spikes to the digital backend on exactly representable weights", "[dense]") {
    for (const auto& [name, sc] : {std::pair{"lif_delta E/I, drawn delays, multapses", dyadic_network()},
                                   std::pair{"lif_exp CUBA, bias current, two delays", dyadic_cuba()}}) {
        INFO(name);
        const auto digital = run_all(sc);
        const auto dense = run_all(with_backend(sc, "dense"));
        REQUIRE(total_spikes(*digital) > 500);
        require_same_spikes(*digital, *dense);
        CHECK(dense->events()[event_kind::synaptic_events] == digital->events()[event_kind::synaptic_events]);
        CHECK(dense->events()[event_kind::neuron_updates] == digital->events()[event_kind::neuron_updates]);
    }
}

TEST_CASE("dense: one matrix product per projection, delay and tick (N_pre x N_post MACs)", "[dense][energy]") {
    scenario sc = make_scenario(20.0, 0.1, 3);
    add_population(sc, "A", "poisson_source", 30, {{"rate", 50.0}});
    add_population(sc, "B", "lif_delta", 20);
    add_population(sc, "C", "lif_delta", 7);
    connect(sc, "A", "B", "fixed_indegree", 0.5, 1.0).indegree = 5;
    connect(sc, "B", "C", "all_to_all", 0.5, 1.0);
    const auto sim = run_all(with_backend(sc, "dense"));
    const std::uint64_t ticks = 200;
    CHECK(sim->counters().visited_ticks == ticks);  // clock-driven: no tick skipped
    CHECK(sim->events().at("dense_macs") == (30 * 20 + 20 * 7) * ticks);
}

TEST_CASE("dense: a network too large for the memory guard is refused with the numbers", "[dense][errors]") {
    scenario sc = make_scenario(1.0);
    add_population(sc, "A", "lif_delta", 4000);
    connect(sc, "A", "A", "fixed_indegree", 0.1, 1.0).indegree = 10;
    try {
        simulation s(with_backend(sc, "dense", {{"max_memory", 0.01}}), builtin_registry(), 1);
        FAIL("accepted");
    } catch (const invalid_parameter& e) {
        CHECK(std::string(e.what()).find("max_memory") != std::string::npos);
        CHECK(std::string(e.what()).find("GiB") != std::string::npos);
    }
}
