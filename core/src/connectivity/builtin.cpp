// SPDX-License-Identifier: MIT
// THE list of core's built-in connectivity rules: adding a rule is one file in this folder and one
// line here (see README.md). model_registry's constructor registers them (model.hpp says why).
#include "rules.hpp"

namespace memspike {

std::vector<connectivity_info> builtin_connectivity() {
    return {
        connectivity_rules::one_to_one(),
        connectivity_rules::all_to_all(),
        connectivity_rules::fixed_probability(),
        connectivity_rules::fixed_indegree(),
        connectivity_rules::fixed_outdegree(),
        connectivity_rules::fixed_total_number(),
        connectivity_rules::explicit_file(),
    };
}

}  // namespace memspike
