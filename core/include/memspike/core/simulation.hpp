// SPDX-License-Identifier: MIT
// A built network and its event-driven scheduler (design note: core/event_delivery.md).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "memspike/core/communicator.hpp"
#include "memspike/core/energy.hpp"
#include "memspike/core/model.hpp"
#include "memspike/core/plasticity.hpp"
#include "memspike/core/spec.hpp"
#include "memspike/core/synapses.hpp"
#include "memspike/core/time.hpp"

namespace memspike {

class recorder;

/// Counts kept by the scheduler (the engine's part of the energy ledger; backends add their own).
struct run_counters {
    std::uint64_t spikes = 0;              // spikes emitted by neurons and sources
    std::uint64_t synaptic_events = 0;     // synaptic events delivered through synapses
    std::uint64_t stimulus_events = 0;     // events injected by Poisson stimuli
    std::uint64_t neuron_updates = 0;      // neuron-ticks in which a neuron was updated (touched)
    std::uint64_t ticks = 0;               // ticks simulated
    std::uint64_t visited_ticks = 0;       // ticks at which anything happened (the rest were skipped)
};

/// The synapses of one projection: population-local source and target indices, weights (port
/// unit) and delays (ticks), in store order.
struct synapse_list {
    std::vector<std::uint32_t> sources, targets;
    std::vector<float> weights;
    std::vector<std::int32_t> delays;
};

/// Progress callback: (ticks done, ticks requested). Called from the run thread about every 0.2 s wall.
using progress_fn = std::function<void(tick_t done, tick_t total)>;

struct run_options {
    const std::atomic<bool>* stop = nullptr;    // set (e.g. by a signal handler) to stop at the next tick
    progress_fn progress;                       // may be empty
    /// Keep spikes in memory (ids/ticks per population) in addition to the attached recorder.
    bool keep_spikes = true;
};

/// Spikes of one population kept in memory: population-local ids and ticks, tick-ordered.
struct spike_trains {
    std::vector<std::uint32_t> ids;
    std::vector<tick_t> ticks;
};

class simulation {
public:
    /// Builds the network (connectivity in parallel, deterministic for the seed). `threads` = 0
    /// uses oneTBB's default. Results never depend on `threads`.
    simulation(const scenario& sc, const model_registry& models, unsigned threads = 0);
    /// One network over the ranks of `world` (docs/mpi.md; null: one process, as above): this
    /// rank builds and runs only its share of the partitions, the synapses onto them and their
    /// stimuli; spikes are exchanged once per minimum delay. Results are those of one process.
    /// Every rank makes the same calls (run, attach, events, ...): they are collectives. Only
    /// rank 0's recorder receives data; the other ranks attach one that discards it.
    simulation(const scenario& sc, const model_registry& models, unsigned threads, communicator* world);
    ~simulation();
    simulation(const simulation&) = delete;
    simulation& operator=(const simulation&) = delete;

    /// Runs `ticks` more ticks (a later call continues where this one stopped), recording into
    /// the attached recorder, if any. Returns false if stopped early through options.stop.
    bool run(tick_t ticks, const run_options& options = {});

    /// Records the following runs into `rec` until detach(), another attach() or reset(): declares
    /// the recorded populations, traces, weights and energy ledger on it now, and from then on
    /// every run appends to it (weights at its start and end, the last partial ledger bin at its
    /// end). `rec` must outlive the attachment. The ledger's bins count from the moment of
    /// attaching: a recorder that should see every count stays attached across runs. Attaching
    /// the same recorder again declares everything again (memory_recorder continues its data; an
    /// HDF5 file refuses).
    void attach(recorder& rec);
    /// Runs record nothing from now on (spikes are still kept in memory with keep_spikes).
    void detach();

    tick_t now() const;
    /// Back to tick 0, detached from any recorder: neuron states, sources and stimuli as at
    /// construction (same seed, so the same random streams), spikes, counters, plasticity traces
    /// and eligibilities cleared. With
    /// `keep_weights` the synapses keep their current (learned) weights; otherwise they are built
    /// again from the scenario.
    void reset(bool keep_weights = true);
    /// Checkpoints. save_state writes the complete dynamic state (time, neuron and synapse state,
    /// weights, plasticity, stimuli, random streams, spikes in flight) to a binary file, atomically
    /// (a temporary file beside `path`, then renamed over it). load_state restores it into a
    /// simulation built from the same scenario into the same network (synapses, delays and weights
    /// as built), so that running on gives exactly the spikes the saved one would have produced.
    /// Recorded spikes, traces and counters are results, not state: they are not part of it.
    /// A load either succeeds completely or changes nothing: the whole file is checked (size,
    /// version, checksum, fingerprints, every length and index) before the state is replaced, and
    /// anything wrong throws io_error naming the file and the fault. Format: docs/python.md.
    void save_state(const std::string& path) const;
    void load_state(const std::string& path);
    /// The bytes save_state would write.
    std::vector<std::byte> save_state_to_bytes() const;
    /// load_state from a checkpoint image in memory; touches no file. `name` stands for the file in
    /// messages. Safe on any input (the checkpoint fuzz harness calls it).
    void load_state_from_bytes(std::span<const std::byte> bytes, const std::string& name = "<memory>");
    /// Worker threads actually used (oneTBB's default when 0 was asked for).
    unsigned threads() const;
    double resolution_ms() const;
    const scenario& spec() const;
    const synapse_store& synapses() const;
    const run_counters& counters() const;
    std::uint64_t neuron_count() const;
    std::size_t state_memory_bytes() const;
    /// State variable `var` of neuron `neuron` of population `population` (scenario order) after the
    /// last simulated tick (now() - 1), in the variable's internal unit. Throws for unknown names.
    double state(std::size_t population, const std::string& var, std::uint64_t neuron) const;

    /// Energy-ledger event counts since construction (or the last reset).
    event_counts events() const;
    /// The network as a dense clock-driven machine sees it.
    dense_profile dense() const;

    /// Current synapses (and weights) of projection `projection` (scenario order).
    synapse_list synapses_of(std::size_t projection) const;
    /// Sets the neuromodulator (reward) signal of a plastic projection from now on (three-factor
    /// rules; others ignore it). Scheduled changes in the scenario ([[modulator]]) still apply.
    void set_modulator(std::size_t projection, double value);
    /// Memory of the plastic synapses: their blocks (targets, weights, offsets), reverse indices
    /// and rule state (traces, eligibilities), and how many synapses that is.
    std::pair<std::size_t, std::uint64_t> plastic_memory() const;
    /// Replaces the weights of a projection, one per synapse in the order of synapses_of().
    /// Checked: the length, finite values, >= 0 for conductance ports, and the plasticity bounds.
    void set_weights(std::size_t projection, std::span<const float> weights);
    /// Plasticity counters of a projection, summed over its blocks (zero for static ones).
    plasticity_counters plasticity(std::size_t projection) const;

    /// Synapses of the whole network (over several ranks: of every rank; synapses() has this rank's).
    std::uint64_t synapse_count_all() const;
    /// What the spike exchanges of this rank have cost so far (zero in one process).
    const exchange_stats& exchanges() const;
    /// Spikes kept in memory, per population (scenario order).
    const std::vector<spike_trains>& spikes() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Throws (scenario_error at [backend] kind, or backend_unavailable for a scenario made in code)
/// when `sc` cannot run over several MPI ranks (its backend is not ranks_safe); the simulation constructor with a communicator checks it too (docs/mpi.md).
void check_distributable(const scenario& sc, const model_registry& models);

/// Runs `point(i)` for i in [0, n) on `threads` worker threads (0: all cores), each point on one
/// thread: the parallel loop of parameter sweeps. Independent points, so results do not depend
/// on `threads`. The first exception thrown by a point is rethrown after all points stopped.
void run_points(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& point);

} // namespace memspike
