// SPDX-License-Identifier: MIT
// What the STDP rules share (stdp.cpp, stdp_reward.cpp): the lazily decayed trace, the hard
// bounds with their hit counters, and the checks of w_min / w_max. For the build only.
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "memspike/core/errors.hpp"
#include "memspike/core/plasticity.hpp"
#include "memspike/models/decay_table.hpp"

namespace memspike::plasticity::detail {

/// A lazily decayed trace: value at tick `last`.
struct trace {
    double value = 0.0;
    tick_t last = 0;
    double at(tick_t t, const decay_table& d) const { return value * d(t - last); }
    void jump(tick_t t, const decay_table& d, bool nearest) {
        value = nearest ? 1.0 : at(t, d) + 1.0;
        last = t;
    }
};

/// Refuses a trace read from a checkpoint that no run produces: a time before tick 0 (its
/// distance to a later tick can overflow, undefined behaviour: found by fuzz_checkpoint) or a
/// value that is negative or not finite (it would turn weights into NaN).
inline void check_loaded(const std::vector<trace>& traces) {
    for (const trace& x : traces)
        if (x.last < 0 || !std::isfinite(x.value) || x.value < 0.0)
            throw io_error("checkpoint: an STDP trace (time " + std::to_string(x.last) + ", value " + std::to_string(x.value) +
                           ") is not one a run produces");
}

/// Hard bounds with hit counters.
struct bounds {
    double w_min, w_max;
    float clip(double w, plasticity_counters& c) const {
        if (w >= w_max) {
            ++c.hits_max;
            return static_cast<float>(w_max);
        }
        if (w <= w_min) {
            ++c.hits_min;
            return static_cast<float>(w_min);
        }
        return static_cast<float>(w);
    }
    /// The same value as clip(), without counting: for weights shown to a reader, not applied.
    float held(double w) const {
        if (w >= w_max) return static_cast<float>(w_max);
        if (w <= w_min) return static_cast<float>(w_min);
        return static_cast<float>(w);
    }
};

inline void check_bounds(const std::string& rule, const param_map& p) {
    const double lo = p.at("w_min"), hi = p.at("w_max");
    if (!std::isfinite(lo)) throw invalid_parameter(rule, "w_min", std::to_string(lo), "must be finite");
    if (std::isnan(hi) || !(hi > lo))
        throw invalid_parameter(rule, "w_max", std::to_string(hi), "must be > w_min = " + std::to_string(lo));
}

inline constexpr double inf = std::numeric_limits<double>::infinity();
inline constexpr double required = std::numeric_limits<double>::quiet_NaN();

/// Every STDP rule keeps weights in [w_min, w_max] (its named parameters): the bounds the scenario
/// checks initial and written weights against.
inline std::pair<double, double> hard_bounds(const param_map& p) { return {p.at("w_min"), p.at("w_max")}; }

} // namespace memspike::plasticity::detail
