// SPDX-License-Identifier: MIT
// `dc`: a constant current from `start` to `stop` (or the end of the run).
#include "kinds.hpp"

namespace memspike::stimulus_kinds {

stimulus_info dc() {
    stimulus_info k;
    k.name = "dc";
    k.summary = "a constant current from start to stop";
    k.keys = {"start", "stop", "amplitude"};
    k.validate = [](const stimulus_checker& c) {
        c.finite("amplitude", c.spec.amplitude_pa, dimension::current);
        c.window();
    };
    k.currents = [](const stimulus_build& b) {
        std::vector<current_change> out{{b.start(), b.spec.amplitude_pa}};
        if (b.stop() != no_stop_tick) out.push_back({b.stop(), -b.spec.amplitude_pa});
        return out;
    };
    return k;
}

} // namespace memspike::stimulus_kinds
