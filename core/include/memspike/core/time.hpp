// SPDX-License-Identifier: MIT
// Simulation time is an integer count of ticks of a fixed resolution (default 0.1 ms).
#pragma once

#include <cmath>
#include <cstdint>

namespace memspike {

using tick_t = std::int64_t;

/// Converts a duration in ms to whole ticks; returns -1 when it is not a whole number of ticks
/// (within a relative 1e-9), so callers can report it instead of rounding silently.
inline tick_t ms_to_ticks_exact(double ms, double resolution_ms) {
    const double k = ms / resolution_ms;
    const double r = std::round(k);
    if (std::abs(k - r) > 1e-9 * std::max(1.0, std::abs(k))) return -1;
    return static_cast<tick_t>(r);
}

/// Converts a duration in ms to ticks, rounding to nearest (used for drawn delays, where the rule
/// "round to the nearest tick" is documented).
inline tick_t ms_to_ticks_round(double ms, double resolution_ms) {
    return static_cast<tick_t>(std::llround(ms / resolution_ms));
}

} // namespace memspike
