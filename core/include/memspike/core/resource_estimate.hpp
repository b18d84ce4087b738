// SPDX-License-Identifier: MIT
// What a scenario will cost before anything is built: neurons, synapses, memory (the build peak
// and the steady state), events, output size and run length, from the scenario alone, in
// microseconds to milliseconds whatever its size (no per-neuron or per-synapse loop; every count is
// a double, so 4e9 x 1e6 cannot wrap). `memspike validate`, `inspect` and `run` print it, and
// `run` and `inspect` refuse a scenario whose estimate exceeds the machine (check_resources)
// unless told to go ahead. How each figure is made, and how close it came on the examples:
// docs/resources.md.
//
// The memory model follows the build (core/src/connectivity/build.cpp, network_build.cpp):
//   build phase:  every synapse block with its weights (4 + 4 bytes per synapse) and its CSR
//                 offsets (8 bytes per (source, delay) of each target partition), plus a
//                 source-driven rule's temporary lists; then the homogeneous weights are freed
//                 and the per-source delay index is made;
//   steady state: the store, neuron state (model_info::bytes_per_neuron), input buffers,
//                 plasticity state and its reverse index (plasticity_info::state_bytes), the
//                 backend's own copy (backend_info::memory), stimuli, the recorder's buffers;
//   peak:         the larger of the two, plus what the backend holds only while it maps blocks.
// A constant process baseline (code, libraries, HDF5, thread stacks) is added to both.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "memspike/core/errors.hpp"
#include "memspike/core/spec.hpp"

namespace memspike {

class model_registry;

/// One line of the memory estimate [bytes].
struct memory_item {
    std::string what;          // "synapses", "neuron state", ...
    double steady_bytes = 0;   // held while the network runs
    double build_bytes = 0;    // held at the build peak (0: the item does not exist yet / any more)
};

/// One line of the output estimate [bytes, before compression].
struct output_item {
    std::string what;      // "traces", "spikes (poisson_source)", ...
    double bytes = 0;      // what the run writes for sure (deterministic amounts, known rates)
    double max_bytes = 0;  // at most (spikes of neurons whose rate is unknown at their maximum rate)
};

struct resource_estimate {
    double neurons = 0;
    double synapses = 0;           // expected (rules' expected_synapses; exact for deterministic rules)
    std::vector<std::string> unknown_synapses;  // projections whose rule gives no count (counted as 0)
    double partitions = 0;
    unsigned threads = 1;          // the scenario's, or the machine's cores when it says 0
    double ticks = 0;              // run length [ticks] = duration / resolution
    double duration_ms = 0;

    std::vector<memory_item> memory;
    double steady_bytes = 0;       // sum of the items' steady bytes
    double peak_bytes = 0;         // the largest moment: max(build, steady) + the backend's build extra
    double baseline_bytes = 0;     // the process itself, included in both sums
    /// What `memspike inspect`'s graph analysis (graph.cpp) adds to the running memory: the CSR
    /// graph of strong_components (4 bytes per synapse) and its per-neuron arrays.
    double analysis_bytes = 0;

    /// Events over the run. Spikes of neurons whose rate the scenario does not fix (model neurons)
    /// are bounded by one spike per neuron per refractory period (or per tick).
    double stimulus_events = 0;     // Poisson stimuli: rate x active time x targets (expected)
    double source_spikes = 0;       // sources of known rate or listed spike times (expected)
    double neuron_spikes_max = 0;   // the bound for the other neurons
    double synaptic_events = 0;     // source spikes x their mean out-degree (expected)
    double synaptic_events_max = 0; // all spikes at their bound x out-degree

    std::vector<output_item> output;
    double output_bytes = 0;       // what the run surely writes (uncompressed)
    double output_max_bytes = 0;   // at most (every recorded neuron at its maximum rate)
};

/// The estimate of a validated scenario (validate() in scenario.hpp). Reads no file except what a
/// connectivity rule's expected_synapses reads (explicit projection files).
resource_estimate estimate_resources(const scenario& sc, const model_registry& models);

/// A human-readable summary (a few lines), for `validate` and `inspect`.
std::string format_resource_estimate(const resource_estimate& e);

/// Bytes in binary units for messages: "1.5 GiB", "512 B".
std::string format_bytes(double bytes);

/// What this machine offers now.
struct host_resources {
    double memory_bytes = -1;   // available memory (< 0: unknown)
    std::string memory_source;  // where the figure came from ("MemAvailable in /proc/meminfo", "cgroup limit ...")
    double disk_bytes = -1;     // free space for an unprivileged writer at the output's directory (< 0: unknown / no output)
    std::string disk_path;      // that directory
};

/// Reads /proc/meminfo (MemAvailable) and the cgroup (v2 memory.max - memory.current, or v1
/// memory.limit_in_bytes - memory.usage_in_bytes), taking the smaller; and statvfs at the
/// directory of `output` (empty: no disk figure).
host_resources query_host_resources(const std::string& output);

/// A run refused because its estimate exceeds the machine; the message gives both numbers and
/// how to force it.
struct resource_error : error {
    using error::error;
};

/// Throws resource_error when the estimated peak memory exceeds host.memory_bytes, or the output
/// the run surely writes exceeds host.disk_bytes (unknown figures are not checked). `override_hint`
/// ends the message: how to run anyway ("pass --ignore-resource-limits to run anyway").
void check_resources(const resource_estimate& e, const host_resources& host, const std::string& override_hint);

/// The same check for a sweep (memspike.sweep): `points` run `concurrent` at a time in one process,
/// and every point's recorded output stays in memory until the sweep returns. The memory needed is
/// the process baseline once, plus the `concurrent` largest (peak - baseline) of the points, plus
/// the output every point surely writes. Throws resource_error naming the point count, the
/// concurrency, each figure and the available memory; nothing when the memory is unknown.
void check_sweep_resources(const std::vector<resource_estimate>& points, unsigned concurrent, const host_resources& host,
                           const std::string& override_hint);

} // namespace memspike
