// SPDX-License-Identifier: MIT
// What a run writes to its recorder: the handles made when a recorder is attached (spike
// populations, traces, weight projections, energy bins), energy-ledger bins and weight snapshots.
// Spikes (collect_spikes) and trace samples (sample_traces) are written every visited tick, so
// they sit in tick_loop.cpp, where they can be inlined into the loop.
#include "simulation_impl.hpp"

namespace memspike {

/// Declares what the scenario records on `rec` (null: nothing) and makes it the recorder that
/// runs write to; if a declaration throws, runs record nothing.
void simulation::impl::attach_recorder(recorder* rec) {
    rec_ = nullptr;
    spike_handle_.assign(sc.populations.size(), no_handle);
    traces.clear();
    weight_recs.clear();
    energy_bin = 0;
    if (!rec) return;
    if (sc.recording.energy_bin_ms > 0) {
        energy_bin = std::max<tick_t>(1, ms_to_ticks_round(sc.recording.energy_bin_ms, sc.simulation.resolution_ms));
        const dense_profile d = dense();
        const std::vector<std::string_view> categories(ledger_names.begin(), ledger_names.end());
        rec->add_energy(categories, d.neurons, d.synapses, d.dense_weights, energy_bin);
        energy_written = events_now();
    }
    for (const auto& ws : sc.recording.weights) {
        weight_recording wr;
        for (std::size_t j = 0; j < sc.projections.size(); ++j)
            if (sc.projections[j].name == ws.projection) wr.projection = j;
        wr.interval = ws.interval_ms > 0 ? std::max<tick_t>(1, ms_to_ticks_round(ws.interval_ms, sc.simulation.resolution_ms)) : 0;
        const auto& proj = sc.projections[wr.projection];
        const auto& target = models.find(sc.populations[population_index(proj.target)].model);
        const std::string unit(internal_unit(target.ports[target.port_index(proj.receptor)].weight_dim));
        synapse_list syn;
        gather_all(wr.projection, syn, false);
        wr.handle = rec->add_weights(proj.name, unit, syn.sources, syn.targets, syn.delays);
        weight_recs.push_back(wr);
    }
    for (std::uint32_t k = 0; k < sc.populations.size(); ++k) {
        const auto& pop = sc.populations[k];
        const auto& listed = sc.recording.spike_populations;
        if (sc.recording.all_spikes || std::find(listed.begin(), listed.end(), pop.name) != listed.end())
            spike_handle_[k] = rec->add_spike_population(pop.name, pop.size);
    }
    for (const auto& ts : sc.recording.traces) {
        const std::uint32_t pop = population_index(ts.population);
        const model_info& model = models.find(sc.populations[pop].model);
        for (const auto& var : ts.variables) {
            trace_state tr;
            tr.population = pop;
            tr.variable = model.state_index(var);
            tr.interval = std::max<tick_t>(1, ms_to_ticks_round(ts.interval_ms, sc.simulation.resolution_ms));
            for (const std::uint64_t j : ts.neurons) tr.where.push_back(locate(pop, j));
            tr.values.resize(tr.where.size());
            tr.handle = rec->add_trace(ts.population, var, std::string(internal_unit(model.state[tr.variable].dim)),
                                       ts.neurons, tr.interval);
            traces.push_back(std::move(tr));
        }
    }
    rec_ = rec;
}

/// Energy-ledger totals now (counters already folded in, plus the partitions' running ones).
event_counts simulation::impl::events_now() const {
    event_counts e(ledger_names);
    e[event_kind::spikes] = counters.spikes;
    e[event_kind::synaptic_events] = counters.synaptic_events;
    e[event_kind::stimulus_events] = counters.stimulus_events;
    e[event_kind::neuron_updates] = counters.neuron_updates;
    for (const auto& part : parts) {
        e[event_kind::synaptic_events] += part.delivered;
        e[event_kind::stimulus_events] += part.stimulus_events;
        e[event_kind::neuron_updates] += part.updates;
        for (const auto& pb : part.plastic)
            if (pb) {
                e[event_kind::trace_updates] += pb->counters().trace_updates;
                e[event_kind::weight_updates] += pb->counters().weight_updates;
            }
        part.backend->add_events(e.backend_values());
    }
    if (comm) comm->sum(e.values());  // every rank's counts (a collective: every rank asks)
    return e;
}

void simulation::impl::write_energy_bin(recorder* rec, tick_t end) {
    const event_counts now_counts = events_now();
    std::vector<std::uint64_t> bin(now_counts.size());
    for (std::size_t k = 0; k < bin.size(); ++k) bin[k] = now_counts.values()[k] - energy_written.values()[k];
    rec->append_energy(end, bin);
    energy_written = now_counts;
}

dense_profile simulation::impl::dense() const {
    dense_profile d;
    for (const auto& p : sc.populations)
        if (!models.find(p.model).ports.empty()) d.neurons += p.size;
    d.synapses = comm ? synapses_all : store.synapse_count();
    for (const auto& pr : sc.projections) {
        const auto* s = sc.find_population(pr.source);
        const auto* t = sc.find_population(pr.target);
        d.dense_weights += s->size * t->size;
    }
    return d;
}

void simulation::impl::snapshot_weights_one(recorder* rec, weight_recording& wr, tick_t t) {
    if (wr.last == t) return;
    settle_at(wr.projection, t);
    synapse_list w;
    gather_all(wr.projection, w, true);
    rec->append_weights(wr.handle, t, w.weights);
    wr.last = t;
}

/// Snapshots every recorded projection at tick t (once per tick); with `counters_too`, also
/// writes the plasticity counters.
void simulation::impl::snapshot_weights(recorder* rec, tick_t t, bool counters_too) {
    for (auto& wr : weight_recs) {
        snapshot_weights_one(rec, wr, t);
        if (!counters_too) continue;
        const plasticity_counters c = plasticity_all(wr.projection);
        rec->set_weight_counters(wr.handle, c.weight_updates, c.trace_updates, c.hits_min, c.hits_max);
    }
}

} // namespace memspike
