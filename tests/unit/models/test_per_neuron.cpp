// SPDX-License-Identifier: MIT
// Per-neuron parameter values (population_spec::per_neuron, docs/scenario-format.md): each varied
// parameter against the closed form of a DC-driven LIF, a heterogeneous population against
// homogeneous single-neuron populations fed the same spikes (the per-neuron code path against
// the homogeneous one, spike for spike), drawn values against the thread count, and the
// validator's messages.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "memspike/core/errors.hpp"
#include "memspike/core/scenario.hpp"
#include "support.hpp"

using namespace memspike;

namespace {

per_neuron_param given(std::vector<double> v) {
    per_neuron_param p;
    p.values = std::move(v);
    return p;
}

// The first tick k >= 1 at which V(k) = V_inf + (V0 - V_inf) exp(-k h / tau) reaches V_th, by the
// closed form k = ceil(tau / h ln((V_inf - V0) / (V_inf - V_th))) (values chosen away from a tick
// boundary, so rounding cannot move it).
tick_t crossing_ticks(double tau, double h, double v_inf, double v0, double v_th) {
    return static_cast<tick_t>(std::ceil(tau / h * std::log((v_inf - v0) / (v_inf - v_th))));
}

} // namespace

TEST_CASE("per-neuron parameters: each varied LIF parameter gives the closed-form first spike and interval", "[unit]") {
    // Four neurons, one parameter varied across them; DC-driven by their own i_e. First spike at
    // crossing_ticks from E_L, then one every n_ref + crossing_ticks from V_reset.
    const double h = 0.1;
    const param_map base{{"tau_m", 20.0}, {"c_m", 250.0}, {"e_l", -70.0}, {"v_th", -55.0},
                         {"v_reset", -65.0}, {"t_ref", 2.0}, {"i_e", 400.0}};
    const std::vector<std::pair<std::string, std::vector<double>>> cases{
        {"v_th", {-60.03, -57.01, -55.02, -52.04}}, {"tau_m", {12.03, 15.01, 20.02, 35.04}},
        {"i_e", {230.3, 300.1, 500.2, 900.4}},     {"e_l", {-75.03, -72.01, -70.02, -66.04}},
        {"v_reset", {-80.03, -70.01, -62.02, -58.04}}, {"t_ref", {0.0, 0.5, 2.0, 5.3}},
        {"c_m", {100.3, 200.1, 250.2, 330.4}}};
    for (const std::string model : {"lif_delta", "lif_exp"}) {
        for (const auto& [name, values] : cases) {
            auto sc = test::make_scenario(200.0, h);
            auto& p = test::add_population(sc, "n", model, values.size(), base);
            p.params.erase(name);
            p.per_neuron[name] = given(values);
            const auto sim = test::run(sc);
            for (std::uint32_t i = 0; i < values.size(); ++i) {
                param_map q = base;
                q[name] = values[i];
                const double v_inf = q["e_l"] + q["i_e"] * q["tau_m"] / q["c_m"];
                const tick_t first = crossing_ticks(q["tau_m"], h, v_inf, q["e_l"], q["v_th"]);
                const tick_t isi = std::llround(q["t_ref"] / h) + crossing_ticks(q["tau_m"], h, v_inf, q["v_reset"], q["v_th"]);
                const auto ticks = test::spike_ticks(*sim, 0, i);
                INFO(model << ": " << name << " = " << values[i] << " (neuron " << i << ")");
                REQUIRE(ticks.size() >= 3);
                CHECK(ticks[0] == first);
                CHECK(ticks[1] - ticks[0] == isi);
                CHECK(ticks[2] - ticks[1] == isi);
            }
        }
    }
}

TEST_CASE("per-neuron parameters: lif_cond_exp's g_l and e_l per neuron give the closed-form first spike", "[unit]") {
    const double h = 0.1;
    const std::vector<double> g_l{10.3, 16.6, 25.1}, e_l{-72.03, -70.01, -68.02};
    auto sc = test::make_scenario(100.0, h);
    auto& p = test::add_population(sc, "n", "lif_cond_exp", 3, {{"i_e", 600.0}, {"v_th", -50.0}});
    p.per_neuron["g_l"] = given(g_l);
    p.per_neuron["e_l"] = given(e_l);
    const auto sim = test::run(sc);
    for (std::uint32_t i = 0; i < 3; ++i) {
        const double tau = 250.0 / g_l[i], v_inf = e_l[i] + 600.0 / g_l[i];
        INFO("neuron " << i);
        const auto ticks = test::spike_ticks(*sim, 0, i);
        REQUIRE(!ticks.empty());
        CHECK(ticks[0] == crossing_ticks(tau, h, v_inf, e_l[i], -50.0));
    }
}

namespace {

// Neuron k of a heterogeneous population with parameter set k, and a one-neuron homogeneous
// population per set, each fed the same excitatory and inhibitory spike trains: every neuron of
// the first must spike exactly as its twin.
void check_against_homogeneous(const std::string& model, const std::vector<param_map>& sets, const std::string& ex,
                               const std::string& in, double w_ex, double w_in) {
    const std::size_t n = sets.size();
    auto sc = test::make_scenario(300.0, 0.1);
    std::vector<std::vector<tick_t>> trains_ex(n), trains_in(n);
    std::uint64_t x = 12345;
    for (std::size_t k = 0; k < n; ++k)
        for (tick_t t = 0; t < 3000; ++t) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            const unsigned r = static_cast<unsigned>(x >> 33) % 100;
            if (r < 9) trains_ex[k].push_back(t);
            else if (r < 12) trains_in[k].push_back(t);
        }
    test::add_population(sc, "sx", "spike_source", n).spike_ticks = trains_ex;
    test::add_population(sc, "si", "spike_source", n).spike_ticks = trains_in;
    auto& het = test::add_population(sc, "het", model, n);
    for (const auto& [name, _] : sets[0]) {
        std::vector<double> col;
        for (const auto& s : sets) col.push_back(s.at(name));
        het.per_neuron[name] = given(col);
    }
    test::connect(sc, "sx", "het", "one_to_one", w_ex, 0.5, ex);
    test::connect(sc, "si", "het", "one_to_one", w_in, 0.5, in);
    for (std::size_t k = 0; k < n; ++k) {
        const std::string sx = "sx" + std::to_string(k), si = "si" + std::to_string(k), h = "hom" + std::to_string(k);
        test::add_population(sc, sx, "spike_source", 1).spike_ticks = {trains_ex[k]};
        test::add_population(sc, si, "spike_source", 1).spike_ticks = {trains_in[k]};
        test::add_population(sc, h, model, 1, sets[k]);
        test::connect(sc, sx, h, "one_to_one", w_ex, 0.5, ex);
        test::connect(sc, si, h, "one_to_one", w_in, 0.5, in);
    }
    const auto sim = test::run(sc, 2);
    std::size_t spikes = 0;
    for (std::uint32_t k = 0; k < n; ++k) {
        INFO(model << ": neuron " << k);
        const auto mine = test::spike_ticks(*sim, 2, k);
        CHECK(mine == test::spike_ticks(*sim, 3 + 3 * k + 2, 0));
        spikes += mine.size();
    }
    CHECK(spikes > 10 * n);  // the input drives them: the comparison is not of silent neurons
}

} // namespace

TEST_CASE("per-neuron parameters: a heterogeneous population spikes as homogeneous twins do", "[unit]") {
    // Two sets (full decay tables) and twelve distinct tau_m (tables without entries: std::exp).
    for (const std::size_t n : {2, 12}) {
        std::vector<param_map> delta, exp, cond;
        for (std::size_t k = 0; k < n; ++k) {
            const double f = static_cast<double>(k) / static_cast<double>(n);
            delta.push_back({{"tau_m", 10.0 + 15.0 * f}, {"c_m", 200.0 + 100.0 * f}, {"e_l", -70.0 + 2.0 * f},
                             {"v_th", -55.0 + 3.0 * f}, {"v_reset", -68.0 + 4.0 * f}, {"t_ref", 1.0 + 0.1 * double(k)},
                             {"i_e", 100.0 + 150.0 * f}});
            param_map e = delta.back();
            e["tau_syn_ex"] = 1.0 + 2.0 * f;
            e["tau_syn_in"] = 3.0 + 4.0 * f;
            exp.push_back(e);
            param_map c = e;
            c.erase("tau_m");
            c["g_l"] = 12.0 + 10.0 * f;
            c["e_ex"] = -5.0 * f;
            c["e_in"] = -80.0 - 5.0 * f;
            cond.push_back(c);
        }
        check_against_homogeneous("lif_delta", delta, "", "", 4.0, -3.0);
        check_against_homogeneous("lif_exp", exp, "ex", "in", 300.0, -100.0);
        check_against_homogeneous("lif_cond_exp", cond, "ex", "in", 12.0, 4.0);
    }
}

TEST_CASE("per-neuron parameters: lif_alpha, adex and izhikevich spike as homogeneous twins do", "[unit]") {
    // The stepped models (stepped.hpp) keep one record of constants per neuron, built by the same
    // code as a homogeneous population's: any parameter read from the wrong neuron (or a default
    // initial state, V = E_L or u = b v, taken from neuron 0) shows as a differing spike train.
    const std::size_t n = 5;
    std::vector<param_map> alpha, adex, izh;
    for (std::size_t k = 0; k < n; ++k) {
        const double f = static_cast<double>(k) / static_cast<double>(n);
        alpha.push_back({{"tau_m", 10.0 + 15.0 * f}, {"c_m", 200.0 + 100.0 * f}, {"e_l", -70.0 + 2.0 * f},
                         {"v_th", -55.0 + 3.0 * f}, {"v_reset", -68.0 + 4.0 * f}, {"t_ref", 1.0 + 0.1 * double(k)},
                         {"i_e", 100.0 + 150.0 * f}, {"tau_syn_ex", 1.0 + 2.0 * f}, {"tau_syn_in", 3.0 + 4.0 * f}});
        adex.push_back({{"c_m", 250.0 + 60.0 * f}, {"g_l", 25.0 + 10.0 * f}, {"e_l", -71.0 + 2.0 * f},
                        {"v_th", -51.0 + 2.0 * f}, {"delta_t", 1.5 + f}, {"v_reset", -60.0 + 3.0 * f},
                        {"t_ref", 0.1 * double(k)}, {"a", 2.0 + 4.0 * f}, {"b", 40.0 + 60.0 * f},
                        {"tau_w", 100.0 + 80.0 * f}, {"i_e", 800.0 + 300.0 * f}, {"tau_syn_ex", 0.5 + f}});
        izh.push_back({{"a", 0.02 + 0.08 * f}, {"b", 0.2 + 0.05 * f}, {"c", -65.0 + 15.0 * f}, {"d", 2.0 + 6.0 * f},
                       {"v_th", 30.0 - 5.0 * f}, {"i_e", 5.0 + 10.0 * f}});
    }
    check_against_homogeneous("lif_alpha", alpha, "ex", "in", 300.0, -100.0);
    check_against_homogeneous("adex", adex, "ex", "in", 4.0, 2.0);
    check_against_homogeneous("izhikevich", izh, "", "", 2.0, -1.5);
}

TEST_CASE("per-neuron parameters: drawn values do not depend on the thread count", "[unit]") {
    auto make = [] {
        auto sc = test::make_scenario(200.0, 0.1, 7);
        auto& p = test::add_population(sc, "E", "lif_exp", 600, {{"v_th", -55.0}});
        per_neuron_param tau;
        tau.dist.k = distribution::kind::normal;
        tau.dist.mean = 20.0;
        tau.dist.sd = 5.0;
        tau.dist.min = 8.0;
        tau.dist.max = 30.0;
        tau.dist.policy = distribution::out_of_range::redraw;
        p.per_neuron["tau_m"] = tau;
        per_neuron_param ie;
        ie.dist.k = distribution::kind::uniform;
        ie.dist.low = 300.0;
        ie.dist.high = 450.0;
        p.per_neuron["i_e"] = ie;
        test::add_poisson(sc, "E", 2000.0, 50.0, "ex");
        return sc;
    };
    const auto one = test::run(make(), 1), four = test::run(make(), 4);
    CHECK(one->spikes()[0].ids == four->spikes()[0].ids);
    CHECK(one->spikes()[0].ticks == four->spikes()[0].ticks);
    CHECK(one->spikes()[0].ids.size() > 600);
    // The draws: inside the truncation window, and not all alike.
    const scenario sc = make();
    const auto tau = neuron_parameter_values(sc.populations[0], 0, 7, "tau_m", 0, 600);
    double lo = 1e9, hi = -1e9, sum = 0;
    for (const double v : tau) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        sum += v;
    }
    CHECK(lo >= 8.0);
    CHECK(hi <= 30.0);
    CHECK(hi - lo > 15.0);
    CHECK(sum / 600.0 == Approx(20.0).margin(1.0));  // truncation at +-2 sd hardly moves the mean
    // A slice is the same values as the whole (partitions draw their own slices).
    CHECK(neuron_parameter_values(sc.populations[0], 0, 7, "tau_m", 100, 5) ==
          std::vector<double>(tau.begin() + 100, tau.begin() + 105));
}

namespace {

std::string net(const std::string& params, std::uint64_t size = 4, const std::string& model = "lif_delta") {
    return "[simulation]\nduration = \"10 ms\"\n[[population]]\nname = \"E\"\nmodel = \"" + model +
           "\"\nsize = " + std::to_string(size) + "\nparams = { " + params + " }\n";
}

std::string error_of(const std::string& text, const std::string& file = "net.toml") {
    try {
        parse_scenario(text, file, builtin_models());
    } catch (const error& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

TEST_CASE("per-neuron parameters: the TOML forms read to the same values", "[unit]") {
    const auto dir = std::filesystem::temp_directory_path() / "memspike_per_neuron_test";
    std::filesystem::create_directories(dir);
    {
        std::ofstream(dir / "vth.txt") << "# thresholds\n-50, -51\n-52 -53\n";
        // A .npy vector of four float64 (NumPy format 1.0, header padded to 128 bytes).
        std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }";
        header.append(128 - 10 - header.size() - 1, ' ');
        header += '\n';
        std::ofstream npy(dir / "vth.npy", std::ios::binary);
        npy.write("\x93NUMPY\x01\x00", 8);
        const char len[2] = {static_cast<char>(header.size()), 0};
        npy.write(len, 2);
        npy << header;
        for (const double v : {-50.0, -51.0, -52.0, -53.0}) npy.write(reinterpret_cast<const char*>(&v), 8);
    }
    const std::vector<double> want{-50.0, -51.0, -52.0, -53.0};
    const std::string file = (dir / "net.toml").string();
    for (const std::string form : {"v_th = [\"-50 mV\", \"-51 mV\", \"-52 mV\", \"-0.053 V\"]",
                                   "v_th = { values = [-0.05, -0.051, -0.052, -0.053], unit = \"V\" }",
                                   "v_th = { file = \"vth.txt\", unit = \"mV\" }", "v_th = { file = \"vth.npy\", unit = \"mV\" }"}) {
        INFO(form);
        const scenario sc = parse_scenario(net(form), file, builtin_models());
        const auto got = sc.populations[0].per_neuron.at("v_th").values;
        REQUIRE(got.size() == 4);
        for (std::size_t i = 0; i < 4; ++i) CHECK(got[i] == Approx(want[i]).epsilon(1e-14));
    }
    const scenario drawn = parse_scenario(net("v_th = { dist = \"uniform\", low = \"-56 mV\", high = \"-54 mV\" }"), file,
                                          builtin_models());
    CHECK(drawn.populations[0].per_neuron.at("v_th").drawn());
    std::filesystem::remove_all(dir);
}

TEST_CASE("per-neuron parameters: the validator names file, line, key, neuron and value", "[unit]") {
    // Wrong length: both lengths.
    CHECK_THAT(error_of(net("v_th = [\"-50 mV\", \"-51 mV\", \"-52 mV\"]")),
               Catch::Contains("net.toml:7:") && Catch::Contains("population.E.params.v_th") &&
                   Catch::Contains("3 per-neuron values (array) for a population of 4 neurons"));
    // A per-neuron rule broken by one neuron: its index and its values.
    CHECK_THAT(error_of(net("v_reset = \"-60 mV\", v_th = [\"-50 mV\", \"-51 mV\", \"-61 mV\", \"-52 mV\"]")),
               Catch::Contains("net.toml:7:") && Catch::Contains("neuron 2 (v_th = -61 mV)") &&
                   Catch::Contains("must be < v_th = -61 mV"));
    CHECK_THAT(error_of(net("tau_m = [\"10 ms\", \"-1 ms\", \"10 ms\", \"10 ms\"]")),
               Catch::Contains("population.E.params.tau_m") && Catch::Contains("neuron 1 (tau_m = -1 ms)"));
    // A drawn value outside its window under the default policy (error), located at the key.
    CHECK_THAT(error_of(net("v_th = { dist = \"normal\", mean = \"-50 mV\", sd = \"5 mV\", min = \"-50.1 mV\", max = \"-49.9 mV\" }")),
               Catch::Contains("population.E.params.v_th") && Catch::Contains("lies outside"));
    // A unit is required for bare numbers; a missing file names the path.
    CHECK_THAT(error_of(net("v_th = { values = [-50, -51, -52, -53] }")),
               Catch::Contains("population.E.params.v_th") && Catch::Contains("unit"));
    CHECK_THAT(error_of(net("v_th = { file = \"no_such.npy\", unit = \"mV\" }")),
               Catch::Contains("population.E.params.v_th.file") && Catch::Contains("cannot open") &&
                   Catch::Contains("no_such.npy"));
    CHECK_THAT(error_of(net("v_th = { dist = \"uniform\", low = \"-56 mV\" }")), Catch::Contains("high"));
    // A model that reads no per-neuron values refuses them.
    CHECK_THAT(error_of(net("rate = [\"1 Hz\", \"2 Hz\", \"3 Hz\", \"4 Hz\"]", 4, "poisson_source")),
               Catch::Contains("takes no per-neuron parameter values"));
}

TEST_CASE("per-neuron parameters: the resource estimate counts their memory", "[unit]") {
    const model_registry models = builtin_models();
    for (const std::string m : {"lif_delta", "lif_exp", "lif_cond_exp"}) {
        population_spec p;
        p.model = m;
        p.size = 1000;
        const double plain = models.find(m).state_bytes(p);
        p.per_neuron["v_th"] = given(std::vector<double>(1000, -50.0));
        INFO(m);
        CHECK(models.find(m).state_bytes(p) >= plain + 56.0 * 1000);
    }
}

TEST_CASE("per-neuron parameters: a checkpoint resumes a heterogeneous run and refuses other values", "[unit]") {
    // Save at 150 ms, load into a fresh simulation of the same scenario, run on: the spikes after the
    // checkpoint are those of the uninterrupted run. A scenario with other per-neuron values (the
    // fingerprint covers them) is refused.
    auto make = [](double shift) {
        auto sc = test::make_scenario(300.0, 0.1, 5);
        for (const std::string m : {"lif_delta", "lif_exp"}) {
            auto& p = test::add_population(sc, m, m, 50, {{"i_e", 300.0}});
            std::vector<double> th(50);
            for (std::size_t i = 0; i < 50; ++i) th[i] = -56.0 + 0.1 * static_cast<double>(i) + shift;
            p.per_neuron["v_th"] = given(th);
            per_neuron_param tau;
            tau.dist.k = distribution::kind::uniform;
            tau.dist.low = 15.0;
            tau.dist.high = 25.0;
            p.per_neuron["tau_m"] = tau;
        }
        test::add_poisson(sc, "lif_delta", 800.0, 0.5);
        test::add_poisson(sc, "lif_exp", 800.0, 40.0, "ex");
        return sc;
    };
    const auto whole = test::run(make(0.0));
    simulation first(make(0.0), builtin_models(), 1);
    first.run(1500);
    const auto image = first.save_state_to_bytes();
    simulation resumed(make(0.0), builtin_models(), 1);
    resumed.load_state_from_bytes(image);
    resumed.run(1500);
    for (std::size_t p = 0; p < 2; ++p) {
        std::vector<std::pair<tick_t, std::uint32_t>> want, got;
        for (std::size_t k = 0; k < whole->spikes()[p].ids.size(); ++k)
            if (whole->spikes()[p].ticks[k] >= 1500) want.emplace_back(whole->spikes()[p].ticks[k], whole->spikes()[p].ids[k]);
        for (std::size_t k = 0; k < resumed.spikes()[p].ids.size(); ++k)
            if (resumed.spikes()[p].ticks[k] >= 1500) got.emplace_back(resumed.spikes()[p].ticks[k], resumed.spikes()[p].ids[k]);
        std::sort(want.begin(), want.end());
        std::sort(got.begin(), got.end());
        INFO("population " << p);
        CHECK(want.size() > 100);
        CHECK(got == want);
    }
    simulation other(make(0.5), builtin_models(), 1);
    CHECK_THROWS_AS(other.load_state_from_bytes(image), io_error);
}

TEST_CASE("per-neuron initial values: the TOML forms, the first spike from each V0, the length check", "[unit]") {
    // Initial values given per neuron (init = { v = [...] }, { values, unit }, { file, unit }) as
    // parameters take them. Each DC-driven neuron first crosses v_th after the closed-form time from
    // its own V0; a model that ignored them (or took neuron 0's) would spike at one tick for all.
    const auto dir = std::filesystem::temp_directory_path() / "memspike_per_neuron_init_test";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "v0.txt") << "-70\n-66 -62\n-58\n";
    const std::string file = (dir / "net.toml").string();
    const std::vector<double> v0{-70.0, -66.0, -62.0, -58.0};
    for (const std::string form : {"v = [\"-70 mV\", \"-66 mV\", \"-62 mV\", \"-0.058 V\"]",
                                   "v = { values = [-70, -66, -62, -58], unit = \"mV\" }",
                                   "v = { file = \"v0.txt\", unit = \"mV\" }"}) {
        for (const std::string model : {"lif_delta", "lif_exp", "lif_alpha"}) {
            INFO(form << ", " << model);
            const std::string text = net("i_e = \"400 pA\", v_th = \"-55 mV\", tau_m = \"20 ms\", c_m = \"250 pF\", "
                                         "e_l = \"-70 mV\"",
                                         4, model) +
                                     "init = { " + form + " }\n";
            scenario sc = parse_scenario(text, file, builtin_models());
            REQUIRE(sc.populations[0].init_values.at("v").values.size() == 4);
            sc.simulation.duration_ms = 20.0;
            const auto sim = test::run(sc);
            for (std::uint32_t i = 0; i < 4; ++i) {
                const auto ticks = test::spike_ticks(*sim, 0, i);
                REQUIRE(!ticks.empty());
                CHECK(ticks[0] == crossing_ticks(20.0, 0.1, -70.0 + 400.0 * 20.0 / 250.0, v0[i], -55.0));
            }
        }
    }
    std::filesystem::remove_all(dir);
    // Wrong length: both lengths, file, line and key.
    const std::string three = net("", 4) + "init = { v = [\"-70 mV\", \"-66 mV\", \"-62 mV\"] }\n";
    CHECK_THAT(error_of(three), Catch::Contains("net.toml:8:") && Catch::Contains("population.E.init.v") &&
                                    Catch::Contains("3 initial values (array) for a population of 4 neurons"));
    // A state variable the model lacks is refused as for a constant.
    CHECK_THAT(error_of(net("", 2) + "init = { w = [\"1 mV\", \"2 mV\"] }\n"), Catch::Contains("init.w"));
}
