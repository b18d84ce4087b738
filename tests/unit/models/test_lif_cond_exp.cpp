// SPDX-License-Identifier: MIT
// lif_cond_exp integrates V with one RK4 step per tick (written as dV/dt = A - B V, with fused
// multiply-adds; decisions.md §27). Its error is measured here against an independent fine-step
// reference (RK4 on the equation as documented, with a division by C_m, 1000 sub-steps per tick,
// conductances decayed exactly), on a neuron bombarded by excitatory and inhibitory events: Brette
// et al. 2007's COBA parameters, and a set where every coefficient of A and B is non-zero.
#include <catch2/catch.hpp>

#include <cmath>

#include "memspike/core/scenario.hpp"
#include "support.hpp"

using namespace memspike;

namespace {

struct coba {
    double c_m = 200, g_l = 10, e_l = -60, e_ex = 0, e_in = -80, tau_ex = 5, tau_in = 10, v_th = -50, v_reset = -60;
    double i_e = 0;
};

/// Reference: V over ticks, inputs at given ticks (added to g at that tick, acting from the next).
std::vector<double> reference(const coba& p, double h, std::size_t ticks, const std::vector<double>& dge,
                              const std::vector<double>& dgi, int substeps) {
    std::vector<double> v_out(ticks);
    double v = p.e_l, ge = 0, gi = 0;  // starts at E_L, as the neuron does
    const double dt = h / substeps;
    auto f = [&](double vv, double gee, double gii) { return (p.g_l * (p.e_l - vv) + gee * (p.e_ex - vv) + gii * (p.e_in - vv) + p.i_e) / p.c_m; };
    for (std::size_t t = 0; t < ticks; ++t) {
        if (t > 0) {
            for (int s = 0; s < substeps; ++s) {
                const double e1 = std::exp(-0.5 * dt / p.tau_ex), e2 = std::exp(-dt / p.tau_ex);
                const double i1 = std::exp(-0.5 * dt / p.tau_in), i2 = std::exp(-dt / p.tau_in);
                const double k1 = f(v, ge, gi), k2 = f(v + 0.5 * dt * k1, ge * e1, gi * i1);
                const double k3 = f(v + 0.5 * dt * k2, ge * e1, gi * i1), k4 = f(v + dt * k3, ge * e2, gi * i2);
                v += dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
                ge *= e2;
                gi *= i2;
            }
        }
        ge += dge[t];
        gi += dgi[t];
        v_out[t] = v;
    }
    return v_out;
}

/// The error tests' second parameter set (E_ex 5 mV, E_L -65 mV, I_e 50 pA, unequal time
/// constants the other way round): it catches a wrong or swapped coefficient that E_ex = 0 or
/// I_e = 0 would hide.
coba other_set() {
    coba o;
    o.c_m = 150, o.g_l = 12, o.e_l = -65, o.e_ex = 5, o.e_in = -75, o.tau_ex = 3, o.tau_in = 1.5, o.i_e = 50, o.v_th = -35;
    return o;
}

struct error_run {
    double max_err = 0.0;  // max over the ticks of |V - V_ref| [mV]
    double v_max = -1e9;   // the reference's highest V [mV]
    bool spiked = false;
};

/// One neuron with parameters p and the given integrator (0 rk4, 1 euler), 100 ms at step h,
/// excitatory events every 1 ms (6 nS) and inhibitory ones every 4 ms (67 nS), so that V stays
/// subthreshold; V at every tick against the 1000-sub-step reference.
error_run against_reference(const coba& p, double h, double integrator) {
    const std::size_t ticks = static_cast<std::size_t>(100.0 / h);
    auto sc = test::make_scenario(100.0, h);
    auto& ex = test::add_population(sc, "ex", "spike_source", 1);
    auto& exs = ex.spike_ticks.emplace_back();
    for (double t = 1.0; t < 100.0; t += 1.0) exs.push_back(std::llround(t / h) - 1);
    auto& in = test::add_population(sc, "in", "spike_source", 1);
    auto& ins = in.spike_ticks.emplace_back();
    for (double t = 2.0; t < 100.0; t += 4.0) ins.push_back(std::llround(t / h) - 1);
    test::add_population(sc, "n", "lif_cond_exp", 1,
                         {{"c_m", p.c_m}, {"g_l", p.g_l}, {"e_l", p.e_l}, {"v_th", p.v_th}, {"v_reset", p.v_reset},
                          {"t_ref", 5.0}, {"e_ex", p.e_ex}, {"e_in", p.e_in}, {"tau_syn_ex", p.tau_ex}, {"tau_syn_in", p.tau_in},
                          {"i_e", p.i_e}, {"integrator", integrator}});
    test::connect(sc, "ex", "n", "all_to_all", 6.0, h, "ex");
    test::connect(sc, "in", "n", "all_to_all", 67.0, h, "in");
    std::vector<double> dge(ticks, 0.0), dgi(ticks, 0.0);
    for (const tick_t t : sc.populations[0].spike_ticks[0]) dge[static_cast<std::size_t>(t + 1)] += 6.0;
    for (const tick_t t : sc.populations[1].spike_ticks[0]) dgi[static_cast<std::size_t>(t + 1)] += 67.0;
    const auto ref = reference(p, h, ticks, dge, dgi, 1000);
    simulation sim(sc, builtin_models(), 1);
    error_run r;
    for (std::size_t t = 0; t < ticks; ++t) {
        sim.run(1);
        r.max_err = std::max(r.max_err, std::abs(sim.state(2, "v", 0) - ref[t]));
        r.v_max = std::max(r.v_max, ref[t]);
    }
    r.spiked = !sim.spikes()[2].ids.empty();
    return r;
}

} // namespace

TEST_CASE("lif_cond_exp: RK4 per tick against a 1000-sub-step reference", "[unit]") {
    for (const coba& p : {coba{}, other_set()})
    for (const double h : {0.1, 0.05}) {
        const error_run r = against_reference(p, h, 0.0);
        INFO("E_ex = " << p.e_ex << " mV, h = " << h << " ms: max |V - V_ref| = " << r.max_err << " mV, V_max = " << r.v_max);
        CHECK(r.v_max < p.v_th);
        CHECK(r.v_max > p.e_l + p.i_e / p.g_l + 1.0);  // the events move V well off rest
        // Stated tolerance: 5e-6 mV (measured 1.24e-6 mV at h = 0.1 ms, about 16x less at 0.05 ms:
        // fourth order), far below the 0.1-1 mV effect of one synaptic event.
        CHECK(r.max_err < 5e-6);
        CHECK_FALSE(r.spiked);
    }
}

TEST_CASE("lif_cond_exp rejects nonsense parameters", "[unit]") {
    const auto& m = builtin_models().find("lif_cond_exp");
    CHECK_THROWS_WITH(m.complete({{"g_l", 0.0}}), Catch::Contains("g_l") && Catch::Contains("> 0"));
    CHECK_THROWS_WITH(m.complete({{"v_reset", -50.0}, {"v_th", -55.0}}), Catch::Contains("v_reset"));
    CHECK_THROWS_WITH(m.complete({{"tau_syn_ex", -1.0}}), Catch::Contains("tau_syn_ex"));
    CHECK_THROWS_WITH(m.complete({{"e_ex", std::nan("")}}), Catch::Contains("e_ex"));
    CHECK_THROWS_WITH(m.complete({{"tau_m", 10.0}}), Catch::Contains("unknown parameter 'tau_m'"));
}

// ---------------------------------------------------------------------------------------------
// integrator = "euler" (decisions.md §43): one forward-Euler step of V per tick, conductances at
// the tick start, decayed exactly.

namespace {

/// The Euler step as docs/models.md states it, written here from the raw parameters: k1 =
/// A_0 - B_0 V with B_0 = g_L/C_m + (g_ex + g_in)/C_m, A_0 = g_L E_L/C_m + I_e/C_m + g_ex E_ex/C_m
/// + g_in E_in/C_m, then V + h k1, each product-sum one fused multiply-add in the stated order.
double euler_step(const coba& p, double h, double v, double ge, double gi) {
    using std::fma;
    const double inv_c = 1.0 / p.c_m;
    const double base = fma(p.i_e, inv_c, p.g_l * p.e_l / p.c_m);
    const double a0 = fma(gi, p.e_in / p.c_m, fma(ge, p.e_ex / p.c_m, base));
    const double b0 = fma(ge + gi, inv_c, p.g_l / p.c_m);
    return fma(h, fma(-b0, v, a0), v);
}

/// The RK4 step as decisions.md §27 writes it (dV/dt = A(s) - B(s) V, A and B linear in the
/// conductances at the tick start, their coefficients divided by C_m, the stages in fused
/// multiply-adds), here from the raw parameters: for the AVX-512 kernel written in intrinsics
/// (decisions.md §46), which must give the bits of the compiler's loops.
double rk4_step(const coba& p, double h, double v, double ge, double gi) {
    using std::fma;
    const double dex = std::exp(-0.5 * h / p.tau_ex), din = std::exp(-0.5 * h / p.tau_in);
    const double pex = std::exp(-h / p.tau_ex), pin = std::exp(-h / p.tau_in);
    const double c = p.c_m, gl = p.g_l / c;
    const double base = fma(p.i_e, 1.0 / c, p.g_l * p.e_l / c);
    const double b0 = fma(ge + gi, 1.0 / c, gl), a0 = fma(gi, p.e_in / c, fma(ge, p.e_ex / c, base));
    const double bh = fma(gi, din / c, fma(ge, dex / c, gl)), ah = fma(gi, p.e_in * din / c, fma(ge, p.e_ex * dex / c, base));
    const double b1 = fma(gi, pin / c, fma(ge, pex / c, gl)), a1 = fma(gi, p.e_in * pin / c, fma(ge, p.e_ex * pex / c, base));
    const double ch = fma(-bh, v, ah), q = 0.5 * h * bh;
    const double k1 = fma(-b0, v, a0);
    const double k2 = fma(-q, k1, ch);
    const double k3 = fma(-q, k2, ch);
    const double k4 = fma(-b1, fma(h, k3, v), a1);
    return v + fma(h / 6.0, k1 + k4, h / 3.0 * (k2 + k3));
}

/// Euler (or, with rk4, RK4) with conductances decayed exactly: the model's recursion, per tick, with the engine's
/// order (step from the tick-start state, threshold, input of the tick), refractoriness (V held
/// at V_reset for n_ref ticks after a spike) and the threshold test. V per tick, spike ticks.
std::pair<std::vector<double>, std::vector<tick_t>> euler_loop(const coba& p, double h, tick_t n_ref, std::size_t ticks,
                                                               double v, double ge, double gi,
                                                               const std::vector<double>& dge,
                                                               const std::vector<double>& dgi, bool rk4 = false) {
    std::vector<double> v_out(ticks);
    std::vector<tick_t> spikes;
    const double p_ex = std::exp(-h / p.tau_ex), p_in = std::exp(-h / p.tau_in);
    tick_t ref_end = -1;
    for (std::size_t k = 0; k < ticks; ++k) {
        const auto t = static_cast<tick_t>(k);
        if (t > 0) {
            if (t > ref_end) v = rk4 ? rk4_step(p, h, v, ge, gi) : euler_step(p, h, v, ge, gi);
            ge *= p_ex;
            gi *= p_in;
        }
        if (t > ref_end && v >= p.v_th) {
            spikes.push_back(t);
            v = p.v_reset;
            ref_end = t + n_ref;
        }
        ge += dge[k];
        gi += dgi[k];
        v_out[k] = v;
    }
    return {v_out, spikes};
}

param_map params_of(const coba& p, double t_ref, double integrator = 1.0) {
    return {{"c_m", p.c_m}, {"g_l", p.g_l}, {"e_l", p.e_l}, {"v_th", p.v_th}, {"v_reset", p.v_reset}, {"t_ref", t_ref},
            {"e_ex", p.e_ex}, {"e_in", p.e_in}, {"tau_syn_ex", p.tau_ex}, {"tau_syn_in", p.tau_in}, {"i_e", p.i_e},
            {"integrator", integrator}};
}

per_neuron_param given(std::vector<double> v) {
    per_neuron_param out;
    out.values = std::move(v);
    return out;
}

} // namespace

TEST_CASE("lif_cond_exp integrators euler and rk4: the same bits as the steps written in the test", "[unit][cond_exp_kernels]") {
    // 70 neurons (a full chunk of 64 slots, so whole vectors, and a remainder of 6) driven above
    // threshold by I_e, each with its own initial V and conductances (all active from tick 0, so
    // none is ever lazy) and its own input trains through one_to_one projections (one event per
    // port and tick, so no summation order to match). Three layouts of the same neurons: one
    // parameter set (the vectorised kernel with one threshold), per-neuron V_th (the kernel with a
    // threshold per slot) and per-neuron tau_syn_ex (several constant sets: the scalar loop).
    // Catches a wrong operand or order in the Euler step, a stage of RK4 left in, conductances
    // taken after their decay, a lane or the tail computed with other constants, and a kernel
    // (MEMSPIKE_STEP_KERNEL: ctest runs this test once per kernel) that rounds differently. The
    // same for RK4 (its AVX-512 kernel is written in intrinsics, decisions.md §46). All neurons
    // are active from tick 0, so after it the partition takes its input in the step loop (dense).
    const double h = 0.1, t_ref = 2.0;
    const tick_t n_ref = 20;
    const std::size_t n = 70, ticks = 2000;
    coba base;
    base.i_e = 1000.0;  // V_inf about -43 mV with the mean input's conductances: regular spikes
    for (const bool rk4 : {false, true})
    for (const int layout : {0, 1, 2}) {
        auto sc = test::make_scenario(static_cast<double>(ticks) * h, h);
        test::add_population(sc, "ex", "spike_source", n);
        test::add_population(sc, "in", "spike_source", n);
        auto& ex = sc.populations[0];  // after both: the second add moves the first
        auto& in = sc.populations[1];
        for (std::size_t i = 0; i < n; ++i) {
            auto& es = ex.spike_ticks.emplace_back();
            auto& is = in.spike_ticks.emplace_back();
            for (std::size_t t = 0; t + 1 < ticks; ++t) {
                if ((t + 3 * i) % (7 + i % 5) == 0) es.push_back(static_cast<tick_t>(t));
                if ((t + 11 * i) % (29 + i % 7) == 0) is.push_back(static_cast<tick_t>(t));
            }
        }
        auto& pop = test::add_population(sc, "n", "lif_cond_exp", n, params_of(base, t_ref, rk4 ? 0.0 : 1.0));
        std::vector<coba> ps(n, base);
        std::vector<double> v0(n), ge0(n), gi0(n), th(n), tau_ex(n);
        for (std::size_t i = 0; i < n; ++i) {
            v0[i] = -60.0 + 0.137 * static_cast<double>(i);
            ge0[i] = 3.0 + 0.71 * static_cast<double>(i);
            gi0[i] = 9.0 + 1.3 * static_cast<double>(i % 13);
            th[i] = -50.0 + 0.05 * static_cast<double>(i % 9);
            tau_ex[i] = 5.0 + 0.5 * static_cast<double>(i % 3);
            if (layout == 1) ps[i].v_th = th[i];
            if (layout == 2) ps[i].tau_ex = tau_ex[i];
        }
        pop.init_values["v"] = given(v0);
        pop.init_values["g_ex"] = given(ge0);
        pop.init_values["g_in"] = given(gi0);
        if (layout == 1) {
            pop.params.erase("v_th");
            pop.per_neuron["v_th"] = given(th);
        }
        if (layout == 2) {
            pop.params.erase("tau_syn_ex");
            pop.per_neuron["tau_syn_ex"] = given(tau_ex);
        }
        test::connect(sc, "ex", "n", "one_to_one", 6.0, h, "ex");
        test::connect(sc, "in", "n", "one_to_one", 20.0, h, "in");
        simulation sim(sc, builtin_models(), 1);
        std::vector<std::vector<double>> v_sim(n, std::vector<double>(ticks));
        for (std::size_t t = 0; t < ticks; ++t) {
            sim.run(1);
            for (std::uint32_t i = 0; i < n; ++i) v_sim[i][t] = sim.state(2, "v", i);
        }
        std::size_t spikes = 0;
        for (std::uint32_t i = 0; i < n; ++i) {
            std::vector<double> dge(ticks, 0.0), dgi(ticks, 0.0);
            for (const tick_t t : sc.populations[0].spike_ticks[i]) dge[static_cast<std::size_t>(t + 1)] += 6.0;
            for (const tick_t t : sc.populations[1].spike_ticks[i]) dgi[static_cast<std::size_t>(t + 1)] += 20.0;
            const auto [v_ref, spikes_ref] = euler_loop(ps[i], h, n_ref, ticks, v0[i], ge0[i], gi0[i], dge, dgi, rk4);
            INFO((rk4 ? "rk4" : "euler") << ", layout " << layout << ", neuron " << i);
            std::size_t differ = 0;
            for (std::size_t t = 0; t < ticks; ++t) differ += v_sim[i][t] != v_ref[t];  // bit for bit
            CHECK(differ == 0);
            CHECK(test::spike_ticks(sim, 2, i) == spikes_ref);
            spikes += spikes_ref.size();
        }
        CHECK(spikes > 40 * n);  // every neuron spikes and is held refractory many times (measured ~54 each)
    }
}

TEST_CASE("lif_cond_exp integrator = euler: its error against the 1000-sub-step reference", "[unit]") {
    // The RK4 test's neuron and inputs, stepped by Euler. Forward Euler's global error is O(h):
    // the bound (about twice the measured maximum, docs/models.md "Exactness") catches a step
    // whose error grew (a wrong or swapped coefficient, E_ex for E_in), and halving h must about
    // halve the error, which catches a step that is not first order (RK4 left in, or an
    // inconsistent step whose error does not shrink with h). Another consistent first-order
    // step passes here (the conductances after their decay did, at the same size of error):
    // the test above pins the step itself, bit for bit.
    // Measured maximum errors at h = 0.1 ms (docs/models.md): 0.0888 mV (COBA set), 0.341 mV
    // (the other set); the bounds are about twice these.
    const std::pair<coba, double> sets[] = {{coba{}, 0.18}, {other_set(), 0.7}};
    for (const auto& [p, bound] : sets) {
        std::vector<double> errs;
        for (const double h : {0.1, 0.05}) {
            const error_run r = against_reference(p, h, 1.0);
            INFO("E_ex = " << p.e_ex << " mV, h = " << h << " ms: max |V - V_ref| = " << r.max_err << " mV");
            CHECK(r.max_err < bound);
            CHECK_FALSE(r.spiked);
            errs.push_back(r.max_err);
        }
        INFO("error ratio h = 0.1 / h = 0.05: " << errs[0] / errs[1]);
        CHECK(errs[0] / errs[1] > 1.7);
        CHECK(errs[0] / errs[1] < 2.3);
    }
}

TEST_CASE("lif_cond_exp integrator: default rk4, unknown names refused with file, line, key and the accepted names", "[unit]") {
    const auto& m = builtin_models().find("lif_cond_exp");
    CHECK(m.complete({}).at("integrator") == 0.0);  // "rk4"
    CHECK_THROWS_WITH(m.complete({{"integrator", 2.0}}),
                      Catch::Contains("integrator") && Catch::Contains("must be one of \"rk4\" or \"euler\""));
    CHECK_THROWS_WITH(m.complete({{"integrator", 0.5}}), Catch::Contains("\"rk4\" or \"euler\""));
    const std::string head = "[simulation]\nduration = \"1 ms\"\n[[population]]\nname = \"E\"\nmodel = \"lif_cond_exp\"\nsize = 2\n";
    const auto msg = [&](const std::string& params) -> std::string {
        try {
            (void)parse_scenario(head + params, "coba.toml", builtin_models(), {});
        } catch (const std::exception& e) {
            return e.what();
        }
        return "(no error)";
    };
    const std::string bad = msg("params = { integrator = \"rk2\" }\n");
    CHECK_THAT(bad, Catch::Contains("coba.toml:7") && Catch::Contains("population.E.params.integrator") &&
                        Catch::Contains("\"rk2\"") && Catch::Contains("must be one of \"rk4\" or \"euler\""));
    CHECK_THAT(msg("params = { integrator = 1 }\n"),
               Catch::Contains("coba.toml:7") && Catch::Contains("population.E.params.integrator") &&
                   Catch::Contains("one of \"rk4\" or \"euler\""));
    CHECK_THAT(msg("params = { integrator = [\"rk4\", \"euler\"] }\n"),
               Catch::Contains("population.E.params.integrator") && Catch::Contains("for the whole population"));
    CHECK(parse_scenario(head + "params = { integrator = \"euler\" }\n", "coba.toml", builtin_models(), {})
              .populations[0].params.at("integrator") == 1.0);
}
