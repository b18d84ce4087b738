// SPDX-License-Identifier: MIT
// Brunel (2000) model A against its own mean-field theory. The test solves the self-consistent
// Siegert rate itself (stationary diffusion approximation, Brunel 2000 eq. 21 with eqs. 4-5),
//
//   1/nu = tau_rp + tau_m sqrt(pi) int_{(V_r - mu)/sigma}^{(theta - mu)/sigma} e^{u^2} (1 + erf u) du,
//   mu = C_E J tau_m (nu_ext + nu (1 - g gamma)),  sigma^2 = C_E J^2 tau_m (nu_ext + nu (1 + g^2 gamma)),
//
// then simulates the network in asynchronous-irregular (AI) states and compares the measured mean
// rates of E and I with the prediction. The Siegert code is unit-checked first (scaled error
// function against the unscaled one, the deterministic f-I limit for small sigma, CV -> 1 far below
// threshold), and an open-loop run (one population fed the fixed-point input as Poisson trains)
// checks rate and ISI CV of the neuron model against the same theory, including the correction
// for the 0.1 ms grid on which the simulator looks for threshold crossings.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <vector>

#include "support.hpp"

using namespace memspike;

namespace {

constexpr double pi = 3.141592653589793238462643383279502884;
constexpr double sqrt_pi = 1.772453850905516027298167483341145183;

// ---------------------------------------------------------------------------------------------
// Scaled complementary error function erfcx(x) = e^{x^2} erfc(x), for all real x.
//
//  x < 0:        erfcx(x) = 2 e^{x^2} - erfcx(-x)   (no cancellation: both terms positive and the
//                first dominates); overflows (to +inf) only for x < -26.6, where e^{x^2} does.
//  0 <= x < 5:   e^{x^2} erfc(x) directly: erfc(x) >= 1.5e-12 is a normal double with full relative
//                accuracy, and e^{x^2} <= 7.2e10 carries a relative error ~ x^2 eps.
//  x >= 5:       Laplace's continued fraction
//                erfcx(x) = (1/sqrt(pi)) 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))),
//                evaluated bottom-up at a fixed depth; at x >= 5 it converges to machine precision
//                well within 80 levels (the tail behaves like the asymptotic series
//                1/(x sqrt(pi)) (1 - 1/(2x^2) + 3/(4x^4) - ...), whose terms are then tiny).
// ---------------------------------------------------------------------------------------------
double erfcx(double x) {
    if (x < 0.0) return 2.0 * std::exp(x * x) - erfcx(-x);
    if (x < 5.0) return std::exp(x * x) * std::erfc(x);
    double tail = x;
    for (int k = 80; k >= 1; --k) tail = x + (0.5 * k) / tail;
    return 1.0 / (sqrt_pi * tail);
}

// Adaptive Simpson quadrature of a smooth positive integrand, relative tolerance `rel`.
template <class F>
double simpson_step(const F& f, double a, double b, double fa, double fm, double fb, double whole, double tol, int depth) {
    const double m = 0.5 * (a + b);
    const double lm = 0.5 * (a + m), rm = 0.5 * (m + b);
    const double flm = f(lm), frm = f(rm);
    const double left = (m - a) / 6.0 * (fa + 4.0 * flm + fm);
    const double right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
    const double diff = left + right - whole;
    if (depth <= 0 || std::abs(diff) <= 15.0 * tol) return left + right + diff / 15.0;
    return simpson_step(f, a, m, fa, flm, fm, left, 0.5 * tol, depth - 1) +
           simpson_step(f, m, b, fm, frm, fb, right, 0.5 * tol, depth - 1);
}

template <class F>
double integrate(const F& f, double a, double b, double rel = 1e-11) {
    if (a == b) return 0.0;
    // A coarse first estimate sets the absolute tolerance; the integrand is positive, so this
    // is a relative tolerance on the result.
    const int n = 64;
    const double h = (b - a) / n;
    double coarse = 0.0;
    std::vector<double> fx(n + 1);
    for (int i = 0; i <= n; ++i) fx[static_cast<std::size_t>(i)] = f(a + h * i);
    for (int i = 0; i < n; ++i) coarse += 0.5 * h * (fx[static_cast<std::size_t>(i)] + fx[static_cast<std::size_t>(i) + 1]);
    const double tol = rel * std::abs(coarse) / n;
    double sum = 0.0;
    for (int i = 0; i < n; ++i) {
        const double x0 = a + h * i, x1 = a + h * (i + 1);
        const double f0 = fx[static_cast<std::size_t>(i)], f1 = fx[static_cast<std::size_t>(i) + 1];
        const double fm = f(0.5 * (x0 + x1));
        sum += simpson_step(f, x0, x1, f0, fm, f1, (x1 - x0) / 6.0 * (f0 + 4.0 * fm + f1), tol, 40);
    }
    return sum;
}

/// Parameters of model A in ms, mV, kHz.
struct brunel_params {
    double c_e = 1000.0;   // excitatory in-degree
    double gamma = 0.25;   // C_I / C_E
    double j = 0.1;        // mV
    double g = 5.0;
    double eta = 2.0;
    double theta = 20.0;   // mV
    double v_r = 10.0;     // mV
    double tau_m = 20.0;   // ms
    double tau_rp = 2.0;   // ms
    double grid_h = 0.0;   // ms; > 0 adds the threshold shift of a process sampled every grid_h

    double nu_thr() const { return theta / (j * c_e * tau_m); }  // kHz
    double nu_ext() const { return eta * nu_thr(); }             // kHz
    double mu(double nu) const { return c_e * j * tau_m * (nu_ext() + nu * (1.0 - g * gamma)); }
    double sigma(double nu) const { return std::sqrt(c_e * j * j * tau_m * (nu_ext() + nu * (1.0 + g * g * gamma))); }
};

/// Threshold crossings of a diffusion looked at only every h ms are found late: to first order
/// the threshold moves up by zeta(1/2)/sqrt(2 pi) times the standard deviation of one step,
/// sigma sqrt(h/tau_m) (Siegmund's correction for discretely monitored boundaries).
constexpr double grid_shift = 0.5825971579390106;

/// Siegert rate (kHz) of a LIF with reset, refractoriness and white-noise input of mean mu and
/// standard deviation sigma (both mV, as in Brunel 2000).
double siegert(double mu, double sigma, double theta, double v_r, double tau_m, double tau_rp) {
    const double y_th = (theta - mu) / sigma;
    const double y_r = (v_r - mu) / sigma;
    // e^{u^2}(1 + erf u) = erfcx(-u); beyond u = 26 the integral exceeds 1e290 and the rate is 0
    // to any precision that matters here (this also keeps clear of overflow).
    if (y_th > 26.0) return 0.0;
    const double integral = integrate([](double u) { return erfcx(-u); }, y_r, y_th);
    return 1.0 / (tau_rp + tau_m * sqrt_pi * integral);
}

double siegert(const brunel_params& p, double nu) {
    const double sigma = p.sigma(nu);
    return siegert(p.mu(nu), sigma, p.theta + grid_shift * sigma * std::sqrt(p.grid_h / p.tau_m), p.v_r, p.tau_m, p.tau_rp);
}

/// CV of the interspike intervals of the same diffusion model (Brunel 2000, eq. 22):
///   CV^2 = 2 pi (nu tau_m)^2 int_{y_r}^{y_th} e^{x^2} dx int_{-inf}^{x} e^{y^2} (1 + erf y)^2 dy,
/// with e^{y^2}(1 + erf y)^2 = e^{-y^2} erfcx(-y)^2. Only for moderate |y| (both e^{x^2} factors
/// stay finite); NaN outside that range. Reported beside the measured CV, not asserted on.
double siegert_cv(double mu, double sigma, double theta, double v_r, double tau_m, double tau_rp) {
    const double y_th = (theta - mu) / sigma;
    const double y_r = (v_r - mu) / sigma;
    if (y_th > 12.0 || y_r < -20.0) return std::numeric_limits<double>::quiet_NaN();
    const double nu = siegert(mu, sigma, theta, v_r, tau_m, tau_rp);
    const double lower = std::min(y_r, 0.0) - 10.0;  // the inner integrand is below e^{-100} there
    const auto inner = [](double y) {
        const double e = erfcx(-y);
        return std::exp(-y * y) * e * e;
    };
    const double outer = integrate([&](double x) { return std::exp(x * x) * integrate(inner, lower, x, 1e-10); }, y_r, y_th, 1e-9);
    return std::sqrt(2.0 * pi * nu * nu * tau_m * tau_m * outer);
}

/// Self-consistent rate (kHz): the root of F(nu) = nu - Phi(nu) on (0, 1/tau_rp). F(0) < 0 when the
/// external drive alone makes neurons fire, F(1/tau_rp) > 0 always. The bracket is scanned first so
/// that several roots (bistability) would be noticed rather than one of them returned silently.
struct fixed_point {
    double nu = 0.0;  // kHz
    int roots = 0;    // sign changes seen on the scan
};

fixed_point self_consistent_rate(const brunel_params& p) {
    const auto F = [&](double nu) { return nu - siegert(p, nu); };
    const double hi_end = 1.0 / p.tau_rp;
    const int scan = 400;
    fixed_point out;
    double lo = 0.0, hi = 0.0;
    double f_prev = F(0.0);
    for (int i = 1; i <= scan; ++i) {
        const double x = hi_end * i / scan;
        const double f = F(x);
        if ((f_prev < 0.0) != (f < 0.0)) {
            if (out.roots++ == 0) {
                lo = hi_end * (i - 1) / scan;
                hi = x;
            }
        }
        f_prev = f;
    }
    if (out.roots == 0) return out;
    double f_lo = F(lo);
    for (int it = 0; it < 200 && hi - lo > 1e-14; ++it) {
        const double m = 0.5 * (lo + hi);
        const double fm = F(m);
        if ((fm < 0.0) == (f_lo < 0.0)) {
            lo = m;
            f_lo = fm;
        } else {
            hi = m;
        }
    }
    out.nu = 0.5 * (lo + hi);
    return out;
}

/// Rate and ISI statistics of one population's spikes at ticks >= warm.
struct train_stats {
    double rate_hz = 0.0;
    double cv_mean = 0.0;    // mean over neurons with >= 3 spikes of each neuron's ISI CV
    double cv_pooled = 0.0;  // CV of all ISIs pooled (less biased for few ISIs per neuron)
    double fano_1ms = 0.0;   // Fano factor of the population spike count in 1 ms bins
};

train_stats stats(const spike_trains& s, std::uint64_t n, tick_t warm, tick_t end, double h_ms) {
    train_stats out;
    std::vector<std::vector<tick_t>> trains(n);
    const tick_t bin = ms_to_ticks_round(1.0, h_ms);
    std::vector<double> counts(static_cast<std::size_t>((end - warm) / bin), 0.0);  // whole bins only
    std::uint64_t total = 0;
    for (std::size_t k = 0; k < s.ticks.size(); ++k) {
        if (s.ticks[k] < warm) continue;
        ++total;
        trains[s.ids[k]].push_back(s.ticks[k]);
        const auto b = static_cast<std::size_t>((s.ticks[k] - warm) / bin);
        if (b < counts.size()) counts[b] += 1.0;
    }
    out.rate_hz = static_cast<double>(total) / (static_cast<double>(n) * static_cast<double>(end - warm) * h_ms * 1e-3);

    double cv_sum = 0.0, all_s = 0.0, all_s2 = 0.0, all_n = 0.0;
    int cv_n = 0;
    for (const auto& t : trains) {
        if (t.size() < 3) continue;
        double s1 = 0.0, s2 = 0.0;
        for (std::size_t k = 1; k < t.size(); ++k) {
            const double isi = static_cast<double>(t[k] - t[k - 1]);
            s1 += isi;
            s2 += isi * isi;
        }
        const double m = static_cast<double>(t.size() - 1);
        const double mean = s1 / m;
        cv_sum += std::sqrt(std::max(0.0, s2 / m - mean * mean)) / mean;
        ++cv_n;
        all_s += s1;
        all_s2 += s2;
        all_n += m;
    }
    if (cv_n > 0) {
        out.cv_mean = cv_sum / cv_n;
        const double mean = all_s / all_n;
        out.cv_pooled = std::sqrt(std::max(0.0, all_s2 / all_n - mean * mean)) / mean;
    }
    double c1 = 0.0, c2 = 0.0;
    for (const double c : counts) {
        c1 += c;
        c2 += c * c;
    }
    const double nb = static_cast<double>(counts.size());
    if (c1 > 0.0) out.fano_1ms = (c2 / nb - (c1 / nb) * (c1 / nb)) / (c1 / nb);
    return out;
}

const param_map brunel_lif = {{"tau_m", 20.0}, {"c_m", 250.0}, {"e_l", 0.0}, {"v_th", 20.0}, {"v_reset", 10.0}, {"t_ref", 2.0}};

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

TEST_CASE("erfcx agrees with exp(x^2) erfc(x) and with its asymptotic series", "[reference]") {
    for (double x = -5.0; x <= 25.0; x += 0.173) {
        const double direct = std::exp(x * x) * std::erfc(x);
        INFO("x = " << x << ": erfcx = " << erfcx(x) << ", exp(x^2) erfc(x) = " << direct);
        // The direct product loses ~x^2 eps relative accuracy through e^{x^2}; 1e-12 covers x <= 25.
        CHECK(std::abs(erfcx(x) - direct) <= 1e-12 * direct);
    }
    for (const double x : {30.0, 100.0, 1e3, 1e5}) {
        // Where erfc underflows: four terms of the asymptotic series, error < 105/(16 x^8) relative.
        const double y = 1.0 / (2.0 * x * x);
        const double series = (1.0 - y + 3.0 * y * y - 15.0 * y * y * y) / (x * sqrt_pi);
        INFO("x = " << x);
        CHECK(std::abs(erfcx(x) - series) <= 1e-10 * series);
    }
    CHECK(erfcx(0.0) == Approx(1.0).epsilon(1e-15));
}

TEST_CASE("Siegert rate tends to the deterministic f-I curve when sigma -> 0 above threshold", "[reference]") {
    constexpr double theta = 20.0, v_r = 10.0, tau_m = 20.0, tau_rp = 2.0;
    for (const double mu : {22.0, 25.0, 40.0, 100.0}) {
        const double det = 1.0 / (tau_rp + tau_m * std::log((mu - v_r) / (mu - theta)));
        for (const double sigma : {0.1, 0.01}) {
            const double nu = siegert(mu, sigma, theta, v_r, tau_m, tau_rp);
            INFO("mu = " << mu << " mV, sigma = " << sigma << " mV: Siegert " << nu * 1e3 << " Hz, deterministic "
                         << det * 1e3 << " Hz");
            // The correction is O(sigma^2 / (mu - theta)^2) relative: <= 2.5e-3 at mu = 22, sigma = 0.1.
            const double scale = sigma / (mu - theta);
            CHECK(std::abs(nu - det) <= 2.0 * scale * scale * det + 1e-9 * det);
        }
    }
    // Far below threshold with little noise nothing fires; at mu = theta the rate is finite and positive.
    CHECK(siegert(10.0, 0.1, theta, v_r, tau_m, tau_rp) == 0.0);
    const double at_threshold = siegert(20.0, 1.0, theta, v_r, tau_m, tau_rp);
    CHECK(at_threshold > 0.0);
    CHECK(at_threshold < 1.0 / tau_rp);
    // Rare threshold crossings (mu far below theta) form a Poisson process: CV -> 1.
    CHECK(siegert_cv(0.0, 4.0, theta, v_r, tau_m, tau_rp) == Approx(1.0).epsilon(1e-3));
    CHECK(siegert_cv(-10.0, 5.0, theta, v_r, tau_m, tau_rp) == Approx(1.0).epsilon(1e-3));
    // Less noise, more regular firing.
    CHECK(siegert_cv(21.0, 2.0, theta, v_r, tau_m, tau_rp) < siegert_cv(21.0, 8.0, theta, v_r, tau_m, tau_rp));
}

TEST_CASE("one LIF population fed the Brunel fixed-point input as Poisson trains fires at the Siegert rate", "[reference][slow]") {
    // Open loop: no recurrence, each neuron gets independent Poisson trains carrying exactly the
    // input the theory assumes at the self-consistent point -- C_E (nu_ext + nu_0) Hz of +J and
    // C_I nu_0 Hz of -gJ. This isolates the neuron model, the Poisson sources and the grid from
    // the network effects tested below.
    //
    // The simulator sums the events of a 0.1 ms tick and compares V with theta once per tick, so a
    // crossing is seen only when V is above theta at a tick: the rate of the sampled diffusion is
    // that of a threshold raised by 0.5826 sigma sqrt(h / tau_m) (about 0.3 mV here; -4.7 % and
    // -6.9 % in rate). The rate is compared with that grid-corrected Siegert rate. Tolerance 5 %:
    // Poisson counting error 0.5 % (~35,000 spikes), remaining finite-jump effects (the inhibitory
    // jump gJ is 0.5-0.8 mV, 0.07-0.12 sigma; measured about -2 % at g = 8) and higher-order grid
    // terms (~1 %). The ISI CV is compared with the diffusion CV (Brunel eq. 22) at 5 %.
    // Measured at the time of writing: rate +0.6 % (g = 5) and -1.9 % (g = 8) from the
    // grid-corrected value (-4.1 % and -8.6 % from the plain Siegert rate), CV -1.4 % and -0.6 %.
    constexpr double h = 0.1, duration_ms = 3000.0, warmup_ms = 200.0;
    constexpr std::uint64_t n = 1000, seed = 11;
    for (const double g : {5.0, 8.0}) {
        brunel_params p;
        p.g = g;
        const auto fp = self_consistent_rate(p);
        REQUIRE(fp.roots == 1);
        const double mu = p.mu(fp.nu), sigma = p.sigma(fp.nu);
        brunel_params pg = p;
        pg.grid_h = h;
        const double nu_grid = siegert(pg, fp.nu);  // the same input, threshold moved for the grid
        const double cv_theory = siegert_cv(mu, sigma, p.theta, p.v_r, p.tau_m, p.tau_rp);

        auto sc = test::make_scenario(duration_ms, h, seed);
        test::add_population(sc, "n", "lif_delta", n, brunel_lif);
        test::add_poisson(sc, "n", p.c_e * (p.nu_ext() + fp.nu) * 1e3, p.j);
        test::add_poisson(sc, "n", p.gamma * p.c_e * fp.nu * 1e3, -g * p.j);
        const auto t0 = std::chrono::steady_clock::now();
        const auto sim = test::run(sc, 1);
        const double wall = seconds_since(t0);
        const auto st = stats(sim->spikes()[0], n, ms_to_ticks_round(warmup_ms, h), ms_to_ticks_round(duration_ms, h), h);

        INFO("open loop, g = " << g << ", eta = " << p.eta << ", seed " << seed << ": mu = " << mu << " mV, sigma = " << sigma
                               << " mV; Siegert " << fp.nu * 1e3 << " Hz, grid-corrected " << nu_grid * 1e3
                               << " Hz, simulated " << st.rate_hz << " Hz; ISI CV theory " << cv_theory << ", simulated "
                               << st.cv_pooled << " (pooled), " << st.cv_mean << " (mean per neuron); wall " << wall << " s");
        CHECK(std::abs(st.rate_hz - nu_grid * 1e3) <= 0.05 * nu_grid * 1e3);
        CHECK(std::abs(st.cv_pooled - cv_theory) <= 0.05 * cv_theory);
    }
}

TEST_CASE("Brunel model A in AI states fires at the self-consistent mean-field (Siegert) rate", "[reference][slow]") {
    // Brunel's own network (N_E = 10,000, C_E = 1,000, J = 0.1 mV, D = 1.5 ms, h = 0.1 ms) at two
    // asynchronous-irregular points of his Fig. 8 / phase diagram: g = 5, eta = 2 (Fig. 8C; mu is
    // just above theta, near the mean-driven border) and g = 8, eta = 2 (deeper in the inhibition-
    // dominated AI region, mu below theta). 1 s simulated, the first 200 ms discarded (the network
    // starts from V uniform in [0, 20) mV).
    //
    // Tolerance: 10 % on the mean rates of E and of I. The Siegert rate neglects (i) the time grid
    // (worth -4.7 % / -6.9 % open loop, see the test above, but only -1.8 % / -1.2 % once the
    // inhibitory feedback re-balances the network: the grid-corrected fixed point is printed),
    // (ii) the finite jumps J, gJ (~2 % open loop), (iii) the non-Poisson, correlated recurrent
    // input (presynaptic trains have CV < 1, and the population count has an autocorrelation
    // peak of 0.1-0.3 at a 7-8 ms lag: a weak fast oscillation) and (iv) finite-size fluctuations. Each is a few %, of either sign, and nothing
    // guarantees that they cancel; 10 % is the usual level of agreement reported for this theory.
    // Measured at the time of writing (seed 1): +0.6 % (g = 5) and -0.9 % (g = 8), seed-to-seed
    // spread ~0.5 % -- so a deviation of more than ~3 % would already deserve a look.
    //
    // The ISI CV is reported, not asserted: the diffusion theory assumes Poisson input and predicts
    // 0.68 / 0.87, which the open-loop test confirms for Poisson input; in the network the
    // presynaptic trains are more regular than Poisson, which lowers the low-frequency input noise
    // and hence the CV (measured 0.42 / 0.67 as the mean per-neuron CV, 0.43 / 0.77 pooled; cf. Dummer, Wieland & Lindner 2014 on
    // self-consistent spike-train statistics). The Fano factor of the population count in 1 ms
    // bins is reported too: >> 1 means collective fluctuations.
    constexpr double duration_ms = 1000.0, warmup_ms = 200.0;
    constexpr std::uint64_t n_e = 10000, c_e = 1000, seed = 1;
    constexpr double j = 0.1;
    struct point { double g, eta; };
    for (const auto& [g, eta] : std::vector<point>{{5.0, 2.0}, {8.0, 2.0}}) {
        brunel_params p;
        p.c_e = static_cast<double>(c_e);
        p.j = j;
        p.g = g;
        p.eta = eta;
        const auto fp = self_consistent_rate(p);
        REQUIRE(fp.roots == 1);
        brunel_params pg = p;
        pg.grid_h = 0.1;
        const double nu_grid = self_consistent_rate(pg).nu;
        const double cv_theory = siegert_cv(p.mu(fp.nu), p.sigma(fp.nu), p.theta, p.v_r, p.tau_m, p.tau_rp);

        auto sc = test::brunel(n_e, c_e, g, eta, duration_ms, seed, j);
        // A spread of initial potentials, so that the run does not begin with one synchronous volley.
        for (auto& pop : sc.populations) {
            distribution d;
            d.k = distribution::kind::uniform;
            d.low = 0.0;
            d.high = 20.0;
            pop.init["v"] = d;
        }
        const double h = sc.simulation.resolution_ms;
        const auto t0 = std::chrono::steady_clock::now();
        const auto sim = test::run(sc, 1);
        const double wall = seconds_since(t0);
        const tick_t warm = ms_to_ticks_round(warmup_ms, h), end = ms_to_ticks_round(duration_ms, h);
        const auto e = stats(sim->spikes()[0], n_e, warm, end, h);
        const auto i = stats(sim->spikes()[1], n_e / 4, warm, end, h);
        const double nu0 = fp.nu * 1e3;

        std::ostringstream os;
        os << "Brunel A, N_E = " << n_e << ", C_E = " << c_e << ", J = " << j << " mV, g = " << g << ", eta = " << eta
           << ", seed " << seed << ", " << duration_ms << " ms (" << warmup_ms << " ms warm-up):\n"
           << "  theory: Siegert " << nu0 << " Hz (mu = " << p.mu(fp.nu) << " mV, sigma = " << p.sigma(fp.nu)
           << " mV), grid-corrected " << nu_grid * 1e3 << " Hz, ISI CV " << cv_theory << "\n"
           << "  simulated: E " << e.rate_hz << " Hz (" << 100.0 * (e.rate_hz / nu0 - 1.0) << " %), I " << i.rate_hz
           << " Hz (" << 100.0 * (i.rate_hz / nu0 - 1.0) << " %), E ISI CV " << e.cv_mean << " (mean per neuron), "
           << e.cv_pooled << " (pooled), population Fano (1 ms) " << e.fano_1ms << "; wall " << wall << " s";
        WARN(os.str());  // printed also on success: these numbers go into the documentation
        CHECK(std::abs(e.rate_hz - nu0) <= 0.10 * nu0);
        CHECK(std::abs(i.rate_hz - nu0) <= 0.10 * nu0);
    }
}
