// SPDX-License-Identifier: MIT
// THE list of core's built-in stimulus kinds: adding a kind is one file in this folder and one
// line here (see README.md). model_registry's constructor registers them, as it does the
// connectivity rules: every registry then reads the scenario format's built-in kinds without a
// registration call of its own, while models, which core does not know, are listed by models/.
#include "kinds.hpp"

namespace memspike {

std::vector<stimulus_info> builtin_stimuli() {
    return {
        stimulus_kinds::poisson(),
        stimulus_kinds::dc(),
        stimulus_kinds::step(),
        stimulus_kinds::ac(),
    };
}

} // namespace memspike
