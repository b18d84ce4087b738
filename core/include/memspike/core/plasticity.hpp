// SPDX-License-Identifier: MIT
// Synaptic plasticity inside the event-driven engine (design: models/synapses/stdp.cpp header).
//
// A plastic projection's synapses live in the same synapse blocks as static ones (CSR by source,
// grouped by delay, per target partition), with mutable weights. Each block gets a
// `plastic_block` holding the rule's state: presynaptic traces per (source, delay) range, i.e.
// as seen at the synapse after the axonal delay, and postsynaptic traces per target neuron. A reverse
// (per-target) index lets a postsynaptic spike reach its incoming synapses without scanning.
// All of it is partition-local, so plasticity runs in parallel and stays independent of the
// thread count.
//
// Delay convention: the whole transmission delay is axonal. A presynaptic spike emitted at
// tick s reaches the synapse (and the neuron) at tick s + d; a postsynaptic spike reaches its
// synapses at once. The pairing interval of a pre/post pair is therefore
// Δt = t_post − (t_pre + d). Pairs with Δt >= 0 potentiate: a post spike in the very tick of an
// arrival counts as "after", since the arrival is processed first. Pairs with Δt < 0 depress.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "memspike/core/model.hpp"
#include "memspike/core/synapses.hpp"
#include "memspike/core/time.hpp"

namespace memspike {

/// Counts per plastic projection, for the energy ledger and the report.
struct plasticity_counters {
    std::uint64_t weight_updates = 0;  // synapse weight changes computed (pre- and post-triggered)
    std::uint64_t trace_updates = 0;   // trace increments (pre traces per range, post traces per neuron)
    std::uint64_t hits_min = 0;        // updates that ended on w_min (the hard lower bound)
    std::uint64_t hits_max = 0;        // updates that ended on w_max (the hard upper bound)

    plasticity_counters& operator+=(const plasticity_counters& o) {
        weight_updates += o.weight_updates;
        trace_updates += o.trace_updates;
        hits_min += o.hits_min;
        hits_max += o.hits_max;
        return *this;
    }
};

/// Reverse index of one block: for partition-local target i, its incoming synapses are
/// synapse[offsets[i] .. offsets[i+1]) with their CSR range (source x delay) in `range`.
/// The range is stored in 16 bits when the block has at most 65,536 ranges (sources x delays),
/// which keeps a plastic synapse at 14 bytes (target 4, weight 4, reverse entry 4 + 2).
struct reverse_index {
    std::vector<std::uint32_t> offsets;
    std::vector<std::uint32_t> synapse;
    std::vector<std::uint16_t> range16;  // used when the block has <= 65,536 ranges
    std::vector<std::uint32_t> range32;  // otherwise

    std::uint32_t range(std::uint32_t p) const { return range32.empty() ? range16[p] : range32[p]; }

    static reverse_index build(const synapse_block& block, std::size_t targets);
    std::size_t memory_bytes() const {
        return (offsets.capacity() + synapse.capacity() + range32.capacity()) * sizeof(std::uint32_t) +
               range16.capacity() * sizeof(std::uint16_t);
    }
};

/// The rule state of one plastic block. Implemented by the rules (models/synapses/).
class plastic_block {
public:
    virtual ~plastic_block() = default;

    /// A presynaptic spike reaches the synapses [lo, hi) of CSR range k at tick t: apply the
    /// pre-triggered (depressing) update to their weights, then count the spike in the range's
    /// traces. The scheduler delivers the updated weights afterwards.
    virtual void on_pre(tick_t t, std::size_t k, std::uint64_t lo, std::uint64_t hi, synapse_block& block) = 0;

    /// Neurons of the partition spiked at tick t: apply the post-triggered (potentiating) update
    /// to their incoming synapses through `rev`, then count the spikes in the post traces.
    virtual void on_post(tick_t t, std::span<const std::uint32_t> neurons, synapse_block& block, const reverse_index& rev) = 0;

    /// Sets the neuromodulator (reward) signal from tick t on, for three-factor rules; the weights
    /// are brought up to date to t first. Other rules ignore it.
    virtual void set_modulator(tick_t t, double value, synapse_block& block) {}
    /// Brings weights that are updated lazily (three-factor rules) up to date to tick t, e.g.
    /// before they are read. No-op for rules that keep weights current.
    virtual void settle(tick_t t, synapse_block& block) {}

    virtual const plasticity_counters& counters() const = 0;
    virtual std::size_t memory_bytes() const = 0;

    /// Checkpoints: the rule's complete state (traces, lists, eligibilities, counters).
    virtual void save_state(std::ostream& os) const = 0;
    virtual void load_state(std::istream& is) = 0;
};

/// What a plasticity rule factory receives.
struct plastic_context {
    const param_map& params;          // completed, internal units (weights in the port unit)
    const std::string& interaction;   // "all_to_all" or "nearest"
    std::size_t ranges;               // CSR ranges of the block (sources x delays)
    std::size_t targets;              // neurons of the target partition
    std::size_t synapses;             // synapses of the block
    double resolution_ms;
};

struct plasticity_info {
    std::string name;
    std::string summary;
    /// Parameters; those with `weight_unit` take the unit of the target port's weights (mV, pA, nS).
    std::vector<param_info> params;
    std::vector<std::string> weight_unit_params;
    std::vector<std::string> interactions;  // accepted `interaction` values; first is the default
    std::function<void(const param_map&)> validate;
    std::function<std::unique_ptr<plastic_block>(const plastic_context&)> create;
    /// The hard bounds [low, high] the rule keeps weights in, from its completed parameters (in the
    /// port unit); unset: unbounded. Initial and written weights must lie within them.
    std::function<std::pair<double, double>(const param_map&)> weight_bounds;
    /// For the resource estimate before building: the bytes create(cx) will hold (its
    /// memory_bytes()) for a block of cx.ranges ranges, cx.targets targets and cx.synapses
    /// synapses. Empty: 16 bytes per range and per target are assumed.
    std::function<double(const plastic_context&)> state_bytes;

    /// Parameters with defaults filled in; throws for unknown or missing ones, then validate().
    param_map complete(const param_map& given) const;
    /// weight_bounds(params), or (-inf, +inf) for a rule that declares none.
    std::pair<double, double> bounds(const param_map& completed) const;
};

} // namespace memspike
