// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <cmath>

#include "support.hpp"

using namespace memspike;

namespace {
/// Input trains for n neurons from a fixed xorshift stream: events 1..burst ticks apart until
/// `end`, a third of them inhibitory, and with chance 1/gap_one_in a gap of 600 + [0, gap_spread)
/// ticks instead, long enough for the currents to fall below the quiescence tolerance.
struct bursts {
    std::vector<std::vector<tick_t>> exc, inh;
};
bursts bursty_inputs(std::uint32_t n, std::uint64_t x, tick_t end, std::uint64_t gap_one_in, std::uint64_t gap_spread,
                     std::uint64_t burst) {
    bursts b{std::vector<std::vector<tick_t>>(n), std::vector<std::vector<tick_t>>(n)};
    auto next = [&x] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    };
    for (std::uint32_t k = 0; k < n; ++k)
        for (tick_t t = static_cast<tick_t>(next() % 200); t < end;) {
            (next() % 3 == 0 ? b.inh : b.exc)[k].push_back(t);
            t += next() % gap_one_in == 0 ? 600 + static_cast<tick_t>(next() % gap_spread) : 1 + static_cast<tick_t>(next() % burst);
        }
    return b;
}
} // namespace

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

TEST_CASE("lif_exp: a neuron's spikes do not depend on the other neurons of its partition", "[unit]") {
    // Eight suprathreshold-biased neurons (V_inf = -54.8 mV > V_th) get input bursts separated by
    // gaps long enough for their currents to fall below the quiescence tolerance: they join and
    // leave the active set at different ticks, so their slots are reused and moved around (the
    // last slot fills a leaving neuron's place), and while passive they cross threshold lazily.
    // Each neuron simulated alone (one slot, never moved) must fire at the very same ticks: a
    // slot move that loses a current, a refractory end or V, or a write-back that misses, does not.
    const std::uint32_t n = 8;
    const param_map p = {{"i_e", 380.0}, {"tau_syn_ex", 2.0}, {"tau_syn_in", 4.0}};
    const bursts in = bursty_inputs(n, 0x9E3779B97F4A7C15ULL, 14000, 6, 900, 40);
    const auto& exc = in.exc;
    const auto& inh = in.inh;
    auto network = [&](std::uint32_t first, std::uint32_t count) {
        auto sc = test::make_scenario(1500.0, 0.1);
        test::add_population(sc, "e", "spike_source", count).spike_ticks = {exc.begin() + first, exc.begin() + first + count};
        test::add_population(sc, "i", "spike_source", count).spike_ticks = {inh.begin() + first, inh.begin() + first + count};
        test::add_population(sc, "n", "lif_exp", count, p);
        test::connect(sc, "e", "n", "one_to_one", 150.0, 0.1, "ex");
        test::connect(sc, "i", "n", "one_to_one", -250.0, 0.1, "in");
        return test::run(sc);
    };
    const auto together = network(0, n);
    std::size_t spikes = 0;
    for (std::uint32_t k = 0; k < n; ++k) {
        const auto alone = network(k, 1);
        const auto expected = test::spike_ticks(*alone, 2, 0);
        spikes += expected.size();
        CHECK(test::spike_ticks(*together, 2, k) == expected);
    }
    CHECK(spikes > 100);
}

TEST_CASE("lif_exp: an active neuron reads V_reset through its refractory period, then steps from it", "[unit]") {
    // The step loop lets a refractory slot's V run free (decisions.md §39): the V that state()
    // reads, and the V stepped from at the period's end, must be the held V_reset. Catches a
    // reader that takes the free slot value, and a period end that does not put V_reset back
    // (the free value is NaN: the neuron would never fire again).
    auto make = [] {
        auto sc = test::make_scenario(10.0, 0.1);
        auto& src = test::add_population(sc, "src", "spike_source", 1);
        src.spike_ticks = {{0}};
        // No bias: the current drives V over threshold while the neuron is active, so it spikes
        // in the step loop, and fires again after its period.
        test::add_population(sc, "n", "lif_exp", 1, {{"tau_syn_ex", 2.0}, {"v_reset", -65.0}, {"t_ref", 2.0}});
        test::connect(sc, "src", "n", "all_to_all", 1e4, 0.1, "ex");
        return sc;
    };
    simulation first(make(), builtin_models(), 1);
    first.run(30);
    REQUIRE(!first.spikes()[1].ticks.empty());
    const tick_t fired = first.spikes()[1].ticks.at(0);
    simulation sim(make(), builtin_models(), 1);
    sim.run(fired + 21);  // to the period's last tick, fired + 20
    CHECK(sim.state(1, "v", 0) == -65.0);
    sim.run(40);
    REQUIRE(sim.spikes()[1].ticks.size() >= 2);
    CHECK(sim.spikes()[1].ticks[1] > fired + 20);
}

TEST_CASE("lif_exp: the vectorised step loop gives the per-neuron loop's spikes and states in every lane and chunk and the tail", "[unit]") {
    // 150 neurons fill two chunks of 64 slots and a third of 22 (two vectors of 8 and a tail of
    // 6 lanes). The same population is built twice: homogeneous (the vectorised kernel: on this
    // machine the AVX-512 one with mask registers, decisions.md §42) and with one extra neuron whose
    // tau_syn_ex differs, so that the partition has two sets of synaptic constants and every slot
    // takes the scalar per-neuron loop (step_per_neuron). Neurons 0..149 have the same constants
    // in both (the per-neuron membrane computes them as the homogeneous one does), so their
    // spikes and states must be the same. Input bursts with long gaps make neurons leave and
    // rejoin (slots move), and a DC step on neurons 60..90 makes their bias differ from the rest
    // (the kernel's non-uniform form). Catches a lane mask that drops or adds a lane of the tail,
    // a hit listed for the wrong slot or out of order, a quiescence mask that misses a lane, and
    // a bias or threshold read from the wrong slot.
    const std::uint32_t n = 150;
    const param_map p = {{"i_e", 380.0}, {"tau_syn_ex", 2.0}, {"tau_syn_in", 4.0}, {"t_ref", 2.0}};
    const bursts in = bursty_inputs(n, 0x2545F4914F6CDD1DULL, 6000, 8, 700, 30);
    const auto& exc = in.exc;
    const auto& inh = in.inh;
    auto network = [&](bool scalar) {
        auto sc = test::make_scenario(700.0, 0.1);
        const std::uint32_t size = scalar ? n + 1 : n;  // the extra neuron gets no input
        test::add_population(sc, "e", "spike_source", size).spike_ticks = exc;
        test::add_population(sc, "i", "spike_source", size).spike_ticks = inh;
        if (scalar) {
            sc.populations[0].spike_ticks.emplace_back();
            sc.populations[1].spike_ticks.emplace_back();
        }
        auto& pop = test::add_population(sc, "n", "lif_exp", size, p);
        if (scalar) {
            per_neuron_param tau;
            tau.values.assign(n + 1, 2.0);
            tau.values[n] = 3.0;  // a second set: the per-neuron loop for every slot
            pop.per_neuron["tau_syn_ex"] = tau;
        }
        test::connect(sc, "e", "n", "one_to_one", 150.0, 0.1, "ex");
        test::connect(sc, "i", "n", "one_to_one", -250.0, 0.1, "in");
        stimulus_spec& dc = test::add_dc(sc, "n", 40.0, 150.0);
        for (std::uint32_t k = 60; k <= 90; ++k) dc.neurons.push_back(k);
        dc.stop_ms = 450.0;
        return std::make_unique<simulation>(sc, builtin_models(), 1);
    };
    const auto vectorised = network(false), scalar = network(true);
    // The state, read every 50 ms, is the same bit for bit: a neuron that leaves the active set a
    // tick early or late (a quiescence hit missed or misplaced) keeps a current below the
    // tolerance instead of zero, and its V is stepped instead of computed lazily.
    std::size_t differing = 0;
    for (int r = 0; r < 14; ++r) {
        vectorised->run(500);
        scalar->run(500);
        for (std::uint32_t k = 0; k < n; ++k)
            for (const char* var : {"v", "i_ex", "i_in"})
                differing += vectorised->state(2, var, k) != scalar->state(2, var, k);
    }
    CHECK(differing == 0);
    std::size_t spikes = 0;
    for (std::uint32_t k = 0; k < n; ++k) {
        INFO("neuron " << k);
        const auto expected = test::spike_ticks(*scalar, 2, k);
        CHECK(test::spike_ticks(*vectorised, 2, k) == expected);
        spikes += expected.size();
    }
    CHECK(spikes > 1000);  // the input drives them: not a comparison of silent neurons
}
