// SPDX-License-Identifier: MIT
// The resource estimate of a scenario (resource_estimate.hpp). Every loop here runs over
// populations, projections, stimuli or recordings, never over neurons or synapses, and every
// count is a double: the estimate of a 1e9-neuron or 1e12-synapse scenario takes as long as that
// of a small one and cannot overflow. The byte figures mirror the data structures named beside
// them; docs/resources.md compares the totals with measured peaks.
#include "memspike/core/resource_estimate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

#include "memspike/core/backend.hpp"
#include "memspike/core/connectivity.hpp"
#include "memspike/core/energy.hpp"
#include "memspike/core/model.hpp"
#include "memspike/core/plasticity.hpp"
#include "memspike/core/stimulus.hpp"

namespace memspike {

namespace {

/// The process before any network: code, shared libraries, HDF5 and oneTBB's own state, the open
/// output file. Measured as the peak RSS of `memspike run` on a one-neuron scenario (20 MiB,
/// g++ 12 Release, Debian 12).
constexpr double process_bytes = 20.0 * 1024 * 1024;
/// Each worker thread: its stack pages and allocator arena as touched by a run.
constexpr double thread_bytes = 256.0 * 1024;
/// Per partition: its struct, neuron group, backend and drive objects, block index vectors.
constexpr double partition_bytes = 1024.0;
constexpr double partition_size = 4096.0;  // make_partitions' default cut
/// The HDF5 writer's buffer of one recorded population (ids + ticks of up to one chunk of 65536
/// spikes, 12 bytes each) and of one trace (one chunk of about 65536 values, 8 bytes each).
constexpr double spike_buffer_bytes = 65536.0 * 12.0;
constexpr double trace_buffer_bytes = 65536.0 * 8.0;
/// The output file's fixed part: root attributes, groups, the ledger's metadata.
constexpr double output_fixed_bytes = 32.0 * 1024;

double partitions_of(double n) { return n > 0 ? std::ceil(n / partition_size) : 0.0; }

/// A double as a size_t for the plug-ins' contexts, saturating instead of overflowing.
std::size_t to_size(double v) {
    if (!(v > 0)) return 0;
    constexpr double top = static_cast<double>(std::numeric_limits<std::size_t>::max() / 2);
    return static_cast<std::size_t>(std::min(v, top));
}

/// The delay ticks of a distribution that a block spans: 1 for a constant, else the range the
/// draws can take (a normal one within 6 sd unless bounded tighter), at most one per synapse.
double delay_span(const distribution& d, double h, double synapses_per_block) {
    if (d.is_constant()) return 1.0;
    double lo = d.min, hi = d.max;
    if (d.k == distribution::kind::uniform) {
        lo = std::max(lo, d.low);
        hi = std::min(hi, d.high);
    } else {
        lo = std::max(lo, d.mean - 6.0 * d.sd);
        hi = std::min(hi, d.mean + 6.0 * d.sd);
    }
    if (!std::isfinite(lo) || !std::isfinite(hi) || hi < lo) return 1.0;
    const double span = std::round(hi / h) - std::round(lo / h) + 1.0;
    return std::max(1.0, std::min(span, std::max(1.0, synapses_per_block)));
}

/// The largest delay [ticks] a projection can have (the spike ring's size).
double delay_max_ticks(const distribution& d, double h) {
    if (d.is_constant()) return std::round(d.value / h);
    double hi = d.k == distribution::kind::uniform ? std::min(d.max, d.high) : std::min(d.max, d.mean + 6.0 * d.sd);
    return std::isfinite(hi) ? std::max(1.0, std::round(hi / h)) : 1.0;
}

/// Accumulates the memory items by name.
struct memory_sum {
    std::vector<memory_item> items;
    void add(const std::string& what, double steady, double build) {
        for (auto& it : items)
            if (it.what == what) {
                it.steady_bytes += steady;
                it.build_bytes += build;
                return;
            }
        items.push_back({what, steady, build});
    }
};

/// What the estimate learns about one population on the way.
struct population_figures {
    double spikes = 0;       // per run, exact (expected) or bound
    bool exact = false;
    double out_synapses = 0; // synapses whose source is in this population
    double distinct_delays = 0;  // per source neuron, over its projections
    std::vector<double> constant_delays;  // ticks, to count equal constant delays once
};

/// The synapse store, plasticity and the backend's blocks: one pass over the projections.
struct projection_pass {
    const scenario& sc;
    const model_registry& models;
    resource_estimate& e;
    memory_sum& mem;
    std::vector<population_figures>& pops;
    std::vector<block_shape> shapes;
    double source_lists = 0;   // the largest source-driven temporary list set
    double scratch = 0;        // per-thread build scratch (sampler bitmap, delay index of a block)
    double ring_ticks = 1;

    std::size_t index_of(const std::string& name) const {
        for (std::size_t k = 0; k < sc.populations.size(); ++k)
            if (sc.populations[k].name == name) return k;
        return 0;  // validated: cannot happen
    }

    void run() {
        const double h = sc.simulation.resolution_ms;
        for (std::uint32_t j = 0; j < sc.projections.size(); ++j) {
            const projection_spec& p = sc.projections[j];
            double S = expected_synapses(sc, models, j);
            if (!std::isfinite(S)) {
                e.unknown_synapses.push_back(p.name);
                S = 0;
            }
            e.synapses += S;
            const std::size_t si = index_of(p.source), ti = index_of(p.target);
            const double ns = static_cast<double>(sc.populations[si].size);
            const double nt = static_cast<double>(sc.populations[ti].size);
            const double np = partitions_of(nt);
            const double per_block = np > 0 ? S / np : 0.0;
            // A target partition without synapses of the projection gets no block.
            const double blocks = per_block > 0 ? np * -std::expm1(-per_block) : 0.0;
            const double dc = delay_span(p.delay, h, per_block);
            const bool plastic = p.plasticity.enabled();
            const bool homogeneous = !plastic && p.weight.is_constant();
            const double offsets = blocks * (ns * dc + 1.0) * 8.0;  // synapse_block::offsets

            // A static block with one constant weight is built without per-synapse weights
            // (build.cpp, build_block), so its build costs what it keeps: 4 bytes per synapse.
            const double per_synapse = homogeneous ? 4.0 : 8.0;
            mem.add("synapses", offsets + S * per_synapse, offsets + S * per_synapse);
            if (models.find_connectivity(p.rule).source_driven)  // build.cpp: source_lists
                source_lists = std::max(source_lists, (ns + 1.0) * 8.0 + S * (dc > 1 ? 12.0 : 8.0));
            const double index_bytes = dc > 65536 ? 4.0 : dc > 256 ? 2.0 : dc > 1 ? 1.0 : 0.0;
            // build.cpp keeps a block's drawn delays (2 bytes each) while it fills the block.
            const double kept_delays = p.delay.is_constant() ? 0.0 : 2.0;
            scratch = std::max(scratch, ns / 8.0 + per_block * (index_bytes + kept_delays));
            ring_ticks = std::max(ring_ticks, delay_max_ticks(p.delay, h));

            auto& src = pops[si];
            src.out_synapses += S;
            const double out_degree = ns > 0 ? S / ns : 0.0;
            if (dc == 1 && p.delay.is_constant()) {
                const double d = std::round(p.delay.value / h);
                if (out_degree > 0 && std::find(src.constant_delays.begin(), src.constant_delays.end(), d) == src.constant_delays.end()) {
                    src.constant_delays.push_back(d);
                    src.distinct_delays += 1;
                }
            } else {
                src.distinct_delays += std::min(dc, out_degree);
            }

            if (plastic) plasticity(p, blocks, ns * dc, nt / std::max(np, 1.0), per_block);
            shapes.push_back({j, blocks, ns, dc, np > 0 ? nt / np : 0.0, per_block, plastic, homogeneous});
        }
    }

    /// The rule state and reverse index of a plastic projection's blocks (plasticity.hpp).
    void plasticity(const projection_spec& p, double blocks, double ranges, double targets, double per_block) {
        const plasticity_info& rule = models.find_plasticity(p.plasticity.rule);
        const param_map params = rule.complete(p.plasticity.params);
        const std::string interaction = p.plasticity.interaction.empty() && !rule.interactions.empty()
                                            ? rule.interactions.front()
                                            : p.plasticity.interaction;
        const plastic_context cx{params, interaction, to_size(ranges), to_size(targets), to_size(per_block),
                                 sc.simulation.resolution_ms};
        const double state = rule.state_bytes ? rule.state_bytes(cx) : 16.0 * (ranges + targets);
        const double reverse = (targets + 1.0) * 4.0 + per_block * (4.0 + (ranges <= 65536 ? 2.0 : 4.0));
        mem.add("plasticity", blocks * (state + reverse), 0);
    }
};

}  // namespace

// Implemented below: the parts that are not the synapse store.
namespace {
void neurons_part(const scenario& sc, const model_registry& models, resource_estimate& e, memory_sum& mem,
                  std::vector<population_figures>& pops);
void stimuli_part(const scenario& sc, const model_registry& models, resource_estimate& e, memory_sum& mem);
void output_part(const scenario& sc, const model_registry& models, resource_estimate& e, memory_sum& mem,
                 const std::vector<population_figures>& pops);
}  // namespace

resource_estimate estimate_resources(const scenario& sc, const model_registry& models) {
    resource_estimate e;
    const double h = sc.simulation.resolution_ms;
    e.duration_ms = sc.simulation.duration_ms;
    e.ticks = std::round(sc.simulation.duration_ms / h);
    e.threads = sc.simulation.threads ? sc.simulation.threads : std::max(1u, std::thread::hardware_concurrency());
    for (const auto& p : sc.populations) {
        e.neurons += static_cast<double>(p.size);
        e.partitions += partitions_of(static_cast<double>(p.size));
    }

    memory_sum mem;
    e.baseline_bytes = process_bytes + thread_bytes * e.threads;
    mem.add("process (code, libraries, threads)", e.baseline_bytes, e.baseline_bytes);
    std::vector<population_figures> pops(sc.populations.size());
    neurons_part(sc, models, e, mem, pops);  // first: the spike figures feed the projections' events

    projection_pass pp{sc, models, e, mem, pops, {}, 0, 0, 1};
    pp.run();
    mem.add("synapse build scratch (per thread, temporary)", 0, pp.scratch * e.threads + pp.source_lists);
    // build.cpp: index_source_delays, 8 bytes per neuron plus 4 per distinct outgoing delay.
    double delay_index = (e.neurons + 1.0) * 8.0;
    for (std::size_t k = 0; k < pops.size(); ++k)
        delay_index += 4.0 * static_cast<double>(sc.populations[k].size) * pops[k].distinct_delays;
    mem.add("per-source delay index", delay_index, delay_index);
    mem.add("spike ring", (pp.ring_ticks + 1.0) * 24.0, 0);

    // Events that follow from the spikes: each spike reaches the source's out-degree.
    for (std::size_t k = 0; k < pops.size(); ++k) {
        const double n = static_cast<double>(sc.populations[k].size);
        const double degree = n > 0 ? pops[k].out_synapses / n : 0.0;
        if (pops[k].exact) e.synaptic_events += pops[k].spikes * degree;
        e.synaptic_events_max += pops[k].spikes * degree;
    }

    const backend_info& backend = models.find_backend(sc.backend.kind);
    double backend_build = 0;
    if (backend.memory) {
        const backend_memory bm = backend.memory(backend.complete(sc.backend.params), pp.shapes);
        mem.add("backend (" + backend.name + ")", bm.steady_bytes, 0);
        backend_build = bm.build_bytes;
    }
    stimuli_part(sc, models, e, mem);
    output_part(sc, models, e, mem, pops);

    // The build peak: the store with all its weights and the temporaries, before the neurons,
    // plasticity, backend and stimuli exist; later the steady state, plus the backend's mapping.
    double build = 0;
    for (const auto& it : mem.items) {
        e.steady_bytes += it.steady_bytes;
        build += it.build_bytes;
    }
    e.peak_bytes = std::max(build, e.steady_bytes + backend_build);
    // graph.cpp: the CSR graph (a 4-byte target per synapse, an 8-byte offset per neuron), degree
    // counts (4 x 8 bytes), union-find (8) and components (8) per neuron.
    e.analysis_bytes = 4.0 * e.synapses + 56.0 * e.neurons;
    if (backend_build > 0) mem.add("backend mapping (temporary)", 0, backend_build);
    e.memory = std::move(mem.items);
    return e;
}

namespace {

void neurons_part(const scenario& sc, const model_registry& models, resource_estimate& e, memory_sum& mem,
                  std::vector<population_figures>& pops) {
    const double h = sc.simulation.resolution_ms;
    for (std::size_t k = 0; k < sc.populations.size(); ++k) {
        population_spec pop = sc.populations[k];
        const model_info& model = models.find(pop.model);
        pop.params = complete_population_params(model, pop);
        const double n = static_cast<double>(pop.size);
        const double state = model.state_bytes ? model.state_bytes(pop) : 64.0 * n;
        // input_buffer: a double per port, a flag, a touched entry; plus the partition objects.
        const double input = n * (8.0 * static_cast<double>(model.ports.size()) + 1.0 + 4.0);
        const double parts = partitions_of(n) * (partition_bytes + 24.0 * static_cast<double>(sc.populations.size()));
        mem.add("neuron state", state, 0);
        mem.add("input buffers and partitions", input + parts, 0);
        const spike_bound b = model.spikes ? model.spikes(pop, sc.simulation.duration_ms, h)
                                           : spike_bound{sc.simulation.duration_ms / h, false};
        pops[k].spikes = b.count * n;
        pops[k].exact = b.exact;
        if (b.exact) e.source_spikes += pops[k].spikes;
        else e.neuron_spikes_max += pops[k].spikes;
    }
}

void stimuli_part(const scenario& sc, const model_registry& models, resource_estimate& e, memory_sum& mem) {
    const double h = sc.simulation.resolution_ms;
    const double end = std::round(sc.simulation.duration_ms / h);
    for (std::uint32_t s = 0; s < sc.stimuli.size(); ++s) {
        const stimulus_spec& st = sc.stimuli[s];
        const stimulus_info& kind = models.find_stimulus(st.kind);
        const population_spec* pop = sc.find_population(st.target);
        const double targets = st.neurons.empty() ? (pop ? static_cast<double>(pop->size) : 0.0) : static_cast<double>(st.neurons.size());
        const double parts = st.neurons.empty() ? partitions_of(targets) : std::min(targets, partitions_of(pop ? static_cast<double>(pop->size) : 0.0));
        const stimulus_build b{st, s, h};
        if (kind.events) {
            const event_train t = kind.events(b);
            const double stop = t.stop == no_stop_tick ? end : std::min(end, static_cast<double>(t.stop));
            const double active_ms = std::max(0.0, stop - static_cast<double>(t.start)) * h;
            e.stimulus_events += t.rate_hz * active_ms * 1e-3 * targets;
            // poisson_drive: a stream and a target index per target; in event mode also the next
            // event time and a heap entry; a 2 KiB table per partition.
            const bool dense = !t.shared && t.rate_hz * h * 1e-3 >= 0.05;
            const double per_target = 4.0 + (t.shared ? 0.0 : 32.0) + (dense ? 0.0 : 24.0);
            mem.add("stimuli", targets * per_target + parts * 2048.0, 0);
        } else {
            // A current_event per change and partition, each with its partition's target list.
            const double changes = static_cast<double>(kind.currents(b).size());
            mem.add("stimuli", changes * (targets * 4.0 + parts * 64.0), 0);
        }
    }
}

void output_part(const scenario& sc, const model_registry& models, resource_estimate& e, memory_sum& mem,
                 const std::vector<population_figures>& pops) {
    const double h = sc.simulation.resolution_ms;
    const double ticks = e.ticks;
    e.output.push_back({"file header, provenance and scenario text",
                        output_fixed_bytes + static_cast<double>(sc.text.size()),
                        output_fixed_bytes + static_cast<double>(sc.text.size())});
    // Spikes: a uint32 id and an int64 tick each.
    output_item spikes{"spikes", 0, 0};
    for (std::size_t k = 0; k < sc.populations.size(); ++k) {
        const auto& pop = sc.populations[k];
        const auto& listed = sc.recording.spike_populations;
        if (!sc.recording.all_spikes && std::find(listed.begin(), listed.end(), pop.name) == listed.end()) continue;
        const double bytes = 12.0 * pops[k].spikes;
        if (pops[k].exact) spikes.bytes += bytes;
        spikes.max_bytes += bytes;
        mem.add("recording buffers", std::min(spike_buffer_bytes, bytes), 0);
    }
    e.output.push_back(spikes);
    // Traces: a float64 per neuron and sample plus the sample's int64 tick.
    output_item traces{"traces", 0, 0};
    for (const auto& tr : sc.recording.traces) {
        const double interval = std::max(1.0, std::round(tr.interval_ms / h));
        const double samples = std::ceil(ticks / interval);
        const double cols = static_cast<double>(tr.neurons.size());
        const double vars = static_cast<double>(tr.variables.size());
        traces.bytes += vars * (samples * (8.0 * cols + 8.0) + 8.0 * cols);
        mem.add("recording buffers", vars * std::min(trace_buffer_bytes + 8.0 * cols, samples * (8.0 * cols + 8.0)), 0);
    }
    traces.max_bytes = traces.bytes;
    e.output.push_back(traces);
    // Weight snapshots: the (source, target, delay) table once, then a float per synapse and
    // snapshot (at the start, every interval, at the end); a snapshot gathers the projection.
    output_item weights{"weight snapshots", 0, 0};
    for (const auto& ws : sc.recording.weights) {
        double S = 0;
        for (std::size_t j = 0; j < sc.projections.size(); ++j)
            if (sc.projections[j].name == ws.projection) {
                const double x = expected_synapses(sc, models, j);
                S = std::isfinite(x) ? x : 0.0;
            }
        const double interval = ws.interval_ms > 0 ? std::max(1.0, std::round(ws.interval_ms / h)) : 0.0;
        const double snapshots = 2.0 + (interval > 0 ? std::floor(ticks / interval) : 0.0);
        weights.bytes += 12.0 * S + snapshots * (4.0 * S + 8.0);
        mem.add("recording buffers", 16.0 * S, 0);  // synapse_list: source, target, weight, delay
    }
    weights.max_bytes = weights.bytes;
    e.output.push_back(weights);
    // The energy ledger: a uint64 per counter per bin, plus the bin's int64 tick.
    output_item energy{"energy ledger bins", 0, 0};
    if (sc.recording.energy_bin_ms > 0) {
        const double bin = std::max(1.0, std::round(sc.recording.energy_bin_ms / h));
        const double counters = static_cast<double>(event_counts().names().size() +
                                                    models.find_backend(sc.backend.kind).counters.size());
        energy.bytes = std::ceil(ticks / bin) * (8.0 * counters + 8.0);
    }
    energy.max_bytes = energy.bytes;
    e.output.push_back(energy);
    for (const auto& o : e.output) {
        e.output_bytes += o.bytes;
        e.output_max_bytes += o.max_bytes;
    }
}

}  // namespace

}  // namespace memspike
