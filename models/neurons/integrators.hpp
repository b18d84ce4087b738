// SPDX-License-Identifier: MIT
// The integrators of NIR (issue 18) that memspike's LIF family does not cover: if_delta (the
// non-leaky integrate-and-fire neuron), the read-outs li_delta and i_delta, which never spike and
// whose membrane is what a run records, and threshold_delta, NIR's memoryless Threshold (docs/nir.md).
#pragma once

#include "memspike/core/model.hpp"

namespace memspike::integrators {

model_info if_delta_model();
model_info li_delta_model();
model_info i_delta_model();
model_info threshold_delta_model();

} // namespace memspike::integrators
