// SPDX-License-Identifier: MIT
// Generation of synapses from projection rules, in parallel (oneTBB) and deterministic for a seed,
// whatever the thread count: every random choice comes from a stream keyed by (seed, projection,
// neuron), never by thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "memspike/core/model.hpp"
#include "memspike/core/spec.hpp"
#include "memspike/core/synapses.hpp"

namespace memspike {

/// The connectivity rules (projection_spec::rule), in the order of the docs.
const std::vector<std::string>& connectivity_rule_names();

/// How populations are cut into partitions: contiguous slices of at most `max_partition_size`
/// neurons (the same cut for every thread count, so results cannot depend on it).
std::vector<partition_range> make_partitions(const scenario& sc, std::uint64_t max_partition_size = 4096);

/// Builds every projection of a validated scenario (validate() in scenario.hpp: references, rule
/// parameters, constant weights and delays) into the store. Resolution and seed come from
/// sc.simulation. Checks what only building can see (throwing scenario_error located at the
/// projection's key): drawn weights and delays (finite, >= 1 tick), explicit CSV files readable
/// and in range.
synapse_store build_synapses(const scenario& sc, const model_registry& models,
                             const std::vector<partition_range>& partitions);

/// Global neuron id of the first neuron of each population (populations are concatenated in
/// scenario order); one extra entry holds the total.
std::vector<std::uint64_t> population_offsets(const scenario& sc);

} // namespace memspike
