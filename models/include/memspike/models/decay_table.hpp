// SPDX-License-Identifier: MIT
// exp(-k h / tau) for whole tick counts k: the decay factor of every exactly integrated linear
// variable here (membranes, synaptic currents, plasticity traces). Shared by neuron models and
// plasticity rules, so that a rule needs no neuron model's private header.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "memspike/core/time.hpp"

namespace memspike {

/// exp(-k h / tau) for whole k: a table for the common short intervals, std::exp beyond. Both give
/// the same value for the same k (the table holds std::exp of the same expression), so a lazy
/// update and a crossing prediction always agree.
class decay_table {
public:
    decay_table() = default;
    decay_table(double h_over_tau, std::size_t size = 4096) : rate_(h_over_tau), table_(size) {
        for (std::size_t k = 0; k < size; ++k) table_[k] = std::exp(-static_cast<double>(k) * rate_);
    }
    double operator()(tick_t k) const {
        return static_cast<std::uint64_t>(k) < table_.size() ? table_[static_cast<std::size_t>(k)]
                                                             : std::exp(-static_cast<double>(k) * rate_);
    }
    double rate() const { return rate_; }
    /// The tabulated values exp(-k rate) for k < entries(): for loops that keep them in a local.
    const double* data() const { return table_.data(); }
    std::size_t entries() const { return table_.size(); }

private:
    double rate_ = 0.0;
    std::vector<double> table_;
};

} // namespace memspike
