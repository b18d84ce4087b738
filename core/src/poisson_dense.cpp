// SPDX-License-Identifier: MIT
// The dense Poisson drive's tick (poisson_drive::apply_dense): per target one uniform from its
// own xoshiro256++ stream, the count from the guide table, the count times the weight added to
// the target's sum, and the target listed in `touched` the first time it gets an event.
//
// On PD14 this is a quarter of the run (1.3-1.7 events per neuron and tick, every neuron every
// tick), and the streams are the same numbers in the same order whatever the code: the AVX-512
// kernel steps 8 targets' streams at once (their states are stored by word, `lanes`) and computes
// exactly what the scalar loop computes (integer xoshiro, the exact conversion of 53 bits to
// double, the same multiply and add per sum, in the same order per target; contraction into fused
// multiply-adds is off), so the counts, sums and the touched list are bit for bit the same.
#include "simulation_impl.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace memspike::detail {
namespace {

/// What one tick of one dense drive reads and writes.
struct dense_args {
    std::size_t n;                    // targets
    std::uint64_t *s0, *s1, *s2, *s3; // the streams' states, by word
    const std::uint32_t* targets;
    const std::uint16_t* guide;
    const double* cdf;
    double weight;
    double* sum;                      // the port's sums
    std::uint8_t* flag;
    std::uint32_t* touched;           // room for n (+ 8, see the AVX-512 kernel) more entries
    std::size_t listed;               // entries of touched in use
};

constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/// The count of a uniform u: the guide entry, or where a CDF step falls inside u's bucket, the
/// scan from there (cdf.back() == 1 > u stops it).
inline std::size_t count_of(double u, const std::uint16_t* guide, const double* cdf) {
    const std::uint16_t g = guide[static_cast<std::size_t>(u * static_cast<double>(poisson_drive::guide_size))];
    std::size_t k = g & (poisson_drive::guide_scan - 1);
    if (g & poisson_drive::guide_scan)
        while (u >= cdf[k]) ++k;
    return k;
}

/// Adds count k of target i without data-dependent branches (whether a target gets 0, 1, 2...
/// events is a coin toss a branch predictor loses): 0.0 + 0 * w leaves a sum unchanged (a sum is
/// never -0.0), and the touched entry is written always but kept only on a first event.
inline void add_count(dense_args& a, std::uint32_t i, std::size_t k) {
    a.sum[i] += static_cast<double>(k) * a.weight;
    const std::uint8_t hit = k != 0;
    a.touched[a.listed] = i;
    a.listed += hit & static_cast<std::uint8_t>(a.flag[i] ^ 1);
    a.flag[i] |= hit;
}

/// Targets [from, a.n), one at a time: random_stream's xoshiro256++ step and uniform(), written
/// out over the word arrays.
std::uint64_t dense_scalar(dense_args& a, std::size_t from) {
    std::uint64_t events = 0;
    for (std::size_t j = from; j < a.n; ++j) {
        std::uint64_t s0 = a.s0[j], s1 = a.s1[j], s2 = a.s2[j], s3 = a.s3[j];
        const std::uint64_t x = rotl(s0 + s3, 23) + s0;
        const std::uint64_t t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotl(s3, 45);
        a.s0[j] = s0, a.s1[j] = s1, a.s2[j] = s2, a.s3[j] = s3;
        const double u = static_cast<double>(x >> 11) * 0x1.0p-53;
        const std::size_t k = count_of(u, a.guide, a.cdf);
        add_count(a, a.targets[j], k);
        events += k;
    }
    return events;
}

#if defined(__x86_64__)
// AVX-512 implies FMA to GCC, which would fuse sum + k * w (another rounding, other spikes).
// (Clang contracts only within one expression, and the multiply and the add are two here.)
// GCC 12 also warns that the "undefined" vectors inside its own intrinsics' headers
// (_mm512_cvttpd_epi32 and others) may be used uninitialised: a false positive.
#if !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
/// Targets in groups of 8 (the last group masked), for contiguous targets the sums and flags
/// as vectors too. Returns the events; a.listed is moved on. Per group:
///   1. the 8 streams' xoshiro256++ step and their uniforms u (53 bits, converted exactly);
///   2. bucket = u * 4096 truncated, the guide entries by a gather; the rare lanes whose bucket
///      holds a CDF step (flag bit set) get the scalar scan;
///   3. sum += k * w; first hits (k != 0, flag clear) appended to touched in lane order, i.e.
///      target order, by a compress in a register and one 8-wide store (the memory form of
///      vpcompressd is microcoded on AMD Zen 4); flag |= hit.
[[gnu::target("avx512f,avx512dq,avx512bw,avx512vl")]] std::uint64_t dense_avx512(dense_args& a) {
    const __m512d to_unit = _mm512_set1_pd(0x1.0p-53), buckets = _mm512_set1_pd(static_cast<double>(poisson_drive::guide_size));
    const __m512d w = _mm512_set1_pd(a.weight);
    const __m256i low15 = _mm256_set1_epi32(poisson_drive::guide_scan - 1), scan = _mm256_set1_epi32(poisson_drive::guide_scan);
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i events = _mm256_setzero_si256();
    // The arguments as locals: stores through the state pointers could otherwise alias `a`'s
    // fields (listed is a 64-bit integer too) and force a reload of each one per group.
    const std::size_t n = a.n;
    std::uint64_t *const w0 = a.s0, *const w1 = a.s1, *const w2 = a.s2, *const w3 = a.s3;
    const int* const guide = reinterpret_cast<const int*>(a.guide);
    const std::uint32_t base = n ? a.targets[0] : 0;
    double* const sums = a.sum;
    std::uint8_t* const flags_of = a.flag;
    std::uint32_t* const touched = a.touched;
    std::size_t listed = a.listed;
    for (std::size_t j = 0; j < n; j += 8) {
        const __mmask8 live = n - j >= 8 ? __mmask8(0xff) : static_cast<__mmask8>((1u << (n - j)) - 1);
        __m512i s0 = _mm512_maskz_loadu_epi64(live, w0 + j), s1 = _mm512_maskz_loadu_epi64(live, w1 + j);
        __m512i s2 = _mm512_maskz_loadu_epi64(live, w2 + j), s3 = _mm512_maskz_loadu_epi64(live, w3 + j);
        const __m512i x = _mm512_add_epi64(_mm512_rol_epi64(_mm512_add_epi64(s0, s3), 23), s0);
        const __m512i t = _mm512_slli_epi64(s1, 17);
        s2 = _mm512_xor_si512(s2, s0);
        s3 = _mm512_xor_si512(s3, s1);
        s1 = _mm512_xor_si512(s1, s2);
        s0 = _mm512_xor_si512(s0, s3);
        s2 = _mm512_xor_si512(s2, t);
        s3 = _mm512_rol_epi64(s3, 45);
        _mm512_mask_storeu_epi64(w0 + j, live, s0), _mm512_mask_storeu_epi64(w1 + j, live, s1);
        _mm512_mask_storeu_epi64(w2 + j, live, s2), _mm512_mask_storeu_epi64(w3 + j, live, s3);
        // Masked-off lanes hold state 0, so u = 0 and bucket 0: in range, and never used.
        const __m512d u = _mm512_mul_pd(_mm512_cvtepu64_pd(_mm512_srli_epi64(x, 11)), to_unit);
        const __m256i bucket = _mm512_cvttpd_epi32(_mm512_mul_pd(u, buckets));
        const __m256i g = _mm256_i32gather_epi32(guide, bucket, 2);
        __m256i k = _mm256_and_si256(g, low15);
        const __mmask8 scans = _mm256_mask_test_epi32_mask(live, g, scan);
        if (scans) [[unlikely]] {
            alignas(64) double us[8];
            alignas(32) std::uint32_t ks[8];
            _mm512_store_pd(us, u);
            _mm256_store_si256(reinterpret_cast<__m256i*>(ks), k);
            for (unsigned l = 0; l < 8; ++l)
                if (scans >> l & 1)
                    while (us[l] >= a.cdf[ks[l]]) ++ks[l];
            k = _mm256_load_si256(reinterpret_cast<const __m256i*>(ks));
        }
        k = _mm256_maskz_mov_epi32(live, k);
        events = _mm256_add_epi32(events, k);
        const std::uint32_t first = base + static_cast<std::uint32_t>(j);
        double* sum = sums + first;
        const __m512d kw = _mm512_mul_pd(_mm512_cvtepi32_pd(k), w);
        _mm512_mask_storeu_pd(sum, live, _mm512_add_pd(_mm512_maskz_loadu_pd(live, sum), kw));
        const __mmask8 hit = _mm256_test_epi32_mask(k, k);
        const __m128i flags = _mm_maskz_loadu_epi8(live, flags_of + first);
        const __mmask8 fresh = hit & ~_mm_test_epi8_mask(flags, flags);
        const __m256i index = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(first)), lane);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(touched + listed), _mm256_maskz_compress_epi32(fresh, index));
        listed += static_cast<std::size_t>(__builtin_popcount(fresh));
        _mm_mask_storeu_epi8(flags_of + first, hit, _mm_set1_epi8(1));
    }
    a.listed = listed;
    alignas(32) std::uint32_t e[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(e), events);
    std::uint64_t total = 0;
    for (const std::uint32_t x : e) total += x;
    return total;
}
#if !defined(__clang__)
#pragma GCC diagnostic pop
#pragma GCC pop_options
#endif

bool has_avx512() {
    static const bool yes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                            __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
    return yes;
}
#endif

} // namespace

std::uint64_t poisson_drive::apply_dense(input_buffer& in) {
    std::size_t listed = in.touched.size();
    // The AVX-512 kernel stores 8 indices at a time: up to 7 past its last entry.
    in.touched.resize(listed + targets.size() + 8);
    dense_args a{targets.size(), lanes[0].data(), lanes[1].data(), lanes[2].data(), lanes[3].data(), targets.data(),
                 guide.data(),   cdf.data(),      weight,          in.sum[port].data(), in.flag.data(), in.touched.data(),
                 listed};
    std::uint64_t events = 0;
#if defined(__x86_64__)
    if (contiguous && has_avx512())
        events = dense_avx512(a);
    else
        events = dense_scalar(a, 0);
#else
    events = dense_scalar(a, 0);
#endif
    in.touched.resize(a.listed);
    return events;
}

} // namespace memspike::detail
