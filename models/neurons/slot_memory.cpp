// SPDX-License-Identifier: MIT
// The huge-page chunks of slot_memory.hpp: a bump allocator per chunk with a count of its live
// arrays. Slot arrays are reserved once, at their group's full size (lif_active.hpp), so a
// chunk's freed space need not be reused before the whole chunk is free; then it is unmapped (or,
// the chunk being filled, started over).
#include "neurons/slot_memory.hpp"

#include <cstdint>
#include <mutex>
#include <new>

#include <sys/mman.h>

namespace memspike::lif {
namespace {

struct chunk_header {
    std::size_t live;  // arrays allocated from the chunk and not yet freed
    std::size_t used;  // bytes handed out, the header included
};
static_assert(sizeof(chunk_header) <= slot_chunk_header);

constexpr std::size_t line = 64;
constexpr std::align_val_t line_alignment{line};

std::size_t round_to_line(std::size_t bytes) { return (bytes + line - 1) / line * line; }
bool from_new(std::size_t bytes) {
    return !slot_pool_enabled || bytes < slot_pool_min_bytes || bytes > slot_chunk_bytes - slot_chunk_header;
}

std::mutex pool_mutex;
chunk_header* current = nullptr;  // the chunk being filled (guarded by pool_mutex)

/// A fresh chunk on a 2 MiB boundary, advised MADV_HUGEPAGE before its first touch (mmap twice
/// the size and trim: mmap only promises page alignment). Where THP is off the advice is
/// ignored and the chunk is ordinary pages.
chunk_header* map_chunk() {
    void* m = mmap(nullptr, 2 * slot_chunk_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) throw std::bad_alloc();
    const auto first = reinterpret_cast<std::uintptr_t>(m), last = first + 2 * slot_chunk_bytes;
    const std::uintptr_t lo = (first + slot_chunk_bytes - 1) & ~(slot_chunk_bytes - 1), hi = lo + slot_chunk_bytes;
    if (lo > first) munmap(m, lo - first);
    if (last > hi) munmap(reinterpret_cast<void*>(hi), last - hi);
    madvise(reinterpret_cast<void*>(lo), slot_chunk_bytes, MADV_HUGEPAGE);
    auto* c = reinterpret_cast<chunk_header*>(lo);
    c->live = 0;
    c->used = slot_chunk_header;
    return c;
}

} // namespace

void* slot_memory_allocate(std::size_t bytes) {
    const std::size_t size = round_to_line(bytes);
    if (from_new(size)) return ::operator new(size, line_alignment);
    const std::lock_guard<std::mutex> lock(pool_mutex);
    if (current == nullptr || current->used + size > slot_chunk_bytes) {
        chunk_header* fresh = map_chunk();
        // The chunk being left is unmapped by its last array's free; one without arrays now.
        if (current != nullptr && current->live == 0) munmap(current, slot_chunk_bytes);
        current = fresh;
    }
    void* p = reinterpret_cast<char*>(current) + current->used;
    current->used += size;
    ++current->live;
    return p;
}

void slot_memory_free(void* p, std::size_t bytes) noexcept {
    if (p == nullptr) return;
    const std::size_t size = round_to_line(bytes);
    if (from_new(size)) {
        ::operator delete(p, line_alignment);
        return;
    }
    const std::lock_guard<std::mutex> lock(pool_mutex);
    auto* c = reinterpret_cast<chunk_header*>(reinterpret_cast<std::uintptr_t>(p) & ~(slot_chunk_bytes - 1));
    if (--c->live != 0) return;
    if (c == current)
        c->used = slot_chunk_header;  // empty again: filled from the start
    else
        munmap(c, slot_chunk_bytes);
}

} // namespace memspike::lif
