// SPDX-License-Identifier: MIT
// The event-driven scheduler. See core/event_delivery.md for the design; in short, per visited tick:
//   1. current stimuli (DC, steps) due now change the neurons' external current;
//   2. every partition, in parallel: delivers the spikes of this tick's ring slot through its
//      synapse blocks into per-neuron input sums, adds its Poisson drive, and advances its neurons;
//   3. serially, in partition order: the spikes of this tick are recorded and enqueued in the ring
//      at tick + d for every distinct outgoing delay d of their source;
//   4. the next tick at which anything can happen is computed, and the ticks in between are skipped.
// Partitions are fixed slices of populations, independent of the thread count, and every random
// stream is keyed by (seed, purpose, object, neuron): the spikes are the same for any thread count.
#include "memspike/core/simulation.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <fstream>
#include <cmath>
#include <numeric>
#include <optional>
#include <queue>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>
#include <oneapi/tbb/task_arena.h>

#include "memspike/core/backend.hpp"
#include "memspike/core/connectivity.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/plasticity.hpp"
#include "memspike/core/random.hpp"
#include "memspike/core/recorder.hpp"
#include "memspike/core/scenario.hpp"
#include "memspike/core/state_io.hpp"

namespace memspike {
namespace {

constexpr tick_t never = std::numeric_limits<tick_t>::max();

/// An independent or shared Poisson train of synaptic events onto the targets of one stimulus
/// that lie in one partition.
///   dense mode (independent, rate*h >= 0.05): each tick draws a Poisson count per target;
///   event mode (shared, or low rate): each target (or the shared train) draws exponential
///   intervals in continuous time; an event at time s falls on tick ceil(s / h).
/// Both give exactly Poisson(rate*h) events per tick and target.
struct poisson_drive {
    std::uint32_t port = 0;
    double weight = 0.0;
    double lambda = 0.0;       // expected events per tick per target
    double mean_isi_ms = 0.0;
    double h_ms = 0.1;
    tick_t start = 0, stop = never;  // active on [start, stop)
    bool shared = false, dense = false;
    std::vector<std::uint32_t> targets;  // partition-local
    std::vector<random_stream> rng;      // one per target (independent) or one (shared)
    std::vector<double> cdf;             // dense mode: P(count <= k), up to a tail below 1e-17
    /// Dense mode: guide[b] = the smallest k with cdf[k] > b / 256, where the search for a uniform
    /// u in [b/256, (b+1)/256) may start (a guide table, Chen & Asau 1974): the same k as a scan
    /// from 0, in about one comparison.
    std::array<std::uint32_t, 256> guide{};
    std::vector<double> next_ms;         // event mode: next event time per stream
    std::priority_queue<std::pair<tick_t, std::uint32_t>, std::vector<std::pair<tick_t, std::uint32_t>>,
                        std::greater<>>
        heap;  // event mode: (tick, stream)

    void push(std::uint32_t s) {
        const double stop_ms = stop == never ? std::numeric_limits<double>::infinity() : static_cast<double>(stop) * h_ms;
        if (next_ms[s] < stop_ms) heap.emplace(std::max<tick_t>(start, static_cast<tick_t>(std::ceil(next_ms[s] / h_ms))), s);
    }

    /// Adds this tick's events to the input buffer; returns the number of events.
    std::uint64_t apply(tick_t t, input_buffer& in) {
        if (t < start || t >= stop) return 0;
        std::uint64_t events = 0;
        if (dense) {
            // Inversion against the tabulated CDF: one uniform draw and ~lambda comparisons.
            const double* c = cdf.data();
            const std::size_t last = cdf.size() - 1;
            for (std::size_t j = 0; j < targets.size(); ++j) {
                const double u = rng[j].uniform();
                std::size_t k = guide[static_cast<std::size_t>(u * 256.0)];
                while (u >= c[k] && k < last) ++k;
                if (k) {
                    in.add(port, targets[j], static_cast<double>(k) * weight);
                    events += k;
                }
            }
            return events;
        }
        while (!heap.empty() && heap.top().first <= t) {
            const std::uint32_t s = heap.top().second;
            heap.pop();
            if (shared) {
                for (const std::uint32_t target : targets) in.add(port, target, weight);
                events += targets.size();
            } else {
                in.add(port, targets[s], weight);
                ++events;
            }
            next_ms[s] += rng[s].exponential(mean_isi_ms);
            push(s);
        }
        return events;
    }

    tick_t next_tick(tick_t now) const {
        if (now + 1 >= stop) return never;
        if (dense) return std::max(now + 1, start);
        return heap.empty() ? never : heap.top().first;
    }
};

/// A change of external current at one tick for some neurons of one partition.
struct current_event {
    tick_t tick;
    std::uint32_t partition;
    std::vector<std::uint32_t> neurons;  // partition-local
    double delta_pa;
};

/// A change of the neuromodulator signal of one projection.
struct modulator_event {
    tick_t tick;
    std::size_t projection;
    double value;
};

struct weight_recording {
    std::size_t handle = 0;
    std::size_t projection = 0;
    tick_t interval = 0;     // 0: only at the start and the end of runs
    tick_t last = -1;        // tick of the last snapshot
};

struct trace_state {
    std::size_t handle = 0;                   // recorder handle
    std::uint32_t population = 0;
    std::size_t variable = 0;
    tick_t interval = 1;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> where;  // (partition, local index) per neuron
    std::vector<double> values;
};

} // namespace

struct simulation::impl {
    scenario sc;
    const model_registry& models;
    tbb::task_arena arena;
    unsigned threads;
    std::vector<std::uint64_t> pop_offset;  // global id of each population's first neuron
    synapse_store store;

    struct partition {
        partition_range range;
        std::unique_ptr<neuron_group> group;
        input_buffer in;
        std::vector<std::uint32_t> spikes;
        std::vector<poisson_drive> drives;
        /// Blocks of store.blocks[p] indexed by source population (indices into that vector).
        std::vector<std::vector<std::uint32_t>> blocks_by_source;
        /// Per block of store.blocks[p]: the plasticity rule state (null for static blocks) and
        /// its reverse index.
        std::vector<std::unique_ptr<plastic_block>> plastic;
        std::vector<reverse_index> reverse;
        bool any_plastic = false;
        std::uint64_t delivered = 0, stimulus_events = 0, updates = 0;
        /// Who computes the synaptic sums of this partition, and what it sees.
        std::unique_ptr<synaptic_backend> backend;
        partition_view view;
    };
    std::vector<partition> parts;
    std::vector<std::vector<spike_arrival>> ring;  // spikes by arrival tick modulo the ring size
    bool clock_driven = false;  // a backend that must run every tick (dense): no time skipping
    std::vector<current_event> current_events;  // sorted by tick
    std::size_t next_current_event = 0;
    std::vector<trace_state> traces;
    std::vector<weight_recording> weight_recs;
    std::vector<modulator_event> modulator_events;  // sorted by tick
    tick_t energy_bin = 0;         // ticks per ledger bin written to the recorder (0: none)
    event_counts energy_written;   // totals at the end of the last written bin
    std::size_t next_modulator_event = 0;
    std::vector<spike_trains> kept_spikes;
    tick_t now = 0;
    run_counters counters;

    /// Builds the network; with `reuse`, takes that synapse store (same scenario) instead of
    /// generating the connectivity again (reset with kept weights).
    impl(const scenario& s, const model_registry& m, unsigned n_threads, synapse_store* reuse = nullptr)
        : sc(s), models(m),
          arena(n_threads == 0 ? tbb::task_arena::automatic : static_cast<int>(n_threads)),
          threads(n_threads == 0 ? static_cast<unsigned>(tbb::this_task_arena::max_concurrency()) : n_threads) {
        for (auto& p : sc.populations) p.params = models.find(p.model).complete(p.params);
        pop_offset = population_offsets(sc);
        const auto ranges = make_partitions(sc);
        if (reuse != nullptr)
            store = std::move(*reuse);
        else
            arena.execute([&] { store = build_synapses(sc, models, ranges); });
        parts.resize(ranges.size());
        arena.execute([&] {
            tbb::parallel_for(std::size_t{0}, ranges.size(), [&](std::size_t p) { make_partition(p, ranges[p]); });
        });
        ring.resize(static_cast<std::size_t>(store.max_delay) + 1);
        make_backends();
        make_stimuli();
        for (const auto& m : sc.modulators)
            for (const auto& name : m.projections)
                for (std::size_t j = 0; j < sc.projections.size(); ++j)
                    if (sc.projections[j].name == name)
                        for (std::size_t i = 0; i < m.times_ms.size(); ++i)
                            modulator_events.push_back({ms_to_ticks_round(m.times_ms[i], sc.simulation.resolution_ms), j, m.values[i]});
        std::stable_sort(modulator_events.begin(), modulator_events.end(),
                         [](const auto& a, const auto& b) { return a.tick < b.tick; });
        kept_spikes.resize(sc.populations.size());
    }

    void make_partition(std::size_t p, const partition_range& r) {
        auto& part = parts[p];
        part.range = r;
        const auto& pop = sc.populations[r.population];
        const model_info& model = models.find(pop.model);
        const group_context ctx{pop, r.population, r.first, r.count, sc.simulation.resolution_ms, sc.simulation.seed,
                                sc.simulation.quiescence_tolerance};
        part.group = model.create(ctx);
        part.in.resize(model.ports.size(), r.count);
        part.blocks_by_source.resize(sc.populations.size());
        for (std::uint32_t b = 0; b < store.blocks[p].size(); ++b)
            part.blocks_by_source[store.blocks[p][b].source_population].push_back(b);
        part.plastic.resize(store.blocks[p].size());
        part.reverse.resize(store.blocks[p].size());
        for (std::uint32_t b = 0; b < store.blocks[p].size(); ++b) {
            const synapse_block& block = store.blocks[p][b];
            const projection_spec& proj = sc.projections[block.projection];
            if (!proj.plasticity.enabled()) continue;
            const plasticity_info& rule = models.find_plasticity(proj.plasticity.rule);
            const param_map params = rule.complete(proj.plasticity.params);
            // Drawn initial weights, which validate() could not see: within the rule's weight bounds.
            // Weights are stored as float: compare with the bounds as float too.
            const auto [w_lo, w_hi] = rule.bounds(params);
            for (const float w : block.weights)
                if (w < static_cast<float>(w_lo) || w > static_cast<float>(w_hi))
                    throw scenario_error(proj.where.file, proj.where.line, proj.where.column, proj.where.key + ".weight",
                                         "initial weight " + std::to_string(w) + " lies outside the weight bounds of rule '" +
                                             proj.plasticity.rule + "': [" + std::to_string(w_lo) + ", " + std::to_string(w_hi) + "]");
            const plastic_context ctx{params, proj.plasticity.interaction, block.offsets.size() - 1, r.count, block.size(),
                                      sc.simulation.resolution_ms};
            part.plastic[b] = rule.create(ctx);
            part.reverse[b] = reverse_index::build(block, r.count);
            part.any_plastic = true;
        }
    }

    void make_backends() {
        const backend_info& info = models.find_backend(sc.backend.kind);
        param_map params;
        try {
            params = info.complete(sc.backend.params);
        } catch (const error& e) {
            if (sc.backend.where.file.empty()) throw;
            throw scenario_error(sc.backend.where.file, sc.backend.where.line, sc.backend.where.column, sc.backend.where.key, e.what());
        }
        const backend_context cx{sc, models, store, params};
        auto backends = info.create(cx);
        if (backends.size() != parts.size())
            throw internal_error("backend '" + info.name + "' made " + std::to_string(backends.size()) + " partition backends for " +
                                 std::to_string(parts.size()) + " partitions");
        for (std::size_t p = 0; p < parts.size(); ++p) {
            auto& part = parts[p];
            part.backend = std::move(backends[p]);
            part.view.blocks = store.blocks[p];
            part.view.blocks_by_source = part.blocks_by_source;
            part.view.plastic = part.plastic;
            part.view.any_plastic = part.any_plastic;
            clock_driven = clock_driven || part.backend->clock_driven();
        }
    }

    /// Tells the backends of every partition that the weights of a projection's blocks changed.
    void weights_changed(std::size_t projection, tick_t t) {
        for (auto& part : parts)
            for (std::size_t b = 0; b < part.view.blocks.size(); ++b)
                if (part.view.blocks[b].projection == projection) part.backend->weights_changed(t, part.view, b);
    }

    /// The partition and local index of neuron j of population `pop`.
    std::pair<std::uint32_t, std::uint32_t> locate(std::uint32_t pop, std::uint64_t j) const {
        for (std::uint32_t p = 0; p < parts.size(); ++p) {
            const auto& r = parts[p].range;
            if (r.population == pop && j >= r.first && j < r.first + r.count)
                return {p, static_cast<std::uint32_t>(j - r.first)};
        }
        throw internal_error("neuron outside every partition");
    }

    std::uint32_t population_index(const std::string& name) const {
        for (std::uint32_t k = 0; k < sc.populations.size(); ++k)
            if (sc.populations[k].name == name) return k;
        throw scenario_error(sc.file, 0, 0, "", "no population named '" + name + "'");
    }

    /// Neurons of population `pop` targeted by a stimulus, grouped by partition.
    std::vector<std::vector<std::uint32_t>> targets_by_partition(std::uint32_t pop, const std::vector<std::uint64_t>& subset) {
        std::vector<std::vector<std::uint32_t>> out(parts.size());
        if (subset.empty()) {
            for (std::uint32_t p = 0; p < parts.size(); ++p)
                if (parts[p].range.population == pop)
                    for (std::uint32_t i = 0; i < parts[p].range.count; ++i) out[p].push_back(i);
        } else {
            for (const std::uint64_t j : subset) {
                const auto [p, i] = locate(pop, j);
                out[p].push_back(i);
            }
        }
        return out;
    }

    void make_stimuli() {
        const double h = sc.simulation.resolution_ms;
        for (std::uint32_t s = 0; s < sc.stimuli.size(); ++s) {
            const auto& st = sc.stimuli[s];
            const std::uint32_t pop = population_index(st.target);
            const auto targets = targets_by_partition(pop, st.neurons);
            const tick_t start = ms_to_ticks_round(st.start_ms, h);
            const tick_t stop = std::isfinite(st.stop_ms) ? ms_to_ticks_round(st.stop_ms, h) : never;
            if (st.kind == "poisson") {
                const model_info& model = models.find(sc.populations[pop].model);
                const auto port = static_cast<std::uint32_t>(model.port_index(st.receptor));
                for (std::uint32_t p = 0; p < parts.size(); ++p) {
                    if (targets[p].empty()) continue;
                    poisson_drive d;
                    d.port = port;
                    d.weight = st.weight;
                    d.lambda = st.rate_hz * h * 1e-3;
                    d.mean_isi_ms = 1000.0 / st.rate_hz;
                    d.h_ms = h;
                    d.start = start;
                    d.stop = stop;
                    d.shared = st.shared;
                    d.dense = !st.shared && d.lambda >= 0.05;
                    if (d.dense) {
                        // P(N <= k) for N ~ Poisson(lambda), summed until the tail is below 1e-17.
                        double pk = std::exp(-d.lambda), total = pk;
                        d.cdf.push_back(total);
                        for (int k = 1; 1.0 - total > 1e-17 && k < 10000; ++k) {
                            pk *= d.lambda / k;
                            total += pk;
                            d.cdf.push_back(total);
                        }
                        d.cdf.back() = 1.0;
                        std::size_t k = 0;
                        for (std::size_t b = 0; b < d.guide.size(); ++b) {
                            while (k + 1 < d.cdf.size() && d.cdf[k] <= static_cast<double>(b) / 256.0) ++k;
                            d.guide[b] = static_cast<std::uint32_t>(k);
                        }
                    }
                    d.targets = targets[p];
                    const auto& r = parts[p].range;
                    if (st.shared) {
                        d.rng.emplace_back(sc.simulation.seed, stream_purpose::poisson_stimulus, s, 0);
                    } else {
                        for (const std::uint32_t i : d.targets)
                            d.rng.emplace_back(sc.simulation.seed, stream_purpose::poisson_stimulus, s, r.first + i);
                    }
                    if (!d.dense) {
                        d.next_ms.resize(d.rng.size());
                        for (std::uint32_t k = 0; k < d.rng.size(); ++k) {
                            // The train starts at `start`: the first event lies one interval after it.
                            d.next_ms[k] = static_cast<double>(start) * h + d.rng[k].exponential(d.mean_isi_ms);
                            d.push(k);
                        }
                    }
                    parts[p].drives.push_back(std::move(d));
                }
            } else {
                std::vector<std::pair<tick_t, double>> changes;  // (tick, delta)
                if (st.kind == "dc") {
                    changes.emplace_back(start, st.amplitude_pa);
                    if (stop != never) changes.emplace_back(stop, -st.amplitude_pa);
                } else {  // step
                    double previous = 0.0;
                    for (std::size_t k = 0; k < st.times_ms.size(); ++k) {
                        changes.emplace_back(ms_to_ticks_round(st.times_ms[k], h), st.amplitudes_pa[k] - previous);
                        previous = st.amplitudes_pa[k];
                    }
                }
                for (const auto& [tick, delta] : changes)
                    for (std::uint32_t p = 0; p < parts.size(); ++p)
                        if (!targets[p].empty()) current_events.push_back({tick, p, targets[p], delta});
            }
        }
        std::stable_sort(current_events.begin(), current_events.end(),
                         [](const auto& a, const auto& b) { return a.tick < b.tick; });
    }

    void deliver(partition& part, tick_t t) {
        const auto& slot = ring[static_cast<std::size_t>(t % static_cast<tick_t>(ring.size()))];
        if (!slot.empty() || clock_driven) part.delivered += part.backend->deliver(t, slot, part.view, part.in);
    }

    void step_partition(std::size_t p, tick_t t) {
        partition& part = parts[p];
        // The drive goes first: where it touches every neuron (Brunel), the "first input this
        // tick?" branch of the delivery loop below is then always predicted right.
        for (auto& d : part.drives) part.stimulus_events += d.apply(t, part.in);
        deliver(part, t);
        part.updates += part.in.touched.size();
        part.spikes.clear();
        part.group->advance(t, part.in, part.spikes);
        std::sort(part.spikes.begin(), part.spikes.end());
        if (part.any_plastic && !part.spikes.empty())
            for (std::size_t b = 0; b < part.plastic.size(); ++b)
                if (part.plastic[b]) part.plastic[b]->on_post(t, part.spikes, store.blocks[p][b], part.reverse[b]);
    }

    tick_t next_tick(tick_t t) const {
        if (clock_driven) return t + 1;  // a clock-driven backend works every tick
        tick_t next = never;
        const auto L = static_cast<tick_t>(ring.size());
        for (tick_t d = 1; d < L; ++d)
            if (!ring[static_cast<std::size_t>((t + d) % L)].empty()) {
                next = t + d;
                break;
            }
        if (next == t + 1) return next;  // nothing can come earlier: skip the other scans
        for (const auto& part : parts) {
            next = std::min(next, part.group->next_event_tick(t));
            for (const auto& d : part.drives) next = std::min(next, d.next_tick(t));
        }
        if (next_current_event < current_events.size()) next = std::min(next, current_events[next_current_event].tick);
        if (next_modulator_event < modulator_events.size()) next = std::min(next, modulator_events[next_modulator_event].tick);
        for (const auto& tr : traces) next = std::min(next, (t / tr.interval + 1) * tr.interval);
        if (energy_bin > 0) next = std::min(next, ((t + 1) / energy_bin + 1) * energy_bin - 1);
        // A weight snapshot "at tick T" holds the weights after tick T-1: visit T-1.
        for (const auto& wr : weight_recs)
            if (wr.interval > 0) next = std::min(next, ((t + 1) / wr.interval + 1) * wr.interval - 1);
        return std::max(next, t + 1);
    }

    void collect_spikes(tick_t t, recorder* rec, bool keep) {
        const auto L = static_cast<tick_t>(ring.size());
        for (auto& part : parts) {
            if (part.spikes.empty()) continue;
            const std::uint32_t pop = part.range.population;
            const std::uint64_t base = pop_offset[pop] + part.range.first;
            ids_.clear();
            for (const std::uint32_t i : part.spikes) {
                const auto j = static_cast<std::uint32_t>(part.range.first + i);
                ids_.push_back(j);
                const std::uint64_t g = base + i;
                for (std::uint64_t k = store.source_delay_offsets[g]; k < store.source_delay_offsets[g + 1]; ++k) {
                    const std::int32_t d = store.source_delays[k];
                    ring[static_cast<std::size_t>((t + d) % L)].push_back({j, pop, d});
                }
            }
            counters.spikes += ids_.size();
            if (keep) {
                auto& kept = kept_spikes[pop];
                kept.ids.insert(kept.ids.end(), ids_.begin(), ids_.end());
                kept.ticks.insert(kept.ticks.end(), ids_.size(), t);
            }
            if (rec && spike_handle_[pop] != no_handle) {
                ticks_.assign(ids_.size(), t);
                rec->append_spikes(spike_handle_[pop], ids_, ticks_);
            }
        }
    }

    void sample_traces(tick_t t, recorder* rec) {
        for (auto& tr : traces) {
            if (t % tr.interval != 0) continue;
            for (std::size_t k = 0; k < tr.where.size(); ++k)
                tr.values[k] = parts[tr.where[k].first].group->peek(t, tr.where[k].second, tr.variable);
            if (rec) rec->append_trace(tr.handle, t, tr.values);
        }
    }

    /// Energy-ledger totals now (counters already folded in, plus the partitions' running ones).
    event_counts events_now() const {
        event_counts e;
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
            part.backend->add_events(e);
        }
        return e;
    }

    void write_energy_bin(recorder* rec, tick_t end) {
        const event_counts now_counts = events_now();
        std::array<std::uint64_t, event_names.size()> bin{};
        for (std::size_t k = 0; k < bin.size(); ++k) bin[k] = now_counts.n[k] - energy_written.n[k];
        rec->append_energy(end, bin);
        energy_written = now_counts;
    }

    dense_profile dense() const {
        dense_profile d;
        for (const auto& p : sc.populations)
            if (!models.find(p.model).ports.empty()) d.neurons += p.size;
        d.synapses = store.synapse_count();
        for (const auto& pr : sc.projections) {
            const auto* s = sc.find_population(pr.source);
            const auto* t = sc.find_population(pr.target);
            d.dense_weights += s->size * t->size;
        }
        return d;
    }

    /// Applies `fn(plastic_block&, synapse_block&)` to every plastic block of a projection.
    template <class Fn>
    void for_plastic(std::size_t projection, Fn&& fn) {
        for (std::size_t p = 0; p < parts.size(); ++p)
            for (std::size_t b = 0; b < parts[p].plastic.size(); ++b)
                if (parts[p].plastic[b] && store.blocks[p][b].projection == projection) fn(*parts[p].plastic[b], store.blocks[p][b]);
    }

    void set_modulator(std::size_t projection, tick_t t, double value) {
        for_plastic(projection, [&](plastic_block& pb, synapse_block& b) { pb.set_modulator(t, value, b); });
    }

    /// Brings lazily updated weights of a projection up to date (before they are read).
    void settle(std::size_t projection) { settle_at(projection, now); }

    void settle_at(std::size_t projection, tick_t t) {
        if (!sc.projections[projection].plasticity.enabled()) return;
        for_plastic(projection, [&](plastic_block& pb, synapse_block& b) { pb.settle(t, b); });
        weights_changed(projection, t);
    }

    /// The synapses of a projection in store order (partition, block, source, delay, synapse);
    /// weights only when `weights_only`.
    void gather(std::size_t projection, synapse_list& out, bool weights_only) const {
        for (std::size_t p = 0; p < parts.size(); ++p) {
            const auto& range = parts[p].range;
            for (const auto& b : store.blocks[p]) {
                if (b.projection != projection) continue;
                for (std::uint64_t s = 0; s < b.source_count; ++s)
                    for (std::int32_t d = 0; d < b.delay_count; ++d) {
                        const std::size_t k = s * static_cast<std::size_t>(b.delay_count) + static_cast<std::size_t>(d);
                        for (std::uint64_t j = b.offsets[k]; j < b.offsets[k + 1]; ++j) {
                            out.weights.push_back(b.weight(j));
                            if (weights_only) continue;
                            out.sources.push_back(static_cast<std::uint32_t>(s));
                            out.targets.push_back(static_cast<std::uint32_t>(range.first + b.targets[j]));
                            out.delays.push_back(b.delay_min + d);
                        }
                    }
            }
        }
    }

    void snapshot_weights_one(recorder* rec, weight_recording& wr, tick_t t) {
        if (wr.last == t) return;
        settle_at(wr.projection, t);
        synapse_list w;
        gather(wr.projection, w, true);
        rec->append_weights(wr.handle, t, w.weights);
        wr.last = t;
    }

    plasticity_counters plasticity_of(std::size_t projection) const {
        plasticity_counters total;
        for (std::size_t p = 0; p < parts.size(); ++p)
            for (std::size_t b = 0; b < parts[p].plastic.size(); ++b)
                if (parts[p].plastic[b] && store.blocks[p][b].projection == projection) total += parts[p].plastic[b]->counters();
        return total;
    }

    /// Snapshots every recorded projection at tick t (once per tick); with `counters_too`, also
    /// writes the plasticity counters.
    void snapshot_weights(recorder* rec, tick_t t, bool counters_too) {
        for (auto& wr : weight_recs) {
            snapshot_weights_one(rec, wr, t);
            if (!counters_too) continue;
            const plasticity_counters c = plasticity_of(wr.projection);
            rec->set_weight_counters(wr.handle, c.weight_updates, c.trace_updates, c.hits_min, c.hits_max);
        }
    }

    void attach_recorder(recorder* rec) {
        spike_handle_.assign(sc.populations.size(), no_handle);
        traces.clear();
        weight_recs.clear();
        energy_bin = 0;
        if (!rec) return;
        if (sc.recording.energy_bin_ms > 0) {
            energy_bin = std::max<tick_t>(1, ms_to_ticks_round(sc.recording.energy_bin_ms, sc.simulation.resolution_ms));
            const dense_profile d = dense();
            rec->add_energy(event_names, d.neurons, d.synapses, d.dense_weights, energy_bin);
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
            gather(wr.projection, syn, false);
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
    }

    bool run(tick_t ticks, const run_options& opt) {
        if (ticks < 0) throw invalid_parameter("simulation", "duration", std::to_string(ticks) + " ticks", "must be >= 0");
        if (!attached_ || *attached_ != opt.rec) {
            attach_recorder(opt.rec);
            attached_ = opt.rec;
        }
        const tick_t end = now + ticks;
        const tick_t begin = now;
        using clock = std::chrono::steady_clock;
        auto last_progress = clock::now();
        const tick_t flush_every =
            std::max<tick_t>(1, ms_to_ticks_round(sc.recording.flush_interval_ms, sc.simulation.resolution_ms));
        tick_t next_flush = now + flush_every;
        auto last_flush = clock::now();
        const bool parallel = threads > 1 && parts.size() > 1;
        bool stopped = false;
        if (opt.rec) snapshot_weights(opt.rec, now, false);  // the weights this run starts from
        arena.execute([&] {
            tick_t t = now;
            while (t < end) {
                if (opt.stop && opt.stop->load(std::memory_order_relaxed)) {
                    stopped = true;
                    break;
                }
                while (next_modulator_event < modulator_events.size() && modulator_events[next_modulator_event].tick <= t) {
                    const auto& ev = modulator_events[next_modulator_event++];
                    set_modulator(ev.projection, t, ev.value);
                }
                while (next_current_event < current_events.size() && current_events[next_current_event].tick <= t) {
                    const auto& ev = current_events[next_current_event++];
                    parts[ev.partition].group->add_current(t, ev.neurons, ev.delta_pa);
                }
                if (parallel) {
                    tbb::parallel_for(std::size_t{0}, parts.size(), [&](std::size_t p) { step_partition(p, t); });
                } else {
                    for (std::size_t p = 0; p < parts.size(); ++p) step_partition(p, t);
                }
                ring[static_cast<std::size_t>(t % static_cast<tick_t>(ring.size()))].clear();
                collect_spikes(t, opt.rec, opt.keep_spikes);
                sample_traces(t, opt.rec);
                if (opt.rec && energy_bin > 0 && (t + 1) % energy_bin == 0) write_energy_bin(opt.rec, t + 1);
                if (opt.rec)
                    for (auto& wr : weight_recs)
                        if (wr.interval > 0 && (t + 1) % wr.interval == 0) snapshot_weights_one(opt.rec, wr, t + 1);
                const tick_t next = next_tick(t);
                // Flush every flush_interval of model time, but at most once per wall second:
                // H5Fflush costs milliseconds, and a run of cheap ticks would otherwise spend
                // most of its time flushing.
                if (opt.rec && next >= next_flush && clock::now() - last_flush > std::chrono::seconds(1)) {
                    opt.rec->flush();
                    last_flush = clock::now();
                    next_flush = (next / flush_every + 1) * flush_every;
                }
                counters.ticks += static_cast<std::uint64_t>(std::min(next, end) - t);
                ++counters.visited_ticks;
                t = std::min(next, end);
                now = t;
                if (opt.progress) {
                    const auto wall = clock::now();
                    if (wall - last_progress > std::chrono::milliseconds(200)) {
                        last_progress = wall;
                        opt.progress(t - begin, end - begin);
                    }
                }
            }
        });
        for (auto& part : parts) {
            counters.synaptic_events += part.delivered;
            counters.stimulus_events += part.stimulus_events;
            counters.neuron_updates += part.updates;
            part.delivered = part.stimulus_events = part.updates = 0;
        }
        if (opt.rec) {
            snapshot_weights(opt.rec, now, true);  // final weights and plasticity counters
            if (energy_bin > 0 && now % energy_bin != 0) write_energy_bin(opt.rec, now);  // the last, partial bin
            opt.rec->flush();
        }
        if (opt.progress) opt.progress(now - begin, end - begin);
        return !stopped;
    }

    static constexpr std::size_t no_handle = std::numeric_limits<std::size_t>::max();
    std::vector<std::size_t> spike_handle_;
    std::optional<recorder*> attached_;  // the recorder the last run wrote to (none before the first run)
    std::vector<std::uint32_t> ids_;
    std::vector<tick_t> ticks_;
};

void run_points(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& point) {
    tbb::task_arena arena(threads == 0 ? tbb::task_arena::automatic : static_cast<int>(threads));
    arena.execute([&] {
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1),
                          [&](const tbb::blocked_range<std::size_t>& r) {
                              for (std::size_t i = r.begin(); i != r.end(); ++i) point(i);
                          },
                          tbb::simple_partitioner());
    });
}

simulation::simulation(const scenario& sc, const model_registry& models, unsigned threads)
    : impl_((validate(sc, models), std::make_unique<impl>(sc, models, threads))) {}  // the builder trusts what passed
simulation::~simulation() = default;

bool simulation::run(tick_t ticks, const run_options& options) { return impl_->run(ticks, options); }
tick_t simulation::now() const { return impl_->now; }
unsigned simulation::threads() const { return impl_->threads; }
double simulation::resolution_ms() const { return impl_->sc.simulation.resolution_ms; }
const scenario& simulation::spec() const { return impl_->sc; }
const synapse_store& simulation::synapses() const { return impl_->store; }
const run_counters& simulation::counters() const { return impl_->counters; }
const std::vector<spike_trains>& simulation::spikes() const { return impl_->kept_spikes; }

double simulation::state(std::size_t population, const std::string& var, std::uint64_t neuron) const {
    const auto& pops = impl_->sc.populations;
    if (population >= pops.size())
        throw invalid_parameter("simulation", "population", std::to_string(population),
                                "must be < " + std::to_string(pops.size()));
    if (neuron >= pops[population].size)
        throw invalid_parameter("simulation", "neuron", std::to_string(neuron),
                                "must be < " + std::to_string(pops[population].size) + " (size of " + pops[population].name + ")");
    const std::size_t index = impl_->models.find(pops[population].model).state_index(var);
    const auto [p, i] = impl_->locate(static_cast<std::uint32_t>(population), neuron);
    return impl_->parts[p].group->peek(std::max<tick_t>(0, impl_->now - 1), i, index);
}

plasticity_counters simulation::plasticity(std::size_t projection) const {
    impl_->settle(projection);  // deferred updates count once they are applied
    return impl_->plasticity_of(projection);
}

synapse_list simulation::synapses_of(std::size_t projection) const {
    if (projection >= impl_->sc.projections.size())
        throw invalid_parameter("simulation", "projection", std::to_string(projection),
                                "must be < " + std::to_string(impl_->sc.projections.size()));
    synapse_list out;
    impl_->settle(projection);
    impl_->gather(projection, out, false);
    return out;
}

std::pair<std::size_t, std::uint64_t> simulation::plastic_memory() const {
    std::size_t bytes = 0;
    std::uint64_t synapses = 0;
    for (std::size_t p = 0; p < impl_->parts.size(); ++p)
        for (std::size_t b = 0; b < impl_->parts[p].plastic.size(); ++b)
            if (impl_->parts[p].plastic[b]) {
                const auto& block = impl_->store.blocks[p][b];
                bytes += block.memory_bytes() + impl_->parts[p].reverse[b].memory_bytes() +
                         impl_->parts[p].plastic[b]->memory_bytes();
                synapses += block.size();
            }
    return {bytes, synapses};
}

void simulation::reset(bool keep_weights) {
    const scenario sc = impl_->sc;
    const model_registry& models = impl_->models;
    const unsigned threads = impl_->threads;
    if (keep_weights) {
        for (std::size_t j = 0; j < sc.projections.size(); ++j) impl_->settle(j);  // deferred updates first
        synapse_store store = std::move(impl_->store);
        impl_.reset();
        impl_ = std::make_unique<impl>(sc, models, threads, &store);
    } else {
        impl_.reset();
        impl_ = std::make_unique<impl>(sc, models, threads);
    }
}

namespace {

constexpr char state_magic[16] = "MEMSPIKE-STATE\0";
constexpr std::uint32_t state_version = 1;

/// A fingerprint of everything that shapes the state: a checkpoint only fits a simulation built
/// from the same scenario.
std::uint64_t fingerprint(const scenario& sc, const synapse_store& store) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    auto mix = [&](const void* data, std::size_t n) {
        const auto* b = static_cast<const unsigned char*>(data);
        for (std::size_t k = 0; k < n; ++k) {
            h ^= b[k];
            h *= 0x100000001b3ULL;
        }
    };
    auto mix_str = [&](const std::string& x) { mix(x.data(), x.size()); mix("\0", 1); };
    auto mix_num = [&](double x) { mix(&x, sizeof x); };
    mix_num(sc.simulation.resolution_ms);
    mix(&sc.simulation.seed, sizeof sc.simulation.seed);
    for (const auto& p : sc.populations) {
        mix_str(p.name);
        mix_str(p.model);
        mix(&p.size, sizeof p.size);
        for (const auto& [k, v] : p.params) {
            mix_str(k);
            mix_num(v);
        }
    }
    for (const auto& p : sc.projections) {
        mix_str(p.name);
        mix_str(p.rule);
        mix_str(p.plasticity.rule);
        for (const auto& [k, v] : p.plasticity.params) {
            mix_str(k);
            mix_num(v);
        }
    }
    mix_str(sc.backend.kind);  // a checkpoint holds the backend's state (device conductances...)
    for (const auto& [k, v] : sc.backend.params) {
        mix_str(k);
        mix_num(v);
    }
    for (const auto& st : sc.stimuli) {
        mix_str(st.name);
        mix_str(st.kind);
        for (const double x : {st.rate_hz, st.weight, st.amplitude_pa, st.start_ms, st.stop_ms}) mix_num(x);
    }
    for (const auto& blocks : store.blocks)
        for (const auto& b : blocks) {
            const std::uint64_t n = b.size();
            mix(&n, sizeof n);
            mix(&b.delay_min, sizeof b.delay_min);
            mix(&b.delay_count, sizeof b.delay_count);
        }
    return h;
}

} // namespace

void simulation::save_state(const std::string& path) const {
    using namespace state_io;
    const auto& im = *impl_;
    std::ofstream os(path, std::ios::binary | std::ios::trunc);
    if (!os) throw io_error("cannot write checkpoint '" + path + "': " + std::strerror(errno));
    os.write(state_magic, sizeof state_magic);
    put(os, state_version);
    put(os, fingerprint(im.sc, im.store));
    put(os, im.now);
    put(os, im.counters);
    put(os, static_cast<std::uint64_t>(im.ring.size()));
    for (const auto& slot : im.ring) put_vector(os, slot);
    put(os, static_cast<std::uint64_t>(im.next_current_event));
    put(os, static_cast<std::uint64_t>(im.next_modulator_event));
    for (std::size_t p = 0; p < im.parts.size(); ++p) {
        const auto& part = im.parts[p];
        part.group->save_state(os);
        for (const auto& d : part.drives) {
            put_vector(os, d.rng);
            put_vector(os, d.next_ms);
            auto heap = d.heap;
            const auto& c = container_of(heap);
            std::vector<tick_t> ticks;
            std::vector<std::uint32_t> ids;
            for (const auto& [t, i] : c) {
                ticks.push_back(t);
                ids.push_back(i);
            }
            put_vector(os, ticks);
            put_vector(os, ids);
        }
        for (std::size_t b = 0; b < im.store.blocks[p].size(); ++b) {
            const auto& block = im.store.blocks[p][b];
            put(os, static_cast<std::uint8_t>(block.homogeneous));
            put(os, block.weight_value);
            put_vector(os, block.weights);
            if (part.plastic[b]) part.plastic[b]->save_state(os);
        }
        part.backend->save_state(os);
    }
    if (!os.flush()) throw io_error("writing checkpoint '" + path + "' failed: " + std::strerror(errno));
}

void simulation::load_state(const std::string& path) {
    using namespace state_io;
    auto& im = *impl_;
    std::ifstream is(path, std::ios::binary);
    if (!is) throw io_error("cannot read checkpoint '" + path + "': " + std::strerror(errno));
    char magic[sizeof state_magic];
    std::uint32_t version = 0;
    std::uint64_t print = 0;
    if (!is.read(magic, sizeof magic) || std::memcmp(magic, state_magic, sizeof magic) != 0)
        throw io_error("'" + path + "' is not a memspike checkpoint");
    get(is, version);
    if (version != state_version)
        throw io_error("checkpoint '" + path + "' has version " + std::to_string(version) + "; this memspike reads version " +
                       std::to_string(state_version));
    get(is, print);
    if (print != fingerprint(im.sc, im.store))
        throw io_error("checkpoint '" + path + "' was written by a simulation of another scenario (populations, "
                       "parameters, projections, stimuli or seed differ)");
    try {
        get(is, im.now);
        get(is, im.counters);
        std::uint64_t slots = 0;
        get(is, slots);
        if (slots != im.ring.size()) throw io_error("checkpoint: ring size does not match this network");
        for (auto& slot : im.ring) get_vector(is, slot);
        std::uint64_t next_current = 0, next_modulator = 0;
        get(is, next_current);
        get(is, next_modulator);
        if (next_current > im.current_events.size() || next_modulator > im.modulator_events.size())
            throw io_error("checkpoint: stimulus positions do not match this network");
        im.next_current_event = next_current;
        im.next_modulator_event = next_modulator;
        for (std::size_t p = 0; p < im.parts.size(); ++p) {
            auto& part = im.parts[p];
            part.group->load_state(is);
            for (auto& d : part.drives) {
                get_exact(is, d.rng, d.rng.size());
                get_exact(is, d.next_ms, d.next_ms.size());
                std::vector<tick_t> ticks;
                std::vector<std::uint32_t> ids;
                get_vector(is, ticks);
                get_exact(is, ids, ticks.size());
                auto& c = container_of(d.heap);
                c.clear();
                for (std::size_t k = 0; k < ticks.size(); ++k) c.emplace_back(ticks[k], ids[k]);
            }
            for (std::size_t b = 0; b < im.store.blocks[p].size(); ++b) {
                auto& block = im.store.blocks[p][b];
                std::uint8_t homogeneous = 0;
                get(is, homogeneous);
                block.homogeneous = homogeneous != 0;
                get(is, block.weight_value);
                get_vector(is, block.weights, block.size());
                if (!block.homogeneous && block.weights.size() != block.size())
                    throw io_error("checkpoint: weights do not match this network");
                if (part.plastic[b]) part.plastic[b]->load_state(is);
            }
            part.backend->load_state(is);
        }
    } catch (const io_error& e) {
        throw io_error(std::string(e.what()) + " (file '" + path + "'; the simulation is now in an undefined state)");
    }
}

void simulation::set_weights(std::size_t projection, std::span<const float> weights) {
    auto& im = *impl_;
    if (projection >= im.sc.projections.size())
        throw invalid_parameter("simulation", "projection", std::to_string(projection),
                                "must be < " + std::to_string(im.sc.projections.size()));
    const projection_spec& proj = im.sc.projections[projection];
    im.settle(projection);
    synapse_list current;
    im.gather(projection, current, true);
    if (weights.size() != current.weights.size())
        throw invalid_parameter(proj.name, "weights", std::to_string(weights.size()) + " values",
                                "must give one weight per synapse (" + std::to_string(current.weights.size()) + ")");
    const model_info& target = im.models.find(im.sc.populations[im.population_index(proj.target)].model);
    const bool conductance = target.ports[target.port_index(proj.receptor)].weight_dim == dimension::conductance;
    double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
    if (proj.plasticity.enabled()) {
        const plasticity_info& rule = im.models.find_plasticity(proj.plasticity.rule);
        const auto bounds = rule.bounds(rule.complete(proj.plasticity.params));
        lo = bounds.first;
        hi = bounds.second;
    }
    for (std::size_t j = 0; j < weights.size(); ++j) {
        const float w = weights[j];
        if (!std::isfinite(w) || (conductance && w < 0.0f) || w < static_cast<float>(lo) || w > static_cast<float>(hi))
            throw invalid_parameter(proj.name, "weights[" + std::to_string(j) + "]", std::to_string(w),
                                    std::string("must be finite") + (conductance ? ", >= 0 (a conductance)" : "") +
                                        (proj.plasticity.enabled() ? " and within the weight bounds of rule '" + proj.plasticity.rule + "'" : ""));
    }
    // Same walk as gather(): partition, block, source, delay, synapse.
    std::size_t next = 0;
    for (std::size_t p = 0; p < im.parts.size(); ++p)
        for (auto& b : im.store.blocks[p]) {
            if (b.projection != projection) continue;
            if (b.homogeneous) {  // one shared weight no more
                b.weights.assign(b.size(), b.weight_value);
                b.homogeneous = false;
            }
            for (std::uint64_t s = 0; s < b.source_count; ++s)
                for (std::int32_t d = 0; d < b.delay_count; ++d) {
                    const std::size_t k = s * static_cast<std::size_t>(b.delay_count) + static_cast<std::size_t>(d);
                    for (std::uint64_t j = b.offsets[k]; j < b.offsets[k + 1]; ++j) b.weights[j] = weights[next++];
                }
        }
    im.weights_changed(projection, im.now);
}

void simulation::set_modulator(std::size_t projection, double value) {
    if (projection >= impl_->sc.projections.size() || !impl_->sc.projections[projection].plasticity.enabled())
        throw invalid_parameter("simulation", "projection", std::to_string(projection), "must be a plastic projection");
    impl_->set_modulator(projection, impl_->now, value);
}

event_counts simulation::events() const { return impl_->events_now(); }
dense_profile simulation::dense() const { return impl_->dense(); }

std::uint64_t simulation::neuron_count() const { return impl_->pop_offset.back(); }

std::size_t simulation::state_memory_bytes() const {
    std::size_t bytes = 0;
    for (const auto& part : impl_->parts) {
        bytes += part.group->memory_bytes() + part.in.flag.capacity() + part.in.touched.capacity() * sizeof(std::uint32_t);
        for (const auto& s : part.in.sum) bytes += s.capacity() * sizeof(double);
        bytes += part.backend->memory_bytes();
    }
    return bytes;
}

} // namespace memspike
