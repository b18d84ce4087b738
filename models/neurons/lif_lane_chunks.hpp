// SPDX-License-Identifier: MIT
// The chunk loop of the AVX-512 step kernels that keep their events in mask registers: the masked
// kernel (lif_step_kernels.hpp, step_kernels::masked_chunks) and the clamped one
// (lif_clamped_kernel.hpp, clamped_chunks). They differ only in what one vector of 8 slots does;
// the walk over the chunks, the tail under lane masks and the listing of the hits are this one
// function (decisions.md §54: the compiled kernels are the same instructions as before).
#pragma once

#if defined(__x86_64__)
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace memspike::lif {

/// Every chunk of `chunk` slots of n (whole chunks unrolled, the tail under lane masks):
/// `lanes(j, lane, spiked, quiet)` steps the vector of 8 slots from j, lanes `lane` only, and sets
/// its spike and quiescence masks; only a chunk with an event lists its hits, in slot order, as
/// (slot << 2) | 1 spiked | 2 quiescent into out. Returns the number listed. `lanes` is a lambda
/// declared always_inline and target("avx512f") (clang gives a lambda no target of its own).
template <std::size_t chunk, class Lanes>
[[gnu::always_inline, gnu::target("avx512f")]] inline std::size_t lane_chunks(const Lanes& lanes, std::size_t n,
                                                                            std::uint32_t* __restrict out) {
    static_assert(chunk % 8 == 0, "a chunk is whole vectors of 8 slots");
    constexpr std::size_t vectors = chunk / 8;
    std::size_t hits = 0;
    for (std::size_t c = 0; c < n; c += chunk) {
        __mmask8 spiked[vectors], quiet[vectors];
        unsigned any = 0;
        const std::size_t m = c + chunk <= n ? chunk : n - c;
        if (m == chunk) {  // whole chunks: a constant trip count, unrolled
#pragma GCC unroll 8
            for (std::size_t q = 0; q < vectors; ++q) {
                lanes(c + 8 * q, 0xff, spiked[q], quiet[q]);
                any |= spiked[q] | quiet[q];
            }
        } else {
            for (std::size_t q = 0; q < vectors; ++q) {
                const std::size_t left = m > 8 * q ? m - 8 * q : 0;
                const auto lane = static_cast<__mmask8>(left >= 8 ? 0xff : (1U << left) - 1U);
                spiked[q] = quiet[q] = 0;
                if (lane != 0) lanes(c + 8 * q, lane, spiked[q], quiet[q]);
                any |= spiked[q] | quiet[q];
            }
        }
        if (any == 0) continue;
        for (std::size_t q = 0; q < vectors; ++q)
            for (unsigned bits = spiked[q] | quiet[q]; bits != 0; bits &= bits - 1) {
                const unsigned l = static_cast<unsigned>(__builtin_ctz(bits));
                const std::uint32_t ev = ((spiked[q] >> l) & 1U) | (((quiet[q] >> l) & 1U) << 1);
                out[hits++] = static_cast<std::uint32_t>((c + 8 * q + l) << 2) | ev;
            }
    }
    return hits;
}

} // namespace memspike::lif
#endif
