// SPDX-License-Identifier: MIT
#include "memspike/core/memory_recorder.hpp"

#include <algorithm>

#include "memspike/core/errors.hpp"

namespace memspike {

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

std::size_t memory_recorder::add_weights(const std::string& projection, const std::string& unit,
                                         std::span<const std::uint32_t> sources, std::span<const std::uint32_t> targets,
                                         std::span<const std::int32_t> delays) {
    if (sources.size() != targets.size() || sources.size() != delays.size())
        throw internal_error("memory_recorder::add_weights: sources, targets and delays differ in length");
    for (std::size_t k = 0; k < data_.weights.size(); ++k) {
        const auto& w = data_.weights[k];
        if (w.projection != projection) continue;
        // A re-declaration (the recorder was attached again) must describe the same synapses.
        if (!std::equal(w.sources.begin(), w.sources.end(), sources.begin(), sources.end()) ||
            !std::equal(w.targets.begin(), w.targets.end(), targets.begin(), targets.end()) ||
            !std::equal(w.delays.begin(), w.delays.end(), delays.begin(), delays.end()))
            throw internal_error("memory_recorder: weights of " + projection + " declared twice differently");
        return k;
    }
    weight_data w;
    w.projection = projection;
    w.unit = unit;
    w.sources.assign(sources.begin(), sources.end());
    w.targets.assign(targets.begin(), targets.end());
    w.delays.assign(delays.begin(), delays.end());
    data_.weights.push_back(std::move(w));
    return data_.weights.size() - 1;
}

void memory_recorder::append_weights(std::size_t handle, tick_t t, std::span<const float> weights) {
    if (handle >= data_.weights.size() || weights.size() != data_.weights[handle].sources.size())
        throw internal_error("memory_recorder::append_weights: bad handle or snapshot length");
    auto& w = data_.weights[handle];
    if (!w.ticks.empty() && w.ticks.back() == t) {
        std::copy(weights.begin(), weights.end(), w.values.end() - static_cast<std::ptrdiff_t>(weights.size()));
        return;
    }
    w.ticks.push_back(t);
    w.values.insert(w.values.end(), weights.begin(), weights.end());
}

void memory_recorder::set_weight_counters(std::size_t handle, std::uint64_t weight_updates, std::uint64_t trace_updates,
                                          std::uint64_t hits_min, std::uint64_t hits_max) {
    if (handle >= data_.weights.size()) throw internal_error("memory_recorder::set_weight_counters: bad handle");
    auto& w = data_.weights[handle];
    w.weight_updates = weight_updates;
    w.trace_updates = trace_updates;
    w.hits_min = hits_min;
    w.hits_max = hits_max;
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

void memory_recorder::add_energy_total(const std::string& model, const std::string& preset_text, double total_j,
                                       double compute_j, double memory_j, double idle_j) {
    if (!data_.energy.declared) throw internal_error("memory_recorder::add_energy_total: ledger not declared");
    auto& models = data_.energy.models;
    auto it = std::find_if(models.begin(), models.end(), [&](const energy_total& e) { return e.model == model; });
    if (it == models.end()) it = models.insert(models.end(), energy_total{model, {}, 0.0, 0.0, 0.0, 0.0});
    *it = energy_total{model, preset_text, total_j, compute_j, memory_j, idle_j};
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

const weight_data* memory_recorder::find_weights(const std::string& projection) const {
    for (const auto& w : data_.weights)
        if (w.projection == projection) return &w;
    return nullptr;
}

const trace_data* memory_recorder::find_trace(const std::string& population, const std::string& variable) const {
    for (const auto& t : data_.traces)
        if (t.population == population && t.variable == variable) return &t;
    return nullptr;
}

} // namespace memspike
