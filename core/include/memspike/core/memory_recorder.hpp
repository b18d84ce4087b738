// SPDX-License-Identifier: MIT
// Recorders used by the Python module: one that keeps everything in memory (so `Simulation.run()`
// without an output file still gives traces and a Result), and a fan-out to two recorders (memory
// and HDF5, so a run with `output=` keeps the in-memory result complete as well).
//
// The layout of run_data mirrors the HDF5 schema (docs/hdf5-schema.md) one to one, so a Result
// built from memory and one loaded from a file compare equal.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "memspike/core/recorder.hpp"
#include "memspike/core/time.hpp"

namespace memspike::python {

/// /spikes/<name>: population-local ids and ticks, in the order the simulation emitted them.
struct spike_data {
    std::string name;
    std::uint64_t size = 0;
    std::vector<std::uint32_t> ids;
    std::vector<tick_t> ticks;
};

/// /traces/<population>/<variable>: values[i * neurons.size() + j] is neurons[j] at ticks[i].
struct trace_data {
    std::string population, variable, unit;
    std::vector<std::uint64_t> neurons;
    tick_t interval_ticks = 1;
    std::vector<tick_t> ticks;
    std::vector<double> values;
};

/// /energy: the ledger's counts per time bin and the network profile the dense baselines are
/// costed on. counts[b * categories.size() + c] is category c in the bin that ends (exclusive)
/// at ticks[b].
struct energy_data {
    bool declared = false;  // false: the scenario records no ledger ([recording] energy_bin = 0)
    std::vector<std::string> categories;
    std::uint64_t neurons = 0, synapses = 0, dense_weights = 0;
    tick_t bin_ticks = 0;
    std::vector<tick_t> ticks;
    std::vector<std::uint64_t> counts;
};

/// Everything a run recorded, with the provenance and the completion attributes of the file.
struct run_data {
    run_info info;
    bool complete = false;       // the latest run reached its end (not stopped)
    double wall_time_s = 0.0;    // summed over runs
    tick_t ticks_simulated = 0;  // simulation time reached
    std::vector<spike_data> spikes;
    std::vector<trace_data> traces;
    energy_data energy;
};

/// Keeps spikes and trace samples in vectors. The simulation re-declares its populations and
/// traces whenever it is given another recorder; declaring an existing one again returns the same
/// handle, so recording continues across runs. close() records the status of the latest run and
/// leaves the recorder usable, because a Simulation can be run again.
class memory_recorder final : public recorder {
public:
    explicit memory_recorder(run_info info = {}) { data_.info = std::move(info); }

    std::size_t add_spike_population(const std::string& name, std::uint64_t size) override;
    void append_spikes(std::size_t population, std::span<const std::uint32_t> ids,
                       std::span<const tick_t> ticks) override;
    std::size_t add_trace(const std::string& population, const std::string& variable, const std::string& unit,
                          std::span<const std::uint64_t> neurons, tick_t interval_ticks) override;
    void append_trace(std::size_t trace, tick_t t, std::span<const double> values) override;
    /// Declares the ledger once; a re-declaration (another recorder was attached in between)
    /// keeps the bins so far.
    void add_energy(std::span<const std::string_view> categories, std::uint64_t neurons, std::uint64_t synapses,
                    std::uint64_t dense_weights, tick_t bin_ticks) override;
    /// Appends a bin; a bin ending where the last one ended (a zero-length run) is added to it.
    void append_energy(tick_t end, std::span<const std::uint64_t> counts) override;
    void flush() override {}
    void close(bool complete, double wall_seconds, tick_t ticks_simulated) override;

    const run_data& data() const { return data_; }
    run_data& data() { return data_; }
    /// Moves the data out (the recorder is left empty).
    run_data take() { return std::move(data_); }
    const spike_data* find_spikes(const std::string& population) const;
    const trace_data* find_trace(const std::string& population, const std::string& variable) const;

private:
    run_data data_;
};

/// Forwards every call (spikes, traces, weights, energy ledger) to two recorders and keeps the
/// pairs of handles.
class tee_recorder final : public recorder {
public:
    tee_recorder(recorder& first, recorder& second) : a_(first), b_(second) {}

    std::size_t add_spike_population(const std::string& name, std::uint64_t size) override;
    void append_spikes(std::size_t population, std::span<const std::uint32_t> ids,
                       std::span<const tick_t> ticks) override;
    std::size_t add_trace(const std::string& population, const std::string& variable, const std::string& unit,
                          std::span<const std::uint64_t> neurons, tick_t interval_ticks) override;
    void append_trace(std::size_t trace, tick_t t, std::span<const double> values) override;
    std::size_t add_weights(const std::string& projection, const std::string& unit, std::span<const std::uint32_t> sources,
                            std::span<const std::uint32_t> targets, std::span<const std::int32_t> delays) override;
    void append_weights(std::size_t handle, tick_t t, std::span<const float> weights) override;
    void set_weight_counters(std::size_t handle, std::uint64_t weight_updates, std::uint64_t trace_updates,
                             std::uint64_t hits_min, std::uint64_t hits_max) override;
    void add_energy(std::span<const std::string_view> categories, std::uint64_t neurons, std::uint64_t synapses,
                    std::uint64_t dense_weights, tick_t bin_ticks) override;
    void append_energy(tick_t end, std::span<const std::uint64_t> counts) override;
    void add_energy_total(const std::string& model, const std::string& preset_text, double total_j, double compute_j,
                          double memory_j, double idle_j) override;
    void flush() override;
    void close(bool complete, double wall_seconds, tick_t ticks_simulated) override;

private:
    recorder& a_;
    recorder& b_;
    std::vector<std::pair<std::size_t, std::size_t>> spikes_, traces_, weights_;
};

} // namespace memspike::python
