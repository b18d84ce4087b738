// SPDX-License-Identifier: MIT
// Private to the connectivity sources: a projection resolved for building (plan) and the helpers
// shared by the rules, the plan and the block builder.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "memspike/core/connectivity.hpp"

namespace memspike::connectivity_detail {

constexpr std::uint64_t max_u32 = std::numeric_limits<std::uint32_t>::max();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// A number for messages (10 significant digits).
std::string num(double v);

/// The rules' short name for memspike::fail_at (spec.hpp).
[[noreturn]] inline void fail(const source_location& at, const std::string& what) { fail_at(at, what); }

/// A projection resolved against the scenario and the model registry: the context the rule sees
/// plus what the block builder needs.
struct plan : projection_context {
    std::unique_ptr<const connection_rule> rule;
    std::uint32_t source_pop = 0, target_pop = 0;
    std::uint32_t port = 0;
    distribution weight, delay;  // copies whose `where` is never empty
    bool constant_weight = false;
    float weight_value = 0;  // when constant_weight
    bool constant_delay = false;
    tick_t delay_ticks = 1;  // when constant_delay
};

/// Resolves the populations, sizes and port of projection `index` into `pl` (no rule yet).
void resolve(const scenario& sc, const model_registry& models, std::uint32_t index, plan& pl);

/// Resolves projection `index`: populations, port, the rule (looked up in `models`, validated,
/// then created), constant weight and delay. Throws scenario_error located at the projection.
plan make_plan(const scenario& sc, const model_registry& models, std::uint32_t index);

}  // namespace memspike::connectivity_detail
