// SPDX-License-Identifier: MIT
// The synaptic backend: who computes the weighted sum of a tick's arriving spikes (DESIGN.md §4).
//
// The scheduler owns time, neurons, stimuli and plasticity rules; a backend owns one thing, turning
// the spikes that arrive at a partition in one tick into synaptic input per target neuron and
// port. Core has the reference, `digital` (exact float weights, event by event,
// core/src/digital_backend.cpp); others are plug-ins (backends/), each a folder and one line in
// backends/src/builtin.cpp, declaring here what core needs to know of them: parameters, ledger
// counters, random streams and `inspect` tables. A scenario selects one with [backend] kind = "..."
// plus its parameters; everything else stays the same. One backend object serves one partition, so it is only ever called from one thread
// at a time and needs no locks.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "memspike/core/energy.hpp"
#include "memspike/core/model.hpp"
#include "memspike/core/plasticity.hpp"
#include "memspike/core/spec.hpp"
#include "memspike/core/synapses.hpp"
#include "memspike/core/time.hpp"

namespace memspike {

class communicator;

/// A spike arriving at its synapses this tick: the source (index in its population), the
/// source population, and the delay (ticks) that brought it.
struct spike_arrival {
    std::uint32_t source;
    std::uint32_t population;
    std::int32_t delay;
};

/// One partition's synapses as a backend sees them during delivery.
struct partition_view {
    std::span<synapse_block> blocks;                         // the partition's blocks (store.blocks[p])
    std::span<const std::vector<std::uint32_t>> blocks_by_source;  // block indices per source population
    std::span<const std::unique_ptr<plastic_block>> plastic; // per block; null for static blocks
    bool any_plastic = false;

    /// The CSR range of (source, delay) in block b, or false when the block has no such delay.
    bool range_of(std::uint32_t b, const spike_arrival& a, std::size_t& k) const {
        const synapse_block& block = blocks[b];
        const std::int32_t di = a.delay - block.delay_min;
        if (di < 0 || di >= block.delay_count) return false;
        k = static_cast<std::size_t>(a.source) * static_cast<std::size_t>(block.delay_count) + static_cast<std::size_t>(di);
        return true;
    }

    /// The loop every backend's delivery starts with: for each synapse range an arriving spike
    /// reaches (each block of its source population that has its delay), first the block's
    /// plasticity rule applies its presynaptic update to the range (on_pre), then
    /// fn(b, k, block, lo, hi, arrival) with the range's synapses [lo, hi) of CSR range k.
    template <class Fn>
    void for_each_range(tick_t t, std::span<const spike_arrival> arrivals, Fn&& fn) const {
        for (const spike_arrival& a : arrivals)
            for (const std::uint32_t b : blocks_by_source[a.population]) {
                std::size_t k = 0;
                if (!range_of(b, a, k)) continue;
                synapse_block& block = blocks[b];
                const std::uint64_t lo = block.offsets[k], hi = block.offsets[k + 1];
                // An empty range (its source has synapses of this delay in other blocks only) has no
                // trace worth a presynaptic update: counting one made the ledger depend on the other
                // blocks, and over MPI ranks on which blocks a rank holds (docs/mpi.md).
                if (any_plastic && plastic[b] && hi > lo) plastic[b]->on_pre(t, k, lo, hi, block);
                fn(b, k, block, lo, hi, a);
            }
    }
};

/// Computes the synaptic input of one partition.
class synaptic_backend {
public:
    virtual ~synaptic_backend() = default;

    /// Adds the input of this tick's arrivals to `in` (sum per port and neuron; every neuron that
    /// receives a synaptic event is flagged and listed in `touched`, in arrival order). Before a
    /// plastic range is read, its rule's on_pre(t, ...) must run, as the digital backend does.
    /// Returns the number of synaptic events delivered.
    virtual std::uint64_t deliver(tick_t t, std::span<const spike_arrival> arrivals, const partition_view& part,
                                  input_buffer& in) = 0;

    /// Weights of block `b` were changed outside delivery (a plasticity rule settled them, or
    /// set_weights replaced them) at tick t. A backend that keeps its own copy of the weights
    /// brings it in line (e.g. programs its devices) and may write back what it realised.
    virtual void weights_changed(tick_t t, const partition_view& part, std::size_t b) {}

    /// A clock-driven backend is called every tick, also when no spike arrives, and the
    /// scheduler then skips no ticks (the dense baseline).
    virtual bool clock_driven() const { return false; }

    /// Adds the backend's own event counts to `mine`: one slot per counter its backend_info
    /// declares, in that order (crossbar tiles woken, ADC conversions...). A reset builds new
    /// backends, so their counts start from zero.
    virtual void add_events(std::span<std::uint64_t> mine) const {}
    virtual std::size_t memory_bytes() const { return 0; }

    /// Checkpoints: state that changes while running (device conductances, random streams).
    virtual void save_state(std::ostream& os) const {}
    virtual void load_state(std::istream& is) {}
};

/// What a backend factory receives: the whole network, so that a mapping may look across
/// partitions. It returns one backend per partition, in partition order.
struct backend_context {
    const scenario& sc;
    const model_registry& models;
    /// The synapses. A backend may rewrite the weights of its blocks to the values it realises
    /// (e.g. programmed conductances), so that reading weights shows what is computed.
    synapse_store& store;
    const param_map& params;  // completed backend parameters, internal units
    /// The network-wide index of each of store.partitions (one process: 0, 1, ...; over MPI
    /// ranks a process holds a run of them, docs/mpi.md). Per-partition random streams keyed by
    /// it give the same draws for any rank count.
    std::span<const std::uint32_t> partition_index = {};
    communicator* comm = nullptr;  // the ranks of the run; null in one process

    /// Element-wise maximum over every rank of values >= 0 (no NaN), in place, exactly; nothing
    /// to do in one process. A collective: every rank's factory calls it, in the same order.
    void max_over_ranks(std::span<double> values) const;
};

/// A table a backend adds to `memspike inspect` (e.g. the crossbar's tiles per projection).
struct inspect_table {
    std::string title;
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;  // one cell per column
};

/// The shape of the blocks of one projection, for a backend's memory estimate before building:
/// `blocks` blocks (one per target partition holding synapses), each of these mean sizes.
struct block_shape {
    std::uint32_t projection = 0;
    double blocks = 0;
    double sources = 0;   // source neurons (rows of the CSR: sources x delays ranges)
    double delays = 1;    // distinct delays (ticks) per block
    double targets = 0;   // neurons of the target partition
    double synapses = 0;  // per block
    bool plastic = false;
    bool homogeneous = false;  // the store keeps one shared weight (static, constant weight)
};

/// A backend's memory estimate [bytes]: what it holds while running, and what it holds on top of
/// that only while it is created (e.g. mapping temporaries).
struct backend_memory {
    double steady_bytes = 0;
    double build_bytes = 0;
};

struct backend_info {
    std::string name;
    std::string summary;
    std::vector<param_info> params;
    /// The backend's own ledger counters (beyond the engine's), in the order add_events fills them.
    std::vector<counter_info> counters;
    /// The random streams it draws from (purpose numbers unique in a registry).
    std::vector<stream_info> streams;
    /// Its partitions' results depend only on their own synapses and spikes, not on which other
    /// partitions the process holds (no streams keyed by the local partition index, no maximum
    /// over every block): it may run over several MPI ranks (docs/mpi.md). Others are refused there.
    bool ranks_safe = false;
    /// Tables for `memspike inspect` about a built network (may be empty).
    std::function<std::vector<inspect_table>(const scenario&, const synapse_store&, const param_map&)> inspect;
    /// Cross-parameter checks; throws invalid_parameter naming the backend and the parameter.
    std::function<void(const param_map&)> validate;
    std::function<std::vector<std::unique_ptr<synaptic_backend>>(const backend_context&)> create;
    /// For the resource estimate before building (resource_estimate.hpp): the memory its
    /// backends will hold, from the completed parameters and the blocks' shapes. Empty: none.
    std::function<backend_memory(const param_map&, const std::vector<block_shape>&)> memory;

    /// Parameters with defaults filled in; throws for unknown or missing ones, then validate().
    param_map complete(const param_map& given) const;
};

/// The reference backend: exact float weights, event by event.
backend_info digital_backend();

} // namespace memspike
