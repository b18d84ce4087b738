// SPDX-License-Identifier: MIT
// The AVX-512 step kernel, written with mask registers, for synapses whose step loop clamps
// refractory slots (lif_cond_exp: Synapses::clamp_in_loop; decisions.md §46). step_avx512 in
// lif_step_kernels.hpp takes it for a Synapses that sets `static constexpr bool clamped_kernel = true` and
// has a step() on vectors of 8 doubles (the scalar step's IEEE operations in the same order, its
// std::fma as _mm512_fmadd_pd: correctly rounded both, so the same bits).
//
// It does what step_chunks<wide = true> does per slot, with the same loads, operations, stores and
// comparisons: V stepped, kept where the slot is refractory (now <= its last refractory tick), the
// conductances decayed (and, with `fused`, the tick's input added: dense input), a spike where a
// free slot reached threshold, quiescence where both conductances are below tol. The difference
// is where the events go: GCC's vectorised step_loop turns each compare into 64-bit integer
// lanes, ORs them, stores them as the chunk's flags and reduces them to "any?" per chunk (a quarter
// of the loop's instructions, as measured for lif_exp in §42); here a compare writes a mask
// register, the refractory test masks the store of V and the threshold compare, and only a chunk
// with an event lists its hits, in slot order, in step_chunks' format.
#pragma once

#if defined(__x86_64__)
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "neurons/lif_lane_chunks.hpp"

namespace memspike::lif {

template <class S>
constexpr bool clamped_kernel_of = requires { requires S::clamped_kernel; };

/// The arrays and constants of one call (step_kernels::kernel_args, as the kernel needs them).
struct clamped_args {
    std::size_t n;
    double *v, *ex, *in;
    const double *ref_end, *bias, *slot_th, *add_ex, *add_in;
    std::uint32_t* hits;
    double now, th, tol, base_bias;
};

#if !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#endif
/// One vector of 8 slots from j, lanes `lane` only: the step, the stores, and the spike and
/// quiescence masks. A function, not a lambda (clang gives a lambda no target of its own).
template <class Syn, bool uniform, bool slot_th, bool fused>
[[gnu::always_inline, gnu::target("avx512f")]] inline void
clamped_lanes(const Syn& syn, double* __restrict vs, double* __restrict exs, double* __restrict ins,
              const double* __restrict ref_end, const double* __restrict biases, const double* __restrict ths,
              const double* __restrict add_ex, const double* __restrict add_in, __m512d now, __m512d base, __m512d th,
              __m512d tol, __m512d p_ex, __m512d p_in, __m512i magnitude, std::size_t j, __mmask8 lane,
              __mmask8& spiked, __mmask8& quiet) {
    const __m512d v0 = _mm512_maskz_loadu_pd(lane, vs + j);
    const __m512d e0 = _mm512_maskz_loadu_pd(lane, exs + j);
    const __m512d g0 = _mm512_maskz_loadu_pd(lane, ins + j);
    const __m512d bias = uniform ? base : _mm512_maskz_loadu_pd(lane, biases + j);
    const __m512d stepped = syn.step(v0, e0, g0, bias);
    // Free: now > the last refractory tick (as the scalar compare: false for NaN). A refractory
    // slot keeps its V: its lane is not stored.
    const __mmask8 free = _mm512_mask_cmp_pd_mask(lane, now, _mm512_maskz_loadu_pd(lane, ref_end + j), _CMP_GT_OQ);
    _mm512_mask_storeu_pd(vs + j, free, stepped);
    __m512d e = _mm512_mul_pd(e0, p_ex), g = _mm512_mul_pd(g0, p_in);
    if constexpr (fused) {
        e = _mm512_add_pd(e, _mm512_maskz_loadu_pd(lane, add_ex + j));
        g = _mm512_add_pd(g, _mm512_maskz_loadu_pd(lane, add_in + j));
    }
    _mm512_mask_storeu_pd(exs + j, lane, e);
    _mm512_mask_storeu_pd(ins + j, lane, g);
    const __m512d limit = slot_th ? _mm512_maskz_loadu_pd(lane, ths + j) : th;
    spiked = _mm512_mask_cmp_pd_mask(free, stepped, limit, _CMP_GE_OQ);
    const __m512d abs_e = _mm512_castsi512_pd(_mm512_and_si512(_mm512_castpd_si512(e), magnitude));
    const __m512d abs_g = _mm512_castsi512_pd(_mm512_and_si512(_mm512_castpd_si512(g), magnitude));
    quiet = _mm512_mask_cmp_pd_mask(_mm512_mask_cmp_pd_mask(lane, abs_e, tol, _CMP_LT_OQ), abs_g, tol, _CMP_LT_OQ);
}

/// Every chunk of `chunk` slots (whole chunks unrolled, the tail under a lane mask); returns the
/// number of hits listed: (slot << 2) | 1 spiked | 2 quiescent, in slot order.
template <class Syn, std::size_t chunk, bool uniform, bool slot_th, bool fused>
[[gnu::always_inline, gnu::target("avx512f")]] inline std::size_t clamped_chunks(const Syn syn, const clamped_args& a) {
    const __m512d now = _mm512_set1_pd(a.now), th = _mm512_set1_pd(a.th), tol = _mm512_set1_pd(a.tol);
    const __m512d base = _mm512_set1_pd(a.base_bias);
    const __m512d p_ex = _mm512_set1_pd(syn.p_ex), p_in = _mm512_set1_pd(syn.p_in);
    const __m512i magnitude = _mm512_set1_epi64(0x7fffffffffffffffLL);  // |x|: the sign bit cleared
    // The arrays in locals: an intrinsic store may alias anything, `a` included.
    double* __restrict const vs = a.v;
    double* __restrict const exs = a.ex;
    double* __restrict const ins = a.in;
    const double* __restrict const ref_end = a.ref_end;
    const double* __restrict const biases = a.bias;
    const double* __restrict const ths = a.slot_th;
    const double* __restrict const add_ex = a.add_ex;
    const double* __restrict const add_in = a.add_in;
    const auto lanes = [&](std::size_t j, __mmask8 lane, __mmask8& spiked, __mmask8& quiet)
                           __attribute__((always_inline, target("avx512f"))) {
        clamped_lanes<Syn, uniform, slot_th, fused>(syn, vs, exs, ins, ref_end, biases, ths, add_ex, add_in, now, base, th,
                                                    tol, p_ex, p_in, magnitude, j, lane, spiked, quiet);
    };
    return lane_chunks<chunk>(lanes, a.n, a.hits);
}

/// clamped_chunks' variant for the call: a bias per slot or not (`uniform`), a threshold per slot
/// or not, the input added (dense: add_ex set; only where the synapses allow dense input) or not.
template <class Syn, std::size_t chunk, bool dense>
[[gnu::always_inline, gnu::target("avx512f")]] inline std::size_t clamped_step(const Syn syn, const clamped_args& c,
                                                                             bool uniform) {
    const bool th = c.slot_th != nullptr;
    if constexpr (dense) {
        if (c.add_ex != nullptr) {
            if (th) return uniform ? clamped_chunks<Syn, chunk, true, true, true>(syn, c)
                                   : clamped_chunks<Syn, chunk, false, true, true>(syn, c);
            return uniform ? clamped_chunks<Syn, chunk, true, false, true>(syn, c)
                           : clamped_chunks<Syn, chunk, false, false, true>(syn, c);
        }
    }
    if (th) return uniform ? clamped_chunks<Syn, chunk, true, true, false>(syn, c)
                           : clamped_chunks<Syn, chunk, false, true, false>(syn, c);
    return uniform ? clamped_chunks<Syn, chunk, true, false, false>(syn, c)
                   : clamped_chunks<Syn, chunk, false, false, false>(syn, c);
}
#if !defined(__clang__)
#pragma GCC pop_options
#endif

} // namespace memspike::lif
#endif
