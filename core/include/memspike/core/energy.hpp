// SPDX-License-Identifier: MIT
// The energy ledger: every event class the simulation performs is counted, binned in time, and
// later costed by named hardware models (presets with a citation for every number).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace memspike {

/// Event classes counted by the engine (digital event-driven backend).
enum class event_kind : std::size_t {
    spikes,           // spikes emitted by neurons and sources
    synaptic_events,  // synaptic events delivered through synapses
    stimulus_events,  // events injected by Poisson stimuli
    neuron_updates,   // neuron-ticks in which a neuron received input and was updated
    trace_updates,    // plasticity trace increments
    weight_updates,   // plastic weight changes
    count
};

inline constexpr std::array<std::string_view, static_cast<std::size_t>(event_kind::count)> event_names{
    "spikes", "synaptic_events", "stimulus_events", "neuron_updates", "trace_updates", "weight_updates"};

struct event_counts {
    std::array<std::uint64_t, static_cast<std::size_t>(event_kind::count)> n{};
    std::uint64_t& operator[](event_kind k) { return n[static_cast<std::size_t>(k)]; }
    std::uint64_t operator[](event_kind k) const { return n[static_cast<std::size_t>(k)]; }
};

/// What a dense (clock-driven) machine would process for this network: every neuron every tick
/// and every entry of every projection's weight matrix (N_pre x N_post) every tick.
struct dense_profile {
    std::uint64_t neurons = 0;        // neurons with state (sources excluded)
    std::uint64_t synapses = 0;       // synapses that exist
    std::uint64_t dense_weights = 0;  // sum over projections of N_pre * N_post
};

} // namespace memspike
