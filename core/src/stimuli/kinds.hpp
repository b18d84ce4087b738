// SPDX-License-Identifier: MIT
// Private to core/src/stimuli: one function per built-in stimulus kind, each defined in its own
// file and listed once in builtin.cpp.
#pragma once

#include "memspike/core/stimulus.hpp"

namespace memspike::stimulus_kinds {

stimulus_info poisson();
stimulus_info dc();
stimulus_info step();
stimulus_info ac();

} // namespace memspike::stimulus_kinds
