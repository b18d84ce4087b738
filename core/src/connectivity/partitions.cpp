// SPDX-License-Identifier: MIT
// Partitions of the populations and the global numbering of neurons (connectivity.hpp).
#include "memspike/core/errors.hpp"
#include "plan.hpp"

namespace memspike {

using connectivity_detail::max_u32;

std::vector<partition_range> make_partitions(const scenario& sc, std::uint64_t max_partition_size) {
    if (max_partition_size == 0 || max_partition_size > max_u32 + 1)
        throw error("max_partition_size = " + std::to_string(max_partition_size) +
                    " is invalid (must lie in [1, 2^32])");
    std::vector<partition_range> parts;
    for (std::uint32_t pop = 0; pop < sc.populations.size(); ++pop) {
        const std::uint64_t n = sc.populations[pop].size;
        const std::uint64_t slices = (n + max_partition_size - 1) / max_partition_size;
        std::uint64_t first = 0;
        for (std::uint64_t i = 0; i < slices; ++i) {
            // The first n % slices slices get one neuron more: sizes differ by at most one.
            const std::uint64_t count = n / slices + (i < n % slices ? 1 : 0);
            parts.push_back({pop, first, count});
            first += count;
        }
    }
    return parts;
}

std::vector<std::uint64_t> population_offsets(const scenario& sc) {
    std::vector<std::uint64_t> off(sc.populations.size() + 1, 0);
    for (std::size_t i = 0; i < sc.populations.size(); ++i) off[i + 1] = off[i] + sc.populations[i].size;
    return off;
}
}  // namespace memspike
