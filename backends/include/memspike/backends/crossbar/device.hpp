// SPDX-License-Identifier: MIT
// The memristor device model of the crossbar backend: one device's bounds, faults, programmed
// levels, pulse response, noise and drift. Units: conductance in nS (1 uS = 1000 nS), time in ms.
//
// Pulse response (NeuroSim's exponential model; Chen, Peng & Yu, IEEE TCAD 2018; MLP_NeuroSim V3
// formula.cpp NonlinearWeight). With P = levels - 1 pulses from one bound to the other:
//   potentiation  G_ltp(p) = lo + (hi - lo) s(p; A_ltp),   p = pulses from lo   (p in [0, P])
//   depression    G_ltd(q) = hi - (hi - lo) s(q; A_ltd),   q = pulses from hi   (q in [0, P])
//   s(u; A) = (1 - exp(-u/A)) / (1 - exp(-P/A))   [= u/P when A = inf, i.e. nl = 0]
// which is NeuroSim's G(p) = lo + B (1 - exp(-p/A)) with B = (hi - lo) / (1 - exp(-P/A)).
//
// The nonlinearity nl is NeuroSim's own label (NL_LTP, NL_LTD; RealDevice: 4.22 / -4.22), mapped
// to A as NeuroSim maps it: A = sign * a(|nl|) * P, where a() is the "normalized A" of
// MLP_NeuroSim V3 (formula.cpp getParamA, documents/Nonlinearity-NormA.htm: a table for labels
// 0.01..9 in steps of 0.01). That table is reproduced to all of its printed digits by
//   |nl| = k * max_{x in [0,1]} (s(x P; a P) - x),   k = 10.1015254 (= 50 sqrt(2) / 7),
// i.e. the label is proportional to the largest gap between the normalised curve and the straight
// line; we solve this for a instead of storing 900 numbers (tests pin published table entries).
// Signs follow NeuroSim: nl_ltp > 0 is the usual saturating potentiation (big steps near lo);
// nl_ltd < 0 is the usual saturating depression (big steps near hi), the 180-degree mirror of
// potentiation when nl_ltd = -nl_ltp. Opposite signs give the convex curves (small first steps).
// Equivalently A_ltp = sign(nl_ltp) a P and A_ltd = -sign(nl_ltd) a P in the formulas above.
// (NeuroSim indexes its table with (int)(|NL|*100) - 1, so its "4.22" actually uses the 4.21
// entry; we do not reproduce that rounding artefact.)
#pragma once

#include <cstdint>
#include <limits>

#include "memspike/core/random.hpp"

namespace memspike::crossbar {

/// The device technology's parameters, shared by all devices of a crossbar. Defaults: the
/// MLP_NeuroSim V3 RealDevice (see /shared/ENERGY-SOURCES.md for each source).
struct device_params {
    double g_min = 476.0;        ///< [nS] lowest conductance (NeuroSim RealDevice 0.476 uS)
    double g_max = 10000.0;      ///< [nS] highest conductance (NeuroSim RealDevice 10 uS)
    double levels = 32;          ///< conductance levels from g_min to g_max: integer >= 2, or +inf = continuous
    double nl_ltp = 4.22;        ///< potentiation nonlinearity, NeuroSim label (0 = linear, |nl| <= 9)
    double nl_ltd = -4.22;       ///< depression nonlinearity, NeuroSim label (0 = linear, |nl| <= 9)
    double sigma_c2c = 0.005;    ///< cycle-to-cycle sigma per pulse, fraction of (g_max - g_min); x sqrt(pulses)
    double sigma_d2d = 0.0;      ///< device-to-device relative sigma of each device's g_min and g_max
    double sigma_d2d_nl = 0.0;   ///< device-to-device sigma of each device's nl_ltp and nl_ltd [label units] (NeuroSim sigmaDtoD)
    double sigma_read = 0.0289;  ///< read noise, relative sigma of each read
    double p_stuck_on = 0.0;     ///< fraction of devices stuck at their upper bound
    double p_stuck_off = 0.0;    ///< fraction of devices stuck at their lower bound
    double drift_nu = 0.0;       ///< drift exponent nu (0 = no drift): g(t) = g_prog (t/t0)^-nu
    double drift_t0 = 20000.0;   ///< [ms] drift reference time t0

    /// Checks every field; throws invalid_parameter("crossbar", name, value with unit, rule) for
    /// NaN or infinity (except levels = +inf), g_min < 0, g_max <= g_min, levels not an integer in
    /// [2, 2^31] and not +inf, |nl| > 9, a negative sigma, sigma_d2d_nl > 9, p outside [0, 1], p_stuck_on +
    /// p_stuck_off > 1, drift_nu < 0, drift_t0 <= 0.
    void validate() const;
    /// True when levels is +inf (ideal continuous device: no pulse response).
    bool continuous() const;
};

/// A device's fault: working, stuck at its upper bound, or stuck at its lower bound.
enum class fault : std::uint8_t { none, stuck_on, stuck_off };

/// One physical device: its own bounds and nonlinearity labels after device-to-device
/// variation, and its fault.
struct device_instance {
    double g_lo = 0.0;  ///< [nS] this device's lower bound
    double g_hi = 0.0;  ///< [nS] this device's upper bound
    fault f = fault::none;
    /// This device's nonlinearity labels; NaN (not varied): device_params' nl_ltp, nl_ltd.
    double nl_ltp = std::numeric_limits<double>::quiet_NaN(), nl_ltd = std::numeric_limits<double>::quiet_NaN();
};

/// The conductance a stuck device shows [nS]: g_hi (stuck_on) or g_lo (stuck_off, and none).
double stuck_value(const device_instance& dev);

/// Draws one device. Bounds: lo = g_min (1 + sigma_d2d N1), hi = g_max (1 + sigma_d2d N2), both
/// pairs redrawn until 0 <= lo < hi: the bounds follow a truncated Gaussian (conditioned on a
/// physical pair), not a clamp, so no probability mass piles up at 0. Then the fault from one
/// uniform draw u: u < p_stuck_on -> stuck_on, else u < p_stuck_on + p_stuck_off -> stuck_off.
/// Always consumes two normals per attempt and one uniform, also when the sigmas or p are 0.
/// Then, only when sigma_d2d_nl > 0 (so that streams without it are unchanged), the labels:
/// nl_ltp + sigma_d2d_nl N3 and nl_ltd + sigma_d2d_nl N4, each redrawn until it lies in [-9, 9]
/// (truncated, as NeuroSim's label table ends there). NeuroSim (MLP_NeuroSim V3, Cell.cpp
/// RealDevice) draws each device's labels the same way: NL + N(0, sigmaDtoD) before getParamA.
/// A label that crosses 0 turns the curve's bend over, as in NeuroSim.
device_instance draw_device(const device_params& p, random_stream& rng);

/// Write-verify programming: the nearest of `levels` uniformly spaced conductances in [lo, hi]
/// (ties round away from lo); with levels = inf the target itself. Targets outside [lo, hi] are
/// saturated at the bound (the caller counts those). A stuck device returns its stuck value.
/// Throws invalid_parameter for a NaN or infinite target.
double program_level(const device_params& p, const device_instance& dev, double g_target);

/// NeuroSim's normalized A for a nonlinearity label: a(|nl|) > 0 from the definition above,
/// +inf for nl = 0. Needs |nl| < k = 10.1015; the table covers 0.01..9.
double neurosim_normalized_a(double nl);

/// The deterministic pulse curves of one device (finite levels only).
class pulse_response {
public:
    /// One device's bounds [nS]; throws invalid_parameter when p.levels is infinite.
    pulse_response(const device_params& p, double lo, double hi);
    /// One device's bounds and its own labels where it has them (device-to-device variation of
    /// the nonlinearity), else p's.
    pulse_response(const device_params& p, const device_instance& dev);

    /// Pulses from lo on the potentiation curve, p in [0, P], such that G_ltp(p) = g (g clamped to [lo, hi]).
    double potentiation_position(double g) const;
    /// Pulses from hi on the depression curve, q in [0, P], such that G_ltd(q) = g (g clamped to [lo, hi]).
    double depression_position(double g) const;
    /// G_ltp(p) for p in [0, P] (clamped).
    double potentiation_curve(double p) const;
    /// G_ltd(q) for q in [0, P] (clamped).
    double depression_curve(double q) const;
    /// G_ltp(potentiation_position(g) + pulses), saturating at hi.
    double after_potentiation(double g, double pulses) const;
    /// G_ltd(depression_position(g) + pulses), saturating at lo.
    double after_depression(double g, double pulses) const;

    double max_pulses() const { return P_; }  ///< P = levels - 1
    double a_ltp() const { return a_ltp_; }   ///< A_ltp [pulses] (+-inf = linear)
    double a_ltd() const { return a_ltd_; }   ///< A_ltd [pulses] in the mirrored form (+-inf = linear)

private:
    double lo_, hi_, P_, a_ltp_, a_ltd_;
};

/// Applies n pulses (potentiate or depress) to a device at conductance g: the deterministic curve
/// step plus cycle-to-cycle noise N(0, (sigma_c2c (g_max - g_min))^2 n) (nominal g_max, g_min),
/// the result kept inside [lo, hi] (physical saturation). Stuck devices and n = 0 return g
/// unchanged without drawing. Returns the new conductance [nS]. Finite levels only.
double apply_pulses(const device_params& p, const device_instance& dev, double g, bool potentiate, unsigned n,
                    random_stream& rng);

/// How pulses_towards turns the exact real pulse count into an integer.
enum class rounding { nearest, stochastic };

/// The exact real pulse count that the deterministic curves need to take g to `target` (clamped
/// to [lo, hi]; > 0 potentiation, < 0 depression), rounded to the nearest integer (halves away
/// from 0) or stochastically (magnitude rounded up with probability equal to its fractional part;
/// exactly one uniform draw, whatever the value). Stuck devices: 0 (still one draw when
/// stochastic). Finite levels only.
int pulses_towards(const device_params& p, const device_instance& dev, double g, double target, rounding r,
                   random_stream& rng);
/// The exact real pulse count of pulses_towards, before rounding (0 for stuck devices).
double exact_pulses_towards(const device_params& p, const device_instance& dev, double g, double target);

/// One read of conductance g with read noise: g (1 + sigma_read N) [nS] (not clamped: a negative
/// result needs N < -1/sigma_read, i.e. -35 sigma at the default).
double read_conductance(const device_params& p, double g, random_stream& rng);

/// Drift factor t_ms after programming: (max(t, t0) / t0)^-nu; exactly 1 when nu == 0.
double drift_factor(const device_params& p, double t_ms);

} // namespace memspike::crossbar
