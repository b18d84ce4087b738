// SPDX-License-Identifier: MIT
// The HDF5 recorder (schema: docs/hdf5-schema.md). No HDF5 header is pulled in here.
//
// Life cycle: open() creates the file and writes the provenance with complete = false; spikes and
// trace samples are appended while running (chunked, compressed datasets, flushed to disk at every
// flush() so that a killed run still leaves a readable file); close(true) writes the final
// attributes and sets complete = true. close(false) (interrupted run) leaves complete = false.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "memspike/core/spec.hpp"
#include "memspike/core/time.hpp"

namespace memspike {

/// Provenance written as root attributes at open().
struct run_info {
    std::string memspike_version;
    std::string scenario_file;
    std::string scenario_text;
    /// scenario::overrides: written as the root attribute scenario_overrides (docs/hdf5-schema.md).
    std::vector<std::pair<std::string, std::string>> scenario_overrides;
    std::uint64_t seed = 0;
    double resolution_ms = 0.1;
    double duration_ms = 0.0;
    unsigned threads = 1;
    std::string backend = "digital";
    /// The backend's completed parameters (internal units), written as root attributes
    /// "backend.<name>": what the run really used, --set overrides included.
    std::map<std::string, double> backend_params;
    std::string command_line;
    /// Model time of one inference ([recording] inference) in ms; written as /energy's
    /// inference_ms attribute when > 0 (0: the scenario defines none).
    double inference_ms = 0.0;
    /// Per-neuron parameter values (population_spec::per_neuron), resolved (drawn ones drawn):
    /// written as /parameters/<population>/<name> (docs/hdf5-schema.md), so a file says what ran
    /// even when the values came from a file that may change.
    struct neuron_parameter {
        std::string population, name, unit;
        std::vector<double> values;
    };
    std::vector<neuron_parameter> neuron_params;

    /// The provenance of a run of `sc` on `threads` threads started by `command_line`.
    static run_info of(const scenario& sc, unsigned threads, std::string command_line);
};

class recorder {
public:
    /// Checks that `path` can become a run's output, before anything is built or written: it is
    /// not a directory, a device or the scenario file `scenario_file` (may be empty), its
    /// directory exists and is writable, and it does not exist yet unless `overwrite`. Throws
    /// io_error naming the path and what to do.
    static void check_output_path(const std::string& path, const std::string& scenario_file, bool overwrite);
    /// The HDF5 recorder of one run, written crash-safely: the file is created as
    /// `<path>.partial-<pid>` beside `path` and renamed onto `path` when it is closed (finished or
    /// stopped), so `path` only ever holds the previous file or a closed, readable new one. A
    /// failure while creating it removes the partial file. Throws io_error naming the path on
    /// failure and for anything check_output_path refuses (info.scenario_file is the scenario).
    static std::unique_ptr<recorder> open_hdf5(const std::string& path, const run_info& info, bool overwrite = false);
    virtual ~recorder() = default;

    /// Declares /spikes/<name>/{ids,ticks}; returns the handle used by append_spikes.
    virtual std::size_t add_spike_population(const std::string& name, std::uint64_t size) = 0;
    /// Appends spikes (population-local ids and ticks, same length; ticks non-decreasing across calls).
    virtual void append_spikes(std::size_t population, std::span<const std::uint32_t> ids,
                               std::span<const tick_t> ticks) = 0;

    /// Declares /traces/<population>/<variable> sampled at `neurons` every `interval_ticks`;
    /// returns the handle used by append_trace.
    virtual std::size_t add_trace(const std::string& population, const std::string& variable,
                                  const std::string& unit, std::span<const std::uint64_t> neurons,
                                  tick_t interval_ticks) = 0;
    /// Appends one sample row (one value per neuron, in the order given to add_trace) at tick t.
    virtual void append_trace(std::size_t trace, tick_t t, std::span<const double> values) = 0;

    /// Declares /weights/<projection>: the synapses (population-local sources and targets, delays
    /// in ticks) once, then snapshots appended by append_weights. Recorders that keep no weights
    /// may ignore this (the default): simulation::synapses_of gives the current weights.
    virtual std::size_t add_weights(const std::string& projection, const std::string& unit,
                                    std::span<const std::uint32_t> sources, std::span<const std::uint32_t> targets,
                                    std::span<const std::int32_t> delays) {
        return 0;
    }
    /// Appends one snapshot (one weight per synapse, in the order of add_weights) at tick t.
    virtual void append_weights(std::size_t handle, tick_t t, std::span<const float> weights) {}
    /// Plasticity counters of the projection (attributes of /weights/<projection>).
    virtual void set_weight_counters(std::size_t handle, std::uint64_t weight_updates, std::uint64_t trace_updates,
                                     std::uint64_t hits_min, std::uint64_t hits_max) {}

    /// Declares /energy: event counts per time bin (one column per name in `categories`) and the
    /// network profile a dense baseline is costed on. Default: ignored.
    virtual void add_energy(std::span<const std::string_view> categories, std::uint64_t neurons, std::uint64_t synapses,
                            std::uint64_t dense_weights, tick_t bin_ticks) {}
    /// Appends the counts of the bin that ends at tick `end` (exclusive).
    virtual void append_energy(tick_t end, std::span<const std::uint64_t> counts) {}
    /// Stores the totals of one energy model for the whole run, and the preset text it was
    /// computed from (provenance), as /energy/models/<name>. Energies in J.
    virtual void add_energy_total(const std::string& model, const std::string& preset_text, double total_j, double compute_j,
                                  double memory_j, double idle_j) {}

    /// Stores one chip architecture's pricing of the run as /energy/chips/<chip>: `figures` as
    /// float64 attributes (chip_figures: J, mW, us, s, counts) and the chip file's text
    /// (provenance). `not_priced` (once, with the first chip or alone): the chips that give no
    /// number, "chip: reason" per line. Default: ignored.
    virtual void add_chip_total(const std::string& chip, const std::string& description_text,
                                std::span<const std::pair<std::string, double>> figures) {}
    virtual void set_chips_not_priced(const std::string& not_priced) {}

    /// Writes buffered data and flushes the file, so that what was appended survives a crash.
    virtual void flush() = 0;

    /// Final attributes: wall time, simulated ticks reached, and complete. Idempotent.
    virtual void close(bool complete, double wall_seconds, tick_t ticks_simulated) = 0;
};

} // namespace memspike
