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
//
// The draws take their 64-bit words from any generator with operator() and uniform(): a
// random_stream, or interleaved_stream (below), which the sparse read uses (issue 15, session 9).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "memspike/core/random.hpp"

namespace memspike::crossbar {

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

    /// One standard normal draw from `rng` (random_stream or interleaved_stream).
    template <class Rng>
    double operator()(Rng& rng) const {
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

    /// n draws into z, the same as n calls of operator()(lanes) on an interleaved_stream: the
    /// buffered words are read in one loop while they fall in a box's core (98.8 %), without the
    /// refill test per word; operator() takes the word that does not (wedge, tail) and an empty buffer.
    template <class Lanes>
    void fill(Lanes& lanes, double* z, std::size_t n) const {
        for (std::size_t h = 0; h < n;) {
            const std::uint64_t* w = lanes.next_words();
            const std::size_t m = std::min(n - h, lanes.available());
            std::size_t k = 0;
            for (; k < m; ++k) {
                const auto i = static_cast<int>(w[k] & (layers - 1));
                const double u = static_cast<double>(w[k] >> 11) * 0x1.0p-52 - 1.0;
                if (!(std::abs(u) < ratio_[i])) break;
                z[h + k] = u * x_[i];
            }
            lanes.skip(k);
            h += k;
            if (h < n) z[h++] = (*this)(lanes);
        }
    }

private:
    /// |Z| conditioned on |Z| > r (Marsaglia 1964).
    template <class Rng>
    static double tail(Rng& rng) {
        double a, b;
        do {
            a = -std::log(rng.uniform_open0()) / r;
            b = -std::log(rng.uniform_open0());
        } while (b + b < a * a);
        return r + a;
    }

    std::array<double, layers + 1> x_{}, f_{};
    std::array<double, layers> ratio_{};
};

/// Eight xoshiro256++ streams interleaved, word 8 r + l of the output being lane l's r-th word,
/// generated 256 words at a time into a buffer (AVX-512 where the CPU has it, chosen at run time;
/// otherwise the same words lane by lane). Why: the read noise's normals were a third of the
/// sparse read's time, and one stream's state update is a dependency chain between draws; eight
/// lanes are generated in one vector register per state word (about 0.3 ns a word against 1 ns),
/// and the ziggurat then reads the buffer with no chain between draws. Every lane is seeded from
/// four words of a random_stream (seed), so the words depend on that stream alone, never on the
/// CPU's vector width or on threads. The ziggurat over these words is the same algorithm as over a
/// random_stream (the distribution test runs on both).
class interleaved_stream {
public:
    static constexpr std::size_t lanes = 8;
    static constexpr std::size_t block = 256;  // words per refill: 32 rounds of the eight lanes

    /// Lane l's state from words 4 l ... 4 l + 3 of `rng` (32 words), and the buffer emptied.
    /// A lane of four zero words (never seen: 2^-256) takes one 1 bit, as xoshiro needs.
    void seed(random_stream& rng) {
        for (std::size_t l = 0; l < lanes; ++l) {
            std::uint64_t any = 0;
            for (std::size_t w = 0; w < 4; ++w) any |= s_[w][l] = rng();
            if (any == 0) s_[0][l] = 1;
        }
        pos_ = block;
    }

    std::uint64_t operator()() {
        if (pos_ == block) refill();
        return buf_[pos_++];
    }
    /// The buffered words not yet taken (fast_normal::fill reads them in place), and taking k of them.
    const std::uint64_t* next_words() const { return buf_ + pos_; }
    std::size_t available() const { return block - pos_; }
    void skip(std::size_t k) { pos_ += k; }
    /// As random_stream's: 53 random bits.
    double uniform() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
    double uniform_open0() { return 1.0 - uniform(); }

    /// The next `block` words of the lanes' state `s` (s[w][l]: state word w of lane l) into
    /// `out`, lane by lane in plain code, or eight lanes per instruction with AVX-512
    /// (fast_normal.cpp). Both give the same words; public for the test that says so.
    static void refill_scalar(std::uint64_t (&s)[4][lanes], std::uint64_t* out);
    static void refill_simd(std::uint64_t (&s)[4][lanes], std::uint64_t* out);  // AVX-512F; scalar without it
    static bool has_simd();

private:
    void refill();

    alignas(64) std::uint64_t s_[4][lanes]{};
    alignas(64) std::uint64_t buf_[block]{};
    std::size_t pos_ = block;
};

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

} // namespace memspike::crossbar
