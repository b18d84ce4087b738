// SPDX-License-Identifier: MIT
// Determinism: same seed => same spikes; 1 vs N threads => same spikes; another seed => others.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>

#include <hdf5.h>

#include <unistd.h>

#include "memspike/core/recorder.hpp"
#include "memspike/core/scenario.hpp"
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

namespace {

/// Spikes with tick >= from, per population.
std::vector<spike_trains> spikes_from(const simulation& sim, tick_t from) {
    std::vector<spike_trains> out;
    for (const auto& s : sim.spikes()) {
        spike_trains t;
        for (std::size_t k = 0; k < s.ids.size(); ++k)
            if (s.ticks[k] >= from) {
                t.ids.push_back(s.ids[k]);
                t.ticks.push_back(s.ticks[k]);
            }
        out.push_back(std::move(t));
    }
    return out;
}

void check_checkpoint(const scenario& sc, tick_t first, tick_t second) {
    const std::string path = (std::filesystem::temp_directory_path() / ("memspike_ckpt_" + std::to_string(::getpid()) + ".bin")).string();
    simulation a(sc, builtin_models(), 2);
    a.run(first);
    a.save_state(path);
    a.run(second);
    simulation b(sc, builtin_models(), 1);  // another thread count, too
    b.load_state(path);
    CHECK(b.now() == first);
    b.run(second);
    const auto sa = spikes_from(a, first), sb = spikes_from(b, first);
    std::size_t n = 0;
    for (std::size_t p = 0; p < sa.size(); ++p) {
        CHECK(sa[p].ids == sb[p].ids);
        CHECK(sa[p].ticks == sb[p].ticks);
        n += sa[p].ids.size();
    }
    CHECK(n > 0);
    for (std::size_t j = 0; j < sc.projections.size(); ++j) CHECK(a.synapses_of(j).weights == b.synapses_of(j).weights);
    std::filesystem::remove(path);
}

} // namespace

TEST_CASE("checkpoint: run; save; run == load; run (identical spikes and weights)", "[unit]") {
    SECTION("Brunel with STDP on E->E and Poisson drive") {
        auto sc = test::brunel(2000, 100, 5.0, 2.0, 200.0, 9, 1.0);
        sc.projections[0].plasticity.rule = "stdp";
        sc.projections[0].plasticity.params = {{"lambda", 0.01}, {"w_max", 2.0}};
        check_checkpoint(sc, 1000, 1000);
    }
    SECTION("Song 2000: Poisson sources, conductance neuron, STDP; and the three-factor rule") {
        auto sc = load_scenario(std::string(MEMSPIKE_SOURCE_DIR) + "/examples/stdp_song.toml", builtin_models(),
                                {{"simulation.duration", "\"2 s\""}});
        check_checkpoint(sc, 7000, 5000);
        sc.projections[0].plasticity.rule = "stdp_reward";
        sc.projections[0].plasticity.params = {{"a_plus", 0.001}, {"a_minus", 0.001}, {"tau_c", 200.0}, {"w_max", 0.1}};
        modulator_spec m;
        m.name = "da";
        m.projections = {sc.projections[0].name};
        m.times_ms = {0.0, 300.0, 900.0};
        m.values = {0.0, 1.0, -0.5};
        sc.modulators.push_back(m);
        check_checkpoint(sc, 6000, 6000);
    }
    SECTION("bench4 (lif_delta above threshold: neurons on the grid list at the save)") {
        auto sc = load_scenario(std::string(MEMSPIKE_SOURCE_DIR) + "/examples/bench4_delta.toml", builtin_models(),
                                {{"simulation.duration", "\"200 ms\""}});
        check_checkpoint(sc, 1000, 1000);
    }
    SECTION("CUBA (exponential currents, active set) with a DC step") {
        auto sc = workloads::cuba(100.0, 4);
        build::add_dc(sc, "E", 50.0, 30.0).stop_ms = 80.0;
        check_checkpoint(sc, 400, 600);
    }
}

TEST_CASE("checkpoint of another network is rejected", "[unit]") {
    const std::string path = (std::filesystem::temp_directory_path() / ("memspike_ckpt_other_" + std::to_string(::getpid()) + ".bin")).string();
    const auto sc = test::brunel(2000, 100, 5.0, 2.0, 100.0, 3, 1.0);
    simulation a(sc, builtin_models(), 1);
    a.run(100);
    a.save_state(path);
    auto other = sc;
    other.simulation.seed = 4;
    simulation b(other, builtin_models(), 1);
    CHECK_THROWS_WITH(b.load_state(path), Catch::Contains("another scenario"));
    CHECK_THROWS_WITH(b.load_state(path + ".missing"), Catch::Contains("cannot read checkpoint"));
    std::filesystem::remove(path);
}

TEST_CASE("energy ledger: counts equal independent counts, bins add up to the totals", "[unit][energy]") {
    auto sc = test::brunel(2000, 100, 5.0, 2.0, 100.0, 21, 1.0);
    sc.projections[0].plasticity.rule = "stdp";
    sc.projections[0].plasticity.params = {{"lambda", 0.01}, {"w_max", 2.0}};
    sc.recording.energy_bin_ms = 7.0;  // does not divide the duration: a partial last bin
    const std::string path = (std::filesystem::temp_directory_path() / ("memspike_energy_" + std::to_string(::getpid()) + ".h5")).string();
    simulation sim(sc, builtin_models(), 2);
    run_info info;
    auto rec = recorder::open_hdf5(path, info);
    run_options opt;
    sim.attach(*rec);
    const tick_t end = 1000;
    sim.run(end, opt);
    rec->close(true, 0.0, sim.now());
    const event_counts e = sim.events();

    // Synaptic events: every spike (s, t) reaches each synapse of s with delay d if t + d < end.
    std::uint64_t expected = 0, spikes = 0;
    for (std::size_t j = 0; j < sc.projections.size(); ++j) {
        const auto syn = sim.synapses_of(j);
        const std::size_t pop = sc.projections[j].source == "E" ? 0 : 1;
        std::map<std::uint32_t, std::vector<std::int32_t>> delays_of;
        for (std::size_t k = 0; k < syn.sources.size(); ++k) delays_of[syn.sources[k]].push_back(syn.delays[k]);
        const auto& sp = sim.spikes()[pop];
        for (std::size_t k = 0; k < sp.ids.size(); ++k)
            for (const std::int32_t d : delays_of[sp.ids[k]]) expected += sp.ticks[k] + d < end;
    }
    for (const auto& sp : sim.spikes()) spikes += sp.ids.size();
    CHECK(e[event_kind::synaptic_events] == expected);
    CHECK(e[event_kind::spikes] == spikes);
    CHECK(e[event_kind::neuron_updates] == sim.counters().neuron_updates);
    CHECK(e[event_kind::weight_updates] > 0);
    CHECK(sim.dense().dense_weights == 2000ULL * 2000 + 500ULL * 2000 + 2000ULL * 500 + 500ULL * 500);

    // The file: 143 bins of 70 ticks (the last one partial), summing to the totals.
    hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    hid_t d = H5Dopen2(f, "/energy/counts", H5P_DEFAULT);
    hid_t space = H5Dget_space(d);
    hsize_t dims[2];
    H5Sget_simple_extent_dims(space, dims, nullptr);
    CHECK(dims[0] == (end + 69) / 70);
    CHECK(dims[1] == e.size());
    std::vector<std::uint64_t> counts(dims[0] * dims[1]);
    H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, counts.data());
    for (std::size_t c = 0; c < dims[1]; ++c) {
        std::uint64_t sum = 0;
        for (std::size_t b = 0; b < dims[0]; ++b) sum += counts[b * dims[1] + c];
        INFO("category " << e.names()[c]);
        CHECK(sum == e.values()[c]);
    }
    H5Sclose(space);
    H5Dclose(d);
    H5Fclose(f);
    std::filesystem::remove(path);
}
