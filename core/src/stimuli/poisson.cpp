// SPDX-License-Identifier: MIT
// `poisson`: independent (or shared) Poisson trains of synaptic events onto the targets, delivered
// by core's poisson_drive in the tick loop.
#include "kinds.hpp"

namespace memspike::stimulus_kinds {

namespace {
constexpr double max_events_per_tick = 1e6;
}

stimulus_info poisson() {
    stimulus_info k;
    k.name = "poisson";
    k.summary = "Poisson trains of synaptic events, one per target neuron (or one shared by all)";
    k.keys = {"rate", "weight", "receptor", "shared", "start", "stop"};
    k.validate = [](const stimulus_checker& c) {
        const stimulus_spec& s = c.spec;
        if (!(s.rate_hz > 0) || !std::isfinite(s.rate_hz)) c.invalid("rate", s.rate_hz, dimension::frequency, "must be > 0 Hz");
        // At most 1e6 expected events per target and tick: beyond it a tick would not end in
        // reasonable time (a shared train is drawn event by event), and nothing physical needs it.
        const double per_tick = s.rate_hz * c.sc.simulation.resolution_ms * 1e-3;
        if (per_tick > max_events_per_tick)
            c.invalid("rate", s.rate_hz, dimension::frequency,
                      "must be <= " + format_quantity(max_events_per_tick / (c.sc.simulation.resolution_ms * 1e-3), dimension::frequency) +
                          ": at most 1e6 events per target and tick of " + format_quantity(c.sc.simulation.resolution_ms, dimension::time));
        const port_info& port = c.port();
        c.finite("weight", s.weight, port.weight_dim);
        if (port.weight_dim == dimension::conductance && s.weight < 0)
            c.invalid("weight", s.weight, port.weight_dim, "must be >= 0 nS (conductances cannot be negative)");
        c.window();
    };
    k.events = [](const stimulus_build& b) {
        event_train e;
        e.rate_hz = b.spec.rate_hz;
        e.weight = b.spec.weight;
        e.receptor = b.spec.receptor;
        e.shared = b.spec.shared;
        e.start = b.start();
        e.stop = b.stop();
        return e;
    };
    return k;
}

} // namespace memspike::stimulus_kinds
