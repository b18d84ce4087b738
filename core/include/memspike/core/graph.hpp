// SPDX-License-Identifier: MIT
// Graph analysis of a built network with Boost.Graph (kept out of this header): degree statistics,
// connected components, and memory estimates, for `memspike inspect`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "memspike/core/spec.hpp"
#include "memspike/core/synapses.hpp"

namespace memspike {

struct degree_stats {
    double mean = 0, sd = 0;
    std::uint64_t min = 0, max = 0;
};

struct projection_report {
    std::string name, source, target, rule;
    std::uint64_t synapses = 0;
    degree_stats in_degree, out_degree;   // over target / source neurons of this projection
    std::int32_t delay_min_ticks = 0, delay_max_ticks = 0;
};

struct graph_report {
    std::uint64_t neurons = 0, synapses = 0;
    std::vector<projection_report> projections;
    degree_stats in_degree, out_degree;    // whole network
    /// Weakly connected components (edge direction ignored) and the size of the largest.
    std::uint64_t components = 0, largest_component = 0;
    /// Strongly connected components (directed) and the size of the largest.
    std::uint64_t strong_components = 0, largest_strong_component = 0;
    std::uint64_t synapse_bytes = 0;       // measured from the built store
    std::uint64_t estimated_state_bytes = 0;
    double bytes_per_synapse = 0;
};

/// Analyses the built synapse store. Components use Boost.Graph on a compressed-sparse-row graph.
graph_report analyze_graph(const scenario& sc, const synapse_store& store);

/// Human-readable multi-line report.
std::string format_graph_report(const graph_report& r);

} // namespace memspike
