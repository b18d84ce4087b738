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

/// Everything a run recorded, with the provenance and the completion attributes of the file.
struct run_data {
    run_info info;
    bool complete = false;       // the latest run reached its end (not stopped)
    double wall_time_s = 0.0;    // summed over runs
    tick_t ticks_simulated = 0;  // simulation time reached
    std::vector<spike_data> spikes;
    std::vector<trace_data> traces;
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

/// Forwards every call to two recorders and keeps the pairs of handles.
class tee_recorder final : public recorder {
public:
    tee_recorder(recorder& first, recorder& second) : a_(first), b_(second) {}

    std::size_t add_spike_population(const std::string& name, std::uint64_t size) override;
    void append_spikes(std::size_t population, std::span<const std::uint32_t> ids,
                       std::span<const tick_t> ticks) override;
    std::size_t add_trace(const std::string& population, const std::string& variable, const std::string& unit,
                          std::span<const std::uint64_t> neurons, tick_t interval_ticks) override;
    void append_trace(std::size_t trace, tick_t t, std::span<const double> values) override;
    void flush() override;
    void close(bool complete, double wall_seconds, tick_t ticks_simulated) override;

private:
    recorder& a_;
    recorder& b_;
    std::vector<std::pair<std::size_t, std::size_t>> spikes_, traces_;
};

} // namespace memspike::python
