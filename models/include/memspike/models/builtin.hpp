// SPDX-License-Identifier: MIT
#pragma once

#include "memspike/core/model.hpp"

namespace memspike {

/// The registry with every built-in neuron and source model (models/builtin.cpp lists them).
const model_registry& builtin_models();

} // namespace memspike
