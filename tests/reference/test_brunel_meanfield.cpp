// SPDX-License-Identifier: MIT
// Brunel (2000) model A against its own mean-field theory. The test solves the self-consistent
// Siegert rate itself (stationary diffusion approximation, Brunel 2000 eq. 21 with eqs. 4-5),
//
//   1/nu = tau_rp + tau_m sqrt(pi) int_{(V_r - mu)/sigma}^{(theta - mu)/sigma} e^{u^2} (1 + erf u) du,
//   mu = C_E J tau_m (nu_ext + nu (1 - g gamma)),  sigma^2 = C_E J^2 tau_m (nu_ext + nu (1 + g^2 gamma)),
//
// then simulates the network in asynchronous-irregular (AI) states and compares the measured mean
// rates of E and I with the prediction. The Siegert code is unit-checked first (scaled error
// function against the unscaled one, and the deterministic f-I limit for small sigma).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
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

    double nu_thr() const { return theta / (j * c_e * tau_m); }  // kHz
    double nu_ext() const { return eta * nu_thr(); }             // kHz
    double mu(double nu) const { return c_e * j * tau_m * (nu_ext() + nu * (1.0 - g * gamma)); }
    double sigma(double nu) const { return std::sqrt(c_e * j * j * tau_m * (nu_ext() + nu * (1.0 + g * g * gamma))); }
};

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
    return siegert(p.mu(nu), p.sigma(nu), p.theta, p.v_r, p.tau_m, p.tau_rp);
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

struct measured {
    double rate_e_hz = 0.0, rate_i_hz = 0.0;
    double cv_e = 0.0;       // mean over E neurons with >= 3 spikes after the warm-up
    double fano_pop = 0.0;   // Fano factor of the E population spike count in 1 ms bins
    double osc_corr = 0.0;   // largest autocorrelation coefficient of that count at lags 2..20 ms
    int osc_lag_ms = 0;      // its lag
    double wall_s = 0.0;
};

measured simulate(std::uint64_t n_e, std::uint64_t c_e, double g, double eta, double j, double duration_ms,
                  double warmup_ms, std::uint64_t seed) {
    auto sc = test::brunel(n_e, c_e, g, eta, duration_ms, seed, j);
    // Start from a spread of membrane potentials, so that the network does not begin with one
    // synchronous volley; the warm-up removes what is left of the transient.
    for (auto& pop : sc.populations) {
        distribution d;
        d.k = distribution::kind::uniform;
        d.low = 0.0;
        d.high = 20.0;
        pop.init["v"] = d;
    }
    const auto t0 = std::chrono::steady_clock::now();
    const auto sim = test::run(sc, 1);
    measured m;
    m.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    const double h = sc.simulation.resolution_ms;
    const tick_t warm = ms_to_ticks_round(warmup_ms, h);
    const double window_s = (duration_ms - warmup_ms) * 1e-3;
    const auto& spikes = sim->spikes();
    const std::uint64_t n_i = n_e / 4;

    std::vector<std::vector<tick_t>> trains(n_e);
    const tick_t bin = ms_to_ticks_round(1.0, h);
    std::vector<double> counts(static_cast<std::size_t>((ms_to_ticks_round(duration_ms, h) - warm) / bin) + 1, 0.0);
    std::uint64_t ne_spikes = 0, ni_spikes = 0;
    for (std::size_t k = 0; k < spikes[0].ticks.size(); ++k) {
        if (spikes[0].ticks[k] < warm) continue;
        ++ne_spikes;
        trains[spikes[0].ids[k]].push_back(spikes[0].ticks[k]);
        counts[static_cast<std::size_t>((spikes[0].ticks[k] - warm) / bin)] += 1.0;
    }
    for (std::size_t k = 0; k < spikes[1].ticks.size(); ++k)
        if (spikes[1].ticks[k] >= warm) ++ni_spikes;
    m.rate_e_hz = static_cast<double>(ne_spikes) / (static_cast<double>(n_e) * window_s);
    m.rate_i_hz = static_cast<double>(ni_spikes) / (static_cast<double>(n_i) * window_s);

    double cv_sum = 0.0;
    int cv_n = 0;
    for (const auto& t : trains) {
        if (t.size() < 3) continue;
        double s = 0.0, s2 = 0.0;
        for (std::size_t k = 1; k < t.size(); ++k) {
            const double isi = static_cast<double>(t[k] - t[k - 1]);
            s += isi;
            s2 += isi * isi;
        }
        const double n = static_cast<double>(t.size() - 1);
        const double mean = s / n;
        cv_sum += std::sqrt(std::max(0.0, s2 / n - mean * mean)) / mean;
        ++cv_n;
    }
    m.cv_e = cv_n > 0 ? cv_sum / cv_n : 0.0;

    counts.pop_back();  // the last bin may be partial
    double s = 0.0, s2 = 0.0;
    for (const double c : counts) {
        s += c;
        s2 += c * c;
    }
    const double mean = s / static_cast<double>(counts.size());
    const double var = s2 / static_cast<double>(counts.size()) - mean * mean;
    m.fano_pop = var / mean;
    for (std::size_t lag = 2; lag <= 20; ++lag) {
        double c = 0.0;
        for (std::size_t k = 0; k + lag < counts.size(); ++k) c += (counts[k] - mean) * (counts[k + lag] - mean);
        c /= static_cast<double>(counts.size() - lag) * var;
        if (c > m.osc_corr) {
            m.osc_corr = c;
            m.osc_lag_ms = static_cast<int>(lag);
        }
    }
    return m;
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
}

TEST_CASE("explore brunel", "[.explore]") {
    struct pt { std::uint64_t n_e, c_e; double j, g, eta, dur; };
    for (const auto& q : std::vector<pt>{{10000, 1000, 0.1, 5.0, 2.0, 1200.0}, {10000, 1000, 0.1, 8.0, 2.0, 1200.0},
                                         {10000, 1000, 0.1, 6.0, 2.0, 1200.0}, {10000, 1000, 0.1, 5.0, 3.0, 1200.0},
                                         {5000, 500, 0.2, 5.0, 2.0, 1200.0}, {5000, 500, 0.2, 8.0, 2.0, 1200.0}}) {
        brunel_params p;
        p.c_e = static_cast<double>(q.c_e);
        p.j = q.j;
        p.g = q.g;
        p.eta = q.eta;
        const auto fp = self_consistent_rate(p);
        const auto m = simulate(q.n_e, q.c_e, q.g, q.eta, q.j, q.dur, 200.0, 7);
        WARN("N_E " << q.n_e << " C_E " << q.c_e << " J " << q.j << " g " << q.g << " eta " << q.eta << ": theory "
                    << fp.nu * 1e3 << " Hz (roots " << fp.roots << ", mu " << p.mu(fp.nu) << ", sigma " << p.sigma(fp.nu)
                    << ") sim E " << m.rate_e_hz << " I " << m.rate_i_hz << " CV " << m.cv_e << " Fano " << m.fano_pop << " osc " << m.osc_corr << "@" << m.osc_lag_ms
                    << " wall " << m.wall_s << " s");
    }
}
