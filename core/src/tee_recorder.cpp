// SPDX-License-Identifier: MIT
#include "tee_recorder.hpp"

namespace memspike {

std::size_t tee_recorder::add_spike_population(const std::string& name, std::uint64_t size) {
    spikes_.emplace_back(a_.add_spike_population(name, size), b_.add_spike_population(name, size));
    return spikes_.size() - 1;
}

void tee_recorder::append_spikes(std::size_t population, std::span<const std::uint32_t> ids,
                                 std::span<const tick_t> ticks) {
    a_.append_spikes(spikes_.at(population).first, ids, ticks);
    b_.append_spikes(spikes_.at(population).second, ids, ticks);
}

std::size_t tee_recorder::add_trace(const std::string& population, const std::string& variable,
                                    const std::string& unit, std::span<const std::uint64_t> neurons,
                                    tick_t interval_ticks) {
    traces_.emplace_back(a_.add_trace(population, variable, unit, neurons, interval_ticks),
                         b_.add_trace(population, variable, unit, neurons, interval_ticks));
    return traces_.size() - 1;
}

void tee_recorder::append_trace(std::size_t trace, tick_t t, std::span<const double> values) {
    a_.append_trace(traces_.at(trace).first, t, values);
    b_.append_trace(traces_.at(trace).second, t, values);
}

std::size_t tee_recorder::add_weights(const std::string& projection, const std::string& unit,
                                      std::span<const std::uint32_t> sources, std::span<const std::uint32_t> targets,
                                      std::span<const std::int32_t> delays) {
    weights_.emplace_back(a_.add_weights(projection, unit, sources, targets, delays),
                          b_.add_weights(projection, unit, sources, targets, delays));
    return weights_.size() - 1;
}

void tee_recorder::append_weights(std::size_t handle, tick_t t, std::span<const float> weights) {
    a_.append_weights(weights_.at(handle).first, t, weights);
    b_.append_weights(weights_.at(handle).second, t, weights);
}

void tee_recorder::set_weight_counters(std::size_t handle, std::uint64_t weight_updates, std::uint64_t trace_updates,
                                       std::uint64_t hits_min, std::uint64_t hits_max) {
    a_.set_weight_counters(weights_.at(handle).first, weight_updates, trace_updates, hits_min, hits_max);
    b_.set_weight_counters(weights_.at(handle).second, weight_updates, trace_updates, hits_min, hits_max);
}

void tee_recorder::add_energy(std::span<const std::string_view> categories, std::uint64_t neurons,
                              std::uint64_t synapses, std::uint64_t dense_weights, tick_t bin_ticks) {
    a_.add_energy(categories, neurons, synapses, dense_weights, bin_ticks);
    b_.add_energy(categories, neurons, synapses, dense_weights, bin_ticks);
}

void tee_recorder::append_energy(tick_t end, std::span<const std::uint64_t> counts) {
    a_.append_energy(end, counts);
    b_.append_energy(end, counts);
}

void tee_recorder::add_energy_total(const std::string& model, const std::string& preset_text, double total_j,
                                    double compute_j, double memory_j, double idle_j) {
    a_.add_energy_total(model, preset_text, total_j, compute_j, memory_j, idle_j);
    b_.add_energy_total(model, preset_text, total_j, compute_j, memory_j, idle_j);
}

void tee_recorder::add_chip_total(const std::string& chip, const std::string& description_text,
                                  std::span<const std::pair<std::string, double>> figures) {
    a_.add_chip_total(chip, description_text, figures);
    b_.add_chip_total(chip, description_text, figures);
}

void tee_recorder::set_chips_not_priced(const std::string& not_priced) {
    a_.set_chips_not_priced(not_priced);
    b_.set_chips_not_priced(not_priced);
}

void tee_recorder::flush() {
    a_.flush();
    b_.flush();
}

void tee_recorder::close(bool complete, double wall_seconds, tick_t ticks_simulated) {
    a_.close(complete, wall_seconds, ticks_simulated);
    b_.close(complete, wall_seconds, ticks_simulated);
}

} // namespace memspike
