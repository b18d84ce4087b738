// SPDX-License-Identifier: MIT
#pragma once
#include "memspike/core/model.hpp"
namespace memspike::sources {
model_info poisson_source_model();
model_info spike_source_model();
}
