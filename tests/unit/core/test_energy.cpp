// SPDX-License-Identifier: MIT
// Energy models: presets validated with located errors; every shipped preset priced against a total
// derived by hand from its cited figures; idle power and batch; the recorded ledger reads back equal
// to the run's counts; the ReRAM crossbar preset on crossbar and digital runs; energy per inference.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include <unistd.h>

#include "memspike/backends/builtin.hpp"
#include "memspike/backends/crossbar/crossbar.hpp"
#include "memspike/core/backend.hpp"
#include "memspike/core/energy.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/recorder.hpp"
#include "support.hpp"

using namespace memspike;

// The expected totals below are derived by hand from each preset's cited figures (the `energy` and
// `source` lines of models/energy/*.toml, quoted in the comments), not by calling the pricing code
// or reading its tables: a pricing bug (a missed line, a wrong count, a unit, the batch, the
// SRAM/DRAM choice, the CSR row pointers) changes the total.
namespace {
event_counts hand_ledger() {
    event_counts c(builtin_registry().counter_names());
    const std::pair<const char*, std::uint64_t> n[] = {
        {"synaptic_events", 1000}, {"stimulus_events", 200}, {"spikes", 50}, {"neuron_updates", 3000},
        {"weight_updates", 10}, {"trace_updates", 20}, {"crossbar_read_conductance", 5000000},
        {"crossbar_row_drives", 400}, {"crossbar_adc_conversions", 800}, {"crossbar_tiles_woken", 30},
        {"crossbar_set_pulses", 6}, {"crossbar_reset_pulses", 4}, {"crossbar_cell_reads", 99999},
        {"crossbar_adc_clipped", 77}};
    for (const auto& [name, v] : n) c.at(name) = v;
    return c;
}
} // namespace

TEST_CASE("every shipped preset: the total derived by hand from the preset's cited figures", "[unit][energy]") {
    const event_counts c = hand_ledger();
    const dense_profile d{500, 12345, 250000};  // neurons, synapses, dense weights
    const tick_t ticks = 10000;                 // 1 s at 0.1 ms
    const double idle_ticks = 500.0 * 10000 - 3000;
    // Dense weights: 250,000 x 4 B = 1 MB, in SRAM for both dense presets (32 MiB, 50 MB).
    // CSR: 12,345 x (4 + 4) B + 501 row pointers x 4 B = 100,764 B per tick, also in SRAM.
    const std::map<std::string, double> want = {
        // 23.6 pJ per synaptic op and per input, 1.7 pJ per spike, 81 pJ per update, 52 pJ per idle tick, 120 pJ per learning op
        {"loihi", 23.6 * 1000 + 23.6 * 200 + 1.7 * 50 + 81.0 * 3000 + 52.0 * idle_ticks + 120.0 * 10},
        // 26 pJ per synaptic event and per input event; nothing else priced
        {"truenorth", 26.0 * 1000 + 26.0 * 200},
        // 4e-7 pJ per nS read, 0.0035 pJ per row drive, 1.691 pJ per conversion, 20.45 pJ per tile,
        // 1.676 pJ per programming pulse, 23.3 pJ per digital neuron update, 0.1 pJ per input event
        {"reram_crossbar", 4e-7 * 5e6 + 0.0035 * 400 + 1.691 * 800 + 20.45 * 30 + 1.676 * 10 + 23.3 * 3000 + 0.1 * 200},
        // Horowitz 2014: 4.6 pJ per fp32 MAC, 12.5 pJ per SRAM byte; state 8 B read + written per neuron and tick
        {"cpu_45nm", 4.6 * 250000 * 1e4 + 12.5 * 1e6 * 1e4 + 12.5 * 500 * 8 * 2 * 1e4},
        // H100: 1.4 pJ per MAC, 1.25 pJ per L2 byte
        {"gpu_h100", 1.4 * 250000 * 1e4 + 1.25 * 1e6 * 1e4 + 1.25 * 500 * 8 * 2 * 1e4},
        {"gpu_h100_csr", 1.4 * 12345 * 1e4 + 1.25 * 100764.0 * 1e4 + 1.25 * 500 * 8 * 2 * 1e4},
        // Event-driven (test_energy_baselines.cpp derives each line): synapses (12,345 x 8 B + 500 x 8 B)
        // fit in both caches: SRAM/L2 bytes for 1,000 events x 8 B + 50 spikes x 8 B + 10 weight updates
        // x 2 x 4 B, and 1,200 events x 2 x 4 B + 3,000 updates x 2 x 8 B + 20 traces x 2 x 4 B;
        // adds: 1,000 + 200 + 3,000; MACs: 3,000 + 10 + 20; static power x modelled run time.
        {"cpu_event_driven", 12.5 * (8480 + 57760) + 0.9 * 4200 + 4.6 * 3030 +
                                 23.75 * (1000 * 2.6e-9 + 200 * 3.15e-9 + 3000 * 4.2e-9) * 1e12},
        {"gpu_event_driven", 1.25 * (8480 + 57760) + 0.71 * 4200 + 1.4 * 3030 +
                                 15.0 * (1e4 * 10e-6 + 1000 * 2.39e-12 + 3000 * 4.78e-12) * 1e12},
    };
    const auto names = builtin_energy_models();
    CHECK(names.size() == want.size());  // a new preset needs its hand-derived total here
    for (const auto& name : names) {
        INFO(name);
        REQUIRE(want.count(name) == 1);
        const auto e = estimate_energy(find_energy_model(name, builtin_registry()), c, d, ticks, 0.1);
        if (e.kind != "event_driven") CHECK(e.idle_pj == 0.0);  // only the event-driven baselines charge static power
        CHECK(e.total_pj == Approx(want.at(name)).epsilon(1e-12));
        for (const auto& l : e.lines) CHECK(!l.source.empty());
    }
}

TEST_CASE("idle power and batch: a dense model's total derived by hand", "[unit][energy]") {
    // 30 W for 1 s of model time (10,000 ticks of 0.1 ms) = 30 J = 3e13 pJ. A batch of 4 shares
    // each weight byte read among 4 inferences. An idle-power unit slip (ms read as s) gives 3e16.
    const std::string text = "[model]\nname = \"idle\"\nkind = \"dense\"\ndescription = \"d\"\n"
                             "[dense]\nbytes_per_weight = 2\nstate_bytes_per_neuron = 8\nsram_capacity_bytes = 100\n"
                             "batch = 4\nidle_power = \"30 W\"\n"
                             "[cost.mac]\nenergy = \"1 pJ\"\nsource = \"s\"\n"
                             "[cost.sram_byte]\nenergy = \"2 pJ\"\nsource = \"s\"\n"
                             "[cost.dram_byte]\nenergy = \"10 pJ\"\nsource = \"s\"\n";
    const auto m = parse_energy_model(text, "idle.toml", builtin_registry());
    const dense_profile d{10, 50, 100};
    const auto e = estimate_energy(m, event_counts(), d, 10000, 0.1);
    CHECK(e.idle_pj == Approx(3e13).epsilon(1e-12));
    // 100 MACs per tick at 1 pJ; 200 weight bytes per tick > 100 B of SRAM: DRAM at 10 pJ, / 4;
    // state: 10 neurons x 8 B x 2 per tick at 2 pJ (SRAM).
    const double compute = 100.0 * 1e4, memory = 200.0 * 1e4 / 4 * 10 + 10.0 * 8 * 2 * 1e4 * 2;
    CHECK(e.compute_pj == Approx(compute).epsilon(1e-12));
    CHECK(e.memory_pj == Approx(memory).epsilon(1e-12));
    CHECK(e.total_pj == Approx(compute + memory + 3e13).epsilon(1e-12));
    // The same model per inference of 25 ms: 1/40 of the total.
    CHECK(energy_per_inference_pj(e.total_pj, 10000, 0.1, 25.0) == Approx((compute + memory + 3e13) / 40).epsilon(1e-12));
}

TEST_CASE("a preset based on another keeps its figures and changes what it says", "[unit][energy]") {
    const auto base = find_energy_model("gpu_h100", builtin_registry());
    const auto csr = find_energy_model("gpu_h100_csr", builtin_registry());
    CHECK(csr.kind == "dense");
    CHECK(csr.format == "csr");
    CHECK(base.format == "dense");
    REQUIRE(csr.costs.size() == base.costs.size());
    for (const auto& [cat, cost] : base.costs) {
        CHECK(csr.costs.at(cat).pj == cost.pj);
        CHECK(csr.costs.at(cat).source == cost.source);
    }
    CHECK(csr.sram_capacity_bytes == base.sram_capacity_bytes);
    CHECK(csr.text.find("base preset") != std::string::npos);  // provenance holds both texts
    const std::string bad = "[model]\nname = \"z\"\nbase = \"no_such\"\ndescription = \"d\"\n";
    CHECK_THROWS_WITH(parse_energy_model(bad, "z.toml", builtin_registry()), Catch::Contains("z.toml:3") && Catch::Contains("model.base"));
    CHECK_THROWS_WITH(parse_energy_model("[model]\nname = \"w\"\nbase = \"gpu_h100\"\ndescription = \"d\"\n[dense]\nformat = \"coo\"\n", "w.toml", builtin_registry()),
                      Catch::Contains("dense.format"));
}

TEST_CASE("preset errors name the file, line and key", "[unit][energy]") {
    const std::string head = "[model]\nname = \"x\"\nkind = \"event\"\ndescription = \"d\"\n";
    CHECK_THROWS_WITH(parse_energy_model(head + "[cost.synaptic_events]\nenergy = \"1 pJ\"\n", "x.toml", builtin_registry()),
                      Catch::Contains("x.toml:5") && Catch::Contains("cost.synaptic_events.source"));
    CHECK_THROWS_WITH(parse_energy_model(head + "[cost.synaptic_events]\nenergy = \"1 pJ\"\nsource = \"  \"\n", "x.toml", builtin_registry()),
                      Catch::Contains("citation"));
    CHECK_THROWS_WITH(parse_energy_model(head + "[cost.synaptic_events]\nenergy = \"-1 pJ\"\nsource = \"s\"\n", "x.toml", builtin_registry()),
                      Catch::Contains("x.toml:6") && Catch::Contains(">= 0 pJ"));
    CHECK_THROWS_WITH(parse_energy_model(head + "[cost.synaptic_events]\nenergy = 1.0\nsource = \"s\"\n", "x.toml", builtin_registry()),
                      Catch::Contains("expected an energy as a string with a unit"));
    CHECK_THROWS_WITH(parse_energy_model(head + "[cost.synaptic_events]\nenergy = \"1 mV\"\nsource = \"s\"\n", "x.toml", builtin_registry()),
                      Catch::Contains("expected an energy"));
    CHECK_THROWS_WITH(parse_energy_model(head + "[cost.synaptic_events]\nenergy = \"1 pJ\"\nsource = \"s\"\ncolour = 1\n", "x.toml", builtin_registry()),
                      Catch::Contains("unknown key 'colour'"));
    CHECK_THROWS_WITH(parse_energy_model(head + "[cost.macs]\nenergy = \"1 pJ\"\nsource = \"s\"\n", "x.toml", builtin_registry()),
                      Catch::Contains("unknown category") && Catch::Contains("idle_neuron_ticks"));
    CHECK_THROWS_WITH(parse_energy_model("[model]\nname = \"y\"\nkind = \"dense\"\ndescription = \"d\"\n[cost.mac]\nenergy = \"1 pJ\"\nsource = \"s\"\n",
                                         "y.toml", builtin_registry()),
                      Catch::Contains("sram_byte"));
    CHECK_THROWS_WITH(find_energy_model("no_such_chip", builtin_registry()), Catch::Contains("unknown energy model") && Catch::Contains("loihi"));
    // NaN and infinite figures, and a capacity of 0 (issue 14's list of refusals).
    for (const char* bad : {"nan pJ", "inf pJ"})
        CHECK_THROWS_WITH(parse_energy_model(head + "[cost.synaptic_events]\nenergy = \"" + bad + "\"\nsource = \"s\"\n", "x.toml", builtin_registry()),
                          Catch::Contains("x.toml:6:10: key 'cost.synaptic_events.energy'") && Catch::Contains("not a finite number"));
    CHECK_THROWS_WITH(parse_energy_model("[model]\nname = \"y\"\nbase = \"gpu_h100\"\ndescription = \"d\"\n[dense]\nsram_capacity_bytes = 0\n", "y.toml",
                                         builtin_registry()),
                      Catch::Contains("y.toml:6:23: key 'dense.sram_capacity_bytes'") && Catch::Contains("must be > 0 bytes"));
}

TEST_CASE("preset errors read as scenario errors: unknown, missing and mistyped keys", "[unit][energy]") {
    // Presets and scenarios share one TOML layer (scenario_toml), so the same mistake gives the
    // same message shape in both: file:line:col, the dotted key, what was expected and what was found.
    const std::string cost = "[cost.spikes]\nenergy = \"1 pJ\"\nsource = \"s\"\n";
    const auto message = [&](const std::string& text) -> std::string {
        try {
            parse_energy_model(text, "x.toml", builtin_registry());
        } catch (const scenario_error& e) {
            return static_cast<const std::exception&>(e).what();  // the whole message; e.what is its last part
        }
        return "no error";
    };
    CHECK(message("[model]\nname = \"x\"\nkind = \"event\"\ndescription = \"d\"\ncolour = 1\n" + cost) ==
          "x.toml:5:1: key 'model.colour': unknown key 'colour' (accepted: name, kind, description, backend, assumes, base)");
    CHECK(message("[model]\nname = 5\nkind = \"event\"\ndescription = \"d\"\n" + cost) ==
          "x.toml:2:8: key 'model.name': expected a string, got 5 (an integer)");
    CHECK(message("[model]\nname = \"x\"\nkind = \"event\"\n" + cost) ==
          "x.toml:1:1: key 'model.description': missing required key 'description' (a string)");
    CHECK(message("[model]\nname = \"x\"\nkind = \"sparse\"\ndescription = \"d\"\n" + cost) ==
          "x.toml:3:8: key 'model.kind': \"sparse\" is invalid (must be \"event\", \"dense\" or \"event_driven\")");
    CHECK(message("[model]\nname = \"x\"\nbase = \"gpu_h100\"\ndescription = \"d\"\n[dense]\nbatch = \"two\"\n") ==
          "x.toml:6:9: key 'dense.batch': expected a number, got \"two\" (a string)");
    CHECK_THAT(message("[model]\nname = \"x\"\nbase = \"gpu_h100\"\ndescription = \"d\"\n[dense]\nidle_power = \"3 pJ\"\n"),
               Catch::StartsWith("x.toml:6:14: key 'dense.idle_power': expected a power such as \"15 W\" (units: kW, W, mW, uW), got \"3 pJ\""));
    CHECK_THAT(message("[model\n"), Catch::StartsWith("x.toml:1:") && Catch::Contains("TOML syntax error"));
}

TEST_CASE("the recorded ledger reads back equal to the run's counts", "[unit][energy]") {
    const auto sc = test::brunel(1000, 100, 5.0, 2.0, 50.0, 2, 1.0);
    const std::string path = (std::filesystem::temp_directory_path() / ("memspike_ledger_" + std::to_string(::getpid()) + ".h5")).string();
    simulation sim(sc, builtin_models(), 1);
    auto rec = recorder::open_hdf5(path, run_info{});
    run_options opt;
    sim.attach(*rec);
    sim.run(505, opt);
    rec->close(true, 0.0, sim.now());
    const auto ledger = read_energy_ledger(path);
    CHECK(ledger.totals.names() == sim.events().names());
    CHECK(std::ranges::equal(ledger.totals.values(), sim.events().values()));
    CHECK(ledger.ticks == 505);
    CHECK(ledger.bins == 6);  // 100-tick bins, the last one partial
    CHECK(ledger.complete);
    CHECK(ledger.profile.neurons == 1250);
    // A hand-computed TrueNorth total: 26 pJ per synaptic or input event.
    const auto e = estimate_energy(find_energy_model("truenorth", builtin_registry()), ledger.totals, ledger.profile, ledger.ticks, 0.1);
    CHECK(e.total_pj == Approx(26.0 * static_cast<double>(sim.events()[event_kind::synaptic_events] +
                                                          sim.events()[event_kind::stimulus_events])));
    std::filesystem::remove(path);
    CHECK_THROWS_WITH(read_energy_ledger(path), Catch::Contains(path));
}

namespace {

/// 200 Poisson sources (20 Hz) all-to-all onto 20 lif_exp neurons through a plastic (STDP)
/// projection, plus a Poisson stimulus: spikes, stimulus events, neuron updates and, on the
/// crossbar, every crossbar count including set and reset pulses.
scenario plastic_network(const std::string& backend) {
    scenario sc = test::make_scenario(500.0, 0.1, 21);
    test::add_population(sc, "P", "poisson_source", 200, {{"rate", 20.0}});
    test::add_population(sc, "N", "lif_exp", 20);
    auto& pr = test::connect(sc, "P", "N", "all_to_all", 50.0, 1.0, "ex");
    pr.plasticity.rule = "stdp";
    pr.plasticity.params = {{"w_max", 100.0}, {"lambda", 0.05}};
    test::add_poisson(sc, "N", 500.0, 20.0, "ex");
    sc.backend.kind = backend;  // the crossbar at its defaults: the ones the preset is priced at
    return sc;
}

double backend_default(const std::string& name) {
    for (const auto& p : memspike::crossbar::crossbar_backend().params)
        if (p.name == name) return p.default_value;
    FAIL("no crossbar parameter " << name);
    return 0.0;
}

} // namespace

TEST_CASE("reram_crossbar: energy is the sum of count x cost of its figures, on a crossbar run", "[unit][energy]") {
    const auto names = builtin_energy_models();
    CHECK(std::find(names.begin(), names.end(), "reram_crossbar") != names.end());
    const energy_model m = find_energy_model("reram_crossbar", builtin_registry());
    CHECK(m.kind == "event");

    const scenario sc = plastic_network("crossbar");
    simulation sim(sc, builtin_registry(), 1);
    sim.run(sc.duration_ticks());
    const event_counts c = sim.events();
    for (const char* k : {"crossbar_tiles_woken", "crossbar_row_drives", "crossbar_read_conductance", "crossbar_adc_conversions",
                          "crossbar_set_pulses", "crossbar_reset_pulses", "neuron_updates", "stimulus_events"})
        REQUIRE(c.at(k) > 0);  // every priced count occurs, so a wrong figure changes the total

    const auto e = estimate_energy(m, c, sim.dense(), sim.now(), 0.1);
    // The preset's figures, restated here (derivations in the preset file): a change of either
    // the file or the costing fails this test.
    auto n = [&](const char* k) { return static_cast<double>(c.at(k)); };
    const double expected = 4e-7 * n("crossbar_read_conductance") + 0.0035 * n("crossbar_row_drives") +
                            1.691 * n("crossbar_adc_conversions") + 20.45 * n("crossbar_tiles_woken") +
                            1.676 * (n("crossbar_set_pulses") + n("crossbar_reset_pulses")) + 23.3 * n("neuron_updates") +
                            0.1 * n("stimulus_events");
    // Same products, summed in another order: equal to rounding (~1e-16 per term).
    CHECK(e.total_pj == Approx(expected).epsilon(1e-12));
    CHECK(e.memory_pj == 0.0);
    CHECK(e.idle_pj == 0.0);
    double sum = 0.0;
    for (const auto& l : e.lines) {
        CHECK(l.total_pj == l.count * l.pj_each);
        sum += l.total_pj;
    }
    CHECK(e.total_pj == sum);
    // Not priced (see the preset): cell reads (their energy is the read conductance's), clips,
    // spikes, idle neuron ticks, plasticity arithmetic.
    CHECK(e.lines.size() == 8);
    for (const char* unpriced : {"crossbar_cell_reads", "crossbar_adc_clipped", "spikes", "idle_neuron_ticks", "trace_updates", "weight_updates"})
        CHECK(std::none_of(e.lines.begin(), e.lines.end(), [&](const energy_line& l) { return l.category == unpriced; }));

    SECTION("a digital-backend run has no crossbar counters: only the digital neurons and inputs are charged") {
        const scenario dsc = plastic_network("digital");
        simulation dsim(dsc, builtin_registry(), 1);
        dsim.run(dsc.duration_ticks());
        const event_counts d = dsim.events();
        CHECK(d.names() == event_counts().names());  // the engine's counters only
        const auto de = estimate_energy(m, d, dsim.dense(), dsim.now(), 0.1);
        CHECK(de.total_pj == Approx(23.3 * static_cast<double>(d[event_kind::neuron_updates]) +
                                    0.1 * static_cast<double>(d[event_kind::stimulus_events]))
                                 .epsilon(1e-12));
    }
}

TEST_CASE("reram_crossbar: read energy is V_read^2 t_read sum(G), G known from the mapping", "[unit][energy]") {
    // 20 sources spike at tick 10, sources 0-9 again at tick 30, all-to-all onto 100 targets with
    // one weight: every cell maps to (G+, G-) = (g_max, g_min), 30 driven rows in one 128 x 128
    // tile read 100 used columns each. The default device's levels include both bounds, read
    // noise acts after the sum, so sum(G) = 30 x 100 x (g_max + g_min) exactly.
    scenario sc = test::make_scenario(5.0, 0.1, 3);
    std::vector<std::vector<tick_t>> ticks(20, std::vector<tick_t>{10});
    for (std::size_t s = 0; s < 10; ++s) ticks[s].push_back(30);
    test::add_population(sc, "S", "spike_source", 20).spike_ticks = ticks;
    test::add_population(sc, "N", "lif_delta", 100, {{"v_th", 1e6}});
    test::connect(sc, "S", "N", "all_to_all", 0.5, 0.1);
    sc.backend.kind = "crossbar";
    simulation sim(sc, builtin_registry(), 1);
    sim.run(sc.duration_ticks());

    const double g_min_ns = backend_default("g_min"), g_max_ns = backend_default("g_max");
    const double v_read_v = backend_default("v_read") * 1e-3;   // mV -> V
    const double t_read_s = backend_default("t_read") * 1e-3;   // ms -> s
    const double sum_g_ns = 30.0 * 100.0 * (g_max_ns + g_min_ns);
    CHECK(static_cast<double>(sim.events().at("crossbar_read_conductance")) == sum_g_ns);
    CHECK(sim.events().at("crossbar_row_drives") == 30);

    const double read_j = v_read_v * v_read_v * t_read_s * sum_g_ns * 1e-9;  // V^2 s S = J
    const auto e = estimate_energy(find_energy_model("reram_crossbar", builtin_registry()), sim.events(), sim.dense(), sim.now(), 0.1);
    const auto it = std::find_if(e.lines.begin(), e.lines.end(), [](const energy_line& l) { return l.category == "crossbar_read_conductance"; });
    REQUIRE(it != e.lines.end());
    CHECK(it->total_pj == Approx(read_j * 1e12).epsilon(1e-12));  // the preset's 4e-7 pJ per nS is exact in decimal
    // The preset's per-nS figure is the backend's own defaults priced: V_read^2 t_read per siemens.
    CHECK(it->pj_each == Approx(v_read_v * v_read_v * t_read_s * 1e-9 * 1e12).epsilon(1e-12));
}

TEST_CASE("energy per inference: /energy stores the inference time, total x inference / simulated time", "[unit][energy]") {
    const auto sc = test::brunel(1000, 100, 5.0, 2.0, 100.0, 2, 1.0);
    const std::string path = (std::filesystem::temp_directory_path() / ("memspike_inference_" + std::to_string(::getpid()) + ".h5")).string();
    for (const double inference_ms : {0.0, 25.0}) {
        simulation sim(sc, builtin_models(), 1);
        run_info info;
        info.resolution_ms = 0.1;
        info.inference_ms = inference_ms;
        auto rec = recorder::open_hdf5(path, info, true);  // the same file for both values
        run_options opt;
        sim.attach(*rec);
        sim.run(1000, opt);  // 100 ms: four inferences of 25 ms
        rec->close(true, 0.0, sim.now());
        const auto ledger = read_energy_ledger(path);
        CHECK(ledger.inference_ms == inference_ms);  // absent attribute reads as 0
        const auto e = estimate_energy(find_energy_model("truenorth", builtin_registry()), ledger.totals, ledger.profile, ledger.ticks, ledger.resolution_ms);
        const double per = energy_per_inference_pj(e.total_pj, ledger.ticks, ledger.resolution_ms, ledger.inference_ms);
        if (inference_ms > 0) {
            REQUIRE(e.total_pj > 0);
            CHECK(per == Approx(e.total_pj / 4.0).epsilon(1e-12));
        } else {
            CHECK(per == 0.0);
        }
    }
    std::filesystem::remove(path);
    CHECK(energy_per_inference_pj(100.0, 0, 0.1, 25.0) == 0.0);  // nothing simulated
}
