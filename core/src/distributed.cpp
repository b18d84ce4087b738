// SPDX-License-Identifier: MIT
// One network over several ranks (docs/mpi.md). Each rank owns a contiguous run of whole
// partitions, builds the synapses onto them (the connectivity streams are keyed by target or
// source neuron, never by rank or thread, so they are the synapses one process builds), and
// drives and advances them exactly as one process would. What changes is only where a spike goes
// once its neuron fired:
//   * one process puts it into the delay ring at once (tick_loop.cpp, collect_spikes);
//   * over ranks, it waits in `pending_` until the next exchange, which happens before any rank
//     processes a tick at or after the boundary `next_exchange`. Boundaries lie one minimum delay
//     (over every rank's synapses) apart, so a spike is always exchanged before it is due: a
//     spike of tick t arrives at t + d >= t + min delay, i.e. at or after the boundary.
//   * Every rank receives every spike (MPI_Allgather(v) of (tick offset, global id) pairs, 8
//     bytes each, as NEST and Auryn exchange spikes) and puts it into its ring for the delays of
//     its own synapses from that source, in (tick, global id) order: the order one process fills a
//     ring slot in, so every input sum adds the same numbers in the same order.
//   * Rank 0 records every spike from the exchange, in the same order.
// Idle stretches cost one exchange per interval at most: when an exchange carried no spike at all,
// every rank knows the earliest tick anything can happen anywhere (each sent its own) and the
// next boundary moves to the interval of that tick.
// The other collectives sit at ticks every rank visits (energy bins, trace samples and weight
// snapshots are forced visits of every rank's tick loop), so every rank calls them in one order.
#include <algorithm>
#include <chrono>
#include <cstring>

#include "simulation_impl.hpp"

namespace memspike {

void check_distributable(const scenario& sc, const model_registry& models) {
    const backend_info& backend = models.find_backend(sc.backend.kind);
    if (backend.ranks_safe) return;
    const std::string why = "it cannot run over several MPI ranks yet: its results depend on which partitions a process "
                            "holds (docs/mpi.md); run it in one process";
    const auto& at = sc.backend.where;
    if (at.file.empty()) throw backend_unavailable(backend.name, why);
    throw scenario_error(at.file, at.line, at.column, at.key, "backend '" + backend.name + "': " + why);
}

std::vector<partition_range> simulation::impl::own_partitions(const std::vector<partition_range>& all,
                                                              std::vector<std::uint32_t>& index) const {
    if (comm->size() > 1) check_distributable(sc, models);  // one rank holds every partition
    // Contiguous runs of partitions, cut by neuron count: partition p goes to the rank in whose
    // share its middle neuron lies. Contiguous, so gathering every rank's part in rank order gives
    // store order (weights, spikes), as one process has it.
    // In 64 bits: twice a neuron index (< 2^33, setup_exchange refuses more) times the ranks.
    const auto ranks = static_cast<std::uint64_t>(comm->size());
    const std::uint64_t neurons = std::max<std::uint64_t>(1, pop_offset.back());
    std::vector<partition_range> mine;
    std::uint64_t before = 0;
    index.clear();
    for (std::size_t p = 0; p < all.size(); ++p) {
        const partition_range& r = all[p];
        const std::uint64_t middle = before * 2 + r.count;  // twice the middle neuron
        const std::uint64_t owner = std::min<std::uint64_t>(ranks - 1, middle * ranks / (neurons * 2));
        if (owner == static_cast<std::uint64_t>(comm->rank())) {
            mine.push_back(r);
            index.push_back(static_cast<std::uint32_t>(p));
        }
        before += r.count;
    }
    return mine;
}

void backend_context::max_over_ranks(std::span<double> values) const {
    if (comm == nullptr) return;
    // The communicator has a minimum over int64: for doubles >= 0 (and +inf) the order of their
    // bit patterns read as int64 is the order of the values, so the minimum of the negated
    // patterns is the negated pattern of the maximum. Exact, and no new collective to implement.
    std::vector<std::int64_t> bits(values.size());
    for (std::size_t k = 0; k < values.size(); ++k) {
        if (!(values[k] >= 0.0)) throw internal_error("max_over_ranks: a value below 0 or NaN");
        const double v = values[k] == 0.0 ? 0.0 : values[k];  // -0.0 has the sign bit set
        std::int64_t b = 0;
        std::memcpy(&b, &v, sizeof b);
        bits[k] = -b;
    }
    comm->min(bits);
    for (std::size_t k = 0; k < values.size(); ++k) {
        const std::int64_t b = -bits[k];
        std::memcpy(&values[k], &b, sizeof b);
    }
}

void simulation::impl::setup_exchange() {
    if (pop_offset.back() > (std::uint64_t{1} << 32))
        throw error("a network over several MPI ranks has at most 2^32 neurons (its spikes travel as 32-bit ids); this one has " +
                    std::to_string(pop_offset.back()));
    std::vector<std::int64_t> min_delay{std::numeric_limits<std::int64_t>::max()};
    for (const auto& blocks : store.blocks)
        for (const auto& b : blocks) min_delay[0] = std::min<std::int64_t>(min_delay[0], b.delay_min);
    comm->min(min_delay);
    // Without any synapse a spike reaches nobody: the exchanges only feed rank 0's recorder.
    constexpr tick_t no_synapse_interval = 100;
    exchange_interval = min_delay[0] == std::numeric_limits<std::int64_t>::max() ? no_synapse_interval : min_delay[0];
    std::vector<std::uint64_t> total{store.synapse_count()};
    comm->sum(total);
    synapses_all = total[0];
    next_exchange = now + exchange_interval;
}

void simulation::impl::stash_spikes(tick_t t) {
    const auto offset = static_cast<std::uint64_t>(t - (next_exchange - exchange_interval)) << 32;
    for (const auto& part : parts) {
        const std::uint64_t base = pop_offset[part.range.population] + part.range.first;
        for (const std::uint32_t i : part.spikes) pending_.push_back(offset | (base + i));
        counters.spikes += part.spikes.size();
    }
}

std::tuple<bool, std::uint64_t, tick_t> simulation::impl::exchange_at(tick_t local_next, bool stop_wanted) {
    const tick_t base = next_exchange - exchange_interval;
    // Header: the earliest tick this rank has anything to do at, and whether it was asked to stop.
    pending_.insert(pending_.begin(), {static_cast<std::uint64_t>(local_next), stop_wanted ? 1u : 0u});
    std::vector<std::size_t> counts;
    // Timed: the collectives alone (transfer and waiting for the slowest rank), not the sorting
    // and ring insertion below, which is delivery work one process does too.
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<std::uint64_t> all = comm->all_gather_of<std::uint64_t>(pending_, counts);
    exchanged.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    exchanged.bytes_sent += pending_.size() * sizeof(std::uint64_t);
    exchanged.bytes_received += all.size() * sizeof(std::uint64_t);
    ++exchanged.exchanges;
    pending_.clear();

    bool stop = false;
    tick_t global_next = never;
    gathered_.clear();
    std::size_t at = 0;
    for (const std::size_t n : counts) {
        if (n < 2) throw internal_error("spike exchange: a rank sent no header");
        global_next = std::min(global_next, static_cast<tick_t>(all[at]));
        stop = stop || all[at + 1] != 0;
        gathered_.insert(gathered_.end(), all.begin() + static_cast<std::ptrdiff_t>(at + 2),
                         all.begin() + static_cast<std::ptrdiff_t>(at + n));
        at += n;
    }
    // (tick offset, global id) order: the order one process fills ring slots and the recorder in.
    std::sort(gathered_.begin(), gathered_.end());
    const auto L = static_cast<tick_t>(ring.size());
    std::uint32_t open_pop = remote;  // none yet
    tick_t open_tick = -1;
    auto write_open = [&] {
        if (open_pop != remote && rec_ && spike_handle_[open_pop] != no_handle) {
            ticks_.assign(ids_.size(), open_tick);
            rec_->append_spikes(spike_handle_[open_pop], ids_, ticks_);
        }
        ids_.clear();
    };
    for (const std::uint64_t key : gathered_) {
        const tick_t t = base + static_cast<tick_t>(key >> 32);
        const std::uint64_t g = key & 0xffffffffu;
        const auto pop = static_cast<std::uint32_t>(std::upper_bound(pop_offset.begin(), pop_offset.end(), g) - pop_offset.begin() - 1);
        const auto j = static_cast<std::uint32_t>(g - pop_offset[pop]);
        for (std::uint64_t k = store.source_delay_offsets[g]; k < store.source_delay_offsets[g + 1]; ++k) {
            const std::int32_t d = store.source_delays[k];
            ring[static_cast<std::size_t>((t + d) % L)].push_back({j, pop, d});
        }
        if (pop != open_pop || t != open_tick) {
            write_open();
            open_pop = pop;
            open_tick = t;
        }
        ids_.push_back(j);
    }
    write_open();
    return {stop, gathered_.size(), global_next};
}

bool simulation::impl::exchange_due(tick_t next, tick_t end, bool stop_wanted) {
    const tick_t boundary = next_exchange;
    const auto [stop, spikes, global_next] = exchange_at(next, stop_wanted);
    if (spikes == 0 && global_next > end)
        next_exchange = end + 1;  // nothing happens anywhere before the run ends (flush_exchange resets it)
    else if (spikes == 0)  // nothing anywhere before global_next (>= boundary): its interval is the next
        next_exchange = boundary + ((global_next - boundary) / exchange_interval + 1) * exchange_interval;
    else
        next_exchange = boundary + exchange_interval;
    if (stop) now = boundary;  // every rank has processed every tick before it, and none after
    return stop;
}

void simulation::impl::flush_exchange() {
    exchange_at(never, false);
    next_exchange = now + exchange_interval;
}

void simulation::impl::gather_all(std::size_t projection, synapse_list& out, bool weights_only) const {
    gather(projection, out, weights_only);
    if (!comm) return;
    std::vector<std::size_t> counts;
    out.weights = comm->gather_of<float>(out.weights, counts);
    if (weights_only) return;
    out.sources = comm->gather_of<std::uint32_t>(out.sources, counts);
    out.targets = comm->gather_of<std::uint32_t>(out.targets, counts);
    out.delays = comm->gather_of<std::int32_t>(out.delays, counts);
}

plasticity_counters simulation::impl::plasticity_all(std::size_t projection) const {
    plasticity_counters c = plasticity_of(projection);
    if (!comm) return c;
    std::vector<std::uint64_t> v{c.weight_updates, c.trace_updates, c.hits_min, c.hits_max};
    comm->sum(v);
    return {v[0], v[1], v[2], v[3]};
}

void simulation::impl::gather_trace(trace_state& tr) const {
    struct sample {
        std::uint64_t k;
        double value;
    };
    std::vector<sample> mine;
    for (std::size_t k = 0; k < tr.where.size(); ++k)
        if (tr.where[k].first != remote) mine.push_back({k, tr.values[k]});
    std::vector<std::size_t> counts;
    for (const sample& s : comm->gather_of<sample>(mine, counts)) tr.values[s.k] = s.value;
}

} // namespace memspike
