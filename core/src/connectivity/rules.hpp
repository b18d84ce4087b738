// SPDX-License-Identifier: MIT
// Core's built-in connectivity rules, one file each; builtin.cpp lists them.
#pragma once

#include "memspike/core/connectivity.hpp"

namespace memspike::connectivity_rules {

connectivity_info one_to_one();
connectivity_info all_to_all();
connectivity_info fixed_probability();
connectivity_info fixed_indegree();
connectivity_info fixed_outdegree();
connectivity_info fixed_total_number();
connectivity_info explicit_file();

}  // namespace memspike::connectivity_rules
