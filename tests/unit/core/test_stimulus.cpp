// SPDX-License-Identifier: MIT
// Stimulus kinds registered like models (memspike/core/stimulus.hpp): a kind defined outside core,
// as a plug-in would, is read, checked, built and delivered with no edit of core; the reader's key
// ownership and the list of known kinds come from the registry; the doc's key table agrees with the
// built-in kinds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "memspike/core/scenario.hpp"
#include "memspike/core/scenario_keys.hpp"
#include "memspike/core/stimulus.hpp"
#include "support.hpp"

using namespace memspike;
using Catch::Matchers::Contains;

namespace {

/// A test-only current waveform: 0 at `start`, rising by amplitude/n at each of the n ticks of
/// (start, stop], then holding `amplitude`.
stimulus_info ramp_info() {
    stimulus_info k;
    k.name = "ramp";
    k.summary = "a current rising linearly from 0 at start to amplitude at stop, in steps of one tick";
    k.keys = {"start", "stop", "amplitude"};
    k.validate = [](const stimulus_checker& c) {
        c.finite("amplitude", c.spec.amplitude_pa, dimension::current);
        c.window();
        if (!std::isfinite(c.spec.stop_ms)) c.fail("stop", "a ramp needs a stop");
    };
    k.currents = [](const stimulus_build& b) {
        std::vector<current_change> out;
        const tick_t n = b.stop() - b.start();
        for (tick_t i = 1; i <= n; ++i) out.push_back({b.start() + i, b.spec.amplitude_pa / static_cast<double>(n)});
        return out;
    };
    return k;
}

model_registry with_ramp() {
    model_registry r = builtin_models();
    r.add_stimulus(ramp_info());
    return r;
}

const std::string pops = "[simulation]\nduration = \"100 ms\"\n[[population]]\nname = \"E\"\nmodel = \"lif_delta\"\nsize = 4\n";

std::string error_of(const std::string& text, const model_registry& models) {
    try {
        parse_scenario(text, "test.toml", models);
    } catch (const scenario_error& e) {
        return static_cast<const std::exception&>(e).what();  // the full message, with file and key
    }
    FAIL("expected a scenario_error for:\n" << text);
    return "";
}

} // namespace

TEST_CASE("the registry holds the built-in stimulus kinds and checks added ones", "[unit][stimulus]") {
    model_registry r;
    CHECK(r.stimulus_names() == std::vector<std::string>{"poisson", "dc", "step", "ac"});
    CHECK(static_cast<bool>(r.find_stimulus("poisson").events));
    CHECK(static_cast<bool>(r.find_stimulus("dc").currents));
    r.add_stimulus(ramp_info());
    CHECK(r.stimulus_names() == std::vector<std::string>{"poisson", "dc", "step", "ac", "ramp"});
    CHECK_THROWS_AS(r.add_stimulus(ramp_info()), internal_error);  // registered twice
    stimulus_info neither = ramp_info();
    neither.name = "neither";
    neither.currents = nullptr;
    CHECK_THROWS_AS(r.add_stimulus(neither), internal_error);
    stimulus_info both = ramp_info();
    both.name = "both";
    both.events = [](const stimulus_build&) { return event_train{}; };
    CHECK_THROWS_AS(r.add_stimulus(both), internal_error);
    stimulus_info unread = ramp_info();
    unread.name = "unread";
    unread.keys.push_back("slope");  // not a key of the format: the reader would refuse it
    CHECK_THROWS_WITH(r.add_stimulus(unread), Contains("'slope'"));
    unread.keys.back() = "target";  // common to every kind
    CHECK_THROWS_AS(r.add_stimulus(unread), internal_error);
    CHECK_THROWS_WITH(r.find_stimulus("rmap"), Contains("rmap") && Contains("ramp") && Contains("poisson"));
}

TEST_CASE("a registered kind is read with the keys it declares; unknown kinds list the registered ones", "[unit][stimulus]") {
    const model_registry models = with_ramp();
    const std::string ramp = pops + "[[stimulus]]\nkind = \"ramp\"\ntarget = \"E\"\namplitude = \"100 pA\"\nstart = \"5 ms\"\n";
    const scenario sc = parse_scenario(ramp + "stop = \"15 ms\"\n", "test.toml", models);
    REQUIRE(sc.stimuli.size() == 1);
    CHECK(sc.stimuli[0].name == "ramp0");
    CHECK(sc.stimuli[0].amplitude_pa == 100.0);
    CHECK(sc.stimuli[0].stop_ms == 15.0);
    // The kind's own check, located at its key.
    CHECK_THAT(error_of(ramp, models), Contains("stimulus.ramp0.stop") && Contains("a ramp needs a stop"));
    // A key of another kind is refused; one the kind shares with dc is not refused with dc.
    CHECK_THAT(error_of(ramp + "stop = \"15 ms\"\nrate = \"5 Hz\"\n", models), Contains("'rate' is not used by kind 'ramp'"));
    CHECK_THAT(error_of(ramp + "stop = \"15 ms\"\ntimes = [\"1 ms\"]\n", models), Contains("'times' is not used by kind 'ramp'"));
    CHECK_NOTHROW(parse_scenario(pops + "[[stimulus]]\nkind = \"dc\"\ntarget = \"E\"\namplitude = \"1 pA\"\nstop = \"5 ms\"\n",
                                 "test.toml", models));
    // Unknown kinds: the reader's expectation and the validator's message list the registered kinds.
    CHECK_THAT(error_of(pops + "[[stimulus]]\nkind = \"noise\"\ntarget = \"E\"\n", models),
               Contains("unknown stimulus kind 'noise' (known: poisson, dc, step, ac, ramp)"));
    CHECK_THAT(error_of(pops + "[[stimulus]]\ntarget = \"E\"\n", models), Contains("one of: poisson, dc, step, ac, ramp"));
    // Without the registration, "ramp" is unknown.
    CHECK_THAT(error_of(ramp + "stop = \"15 ms\"\n", builtin_models()), Contains("unknown stimulus kind 'ramp'"));
}

TEST_CASE("a registered current waveform reaches the membrane at its ticks (closed form)", "[unit][stimulus]") {
    // lif_delta integrates exactly: with the current I_k held over tick k,
    // V_{k+1} = V_inf(I_k) + (V_k - V_inf(I_k)) exp(-h / tau_m), V_inf(I) = E_L + I tau_m / C_m.
    constexpr double tau_m = 10.0, c_m = 250.0, e_l = -70.0, h = 0.1, amplitude = 300.0;  // V_inf <= -58 mV: no spike
    auto sc = test::make_scenario(30.0, h);
    test::add_population(sc, "n", "lif_delta", 2,
                         {{"tau_m", tau_m}, {"c_m", c_m}, {"e_l", e_l}, {"v_th", -55.0}, {"v_reset", -70.0}, {"t_ref", 2.0}});
    stimulus_spec st;
    st.name = "r";
    st.kind = "ramp";
    st.target = "n";
    st.neurons = {1};  // neuron 0 gets nothing: the ramp must reach only its targets
    st.amplitude_pa = amplitude;
    st.start_ms = 5.0;
    st.stop_ms = 15.0;
    sc.stimuli.push_back(st);
    const model_registry models = with_ramp();
    simulation sim(sc, models, 1);

    const auto current = [&](tick_t k) {  // the ramp's current over tick k
        const double f = std::clamp(static_cast<double>(k - 50) / 100.0, 0.0, 1.0);
        return amplitude * f;
    };
    const double decay = std::exp(-h / tau_m);
    double v = e_l, max_err = 0.0, max_rest = 0.0;
    for (tick_t k = 0; k < 300; ++k) {
        sim.run(1);  // after the run, the membrane is V at tick k (test_closed_form.cpp's convention)
        max_err = std::max(max_err, std::abs(sim.state(0, "v", 1) - v));
        max_rest = std::max(max_rest, std::abs(sim.state(0, "v", 0) - e_l));
        const double v_inf = e_l + current(k) * tau_m / c_m;
        v = v_inf + (v - v_inf) * decay;
    }
    INFO("max |V - V_exact| = " << max_err << " mV");
    CHECK(max_err < 1e-9);
    CHECK(max_rest < 1e-12);
    CHECK(sim.state(0, "v", 1) > -60.0);  // the ramp did arrive: on its way to V_inf(300 pA) = -58 mV
    CHECK(sim.spikes()[0].ids.empty());
}

TEST_CASE("the doc's [[stimulus]] table names, for each key, the built-in kinds that take it", "[unit][stimulus]") {
    // scenario_keys.cpp documents the kinds column by hand; the reader takes it from the registry.
    const model_registry r;
    for (const auto& key : scenario_section_named("stimulus").keys) {
        std::string kinds;
        for (const auto& name : r.stimulus_names())
            for (const auto& k : r.find_stimulus(name).keys)
                if (k == key.name) kinds += (kinds.empty() ? "" : ", ") + name;
        INFO("key '" << key.name << "'");
        CHECK((key.kinds == "all" ? std::string() : key.kinds) == kinds);
    }
}
