// SPDX-License-Identifier: MIT
// The dense backend: the clock-driven baseline a CPU/GPU would run (DESIGN.md §4).
#pragma once

#include "memspike/core/backend.hpp"

namespace memspike::dense {

backend_info dense_backend();

} // namespace memspike::dense
