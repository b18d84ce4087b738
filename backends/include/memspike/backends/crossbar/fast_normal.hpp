// SPDX-License-Identifier: MIT
// A fast standard-normal generator for the crossbar's read noise: the ziggurat method of Marsaglia
// & Tsang (J. Stat. Softw. 5(8), 2000), 128 layers, with the layer index and the abscissa taken
// from disjoint bits of one 64-bit draw (Doornik 2005 showed that reusing the same bits for both
// biases the classic version). Written anew from the published description.
//
// Why: the read path draws one normal per column read; the polar method's logarithm and square
// root were 9 % of a crossbar run (issue 15). Here 98.8 % of draws cost one 64-bit random number,
// a multiply and a compare; the rest take the wedge test or the tail (Marsaglia 1964).
//
// The layers: f(x) = exp(-x^2 / 2); n = 128 boxes of equal area v, the base box [0, x_0] x [0, f(r)]
// carrying the tail beyond r = x_1. x_{i+1} = f^-1(f(x_i) + v / x_i), x_n = 0. The published r and
// v make x_n come out at 0 (to 4e-11 in f); tests/unit/backends/test_crossbar_stats.cpp checks the
// distribution (moments, tail mass, Kolmogorov-Smirnov distance).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

#include "memspike/core/random.hpp"

namespace memspike::crossbar {

/// A standard normal conditioned on Z > a, a > 0: exact. For a >= 1, Marsaglia's (1964) tail
/// method (acceptance >= 0.66); below, plain rejection of unconditioned draws (acceptance >= 0.16).
inline double normal_tail(random_stream& rng, double a) {
    if (a < 1.0) {
        double z;
        do z = rng.normal();
        while (!(z > a));
        return z;
    }
    double x, y;
    do {
        x = -std::log(rng.uniform_open0()) / a;
        y = -std::log(rng.uniform_open0());
    } while (y + y < x * x);
    return a + x;
}

/// An upper bound of std::erfc(a), the two-sided normal tail mass at a sqrt 2, for 0 <= a < 4
/// from a table: erfc at the grid point i / 32 <= a (erfc decreases), stored 1e-12 above libm's
/// value (its error is an ulp), so at most 1.3 times erfc(a) (the cell below 4). The sparse
/// read's thinning decides with it where a bound suffices (crossbar_partition::plan_empty).
class erfc_above {
public:
    static constexpr double grid = 32.0, a_max = 4.0;
    erfc_above() {
        for (std::size_t i = 0; i < v_.size(); ++i) v_[i] = std::erfc(static_cast<double>(i) / grid) * (1.0 + 1e-12);
    }
    /// For 0 <= a < a_max (a * 32 is exact: the grid point below a is found without rounding).
    double operator()(double a) const { return v_[static_cast<std::size_t>(a * grid)]; }

private:
    std::array<double, static_cast<std::size_t>(a_max * grid)> v_{};
};

class fast_normal {
public:
    static constexpr int layers = 128;
    static constexpr double r = 3.442619855899;         // start of the tail (Marsaglia & Tsang 2000)
    static constexpr double v = 9.91256303526217e-3;    // area of each layer

    fast_normal() {
        const auto f = [](double x) { return std::exp(-0.5 * x * x); };
        x_[0] = v / f(r);
        x_[1] = r;
        for (int i = 1; i < layers - 1; ++i) x_[i + 1] = std::sqrt(-2.0 * std::log(f(x_[i]) + v / x_[i]));
        x_[layers] = 0.0;
        for (int i = 0; i <= layers; ++i) f_[i] = f(x_[i]);
        for (int i = 0; i < layers; ++i) ratio_[i] = x_[i + 1] / x_[i];
    }

    /// One standard normal draw from `rng`.
    double operator()(random_stream& rng) const {
        for (;;) {
            const std::uint64_t w = rng();
            const auto i = static_cast<int>(w & (layers - 1));                              // bits 0-6
            const double u = static_cast<double>(w >> 11) * 0x1.0p-52 - 1.0;               // bits 11-63: [-1, 1)
            if (std::abs(u) < ratio_[i]) return u * x_[i];                                 // inside the box's core
            if (i == 0) return u < 0.0 ? -tail(rng) : tail(rng);                           // base box beyond r
            const double x = u * x_[i];
            if (f_[i] + rng.uniform() * (f_[i + 1] - f_[i]) < std::exp(-0.5 * x * x)) return x;  // wedge
        }
    }

private:
    /// |Z| conditioned on |Z| > r (Marsaglia 1964).
    static double tail(random_stream& rng) { return normal_tail(rng, r); }

    std::array<double, layers + 1> x_{}, f_{};
    std::array<double, layers> ratio_{};
};

} // namespace memspike::crossbar
