// SPDX-License-Identifier: MIT
// The scenario parser against a small registry of fake models, so that these tests depend on core
// only: every accepted key, every default, and the located messages of the errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <fstream>
#include <string>

#include "memspike/core/errors.hpp"
#include "memspike/core/scenario.hpp"

using namespace memspike;

namespace {

model_registry fake_models() {
    model_registry r;
    model_info lif;
    lif.name = "lif_fake";
    lif.summary = "a fake LIF with one voltage-jump port";
    lif.params = {
        {"tau_m", dimension::time, 10.0, "membrane time constant"},
        {"c_m", dimension::capacitance, 250.0, "membrane capacitance"},
        {"v_th", dimension::voltage, -55.0, "threshold"},
        {"v_reset", dimension::voltage, -70.0, "reset"},
        {"i_e", dimension::current, 0.0, "bias current"},
        {"gain", dimension::dimensionless, 1.0, "a dimensionless factor"},
    };
    lif.ports = {{"v", dimension::voltage}};
    lif.state = {{"v", dimension::voltage}};
    lif.validate = [](const param_map& p) {
        if (!(p.at("tau_m") > 0)) throw invalid_parameter("lif_fake", "tau_m", format_quantity(p.at("tau_m"), dimension::time), "must be > 0 ms");
        if (!(p.at("v_reset") < p.at("v_th")))
            throw invalid_parameter("lif_fake", "v_reset", format_quantity(p.at("v_reset"), dimension::voltage),
                                    "must be < v_th = " + format_quantity(p.at("v_th"), dimension::voltage));
    };
    r.add(lif);

    model_info two;
    two.name = "two_port";
    two.params = {{"tau_m", dimension::time, 10.0, ""}};
    two.ports = {{"ex", dimension::current}, {"in", dimension::current}};
    two.state = {{"v", dimension::voltage}, {"i_ex", dimension::current}};
    r.add(two);

    model_info cond;
    cond.name = "cond";
    cond.ports = {{"ex", dimension::conductance}, {"in", dimension::conductance}};
    cond.state = {{"v", dimension::voltage}, {"g_ex", dimension::conductance}};
    r.add(cond);

    model_info rate;
    rate.name = "rate_source";
    rate.params = {{"rate", dimension::frequency, std::numeric_limits<double>::quiet_NaN(), "rate"}};
    r.add(rate);

    model_info spikes;
    spikes.name = "spike_source";
    spikes.spike_times = true;
    r.add(spikes);
    return r;
}

const model_registry& models() {
    static const model_registry r = fake_models();
    return r;
}

scenario parse(const std::string& text, const std::vector<override_entry>& overrides = {}) {
    return parse_scenario(text, "test.toml", models(), overrides);
}

/// The full message; scenario_error's member `what` (the reason alone) hides what().
std::string message(const std::exception& e) { return e.what(); }

/// The scenario_error for a text that must fail.
scenario_error error_of(const std::string& text, const std::vector<override_entry>& overrides = {}) {
    try {
        parse(text, overrides);
    } catch (const scenario_error& e) {
        return e;
    }
    FAIL("expected a scenario_error for:\n" << text);
    throw;
}

const std::string sim = "[simulation]\nduration = \"100 ms\"\n";

const std::string full = R"([simulation]
duration = "1 s"
resolution = "0.1 ms"
seed = 7
threads = 2
scale = 1.0
quiescence_tolerance = 1e-6

[[population]]
name = "E"
model = "lif_fake"
size = 80
params = { tau_m = "20 ms", v_th = "20 mV", v_reset = "10 mV", c_m = "0.25 nF", gain = 2 }
init = { v = { dist = "uniform", low = "10 mV", high = "20 mV" } }

[[population]]
name = "I"
model = "two_port"
size = 20
[population.params]
tau_m = "5 ms"
[population.init]
v = "-65 mV"
i_ex = { dist = "normal", mean = "1 pA", sd = "0.5 pA", min = "0 pA", out_of_range = "redraw" }

[[population]]
name = "S"
model = "spike_source"
spike_times = [["2 ms", "1 ms"], [], ["0 ms"]]

[[projection]]
source = "E"
target = "I"
rule = "fixed_indegree"
indegree = 10
allow_multapses = false
weight = "1 pA"
delay = "1.5 ms"
receptor = "ex"

[[projection]]
name = "EE"
source = "E"
target = "E"
rule = "fixed_probability"
probability = 0.1
allow_autapses = false
weight = { dist = "normal", mean = "0.1 mV", sd = "0.01 mV" }
delay = { dist = "normal", mean = "1 ms", sd = "0.5 ms", out_of_range = "redraw" }

[[projection]]
source = "S"
target = "E"
rule = "all_to_all"
weight = "0.5 mV"
delay = { dist = "uniform", low = "0.1 ms", high = "2 ms" }

[[stimulus]]
kind = "poisson"
target = "E"
rate = "8 kHz"
weight = "0.1 mV"
shared = true
start = "10 ms"
stop = "500 ms"

[[stimulus]]
name = "bias"
kind = "dc"
target = "I"
neurons = [0, 3]
amplitude = "0.2 nA"

[[stimulus]]
name = "steps"
kind = "step"
target = "E"
times = ["0 ms", "100 ms"]
amplitudes = ["100 pA", "0 pA"]

[recording]
spikes = ["E", "S"]
flush_interval = "50 ms"
[[recording.trace]]
population = "I"
variables = ["v", "i_ex"]
neurons = [0, 1]
interval = "0.5 ms"
[[recording.trace]]
population = "E"
variables = ["v"]
)";

} // namespace

TEST_CASE("a complete scenario is read into the spec in internal units", "[unit][scenario]") {
    const scenario sc = parse(full);
    CHECK(sc.file == "test.toml");
    CHECK(sc.text == full);

    CHECK(sc.simulation.duration_ms == 1000.0);
    CHECK(sc.simulation.resolution_ms == 0.1);
    CHECK(sc.simulation.seed == 7);
    CHECK(sc.simulation.threads == 2);
    CHECK(sc.simulation.quiescence_tolerance == 1e-6);
    CHECK(sc.duration_ticks() == 10000);

    REQUIRE(sc.populations.size() == 3);
    const auto& e = sc.populations[0];
    CHECK(e.name == "E");
    CHECK(e.model == "lif_fake");
    CHECK(e.size == 80);
    CHECK(e.params.at("tau_m") == 20.0);
    CHECK(e.params.at("c_m") == 250.0);
    CHECK(e.params.at("gain") == 2.0);
    CHECK(e.params.at("i_e") == 0.0);  // default filled in
    CHECK(e.params.size() == 6);
    REQUIRE(e.init.count("v") == 1);
    CHECK(e.init.at("v").k == distribution::kind::uniform);
    CHECK(e.init.at("v").low == 10.0);
    CHECK(e.init.at("v").high == 20.0);
    CHECK(e.init.at("v").where.key == "population.E.init.v");
    CHECK(e.init.at("v").where.line == 14);
    CHECK(e.where.line == 9);

    const auto& i = sc.populations[1];
    CHECK(i.params.at("tau_m") == 5.0);
    CHECK(i.init.at("v").is_constant());
    CHECK(i.init.at("v").value == -65.0);
    CHECK(i.init.at("i_ex").k == distribution::kind::normal);
    CHECK(i.init.at("i_ex").min == 0.0);
    CHECK(std::isinf(i.init.at("i_ex").max));
    CHECK(i.init.at("i_ex").policy == distribution::out_of_range::redraw);

    const auto& s = sc.populations[2];
    CHECK(s.size == 3);  // from spike_times
    REQUIRE(s.spike_ticks.size() == 3);
    CHECK(s.spike_ticks[0] == std::vector<tick_t>{10, 20});  // sorted
    CHECK(s.spike_ticks[1].empty());
    CHECK(s.spike_ticks[2] == std::vector<tick_t>{0});

    REQUIRE(sc.projections.size() == 3);
    const auto& ei = sc.projections[0];
    CHECK(ei.name == "E->I");
    CHECK(ei.rule == "fixed_indegree");
    CHECK(ei.indegree == 10);
    CHECK(ei.allow_autapses);
    CHECK_FALSE(ei.allow_multapses);
    CHECK(ei.weight.value == 1.0);
    CHECK(ei.delay.value == 1.5);
    CHECK(ei.receptor == "ex");
    CHECK(ei.where.key == "projection.E->I");
    const auto& ee = sc.projections[1];
    CHECK(ee.name == "EE");
    CHECK(ee.probability == 0.1);
    CHECK_FALSE(ee.allow_autapses);
    CHECK(ee.weight.k == distribution::kind::normal);
    CHECK(ee.weight.where.key == "projection.EE.weight");
    CHECK(ee.delay.min == 0.1);  // one resolution step by default
    CHECK(ee.delay.policy == distribution::out_of_range::redraw);
    CHECK(ee.receptor.empty());  // the only port
    CHECK(sc.projections[2].name == "S->E");
    CHECK(sc.projections[2].delay.low == 0.1);

    REQUIRE(sc.stimuli.size() == 3);
    const auto& p = sc.stimuli[0];
    CHECK(p.name == "poisson0");
    CHECK(p.kind == "poisson");
    CHECK(p.rate_hz == 8000.0);
    CHECK(p.weight == 0.1);
    CHECK(p.shared);
    CHECK(p.start_ms == 10.0);
    CHECK(p.stop_ms == 500.0);
    CHECK(p.neurons.empty());
    const auto& dc = sc.stimuli[1];
    CHECK(dc.amplitude_pa == 200.0);
    CHECK(dc.neurons == std::vector<std::uint64_t>{0, 3});
    CHECK(std::isinf(dc.stop_ms));
    const auto& st = sc.stimuli[2];
    CHECK(st.times_ms == std::vector<double>{0.0, 100.0});
    CHECK(st.amplitudes_pa == std::vector<double>{100.0, 0.0});

    CHECK_FALSE(sc.recording.all_spikes);
    CHECK(sc.recording.spike_populations == std::vector<std::string>{"E", "S"});
    CHECK(sc.recording.flush_interval_ms == 50.0);
    REQUIRE(sc.recording.traces.size() == 2);
    CHECK(sc.recording.traces[0].variables == std::vector<std::string>{"v", "i_ex"});
    CHECK(sc.recording.traces[0].neurons == std::vector<std::uint64_t>{0, 1});
    CHECK(sc.recording.traces[0].interval_ms == 0.5);
    CHECK(sc.recording.traces[1].neurons.size() == 80);  // default: every neuron
    CHECK(sc.recording.traces[1].interval_ms == 1.0);
}

TEST_CASE("defaults of a minimal scenario", "[unit][scenario]") {
    const scenario sc = parse(sim + "[[population]]\nname = \"E\"\nmodel = \"lif_fake\"\nsize = 3\n");
    CHECK(sc.simulation.resolution_ms == 0.1);
    CHECK(sc.simulation.seed == 12345);
    CHECK(sc.simulation.threads == 0);
    CHECK(sc.simulation.scale == 1.0);
    CHECK(sc.simulation.quiescence_tolerance == 1e-9);
    CHECK(sc.recording.all_spikes);
    CHECK(sc.recording.flush_interval_ms == 100.0);
    CHECK(sc.populations[0].params.at("tau_m") == 10.0);
    CHECK(sc.populations[0].init.empty());
    CHECK(sc.projections.empty());
    CHECK(sc.stimuli.empty());
    CHECK(parse(sim).populations.empty());  // an empty network is valid
}

TEST_CASE("scale multiplies population sizes, rounding to nearest and at least 1", "[unit][scenario]") {
    const scenario sc = parse(R"([simulation]
duration = "10 ms"
scale = 0.25
[[population]]
name = "A"
model = "lif_fake"
size = 10
[[population]]
name = "B"
model = "lif_fake"
size = 1
[[population]]
name = "S"
model = "spike_source"
spike_times = [[], []]
)");
    CHECK(sc.populations[0].size == 3);  // 2.5 rounds to nearest (away from zero)
    CHECK(sc.populations[1].size == 1);  // never 0
    CHECK(sc.populations[2].size == 2);  // spike sources keep the size of their spike lists
}

TEST_CASE("errors name the file, line, column, dotted key, value and rule", "[unit][scenario]") {
    SECTION("a parameter of the wrong dimension") {
        const auto e = error_of(sim + "[[population]]\nname = \"E\"\nmodel = \"lif_fake\"\nsize = 1\n"
                                      "params = { tau_m = \"20 mV\" }\n");
        CHECK(e.file == "test.toml");
        CHECK(e.line == 7);
        CHECK(e.column == 20);
        CHECK(e.key == "population.E.params.tau_m");
        CHECK_THAT(e.what, Catch::Contains("expected a time such as \"20 ms\" (units: s, ms, us, ns, min), got \"20 mV\""));
        CHECK_THAT(message(e), Catch::StartsWith("test.toml:7:20: key 'population.E.params.tau_m': "));
    }
    SECTION("a non-positive duration") {
        const auto e = error_of("[simulation]\nduration = \"-20 ms\"\n");
        CHECK(e.line == 2);
        CHECK(e.key == "simulation.duration");
        CHECK(e.what == "\"-20 ms\" is invalid (must be > 0 ms)");
    }
    SECTION("a number where a quantity string is needed") {
        const auto e = error_of("[simulation]\nduration = 20\n");
        CHECK_THAT(e.what, Catch::Contains("got 20 (an integer)") && Catch::Contains("as a string with a unit"));
    }
    SECTION("TOML syntax errors keep their line") {
        const auto e = error_of("[simulation]\nduration = \"1 s\"\nseed = = 3\n");
        CHECK(e.line == 3);
        CHECK_THAT(e.what, Catch::Contains("TOML syntax error"));
    }
    SECTION("a required key missing points at its table") {
        const auto e = error_of("# comment\n[simulation]\nseed = 1\n");
        CHECK(e.line == 2);
        CHECK(e.key == "simulation.duration");
        CHECK_THAT(e.what, Catch::Contains("missing required key 'duration'"));
        CHECK_THAT(error_of("").what, Catch::Contains("missing required table [simulation]"));
    }
}

TEST_CASE("unknown keys are errors listing the accepted keys", "[unit][scenario]") {
    auto e = error_of(sim + "durration = \"1 s\"\n");
    CHECK(e.line == 3);
    CHECK(e.column == 1);
    CHECK(e.key == "simulation.durration");
    CHECK_THAT(e.what, Catch::Contains("unknown key 'durration'") &&
                           Catch::Contains("accepted: duration, resolution, seed, threads, scale, quiescence_tolerance"));
    CHECK_THAT(error_of(sim + "[simulaton]\n").what, Catch::Contains("unknown key 'simulaton'"));
    CHECK(error_of(sim + "[[population]]\nname = \"E\"\nmodel = \"lif_fake\"\nsize = 1\nsiz = 2\n").key == "population.E.siz");
    e = error_of(sim + "[[population]]\nname = \"E\"\nmodel = \"lif_fake\"\nsize = 1\nparams = { tau_M = \"1 ms\" }\n");
    CHECK(e.key == "population.E.params.tau_M");
    CHECK_THAT(e.what, Catch::Contains("unknown parameter 'tau_M'") && Catch::Contains("tau_m, c_m, v_th"));
    e = error_of(sim + "[recording]\nspike = \"all\"\n");
    CHECK_THAT(e.what, Catch::Contains("accepted: spikes, flush_interval, energy_bin, trace, weights"));
    e = error_of(sim + "[[population]]\nname = \"E\"\nmodel = \"lif_fake\"\nsize = 1\n"
                       "init = { v = { dist = \"uniform\", low = \"1 mV\", high = \"2 mV\", mean = \"1 mV\" } }\n");
    CHECK(e.key == "population.E.init.v.mean");
    CHECK_THAT(e.what, Catch::Contains("accepted: dist, low, high"));
}

TEST_CASE("wrong TOML types name the expected type", "[unit][scenario]") {
    const std::string pop = sim + "[[population]]\nname = \"E\"\nmodel = \"lif_fake\"\n";
    CHECK_THAT(error_of(pop + "size = \"10\"\n").what, Catch::Contains("expected an integer >= 1, got \"10\" (a string)"));
    CHECK_THAT(error_of(pop + "size = 1.5\n").what, Catch::Contains("got 1.5 (a float)"));
    CHECK(error_of(pop + "size = 0\n").what == "0 is invalid (must be >= 1)");
    CHECK_THAT(error_of(sim + "seed = -1\n").what, Catch::Contains("-1 is invalid (must be >= 0)"));
    CHECK_THAT(error_of(pop + "size = 1\nparams = 3\n").what, Catch::Contains("expected a table of parameters"));
    CHECK_THAT(error_of(sim + "[population]\nname = \"E\"\n").what, Catch::Contains("expected an array of tables ([[population]]"));
    CHECK_THAT(error_of(sim + "scale = \"2\"\n").what, Catch::Contains("expected a number"));
    CHECK_THAT(error_of(sim + "scale = nan\n").what, Catch::Contains("must be a finite number"));
    CHECK_THAT(error_of(sim + "scale = 0\n").what, Catch::Contains("must be > 0"));
    CHECK_THAT(error_of(sim + "quiescence_tolerance = -1e-9\n").what, Catch::Contains("must be > 0"));
}

TEST_CASE("simulation times must lie on the tick grid", "[unit][scenario]") {
    auto e = error_of("[simulation]\nduration = \"1.05 ms\"\nresolution = \"0.1 ms\"\n");
    CHECK(e.key == "simulation.duration");
    CHECK_THAT(e.what, Catch::Contains("whole number of ticks of the resolution 0.1 ms"));
    CHECK_THAT(error_of("[simulation]\nduration = \"1 ms\"\nresolution = \"0 ms\"\n").what, Catch::Contains("must be > 0 ms"));
    CHECK(parse("[simulation]\nduration = \"1 s\"\nresolution = \"0.25 ms\"\n").duration_ticks() == 4000);
}

TEST_CASE("populations: names, models, parameters and initial values", "[unit][scenario]") {
    const std::string head = sim + "[[population]]\n";
    SECTION("names are identifiers and unique") {
        auto e = error_of(head + "model = \"lif_fake\"\nsize = 1\n");
        CHECK(e.key == "population[0].name");
        CHECK_THAT(e.what, Catch::Contains("missing required key 'name'"));
        e = error_of(head + "name = \"1E\"\nmodel = \"lif_fake\"\nsize = 1\n");
        CHECK_THAT(e.what, Catch::Contains("must be an identifier"));
        e = error_of(head + "name = \"E\"\nmodel = \"lif_fake\"\nsize = 1\n" + "[[population]]\nname = \"E\"\nmodel = \"lif_fake\"\nsize = 1\n");
        CHECK(e.line == 8);
        CHECK_THAT(e.what, Catch::Contains("duplicate population name 'E'"));
    }
    SECTION("unknown model lists the registered ones") {
        const auto e = error_of(head + "name = \"E\"\nmodel = \"lif\"\nsize = 1\n");
        CHECK(e.key == "population.E.model");
        CHECK(e.line == 5);
        CHECK_THAT(e.what, Catch::Contains("'lif'") && Catch::Contains("lif_fake, two_port, cond, rate_source, spike_source"));
    }
    SECTION("the model's cross-checks are located at the offending parameter") {
        const auto e = error_of(head + "name = \"E\"\nmodel = \"lif_fake\"\nsize = 1\n[population.params]\nv_th = \"-60 mV\"\n"
                                       "v_reset = \"-50 mV\"\n");
        CHECK(e.line == 9);
        CHECK(e.key == "population.E.params.v_reset");
        CHECK_THAT(e.what, Catch::Contains("lif_fake: v_reset = -50 mV is invalid (must be < v_th = -60 mV)"));
    }
    SECTION("a cross-check on a defaulted parameter points at the params table") {
        const auto e = error_of(head + "name = \"E\"\nmodel = \"lif_fake\"\nsize = 1\nparams = { v_th = \"-80 mV\" }\n");
        CHECK(e.line == 7);
        CHECK(e.key == "population.E.params.v_reset");
    }
    SECTION("a missing required parameter") {
        const auto e = error_of(head + "name = \"P\"\nmodel = \"rate_source\"\nsize = 1\n");
        CHECK(e.key == "population.P.params.rate");
        CHECK(e.line == 3);
        CHECK_THAT(e.what, Catch::Contains("rate_source: rate = (missing)"));
    }
    SECTION("dimensionless parameters take plain numbers or numeric strings") {
        CHECK(parse(head + "name = \"E\"\nmodel = \"lif_fake\"\nsize = 1\nparams = { gain = \"0.5\" }\n").populations[0].params.at("gain") == 0.5);
        CHECK_THAT(error_of(head + "name = \"E\"\nmodel = \"lif_fake\"\nsize = 1\nparams = { gain = \"0.5 ms\" }\n").what,
                   Catch::Contains("unexpected unit 'ms'"));
    }
    SECTION("init keys are state variables") {
        auto e = error_of(head + "name = \"E\"\nmodel = \"lif_fake\"\nsize = 1\ninit = { u = \"1 mV\" }\n");
        CHECK(e.key == "population.E.init.u");
        CHECK_THAT(e.what, Catch::Contains("'u'") && Catch::Contains("known: v"));
        e = error_of(head + "name = \"E\"\nmodel = \"lif_fake\"\nsize = 1\ninit = { v = \"1 nA\" }\n");
        CHECK_THAT(e.what, Catch::Contains("expected a voltage"));
    }
    SECTION("size must fit") {
        CHECK_THAT(error_of(head + "name = \"E\"\nmodel = \"lif_fake\"\nsize = 10000000000\n").what, Catch::Contains("at most 4294967295"));
    }
}

TEST_CASE("distributions", "[unit][scenario]") {
    const std::string head = sim + "[[population]]\nname = \"E\"\nmodel = \"lif_fake\"\nsize = 1\n";
    auto init = [&](const std::string& v) { return head + "init = { v = " + v + " }\n"; };
    CHECK_THAT(error_of(init("{ dist = \"uniform\", low = \"2 mV\", high = \"1 mV\" }")).what,
               Catch::Contains("\"1 mV\" is invalid (must be >= low = 2 mV)"));
    CHECK_THAT(error_of(init("{ dist = \"gamma\" }")).what, Catch::Contains("must be \"uniform\" or \"normal\""));
    CHECK_THAT(error_of(init("{ low = \"1 mV\" }")).what, Catch::Contains("missing required key 'dist'"));
    CHECK_THAT(error_of(init("{ dist = \"uniform\", low = \"1 mV\" }")).what, Catch::Contains("missing required key 'high'"));
    CHECK_THAT(error_of(init("{ dist = \"normal\", mean = \"1 mV\", sd = \"-1 mV\" }")).what, Catch::Contains("must be >= 0 mV"));
    CHECK_THAT(error_of(init("{ dist = \"normal\", mean = \"1 mV\", sd = \"1 mV\", min = \"2 mV\", max = \"1 mV\" }")).what,
               Catch::Contains("must be > min = 2 mV"));
    CHECK_THAT(error_of(init("{ dist = \"normal\", mean = \"1 mV\", sd = \"1 mV\", out_of_range = \"clip\" }")).what,
               Catch::Contains("must be \"error\" or \"redraw\""));
    const auto d = parse(init("{ dist = \"normal\", mean = \"1 mV\", sd = \"0 mV\", min = \"0 mV\", max = \"2 mV\" }"))
                       .populations[0].init.at("v");
    CHECK(d.sd == 0.0);
    CHECK(d.min == 0.0);
    CHECK(d.max == 2.0);
    CHECK(d.policy == distribution::out_of_range::error);
}

TEST_CASE("projections", "[unit][scenario]") {
    const std::string pops = sim +
                             "[[population]]\nname = \"E\"\nmodel = \"lif_fake\"\nsize = 4\n"       // lines 3-6
                             "[[population]]\nname = \"I\"\nmodel = \"two_port\"\nsize = 2\n"       // lines 7-10
                             "[[population]]\nname = \"G\"\nmodel = \"cond\"\nsize = 2\n"           // lines 11-14
                             "[[population]]\nname = \"P\"\nmodel = \"rate_source\"\nsize = 2\nparams = { rate = \"5 Hz\" }\n";
    auto proj = [&](const std::string& body) { return pops + "[[projection]]\n" + body; };
    const std::string ee = "source = \"E\"\ntarget = \"E\"\n";
    SECTION("populations must exist and receive input") {
        auto e = error_of(proj("source = \"X\"\ntarget = \"E\"\nrule = \"all_to_all\"\nweight = \"1 mV\"\ndelay = \"1 ms\"\n"));
        CHECK(e.key == "projection[0].source");
        CHECK_THAT(e.what, Catch::Contains("no population named 'X' (populations: E, I, G, P)"));
        e = error_of(proj("source = \"E\"\ntarget = \"P\"\nrule = \"all_to_all\"\nweight = \"1 mV\"\ndelay = \"1 ms\"\n"));
        CHECK(e.key == "projection.E->P.target");
        CHECK_THAT(e.what, Catch::Contains("has no receptor ports"));
    }
    SECTION("rules and their keys") {
        auto e = error_of(proj(ee + "rule = \"random\"\nweight = \"1 mV\"\ndelay = \"1 ms\"\n"));
        CHECK_THAT(e.what, Catch::Contains("unknown connectivity rule 'random'") && Catch::Contains("fixed_outdegree"));
        e = error_of(proj(ee + "rule = \"all_to_all\"\nindegree = 3\nweight = \"1 mV\"\ndelay = \"1 ms\"\n"));
        CHECK(e.key == "projection.E->E.indegree");
        CHECK(e.what == "'indegree' is not used by rule 'all_to_all'");
        e = error_of(proj(ee + "rule = \"fixed_indegree\"\nweight = \"1 mV\"\ndelay = \"1 ms\"\n"));
        CHECK_THAT(e.what, Catch::Contains("missing required key 'indegree'"));
        e = error_of(proj(ee + "rule = \"fixed_probability\"\nprobability = 1.5\nweight = \"1 mV\"\ndelay = \"1 ms\"\n"));
        CHECK_THAT(e.what, Catch::Contains("1.5 is invalid (must be in [0, 1])"));
        e = error_of(proj("source = \"E\"\ntarget = \"I\"\nrule = \"one_to_one\"\nweight = \"1 pA\"\ndelay = \"1 ms\"\nreceptor = \"ex\"\n"));
        CHECK_THAT(e.what, Catch::Contains("equal size ('E' has 4 neurons, 'I' has 2)"));
        // Recurrent one_to_one without autapses would make no synapse at all (issue 11): refused.
        e = error_of(proj(ee + "rule = \"one_to_one\"\nallow_autapses = false\nweight = \"1 mV\"\ndelay = \"1 ms\"\n"));
        CHECK(e.key == "projection.E->E.allow_autapses");
        CHECK_THAT(e.what, Catch::Contains("false is invalid") && Catch::Contains("makes no synapse"));
        e = error_of(proj(ee + "rule = \"fixed_indegree\"\nindegree = 4\nallow_multapses = false\nallow_autapses = false\n"
                               "weight = \"1 mV\"\ndelay = \"1 ms\"\n"));
        CHECK_THAT(e.what, Catch::Contains("exceeds the 3 available source neurons of 'E'"));
        CHECK(parse(proj(ee + "rule = \"explicit\"\nfile = \"syn.csv\"\nweight = \"1 mV\"\ndelay = \"1 ms\"\n")).projections[0].file ==
              "syn.csv");
        CHECK(parse(proj(ee + "rule = \"fixed_outdegree\"\noutdegree = 9\nweight = \"1 mV\"\ndelay = \"1 ms\"\n")).projections[0].outdegree ==
              9);
    }
    SECTION("weights have the dimension of the target port") {
        auto e = error_of(proj(ee + "rule = \"all_to_all\"\nweight = \"1 pA\"\ndelay = \"1 ms\"\n"));
        CHECK(e.key == "projection.E->E.weight");
        CHECK_THAT(e.what, Catch::Contains("expected a voltage"));
        e = error_of(proj("source = \"E\"\ntarget = \"I\"\nrule = \"all_to_all\"\nweight = \"1 pA\"\ndelay = \"1 ms\"\n"));
        CHECK(e.key == "projection.E->I.receptor");
        CHECK_THAT(e.what, Catch::Contains("several receptors: ex, in"));
        e = error_of(proj("source = \"E\"\ntarget = \"I\"\nrule = \"all_to_all\"\nweight = \"1 pA\"\ndelay = \"1 ms\"\nreceptor = \"gaba\"\n"));
        CHECK_THAT(e.what, Catch::Contains("\"gaba\" is invalid") && Catch::Contains("receptors: ex, in"));
        e = error_of(proj("source = \"E\"\ntarget = \"G\"\nrule = \"all_to_all\"\nweight = \"-1 nS\"\ndelay = \"1 ms\"\nreceptor = \"in\"\n"));
        CHECK_THAT(e.what, Catch::Contains("must be >= 0 nS (conductances cannot be negative)"));
        const auto w = parse(proj("source = \"E\"\ntarget = \"G\"\nrule = \"all_to_all\"\n"
                                  "weight = { dist = \"normal\", mean = \"1 nS\", sd = \"1 nS\" }\ndelay = \"1 ms\"\nreceptor = \"ex\"\n"))
                           .projections[0].weight;
        CHECK(w.min == 0.0);  // drawn conductances below 0 are errors, not clipped
    }
    SECTION("delays: at least one step, on the grid") {
        auto e = error_of(proj(ee + "rule = \"all_to_all\"\nweight = \"1 mV\"\ndelay = \"0.05 ms\"\n"));
        CHECK(e.key == "projection.E->E.delay");
        CHECK(e.line == 25);
        CHECK_THAT(e.what, Catch::Contains("\"0.05 ms\" is invalid (must be >= 0.1 ms (one resolution step))"));
        e = error_of(proj(ee + "rule = \"all_to_all\"\nweight = \"1 mV\"\ndelay = \"0.15 ms\"\n"));
        CHECK_THAT(e.what, Catch::Contains("whole number of ticks"));
        e = error_of(proj(ee + "rule = \"all_to_all\"\nweight = \"1 mV\"\ndelay = { dist = \"uniform\", low = \"0 ms\", high = \"1 ms\" }\n"));
        CHECK(e.key == "projection.E->E.delay.low");
        e = error_of(proj(ee + "rule = \"all_to_all\"\nweight = \"1 mV\"\n"
                               "delay = { dist = \"normal\", mean = \"1 ms\", sd = \"1 ms\", min = \"0.01 ms\" }\n"));
        CHECK(e.key == "projection.E->E.delay.min");
    }
    SECTION("names default to source->target and must be unique") {
        const std::string body = ee + "rule = \"all_to_all\"\nweight = \"1 mV\"\ndelay = \"1 ms\"\n";
        const auto e = error_of(proj(body) + "[[projection]]\n" + body);
        CHECK_THAT(e.what, Catch::Contains("duplicate projection name 'E->E'") && Catch::Contains("give each entry its own 'name'"));
        CHECK(parse(proj(body) + "[[projection]]\nname = \"EE2\"\n" + body).projections[1].name == "EE2");
    }
}

TEST_CASE("stimuli", "[unit][scenario]") {
    const std::string pops = sim + "[[population]]\nname = \"E\"\nmodel = \"lif_fake\"\nsize = 4\n"
                                   "[[population]]\nname = \"S\"\nmodel = \"spike_source\"\nspike_times = [[]]\n";
    auto stim = [&](const std::string& body) { return pops + "[[stimulus]]\n" + body; };
    auto e = error_of(stim("kind = \"poisson\"\ntarget = \"E\"\nweight = \"1 mV\"\n"));
    CHECK(e.key == "stimulus.poisson0.rate");
    CHECK_THAT(e.what, Catch::Contains("missing required key 'rate'"));
    e = error_of(stim("kind = \"poisson\"\ntarget = \"E\"\nrate = \"0 Hz\"\nweight = \"1 mV\"\n"));
    CHECK(e.what == "\"0 Hz\" is invalid (must be > 0 Hz)");
    e = error_of(stim("kind = \"poisson\"\ntarget = \"E\"\nrate = \"5 Hz\"\nweight = \"1 mV\"\namplitude = \"1 pA\"\n"));
    CHECK(e.what == "'amplitude' is not used by kind 'poisson'");
    e = error_of(stim("kind = \"noise\"\ntarget = \"E\"\n"));
    CHECK_THAT(e.what, Catch::Contains("unknown stimulus kind 'noise' (known: poisson, dc, step, ac)"));
    e = error_of(stim("name = \"x\"\nkind = \"dc\"\ntarget = \"E\"\namplitude = \"1 pA\"\nneurons = [0, 4]\n"));
    CHECK(e.key == "stimulus.x.neurons[1]");
    CHECK_THAT(e.what, Catch::Contains("indices 0 to 3"));
    e = error_of(stim("kind = \"dc\"\ntarget = \"E\"\namplitude = \"1 pA\"\nneurons = []\n"));
    CHECK_THAT(e.what, Catch::Contains("omit 'neurons'"));
    e = error_of(stim("kind = \"dc\"\ntarget = \"S\"\namplitude = \"1 pA\"\n"));
    CHECK_THAT(e.what, Catch::Contains("a source without a membrane"));
    e = error_of(stim("kind = \"dc\"\ntarget = \"E\"\namplitude = \"1 pA\"\nstart = \"5 ms\"\nstop = \"5 ms\"\n"));
    CHECK(e.what == "\"5 ms\" is invalid (must be > start = 5 ms)");
    e = error_of(stim("kind = \"step\"\ntarget = \"E\"\ntimes = [\"0 ms\", \"10 ms\"]\namplitudes = [\"1 pA\"]\n"));
    CHECK_THAT(e.what, Catch::Contains("same length"));
    e = error_of(stim("kind = \"step\"\ntarget = \"E\"\ntimes = [\"10 ms\", \"10 ms\"]\namplitudes = [\"1 pA\", \"2 pA\"]\n"));
    CHECK(e.key == "stimulus.step0.times[1]");
    CHECK_THAT(e.what, Catch::Contains("strictly increasing"));
    e = error_of(stim("kind = \"step\"\ntarget = \"E\"\ntimes = [\"0.05 ms\"]\namplitudes = [\"1 pA\"]\n"));
    CHECK_THAT(e.what, Catch::Contains("whole number of ticks"));
}

TEST_CASE("spike_source spike times", "[unit][scenario]") {
    const std::string head = sim + "[[population]]\nname = \"S\"\nmodel = \"spike_source\"\n";
    auto e = error_of(head + "spike_times = [[\"1 ms\", \"0.25 ms\"]]\n");
    CHECK(e.key == "population.S.spike_times[0][1]");
    CHECK_THAT(e.what, Catch::Contains("whole number of ticks"));
    e = error_of(head + "spike_times = [[\"-1 ms\"]]\n");
    CHECK_THAT(e.what, Catch::Contains("must be >= 0 ms"));
    e = error_of(head + "spike_times = [\"1 ms\"]\n");
    CHECK_THAT(e.what, Catch::Contains("expected an array of times for neuron 0"));
    e = error_of(head + "size = 2\nspike_times = [[]]\n");
    CHECK_THAT(e.what, Catch::Contains("spike_times lists 1 neurons"));
    e = error_of(head + "size = 1\n");
    CHECK_THAT(e.what, Catch::Contains("missing required key 'spike_times'"));
    e = error_of(sim + "[[population]]\nname = \"E\"\nmodel = \"lif_fake\"\nsize = 1\nspike_times = [[]]\n");
    CHECK_THAT(e.what, Catch::Contains("only used by models that take spike-time lists (spike_source)") &&
                           Catch::Contains("this population uses 'lif_fake'"));
}

TEST_CASE("recording", "[unit][scenario]") {
    const std::string pop = sim + "[[population]]\nname = \"E\"\nmodel = \"lif_fake\"\nsize = 4\n";
    CHECK(parse(pop + "[recording]\nspikes = []\n").recording.spike_populations.empty());
    CHECK_FALSE(parse(pop + "[recording]\nspikes = []\n").recording.all_spikes);
    CHECK_THAT(error_of(pop + "[recording]\nspikes = \"some\"\n").what, Catch::Contains("must be \"all\" or an array"));
    CHECK_THAT(error_of(pop + "[recording]\nspikes = [\"X\"]\n").what, Catch::Contains("no population named 'X'"));
    CHECK_THAT(error_of(pop + "[recording]\nflush_interval = \"0 ms\"\n").what, Catch::Contains("must be > 0 ms"));
    auto e = error_of(pop + "[[recording.trace]]\npopulation = \"E\"\nvariables = [\"w\"]\n");
    CHECK(e.key == "recording.trace[0].variables[0]");
    CHECK_THAT(e.what, Catch::Contains("'w'") && Catch::Contains("known: v"));
    e = error_of(pop + "[[recording.trace]]\npopulation = \"E\"\nvariables = [\"v\"]\ninterval = \"0.01 ms\"\n");
    CHECK_THAT(e.what, Catch::Contains("must be >= the resolution 0.1 ms"));
    e = error_of(pop + "[[recording.trace]]\npopulation = \"E\"\nvariables = [\"v\"]\nneurons = [7]\n");
    CHECK_THAT(e.what, Catch::Contains("indices 0 to 3"));
}

TEST_CASE("parse_override splits at the first '='", "[unit][scenario]") {
    const auto o = parse_override("population.E.params.tau_m=\"a=b\"");
    CHECK(o.key == "population.E.params.tau_m");
    CHECK(o.value == "\"a=b\"");
    CHECK(parse_override("simulation.duration=2s").value == "2s");
    CHECK(parse_override("x=").value.empty());
    REQUIRE_THROWS_AS(parse_override("simulation.duration"), error);
    REQUIRE_THROWS_WITH(parse_override("simulation.duration"), Catch::Contains("expected key=value"));
    REQUIRE_THROWS_WITH(parse_override("=3"), Catch::Contains("empty key"));
}

TEST_CASE("overrides (--set) are applied before validation", "[unit][scenario]") {
    SECTION("values parse as TOML, or as plain strings") {
        const scenario sc = parse(full, {parse_override("simulation.duration=2s"), parse_override("population.E.size=8"),
                                         parse_override("population.E.params.tau_m=\"5 ms\""),
                                         parse_override("population.E.params.i_e=1 nA"),
                                         parse_override("projection.EE.probability=0.5"),
                                         parse_override("projection.E->I.indegree=3"),
                                         parse_override("stimulus.poisson0.rate=1 kHz"),
                                         parse_override("stimulus.bias.neurons=[1]"),
                                         parse_override("recording.trace.0.interval=2 ms"),
                                         parse_override("recording.spikes=all")});
        CHECK(sc.simulation.duration_ms == 2000.0);
        CHECK(sc.populations[0].size == 8);
        CHECK(sc.populations[0].params.at("tau_m") == 5.0);
        CHECK(sc.populations[0].params.at("i_e") == 1000.0);
        CHECK(sc.projections[1].probability == 0.5);
        CHECK(sc.projections[0].indegree == 3);
        CHECK(sc.stimuli[0].rate_hz == 1000.0);
        CHECK(sc.stimuli[1].neurons == std::vector<std::uint64_t>{1});
        CHECK(sc.recording.traces[0].interval_ms == 2.0);
        CHECK(sc.recording.all_spikes);
        CHECK(sc.text == full);  // provenance keeps the file; the overrides are the caller's to record
    }
    SECTION("keys absent from the file are created") {
        const scenario sc = parse(sim + "[[population]]\nname = \"E\"\nmodel = \"lif_fake\"\nsize = 3\n",
                                  {parse_override("simulation.seed=99"), parse_override("population.E.params.v_th=-50 mV"),
                                   parse_override("recording.flush_interval=10 ms")});
        CHECK(sc.simulation.seed == 99);
        CHECK(sc.populations[0].params.at("v_th") == -50.0);
        CHECK(sc.recording.flush_interval_ms == 10.0);
    }
    SECTION("errors in overridden values name --set <key>") {
        const auto e = error_of(full, {parse_override("population.E.params.tau_m=20 mV")});
        CHECK(e.file == "--set population.E.params.tau_m");
        CHECK(e.line == 0);
        CHECK(e.key == "population.E.params.tau_m");
        CHECK_THAT(message(e), Catch::StartsWith("--set population.E.params.tau_m: key 'population.E.params.tau_m': "));
        CHECK_THAT(e.what, Catch::Contains("expected a time"));
        CHECK(error_of(full, {parse_override("population.E.size=0")}).file == "--set population.E.size");
        CHECK(error_of(full, {parse_override("simulation.durration=1 s")}).file == "--set simulation.durration");
    }
    SECTION("an index past the entries, even one too large to parse, is an error naming the count (issue 11)") {
        for (const char* key : {"recording.trace.7.interval=1 ms", "recording.trace.99999999999999999999.interval=1 ms",
                                "recording.trace.-1.interval=1 ms", "recording.trace.x.interval=1 ms"}) {
            INFO(key);
            CHECK_THAT(error_of(full, {parse_override(key)}).what, Catch::Contains("'recording.trace' has 2 entries; address one by index"));
        }
    }
    SECTION("entries must exist") {
        auto e = error_of(full, {parse_override("population.X.size=3")});
        CHECK(e.file == "--set population.X.size");
        CHECK_THAT(e.what, Catch::Contains("no population named 'X' (known: E, I, S)"));
        e = error_of(full, {parse_override("stimulus.ext.rate=1 Hz")});
        CHECK_THAT(e.what, Catch::Contains("known: poisson0, bias, steps"));
        e = error_of(full, {parse_override("population.E=3")});
        CHECK_THAT(e.what, Catch::Contains("give a key inside the entry"));
        e = error_of(full, {parse_override("simulation.duration.x=3")});
        CHECK_THAT(e.what, Catch::Contains("'simulation.duration' is a string, not a table"));
        e = error_of(full, {parse_override("simulation.seed=\xff\xfe")});
        CHECK(e.file == "--set simulation.seed");
        e = error_of(full, {parse_override("a..b=3")});
        CHECK_THAT(e.what, Catch::Contains("malformed key"));
    }
}

TEST_CASE("load_scenario reads files and reports missing ones as io_error", "[unit][scenario]") {
    const std::string path = (std::filesystem::temp_directory_path() / "memspike_test_scenario.toml").string();
    {
        std::ofstream out(path);
        out << full;
    }
    const scenario sc = load_scenario(path, models());
    CHECK(sc.file == path);
    CHECK(sc.text == full);
    CHECK(sc.populations.size() == 3);
    std::remove(path.c_str());
    REQUIRE_THROWS_AS(load_scenario("no/such/scenario.toml", models()), io_error);
    REQUIRE_THROWS_WITH(load_scenario("no/such/scenario.toml", models()), Catch::Contains("no/such/scenario.toml"));
}

TEST_CASE("duration_ticks of specs built in code", "[unit][scenario]") {
    scenario sc;
    sc.simulation.duration_ms = 10.0;
    sc.simulation.resolution_ms = 0.1;
    CHECK(sc.duration_ticks() == 100);
    sc.simulation.duration_ms = 10.05;
    // The same rule and message as validate() and a scenario file.
    REQUIRE_THROWS_AS(sc.duration_ticks(), scenario_error);
    REQUIRE_THROWS_WITH(sc.duration_ticks(), Catch::Contains("key 'simulation.duration': \"10.05 ms\" is invalid (must be a whole "
                                                             "number of ticks of the resolution 0.1 ms)"));
    sc.simulation.resolution_ms = 0.0;
    REQUIRE_THROWS_WITH(sc.duration_ticks(), Catch::Contains("resolution"));
}
