// SPDX-License-Identifier: MIT
// Private to memspike_core: the state of a built network and its scheduler (simulation::impl),
// shared by the files that implement it. See core/event_delivery.md for the design; in short, per
// visited tick:
//   1. current stimuli (DC, steps) due now change the neurons' external current;
//   2. every partition, in parallel: delivers the spikes of this tick's ring slot through its
//      synapse blocks into per-neuron input sums, adds its Poisson drive, and advances its neurons;
//   3. serially, in partition order: the spikes of this tick are recorded and enqueued in the ring
//      at tick + d for every distinct outgoing delay d of their source;
//   4. the next tick at which anything can happen is computed, and the ticks in between are skipped.
// Partitions are fixed slices of populations, independent of the thread count, and every random
// stream is keyed by (seed, purpose, object, neuron): the spikes are the same for any thread count.
//
// Who does what:
//   network_build.cpp       builds partitions, neuron groups, plasticity state and backends;
//   stimuli.cpp             stimuli through their kinds (stimuli/): Poisson drives, current events;
//                           neuromodulator events;
//   poisson_dense.cpp       the dense Poisson drive's tick (8 targets per AVX-512 instruction);
//   tick_loop.cpp           run(): the tick loop, delivery, spike collection, time skipping;
//   recording.cpp           what goes to the recorder (spikes' handles, traces, energy bins,
//                           weight snapshots) and the energy-ledger totals;
//   projection_weights.cpp  reading, settling and announcing the weights of one projection;
//   checkpoint.cpp          save_state and the fingerprints;
//   checkpoint_load.cpp     load_state (all or nothing);
//   distributed.cpp         one network over several ranks (docs/mpi.md): which partitions this
//                           rank owns, the spike exchange once per minimum delay, and what the
//                           recorder of rank 0 gets from the others;
//   simulation.cpp          the public simulation members, which forward here.
#pragma once

#include "memspike/core/simulation.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <queue>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <oneapi/tbb/task_arena.h>

#include "memspike/core/backend.hpp"
#include "memspike/core/communicator.hpp"
#include "memspike/core/connectivity.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/plasticity.hpp"
#include "memspike/core/random.hpp"
#include "memspike/core/recorder.hpp"
#include "memspike/core/stimulus.hpp"

// The helper types below were in an anonymous namespace while the scheduler was one file; they
// are now shared by several files, so they sit in a named namespace that only this header opens.
namespace memspike::detail {

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
    /// Dense mode with lambda above large_lambda: a Poisson count drawn per target and tick
    /// (random_stream::poisson) instead of the table, whose exp(-lambda) underflows near 745.
    bool large = false;
    static constexpr double large_lambda = 100.0;
    std::vector<std::uint32_t> targets;  // partition-local
    /// Dense mode: targets[j] == targets[0] + j for every j (a whole partition or a slice of
    /// it), so the sums, flags and indices of 8 neighbouring targets are one vector each.
    bool contiguous = false;
    /// One stream per target (independent) or one (shared); empty in dense table mode, whose
    /// streams are `lanes`.
    std::vector<random_stream> rng;
    /// Dense table mode: the same xoshiro256++ streams as random_stream, stored by state word
    /// (word w of target j's stream is lanes[w][j]) so that one AVX-512 instruction steps 8
    /// targets' streams. Checkpoints see them as random_streams (streams(), set_streams()).
    std::array<std::vector<std::uint64_t>, 4> lanes;
    std::vector<double> cdf;             // dense mode: P(count <= k), up to a tail below 1e-17
    /// Dense mode: a guide table (Chen & Asau 1974) fine enough to be the answer. For a uniform u
    /// in bucket b = [b/4096, (b+1)/4096), guide[b] & 0x7fff is the smallest k with cdf[k] > b/4096,
    /// where the scan may start; bit 0x8000 is clear when cdf[k] >= (b+1)/4096, i.e. when that k is
    /// the count for every u of the bucket (all but the few buckets a CDF step falls in). The same
    /// k as a scan from 0 (issue 13: one load instead of a chain of comparisons per target-tick).
    static constexpr std::size_t guide_size = 4096;
    static constexpr std::uint16_t guide_scan = 0x8000;
    /// guide_size entries and one more (0, never a bucket): poisson_dense.cpp reads the entries
    /// by 32-bit gathers, whose upper half must stay inside the vector.
    std::vector<std::uint16_t> guide;
    std::vector<double> next_ms;         // event mode: next event time per stream
    std::priority_queue<std::pair<tick_t, std::uint32_t>, std::vector<std::pair<tick_t, std::uint32_t>>,
                        std::greater<>>
        heap;  // event mode: (tick, stream)

    bool in_lanes() const { return dense && !large; }
    std::size_t stream_count() const { return in_lanes() ? lanes[0].size() : rng.size(); }
    /// The streams as random_streams, in target order (for checkpoints).
    std::vector<random_stream> streams() const {
        if (!in_lanes()) return rng;
        std::vector<random_stream> out(lanes[0].size());
        for (std::size_t j = 0; j < out.size(); ++j) {
            const std::uint64_t s[4] = {lanes[0][j], lanes[1][j], lanes[2][j], lanes[3][j]};
            out[j].set_state(s);
        }
        return out;
    }
    /// Takes the streams (stream_count() of them; from the constructor or a checkpoint).
    void set_streams(std::vector<random_stream>&& s) {
        if (!in_lanes()) {
            rng = std::move(s);
            return;
        }
        for (auto& w : lanes) w.resize(s.size());
        for (std::size_t j = 0; j < s.size(); ++j)
            for (std::size_t w = 0; w < 4; ++w) lanes[w][j] = s[j].state()[w];
        rng.clear();
    }

    void push(std::uint32_t s) {
        const double stop_ms = stop == never ? std::numeric_limits<double>::infinity() : static_cast<double>(stop) * h_ms;
        if (next_ms[s] < stop_ms) heap.emplace(std::max<tick_t>(start, static_cast<tick_t>(std::ceil(next_ms[s] / h_ms))), s);
    }

    /// Adds this tick's events to the input buffer; returns the number of events.
    std::uint64_t apply(tick_t t, input_buffer& in) {
        if (t < start || t >= stop) return 0;
        std::uint64_t events = 0;
        if (large) {
            for (std::size_t j = 0; j < targets.size(); ++j) {
                const std::uint64_t k = rng[j].poisson(lambda);
                if (k) {
                    in.add(port, targets[j], static_cast<double>(k) * weight);
                    events += k;
                }
            }
            return events;
        }
        if (dense) return apply_dense(in);
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

    /// Dense mode: inversion against the tabulated CDF, one uniform draw per target, in
    /// poisson_dense.cpp (8 targets per AVX-512 instruction where the processor has it).
    std::uint64_t apply_dense(input_buffer& in);

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

} // namespace memspike::detail

namespace memspike {

struct simulation::impl {
    using poisson_drive = detail::poisson_drive;
    using current_event = detail::current_event;
    using modulator_event = detail::modulator_event;
    using weight_recording = detail::weight_recording;
    using trace_state = detail::trace_state;
    static constexpr tick_t never = detail::never;

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
    std::vector<std::string> ledger_names;  // the engine's counters, then the backend's
    std::size_t next_modulator_event = 0;
    std::vector<spike_trains> kept_spikes;
    tick_t now = 0;
    run_counters counters;
    /// Fingerprint of the synapses as built (checkpoint.cpp): a checkpoint only loads into the
    /// same network. Kept across reset(true), whose store holds learned weights.
    std::uint64_t network_print = 0;

    // network_build.cpp
    /// Builds the network; with `reuse`, takes that synapse store (same scenario) instead of
    /// generating the connectivity again (reset with kept weights).
    impl(const scenario& s, const model_registry& m, unsigned n_threads, synapse_store* reuse = nullptr,
         communicator* world = nullptr);
    void make_partition(std::size_t p, const partition_range& r);
    void make_backends();
    /// The partition and local index of neuron j of population `pop` (over several ranks:
    /// {remote, 0} for a neuron of another rank).
    std::pair<std::uint32_t, std::uint32_t> locate(std::uint32_t pop, std::uint64_t j) const;
    std::uint32_t population_index(const std::string& name) const;

    // stimuli.cpp
    std::vector<std::vector<std::uint32_t>> targets_by_partition(std::uint32_t pop, const std::vector<std::uint64_t>& subset);
    void make_stimuli();
    void add_poisson_drives(std::uint32_t s, std::uint32_t pop, const std::vector<std::vector<std::uint32_t>>& targets,
                            const event_train& e);
    void add_current_events(const std::vector<current_change>& changes, const std::vector<std::vector<std::uint32_t>>& targets);
    void make_modulator_events();
    void set_modulator(std::size_t projection, tick_t t, double value);

    // tick_loop.cpp: the loop and the steps it takes every visited tick. The steps are inline
    // (as they were in the class body) and defined and used only in tick_loop.cpp, so that the
    // compiler can inline them into the loop.
    bool run(tick_t ticks, const run_options& opt);
    inline void apply_due_events(tick_t t);
    inline void deliver(partition& part, tick_t t);
    inline void step_partition(std::size_t p, tick_t t);
    inline tick_t next_tick(tick_t t) const;
    inline void collect_spikes(tick_t t, recorder* rec, bool keep);
    inline void sample_traces(tick_t t, recorder* rec);
    void fold_partition_counters();

    // checkpoint.cpp, checkpoint_load.cpp
    /// Hash of the synapse store: partitions, blocks, CSR offsets, targets, delays and weights
    /// (partitions in parallel, in the calling task arena).
    static std::uint64_t fingerprint_of(const synapse_store& store);
    /// Hash of the scenario: populations and parameters, projections (names, rules, plasticity),
    /// backend, stimuli, resolution and seed.
    static std::uint64_t fingerprint_of(const scenario& sc);
    void write_state(std::ostream& os) const;
    void read_state(std::span<const std::byte> bytes, const std::string& name);

    // recording.cpp
    void attach_recorder(recorder* rec);
    event_counts events_now() const;
    void write_energy_bin(recorder* rec, tick_t end);
    dense_profile dense() const;
    void snapshot_weights_one(recorder* rec, weight_recording& wr, tick_t t);
    void snapshot_weights(recorder* rec, tick_t t, bool counters_too);

    // projection_weights.cpp
    /// Tells the backends of every partition that the weights of a projection's blocks changed.
    void weights_changed(std::size_t projection, tick_t t);
    /// Brings lazily updated weights of a projection up to date (before they are read).
    void settle(std::size_t projection);
    void settle_at(std::size_t projection, tick_t t);
    void gather(std::size_t projection, synapse_list& out, bool weights_only) const;
    plasticity_counters plasticity_of(std::size_t projection) const;

    /// Applies `fn(plastic_block&, synapse_block&)` to every plastic block of a projection.
    template <class Fn>
    void for_plastic(std::size_t projection, Fn&& fn) {
        for (std::size_t p = 0; p < parts.size(); ++p)
            for (std::size_t b = 0; b < parts[p].plastic.size(); ++b)
                if (parts[p].plastic[b] && store.blocks[p][b].projection == projection) fn(*parts[p].plastic[b], store.blocks[p][b]);
    }

    static constexpr std::size_t no_handle = std::numeric_limits<std::size_t>::max();
    std::vector<std::size_t> spike_handle_;
    recorder* rec_ = nullptr;  // the attached recorder (attach(), detach()); runs write to it
    std::vector<std::uint32_t> ids_;
    std::vector<tick_t> ticks_;

    // distributed.cpp: one network over several ranks (docs/mpi.md); unused while comm is null.
    static constexpr std::uint32_t remote = std::numeric_limits<std::uint32_t>::max();
    communicator* comm = nullptr;
    tick_t exchange_interval = 0;  // the minimum delay over every rank's synapses [ticks]
    /// Spikes of ticks before next_exchange - exchange_interval have been exchanged; the next
    /// exchange happens before any rank processes tick next_exchange.
    tick_t next_exchange = 0;
    std::uint64_t synapses_all = 0;    // synapses of every rank
    std::vector<std::uint64_t> pending_;  // this rank's spikes not yet sent: (tick - base) << 32 | global id
    std::vector<std::uint64_t> gathered_;
    exchange_stats exchanged;
    /// This rank's share of `all` (contiguous, balanced by neuron count); `index` gets each
    /// one's place in `all`.
    std::vector<partition_range> own_partitions(const std::vector<partition_range>& all, std::vector<std::uint32_t>& index) const;
    std::vector<std::uint32_t> partition_index;  // network-wide index of each of parts (backend_context)
    void setup_exchange();
    void stash_spikes(tick_t t);
    /// The exchange at next_exchange, due before this rank goes on to tick `next` (>= it); moves
    /// next_exchange on. Returns true when some rank asked to stop (then `now` is the boundary
    /// every rank stopped at).
    bool exchange_due(tick_t next, tick_t end, bool stop_wanted);
    /// Sends the spikes not yet sent (end of a run): every rank at the same `now`.
    void flush_exchange();
    /// One exchange (this rank's next busy tick and stop wish go with its spikes); returns (any
    /// rank asked to stop, spikes exchanged, the earliest next busy tick of every rank).
    std::tuple<bool, std::uint64_t, tick_t> exchange_at(tick_t local_next, bool stop_wanted);
    /// gather() over every rank into rank 0's `out` (in store order, as one process has it).
    void gather_all(std::size_t projection, synapse_list& out, bool weights_only) const;
    plasticity_counters plasticity_all(std::size_t projection) const;
    /// A trace sample's values of other ranks' neurons, to rank 0.
    void gather_trace(trace_state& tr) const;
};

} // namespace memspike
