// SPDX-License-Identifier: MIT
// `step`: a piecewise-constant current, amplitudes[i] from times[i] on (0 before the first time).
#include "kinds.hpp"

namespace memspike::stimulus_kinds {

stimulus_info step() {
    stimulus_info k;
    k.name = "step";
    k.summary = "a piecewise-constant current: amplitudes[i] from times[i] on";
    k.keys = {"times", "amplitudes"};
    k.validate = [](const stimulus_checker& c) {
        c.schedule(c.spec.amplitudes_pa.size(), "amplitudes");
        for (std::size_t i = 0; i < c.spec.amplitudes_pa.size(); ++i)
            c.finite("amplitudes[" + std::to_string(i) + "]", c.spec.amplitudes_pa[i], dimension::current);
    };
    k.currents = [](const stimulus_build& b) {
        std::vector<current_change> out;
        double previous = 0.0;
        for (std::size_t i = 0; i < b.spec.times_ms.size(); ++i) {
            out.push_back({b.tick(b.spec.times_ms[i]), b.spec.amplitudes_pa[i] - previous});
            previous = b.spec.amplitudes_pa[i];
        }
        return out;
    };
    return k;
}

} // namespace memspike::stimulus_kinds
