// SPDX-License-Identifier: MIT
// A recorded run priced on a chip, per tick (docs/chips.md, "Per tick"). The ledger gives the
// run's counts per bin; the mapping gives where the neurons sit. Counts are shared out over the
// populations (spikes: as recorded in /spikes where present, else in proportion to size;
// synaptic events: spikes of each source x its synapses per neuron into each target; input
// events: the Poisson stimuli's rate x targets; neuron updates: with the events), and within a
// population evenly over its neurons. Per bin and per tick (the bin's mean tick):
//   dynamic energy = sum over activities of count x energy;
//   messages = spikes x destination cores; hops by direction from the placement;
//   a core's time = sum of its activities' counts x latency (its pipeline is serial);
//   tick latency = the busiest core's time + the farthest message's hops x hop latency + sync;
//   chip time of a tick = max(tick latency, the hardware step where fixed);
//   static energy = (core, tile and chip static power of what is used) x chip time; and, for a
//   chip paced to the model clock (real-time input), x max(chip time, model time).
#include "memspike/core/chip.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "memspike/core/errors.hpp"
#include "memspike/core/spec.hpp"

namespace memspike {
namespace {

/// Per population, the share of each ledger count it carries.
struct shares {
    std::vector<double> spikes, synaptic, stimulus, updates;
};

shares population_shares(const scenario& sc, const chip_mapping& m, const chip_run_counts& run, std::vector<std::string>& notes) {
    const std::size_t np = sc.populations.size();
    shares s{std::vector<double>(np, 0.0), std::vector<double>(np, 0.0), std::vector<double>(np, 0.0), std::vector<double>(np, 0.0)};
    double total = 0.0, unrecorded_size = 0.0, recorded = 0.0;
    for (std::size_t p = 0; p < np; ++p) {
        const bool has = p < run.population_spikes.size() && run.population_spikes[p] >= 0.0;
        if (has) recorded += run.population_spikes[p];
        else unrecorded_size += static_cast<double>(sc.populations[p].size);
    }
    double ledger_spikes = 0.0;
    for (const auto& b : run.bins) ledger_spikes += static_cast<double>(b[event_kind::spikes]);
    const double rest = std::max(0.0, ledger_spikes - recorded);
    for (std::size_t p = 0; p < np; ++p) {
        const bool has = p < run.population_spikes.size() && run.population_spikes[p] >= 0.0;
        s.spikes[p] = has ? run.population_spikes[p] : (unrecorded_size > 0 ? rest * static_cast<double>(sc.populations[p].size) / unrecorded_size : 0.0);
        total += s.spikes[p];
    }
    if (unrecorded_size > 0) notes.push_back("spikes of populations not recorded in /spikes: shared out by size (uniform rate)");
    for (auto& v : s.spikes) v = total > 0 ? v / total : 0.0;
    // Synaptic events into each target: spikes of each source x its synapses per source neuron.
    auto index_of = [&](const std::string& name) {
        for (std::size_t i = 0; i < np; ++i)
            if (sc.populations[i].name == name) return i;
        return np;
    };
    double syn_total = 0.0, stim_total = 0.0;
    // Per target: sum over its inputs of source spike share x in-degree x N_target / N_source.
    for (std::size_t t = 0; t < np; ++t) {
        for (const auto& pj : sc.projections) {
            if (index_of(pj.target) != t) continue;
            const std::size_t src = index_of(pj.source);
            const double per_source = m.synapses_of.empty() ? 0.0 : m.synapses_of[static_cast<std::size_t>(&pj - sc.projections.data())] / static_cast<double>(sc.populations[src].size);
            s.synaptic[t] += s.spikes[src] * per_source;
        }
        syn_total += s.synaptic[t];
    }
    for (auto& v : s.synaptic) v = syn_total > 0 ? v / syn_total : 0.0;
    for (const auto& st : sc.stimuli) {
        if (st.kind != "poisson") continue;
        const std::size_t t = index_of(st.target);
        if (t == np) continue;
        const double targets = st.neurons.empty() ? static_cast<double>(sc.populations[t].size) : static_cast<double>(st.neurons.size());
        s.stimulus[t] += st.rate_hz * targets;  // shared or not, each target receives every event of its train
        stim_total += s.stimulus[t];
    }
    for (auto& v : s.stimulus) v = stim_total > 0 ? v / stim_total : 0.0;
    for (std::size_t p = 0; p < np; ++p) s.updates[p] = 0.5 * (s.synaptic[p] + s.stimulus[p]);
    double upd_total = 0.0;
    for (const double v : s.updates) upd_total += v;
    for (auto& v : s.updates) v = upd_total > 0 ? v / upd_total : 0.0;
    return s;
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

void add_line(chip_estimate& e, const chip_model& c, const std::string& activity, double count) {
    const chip_activity& a = c.get(activity);
    if (!a.given || count == 0.0) return;
    e.lines.push_back({activity, count, a.pj, count * a.pj, a.source});
    e.dynamic_pj += count * a.pj;
}

/// The critical path of a bin's mean tick [ns]: the busiest core's serial work, then the mean
/// message's hops, then the barrier. `bin` holds `ticks` ticks of counts.
double mean_tick_latency_ns(const chip_model& c, const chip_mapping& m, const shares& sh,
                            const std::vector<double>& neurons_mapped, const event_counts& bin, double ticks) {
    const double sp = static_cast<double>(bin[event_kind::spikes]) / ticks;
    const double sy = static_cast<double>(bin[event_kind::synaptic_events]) / ticks;
    const double st = static_cast<double>(bin[event_kind::stimulus_events]) / ticks;
    const double up = static_cast<double>(bin[event_kind::neuron_updates]) / ticks;
    const double wu = static_cast<double>(bin[event_kind::weight_updates]) / ticks;
    double backend_ns = 0.0;  // a backend's activities per tick, whole network, shared like synaptic events
    for (std::size_t k = event_counts::engine_count; k < bin.size(); ++k)
        backend_ns += static_cast<double>(bin.values()[k]) / ticks * c.get(bin.names()[k]).ns;
    double busiest = 0.0;
    bool messages = false;
    for (const auto& core : m.cores) {
        const std::size_t p = core.population;
        const double neurons_here = static_cast<double>(core.count) * core.share;
        const double f = neurons_mapped[p] > 0 ? neurons_here / neurons_mapped[p] : 0.0;  // of the population's work
        const double events_here = f * (sy * sh.synaptic[p] + st * sh.stimulus[p]);
        const double upd_here = f * up * sh.updates[p];
        double msg_in = 0.0;
        for (const auto& [s, p_reach] : core.reach) msg_in += p_reach * sp * sh.spikes[s];
        messages = messages || msg_in > 0;
        const double time = events_here * c.get("synapse").ns + upd_here * c.get("soma_update").ns +
                            std::max(0.0, neurons_here - upd_here) * c.get("idle_neuron").ns +
                            f * sp * sh.spikes[p] * c.get("spike_out").ns + msg_in * c.get("message_in").ns +
                            f * wu * sh.synaptic[p] * c.get("weight_update").ns + f * sh.synaptic[p] * backend_ns;
        busiest = std::max(busiest, time);
    }
    // The network: the mean message's hops (documented: neither the farthest pair nor congestion).
    const double hop_ns = messages ? m.hops_per_message * (m.east_west_share * c.get("hop_east_west").ns +
                                                           (1 - m.east_west_share) * c.get("hop_north_south").ns)
                                   : 0.0;
    return busiest + hop_ns + c.get("tick_sync").ns;
}

} // namespace

chip_estimate estimate_chip(const chip_model& c, const chip_mapping& m, const scenario& sc, const chip_run_counts& run) {
    if (!m.fits) throw error("chip " + c.name + ": the network does not fit: " + m.limit);
    chip_estimate e;
    e.chip = c.name;
    e.chip_text = c.text;
    e.mapping = m;
    const shares sh = population_shares(sc, m, run, e.notes);
    const std::size_t np = sc.populations.size();
    std::vector<double> neurons_mapped(np, 0.0);
    for (const auto& core : m.cores) neurons_mapped[core.population] += static_cast<double>(core.count) * core.share;
    double mapped_neurons = 0.0;
    for (std::size_t p = 0; p < np; ++p)
        if (m.population_cores[p] > 0) mapped_neurons += static_cast<double>(sc.populations[p].size);
    // Ledger totals, and the NoC traffic they cause.
    event_counts total = run.bins.empty() ? event_counts() : event_counts(run.bins.front().names());
    tick_t ticks = 0;
    for (std::size_t b = 0; b < run.bins.size(); ++b) {
        for (std::size_t k = 0; k < total.size(); ++k) total.values()[k] += run.bins[b].values()[k];
        ticks += run.bin_ticks[b];
    }
    auto traffic_of = [&](double spikes, double& msgs, double& ew, double& ns) {
        msgs = ew = ns = 0.0;
        for (std::size_t p = 0; p < np; ++p) {
            msgs += spikes * sh.spikes[p] * m.messages_of[p];
            ew += spikes * sh.spikes[p] * m.east_west_of[p];
            ns += spikes * sh.spikes[p] * (m.hops_of[p] - m.east_west_of[p]);
        }
    };
    const double spikes = static_cast<double>(total[event_kind::spikes]);
    double msgs = 0.0, ew = 0.0, ns_hops = 0.0;
    traffic_of(spikes, msgs, ew, ns_hops);
    e.noc_messages = msgs;
    e.noc_hops = ew + ns_hops;
    const double updates = static_cast<double>(total[event_kind::neuron_updates]);
    const double events = static_cast<double>(total[event_kind::synaptic_events] + total[event_kind::stimulus_events]);
    add_line(e, c, "synapse", events);
    add_line(e, c, "soma_update", updates);
    add_line(e, c, "idle_neuron", std::max(0.0, mapped_neurons * static_cast<double>(ticks) - updates));
    add_line(e, c, "spike_out", spikes);
    add_line(e, c, "message_in", msgs);
    add_line(e, c, "hop_east_west", ew);
    add_line(e, c, "hop_north_south", ns_hops);
    add_line(e, c, "weight_update", static_cast<double>(total[event_kind::weight_updates]));
    add_line(e, c, "tick_sync", static_cast<double>(ticks));
    for (std::size_t k = event_counts::engine_count; k < total.size(); ++k) add_line(e, c, total.names()[k], static_cast<double>(total.values()[k]));

    // Per bin: the mean tick's critical path; chip time from it and the hardware step.
    for (std::size_t b = 0; b < run.bins.size(); ++b) {
        const double t_b = static_cast<double>(run.bin_ticks[b]);
        if (t_b <= 0) continue;
        const double latency = mean_tick_latency_ns(c, m, sh, neurons_mapped, run.bins[b], t_b);
        e.tick_latency_mean_ns += latency * t_b;
        e.tick_latency_max_ns = std::max(e.tick_latency_max_ns, latency);
        e.chip_time_s += t_b * std::max(latency * 1e-9, c.tick_ms * 1e-3);
    }
    e.tick_latency_mean_ns = ticks > 0 ? e.tick_latency_mean_ns / static_cast<double>(ticks) : 0.0;
    e.model_time_s = static_cast<double>(ticks) * run.resolution_ms * 1e-3;
    e.real_time_factor = e.model_time_s > 0 ? e.chip_time_s / e.model_time_s : 0.0;
    e.static_mw = c.static_core.mw * static_cast<double>(m.cores_used) + c.static_tile.mw * static_cast<double>(m.tiles_used) +
                  c.static_chip.mw * static_cast<double>(m.chips_used);
    e.static_pj = e.static_mw * 1e-3 * e.chip_time_s * 1e12;
    e.total_pj = e.dynamic_pj + e.static_pj;
    e.paced_static_pj = e.static_mw * 1e-3 * std::max(e.chip_time_s, e.model_time_s) * 1e12;
    e.paced_total_pj = e.dynamic_pj + e.paced_static_pj;
    e.synaptic_events = events;
    e.pj_per_synaptic_event = events > 0 ? e.total_pj / events : 0.0;
    e.edp_js = e.total_pj * 1e-12 * e.chip_time_s;
    if (c.tick_ms > 0 && c.tick_ms > run.resolution_ms * (1 + 1e-12))
        e.notes.push_back("each model tick of " + num(run.resolution_ms) + " ms takes at least one hardware step of " + num(c.tick_ms) +
                          " ms: slower than real time");
    return e;
}

} // namespace memspike
