// SPDX-License-Identifier: MIT
// A run priced on the shipped chip architectures as it ends (issue 14): the output file gets
// /energy/chips/<chip> beside /energy/models/<model>. chip_capture records, during the run, what
// `report --chips` would read back from the file (the ledger's bins and the spikes per recorded
// population), so the stored figures are the report's without reopening the file.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "memspike/core/chip.hpp"
#include "memspike/core/recorder.hpp"

namespace memspike {

class simulation;

class chip_capture final : public recorder {
public:
    explicit chip_capture(tick_t begin) : begin_(begin) {}
    std::size_t add_spike_population(const std::string& name, std::uint64_t size) override;
    void append_spikes(std::size_t population, std::span<const std::uint32_t> ids, std::span<const tick_t> ticks) override;
    std::size_t add_trace(const std::string&, const std::string&, const std::string&, std::span<const std::uint64_t>,
                          tick_t) override {
        return 0;
    }
    void append_trace(std::size_t, tick_t, std::span<const double>) override {}
    void add_energy(std::span<const std::string_view> categories, std::uint64_t neurons, std::uint64_t synapses,
                    std::uint64_t dense_weights, tick_t bin_ticks) override;
    void append_energy(tick_t end, std::span<const std::uint64_t> counts) override;
    void flush() override {}
    void close(bool, double, tick_t) override {}

    /// The captured activity as estimate_chip takes it.
    chip_run_counts counts(const scenario& sc, double resolution_ms) const;

private:
    tick_t begin_;
    std::vector<std::string> populations_, categories_;
    std::vector<std::uint64_t> spikes_;
    std::vector<event_counts> bins_;
    std::vector<tick_t> ends_;
};

/// Prices the captured run on every shipped chip and stores the figures (and the chips that give
/// none, with why) in `out` (the output file).
void store_chip_totals(const simulation& sim, const model_registry& models, const chip_capture& capture, recorder& out);

} // namespace memspike
