// SPDX-License-Identifier: MIT
#pragma once
#include "memspike/core/model.hpp"
namespace memspike::lif {
model_info lif_cond_exp_model();
}
