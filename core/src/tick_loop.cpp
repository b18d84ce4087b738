// SPDX-License-Identifier: MIT
// The tick loop: run() and every step it takes per visited tick (see simulation_impl.hpp for the
// order). The steps are called per tick or per partition-tick; they are declared inline and
// defined in this one file, as they were when they sat in the class body, so that the compiler
// makes the same inlining choices. poisson_drive::apply, called per target and tick, is inline in
// simulation_impl.hpp.
#include "simulation_impl.hpp"

#include <chrono>

#include <oneapi/tbb/parallel_for.h>

namespace memspike {

bool simulation::impl::run(tick_t ticks, const run_options& opt) {
    if (ticks < 0) throw invalid_parameter("simulation", "duration", std::to_string(ticks) + " ticks", "must be >= 0");
    recorder* const rec = rec_;
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
    if (rec) snapshot_weights(rec, now, false);  // the weights this run starts from
    arena.execute([&] {
        tick_t t = now;
        while (t < end) {
            if (!comm && opt.stop && opt.stop->load(std::memory_order_relaxed)) {  // ranks stop together: exchange_due
                stopped = true;
                break;
            }
            apply_due_events(t);
            if (parallel) {
                tbb::parallel_for(std::size_t{0}, parts.size(), [&](std::size_t p) { step_partition(p, t); });
            } else {
                for (std::size_t p = 0; p < parts.size(); ++p) step_partition(p, t);
            }
            ring[static_cast<std::size_t>(t % static_cast<tick_t>(ring.size()))].clear();
            collect_spikes(t, rec, opt.keep_spikes);
            sample_traces(t, rec);
            if (rec && energy_bin > 0 && (t + 1) % energy_bin == 0) write_energy_bin(rec, t + 1);
            if (rec)
                for (auto& wr : weight_recs)
                    if (wr.interval > 0 && (t + 1) % wr.interval == 0) snapshot_weights_one(rec, wr, t + 1);
            tick_t next = next_tick(t);
            while (comm && next >= next_exchange && next_exchange <= end) {  // over ranks (distributed.cpp)
                const tick_t boundary = next_exchange;
                if (exchange_due(next, end, opt.stop && opt.stop->load(std::memory_order_relaxed))) {
                    stopped = true;  // every rank, at the same boundary (now)
                    break;
                }
                // Nothing was due here before the boundary, so look on from boundary - 1: the ring
                // holds nothing earlier, and the spikes just received lie within one ring length.
                next = next_tick(boundary - 1);
            }
            if (stopped) break;
            // Flush every flush_interval of model time, but at most once per wall second:
            // H5Fflush costs milliseconds, and a run of cheap ticks would otherwise spend
            // most of its time flushing.
            if (rec && next >= next_flush && clock::now() - last_flush > std::chrono::seconds(1)) {
                rec->flush();
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
    if (comm) flush_exchange();
    fold_partition_counters();
    if (rec) {
        snapshot_weights(rec, now, true);  // final weights and plasticity counters
        if (energy_bin > 0 && now % energy_bin != 0) write_energy_bin(rec, now);  // the last, partial bin
        rec->flush();
    }
    if (opt.progress) opt.progress(now - begin, end - begin);
    return !stopped;
}

/// Applies the modulator and current changes due at tick t.
inline void simulation::impl::apply_due_events(tick_t t) {
    while (next_modulator_event < modulator_events.size() && modulator_events[next_modulator_event].tick <= t) {
        const auto& ev = modulator_events[next_modulator_event++];
        set_modulator(ev.projection, t, ev.value);
    }
    while (next_current_event < current_events.size() && current_events[next_current_event].tick <= t) {
        const auto& ev = current_events[next_current_event++];
        parts[ev.partition].group->add_current(t, ev.neurons, ev.delta_pa);
    }
}

/// Moves the partitions' running counts into the run counters.
void simulation::impl::fold_partition_counters() {
    for (auto& part : parts) {
        counters.synaptic_events += part.delivered;
        counters.stimulus_events += part.stimulus_events;
        counters.neuron_updates += part.updates;
        part.delivered = part.stimulus_events = part.updates = 0;
    }
}

inline void simulation::impl::deliver(partition& part, tick_t t) {
    const auto& slot = ring[static_cast<std::size_t>(t % static_cast<tick_t>(ring.size()))];
    if (!slot.empty() || clock_driven) part.delivered += part.backend->deliver(t, slot, part.view, part.in);
}

inline void simulation::impl::step_partition(std::size_t p, tick_t t) {
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

inline tick_t simulation::impl::next_tick(tick_t t) const {
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

inline void simulation::impl::collect_spikes(tick_t t, recorder* rec, bool keep) {
    if (comm) {  // over several ranks, the spikes go out first and into the ring and recorder when exchanged
        stash_spikes(t);
        return;
    }
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

inline void simulation::impl::sample_traces(tick_t t, recorder* rec) {
    for (auto& tr : traces) {
        if (t % tr.interval != 0) continue;
        for (std::size_t k = 0; k < tr.where.size(); ++k)
            if (tr.where[k].first != remote) tr.values[k] = parts[tr.where[k].first].group->peek(t, tr.where[k].second, tr.variable);
        if (comm) gather_trace(tr);
        if (rec) rec->append_trace(tr.handle, t, tr.values);
    }
}

} // namespace memspike
