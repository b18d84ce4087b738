// SPDX-License-Identifier: MIT
// A recorder that forwards every call to two others (an in-memory one and an HDF5 file, so that a
// Python run with `output=` keeps its in-memory result complete as well). Private to the run
// driver.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "memspike/core/recorder.hpp"

namespace memspike {

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
    void add_chip_total(const std::string& chip, const std::string& description_text,
                        std::span<const std::pair<std::string, double>> figures) override;
    void set_chips_not_priced(const std::string& not_priced) override;
    void flush() override;
    void close(bool complete, double wall_seconds, tick_t ticks_simulated) override;

private:
    recorder& a_;
    recorder& b_;
    std::vector<std::pair<std::size_t, std::size_t>> spikes_, traces_, weights_;
};

} // namespace memspike
