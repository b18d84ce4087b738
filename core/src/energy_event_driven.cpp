// SPDX-License-Identifier: MIT
// Event-driven CPU/GPU baselines: what an event-driven simulator (memspike, NEST, GeNN) does for
// a run's counts, priced at the same cited per-operation figures as the dense baselines. The
// dense baselines charge every matrix entry every tick, which no SNN simulator does; these charge
// only the synapses of neurons that spiked (docs/energy.md, "Event-driven baselines").
#include "energy_event_driven.hpp"

#include <algorithm>

#include "memspike/core/units.hpp"

namespace memspike {

const std::vector<std::pair<std::string, std::string>>& event_driven_keys() {
    static const std::vector<std::pair<std::string, std::string>> k{
        {"bytes_per_synapse", "bytes fetched per synaptic event (target index and weight)"},
        {"bytes_per_spike", "bytes fetched per spike (where the source's synapses start and end)"},
        {"bytes_per_weight", "bytes of a plastic weight or trace, read and written per update"},
        {"accumulator_bytes", "bytes of a neuron's input accumulator, read and written per synaptic or input event"},
        {"state_bytes_per_neuron", "bytes of neuron state, read and written per neuron update"},
        {"cache_capacity_bytes", "last-level cache in bytes (> 0): the synapses are served from it if they fit"},
        {"static_power", "power drawn for the whole run besides the priced operations, such as \"15 W\""},
        {"time_per_tick", "modelled wall time per simulated tick, such as \"10 us\""},
        {"time_per_synaptic_event", "modelled wall time per synaptic event"},
        {"time_per_stimulus_event", "modelled wall time per input (stimulus) event"},
        {"time_per_neuron_update", "modelled wall time per neuron update"},
    };
    return k;
}

const std::vector<std::string>& event_driven_model_categories() {
    static const std::vector<std::string> c{"add", "mac", "sram_byte", "dram_byte"};
    return c;
}

namespace detail {

using namespace scenario_toml;

namespace {

/// The dimension of an [event_driven] key's value: a power, a time, else a byte count (a number).
dimension dimension_of(const std::string& key) {
    if (key == "static_power") return dimension::power;
    if (key.starts_with("time_per_")) return dimension::time;
    return dimension::dimensionless;
}

/// One [event_driven] entry { value = ..., source = "..." }: a value >= 0 (a capacity > 0) in
/// bytes, W or s, and the citation it comes from.
cited_figure read_figure(const context& cx, const toml::node& n, const std::string& key, const std::string& name) {
    const dimension dim = dimension_of(name);
    const std::string example = dim == dimension::power ? "\"15 W\"" : dim == dimension::time ? "\"10 us\"" : "8";
    if (!n.is_table()) wrong_type(cx, n, key, "a table { value = " + example + ", source = \"...\" }");
    const table_view entry{cx, *n.as_table(), key, &n};
    entry.only({"value", "source"});
    const toml::node& vn = entry.required("value", dim == dimension::dimensionless ? "a number of bytes" : a_quantity(dim));
    cited_figure f;
    f.value = quantity_of(cx, vn, entry.sub("value"), dim);
    const bool capacity = name == "cache_capacity_bytes";
    const std::string unit = dim == dimension::power ? " W" : dim == dimension::time ? " s" : " bytes";
    if (capacity ? !(f.value > 0.0) : !(f.value >= 0.0))
        invalid(cx, vn, entry.sub("value"), capacity ? "must be > 0 bytes" : "must be >= 0" + unit);
    if (dim == dimension::time) f.value *= 1e-3;  // ms (the layer's unit) -> s
    const toml::node& sn = entry.required("source", "a string citing where the figure comes from");
    f.source = string_of(cx, sn, entry.sub("source"), "a string citing where the figure comes from");
    if (f.source.find_first_not_of(" \t") == std::string::npos) fail(cx, &sn, entry.sub("source"), "empty: every number needs its citation");
    return f;
}

} // namespace

void read_event_driven(const table_view& root, energy_model& m) {
    const toml::table* et = root.table("event_driven", "a table [event_driven]");
    if (et != nullptr && m.kind != "event_driven")
        fail(root.cx, et, "event_driven", "only event_driven models have an [event_driven] table");
    if (m.kind != "event_driven") return;
    std::vector<std::string> keys;
    for (const auto& [k, what] : event_driven_keys()) keys.push_back(k);
    if (et != nullptr) {
        const table_view t{root.cx, *et, "event_driven", et};
        t.only(keys);
        for (auto&& [k, v] : *et) {
            const std::string name(k.str());
            m.event_driven[name] = read_figure(root.cx, v, t.sub(name), name);
        }
    }
    // Every figure is needed; a preset based on another event_driven one may take them from it.
    for (const auto& [k, what] : event_driven_keys())
        if (!m.event_driven.count(k))
            fail(root.cx, et != nullptr ? static_cast<const toml::node*>(et) : root.at, "event_driven." + k,
                 "missing: " + what + ", as { value = ..., source = \"...\" }");
}

void estimate_event_driven(const energy_model& m, const event_counts& counts, const dense_profile& d, tick_t ticks,
                           energy_estimate& r) {
    const auto n = [&](event_kind k) { return static_cast<double>(counts[k]); };
    const double syn = n(event_kind::synaptic_events), stim = n(event_kind::stimulus_events), spikes = n(event_kind::spikes);
    const double updates = n(event_kind::neuron_updates), weight_updates = n(event_kind::weight_updates);
    const double trace_updates = n(event_kind::trace_updates), neurons = static_cast<double>(d.neurons);
    const double cache = m.figure("cache_capacity_bytes");
    // The cache model: the neuron arrays (touched by every event) are placed first; the synapse
    // store (index + weight per synapse, a row table per neuron) is served from the cache only if
    // it fits beside them, else every synaptic event reads it from DRAM/HBM.
    const double neuron_bytes = neurons * (m.figure("state_bytes_per_neuron") + m.figure("accumulator_bytes"));
    const double synapse_bytes = static_cast<double>(d.synapses) * m.figure("bytes_per_synapse") + neurons * m.figure("bytes_per_spike");
    const bool neurons_cached = neuron_bytes <= cache, synapses_cached = neuron_bytes + synapse_bytes <= cache;
    const auto add = [&](const std::string& cost, const std::string& label, double count, bool memory) {
        const cost_entry& c = m.costs.at(cost);
        energy_line l{label, count, c.pj, count * c.pj, memory, c.source};
        (memory ? r.memory_pj : r.compute_pj) += l.total_pj;
        r.lines.push_back(std::move(l));
    };
    const auto where = [](bool cached) { return cached ? std::string("cache") : std::string("DRAM/HBM"); };
    add(synapses_cached ? "sram_byte" : "dram_byte", "synapse bytes (" + where(synapses_cached) + ")",
        syn * m.figure("bytes_per_synapse") + spikes * m.figure("bytes_per_spike") + weight_updates * 2.0 * m.figure("bytes_per_weight"),
        true);
    add(neurons_cached ? "sram_byte" : "dram_byte", "neuron bytes r+w (" + where(neurons_cached) + ")",
        (syn + stim) * 2.0 * m.figure("accumulator_bytes") + updates * 2.0 * m.figure("state_bytes_per_neuron") +
            trace_updates * 2.0 * m.figure("bytes_per_weight"),
        true);
    add("add", "adds: events + threshold tests", syn + stim + updates, false);
    add("mac", "MACs: neuron/weight/trace updates", updates + weight_updates + trace_updates, false);
    r.run_time_s = static_cast<double>(ticks) * m.figure("time_per_tick") + syn * m.figure("time_per_synaptic_event") +
                   stim * m.figure("time_per_stimulus_event") + updates * m.figure("time_per_neuron_update");
    r.idle_pj = m.figure("static_power") * r.run_time_s * 1e12;
}

} // namespace detail
} // namespace memspike
