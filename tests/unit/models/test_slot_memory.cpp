// SPDX-License-Identifier: MIT
// The huge-page chunks of the active set's slot arrays (models/neurons/slot_memory.hpp).
#include <catch2/catch.hpp>

#include <cerrno>
#include <cstdint>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

#include "neurons/slot_memory.hpp"

using namespace memspike::lif;

namespace {
std::uintptr_t chunk_of(const void* p) { return reinterpret_cast<std::uintptr_t>(p) & ~(slot_chunk_bytes - 1); }
/// Whether the page at `a` is mapped: mincore() fails with ENOMEM on an unmapped range.
bool mapped(std::uintptr_t a) {
    unsigned char resident = 0;
    return mincore(reinterpret_cast<void*>(a), static_cast<std::size_t>(sysconf(_SC_PAGESIZE)), &resident) == 0 || errno != ENOMEM;
}
} // namespace

// Catches a bump pointer that hands out overlapping or misaligned arrays (a size not rounded to
// the line, the header not skipped, a chunk's end overrun), and arrays of a page or more that do
// not come from the chunks.
TEST_CASE("slot memory: aligned, disjoint arrays, a page or more from the 2 MiB chunks", "[slot_memory]") {
    struct array {
        std::uint64_t* p;
        std::size_t bytes;
    };
    std::vector<array> arrays;
    // 3,200 doubles (CUBA's E partition), odd sizes that are not multiples of a line, small ones
    // from operator new, and enough of them to fill several chunks.
    const std::size_t sizes[] = {25600, 4104, 8, 4096, 32768, 6400, 4095, 12345 * 8};
    for (int round = 0; round < 40; ++round)
        for (const std::size_t bytes : sizes) arrays.push_back({static_cast<std::uint64_t*>(slot_memory_allocate(bytes)), bytes});
    std::vector<std::uintptr_t> chunks;
    for (std::size_t k = 0; k < arrays.size(); ++k) {
        const array& a = arrays[k];
        REQUIRE(reinterpret_cast<std::uintptr_t>(a.p) % 64 == 0);
        if (slot_pool_enabled && a.bytes >= slot_pool_min_bytes) {
            const std::uintptr_t offset = reinterpret_cast<std::uintptr_t>(a.p) - chunk_of(a.p);
            REQUIRE(offset >= slot_chunk_header);
            REQUIRE(offset + a.bytes <= slot_chunk_bytes);
            if (chunks.empty() || chunks.back() != chunk_of(a.p)) chunks.push_back(chunk_of(a.p));
        }
        for (std::size_t w = 0; w < a.bytes / 8; ++w) a.p[w] = (k << 32) | w;
    }
    REQUIRE(chunks.size() >= (slot_pool_enabled ? 3 : 0));  // 40 rounds of ~95 KB: the chunks were changed
    for (std::size_t k = 0; k < arrays.size(); ++k)
        for (std::size_t w = 0; w < arrays[k].bytes / 8; ++w) REQUIRE(arrays[k].p[w] == ((k << 32) | w));
    for (const array& a : arrays) slot_memory_free(a.p, a.bytes);
    // Every chunk this test opened and filled (not the first, which may hold arrays from before
    // the test, nor the last, still being filled) was unmapped with its last array: a pool that
    // never gave chunks back would grow with every network built.
    for (std::size_t c = 1; c + 1 < chunks.size(); ++c) REQUIRE_FALSE(mapped(chunks[c]));
}

// Catches a chunk unmapped or started over while an array in it is alive (a wrong live count).
TEST_CASE("slot memory: a chunk lives while any of its arrays does", "[slot_memory]") {
    auto* keep = static_cast<double*>(slot_memory_allocate(32768));
    for (std::size_t w = 0; w < 4096; ++w) keep[w] = static_cast<double>(w);
    auto disjoint = [&](const void* p) {
        const auto* q = static_cast<const char*>(p);
        const auto* k = reinterpret_cast<const char*>(keep);
        return q + 32768 <= k || k + 32768 <= q;
    };
    // An array beside it in the same chunk, freed: the chunk is not empty, its next array must
    // not be placed over `keep`.
    void* beside = slot_memory_allocate(32768);
    slot_memory_free(beside, 32768);
    void* next = slot_memory_allocate(32768);
    REQUIRE(disjoint(next));
    // Chunks filled and emptied after it: `keep`'s chunk stays mapped and its values intact.
    std::vector<void*> others;
    for (int k = 0; k < 200; ++k) others.push_back(slot_memory_allocate(32768));  // 6.4 MB: new chunks
    for (void* p : others) slot_memory_free(p, 32768);
    slot_memory_free(next, 32768);
    if (slot_pool_enabled) REQUIRE(mapped(chunk_of(keep)));
    for (std::size_t w = 0; w < 4096; ++w) REQUIRE(keep[w] == static_cast<double>(w));
    slot_memory_free(keep, 32768);
}
