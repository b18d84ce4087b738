// SPDX-License-Identifier: MIT
// The names of the HDF5 result layout (docs/hdf5-schema.md), in one place: the writer
// (core/src/hdf5/writer.cpp), the reader (read_energy_ledger, core/src/hdf5/reader.cpp) and the
// Python face (the dict that memspike.results reads, in the file's layout) spell every group,
// dataset and attribute through these constants, so a renamed entry is renamed everywhere or nowhere.
// No HDF5 header is pulled in: these are plain names.
#pragma once

#include <string>

namespace memspike::hdf5_layout {

/// Bumped when a reader of the previous version would misread the file (docs/hdf5-schema.md).
inline constexpr int schema_version = 1;

// Root attributes: provenance (written at open) and completion (written at close).
inline constexpr const char* attr_memspike_version = "memspike_version";
inline constexpr const char* attr_schema_version = "schema_version";
inline constexpr const char* attr_scenario_file = "scenario_file";
inline constexpr const char* attr_scenario = "scenario";
inline constexpr const char* attr_scenario_overrides = "scenario_overrides";  // TOML text, see the schema
inline constexpr const char* attr_seed = "seed";
inline constexpr const char* attr_resolution_ms = "resolution_ms";
inline constexpr const char* attr_duration_ms = "duration_ms";
inline constexpr const char* attr_threads = "threads";
inline constexpr const char* attr_backend = "backend";
/// Prefix of the backend's parameters: root attributes "backend.<name>".
inline constexpr const char* attr_backend_param_prefix = "backend.";
inline constexpr const char* attr_command_line = "command_line";
inline constexpr const char* attr_created = "created";
inline constexpr const char* attr_complete = "complete";
inline constexpr const char* attr_wall_time_s = "wall_time_s";
inline constexpr const char* attr_ticks_simulated = "ticks_simulated";
inline constexpr const char* attr_simulated_ms = "simulated_ms";

// Top-level groups.
inline constexpr const char* group_spikes = "spikes";
inline constexpr const char* group_traces = "traces";
inline constexpr const char* group_weights = "weights";
inline constexpr const char* group_energy = "energy";
/// /parameters/<population>/<name>: per-neuron parameter values, float64 [size], attr unit.
inline constexpr const char* group_parameters = "parameters";
/// /energy/models/<model>: the totals of one energy model for the whole run.
inline constexpr const char* group_energy_models = "models";
/// /energy/chips/<chip>: one chip architecture's pricing of the run (docs/chips.md).
inline constexpr const char* group_energy_chips = "chips";

// Datasets (each under the group named in the comment).
inline constexpr const char* dataset_ids = "ids";              // /spikes/<population>
inline constexpr const char* dataset_ticks = "ticks";          // every growing group: one tick per row
inline constexpr const char* dataset_neurons = "neurons";      // /traces/<population>/<variable>
inline constexpr const char* dataset_values = "values";        // traces and weights: [rows, columns]
inline constexpr const char* dataset_sources = "sources";      // /weights/<projection>
inline constexpr const char* dataset_targets = "targets";      // /weights/<projection>
inline constexpr const char* dataset_delays = "delays";        // /weights/<projection>
inline constexpr const char* dataset_counts = "counts";        // /energy: [bins, categories]

// Attributes of groups and datasets.
inline constexpr const char* attr_size = "size";                      // /spikes/<population>
inline constexpr const char* attr_unit = "unit";                      // traces, weights, every ticks dataset
inline constexpr const char* unit_tick = "tick";                      // the value of a ticks dataset's unit
inline constexpr const char* attr_interval_ticks = "interval_ticks";  // /traces/<population>/<variable>
inline constexpr const char* attr_weight_updates = "weight_updates";  // /weights/<projection>: plasticity counters
inline constexpr const char* attr_trace_updates = "trace_updates";
inline constexpr const char* attr_hits_min = "hits_min";
inline constexpr const char* attr_hits_max = "hits_max";
inline constexpr const char* attr_categories = "categories";  // /energy: comma-separated column names
inline constexpr const char* attr_bin_ticks = "bin_ticks";
inline constexpr const char* attr_neurons = "neurons";  // /energy: the network profile of the dense baselines
inline constexpr const char* attr_synapses = "synapses";
inline constexpr const char* attr_dense_weights = "dense_weights";
inline constexpr const char* attr_inference_ms = "inference_ms";  // /energy, optional
inline constexpr const char* attr_total_j = "total_j";            // /energy/models/<model>
inline constexpr const char* attr_compute_j = "compute_j";
inline constexpr const char* attr_memory_j = "memory_j";
inline constexpr const char* attr_idle_j = "idle_j";
inline constexpr const char* attr_preset = "preset";
inline constexpr const char* attr_description = "description";  // /energy/chips/<chip>: the chip file's text
inline constexpr const char* attr_not_priced = "not_priced";      // /energy/chips: "chip: reason" per line

/// The absolute path of a link: path("spikes", "exc", "ids") == "/spikes/exc/ids".
template <class... Parts>
std::string path(const Parts&... parts) {
    std::string out;
    ((out += '/', out += parts), ...);
    return out;
}

} // namespace memspike::hdf5_layout
