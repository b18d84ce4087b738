// SPDX-License-Identifier: MIT
// The memristor device model; equations and sources in device.hpp.
#include "memspike/backends/crossbar/device.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "memspike/core/errors.hpp"
#include "memspike/core/units.hpp"

namespace memspike::crossbar {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double max_label = 9.0;                 // NeuroSim's table covers |NL| in [0.01, 9]
constexpr double label_scale = 10.10152544552211; // k = 50 sqrt(2) / 7; see device.hpp

[[noreturn]] void reject(const char* name, double value, dimension d, const std::string& rule) {
    throw invalid_parameter("crossbar", name, format_quantity(value, d), rule);
}

/// Largest gap between the normalised curve s(x; a) (x, s in [0,1], A = a P) and the diagonal.
/// The maximum sits where s'(x) = 1: x* = -a ln(a (1 - exp(-1/a))).
double max_gap(double a) {
    const double e = -std::expm1(-1.0 / a);
    const double x = std::clamp(-a * std::log(a * e), 0.0, 1.0);
    return -std::expm1(-x / a) / e - x;
}

/// Solves k max_gap(a) = label for a > 0 (max_gap falls monotonically from 1 to 0 as a grows).
double solve_normalized_a(double label) {
    // For a -> inf, max_gap = 1/(8a) + O(a^-3): below 1e-6 the asymptote is exact to ~1e-12.
    if (label < 1e-6) return label_scale / (8.0 * label);
    double lo = std::log(1e-4), hi = std::log(1e8);  // k max_gap: 10.09 .. 1.3e-8
    for (int it = 0; it < 64; ++it) {
        const double mid = 0.5 * (lo + hi);
        (label_scale * max_gap(std::exp(mid)) > label ? lo : hi) = mid;
    }
    return std::exp(0.5 * (lo + hi));
}

/// s(u; A) = (1 - exp(-u/A)) / (1 - exp(-P/A)), u/P when A is infinite.
double shape(double u, double A, double P) {
    if (std::isinf(A)) return u / P;
    return std::expm1(-u / A) / std::expm1(-P / A);
}

/// The inverse of shape(): u such that shape(u; A) = s, clamped to [0, P].
double inverse_shape(double s, double A, double P) {
    const double u = std::isinf(A) ? s * P : -A * std::log1p(s * std::expm1(-P / A));
    return std::clamp(u, 0.0, P);
}

} // namespace

bool device_params::continuous() const { return std::isinf(levels); }

void device_params::validate() const {
    const auto finite = [](const char* name, double v, dimension d) {
        if (!std::isfinite(v)) reject(name, v, d, "must be finite");
    };
    finite("g_min", g_min, dimension::conductance);
    finite("g_max", g_max, dimension::conductance);
    if (g_min < 0) reject("g_min", g_min, dimension::conductance, "must be >= 0");
    if (g_max <= g_min)
        reject("g_max", g_max, dimension::conductance, "must be > g_min = " + format_quantity(g_min, dimension::conductance));
    if (std::isnan(levels) || levels == -inf ||
        (std::isfinite(levels) && (levels < 2 || levels > 2147483648.0 || std::floor(levels) != levels)))
        reject("levels", levels, dimension::dimensionless, "must be an integer in [2, 2^31], or inf for a continuous device");
    for (const auto& [name, v] : {std::pair{"nl_ltp", nl_ltp}, std::pair{"nl_ltd", nl_ltd}}) {
        finite(name, v, dimension::dimensionless);
        if (std::abs(v) > max_label)
            reject(name, v, dimension::dimensionless, "must lie in [-9, 9], NeuroSim's nonlinearity label range");
    }
    for (const auto& [name, v] : {std::pair{"sigma_c2c", sigma_c2c}, std::pair{"sigma_d2d", sigma_d2d},
                                  std::pair{"sigma_d2d_nl", sigma_d2d_nl}, std::pair{"sigma_read", sigma_read},
                                  std::pair{"drift_nu", drift_nu}}) {
        finite(name, v, dimension::dimensionless);
        if (v < 0) reject(name, v, dimension::dimensionless, "must be >= 0");
    }
    // Labels are redrawn until they lie in [-9, 9]; up to sigma 9 at least 47 % of draws are kept.
    if (sigma_d2d_nl > max_label)
        reject("sigma_d2d_nl", sigma_d2d_nl, dimension::dimensionless, "must lie in [0, 9] (nonlinearity label units)");
    for (const auto& [name, v] : {std::pair{"p_stuck_on", p_stuck_on}, std::pair{"p_stuck_off", p_stuck_off}}) {
        if (!(v >= 0 && v <= 1)) reject(name, v, dimension::dimensionless, "must lie in [0, 1]");
    }
    if (p_stuck_on + p_stuck_off > 1)
        reject("p_stuck_off", p_stuck_off, dimension::dimensionless,
               "p_stuck_on + p_stuck_off must be <= 1 (p_stuck_on = " + format_quantity(p_stuck_on, dimension::dimensionless) + ")");
    finite("drift_t0", drift_t0, dimension::time);
    if (drift_t0 <= 0) reject("drift_t0", drift_t0, dimension::time, "must be > 0");
}

double stuck_value(const device_instance& dev) { return dev.f == fault::stuck_on ? dev.g_hi : dev.g_lo; }

device_instance draw_device(const device_params& p, random_stream& rng) {
    device_instance dev;
    do {  // rejection sampling: a truncated Gaussian pair, never a clamp
        dev.g_lo = p.g_min * (1.0 + p.sigma_d2d * rng.normal());
        dev.g_hi = p.g_max * (1.0 + p.sigma_d2d * rng.normal());
    } while (!(dev.g_lo >= 0.0 && dev.g_lo < dev.g_hi));
    const double u = rng.uniform();
    dev.f = u < p.p_stuck_on ? fault::stuck_on : u < p.p_stuck_on + p.p_stuck_off ? fault::stuck_off : fault::none;
    if (p.sigma_d2d_nl > 0.0) {
        do dev.nl_ltp = p.nl_ltp + p.sigma_d2d_nl * rng.normal();
        while (!(std::abs(dev.nl_ltp) <= max_label));
        do dev.nl_ltd = p.nl_ltd + p.sigma_d2d_nl * rng.normal();
        while (!(std::abs(dev.nl_ltd) <= max_label));
    }
    return dev;
}

double program_level(const device_params& p, const device_instance& dev, double g_target) {
    if (!std::isfinite(g_target)) reject("g_target", g_target, dimension::conductance, "must be finite");
    if (dev.f != fault::none) return stuck_value(dev);
    const double t = std::clamp(g_target, dev.g_lo, dev.g_hi);
    if (p.continuous()) return t;
    const double top = p.levels - 1.0;
    const double k = std::min(top, std::floor((t - dev.g_lo) / (dev.g_hi - dev.g_lo) * top + 0.5));
    return k == top ? dev.g_hi : dev.g_lo + k * (dev.g_hi - dev.g_lo) / top;
}

double neurosim_normalized_a(double nl) {
    const double label = std::abs(nl);
    if (label == 0.0) return inf;
    if (!(label < label_scale)) reject("nl", nl, dimension::dimensionless, "|nl| must be < 10.1015");
    // One solve per distinct label: a crossbar uses two labels (ltp, ltd) for every device.
    thread_local double memo_label[2] = {-1.0, -1.0}, memo_a[2] = {0.0, 0.0};
    thread_local int next = 0;
    for (int k = 0; k < 2; ++k)
        if (memo_label[k] == label) return memo_a[k];
    memo_label[next] = label;
    memo_a[next] = solve_normalized_a(label);
    const double a = memo_a[next];
    next ^= 1;
    return a;
}

pulse_response::pulse_response(const device_params& p, double lo, double hi) : lo_(lo), hi_(hi), P_(p.levels - 1.0) {
    if (p.continuous())
        reject("levels", p.levels, dimension::dimensionless, "a pulse response needs a finite number of levels");
    if (!(lo >= 0.0 && lo < hi)) reject("g_lo", lo, dimension::conductance, "device bounds must satisfy 0 <= lo < hi");
    // NeuroSim signs: A_ltp = sign(nl_ltp) a P; the mirrored depression curve uses -sign(nl_ltd).
    a_ltp_ = (p.nl_ltp < 0 ? -1.0 : 1.0) * neurosim_normalized_a(p.nl_ltp) * P_;
    a_ltd_ = (p.nl_ltd > 0 ? -1.0 : 1.0) * neurosim_normalized_a(p.nl_ltd) * P_;
}

pulse_response::pulse_response(const device_params& p, const device_instance& dev)
    : pulse_response([&] {
          device_params own = p;
          if (!std::isnan(dev.nl_ltp)) own.nl_ltp = dev.nl_ltp;
          if (!std::isnan(dev.nl_ltd)) own.nl_ltd = dev.nl_ltd;
          return own;
      }(), dev.g_lo, dev.g_hi) {}

double pulse_response::potentiation_curve(double p) const {
    return lo_ + (hi_ - lo_) * shape(std::clamp(p, 0.0, P_), a_ltp_, P_);
}
double pulse_response::depression_curve(double q) const {
    return hi_ - (hi_ - lo_) * shape(std::clamp(q, 0.0, P_), a_ltd_, P_);
}
double pulse_response::potentiation_position(double g) const {
    return inverse_shape((std::clamp(g, lo_, hi_) - lo_) / (hi_ - lo_), a_ltp_, P_);
}
double pulse_response::depression_position(double g) const {
    return inverse_shape((hi_ - std::clamp(g, lo_, hi_)) / (hi_ - lo_), a_ltd_, P_);
}
double pulse_response::after_potentiation(double g, double pulses) const {
    return potentiation_curve(std::min(P_, potentiation_position(g) + pulses));
}
double pulse_response::after_depression(double g, double pulses) const {
    return depression_curve(std::min(P_, depression_position(g) + pulses));
}

double apply_pulses(const device_params& p, const device_instance& dev, double g, bool potentiate, unsigned n,
                    random_stream& rng) {
    if (dev.f != fault::none || n == 0) return g;
    const pulse_response curve(p, dev);
    const double det = potentiate ? curve.after_potentiation(g, n) : curve.after_depression(g, n);
    const double sd = p.sigma_c2c * (p.g_max - p.g_min) * std::sqrt(static_cast<double>(n));
    return std::clamp(det + sd * rng.normal(), dev.g_lo, dev.g_hi);
}

double exact_pulses_towards(const device_params& p, const device_instance& dev, double g, double target) {
    if (dev.f != fault::none) return 0.0;
    const pulse_response curve(p, dev);
    if (target > g) return curve.potentiation_position(target) - curve.potentiation_position(g);
    if (target < g) return -(curve.depression_position(target) - curve.depression_position(g));
    return 0.0;
}

int pulses_towards(const device_params& p, const device_instance& dev, double g, double target, rounding r,
                   random_stream& rng) {
    const double x = exact_pulses_towards(p, dev, g, target);
    const double m = std::abs(x);
    double n;
    if (r == rounding::nearest) {
        n = std::floor(m + 0.5);
    } else {
        const double fl = std::floor(m);
        n = fl + (rng.uniform() < m - fl ? 1.0 : 0.0);
    }
    return static_cast<int>(x < 0 ? -n : n);
}

double read_conductance(const device_params& p, double g, random_stream& rng) {
    return g * (1.0 + p.sigma_read * rng.normal());
}

double drift_factor(const device_params& p, double t_ms) {
    if (p.drift_nu == 0.0) return 1.0;
    return std::pow(std::max(t_ms, p.drift_t0) / p.drift_t0, -p.drift_nu);
}

} // namespace memspike::crossbar
