// SPDX-License-Identifier: MIT
// A recorder that keeps everything in memory: what an embedding program (the Python module, a
// C++ user, a parameter sweep) reads back without going through a file.
//
// The layout of run_data mirrors the HDF5 schema (docs/hdf5-schema.md) one to one, so the data of
// a run recorded here equals what the HDF5 recorder writes for the same run
// (tests/unit/core/test_memory_recorder.cpp holds them side by side).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "memspike/core/recorder.hpp"
#include "memspike/core/time.hpp"

namespace memspike {

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

/// /weights/<projection>: the synapses (population-local sources and targets, delays in ticks)
/// and the snapshots: values[i * sources.size() + k] is synapse k at ticks[i] (the weights after
/// tick ticks[i] - 1), in `unit`. The counters are the plasticity counters at the end of the
/// latest run.
struct weight_data {
    std::string projection, unit;
    std::vector<std::uint32_t> sources, targets;
    std::vector<std::int32_t> delays;
    std::vector<tick_t> ticks;
    std::vector<float> values;
    std::uint64_t weight_updates = 0, trace_updates = 0, hits_min = 0, hits_max = 0;
};

/// /energy/models/<model>: the totals of one energy model for a run [J], and its preset text.
struct energy_total {
    std::string model, preset;
    double total_j = 0.0, compute_j = 0.0, memory_j = 0.0, idle_j = 0.0;
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
    std::vector<energy_total> models;
};

/// Everything a run recorded, with the provenance and the completion attributes of the file.
struct run_data {
    run_info info;
    bool complete = false;       // the latest run reached its end (not stopped)
    double wall_time_s = 0.0;    // summed over runs
    tick_t ticks_simulated = 0;  // simulation time reached
    std::vector<spike_data> spikes;
    std::vector<trace_data> traces;
    std::vector<weight_data> weights;
    energy_data energy;
};

/// Keeps spikes, trace samples, weight snapshots and ledger bins in vectors. It records across
/// runs: a simulation declares its populations, traces, weights and ledger each time the recorder
/// is attached, and declaring an existing one again returns the same handle, so recording
/// continues where it stopped. close() records the status of the latest run and leaves the
/// recorder usable, because a simulation can be run again.
class memory_recorder final : public recorder {
public:
    explicit memory_recorder(run_info info = {}) { data_.info = std::move(info); }

    std::size_t add_spike_population(const std::string& name, std::uint64_t size) override;
    void append_spikes(std::size_t population, std::span<const std::uint32_t> ids,
                       std::span<const tick_t> ticks) override;
    std::size_t add_trace(const std::string& population, const std::string& variable, const std::string& unit,
                          std::span<const std::uint64_t> neurons, tick_t interval_ticks) override;
    void append_trace(std::size_t trace, tick_t t, std::span<const double> values) override;
    /// Declares the weights of a projection once; a re-declaration keeps the snapshots so far.
    std::size_t add_weights(const std::string& projection, const std::string& unit, std::span<const std::uint32_t> sources,
                            std::span<const std::uint32_t> targets, std::span<const std::int32_t> delays) override;
    /// Appends a snapshot; one at the tick of the last one (the start of a run that continues
    /// where the previous one ended) replaces it, as the simulation never snapshots a tick twice
    /// while it stays attached.
    void append_weights(std::size_t handle, tick_t t, std::span<const float> weights) override;
    void set_weight_counters(std::size_t handle, std::uint64_t weight_updates, std::uint64_t trace_updates,
                             std::uint64_t hits_min, std::uint64_t hits_max) override;
    /// Declares the ledger once; a re-declaration (the recorder was attached again) keeps the
    /// bins so far.
    void add_energy(std::span<const std::string_view> categories, std::uint64_t neurons, std::uint64_t synapses,
                    std::uint64_t dense_weights, tick_t bin_ticks) override;
    /// Appends a bin; a bin ending where the last one ended (a zero-length run) is added to it.
    void append_energy(tick_t end, std::span<const std::uint64_t> counts) override;
    /// Stores (or replaces) the totals of one energy model.
    void add_energy_total(const std::string& model, const std::string& preset_text, double total_j, double compute_j,
                          double memory_j, double idle_j) override;
    void flush() override {}
    void close(bool complete, double wall_seconds, tick_t ticks_simulated) override;

    const run_data& data() const { return data_; }
    run_data& data() { return data_; }
    /// Moves the data out (the recorder is left empty).
    run_data take() { return std::move(data_); }
    const spike_data* find_spikes(const std::string& population) const;
    const trace_data* find_trace(const std::string& population, const std::string& variable) const;
    const weight_data* find_weights(const std::string& projection) const;

private:
    run_data data_;
};

} // namespace memspike
