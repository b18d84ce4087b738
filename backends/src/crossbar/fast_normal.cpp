// SPDX-License-Identifier: MIT
// interleaved_stream's refill (fast_normal.hpp): eight xoshiro256++ lanes (Blackman & Vigna 2019,
// the update of core's random_stream), 256 words at a time, in plain code or with AVX-512 (one
// 512-bit register per state word, a rotate instruction for rotl), chosen at run time as core's
// dense Poisson drive chooses its kernel. The two give the same words (tested).
#include "memspike/backends/crossbar/fast_normal.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace memspike::crossbar {

namespace {
constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
} // namespace

void interleaved_stream::refill_scalar(std::uint64_t (&s)[4][lanes], std::uint64_t* out) {
    for (std::size_t l = 0; l < lanes; ++l) {
        std::uint64_t s0 = s[0][l], s1 = s[1][l], s2 = s[2][l], s3 = s[3][l];
        for (std::size_t r = 0; r < block / lanes; ++r) {
            out[lanes * r + l] = rotl(s0 + s3, 23) + s0;
            const std::uint64_t t = s1 << 17;
            s2 ^= s0;
            s3 ^= s1;
            s1 ^= s2;
            s0 ^= s3;
            s2 ^= t;
            s3 = rotl(s3, 45);
        }
        s[0][l] = s0;
        s[1][l] = s1;
        s[2][l] = s2;
        s[3][l] = s3;
    }
}

#if defined(__x86_64__)
bool interleaved_stream::has_simd() {
    static const bool yes = __builtin_cpu_supports("avx512f");
    return yes;
}

// GCC 12 warns that the "undefined" pass-through operand of _mm512_slli_epi64 and
// _mm512_rol_epi64 (unmasked: never read) is used uninitialised: a false positive.
#if !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
namespace {
[[gnu::target("avx512f")]] void refill_avx512(std::uint64_t (&s)[4][interleaved_stream::lanes], std::uint64_t* out) {
    static_assert(interleaved_stream::lanes == 8, "one 512-bit register per state word");
    __m512i s0 = _mm512_loadu_si512(s[0]), s1 = _mm512_loadu_si512(s[1]), s2 = _mm512_loadu_si512(s[2]), s3 = _mm512_loadu_si512(s[3]);
    for (std::size_t r = 0; r < interleaved_stream::block / 8; ++r) {
        _mm512_storeu_si512(out + 8 * r, _mm512_add_epi64(_mm512_rol_epi64(_mm512_add_epi64(s0, s3), 23), s0));
        const __m512i t = _mm512_slli_epi64(s1, 17);
        s2 = _mm512_xor_si512(s2, s0);
        s3 = _mm512_xor_si512(s3, s1);
        s1 = _mm512_xor_si512(s1, s2);
        s0 = _mm512_xor_si512(s0, s3);
        s2 = _mm512_xor_si512(s2, t);
        s3 = _mm512_rol_epi64(s3, 45);
    }
    _mm512_storeu_si512(s[0], s0);
    _mm512_storeu_si512(s[1], s1);
    _mm512_storeu_si512(s[2], s2);
    _mm512_storeu_si512(s[3], s3);
}
} // namespace
#if !defined(__clang__)
#pragma GCC diagnostic pop
#endif

void interleaved_stream::refill_simd(std::uint64_t (&s)[4][lanes], std::uint64_t* out) {
    if (has_simd()) return refill_avx512(s, out);
    refill_scalar(s, out);
}
#else
bool interleaved_stream::has_simd() { return false; }
void interleaved_stream::refill_simd(std::uint64_t (&s)[4][lanes], std::uint64_t* out) { refill_scalar(s, out); }
#endif

void interleaved_stream::refill() {
    refill_simd(s_, buf_);
    pos_ = 0;
}

} // namespace memspike::crossbar
