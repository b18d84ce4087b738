// SPDX-License-Identifier: MIT
// Memory for the active set's slot arrays (lif_active.hpp): 64-byte aligned, and, from a page up,
// carved out of shared 2 MiB chunks that the kernel is asked to back with transparent huge pages.
//
// Why (docs/decisions.md §47): CUBA's step loop streams V and both currents of ~4,000 slots
// (94 KB, more than L1) every tick. On 4 KiB pages the same binary ran that loop in 0.077-0.084 s
// in some processes and in 0.110-0.153 s in others (5 s of CUBA), at the same virtual addresses
// and with the pages scattered over 7-29 physical 2 MiB frames, different in every process; in
// one 2 MiB page the slow mode did not occur in 28 processes of 28. The mechanism (the physical
// placement in a cache or a TLB of this VM's host) was not identified: a count of pages per L2
// colour did not explain it.
#pragma once

#include <cstddef>
#include <vector>

namespace memspike::lif {

/// `bytes` of memory on a 64-byte boundary. Below `slot_pool_min_bytes` from operator new;
/// from it up, out of a 2 MiB chunk advised MADV_HUGEPAGE (shared by every slot array of the
/// process, so the waste is at most one chunk). Thread-safe. Throws std::bad_alloc.
void* slot_memory_allocate(std::size_t bytes);
/// Frees what slot_memory_allocate(bytes) returned, with the same `bytes`. A chunk is unmapped
/// when its last array is freed.
void slot_memory_free(void* p, std::size_t bytes) noexcept;

/// Whether the chunks are used at all: not under AddressSanitizer, whose redzones around each
/// operator new block catch a slot index out of range, where a chunk would hide it.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool slot_pool_enabled = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool slot_pool_enabled = false;
#else
inline constexpr bool slot_pool_enabled = true;
#endif
#else
inline constexpr bool slot_pool_enabled = true;
#endif

/// Arrays from this size up come from the huge-page chunks: a smaller array spans at most two
/// pages and meets the colour question hardly at all.
inline constexpr std::size_t slot_pool_min_bytes = 4096;
/// The chunk size (one transparent huge page on x86-64) and the bytes at its start kept for
/// its bookkeeping. An array that does not fit in what is left of the current chunk opens a new
/// one; an array larger than a whole chunk (never a slot array: at most 4,096 slots of 8 bytes)
/// is taken from operator new.
inline constexpr std::size_t slot_chunk_bytes = std::size_t{2} << 20;
inline constexpr std::size_t slot_chunk_header = 64;

/// Allocates on a 64-byte boundary (a cache line, one AVX-512 vector). The step loop's chunks
/// start at multiples of 64 slots, so with these arrays no vector load or store of the loop
/// straddles two cache lines; from malloc (16-byte aligned) three in four did, and a split
/// 512-bit store costs about two (docs/benchmarks.md, CUBA session 8). Arrays of a page or more
/// come from huge-page chunks (above): on scattered 4 KiB pages the step loop ran 30-90 % slower
/// in some processes than in others (decisions.md §47).
template <class T>
struct cache_aligned_allocator {
    using value_type = T;
    cache_aligned_allocator() = default;
    template <class U>
    cache_aligned_allocator(const cache_aligned_allocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return static_cast<T*>(slot_memory_allocate(n * sizeof(T))); }
    void deallocate(T* p, std::size_t n) noexcept { slot_memory_free(p, n * sizeof(T)); }
    friend bool operator==(const cache_aligned_allocator&, const cache_aligned_allocator&) { return true; }
};
/// A per-slot array of the active set.
using slot_array = std::vector<double, cache_aligned_allocator<double>>;

} // namespace memspike::lif
