// SPDX-License-Identifier: MIT
// Event-driven CPU/GPU baselines (kind = "event_driven"): every figure of the shipped presets
// derived by hand from the numbers their files cite, the cache model on both sides of each
// preset's capacity, the static power over the modelled run time, the choice of the "x vs"
// baseline, and bad presets refused with file:line:key.
#include <catch2/catch.hpp>

#include <string>

#include "memspike/backends/builtin.hpp"
#include "memspike/core/energy.hpp"
#include "memspike/core/errors.hpp"

using namespace memspike;

namespace {

event_counts ledger(std::uint64_t syn, std::uint64_t stim, std::uint64_t spikes, std::uint64_t updates, std::uint64_t wu,
                    std::uint64_t tu) {
    event_counts c;
    c[event_kind::synaptic_events] = syn;
    c[event_kind::stimulus_events] = stim;
    c[event_kind::spikes] = spikes;
    c[event_kind::neuron_updates] = updates;
    c[event_kind::weight_updates] = wu;
    c[event_kind::trace_updates] = tu;
    return c;
}

/// The line of `e` whose category starts with `prefix` (fails the test if none).
const energy_line& line(const energy_estimate& e, const std::string& prefix) {
    for (const auto& l : e.lines)
        if (l.category.starts_with(prefix)) return l;
    FAIL("no line " << prefix << " in " << e.model);
    throw std::logic_error("unreachable");
}

} // namespace

// The figures below are the ones the preset files cite, typed here by hand (not read from the
// loaded model): cpu_event_driven takes cpu_45nm's Horowitz figures (MAC 4.6 pJ, SRAM 12.5 pJ/B,
// DRAM 162.5 pJ/B) plus an fp32 add of 0.9 pJ; 8 B per synaptic event, 8 B per spike, 4 B per
// weight/trace, 4 B accumulator, 8 B state; 8 MB (8,388,608 B) LLC; 23.75 W; 0 / 2.6 / 3.15 /
// 4.2 ns per tick / synaptic event / input event / update. gpu_event_driven takes gpu_h100's
// (MAC 1.4, L2 1.25 pJ/B, HBM 32 pJ/B) plus an add of 0.71 pJ; the same bytes; 50 MB
// (52,428,800 B) L2; 15 W; 10 us / 2.39 ps / 0 / 4.78 ps.
TEST_CASE("event-driven baselines: every figure derived by hand from the presets' cited numbers", "[unit][energy]") {
    const event_counts c = ledger(1000, 200, 50, 3000, 10, 20);
    const tick_t ticks = 10000;  // 1 s at 0.1 ms
    const double syn_bytes = 1000 * 8 + 50 * 8 + 10 * 2 * 4;             // index + weight, row, plastic weights
    const double neuron_bytes = 1200 * 2 * 4 + 3000 * 2 * 8 + 20 * 2 * 4;  // accumulators, state, traces
    const double adds = 1000 + 200 + 3000, macs = 3000 + 10 + 20;

    SECTION("cpu_event_driven, synapses in the 8 MB cache: 500 x 12 B neurons + 12,345 x 8 B + 500 x 8 B = 108,760 B") {
        const auto e = estimate_energy(find_energy_model("cpu_event_driven", builtin_registry()), c, dense_profile{500, 12345, 0},
                                       ticks, 0.1);
        CHECK(e.kind == "event_driven");
        CHECK(line(e, "synapse bytes (cache)").total_pj == Approx(12.5 * syn_bytes));
        CHECK(line(e, "neuron bytes").total_pj == Approx(12.5 * neuron_bytes));
        CHECK(line(e, "adds").total_pj == Approx(0.9 * adds));
        CHECK(line(e, "MACs").total_pj == Approx(4.6 * macs));
        const double run_s = 1000 * 2.6e-9 + 200 * 3.15e-9 + 3000 * 4.2e-9;  // no per-tick time
        CHECK(e.run_time_s == Approx(run_s).epsilon(1e-12));
        CHECK(e.idle_pj == Approx(23.75 * run_s * 1e12).epsilon(1e-12));
        CHECK(e.total_pj == Approx(12.5 * (syn_bytes + neuron_bytes) + 0.9 * adds + 4.6 * macs + 23.75 * run_s * 1e12).epsilon(1e-12));
        for (const auto& l : e.lines) CHECK(!l.source.empty());
    }
    SECTION("the cache model: 2,000,000 synapses (16 MB) are read from DRAM on the CPU (8 MB) and from L2 on the GPU (50 MB)") {
        const dense_profile big{500, 2000000, 0};
        const auto cpu = estimate_energy(find_energy_model("cpu_event_driven", builtin_registry()), c, big, ticks, 0.1);
        CHECK(line(cpu, "synapse bytes (DRAM/HBM)").total_pj == Approx(162.5 * syn_bytes));
        CHECK(line(cpu, "neuron bytes").total_pj == Approx(12.5 * neuron_bytes));  // 6,000 B of neurons still fit
        const auto gpu = estimate_energy(find_energy_model("gpu_event_driven", builtin_registry()), c, big, ticks, 0.1);
        CHECK(line(gpu, "synapse bytes (cache)").total_pj == Approx(1.25 * syn_bytes));
        // On the edge: 500 x 12 B + n x 8 B + 500 x 8 B = 8,388,608 B fits exactly; one synapse more does not.
        const std::uint64_t edge = (8388608 - 500 * 12 - 500 * 8) / 8;
        REQUIRE(500 * 12 + edge * 8 + 500 * 8 == 8388608);
        const auto cpu_model = find_energy_model("cpu_event_driven", builtin_registry());
        CHECK(estimate_energy(cpu_model, c, dense_profile{500, edge, 0}, ticks, 0.1).lines[0].category == "synapse bytes (cache)");
        CHECK(estimate_energy(cpu_model, c, dense_profile{500, edge + 1, 0}, ticks, 0.1).lines[0].category == "synapse bytes (DRAM/HBM)");
    }
    SECTION("gpu_event_driven: the launch-bound run time (10 us per tick) and 15 W idle power") {
        const auto e = estimate_energy(find_energy_model("gpu_event_driven", builtin_registry()), c, dense_profile{500, 12345, 0},
                                       ticks, 0.1);
        const double run_s = 10000 * 10e-6 + 1000 * 2.39e-12 + 200 * 0.0 + 3000 * 4.78e-12;
        CHECK(e.run_time_s == Approx(run_s).epsilon(1e-12));
        CHECK(e.idle_pj == Approx(15.0 * run_s * 1e12).epsilon(1e-12));
        CHECK(e.compute_pj == Approx(0.71 * adds + 1.4 * macs).epsilon(1e-12));
        CHECK(e.memory_pj == Approx(1.25 * (syn_bytes + neuron_bytes)).epsilon(1e-12));
        CHECK(e.total_pj == Approx(e.compute_pj + e.memory_pj + e.idle_pj).epsilon(1e-12));
    }
}

TEST_CASE("event-driven baselines use the same cited figures as the dense ones they are based on", "[unit][energy]") {
    // A drift between cpu_45nm and cpu_event_driven (an edited figure in one file only) would make
    // the two CPU baselines price the same operation differently.
    for (const auto& [ed, dense] : {std::pair{"cpu_event_driven", "cpu_45nm"}, std::pair{"gpu_event_driven", "gpu_h100"}}) {
        INFO(ed);
        const auto a = find_energy_model(ed, builtin_registry()), b = find_energy_model(dense, builtin_registry());
        for (const char* cat : {"mac", "sram_byte", "dram_byte"}) {
            CHECK(a.costs.at(cat).pj == b.costs.at(cat).pj);
            CHECK(a.costs.at(cat).source == b.costs.at(cat).source);
        }
        CHECK(a.event_driven.size() == event_driven_keys().size());
        for (const auto& [k, f] : a.event_driven) CHECK(!f.source.empty());
    }
}

TEST_CASE("the x vs baseline: the cheapest conventional model by default, or the one named", "[unit][energy]") {
    std::vector<energy_estimate> es(5);
    es[0].model = "loihi", es[0].kind = "event", es[0].total_pj = 1.0;  // cheapest, but a chip
    es[1].model = "cpu_45nm", es[1].kind = "dense", es[1].total_pj = 900.0;
    es[2].model = "gpu_event_driven", es[2].kind = "event_driven", es[2].total_pj = 30.0;
    es[3].model = "cpu_event_driven", es[3].kind = "event_driven", es[3].total_pj = 500.0;
    es[4].model = "gpu_h100", es[4].kind = "dense", es[4].total_pj = 30.0;  // ties: the first listed wins
    CHECK(choose_baseline(es)->model == "gpu_event_driven");
    CHECK(choose_baseline(es, "cpu_45nm")->model == "cpu_45nm");
    CHECK(choose_baseline(es, "loihi")->model == "loihi");  // named: any kind
    CHECK(choose_baseline(es, "no_such") == nullptr);
    CHECK(choose_baseline(std::vector<energy_estimate>(es.begin(), es.begin() + 1)) == nullptr);  // chips only
}

TEST_CASE("bad event-driven presets are refused with file, line and key", "[unit][energy]") {
    const std::string head = "[model]\nname = \"e\"\nbase = \"cpu_event_driven\"\ndescription = \"d\"\n[event_driven]\n";
    const auto message = [](const std::string& text) -> std::string {
        try {
            parse_energy_model(text, "e.toml", builtin_registry());
        } catch (const scenario_error& e) {
            return static_cast<const std::exception&>(e).what();
        }
        return "no error";
    };
    CHECK(message(head + "bytes_per_synapse = { value = 4, source = \"compact store\" }\n") == "no error");
    CHECK(message(head + "bytes_per_synapse = { value = 4 }\n") ==
          "e.toml:6:21: key 'event_driven.bytes_per_synapse.source': missing required key 'source' (a string citing where the figure comes from)");
    CHECK_THAT(message(head + "bytes_per_synapse = { value = 4, source = \" \" }\n"),
               Catch::StartsWith("e.toml:6:") && Catch::Contains("event_driven.bytes_per_synapse.source") && Catch::Contains("citation"));
    CHECK_THAT(message(head + "bytes_per_synapse = { value = -4, source = \"s\" }\n"),
               Catch::StartsWith("e.toml:6:31: key 'event_driven.bytes_per_synapse.value'") && Catch::Contains("must be >= 0 bytes"));
    CHECK_THAT(message(head + "bytes_per_synapse = { value = nan, source = \"s\" }\n"),
               Catch::StartsWith("e.toml:6:31: key 'event_driven.bytes_per_synapse.value'") && Catch::Contains("finite"));
    CHECK_THAT(message(head + "static_power = { value = \"nan W\", source = \"s\" }\n"),
               Catch::StartsWith("e.toml:6:") && Catch::Contains("event_driven.static_power.value"));
    CHECK_THAT(message(head + "static_power = { value = \"-1 W\", source = \"s\" }\n"),
               Catch::StartsWith("e.toml:6:") && Catch::Contains("event_driven.static_power.value") && Catch::Contains(">= 0 W"));
    CHECK_THAT(message(head + "time_per_tick = { value = \"5\", source = \"s\" }\n"),
               Catch::StartsWith("e.toml:6:") && Catch::Contains("event_driven.time_per_tick.value") && Catch::Contains("time"));
    CHECK_THAT(message(head + "cache_capacity_bytes = { value = 0, source = \"s\" }\n"),
               Catch::StartsWith("e.toml:6:34: key 'event_driven.cache_capacity_bytes.value'") && Catch::Contains("must be > 0 bytes"));
    CHECK_THAT(message(head + "cache_bytes = { value = 1, source = \"s\" }\n"),
               Catch::StartsWith("e.toml:6:1: key 'event_driven.cache_bytes': unknown key 'cache_bytes'") &&
                   Catch::Contains("cache_capacity_bytes"));
    CHECK_THAT(message(head + "bytes_per_synapse = 8\n"),
               Catch::StartsWith("e.toml:6:21: key 'event_driven.bytes_per_synapse'") && Catch::Contains("{ value = 8, source"));
    CHECK_THAT(message(head + "bytes_per_synapse = { value = 8, source = \"s\", note = 1 }\n"),
               Catch::Contains("event_driven.bytes_per_synapse.note") && Catch::Contains("unknown key 'note'"));
    // A preset of its own must give every figure; the message names the first missing key.
    CHECK_THAT(message("[model]\nname = \"e\"\nkind = \"event_driven\"\ndescription = \"d\"\n[event_driven]\n"
                       "bytes_per_synapse = { value = 8, source = \"s\" }\n"
                       "[cost.add]\nenergy = \"1 pJ\"\nsource = \"s\"\n"),
               Catch::StartsWith("e.toml:5:1: key 'event_driven.bytes_per_spike': missing:"));
    CHECK_THAT(message(head + "[cost.add]\nenergy = \"nan pJ\"\nsource = \"s\"\n"),
               Catch::StartsWith("e.toml:7:10: key 'cost.add.energy'") && Catch::Contains("not a finite number"));
    CHECK_THAT(message(head + "[cost.add]\nenergy = \"-0.9 pJ\"\nsource = \"s\"\n"),
               Catch::StartsWith("e.toml:7:10: key 'cost.add.energy'") && Catch::Contains("must be >= 0 pJ"));
    // Categories: an event_driven model prices add, mac, sram_byte and dram_byte only.
    CHECK_THAT(message(head + "[cost.synaptic_events]\nenergy = \"1 pJ\"\nsource = \"s\"\n"),
               Catch::StartsWith("e.toml:6:") && Catch::Contains("cost.synaptic_events") && Catch::Contains("add, mac, sram_byte, dram_byte"));
    // An event_driven preset on an event model's figures brings categories it does not price.
    CHECK_THAT(message("[model]\nname = \"e\"\nbase = \"loihi\"\nkind = \"event_driven\"\ndescription = \"d\"\n"),
               Catch::StartsWith("e.toml:1:1: key 'cost.") && Catch::Contains("the base preset prices"));
    // Only event_driven models have the table; only dense ones have [dense].
    CHECK_THAT(message("[model]\nname = \"e\"\nbase = \"gpu_h100\"\ndescription = \"d\"\n[event_driven]\n"),
               Catch::StartsWith("e.toml:5:1: key 'event_driven'") && Catch::Contains("only event_driven models"));
    CHECK_THAT(message(head + "[dense]\nbatch = 2\n"), Catch::Contains("only dense models have a [dense] table"));
    // The dense baselines' capacity: 0 bytes of SRAM is refused too.
    CHECK_THAT(message("[model]\nname = \"e\"\nbase = \"gpu_h100\"\ndescription = \"d\"\n[dense]\nsram_capacity_bytes = 0\n"),
               Catch::StartsWith("e.toml:6:23: key 'dense.sram_capacity_bytes'") && Catch::Contains("must be > 0 bytes"));
}
