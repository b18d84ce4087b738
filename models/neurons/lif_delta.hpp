// SPDX-License-Identifier: MIT
#pragma once
#include "memspike/core/model.hpp"
namespace memspike::lif {
model_info lif_delta_model();
}
