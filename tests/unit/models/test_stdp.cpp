// SPDX-License-Identifier: MIT
// STDP: the pairing window against its closed form, nearest vs all-to-all, and whole weight
// trajectories against an independent plain re-implementation (a loop over spike lists, cf. NEST's
// test_stdp_synapse.py), for every rule; bounds never crossed and counted.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>

#include "memspike/core/memory_recorder.hpp"
#include "memspike/core/scenario.hpp"
#include "support.hpp"

using namespace memspike;

namespace {

constexpr double h = 0.1;

/// A postsynaptic lif_delta neuron made to spike at chosen ticks by a "teacher" spike source with a
/// huge static weight, and a set of plastic synapses from `pre` spike sources with small weights
/// (they cannot change when the neuron fires: at most 100 x 0.1 mV against a 20 mV threshold).
scenario pairing(const std::vector<std::vector<tick_t>>& pre, const std::vector<tick_t>& post, double delay_ms,
                 const plasticity_spec& rule, double w0, double duration_ms) {
    auto sc = test::make_scenario(duration_ms, h, 3);
    auto& src = test::add_population(sc, "pre", "spike_source", pre.size());
    src.spike_ticks = pre;
    auto& teacher = test::add_population(sc, "teacher", "spike_source", 1);
    std::vector<tick_t> teach;
    for (const tick_t t : post) teach.push_back(t - 1);  // arrives (delay one tick) and fires at t
    teacher.spike_ticks = {teach};
    test::add_population(sc, "post", "lif_delta", 1,
                         {{"tau_m", 20.0}, {"e_l", 0.0}, {"v_th", 20.0}, {"v_reset", 0.0}, {"t_ref", 0.1}});
    test::connect(sc, "teacher", "post", "all_to_all", 1000.0, h);
    auto& p = test::connect(sc, "pre", "post", "all_to_all", w0, delay_ms);
    p.plasticity = rule;
    return sc;
}

plasticity_spec stdp(double lambda, double alpha, double mu_plus, double mu_minus, double w_max,
                     const std::string& interaction = "all_to_all", double tau_plus = 20.0, double tau_minus = 20.0) {
    plasticity_spec r;
    r.rule = "stdp";
    r.interaction = interaction;
    r.params = {{"lambda", lambda}, {"alpha", alpha}, {"mu_plus", mu_plus}, {"mu_minus", mu_minus},
                {"w_max", w_max},   {"tau_plus", tau_plus}, {"tau_minus", tau_minus}};
    return r;
}

/// Final weights of the plastic projection (index 1), per presynaptic neuron.
std::vector<double> final_weights(const simulation& sim) {
    const auto syn = sim.synapses_of(1);
    std::vector<double> w(syn.sources.size());
    for (std::size_t k = 0; k < syn.sources.size(); ++k) w[syn.sources[k]] = syn.weights[k];
    return w;
}

} // namespace

TEST_CASE("stdp: one pre/post pair changes w by the analytic window", "[unit][stdp]") {
    // Δw(Δt) = λ w_max (1 - w/w_max)^μ+ e^{-Δt/τ+} for Δt >= 0, -λ α w_max (w/w_max)^μ- e^{Δt/τ-} for Δt < 0,
    // Δt = t_post - (t_pre + d).
    const double w_max = 0.1, w0 = 0.05, lambda = 0.01, alpha = 1.2, tau_plus = 16.8, tau_minus = 33.7;
    for (const auto& [mu_plus, mu_minus] : std::vector<std::pair<double, double>>{{0, 0}, {0, 1}, {0.4, 0.4}}) {
        for (int dt_ticks = -500; dt_ticks <= 500; dt_ticks += 37) {
            const tick_t t_pre = 1000, d = 15;  // arrival at 1015
            const tick_t t_post = t_pre + d + dt_ticks;
            const auto sc = pairing({{t_pre}}, {t_post}, d * h, stdp(lambda, alpha, mu_plus, mu_minus, w_max, "all_to_all",
                                                                     tau_plus, tau_minus),
                                    w0, 250.0);
            const auto sim = test::run(sc);
            REQUIRE(test::spike_ticks(*sim, 2, 0) == std::vector<tick_t>{t_post});
            const double dt = dt_ticks * h;
            const double expected = dt >= 0 ? lambda * w_max * std::pow(1 - w0 / w_max, mu_plus) * std::exp(-dt / tau_plus)
                                            : -lambda * alpha * w_max * std::pow(w0 / w_max, mu_minus) * std::exp(dt / tau_minus);
            INFO("mu+ " << mu_plus << " mu- " << mu_minus << " dt " << dt << " ms");
            CHECK(final_weights(*sim)[0] - w0 == Approx(expected).margin(1e-8));  // float storage of w
        }
    }
}

TEST_CASE("stdp: nearest-spike and all-to-all interactions differ as theory says", "[unit][stdp]") {
    // Two arrivals at 1000 and 1100, one post spike at 1200 (ticks): all-to-all potentiates by
    // λ w_max (e^{-20/τ} + e^{-10/τ}); nearest only by λ w_max e^{-10/τ} (the trace is reset to 1).
    const double w_max = 0.1, w0 = 0.05, lambda = 0.01, tau = 20.0;
    for (const std::string interaction : {"all_to_all", "nearest"}) {
        const auto sc = pairing({{990, 1090}}, {1200}, 1.0, stdp(lambda, 1.0, 0, 0, w_max, interaction, tau, tau), w0, 150.0);
        const auto sim = test::run(sc);
        const double expected = interaction == "nearest" ? lambda * w_max * std::exp(-10.0 / tau)
                                                          : lambda * w_max * (std::exp(-20.0 / tau) + std::exp(-10.0 / tau));
        INFO(interaction);
        CHECK(final_weights(*sim)[0] - w0 == Approx(expected).margin(1e-8));
    }
    // Post spikes at 1000 and 1100, one arrival at 1200: depression by one or two terms.
    for (const std::string interaction : {"all_to_all", "nearest"}) {
        const auto sc = pairing({{1190}}, {1000, 1100}, 1.0, stdp(lambda, 1.0, 0, 0, w_max, interaction, tau, tau), w0, 150.0);
        const auto sim = test::run(sc);
        REQUIRE(test::spike_ticks(*sim, 2, 0).size() == 2);
        const double expected = interaction == "nearest" ? -lambda * w_max * std::exp(-10.0 / tau)
                                                          : -lambda * w_max * (std::exp(-20.0 / tau) + std::exp(-10.0 / tau));
        INFO(interaction);
        CHECK(final_weights(*sim)[0] - w0 == Approx(expected).margin(1e-8));
    }
}

namespace {

/// Independent reference: replays arrivals and post spikes in time order (arrivals first within
/// a tick) with traces as explicit sums of exponentials, per synapse.
struct reference_result {
    std::vector<double> w;
    std::uint64_t hits_min = 0, hits_max = 0;
};

reference_result reference(const std::string& rule, const param_map& p, bool nearest, const std::vector<std::vector<tick_t>>& pre,
                           const std::vector<tick_t>& post, tick_t delay, double w0) {
    reference_result out;
    for (const auto& train : pre) {
        // Event list: (tick, 0 = arrival / 1 = post spike).
        std::vector<std::pair<tick_t, int>> ev;
        for (const tick_t t : train) ev.emplace_back(t + delay, 0);
        for (const tick_t t : post) ev.emplace_back(t, 1);
        std::sort(ev.begin(), ev.end());
        std::vector<tick_t> arrivals, posts;
        double w = w0;
        auto trace = [&](const std::vector<tick_t>& spikes, tick_t now, double tau) {
            double x = 0;
            if (nearest) {
                if (!spikes.empty()) x = std::exp(-(now - spikes.back()) * h / tau);
            } else {
                for (const tick_t s : spikes) x += std::exp(-(now - s) * h / tau);
            }
            return x;
        };
        auto clip = [&](double v) {
            if (v >= p.at("w_max")) { ++out.hits_max; return p.at("w_max"); }
            if (v <= p.at("w_min")) { ++out.hits_min; return p.at("w_min"); }
            return v;
        };
        for (const auto& [t, kind] : ev) {
            if (rule == "stdp_triplet") {
                if (kind == 0) {
                    const double o1 = trace(posts, t, p.at("tau_minus"));
                    if (o1 > 0) w = clip(w - o1 * (p.at("a2_minus") + p.at("a3_minus") * trace(arrivals, t, p.at("tau_x"))));
                    arrivals.push_back(t);
                } else {
                    const double r1 = trace(arrivals, t, p.at("tau_plus"));
                    if (r1 > 0) w = clip(w + r1 * (p.at("a2_plus") + p.at("a3_plus") * trace(posts, t, p.at("tau_y"))));
                    posts.push_back(t);
                }
                continue;
            }
            if (kind == 0) {
                const double y = trace(posts, t, p.at("tau_minus"));
                if (y > 0) {
                    // depression_offset: PyNN's Δw− ∝ (w − w_min)^μ− (0 when not given, as NEST)
                    const double off = p.count("depression_offset") ? p.at("depression_offset") : 0.0;
                    const double f = rule == "stdp" ? p.at("lambda") * p.at("alpha") * p.at("w_max") * std::pow((w - off) / p.at("w_max"), p.at("mu_minus"))
                                                    : p.at("lambda") * p.at("alpha") * w;
                    w = clip(w - f * y);
                }
                arrivals.push_back(t);
            } else {
                const double x = trace(arrivals, t, p.at("tau_plus"));
                if (x > 0) {
                    const double f = rule == "stdp" ? p.at("lambda") * p.at("w_max") * std::pow(1 - w / p.at("w_max"), p.at("mu_plus"))
                                                    : p.at("lambda") * std::pow(p.at("w_0"), 1 - p.at("mu")) * std::pow(w, p.at("mu"));
                    w = clip(w + f * x);
                }
                posts.push_back(t);
            }
        }
        out.w.push_back(w);
    }
    return out;
}

std::vector<tick_t> poisson_ticks(random_stream& rng, double rate_hz, tick_t end) {
    std::vector<tick_t> out;
    double t = 0;
    for (;;) {
        t += rng.exponential(1000.0 / rate_hz);
        const auto k = static_cast<tick_t>(std::ceil(t / h));
        if (k >= end) return out;
        if (out.empty() || out.back() != k) out.push_back(k);  // one spike per tick per source
    }
}

} // namespace

TEST_CASE("every rule reproduces an independent re-implementation on random Poisson trains", "[unit][stdp]") {
    const tick_t end = 20000;  // 2 s
    random_stream rng(2024, stream_purpose::user, 1);
    std::vector<std::vector<tick_t>> pre;
    for (int i = 0; i < 30; ++i) pre.push_back(poisson_ticks(rng, 20.0, end - 20));
    auto post = poisson_ticks(rng, 15.0, end);
    // The teacher needs post spikes >= 1 tick apart and beyond the 0.1 ms refractory period.
    post.erase(std::unique(post.begin(), post.end(), [](tick_t a, tick_t b) { return b - a < 2; }), post.end());

    struct rule_case { std::string name; param_map params; double w0; };
    const std::vector<rule_case> cases{
        {"stdp", {{"lambda", 0.02}, {"alpha", 1.05}, {"mu_plus", 0.0}, {"mu_minus", 0.0}, {"w_max", 0.1}, {"w_min", 0.0}, {"tau_plus", 20.0}, {"tau_minus", 20.0}}, 0.05},
        {"stdp", {{"lambda", 0.05}, {"alpha", 1.0}, {"mu_plus", 0.0}, {"mu_minus", 1.0}, {"w_max", 0.1}, {"w_min", 0.0}, {"tau_plus", 15.0}, {"tau_minus", 30.0}}, 0.05},
        {"stdp", {{"lambda", 0.03}, {"alpha", 1.1}, {"mu_plus", 0.4}, {"mu_minus", 0.4}, {"w_max", 0.1}, {"w_min", 0.0}, {"tau_plus", 20.0}, {"tau_minus", 20.0}}, 0.05},
        // PyNN's weight dependences with w_min > 0: depression from w_min (Multiplicative, Gütig).
        {"stdp", {{"lambda", 0.05}, {"alpha", 1.0}, {"mu_plus", 1.0}, {"mu_minus", 1.0}, {"w_max", 0.1}, {"w_min", 0.03}, {"depression_offset", 0.03}, {"tau_plus", 15.0}, {"tau_minus", 30.0}}, 0.05},
        {"stdp", {{"lambda", 0.03}, {"alpha", 1.3}, {"mu_plus", 0.5}, {"mu_minus", 0.5}, {"w_max", 0.1}, {"w_min", 0.02}, {"depression_offset", 0.02}, {"tau_plus", 20.0}, {"tau_minus", 20.0}}, 0.05},
        {"stdp_power_law", {{"lambda", 0.1}, {"alpha", 0.0513}, {"mu", 0.4}, {"w_0", 0.05}, {"w_min", 0.0}, {"w_max", 0.1}, {"tau_plus", 15.0}, {"tau_minus", 30.0}}, 0.05},
        {"stdp_triplet", {{"tau_plus", 16.8}, {"tau_x", 101.0}, {"tau_minus", 33.7}, {"tau_y", 125.0}, {"a2_plus", 5e-4}, {"a3_plus", 6.2e-3}, {"a2_minus", 7e-3}, {"a3_minus", 2e-4}, {"w_min", 0.0}, {"w_max", 0.1}}, 0.05},
    };
    for (const auto& c : cases) {
        for (const std::string interaction : {"all_to_all", "nearest"}) {
            plasticity_spec r;
            r.rule = c.name;
            r.interaction = interaction;
            r.params = c.params;
            const tick_t delay = 7;
            const auto sc = pairing(pre, post, delay * h, r, c.w0, static_cast<double>(end) * h);
            const auto sim = test::run(sc);
            REQUIRE(test::spike_ticks(*sim, 2, 0) == post);
            const auto ref = reference(c.name, c.params, interaction == "nearest", pre, post, delay, c.w0);
            const auto got = final_weights(*sim);
            double max_diff = 0, spread = 0;
            for (std::size_t i = 0; i < got.size(); ++i) {
                max_diff = std::max(max_diff, std::abs(got[i] - ref.w[i]));
                spread = std::max(spread, std::abs(ref.w[i] - c.w0));
            }
            const auto counters = sim->plasticity(1);
            INFO(c.name << " (" << interaction << "): max |w - w_ref| = " << max_diff << ", largest change " << spread
                        << ", bound hits " << counters.hits_min << "/" << counters.hits_max << " vs " << ref.hits_min << "/"
                        << ref.hits_max);
            CHECK(spread > 1e-3);           // the weights really moved
            CHECK(max_diff < 2e-6);         // float storage of w (1e-8 per update) over ~2 s of updates
            CHECK(counters.hits_min == ref.hits_min);
            CHECK(counters.hits_max == ref.hits_max);
            for (const double w : got) {
                CHECK(w >= 0.0);
                CHECK(w <= static_cast<double>(0.1f));  // the bound, as the float the weight is stored in
            }
        }
    }
}

TEST_CASE("plastic weights stay within bounds and bound hits are counted", "[unit][stdp]") {
    // Strong additive potentiation: pre always 2 ms before post; every synapse saturates at w_max.
    std::vector<tick_t> pre_ticks, post_ticks;
    for (tick_t t = 100; t < 20000; t += 500) {
        pre_ticks.push_back(t);
        post_ticks.push_back(t + 30);
    }
    const auto sc = pairing({pre_ticks, pre_ticks}, post_ticks, 1.0, stdp(0.3, 0.5, 0, 0, 0.1), 0.05, 2000.0);
    const auto sim = test::run(sc);
    for (const double w : final_weights(*sim)) CHECK(w == Approx(0.1));
    const auto c = sim->plasticity(1);
    CHECK(c.hits_max > 0);
    CHECK(c.weight_updates >= 2 * post_ticks.size());
    CHECK(c.trace_updates > 0);
}

TEST_CASE("plasticity parameters are validated", "[unit][stdp]") {
    const auto& rule = builtin_models().find_plasticity("stdp");
    CHECK_THROWS_WITH(rule.complete({}), Catch::Contains("w_max"));
    CHECK_THROWS_WITH(rule.complete({{"w_max", 1.0}, {"tau_plus", 0.0}}), Catch::Contains("tau_plus"));
    CHECK_THROWS_WITH(rule.complete({{"w_max", 1.0}, {"w_min", 2.0}}), Catch::Contains("w_max"));
    CHECK_THROWS_WITH(rule.complete({{"w_max", 1.0}, {"lambda", -1.0}}), Catch::Contains("lambda"));
    CHECK_THROWS_WITH(rule.complete({{"w_max", 1.0}, {"A_plus", 1.0}}), Catch::Contains("unknown parameter 'A_plus'"));
    CHECK_THROWS_WITH(rule.complete({{"w_max", 1.0}, {"depression_offset", std::numeric_limits<double>::infinity()}}),
                      Catch::Contains("depression_offset") && Catch::Contains("must be finite"));
    // An initial weight outside the bounds is an error, never a silent clip.
    auto sc = pairing({{10}}, {100}, 1.0, stdp(0.01, 1.0, 0, 0, 0.1), 0.5, 20.0);
    // From code: the same validation as a file's, naming the rule whose bounds these are.
    CHECK_THROWS_WITH(simulation(sc, builtin_models(), 1),
                      Catch::Contains("initial weights must lie within the weight bounds of rule 'stdp': [0 mV, 0.1 mV]"));
    // Drawn weights, whose range validation cannot know, are checked as drawn against the same
    // declared bounds (plasticity_info::weight_bounds).
    auto& w = sc.projections[1].weight;
    w = {};
    w.k = distribution::kind::normal;
    w.mean = 0.05;
    w.sd = 10.0;  // the one draw lands outside [0, 0.1] (fixed seed)
    CHECK_THROWS_WITH(simulation(sc, builtin_models(), 1), Catch::Contains("lies outside the weight bounds of rule 'stdp': [0"));
    // Weights written from outside are held to them too.
    sc.projections[1].weight = distribution::constant(0.05);
    simulation sim(sc, builtin_models(), 1);
    CHECK_THROWS_WITH(sim.set_weights(1, std::vector<float>{0.5f}), Catch::Contains("within the weight bounds of rule 'stdp'"));
    CHECK_NOTHROW(sim.set_weights(1, std::vector<float>{0.1f}));
}

TEST_CASE("examples/stdp_song.toml: competition drives the weights towards both bounds", "[unit][stdp][slow]") {
    // The first 50 s of the Song, Miller & Abbott (2000) example. Uniform initial weights put 20 %
    // within 0.2 g_max of each bound (sd 1.3 % for 1,000 synapses). After 50 s the measured figures
    // are 30.5 % near 0 and 25.1 % near g_max, and 44 % in the middle band (60 % at the start).
    const auto sc = load_scenario(std::string(MEMSPIKE_SOURCE_DIR) + "/examples/stdp_song.toml", builtin_models(),
                                  {{"simulation.duration", "\"50 s\""}});
    simulation sim(sc, builtin_models(), 1);
    sim.run(sc.duration_ticks());
    const auto syn = sim.synapses_of(0);
    const double g_max = 0.1;
    double low = 0, high = 0;
    for (const float w : syn.weights) {
        low += w < 0.2 * g_max;
        high += w > 0.8 * g_max;
    }
    low /= static_cast<double>(syn.weights.size());
    high /= static_cast<double>(syn.weights.size());
    INFO("after 50 s: " << low << " near 0, " << high << " near g_max");
    CHECK(low > 0.27);
    CHECK(high > 0.23);
    CHECK(1.0 - low - high < 0.5);
    const double rate = static_cast<double>(sim.spikes()[1].ids.size()) / 50.0;
    CHECK(rate > 5.0);
    CHECK(rate < 40.0);
}

TEST_CASE("plasticity in scenario files: units of the target port, located errors", "[unit][stdp]") {
    const std::string base = R"(
[simulation]
duration = "10 ms"
[[population]]
name = "a"
model = "poisson_source"
size = 2
params = { rate = "10 Hz" }
[[population]]
name = "b"
model = "lif_exp"
size = 2
[[projection]]
name = "ab"
source = "a"
target = "b"
rule = "all_to_all"
weight = "10 pA"
delay = "1 ms"
receptor = "ex"
)";
    const auto ok = parse_scenario(base + R"(plasticity = { rule = "stdp", w_max = "20 pA", interaction = "nearest" })",
                                   "ok.toml", builtin_models());
    CHECK(ok.projections[0].plasticity.rule == "stdp");
    CHECK(ok.projections[0].plasticity.interaction == "nearest");
    CHECK(ok.projections[0].plasticity.params.at("w_max") == 20.0);
    CHECK(ok.projections[0].plasticity.params.at("tau_plus") == 20.0);  // default filled in
    CHECK_THROWS_WITH(parse_scenario(base + R"(plasticity = { rule = "stdp", w_max = "20 mV" })", "f.toml", builtin_models()),
                      Catch::Contains("f.toml:21") && Catch::Contains("projection.ab.plasticity.w_max") &&
                          Catch::Contains("current"));
    CHECK_THROWS_WITH(parse_scenario(base + R"(plasticity = { rule = "hebb" })", "f.toml", builtin_models()),
                      Catch::Contains("projection.ab.plasticity.rule") && Catch::Contains("stdp_triplet"));
    CHECK_THROWS_WITH(parse_scenario(base + R"(plasticity = { rule = "stdp", w_max = "20 pA", interaction = "pairs" })",
                                     "f.toml", builtin_models()),
                      Catch::Contains("interaction") && Catch::Contains("nearest"));
    CHECK_THROWS_WITH(parse_scenario(base + R"(plasticity = { rule = "stdp", w_max = "20 pA", tau_plus = "-1 ms" })",
                                     "f.toml", builtin_models()),
                      Catch::Contains("projection.ab.plasticity.tau_plus") && Catch::Contains("> 0"));
    CHECK_THROWS_WITH(parse_scenario(base + R"(plasticity = { rule = "stdp" })", "f.toml", builtin_models()),
                      Catch::Contains("w_max") && Catch::Contains("required"));
}

TEST_CASE("stdp_reward: no change without reward, sign follows the reward, exact magnitude", "[unit][stdp]") {
    // One causal pair: arrival at 1015, post spike at 1065 (Δt = 5 ms): eligibility jumps by
    // a+ e^{-5/τ+} at tick 1065 and decays with τ_c. With the reward m held from tick 0 to the
    // end T, the weight changes by m Δc (1 - e^{-(T - t_post)/τ_c}).
    const double a_plus = 0.01, tau_plus = 20.0, tau_c = 200.0, w0 = 0.5;
    plasticity_spec r;
    r.rule = "stdp_reward";
    r.params = {{"a_plus", a_plus}, {"a_minus", 0.012}, {"tau_plus", tau_plus}, {"tau_c", tau_c}, {"w_max", 1.0}};
    const tick_t t_post = 1065;
    const double T = 300.0;  // ms
    const double dc = a_plus * std::exp(-5.0 / tau_plus);
    for (const double reward : {0.0, 1.0, -0.5, 2.0}) {
        auto sc = pairing({{1000}}, {t_post}, 1.5, r, w0, T);
        modulator_spec m;
        m.name = "da";
        m.projections = {sc.projections[1].name};
        m.times_ms = {0.0};
        m.values = {reward};
        sc.modulators.push_back(m);
        const auto sim = test::run(sc);
        const double expected = reward * dc * (1.0 - std::exp(-(T - t_post * h) / tau_c));
        INFO("reward " << reward);
        CHECK(final_weights(*sim)[0] - w0 == Approx(expected).margin(1e-7));
        if (reward == 0.0) CHECK(final_weights(*sim)[0] == static_cast<float>(w0));
    }
    // The reward switched on later (as Python's set_modulator would): only the eligibility left
    // at that time is turned into weight.
    auto sc = pairing({{1000}}, {t_post}, 1.5, r, w0, T);
    simulation sim(sc, builtin_models(), 1);
    sim.run(2000);              // reward 0 until tick 2000 (200 ms)
    CHECK_THROWS_WITH(sim.set_modulator(1, std::nan("")), Catch::Contains("modulator") && Catch::Contains("must be finite"));  // issue 11
    sim.set_modulator(1, 1.0);  // then 1
    sim.run(1000);
    const double left = dc * std::exp(-(200.0 - t_post * h) / tau_c);
    CHECK(final_weights(sim)[0] - w0 == Approx(left * (1.0 - std::exp(-100.0 / tau_c))).margin(1e-7));
}

TEST_CASE("stdp_reward: an arrival delivers the weight of dw/dt = (m - b) c / tau_c at its tick", "[unit][stdp]") {
    // A causal pair (arrival 1015, post 1065) gives c0 = a+ e^{-5/τ+} at 1065; the reward m = 2 holds
    // from tick 0. The next arrival (1515) must deliver w0 + m c0 (1 - e^{-45 ms/τ_c}), not w0 (bug 3
    // of docs/testing.md: weights moved only at a change of m or a read). The post neuron (reset to
    // 0 mV at 1065, nothing else arriving) holds exactly that weight as V at tick 1515.
    const double a_plus = 0.01, a_minus = 0.012, tau_plus = 20.0, tau_minus = 20.0, tau_c = 200.0, w0 = 0.5, m = 2.0;
    plasticity_spec r;
    r.rule = "stdp_reward";
    r.params = {{"a_plus", a_plus}, {"a_minus", a_minus}, {"tau_plus", tau_plus}, {"tau_c", tau_c}, {"w_max", 1.0}};
    auto sc = pairing({{1000, 1500}}, {1065}, 1.5, r, w0, 300.0);
    modulator_spec mod;
    mod.name = "da";
    mod.projections = {sc.projections[1].name};
    mod.times_ms = {0.0};
    mod.values = {m};
    sc.modulators.push_back(mod);
    simulation sim(sc, builtin_models(), 1);
    sim.run(1516);
    const double c0 = a_plus * std::exp(-5.0 / tau_plus);
    const double delivered = w0 + m * c0 * (1.0 - std::exp(-45.0 / tau_c));
    CHECK(sim.state(2, "v", 0) == Approx(delivered).margin(2e-7));
    // Then the arrival's own depression: c(1515) = c0 e^{-45/τ_c} - a- e^{-45/τ-}, integrated to the end (3000).
    const double c1 = c0 * std::exp(-45.0 / tau_c) - a_minus * std::exp(-45.0 / tau_minus);
    sim.run(1484);
    CHECK(final_weights(sim)[0] == Approx(delivered + m * c1 * (1.0 - std::exp(-148.5 / tau_c))).margin(2e-7));

    // A weight replaced after a read (set_weights at tick 1516) is where the rule goes on from;
    // writing back the weights just read changes nothing, not even the last bit. Catches: a rule
    // that keeps its own copy over a replaced weight, or that restarts from a rounded read.
    simulation replaced(sc, builtin_models(), 1), same(sc, builtin_models(), 1);
    replaced.run(1516);
    same.run(1516);
    const std::vector<float> w_new{0.3f};
    replaced.set_weights(1, w_new);
    same.set_weights(1, same.synapses_of(1).weights);
    replaced.run(1484);
    same.run(1484);
    CHECK(final_weights(replaced)[0] == Approx(0.3 + m * c1 * (std::exp(-0.1 / tau_c) - std::exp(-148.5 / tau_c))).margin(2e-7));
    CHECK(same.synapses_of(1).weights == sim.synapses_of(1).weights);
}

TEST_CASE("stdp_reward: reading the weights changes neither spikes nor weights", "[unit][stdp]") {
    // Plastic weights of a few mV decide spikes (the reference test network of bug 3). One run reads
    // nothing; one reads every weight at every tick, as a snapshot interval of one tick would; one
    // records weight snapshots from the scenario, every 1 ms. Spikes, weights and counters must be
    // bit-identical. Catches: a read that settles the rule's state (float rounding of the weights
    // at other ticks, and before bug 3 was fixed, other delivered weights and other spikes).
    auto sc = test::make_scenario(600.0, h, 5);
    std::mt19937_64 rng(7);
    auto trains = [&](std::size_t n, double rate_hz) {
        std::vector<std::vector<tick_t>> out(n);
        std::uniform_real_distribution<double> u(0.0, 1.0);
        for (auto& train : out)
            for (tick_t t = 1; t < 6000; ++t)
                if (u(rng) < rate_hz * h * 1e-3) train.push_back(t);
        return out;
    };
    test::add_population(sc, "pre", "spike_source", 8).spike_ticks = trains(8, 25.0);
    test::add_population(sc, "teacher", "spike_source", 3).spike_ticks = trains(3, 15.0);
    test::add_population(sc, "post", "lif_delta", 3,
                         {{"tau_m", 20.0}, {"e_l", 0.0}, {"v_th", 20.0}, {"v_reset", 10.0}, {"t_ref", 1.0}});
    test::connect(sc, "teacher", "post", "one_to_one", 12.0, h);
    auto& p = test::connect(sc, "pre", "post", "all_to_all", 4.0, 1.3);
    p.plasticity.rule = "stdp_reward";
    p.plasticity.params = {{"a_plus", 0.8}, {"a_minus", 0.6}, {"tau_c", 150.0}, {"w_max", 8.0}};
    modulator_spec mod;
    mod.name = "da";
    mod.projections = {p.name};
    mod.times_ms = {100.0, 250.0, 420.0};
    mod.values = {1.0, -0.5, 2.0};
    sc.modulators.push_back(mod);

    const auto plain = test::run(sc);
    simulation read(sc, builtin_models(), 1);
    for (int t = 0; t < 6000; ++t) {
        read.run(1);
        (void)read.synapses_of(1);
    }
    weights_spec wr;
    wr.projection = p.name;
    wr.interval_ms = 1.0;
    auto recorded_sc = sc;
    recorded_sc.recording.weights.push_back(wr);
    const auto recorded = std::make_unique<simulation>(recorded_sc, builtin_models(), 1);
    memory_recorder rec;
    recorded->attach(rec);
    recorded->run(6000);

    const auto& s = plain->spikes()[2];
    REQUIRE(s.ids.size() > 20);
    for (const simulation* other : {&read, recorded.get()}) {
        CHECK(other->spikes()[2].ids == s.ids);
        CHECK(other->spikes()[2].ticks == s.ticks);
        CHECK(other->synapses_of(1).weights == plain->synapses_of(1).weights);
        CHECK(other->plasticity(1).weight_updates == plain->plasticity(1).weight_updates);
        CHECK(other->plasticity(1).hits_max == plain->plasticity(1).hits_max);
    }
    const auto w = plain->synapses_of(1).weights;
    CHECK(*std::max_element(w.begin(), w.end()) - *std::min_element(w.begin(), w.end()) > 0.5f);  // the rule acted
}

namespace {

/// Closed-form weight change of n pairings at period T_ms with pairing interval dt_ms (post minus
/// arrival) under the all-to-all triplet rule: every trace is a finite geometric sum.
double triplet_prediction(const param_map& p, double dt_ms, double T_ms, int n) {
    auto geo = [](double q, int from, int to) {  // sum_{k=from}^{to} q^k
        double s = 0;
        for (int k = from; k <= to; ++k) s += std::pow(q, k);
        return s;
    };
    const double qp = std::exp(-T_ms / p.at("tau_plus")), qm = std::exp(-T_ms / p.at("tau_minus"));
    const double qx = std::exp(-T_ms / p.at("tau_x")), qy = std::exp(-T_ms / p.at("tau_y"));
    double dw = 0;
    for (int i = 0; i < n; ++i) {
        if (dt_ms >= 0) {
            // pre (arrival) at i T, post at i T + dt.
            const double o1 = std::exp(-(T_ms - dt_ms) / p.at("tau_minus")) * geo(qm, 0, i - 1);  // posts before this arrival
            const double r2 = geo(qx, 1, i);
            dw -= o1 * (p.at("a2_minus") + p.at("a3_minus") * r2);
            const double r1 = std::exp(-dt_ms / p.at("tau_plus")) * geo(qp, 0, i);
            const double o2 = geo(qy, 1, i);
            dw += r1 * (p.at("a2_plus") + p.at("a3_plus") * o2);
        } else {
            // post at i T, pre (arrival) at i T + |dt|.
            const double a = -dt_ms;
            const double r1 = std::exp(-(T_ms - a) / p.at("tau_plus")) * geo(qp, 0, i - 1);
            const double o2 = geo(qy, 1, i);
            dw += r1 * (p.at("a2_plus") + p.at("a3_plus") * o2);
            const double o1 = std::exp(-a / p.at("tau_minus")) * geo(qm, 0, i);
            const double r2 = geo(qx, 1, i);
            dw -= o1 * (p.at("a2_minus") + p.at("a3_minus") * r2);
        }
    }
    return dw;
}

} // namespace

TEST_CASE("stdp_triplet: pairing-frequency dependence with the visual-cortex parameters", "[unit][stdp]") {
    // Pfister & Gerstner (2006), Table 4, visual cortex, all-to-all, minimal model (the rule's
    // defaults), 60 pairings at +-10 ms, as in Sjöström et al. (2001).
    plasticity_spec r;
    r.rule = "stdp_triplet";
    r.params = {{"w_max", 10.0}};
    const param_map p = builtin_models().find_plasticity("stdp_triplet").complete(r.params);
    std::map<std::pair<int, double>, double> dw;
    for (const double rate : {0.1, 10.0, 20.0, 40.0, 50.0}) {
        for (const int sign : {+1, -1}) {
            const double T = 1000.0 / rate;
            const tick_t period = std::llround(T / h), offset = 100;  // 10 ms
            std::vector<tick_t> pre, post;
            for (int i = 0; i < 60; ++i) {
                const tick_t base = 1000 + i * period;
                if (sign > 0) {
                    pre.push_back(base - 1);  // arrival (delay 1 tick) at base
                    post.push_back(base + offset);
                } else {
                    post.push_back(base);
                    pre.push_back(base + offset - 1);
                }
            }
            const double duration = static_cast<double>(std::max(pre.back(), post.back()) + 10) * h;
            const auto sim = test::run(pairing({pre}, post, h, r, 5.0, duration));
            REQUIRE(test::spike_ticks(*sim, 2, 0) == post);
            const double got = final_weights(*sim)[0] - 5.0;
            const double expected = triplet_prediction(p, sign * 10.0, T, 60);
            INFO(rate << " Hz, dt = " << sign * 10 << " ms: simulated " << got << ", closed form " << expected);
            CHECK(got == Approx(expected).epsilon(1e-4).margin(2e-6));
            dw[{sign, rate}] = got;
        }
    }
    // The published picture: post-before-pre depresses at low frequency and potentiates at high
    // frequency; pre-before-post potentiation grows with frequency.
    CHECK(dw[{-1, 0.1}] < 0);
    CHECK(dw[{-1, 50.0}] > 0);
    CHECK(dw[{+1, 10.0}] > 0);
    CHECK(dw[{+1, 50.0}] > dw[{+1, 20.0}]);
    CHECK(dw[{+1, 20.0}] > dw[{+1, 10.0}]);
}
