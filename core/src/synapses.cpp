// SPDX-License-Identifier: MIT
#include "memspike/core/synapses.hpp"

namespace memspike {

std::uint64_t synapse_store::synapse_count() const {
    std::uint64_t n = 0;
    for (const auto& part : blocks)
        for (const auto& b : part) n += b.size();
    return n;
}

std::size_t synapse_store::memory_bytes() const {
    // Everything the store holds on the heap: the blocks' CSR arrays, their bookkeeping, and the
    // per-source delay index used by spike delivery.
    std::size_t bytes = sizeof(*this) + partitions.capacity() * sizeof(partition_range) +
                        blocks.capacity() * sizeof(std::vector<synapse_block>) +
                        source_delay_offsets.capacity() * sizeof(std::uint64_t) +
                        source_delays.capacity() * sizeof(std::int32_t);
    for (const auto& part : blocks) {
        bytes += part.capacity() * sizeof(synapse_block);
        for (const auto& b : part) bytes += b.memory_bytes();
    }
    return bytes;
}

}  // namespace memspike
