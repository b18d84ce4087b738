// SPDX-License-Identifier: MIT
#pragma once

#include "memspike/core/model.hpp"

namespace memspike {

/// Every built-in neuron model, plasticity rule and synaptic backend (digital, crossbar, dense):
/// the registry the command line and Python use.
const model_registry& builtin_registry();

} // namespace memspike
