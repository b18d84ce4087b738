// SPDX-License-Identifier: MIT
// The models stepped every tick (stepped.hpp): PyNN's IF_curr_alpha, EIF_cond_exp_isfa_ista and
// Izhikevich (issue 16).
#pragma once
#include "memspike/core/model.hpp"
namespace memspike::stepped {
model_info lif_alpha_model();
model_info adex_model();
model_info izhikevich_model();
} // namespace memspike::stepped
