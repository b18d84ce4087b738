// SPDX-License-Identifier: MIT
// Determinism: same seed => same spikes; 1 vs N threads => same spikes; another seed => others.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace memspike;

namespace {

bool same_spikes(const simulation& a, const simulation& b) {
    const auto& x = a.spikes();
    const auto& y = b.spikes();
    if (x.size() != y.size()) return false;
    for (std::size_t p = 0; p < x.size(); ++p)
        if (x[p].ids != y[p].ids || x[p].ticks != y[p].ticks) return false;
    return true;
}

} // namespace

TEST_CASE("same seed gives the same spikes, for any thread count; another seed gives others", "[unit]") {
    // 10,000 + 2,500 neurons: several partitions per population, so threads really split the work.
    const auto sc = test::brunel(10000, 200, 5.0, 2.0, 100.0, 42, 0.5);
    const auto one = test::run(sc, 1);
    const auto two = test::run(sc, 2);
    const auto four = test::run(sc, 4);
    const auto again = test::run(sc, 1);
    auto other_seed = sc;
    other_seed.simulation.seed = 43;
    const auto other = test::run(other_seed, 2);
    REQUIRE(one->counters().spikes > 1000);
    CHECK(same_spikes(*one, *two));
    CHECK(same_spikes(*one, *four));
    CHECK(same_spikes(*one, *again));
    CHECK_FALSE(same_spikes(*one, *other));
    CHECK(one->counters().synaptic_events == two->counters().synaptic_events);
}

TEST_CASE("run() can be called repeatedly and continues exactly", "[unit]") {
    const auto sc = test::brunel(2000, 100, 5.0, 2.0, 100.0, 3, 1.0);
    const auto whole = test::run(sc, 1);
    simulation pieces(sc, builtin_models(), 2);
    pieces.run(1);
    pieces.run(333);
    pieces.run(666);
    CHECK(pieces.now() == 1000);
    CHECK(same_spikes(*whole, pieces));
}

TEST_CASE("a stop request ends the run at the next tick", "[unit]") {
    const auto sc = test::brunel(2000, 100, 5.0, 2.0, 100.0, 3, 1.0);
    simulation sim(sc, builtin_models(), 1);
    std::atomic<bool> stop{false};
    run_options opt;
    opt.stop = &stop;
    int calls = 0;
    opt.progress = [&](tick_t, tick_t) { stop = ++calls > 0; };
    sim.run(1000000, opt);  // the progress callback asks to stop after ~0.2 s of wall time
    CHECK(sim.now() < 1000000);
}

TEST_CASE("reset: back to tick 0 with the same spikes; learned weights kept on request", "[unit]") {
    const auto sc = test::brunel(2000, 100, 5.0, 2.0, 100.0, 3, 1.0);
    const auto fresh = test::run(sc, 1);
    simulation sim(sc, builtin_models(), 2);
    sim.run(700);
    sim.reset(false);
    CHECK(sim.now() == 0);
    CHECK(sim.counters().spikes == 0);
    sim.run(1000);
    CHECK(same_spikes(*fresh, sim));

    // With plasticity: after learning, reset(true) must equal a fresh simulation whose weights were
    // set to the learned ones.
    auto plastic = sc;
    plastic.projections[0].plasticity.rule = "stdp";
    plastic.projections[0].plasticity.params = {{"lambda", 0.05}, {"w_max", 2.0}};
    simulation learner(plastic, builtin_models(), 1);
    learner.run(1000);
    const auto learned = learner.synapses_of(0);
    REQUIRE(learned.weights != simulation(plastic, builtin_models(), 1).synapses_of(0).weights);  // it did learn
    learner.reset(true);
    CHECK(learner.synapses_of(0).weights == learned.weights);
    learner.run(500);
    simulation reference(plastic, builtin_models(), 1);
    reference.set_weights(0, learned.weights);
    reference.run(500);
    CHECK(same_spikes(learner, reference));
    CHECK(learner.synapses_of(0).weights == reference.synapses_of(0).weights);
}
