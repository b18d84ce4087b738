// SPDX-License-Identifier: MIT
// `ac`: a sinusoidal current, piecewise constant per tick as NEST's ac_generator:
//   I = offset + amplitude sin(2 pi frequency t_k + phase)   on the tick (t_k, t_k + h], start <= t_k < stop,
// with t_k the tick's start time from the beginning of the run (not from `start`, as NEST) and
// `phase` in degrees; 0 outside [start, stop). Delivered as the (tick, delta) changes of a current
// waveform, so a finite `stop` is required (the changes are made when the network is built).
#include <cmath>
#include <numbers>

#include "kinds.hpp"

namespace memspike::stimulus_kinds {

namespace {
constexpr double max_ticks = 1e7;  // changes per stimulus: ~240 MB of current events at most
}

stimulus_info ac() {
    stimulus_info k;
    k.name = "ac";
    k.summary = "a sinusoidal current, constant over each tick, from start to stop";
    k.keys = {"start", "stop", "amplitude", "frequency", "phase", "offset"};
    k.validate = [](const stimulus_checker& c) {
        const stimulus_spec& s = c.spec;
        c.finite("amplitude", s.amplitude_pa, dimension::current);
        c.finite("offset", s.offset_pa, dimension::current);
        c.finite("phase", s.phase_deg, dimension::dimensionless);
        if (!(s.frequency_hz >= 0) || !std::isfinite(s.frequency_hz))
            c.invalid("frequency", s.frequency_hz, dimension::frequency, "must be >= 0 Hz and finite");
        if (!std::isfinite(s.stop_ms))
            c.fail("stop", "is required for kind 'ac' (a time such as \"1000 ms\"): its current changes every tick "
                           "and is made when the network is built");
        c.window();
        const double ticks = (s.stop_ms - s.start_ms) / c.sc.simulation.resolution_ms;
        if (ticks > max_ticks)
            c.invalid("stop", s.stop_ms, dimension::time,
                      "must be at most 1e7 ticks after start (" +
                          format_quantity(max_ticks * c.sc.simulation.resolution_ms, dimension::time) +
                          " at this resolution): use several ac stimuli");
    };
    k.currents = [](const stimulus_build& b) {
        std::vector<current_change> out;
        const double omega = 2.0 * std::numbers::pi * b.spec.frequency_hz * 1e-3;  // rad / ms
        const double phase = b.spec.phase_deg * std::numbers::pi / 180.0;
        double previous = 0.0;
        for (tick_t t = b.start(); t < b.stop(); ++t) {
            const double now = b.spec.offset_pa + b.spec.amplitude_pa * std::sin(omega * static_cast<double>(t) * b.resolution_ms + phase);
            if (now != previous) out.push_back({t, now - previous});
            previous = now;
        }
        if (previous != 0.0) out.push_back({b.stop(), -previous});
        return out;
    };
    return k;
}

} // namespace memspike::stimulus_kinds
