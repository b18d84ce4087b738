// SPDX-License-Identifier: MIT
// Stimulus kinds, registered like models (model_registry::add_stimulus). A kind says which keys of
// a [[stimulus]] it takes, checks their values, and says what to deliver through one of core's two
// mechanisms, which stay core's so that they stay as fast as they are:
//   * a current waveform: the (tick, delta pA) changes of the external current of every target,
//     applied by the tick loop at their tick (dc, step; a ramp or a sine in steps is one file);
//   * an event train: Poisson trains of synaptic events, drawn inline in the tick loop by core's
//     poisson_drive (poisson).
// See core/src/stimuli/README.md for how a kind is added.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "memspike/core/model.hpp"
#include "memspike/core/spec.hpp"
#include "memspike/core/time.hpp"
#include "memspike/core/units.hpp"

namespace memspike {

/// A stop that never comes (the tick loop's `never`).
inline constexpr tick_t no_stop_tick = std::numeric_limits<tick_t>::max();

/// The checks a kind's validate() calls on its stimulus. Implemented by the validator, so a kind's
/// messages are located at its keys (file, line, the value as written) like every other one.
class stimulus_checker {
public:
    const scenario& sc;
    const stimulus_spec& spec;
    const population_spec& target;  // the population, already checked to exist

    /// Throws scenario_error located at `field` of the stimulus ("rate", "times[1]").
    [[noreturn]] virtual void fail(const std::string& field, const std::string& what) const = 0;
    /// "<value> is invalid (<rule>)", the value as written, or `v` shown in dimension d when set in code.
    [[noreturn]] virtual void invalid(const std::string& field, double v, dimension d, const std::string& rule) const = 0;
    /// `start` and `stop`: on the tick grid, 0 <= start < stop.
    virtual void window() const = 0;
    /// `times` with a parallel array `values_key` of `values` entries: same length, not empty,
    /// times >= 0, strictly increasing and on the grid.
    virtual void schedule(std::size_t values, const std::string& values_key) const = 0;
    /// The receptor port the stimulus names (`receptor`; empty: the target model's only one).
    virtual const port_info& port() const = 0;

    /// `v` at `field` must be finite ("must be a finite number").
    void finite(const std::string& field, double v, dimension d) const {
        if (!std::isfinite(v)) invalid(field, v, d, "must be a finite number");
    }

protected:
    stimulus_checker(const scenario& s, const stimulus_spec& st, const population_spec& t) : sc(s), spec(st), target(t) {}
    ~stimulus_checker() = default;
};

/// What a kind's build reads: its validated stimulus and the tick grid.
struct stimulus_build {
    const stimulus_spec& spec;
    std::uint32_t index = 0;  // position in scenario::stimuli (keys the kind's random streams)
    double resolution_ms = 0.1;

    /// A time in ms as the nearest tick.
    tick_t tick(double ms) const { return ms_to_ticks_round(ms, resolution_ms); }
    tick_t start() const { return tick(spec.start_ms); }
    /// no_stop_tick when the stimulus has no stop.
    tick_t stop() const { return std::isfinite(spec.stop_ms) ? tick(spec.stop_ms) : no_stop_tick; }
};

/// A change of the external current of every target of a stimulus, from `tick` on.
struct current_change {
    tick_t tick = 0;
    double delta_pa = 0.0;
};

/// Poisson trains of synaptic events onto the targets, active on [start, stop). Streams are keyed
/// (seed, poisson_stimulus, stimulus index, global neuron id), or neuron 0 for a shared train.
struct event_train {
    double rate_hz = 0.0;
    double weight = 0.0;   // per event, in the unit of the port
    std::string receptor;  // empty: the target model's only port
    bool shared = false;   // one train delivered to all targets
    tick_t start = 0, stop = no_stop_tick;
};

/// A registered stimulus kind: name and summary, the keys it takes, its checks, and exactly one
/// of `currents` (a current waveform) or `events` (an event train).
struct stimulus_info {
    std::string name;     // the value of a stimulus's `kind`
    std::string summary;  // one line, for docs and `memspike inspect`
    /// The [[stimulus]] keys this kind takes besides name, kind, target and neurons (a subset of
    /// the format's keys, scenario_keys.cpp); a stimulus giving one of them with another kind is
    /// an error, and the reader reads only these.
    std::vector<std::string> keys;
    /// Checks of the kind's values, after core checked the target, the neurons and (for current
    /// waveforms) that the target has a membrane. May be empty.
    std::function<void(const stimulus_checker&)> validate;
    /// A current waveform: the changes, in any order (core sorts them by tick, stably).
    std::function<std::vector<current_change>(const stimulus_build&)> currents;
    /// An event train for core's poisson_drive.
    std::function<event_train(const stimulus_build&)> events;
};

/// THE list of core's built-in stimulus kinds (core/src/stimuli/builtin.cpp); model_registry's
/// constructor registers them.
std::vector<stimulus_info> builtin_stimuli();

} // namespace memspike
