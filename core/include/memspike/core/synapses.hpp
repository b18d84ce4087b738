// SPDX-License-Identifier: MIT
// Static synapse storage: for each projection and each target partition, a CSR by source neuron,
// grouped by delay, so one (source, delay) pair is one contiguous range of (target, weight)
// that delivery streams through (DESIGN.md §2). A static synapse costs 8 bytes (4-byte target,
// 4-byte weight); delays cost nothing per synapse.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "memspike/core/time.hpp"

namespace memspike {

/// The synapses of one projection whose targets lie in one partition.
struct synapse_block {
    std::uint32_t projection = 0;      // index in scenario::projections
    std::uint32_t source_population = 0;
    std::uint32_t port = 0;            // receptor port of the target model
    std::uint64_t source_count = 0;    // neurons in the source population
    std::int32_t delay_min = 1;        // ticks
    std::int32_t delay_count = 1;      // delays delay_min .. delay_min + delay_count - 1
    /// Range of (source s, delay d) is [offsets[k], offsets[k + 1]) with
    /// k = s * delay_count + (d - delay_min); size source_count * delay_count + 1.
    std::vector<std::uint64_t> offsets;
    std::vector<std::uint32_t> targets;  // partition-local target index
    /// Unit of the target port. Empty when every synapse of the block has the same weight
    /// (`homogeneous`, as NEST's static_synapse_hom_w): then a static synapse costs 4 bytes and
    /// delivery does not load a weight per event.
    std::vector<float> weights;
    bool homogeneous = false;
    float weight_value = 0.0f;           // the common weight when homogeneous

    std::size_t size() const { return targets.size(); }
    float weight(std::size_t j) const { return homogeneous ? weight_value : weights[j]; }
    std::size_t memory_bytes() const {
        return offsets.capacity() * sizeof(std::uint64_t) + targets.capacity() * sizeof(std::uint32_t) +
               weights.capacity() * sizeof(float);
    }
};

/// A contiguous slice [first, first + count) of one population; the unit of parallel work.
struct partition_range {
    std::uint32_t population = 0;
    std::uint64_t first = 0;
    std::uint64_t count = 0;
};

/// The synapse store of a whole network.
struct synapse_store {
    std::vector<partition_range> partitions;
    /// blocks[p]: the blocks whose targets lie in partition p.
    std::vector<std::vector<synapse_block>> blocks;
    /// Distinct outgoing delays (ticks) of every source neuron, CSR over global neuron ids:
    /// delays of neuron g are source_delays[source_delay_offsets[g] .. source_delay_offsets[g+1]).
    std::vector<std::uint64_t> source_delay_offsets;
    std::vector<std::int32_t> source_delays;
    std::int32_t max_delay = 1;

    std::uint64_t synapse_count() const;
    std::size_t memory_bytes() const;
};

} // namespace memspike
