// SPDX-License-Identifier: MIT
// The sparse read's read-noise normals, sixteen candidates per instruction (issue 15, session 9,
// docs/decisions.md §44). The ziggurat of fast_normal.hpp (Marsaglia & Tsang 2000, 128 layers),
// on 32 random bits per candidate instead of 64, with the layer edges x_i rounded to float:
//   bits 0-6 the layer i, bit 7 the sign, bits 8-31 the abscissa m (24 bits), |u| = m 2^-24;
//   inside the layer's core when m < limit_i (exactly m 2^-24 < x_{i+1} / x_i, the edges as
//   floats): Z = +-(m 2^-24) x_i, one float product; otherwise the wedge test or, in the base
//   layer, the tail beyond x_1 (Marsaglia 1964), with uniforms from the caller's random_stream.
// Why: the draws were a fifth of the crossbar's delivery time after the single-row cache (`perf`).
// Eight xoshiro256++ lanes (Blackman & Vigna 2019) give 8 x 64 bits per round, split into 16
// candidates; with AVX-512 (chosen at run time) a round's table look-ups are in-register permutes
// (the tables are 16 registers) and its accepted draws one compress-store. Plain code gives the same
// floats bit for bit (the same IEEE float product; tested), so the draws never depend on the CPU.
// What changes against fast_normal: the edges' float rounding moves each layer's area by ~1e-7 of
// itself, and the output is quantised to 2^-24 x_i; both far below anything a test or a run can
// see (tests/unit/backends/test_crossbar_stats.cpp: moments, tail mass, KS, independence).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "memspike/core/random.hpp"

namespace memspike::crossbar {

class lane_normals {
public:
    static constexpr std::size_t lanes = 8;       // xoshiro256++ lanes, a 64-bit word each per round
    static constexpr std::size_t per_round = 16;  // candidates per round: each word's two halves
    static constexpr std::size_t rounds = 16;     // per refill: at most 256 draws
    static constexpr int layers = 128;

    struct tables {
        alignas(64) std::int32_t limit[layers];  // the core: m < limit[i]
        alignas(64) float x[layers + 1];         // the layer edges x_i as floats, x_128 = 0
        double f[layers + 1];                    // exp(-x_i^2 / 2) at those edges
        /// Layer i's wedge, x in [x_{i+1}, x_i], bounded by lines in x so that most wedge tests
        /// need no exp: g(x) = exp(-x^2/2) is convex for x >= 1 (the chord above it, the edges'
        /// tangents below) and concave for x <= 1 (the reverse); the layer across 1 has none.
        struct wedge {
            int kind = 0;              // +1 convex, -1 concave, 0 no bounds (always exp)
            double lo = 0.0, hi = 0.0; // x_{i+1}, x_i
            double c0 = 0.0, c1 = 0.0; // the chord c0 + c1 x
            double a0 = 0.0, a1 = 0.0; // the tangent at x_{i+1}
            double b0 = 0.0, b1 = 0.0; // the tangent at x_i
        } w[layers];
    };
    /// Layer i's wedge test for y = f_i + u (f_{i+1} - f_i) at x (i >= 1): y < exp(-x^2/2), the
    /// same decision as computing the exp, which it does only where y lies within `margin` of
    /// the gap between the bounds. The margin (1e-12, every value here is at most 1) is far above
    /// the bounds' rounding (~1e-15) and exp's error (1 ulp; x^2 of a float x is exact in double).
    static bool wedge_accepts(const tables& t, int i, double x, double y) {
        const int d = wedge_decides(t, i, x, y);
        return d != 0 ? d > 0 : y < std::exp(-0.5 * x * x);
    }
    /// +1: accepted, -1: rejected by the bounds alone; 0: undecided (exp needed). Public for the test.
    static int wedge_decides(const tables& t, int i, double x, double y) {
        constexpr double margin = 1e-12;
        const tables::wedge& w = t.w[i];
        if (w.kind == 0 || !(x >= w.lo && x <= w.hi)) return 0;
        const double chord = w.c0 + w.c1 * x, ta = w.a0 + w.a1 * x, tb = w.b0 + w.b1 * x;
        const double lower = w.kind > 0 ? std::max(ta, tb) : chord, upper = w.kind > 0 ? chord : std::min(ta, tb);
        if (y < lower - margin) return 1;
        if (y > upper + margin) return -1;
        return 0;
    }

    lane_normals();

    /// Lane l's state from words 4 l ... 4 l + 3 of `rng` (32 words); the buffer emptied. A lane
    /// of four zero words (2^-256) takes one 1 bit, as xoshiro needs.
    void seed(random_stream& rng) {
        for (std::size_t l = 0; l < lanes; ++l) {
            std::uint64_t any = 0;
            for (std::size_t w = 0; w < 4; ++w) any |= s_[w][l] = rng();
            if (any == 0) s_[0][l] = 1;
        }
        pos_ = end_ = 0;
    }

    /// n standard normals into z, from the buffer, refilled when empty; `rng` gives the
    /// uniforms of the wedge tests and the tail (about one candidate in 80).
    void draw(double* z, std::size_t n, random_stream& rng) {
        while (n > 0) {
            std::size_t k = 0;
            const float* taken = take(n, k, rng);
            for (std::size_t h = 0; h < k; ++h) z[h] = taken[h];
            z += k;
            n -= k;
        }
    }

    /// The next k draws in place, k = min(n, what the buffer holds; refilled when empty), taken:
    /// valid until the next call. The same draws in the same order as draw(), without the copy
    /// (a one-row read uses each once, as it reads it). k may be 0 only after a refill without
    /// a draw (2^-256 per candidate): the caller asks again.
    const float* take(std::size_t n, std::size_t& k, random_stream& rng) {
        if (pos_ == end_) {
            end_ = has_simd() ? fill_simd(s_, t_, buf_, rng) : fill_scalar(s_, t_, buf_, rng);
            pos_ = 0;
        }
        k = std::min(n, end_ - pos_);
        const float* z = buf_ + pos_;
        pos_ += k;
        return z;
    }

    /// One refill: `rounds` rounds of the lanes' state `s` (s[w][l]: word w of lane l) into
    /// `out` (room for rounds x per_round); returns the number of draws: the candidates inside a
    /// core in candidate order (round by round; lane l's word gives candidates 2 l, its low half,
    /// and 2 l + 1), then those of the others that the wedge or tail accepts, in the same order.
    /// Plain code, or AVX-512 where the CPU has it (plain code otherwise): the same floats.
    /// Public for the test that says so.
    static std::size_t fill_scalar(std::uint64_t (&s)[4][lanes], const tables& t, float* out, random_stream& rng);
    static std::size_t fill_simd(std::uint64_t (&s)[4][lanes], const tables& t, float* out, random_stream& rng);
    static bool has_simd();
    const tables& table() const { return t_; }

private:
    tables t_;
    alignas(64) std::uint64_t s_[4][lanes]{};
    alignas(64) float buf_[rounds * per_round]{};
    std::size_t pos_ = 0, end_ = 0;
};

} // namespace memspike::crossbar
