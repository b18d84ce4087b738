// SPDX-License-Identifier: MIT
#include "memory_recorder.hpp"

#include <algorithm>

#include "memspike/core/errors.hpp"

namespace memspike::python {

std::size_t memory_recorder::add_spike_population(const std::string& name, std::uint64_t size) {
    for (std::size_t k = 0; k < data_.spikes.size(); ++k)
        if (data_.spikes[k].name == name) return k;
    data_.spikes.push_back({name, size, {}, {}});
    return data_.spikes.size() - 1;
}

void memory_recorder::append_spikes(std::size_t population, std::span<const std::uint32_t> ids,
                                    std::span<const tick_t> ticks) {
    if (population >= data_.spikes.size() || ids.size() != ticks.size())
        throw internal_error("memory_recorder::append_spikes: bad handle or lengths");
    auto& s = data_.spikes[population];
    s.ids.insert(s.ids.end(), ids.begin(), ids.end());
    s.ticks.insert(s.ticks.end(), ticks.begin(), ticks.end());
}

std::size_t memory_recorder::add_trace(const std::string& population, const std::string& variable,
                                       const std::string& unit, std::span<const std::uint64_t> neurons,
                                       tick_t interval_ticks) {
    for (std::size_t k = 0; k < data_.traces.size(); ++k) {
        const auto& t = data_.traces[k];
        if (t.population != population || t.variable != variable) continue;
        // A re-declaration (the simulation switched recorders) must describe the same columns.
        if (!std::equal(t.neurons.begin(), t.neurons.end(), neurons.begin(), neurons.end()) ||
            t.interval_ticks != interval_ticks)
            throw internal_error("memory_recorder: trace " + population + "/" + variable + " declared twice differently");
        return k;
    }
    trace_data t;
    t.population = population;
    t.variable = variable;
    t.unit = unit;
    t.neurons.assign(neurons.begin(), neurons.end());
    t.interval_ticks = interval_ticks;
    data_.traces.push_back(std::move(t));
    return data_.traces.size() - 1;
}

void memory_recorder::append_trace(std::size_t trace, tick_t t, std::span<const double> values) {
    if (trace >= data_.traces.size() || values.size() != data_.traces[trace].neurons.size())
        throw internal_error("memory_recorder::append_trace: bad handle or row length");
    auto& tr = data_.traces[trace];
    tr.ticks.push_back(t);
    tr.values.insert(tr.values.end(), values.begin(), values.end());
}

void memory_recorder::add_energy(std::span<const std::string_view> categories, std::uint64_t neurons,
                                 std::uint64_t synapses, std::uint64_t dense_weights, tick_t bin_ticks) {
    auto& e = data_.energy;
    if (e.declared) {
        if (!std::equal(e.categories.begin(), e.categories.end(), categories.begin(), categories.end()))
            throw internal_error("memory_recorder: energy ledger declared twice with different categories");
        return;
    }
    e.declared = true;
    e.categories.assign(categories.begin(), categories.end());
    e.neurons = neurons;
    e.synapses = synapses;
    e.dense_weights = dense_weights;
    e.bin_ticks = bin_ticks;
}

void memory_recorder::append_energy(tick_t end, std::span<const std::uint64_t> counts) {
    auto& e = data_.energy;
    if (!e.declared || counts.size() != e.categories.size())
        throw internal_error("memory_recorder::append_energy: ledger not declared or bad row length");
    if (!e.ticks.empty() && e.ticks.back() == end) {
        auto* last = e.counts.data() + e.counts.size() - counts.size();
        for (std::size_t c = 0; c < counts.size(); ++c) last[c] += counts[c];
        return;
    }
    e.ticks.push_back(end);
    e.counts.insert(e.counts.end(), counts.begin(), counts.end());
}

void memory_recorder::close(bool complete, double wall_seconds, tick_t ticks_simulated) {
    data_.complete = complete;
    data_.wall_time_s += wall_seconds;
    data_.ticks_simulated = ticks_simulated;
}

const spike_data* memory_recorder::find_spikes(const std::string& population) const {
    for (const auto& s : data_.spikes)
        if (s.name == population) return &s;
    return nullptr;
}

const trace_data* memory_recorder::find_trace(const std::string& population, const std::string& variable) const {
    for (const auto& t : data_.traces)
        if (t.population == population && t.variable == variable) return &t;
    return nullptr;
}

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

void tee_recorder::flush() {
    a_.flush();
    b_.flush();
}

void tee_recorder::close(bool complete, double wall_seconds, tick_t ticks_simulated) {
    a_.close(complete, wall_seconds, ticks_simulated);
    b_.close(complete, wall_seconds, ticks_simulated);
}

} // namespace memspike::python
