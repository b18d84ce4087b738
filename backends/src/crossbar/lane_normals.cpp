// SPDX-License-Identifier: MIT
// lane_normals (lane_normals.hpp): the tables, the plain refill and the AVX-512 one. Both do the
// same IEEE float operations per candidate (an exact int-to-float conversion, a product by 2^-24,
// exact, and one rounded product by the edge), so their draws are bit-identical (tested).
#include "memspike/backends/crossbar/lane_normals.hpp"

#include <bit>
#include <cmath>

#include "memspike/backends/crossbar/fast_normal.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace memspike::crossbar {

namespace {

constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/// The core's draw of candidate c: +-(m 2^-24) x_i, the sign as a bit (so +0 and -0 alike in both paths).
float core(const lane_normals::tables& t, std::uint32_t c) {
    const float z = static_cast<float>(static_cast<std::int32_t>(c >> 8)) * 0x1.0p-24f * t.x[c & 127];
    return std::bit_cast<float>(std::bit_cast<std::uint32_t>(z) | ((c << 24) & 0x80000000u));
}

/// A candidate outside its layer's core: the wedge test (uniform from rng) or, in the base layer,
/// the tail beyond x_1. True with the draw in `out` when accepted.
bool outside_core(const lane_normals::tables& t, std::uint32_t c, random_stream& rng, float& out) {
    const int i = static_cast<int>(c & 127);
    const std::uint32_t sign = (c << 24) & 0x80000000u;
    if (i == 0) {
        const float z = static_cast<float>(normal_tail(rng, t.x[1]));  // |Z| beyond r (fast_normal.hpp)
        out = std::bit_cast<float>(std::bit_cast<std::uint32_t>(z) | sign);
        return true;
    }
    const float z = static_cast<float>(static_cast<std::int32_t>(c >> 8)) * 0x1.0p-24f * t.x[i];
    const double x = z;
    if (!lane_normals::wedge_accepts(t, i, x, t.f[i] + rng.uniform() * (t.f[i + 1] - t.f[i]))) return false;
    out = std::bit_cast<float>(std::bit_cast<std::uint32_t>(z) | sign);
    return true;
}

} // namespace

lane_normals::lane_normals() {
    // fast_normal's edges in double (its constructor's recursion), then rounded to float
    const double v = fast_normal::v, r = fast_normal::r;
    const auto f = [](double x) { return std::exp(-0.5 * x * x); };
    double x[layers + 1];
    x[0] = v / f(r);
    x[1] = r;
    for (int i = 1; i < layers - 1; ++i) x[i + 1] = std::sqrt(-2.0 * std::log(f(x[i]) + v / x[i]));
    x[layers] = 0.0;
    for (int i = 0; i <= layers; ++i) {
        t_.x[i] = static_cast<float>(x[i]);
        t_.f[i] = f(t_.x[i]);
    }
    // The wedges' bounding lines (tables::wedge), from the float edges and f as stored.
    for (int i = 1; i < layers; ++i) {
        const double a = t_.x[i + 1], b = t_.x[i], fa = t_.f[i + 1], fb = t_.f[i];
        tables::wedge& w = t_.w[i];
        w.kind = a >= 1.0 ? 1 : (b <= 1.0 ? -1 : 0);
        w.lo = a;
        w.hi = b;
        w.c1 = -(fa - fb) / (b - a);
        w.c0 = fb - w.c1 * b;
        w.a1 = -a * fa;  // g'(a) = -a g(a)
        w.a0 = fa - w.a1 * a;
        w.b1 = -b * fb;
        w.b0 = fb - w.b1 * b;
    }
    // limit_i: the least m with m x_i >= 2^24 x_{i+1} (floats; both products exact in double:
    // 24-bit m times a 24-bit mantissa), so that m < limit_i exactly when m 2^-24 < x_{i+1} / x_i.
    for (int i = 0; i < layers; ++i) {
        const double a = 0x1.0p24 * t_.x[i + 1], b = t_.x[i];
        auto m = static_cast<std::int64_t>(std::ceil(a / b));
        while (m > 0 && static_cast<double>(m - 1) * b >= a) --m;
        while (static_cast<double>(m) * b < a) ++m;
        t_.limit[i] = static_cast<std::int32_t>(m);
    }
}

std::size_t lane_normals::fill_scalar(std::uint64_t (&s)[4][lanes], const tables& t, float* out, random_stream& rng) {
    std::size_t n = 0, nr = 0;
    std::uint32_t outside[rounds * per_round];
    for (std::size_t round = 0; round < rounds; ++round) {
        std::uint32_t c[per_round];
        for (std::size_t l = 0; l < lanes; ++l) {
            const std::uint64_t w = rotl(s[0][l] + s[3][l], 23) + s[0][l];
            const std::uint64_t u = s[1][l] << 17;
            s[2][l] ^= s[0][l];
            s[3][l] ^= s[1][l];
            s[1][l] ^= s[2][l];
            s[0][l] ^= s[3][l];
            s[2][l] ^= u;
            s[3][l] = rotl(s[3][l], 45);
            c[2 * l] = static_cast<std::uint32_t>(w);
            c[2 * l + 1] = static_cast<std::uint32_t>(w >> 32);
        }
        for (const std::uint32_t x : c) {
            if (static_cast<std::int32_t>(x >> 8) < t.limit[x & 127])
                out[n++] = core(t, x);
            else
                outside[nr++] = x;
        }
    }
    for (std::size_t j = 0; j < nr; ++j)
        if (outside_core(t, outside[j], rng, out[n])) ++n;
    return n;
}

#if defined(__x86_64__)
bool lane_normals::has_simd() {
    static const bool yes = __builtin_cpu_supports("avx512f");
    return yes;
}

// GCC 12 warns that the "undefined" pass-through operand of unmasked AVX-512 intrinsics
// (_mm512_slli_epi64, _mm512_rol_epi64, ...) is used uninitialised: a false positive.
#if !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
namespace {

/// table[idx] for 16 indices < 128 from a 128-entry table held in 8 registers: a two-register
/// permute per 32 entries (index bits 0-4), then bits 5 and 6 choose among the four.
[[gnu::target("avx512f")]] inline __m512i look_up(__m512i t0, __m512i t1, __m512i t2, __m512i t3, __m512i t4, __m512i t5,
                                                 __m512i t6, __m512i t7, __m512i idx, __mmask16 b5, __mmask16 b6) {
    const __m512i q0 = _mm512_permutex2var_epi32(t0, idx, t1), q1 = _mm512_permutex2var_epi32(t2, idx, t3);
    const __m512i q2 = _mm512_permutex2var_epi32(t4, idx, t5), q3 = _mm512_permutex2var_epi32(t6, idx, t7);
    return _mm512_mask_blend_epi32(b6, _mm512_mask_blend_epi32(b5, q0, q1), _mm512_mask_blend_epi32(b5, q2, q3));
}

/// fill_scalar's rounds, sixteen candidates per instruction. No call inside the loop (a call
/// would clobber the sixteen table registers): the candidates outside a core are compressed into
/// `outside` and tested after it, in the same order as fill_scalar.
[[gnu::target("avx512f")]] std::size_t fill_avx512(std::uint64_t (&s)[4][lane_normals::lanes], const lane_normals::tables& t,
                                                  float* out, random_stream& rng) {
    static_assert(lane_normals::lanes == 8 && lane_normals::per_round == 16, "one 512-bit register per state word");
    const __m512i l0 = _mm512_load_si512(t.limit), l1 = _mm512_load_si512(t.limit + 16), l2 = _mm512_load_si512(t.limit + 32),
                  l3 = _mm512_load_si512(t.limit + 48), l4 = _mm512_load_si512(t.limit + 64), l5 = _mm512_load_si512(t.limit + 80),
                  l6 = _mm512_load_si512(t.limit + 96), l7 = _mm512_load_si512(t.limit + 112);
    const __m512i x0 = _mm512_load_si512(t.x), x1 = _mm512_load_si512(t.x + 16), x2 = _mm512_load_si512(t.x + 32),
                  x3 = _mm512_load_si512(t.x + 48), x4 = _mm512_load_si512(t.x + 64), x5 = _mm512_load_si512(t.x + 80),
                  x6 = _mm512_load_si512(t.x + 96), x7 = _mm512_load_si512(t.x + 112);  // x_128 is never looked up
    __m512i s0 = _mm512_loadu_si512(s[0]), s1 = _mm512_loadu_si512(s[1]), s2 = _mm512_loadu_si512(s[2]), s3 = _mm512_loadu_si512(s[3]);
    const __m512i low7 = _mm512_set1_epi32(127), bit5 = _mm512_set1_epi32(32), bit6 = _mm512_set1_epi32(64);
    const __m512i sign = _mm512_set1_epi32(static_cast<int>(0x80000000u));
    const __m512 step = _mm512_set1_ps(0x1.0p-24f);
    alignas(64) std::uint32_t outside[lane_normals::rounds * lane_normals::per_round];
    std::size_t n = 0, nr = 0;
    for (std::size_t round = 0; round < lane_normals::rounds; ++round) {
        const __m512i c = _mm512_add_epi64(_mm512_rol_epi64(_mm512_add_epi64(s0, s3), 23), s0);
        const __m512i u = _mm512_slli_epi64(s1, 17);
        s2 = _mm512_xor_si512(s2, s0);
        s3 = _mm512_xor_si512(s3, s1);
        s1 = _mm512_xor_si512(s1, s2);
        s0 = _mm512_xor_si512(s0, s3);
        s2 = _mm512_xor_si512(s2, u);
        s3 = _mm512_rol_epi64(s3, 45);
        const __m512i idx = _mm512_and_si512(c, low7), m = _mm512_srli_epi32(c, 8);
        const __mmask16 b5 = _mm512_test_epi32_mask(idx, bit5), b6 = _mm512_test_epi32_mask(idx, bit6);
        const __mmask16 inside = _mm512_cmplt_epi32_mask(m, look_up(l0, l1, l2, l3, l4, l5, l6, l7, idx, b5, b6));
        const __m512 x = _mm512_castsi512_ps(look_up(x0, x1, x2, x3, x4, x5, x6, x7, idx, b5, b6));
        const __m512 z = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(m), step), x);
        const __m512i signed_z = _mm512_or_si512(_mm512_castps_si512(z), _mm512_and_si512(_mm512_slli_epi32(c, 24), sign));
        // Compressed in a register, then stored whole (at most 16 per round, within the room):
        // a compress straight to memory is microcoded on AMD Zen 4, ~50 times slower.
        _mm512_storeu_ps(out + n, _mm512_maskz_compress_ps(inside, _mm512_castsi512_ps(signed_z)));
        n += static_cast<std::size_t>(__builtin_popcount(inside));
        const auto rest = static_cast<__mmask16>(~inside);
        _mm512_storeu_si512(outside + nr, _mm512_maskz_compress_epi32(rest, c));
        nr += static_cast<std::size_t>(__builtin_popcount(rest));
    }
    _mm512_storeu_si512(s[0], s0);
    _mm512_storeu_si512(s[1], s1);
    _mm512_storeu_si512(s[2], s2);
    _mm512_storeu_si512(s[3], s3);
    for (std::size_t j = 0; j < nr; ++j)
        if (outside_core(t, outside[j], rng, out[n])) ++n;
    return n;
}

} // namespace
#if !defined(__clang__)
#pragma GCC diagnostic pop
#endif

std::size_t lane_normals::fill_simd(std::uint64_t (&s)[4][lanes], const tables& t, float* out, random_stream& rng) {
    if (has_simd()) return fill_avx512(s, t, out, rng);
    return fill_scalar(s, t, out, rng);
}
#else
bool lane_normals::has_simd() { return false; }
std::size_t lane_normals::fill_simd(std::uint64_t (&s)[4][lanes], const tables& t, float* out, random_stream& rng) {
    return fill_scalar(s, t, out, rng);
}
#endif

} // namespace memspike::crossbar
