// SPDX-License-Identifier: MIT
// Energy models: presets validated with located errors; energy = sum of count x cost exactly, for
// every shipped preset; the recorded ledger reads back equal to the run's counts.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

#include <unistd.h>

#include "memspike/core/energy.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/recorder.hpp"
#include "support.hpp"

using namespace memspike;

TEST_CASE("every shipped preset: energy is the sum of count x cost, line by line", "[unit][energy]") {
    event_counts c;
    for (std::size_t k = 0; k < c.n.size(); ++k) c.n[k] = 1000 * (k + 1) + 7;
    const dense_profile d{500, 12345, 250000};
    const tick_t ticks = 10000;
    const auto names = builtin_energy_models();
    REQUIRE(names.size() >= 4);
    for (const auto& name : names) {
        const auto m = find_energy_model(name);
        const auto e = estimate_energy(m, c, d, ticks, 0.1);
        INFO(name);
        double sum = 0;
        for (const auto& l : e.lines) {
            CHECK(l.total_pj == Approx(l.count * l.pj_each).epsilon(1e-15));
            CHECK(!l.source.empty());
            sum += l.total_pj;
        }
        CHECK(e.total_pj == Approx(sum + e.idle_pj).epsilon(1e-12));
        if (m.kind == "event") {
            for (const auto& [cat, cost] : m.costs) {
                double count = cat == "idle_neuron_ticks" ? 500.0 * ticks - static_cast<double>(c[event_kind::neuron_updates]) : -1;
                for (std::size_t k = 0; k < event_names.size(); ++k)
                    if (event_names[k] == cat) count = static_cast<double>(c.n[k]);
                const auto it = std::find_if(e.lines.begin(), e.lines.end(), [&](const auto& l) { return l.category == cat; });
                REQUIRE(it != e.lines.end());
                CHECK(it->count == count);
            }
        } else {
            // Dense: dense_weights MACs per tick, weight bytes per tick, state read + write per neuron per tick.
            CHECK(e.lines[0].count == 250000.0 * ticks);
            CHECK(e.lines[1].count == 250000.0 * m.bytes_per_weight * ticks / m.batch);
            CHECK(e.lines[2].count == 500.0 * m.state_bytes_per_neuron * 2 * ticks);
        }
    }
}

TEST_CASE("preset errors name the file, line and key", "[unit][energy]") {
    const std::string head = "[model]\nname = \"x\"\nkind = \"event\"\ndescription = \"d\"\n";
    CHECK_THROWS_WITH(parse_energy_model(head + "[cost.synaptic_events]\nenergy = \"1 pJ\"\n", "x.toml"),
                      Catch::Contains("x.toml:5") && Catch::Contains("cost.synaptic_events.source"));
    CHECK_THROWS_WITH(parse_energy_model(head + "[cost.synaptic_events]\nenergy = \"1 pJ\"\nsource = \"  \"\n", "x.toml"),
                      Catch::Contains("citation"));
    CHECK_THROWS_WITH(parse_energy_model(head + "[cost.synaptic_events]\nenergy = \"-1 pJ\"\nsource = \"s\"\n", "x.toml"),
                      Catch::Contains("x.toml:6") && Catch::Contains(">= 0 pJ"));
    CHECK_THROWS_WITH(parse_energy_model(head + "[cost.synaptic_events]\nenergy = 1.0\nsource = \"s\"\n", "x.toml"),
                      Catch::Contains("with its unit"));
    CHECK_THROWS_WITH(parse_energy_model(head + "[cost.synaptic_events]\nenergy = \"1 mV\"\nsource = \"s\"\n", "x.toml"),
                      Catch::Contains("expected an energy"));
    CHECK_THROWS_WITH(parse_energy_model(head + "[cost.synaptic_events]\nenergy = \"1 pJ\"\nsource = \"s\"\ncolour = 1\n", "x.toml"),
                      Catch::Contains("unknown key 'colour'"));
    CHECK_THROWS_WITH(parse_energy_model(head + "[cost.macs]\nenergy = \"1 pJ\"\nsource = \"s\"\n", "x.toml"),
                      Catch::Contains("unknown category") && Catch::Contains("idle_neuron_ticks"));
    CHECK_THROWS_WITH(parse_energy_model("[model]\nname = \"y\"\nkind = \"dense\"\ndescription = \"d\"\n[cost.mac]\nenergy = \"1 pJ\"\nsource = \"s\"\n",
                                         "y.toml"),
                      Catch::Contains("sram_byte"));
    CHECK_THROWS_WITH(find_energy_model("no_such_chip"), Catch::Contains("unknown energy model") && Catch::Contains("loihi"));
}

TEST_CASE("the recorded ledger reads back equal to the run's counts", "[unit][energy]") {
    const auto sc = test::brunel(1000, 100, 5.0, 2.0, 50.0, 2, 1.0);
    const std::string path = (std::filesystem::temp_directory_path() / ("memspike_ledger_" + std::to_string(::getpid()) + ".h5")).string();
    simulation sim(sc, builtin_models(), 1);
    auto rec = recorder::open_hdf5(path, run_info{});
    run_options opt;
    opt.rec = rec.get();
    sim.run(505, opt);
    rec->close(true, 0.0, sim.now());
    const auto ledger = read_energy_ledger(path);
    CHECK(ledger.totals.n == sim.events().n);
    CHECK(ledger.ticks == 505);
    CHECK(ledger.bins == 6);  // 100-tick bins, the last one partial
    CHECK(ledger.complete);
    CHECK(ledger.profile.neurons == 1250);
    // A hand-computed TrueNorth total: 26 pJ per synaptic or input event.
    const auto e = estimate_energy(find_energy_model("truenorth"), ledger.totals, ledger.profile, ledger.ticks, 0.1);
    CHECK(e.total_pj == Approx(26.0 * static_cast<double>(sim.events()[event_kind::synaptic_events] +
                                                          sim.events()[event_kind::stimulus_events])));
    std::filesystem::remove(path);
    CHECK_THROWS_WITH(read_energy_ledger(path), Catch::Contains(path));
}
