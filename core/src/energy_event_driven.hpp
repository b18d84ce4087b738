// SPDX-License-Identifier: MIT
// Event-driven CPU/GPU baselines (kind = "event_driven"): reading their [event_driven] table and
// pricing a run's counts with them. Private to core (energy.cpp calls it).
#pragma once

#include "memspike/core/energy.hpp"
#include "scenario_toml.hpp"

namespace memspike::detail {

/// Reads [event_driven] into m.event_driven (each key { value = ..., source = "..." }); every key
/// of event_driven_keys() must be there (or in the base preset) when m.kind is "event_driven".
void read_event_driven(const scenario_toml::table_view& root, energy_model& m);

/// The event-driven estimate of a run: memory traffic and arithmetic per event, the cache model,
/// static power over the modelled run time. Fills r.lines, compute/memory/idle and run_time_s.
void estimate_event_driven(const energy_model& m, const event_counts& counts, const dense_profile& d, tick_t ticks,
                           energy_estimate& r);

} // namespace memspike::detail
