// SPDX-License-Identifier: MIT
#pragma once
#include "memspike/core/plasticity.hpp"
namespace memspike::plasticity {
plasticity_info stdp_rule();
plasticity_info stdp_power_law_rule();
plasticity_info stdp_triplet_rule();
plasticity_info stdp_reward_rule();
}
