// SPDX-License-Identifier: MIT
// The sparse read's passes over a read's hit columns (partition.hpp, read_path.cpp): the read
// noise x += sigma sqrt(v) z and the ADC of the difference, in SSE2 or, where the CPU has it
// (chosen at run time), AVX2, with the same IEEE operations lane by lane as the scalar loops, so
// every value is bit-identical whichever path runs. Out of read_path.cpp for its length: the
// AVX2 bodies were calls from the read already (their target attribute keeps them out of line).
#include <cmath>

#if defined(__SSE2__)
#include <emmintrin.h>  // SSE2: part of every x86-64 target
#endif
#if defined(__x86_64__)
#include <immintrin.h>  // AVX2, for the functions compiled for it (chosen at run time)
#endif

#include "partition.hpp"

namespace memspike::crossbar::detail {

/// x[h] += sigma sqrt(v[h]) z[h] for h < n, two columns per instruction: std::sqrt's loop stays
/// scalar (a compare and branch per element for errno), and sqrtpd rounds each lane as sqrtsd
/// does (IEEE, correctly rounded), so the values are bit-identical. v >= 0 (sums of squares).
static void add_noise_sse2(double* x, const double* v, const double* z, std::size_t n, double sigma) {
    std::size_t h = 0;
#if defined(__SSE2__)
    const __m128d s = _mm_set1_pd(sigma);
    for (; h + 2 <= n; h += 2) {
        const __m128d r = _mm_mul_pd(_mm_mul_pd(s, _mm_sqrt_pd(_mm_loadu_pd(v + h))), _mm_loadu_pd(z + h));
        _mm_storeu_pd(x + h, _mm_add_pd(_mm_loadu_pd(x + h), r));
    }
#endif
    for (; h < n; ++h) x[h] += sigma * std::sqrt(v[h]) * z[h];
}

#if defined(__x86_64__)
/// The ADC's and the noise's per-column passes four columns per instruction where the CPU has
/// AVX2 (chosen at run time, as core's dense Poisson drive chooses AVX-512). The same IEEE
/// operations in the same order as the SSE2 and scalar loops, lane by lane, so every value is
/// bit-identical: "avx2" enables no FMA, so nothing is contracted. (The square roots of the
/// several-row reads were a tenth of read_tile_sparse's time, `perf`.)
static bool has_avx2() {
    static const bool yes = __builtin_cpu_supports("avx2");
    return yes;
}

/// Lanes 0 .. k - 1 of four (k in 1..3) set: the tail of a pass under a mask (masked-off lanes
/// are neither loaded nor stored, so they read as 0 and raise nothing).
[[gnu::target("avx2")]] static __m256i tail_mask(std::size_t k) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(static_cast<long long>(k)), _mm256_setr_epi64x(0, 1, 2, 3));
}

[[gnu::target("avx2")]] static void add_noise_avx2(double* x, const double* v, const double* z, std::size_t n, double sigma) {
    std::size_t h = 0;
    const __m256d s = _mm256_set1_pd(sigma);
    for (; h + 4 <= n; h += 4) {
        const __m256d r = _mm256_mul_pd(_mm256_mul_pd(s, _mm256_sqrt_pd(_mm256_loadu_pd(v + h))), _mm256_loadu_pd(z + h));
        _mm256_storeu_pd(x + h, _mm256_add_pd(_mm256_loadu_pd(x + h), r));
    }
    if (h < n) {  // the last 1-3 columns under a mask: the same lane operations, no scalar loop to leave
        const __m256i m = tail_mask(n - h);
        const __m256d r = _mm256_mul_pd(_mm256_mul_pd(s, _mm256_sqrt_pd(_mm256_maskload_pd(v + h, m))), _mm256_maskload_pd(z + h, m));
        _mm256_maskstore_pd(x + h, m, _mm256_add_pd(_mm256_maskload_pd(x + h, m), r));
    }
}

/// Four lanes of convert_signed_avx2: the scaled codes, and in `clip` the mask of clipped lanes.
[[gnu::target("avx2")]] static inline __m256d convert4(__m256d in, __m256d vper, __m256d vlsb, __m256d vlo, __m256d vhi, __m256d vscale,
                                                      unsigned& clip) {
    const __m256d magic = _mm256_set1_pd(6755399441055744.0), big = _mm256_set1_pd(0x1p50), sign = _mm256_set1_pd(-0.0);
    const __m256d y = _mm256_mul_pd(in, vper);
    const __m256d small = _mm256_cmp_pd(_mm256_andnot_pd(sign, y), big, _CMP_LT_OQ);
    __m256d code = _mm256_blendv_pd(y, _mm256_sub_pd(_mm256_add_pd(y, magic), magic), small);
    const __m256d below = _mm256_cmp_pd(code, vlo, _CMP_LT_OQ), above = _mm256_cmp_pd(code, vhi, _CMP_GT_OQ);
    code = _mm256_blendv_pd(_mm256_blendv_pd(code, vhi, above), vlo, below);
    clip = static_cast<unsigned>(_mm256_movemask_pd(_mm256_or_pd(below, above)));
    return _mm256_mul_pd(_mm256_mul_pd(code, vlsb), vscale);
}

/// convert_signed's loop (below) for h < n, the last n mod 4 under a mask: round_even where |y| < 2^50,
/// the clamp to [lo, hi] (lo < hi: at most one of its two tests holds), clipped lanes counted.
[[gnu::target("avx2")]] static std::uint64_t convert_signed_avx2(double* x, std::size_t n, double per, double lsb, double lo,
                                                                 double hi, double scale) {
    const __m256d vper = _mm256_set1_pd(per), vlsb = _mm256_set1_pd(lsb), vlo = _mm256_set1_pd(lo), vhi = _mm256_set1_pd(hi);
    const __m256d vscale = _mm256_set1_pd(scale);
    std::uint64_t clipped = 0;
    std::size_t h = 0;
    for (; h + 4 <= n; h += 4) {
        unsigned clip = 0;
        const __m256d out = convert4(_mm256_loadu_pd(x + h), vper, vlsb, vlo, vhi, vscale, clip);
        clipped += static_cast<std::uint64_t>(__builtin_popcount(clip));
        _mm256_storeu_pd(x + h, out);
    }
    if (h < n) {  // the last 1-3 columns under a mask (tail_mask); the masked-off lanes' clips not counted
        const __m256i m = tail_mask(n - h);
        unsigned clip = 0;
        const __m256d out = convert4(_mm256_maskload_pd(x + h, m), vper, vlsb, vlo, vhi, vscale, clip);
        clipped += static_cast<std::uint64_t>(__builtin_popcount(clip & ((1u << (n - h)) - 1u)));
        _mm256_maskstore_pd(x + h, m, out);
    }
    return clipped;
}
#endif

void add_noise(double* x, const double* v, const double* z, std::size_t n, double sigma) {
#if defined(__x86_64__)
    if (has_avx2()) return add_noise_avx2(x, v, z, n, sigma);
#endif
    add_noise_sse2(x, v, z, n, sigma);
}

/// convert(x[h], true) * scale for h < n, in place: the ADC of the difference over a read's hit
/// columns as one loop without calls or early exits (it vectorises), clipping counted as there.
void crossbar_partition::convert_signed(double* x, std::size_t n, double scale) {
    const double per = adc_per_lsb_signed_, lsb = adc_lsb_signed_, lo = -adc_half_signed_, hi = adc_half_signed_ - 1.0;
    std::uint64_t clipped = 0;
    std::size_t h = 0;
#if defined(__x86_64__)
    if (has_avx2()) {
        h = n;
        clipped = convert_signed_avx2(x, n, per, lsb, lo, hi, scale);
    }
#endif
    for (; h < n; ++h) {
        const double y = x[h] * per;
        double code = std::abs(y) < 0x1p50 ? round_even(y) : y;
        clipped += (code < lo) | (code > hi);
        code = code < lo ? lo : (code > hi ? hi : code);  // std::clamp's order: the same value
        x[h] = code * lsb * scale;
    }
    events_[adc_clipped] += clipped;
}

} // namespace memspike::crossbar::detail
