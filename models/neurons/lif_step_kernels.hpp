// SPDX-License-Identifier: MIT
// The step kernels of the active set (lif_active.hpp): one tick of every active slot in a loop
// without branches, in three instruction sets (baseline, AVX2 with FMA, AVX-512), and
// step_kernel_isa, which names the one to run (active_lif_group::step_slots calls it).
// Separate from the active set's bookkeeping because this is the hot loop: its code is tuned
// against GCC 12's vectoriser (selects of doubles, __restrict, always_inline, the fp-contract
// pragma; decisions.md §35, §39, §42, §46), and it depends only on the Synapses type, not on the
// membrane or on which neuron is in which slot. The AVX-512 kernel with mask registers for a loop
// that clamps refractory slots is in lif_clamped_kernel.hpp.
//
// The results are the same on each kernel (IEEE adds, multiplies, compares and selects, no
// contraction into fused multiply-adds), only the speed differs; the tests run each kernel
// (MEMSPIKE_STEP_KERNEL) and compare the bits.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "memspike/core/errors.hpp"
#include "neurons/lif_clamped_kernel.hpp"
#include "neurons/lif_lane_chunks.hpp"
#include "neurons/lif_synapses.hpp"

namespace memspike::lif {

/// The widest step kernel the processor has (2 AVX-512, 1 AVX2 with FMA, 0 the baseline), or a
/// narrower one named by the environment variable MEMSPIKE_STEP_KERNEL = baseline | avx2 | avx512
/// (one the processor lacks: its widest): the tests run each kernel so and compare its bits
/// (they must agree; test_lif_cond_exp.cpp). Any other value throws, so a misspelt name cannot
/// pass silently on the default kernel.
inline int step_kernel_isa() {
#if defined(__x86_64__)
    int isa = __builtin_cpu_supports("avx512f")                                   ? 2
            : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1
                                                                                : 0;
#else
    int isa = 0;
#endif
    if (const char* e = std::getenv("MEMSPIKE_STEP_KERNEL"); e != nullptr && *e != '\0') {
        const std::string want(e);
        const int asked = want == "baseline" ? 0 : want == "avx2" ? 1 : want == "avx512" ? 2 : -1;
        if (asked < 0) throw internal_error("MEMSPIKE_STEP_KERNEL=" + want + ": expected baseline, avx2 or avx512");
        isa = std::min(isa, asked);
    }
    return isa;
}

/// The step loop of active_lif_group<Synapses, Het> over the n slots of a partition. The loop
/// reads no per-neuron constants but the threshold (`slot_th`), so Het changes nothing in it; it
/// is a parameter so that each group type keeps its own kernels, as when they were its members.
/// With one copy for both Het, the kernels' code was the same but GCC inlined differently into
/// advance() (other registers, other calls kept), likely because the unit had less code.
template <class Synapses, bool Het>
struct step_kernels {
    /// Slots per chunk of the step loop. The loop writes each slot's event flag to a chunk-sized
    /// buffer that stays in L1 and returns whether any is set; only such a chunk (a few per tick)
    /// is scanned, slot by slot. Before, a flag array per slot was streamed out and all of it
    /// scanned every tick (decisions.md §35).
    static constexpr std::size_t chunk = 64;
    /// An event flag in the step loop: a 64-bit integer in the AVX2 / AVX-512 kernels (`wide`), a
    /// double in the baseline kernel.
    template <bool wide>
    using flag_t = std::conditional_t<wide, std::uint64_t, double>;
    struct kernel_args {
        std::size_t n;
        double *v, *ex, *in;
        const double *ref_end, *bias;  // ref_end: with clamp_in_loop only
        std::uint32_t* hits;  // out: (slot << 2) | 1 at threshold | 2 quiescent, in slot order (slots < 2^30)
        double now, th, tol;
        double base_bias;  // every slot's bias when `uniform`
        bool uniform;
        const double* slot_th;  // Het: each slot's threshold (else nullptr: `th` for all)
        // Dense input (dense_input_of, go_dense): the tick's input sums per slot, added to the
        // decayed synaptic variables by the loop (advance() clears them); nullptr otherwise.
        const double* add_ex = nullptr;
        const double* add_in = nullptr;
    };
    // The loop of step_slots() over the m slots of one chunk. Every condition is a select
    // between doubles (no && or bool flags): GCC 12 vectorises the loop only so; __restrict on
    // the parameters rules out the aliasing it would otherwise check at run time (beyond its
    // limit of 10 checks). event = free * above (1 on a spike) + 2 when quiescent, never -0.0,
    // so the OR of the events' bits is zero exactly when no slot of the chunk has one: the
    // return value. `uniform`: every slot's bias is base_bias (no stimulus in the partition),
    // and the loop reads one array less. `slot_th` (Het with one set of synaptic constants):
    // the threshold is read per slot.
    // `fused` (dense input): the tick's input sums add_ex, add_in (per slot) are added to the
    // decayed synaptic variables (advance() clears the sums of the touched neurons: two streamed
    // stores per slot less, 5-7 % of COBA's time), as the input loop in advance() would add them
    // after the step: the same two adds (a product rounded, then a sum), so the same bits; the
    // quiescence test then sees the variables after the input, as step 4 of advance() does.
    template <bool wide, bool uniform, bool slot_th, bool fused>
    [[gnu::always_inline]] static inline std::uint64_t step_loop(const Synapses syn, std::size_t m, double* __restrict v,
                                                                double* __restrict ex, double* __restrict in,
                                                                const double* __restrict ref_end,
                                                                const double* __restrict bias, flag_t<wide>* __restrict ev,
                                                                double now, double th, double tol, double base_bias,
                                                                const double* __restrict ths,
                                                                const double* __restrict add_ex,
                                                                const double* __restrict add_in) {
        const double p_ex = syn.p_ex, p_in = syn.p_in;
        std::uint64_t any = 0;
        for (std::size_t j = 0; j < m; ++j) {
            const double v0 = v[j];
            const double stepped = syn.step(v0, ex[j], in[j], uniform ? base_bias : bias[j]);
            constexpr bool clamp = Synapses::clamp_in_loop;
            // The baseline form's refractory factor, taken before the store of V (GCC vectorises that order).
            [[maybe_unused]] const double free = clamp ? (now > ref_end[j] ? 1.0 : 0.0) : 1.0;
            v[j] = clamp ? (now > ref_end[j] ? stepped : v0) : stepped;
            double e = ex[j] * p_ex, g = in[j] * p_in;
            if constexpr (fused) {
                e = e + add_ex[j];
                g = g + add_in[j];
            }
            ex[j] = e;
            in[j] = g;
            if constexpr (wide) {
                // 64-bit integer lanes from the compares: fewer operations than selects of doubles.
                constexpr std::uint64_t zero = 0, one = 1, two = 2;
                const std::uint64_t spiked =
                    (clamp ? (now > ref_end[j] ? one : zero) : one) & (stepped >= (slot_th ? ths[j] : th) ? one : zero);
                const std::uint64_t quiet = (std::abs(e) < tol ? two : zero) & (std::abs(g) < tol ? two : zero);
                const std::uint64_t event = spiked | quiet;
                if (Synapses::store_events) ev[j] = event;
                any |= event;
            } else {
                // The baseline kernel (SSE2 / other targets): GCC 12 vectorises this form only.
                const double above = stepped >= (slot_th ? ths[j] : th) ? 1.0 : 0.0;
                const double quiet_ex = std::abs(e) < tol ? 2.0 : 0.0;
                const double quiet_in = std::abs(g) < tol ? 1.0 : 0.0;
                const double event = free * above + quiet_ex * quiet_in;
                if (Synapses::store_events) ev[j] = event;
                std::uint64_t bits;
                std::memcpy(&bits, &event, sizeof bits);
                any |= bits;
            }
        }
        return any;
    }
    /// step_loop's event per slot (1 at threshold, 2 quiescent, 3 both) again, from the values it
    /// stored (a free slot's V is its stepped V); the same comparisons.
    template <bool wide, bool slot_th>
    [[gnu::always_inline]] static inline void retest_loop(std::size_t m, const double* __restrict v,
                                                         const double* __restrict ex, const double* __restrict in,
                                                         const double* __restrict ref_end, flag_t<wide>* __restrict ev,
                                                         double now, double th, double tol,
                                                         const double* __restrict ths) {
        // Without branches (a branch per slot mispredicts around each event: ~8 % of CUBA's run).
        for (std::size_t j = 0; j < m; ++j) {
            if constexpr (wide) {
                constexpr std::uint64_t zero = 0, one = 1, two = 2;
                const std::uint64_t spiked = (Synapses::clamp_in_loop ? (now > ref_end[j] ? one : zero) : one) &
                                             (v[j] >= (slot_th ? ths[j] : th) ? one : zero);
                const std::uint64_t quiet = (std::abs(ex[j]) < tol ? two : zero) & (std::abs(in[j]) < tol ? two : zero);
                ev[j] = spiked | quiet;
            } else {
                const double free = Synapses::clamp_in_loop ? (now > ref_end[j] ? 1.0 : 0.0) : 1.0;
                const double above = v[j] >= (slot_th ? ths[j] : th) ? 1.0 : 0.0;
                const double quiet_ex = std::abs(ex[j]) < tol ? 2.0 : 0.0;
                const double quiet_in = std::abs(in[j]) < tol ? 1.0 : 0.0;
                ev[j] = free * above + quiet_ex * quiet_in;
            }
        }
    }
    /// step_loop over every chunk of the slots; returns the number of hits listed.
    template <bool wide, bool uniform, bool slot_th, bool fused = false>
    [[gnu::always_inline]] static inline std::size_t step_chunks(const Synapses syn, const kernel_args& a) {
        std::size_t hits = 0;
        for (std::size_t c = 0; c < a.n; c += chunk) {
            // Whole chunks with a constant trip count (no remainder loop per chunk), then the rest.
            // The events go to a buffer on the stack, which stays in L1: the loop streams only
            // the slot arrays.
            alignas(64) flag_t<wide> ev[chunk];
            const std::size_t m = c + chunk <= a.n ? chunk : a.n - c;
            // Without the clamp in the loop there is no ref_end array (its data() is null, and
            // null + c is undefined even if never read).
            const double* ref_end = Synapses::clamp_in_loop ? a.ref_end + c : nullptr;
            const double* const add_ex = fused ? a.add_ex + c : nullptr;  // likewise: only when dense
            const double* const add_in = fused ? a.add_in + c : nullptr;
            const std::uint64_t any =
                m == chunk ? step_loop<wide, uniform, slot_th, fused>(syn, chunk, a.v + c, a.ex + c, a.in + c, ref_end,
                                                         a.bias + c, ev, a.now, a.th, a.tol, a.base_bias,
                                                         slot_th ? a.slot_th + c : nullptr, add_ex, add_in)
                           : step_loop<wide, uniform, slot_th, fused>(syn, m, a.v + c, a.ex + c, a.in + c, ref_end,
                                                         a.bias + c, ev, a.now, a.th, a.tol, a.base_bias,
                                                         slot_th ? a.slot_th + c : nullptr, add_ex, add_in);
            if (any == 0) continue;
            if constexpr (!Synapses::store_events)  // the events again, from the values just stored (in L1)
                retest_loop<wide, slot_th>(m, a.v + c, a.ex + c, a.in + c, ref_end, ev, a.now, a.th, a.tol,
                                     slot_th ? a.slot_th + c : nullptr);
            for (std::size_t k = 0; k < m; ++k)  // ev is 0, 1 (spiked), 2 (quiescent) or 3 (both)
                if (ev[k] != 0) a.hits[hits++] = static_cast<std::uint32_t>((c + k) << 2) | static_cast<std::uint32_t>(ev[k]);
        }
        return hits;
    }
// AVX-512 implies FMA to GCC, which would then fuse a * b + c (another rounding, other spikes):
// contraction stays off in these functions, as it is in the baseline build. The AVX2 path also
// enables FMA only so that lif_cond_exp's explicit std::fma becomes one instruction (§27).
// (clang ignores this pragma; CMakeLists.txt gives it -ffp-contract=off for every file.)
#if !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#endif
    // The four variants of step_chunks, written out in each kernel. Synapses::step must be
    // always_inline: with four variants GCC 12 stopped inlining it and called a baseline-ISA copy
    // (lif_cond_exp's std::fma became libm calls: COBA 18x slower).
#define MEMSPIKE_STEP_VARIANTS_OF(wide, fused)                                                                         \
    if (a.slot_th != nullptr) {                                                                                        \
        if (a.uniform)                                                                                                 \
            return step_chunks<wide, true, true, fused>(syn, a);                                                       \
        else                                                                                                           \
            return step_chunks<wide, false, true, fused>(syn, a);                                                      \
    } else if (a.uniform) {                                                                                            \
        return step_chunks<wide, true, false, fused>(syn, a);                                                          \
    } else {                                                                                                           \
        return step_chunks<wide, false, false, fused>(syn, a);                                                         \
    }
    // With dense input (dense_input_of) each variant again with the input added in the loop.
#define MEMSPIKE_STEP_VARIANTS(wide)                                                                                   \
    if constexpr (dense_input_of<Synapses>) {                                                                          \
        if (a.add_ex != nullptr) {                                                                                     \
            MEMSPIKE_STEP_VARIANTS_OF(wide, true)                                                                      \
        }                                                                                                              \
    }                                                                                                                  \
    MEMSPIKE_STEP_VARIANTS_OF(wide, false)
    [[gnu::noinline]] static std::size_t step_kernel(const Synapses syn, const kernel_args& a) {
        MEMSPIKE_STEP_VARIANTS(false)
    }
#if defined(__x86_64__)
    [[gnu::noinline, gnu::target("avx2,fma")]] static std::size_t step_avx2(const Synapses syn, const kernel_args& a) {
        MEMSPIKE_STEP_VARIANTS(true)
    }
    [[gnu::noinline, gnu::target("avx512f")]] static std::size_t step_avx512(const Synapses syn, const kernel_args& a) {
        if constexpr (masked_kernel_of<Synapses>) {
            static_assert(!dense_input_of<Synapses>, "the masked kernel does not add the input");
            if (a.slot_th != nullptr)
                return a.uniform ? masked_chunks<true, true>(syn, a) : masked_chunks<false, true>(syn, a);
            return a.uniform ? masked_chunks<true, false>(syn, a) : masked_chunks<false, false>(syn, a);
        } else if constexpr (clamped_kernel_of<Synapses>) {
            static_assert(Synapses::clamp_in_loop && Synapses::store_events, "the clamped kernel clamps in its loop");
            return clamped_step<Synapses, chunk, dense_input_of<Synapses>>(
                syn, clamped_args{a.n, a.v, a.ex, a.in, a.ref_end, a.bias, a.slot_th, a.add_ex, a.add_in, a.hits, a.now,
                                  a.th, a.tol, a.base_bias},
                a.uniform);
        } else {
            MEMSPIKE_STEP_VARIANTS(true)
        }
    }
    // step_chunks for lif_exp in AVX-512 intrinsics (decisions.md §42): the same loads, the same
    // step() (its expression on vectors of 8 doubles: the same IEEE operations in the same order,
    // no contraction) and the same stores and comparisons, but the events stay in mask registers
    // (a compare writes a mask; the quiescence test is one masked compare on the other), where
    // GCC's vectorised form of step_loop made 64-bit integer lanes out of each compare and OR-ed
    // them lane by lane: ~25 % of the loop's time (docs/benchmarks.md, CUBA session 8). A chunk's
    // masks are kept (two bytes per 8 slots) and only a chunk with an event lists its hits, in slot
    // order, as step_chunks does. The tail of the slots (n not a multiple of 8) is loaded and
    // stored under a lane mask; its masked-off lanes raise no event.
    /// masked_chunks' work on one vector of 8 slots from j, lanes `lane` only: the step, the stores,
    /// and the spike and quiescence masks. (A function, not a lambda: clang does not give a lambda
    /// its enclosing function's target, and refuses the intrinsics in it.) Synapses::step must
    /// have an overload on __m512d with the same target.
    template <bool uniform, bool slot_th>
    [[gnu::always_inline, gnu::target("avx512f")]] static inline void
    masked_lanes(const Synapses& syn, double* __restrict vs, double* __restrict exs, double* __restrict ins,
                 const double* __restrict biases, const double* __restrict ths, __m512d base, __m512d th, __m512d tol,
                 __m512d p_ex, __m512d p_in, __m512i magnitude, std::size_t j, __mmask8 lane, __mmask8& spiked,
                 __mmask8& quiet) {
        const __m512d v0 = _mm512_maskz_loadu_pd(lane, vs + j);
        const __m512d e0 = _mm512_maskz_loadu_pd(lane, exs + j);
        const __m512d g0 = _mm512_maskz_loadu_pd(lane, ins + j);
        const __m512d bias = uniform ? base : _mm512_maskz_loadu_pd(lane, biases + j);
        const __m512d stepped = syn.step(v0, e0, g0, bias);
        const __m512d e = _mm512_mul_pd(e0, p_ex), g = _mm512_mul_pd(g0, p_in);
        _mm512_mask_storeu_pd(vs + j, lane, stepped);
        _mm512_mask_storeu_pd(exs + j, lane, e);
        _mm512_mask_storeu_pd(ins + j, lane, g);
        const __m512d limit = slot_th ? _mm512_maskz_loadu_pd(lane, ths + j) : th;
        spiked = _mm512_mask_cmp_pd_mask(lane, stepped, limit, _CMP_GE_OQ);  // NaN (refractory): no
        const __m512d abs_e = _mm512_castsi512_pd(_mm512_and_si512(_mm512_castpd_si512(e), magnitude));
        const __m512d abs_g = _mm512_castsi512_pd(_mm512_and_si512(_mm512_castpd_si512(g), magnitude));
        quiet = _mm512_mask_cmp_pd_mask(_mm512_mask_cmp_pd_mask(lane, abs_e, tol, _CMP_LT_OQ), abs_g, tol, _CMP_LT_OQ);
    }
    template <bool uniform, bool slot_th>
    [[gnu::always_inline, gnu::target("avx512f")]] static inline std::size_t masked_chunks(const Synapses syn,
                                                                                          const kernel_args& a) {
        static_assert(!Synapses::clamp_in_loop, "the masked kernel does not clamp refractory slots");
        const __m512d th = _mm512_set1_pd(a.th), tol = _mm512_set1_pd(a.tol), base = _mm512_set1_pd(a.base_bias);
        const __m512d p_ex = _mm512_set1_pd(syn.p_ex), p_in = _mm512_set1_pd(syn.p_in);
        const __m512i magnitude = _mm512_set1_epi64(0x7fffffffffffffffLL);  // |x|: the sign bit cleared
        // The arrays in locals: an intrinsic store may alias anything, `a` included, and GCC would
        // reload every pointer from it after each store.
        double* __restrict const vs = a.v;
        double* __restrict const exs = a.ex;
        double* __restrict const ins = a.in;
        const double* __restrict const biases = a.bias;
        const double* __restrict const ths = a.slot_th;
        const auto lanes = [&](std::size_t j, __mmask8 lane, __mmask8& spiked, __mmask8& quiet)
                               __attribute__((always_inline, target("avx512f"))) {
            masked_lanes<uniform, slot_th>(syn, vs, exs, ins, biases, ths, base, th, tol, p_ex, p_in, magnitude, j, lane, spiked,
                                           quiet);
        };
        return lane_chunks<chunk>(lanes, a.n, a.hits);
    }
#endif
#undef MEMSPIKE_STEP_VARIANTS
#undef MEMSPIKE_STEP_VARIANTS_OF
#if !defined(__clang__)
#pragma GCC pop_options
#endif
};

} // namespace memspike::lif
