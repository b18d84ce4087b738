// SPDX-License-Identifier: MIT
// The one validation pass of a scenario (scenario.hpp), continued: [[stimulus]], [[modulator]],
// [recording] and [backend] (scenario_check.hpp).
#include <algorithm>
#include <cmath>
#include <set>

#include "memspike/core/backend.hpp"
#include "memspike/core/stimulus.hpp"
#include "scenario_check.hpp"

namespace memspike::scenario_check {

namespace {

std::string ms_text(double ms) { return format_quantity(ms, dimension::time); }
std::string ms_shown(double ms) { return quantity_text(ms, dimension::time); }

/// A name of an entry whose name may default (stimuli, modulators): no '.', quotes or spaces,
/// unique within its section.
template <class Entries>
void check_names(const checker& c, const Entries& entries, const std::string& section) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const source_location base = entry(entries[i].where, section, entries[i].name, i);
        const std::string& name = entries[i].name;
        if (name.empty() || name.find_first_of(". \t\"'") != std::string::npos)
            c.invalid(base, "name", quoted(name), "must be non-empty, without '.', quotes or spaces");
        if (!seen.insert(name).second)
            c.fail(base, "name", "duplicate " + section + " name '" + name + "'" +
                                     (c.written(base, "name") ? "" : " (the default name; give each entry its own 'name')"));
    }
}

/// The checks a stimulus kind's validate() calls (stimulus.hpp), located at the stimulus's keys.
class kind_checker final : public stimulus_checker {
public:
    kind_checker(const checker& c, const source_location& base, const stimulus_spec& s, const population_spec& t)
        : stimulus_checker(c.sc, s, t), c_(c), base_(base) {}

    [[noreturn]] void fail(const std::string& field, const std::string& what) const override { c_.fail(base_, field, what); }
    [[noreturn]] void invalid(const std::string& field, double v, dimension d, const std::string& rule) const override {
        c_.invalid(base_, field, quantity_text(v, d), rule);
    }
    void window() const override {
        if (!(spec.start_ms >= 0) || !std::isfinite(spec.start_ms))
            c_.invalid(base_, "start", ms_shown(spec.start_ms), "must be >= 0 ms");
        c_.on_grid(base_, "start", spec.start_ms);
        if (!(spec.stop_ms > spec.start_ms))
            c_.invalid(base_, "stop", ms_shown(spec.stop_ms), "must be > start = " + ms_text(spec.start_ms));
        if (std::isfinite(spec.stop_ms)) c_.on_grid(base_, "stop", spec.stop_ms);
    }
    void schedule(std::size_t values, const std::string& values_key) const override {
        check_schedule(c_, base_, spec.times_ms, values, values_key);
    }
    const port_info& port() const override { return target_port(c_, base_, target, spec.receptor); }

private:
    const checker& c_;
    const source_location& base_;
};

/// What every stimulus needs (a registered kind, its target and neurons, a membrane for current
/// waveforms), then the kind's own checks.
void check_stimulus(const checker& c, const source_location& base, const stimulus_spec& s) {
    if (!c.models->contains_stimulus(s.kind))
        c.fail(base, "kind", "unknown stimulus kind '" + s.kind + "' (known: " + list_or_none(c.models->stimulus_names()) + ")");
    const stimulus_info& kind = c.models->find_stimulus(s.kind);
    const population_spec& target = population_ref(c, base, "target", s.target);
    check_neurons(c, base, s.neurons, target);
    // Current waveforms act on the membrane: sources (models without receptor ports) have none.
    if (kind.currents) {
        const model_info& m = c.models->find(target.model);
        if (m.ports.empty())
            c.fail(base, "target", "stimulus kind '" + s.kind + "' injects current, but population '" + s.target +
                                       "' uses model '" + m.name + "', a source without a membrane");
    }
    if (kind.validate) kind.validate(kind_checker(c, base, s, target));
}

} // namespace

void check_neurons(const checker& c, const source_location& base, const std::vector<std::uint64_t>& neurons,
                   const population_spec& pop) {
    std::set<std::uint64_t> seen;
    for (std::size_t i = 0; i < neurons.size(); ++i) {
        const std::string field = "neurons[" + std::to_string(i) + "]";
        if (neurons[i] >= pop.size)
            c.invalid(base, field, std::to_string(neurons[i]),
                      "population '" + pop.name + "' has " + std::to_string(pop.size) + " neurons: indices 0 to " +
                          std::to_string(pop.size - 1));
        if (!seen.insert(neurons[i]).second) c.invalid(base, field, std::to_string(neurons[i]), "listed twice");
    }
}

void check_schedule(const checker& c, const source_location& base, const std::vector<double>& times_ms, std::size_t values,
                    const std::string& values_key) {
    if (times_ms.empty()) c.fail(base, "times", "empty: give at least one time");
    if (times_ms.size() != values)
        c.fail(base, values_key, "has " + std::to_string(values) + " entries but 'times' has " + std::to_string(times_ms.size()) +
                                     ": they must have the same length");
    for (std::size_t i = 0; i < times_ms.size(); ++i) {
        const std::string field = "times[" + std::to_string(i) + "]";
        const double ms = times_ms[i];
        if (!(ms >= 0) || !std::isfinite(ms)) c.invalid(base, field, ms_shown(ms), "must be >= 0 ms");
        if (i > 0 && !(ms > times_ms[i - 1]))
            c.invalid(base, field, ms_shown(ms), "times must be strictly increasing; the previous one is " + ms_text(times_ms[i - 1]));
        c.on_grid(base, field, ms);
    }
}

void check_stimuli(const checker& c) {
    check_names(c, c.sc.stimuli, "stimulus");
    for (std::size_t i = 0; i < c.sc.stimuli.size(); ++i) {
        const stimulus_spec& s = c.sc.stimuli[i];
        check_stimulus(c, entry(s.where, "stimulus", s.name, i), s);
    }
}

void check_modulators(const checker& c) {
    check_names(c, c.sc.modulators, "modulator");
    std::vector<std::string> plastic;
    for (const auto& p : c.sc.projections)
        if (p.plasticity.enabled()) plastic.push_back(p.name);
    for (std::size_t i = 0; i < c.sc.modulators.size(); ++i) {
        const modulator_spec& m = c.sc.modulators[i];
        const source_location base = entry(m.where, "modulator", m.name, i);
        if (m.projections.empty())
            c.fail(base, "projections", "empty: an array of plastic projection names (" + list_or_none(plastic) + ")");
        for (std::size_t j = 0; j < m.projections.size(); ++j)
            if (std::find(plastic.begin(), plastic.end(), m.projections[j]) == plastic.end())
                c.invalid(base, "projections[" + std::to_string(j) + "]", quoted(m.projections[j]),
                          "must name a plastic projection (" + list_or_none(plastic) + ")");
        check_schedule(c, base, m.times_ms, m.values.size(), "values");
        for (std::size_t j = 0; j < m.values.size(); ++j)
            if (!std::isfinite(m.values[j]))
                c.invalid(base, "values[" + std::to_string(j) + "]", format_quantity(m.values[j], dimension::dimensionless),
                          "must be a finite number");
    }
}

namespace {

/// An interval of recorded samples: at least one tick, on the grid.
void check_interval(const checker& c, const source_location& base, double ms) {
    const double res = c.sc.simulation.resolution_ms;
    if (!c.written(base, "interval") && (ms < res || !(ms / res <= 1e15) || ms_to_ticks_exact(ms, res) < 0))
        c.fail(base, "interval", "missing required key 'interval' (the default " + ms_text(ms) +
                                     " is not a whole number of ticks of the resolution " + ms_text(res) + ")");
    if (!(ms >= res)) c.invalid(base, "interval", ms_shown(ms), "must be >= the resolution " + ms_text(res));
    c.on_grid(base, "interval", ms);
}

void check_trace(const checker& c, const source_location& base, const trace_spec& tr) {
    const population_spec& pop = population_ref(c, base, "population", tr.population);
    const model_info& m = c.models->find(pop.model);
    std::vector<std::string> vars;
    for (const auto& s : m.state) vars.push_back(s.name);
    if (tr.variables.empty()) c.fail(base, "variables", "empty: give at least one of " + list_or_none(vars));
    for (std::size_t j = 0; j < tr.variables.size(); ++j) {
        const std::string field = "variables[" + std::to_string(j) + "]";
        try {
            (void)m.state_index(tr.variables[j]);
        } catch (const error& e) {
            c.fail(base, field, e.what());
        }
        for (std::size_t k = 0; k < j; ++k)
            if (tr.variables[k] == tr.variables[j]) c.invalid(base, field, quoted(tr.variables[j]), "listed twice");
    }
    if (tr.neurons.empty()) c.fail(base, "neurons", "empty list (omit 'neurons' to select every neuron)");
    check_neurons(c, base, tr.neurons, pop);
    check_interval(c, base, tr.interval_ms);
}

} // namespace

void check_recording(const checker& c) {
    const recording_spec& rec = c.sc.recording;
    const source_location base = c.section("recording");
    const double res = c.sc.simulation.resolution_ms;
    for (std::size_t i = 0; i < rec.spike_populations.size(); ++i) {
        const std::string field = "spikes[" + std::to_string(i) + "]";
        (void)population_ref(c, base, field, rec.spike_populations[i]);
        for (std::size_t j = 0; j < i; ++j)
            if (rec.spike_populations[j] == rec.spike_populations[i]) c.invalid(base, field, quoted(rec.spike_populations[i]), "listed twice");
    }
    if (rec.energy_bin_ms != 0.0) {
        if (!(rec.energy_bin_ms >= res))
            c.invalid(base, "energy_bin", ms_shown(rec.energy_bin_ms), "must be 0 ms (no ledger) or >= the resolution " + ms_text(res));
        c.on_grid(base, "energy_bin", rec.energy_bin_ms);
    }
    if (rec.inference_ms != 0.0 || c.written(base, "inference")) {
        if (!(rec.inference_ms > 0))
            c.invalid(base, "inference", ms_shown(rec.inference_ms), "must be > 0 ms: the model time one inference takes");
        c.on_grid(base, "inference", rec.inference_ms);
    }
    if (!(rec.flush_interval_ms > 0) || !std::isfinite(rec.flush_interval_ms))
        c.invalid(base, "flush_interval", ms_shown(rec.flush_interval_ms), "must be > 0 ms");

    std::vector<std::string> names;
    for (const auto& p : c.sc.projections) names.push_back(p.name);
    for (std::size_t i = 0; i < rec.weights.size(); ++i) {
        const weights_spec& ws = rec.weights[i];
        const source_location wb = entry(ws.where, "recording.weights", "", i);
        if (std::find(names.begin(), names.end(), ws.projection) == names.end())
            c.fail(wb, "projection", "no projection named '" + ws.projection + "' (projections: " + list_or_none(names) + ")");
        for (std::size_t j = 0; j < i; ++j)
            if (rec.weights[j].projection == ws.projection) c.invalid(wb, "projection", quoted(ws.projection), "recorded twice");
        if (ws.interval_ms != 0.0 || c.written(wb, "interval")) {
            if (!(ws.interval_ms >= res)) c.invalid(wb, "interval", ms_shown(ws.interval_ms), "must be >= the resolution " + ms_text(res));
            c.on_grid(wb, "interval", ws.interval_ms);
        }
    }
    for (std::size_t i = 0; i < rec.traces.size(); ++i) check_trace(c, entry(rec.traces[i].where, "recording.trace", "", i), rec.traces[i]);
}

void check_backend(const checker& c) {
    const backend_spec& b = c.sc.backend;
    // No [backend] asked for: the default backend with its defaults, nothing to check.
    if (!c.sc.locations.count("backend") && b.kind == backend_spec{}.kind && b.params.empty()) return;
    const source_location base = c.section("backend");
    const backend_info* info = nullptr;
    try {
        info = &c.models->find_backend(b.kind);
    } catch (const error& e) {
        c.fail(base, "kind", e.what());
    }
    for (const auto& param : b.params) {
        // Not a structured binding: clang before 16 cannot capture one in a lambda (C++20 P1091).
        const std::string& name = param.first;
        const double v = param.second;
        const auto pi = std::find_if(info->params.begin(), info->params.end(), [&](const param_info& x) { return x.name == name; });
        if (pi != info->params.end() && std::isinf(v) && !(pi->infinite_ok && v > 0))
            c.invalid(base, name, format_quantity(v, pi->dim), "must be finite");
    }
    try {
        (void)info->complete(b.params);
    } catch (const invalid_parameter& e) {
        c.fail(base, e.name, e.what());
    } catch (const unknown_parameter& e) {
        c.fail(base, e.name, e.what());
    } catch (const error& e) {
        c.fail(base, "", e.what());
    }
}

} // namespace memspike::scenario_check
