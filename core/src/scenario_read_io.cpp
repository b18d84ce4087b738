// SPDX-License-Identifier: MIT
// Reading [[stimulus]], [[modulator]], [recording] and [backend] from TOML: types, units and keys
// only; the validator checks the values (scenario_toml.hpp).
#include <algorithm>
#include <cmath>

#include "memspike/core/backend.hpp"
#include "memspike/core/scenario_keys.hpp"
#include "memspike/core/stimulus.hpp"
#include "scenario_toml.hpp"

namespace memspike::scenario_toml {

std::vector<std::uint64_t> neuron_list(const context& cx, const table_view& tv) {
    std::vector<std::uint64_t> out;
    const toml::array* arr = tv.array("neurons", "an array of neuron indices such as [0, 1, 2]");
    if (arr == nullptr) return out;
    // An empty list and no list would read the same (every neuron): the empty one is a mistake.
    if (arr->empty()) fail(cx, tv.get("neurons"), tv.sub("neurons"), "empty list (omit 'neurons' to select every neuron)");
    for (std::size_t i = 0; i < arr->size(); ++i)
        out.push_back(static_cast<std::uint64_t>(
            integer_of(cx, *arr->get(i), tv.sub("neurons") + "[" + std::to_string(i) + "]", 0)));
    return out;
}

namespace {

/// The name of an entry that may omit it, and the table view keyed by it.
std::string name_or(const table_view& first, const std::string& fallback) {
    if (auto v = first.string("name")) return *v;
    return fallback;
}

/// `times = [...]` with a parallel array `values_key` (step amplitudes, modulator values): both
/// required; `value(node, key)` reads each value. Lengths and order are the validator's.
template <class ReadValue>
void read_schedule(const context& cx, const table_view& tv, const std::string& values_key, const std::string& values_expected,
                   std::vector<double>& times_ms, ReadValue&& value) {
    const std::string texp = "an array of times such as [\"0 ms\", \"100 ms\"]";
    if (tv.get("times") == nullptr) tv.missing("times", texp);
    if (tv.get(values_key) == nullptr) tv.missing(values_key, values_expected);
    const auto* times = tv.array("times", texp);
    const auto* values = tv.array(values_key, values_expected);
    for (std::size_t i = 0; i < times->size(); ++i)
        times_ms.push_back(quantity_of(cx, *times->get(i), tv.sub("times") + "[" + std::to_string(i) + "]", dimension::time));
    for (std::size_t i = 0; i < values->size(); ++i) value(*values->get(i), tv.sub(values_key) + "[" + std::to_string(i) + "]");
}

} // namespace

stimulus_spec read_stimulus(const context& cx, const toml::table& t, std::size_t index, const scenario& sc) {
    const std::vector<std::string> kinds = cx.models.stimulus_names();
    const table_view first{cx, t, "stimulus[" + std::to_string(index) + "]", &t};
    stimulus_spec s;
    const toml::node& kn = first.required("kind", "one of: " + list_or_none(kinds));
    s.kind = string_of(cx, kn, first.sub("kind"));
    s.name = name_or(first, s.kind + std::to_string(index));
    const table_view tv{cx, t, "stimulus." + s.name, &t};
    note(cx, &kn, tv.sub("kind"));
    if (first.get("name") != nullptr) note(cx, first.get("name"), tv.sub("name"));
    tv.only(scenario_key_names("stimulus"));
    s.where = note(cx, &t, tv.key);
    if (!cx.models.contains_stimulus(s.kind)) return s;  // the validator says so
    // Keys that belong to a kind (as each registered kind declares them) are refused with another;
    // a key several kinds take names them all, joined by '|'.
    std::vector<std::pair<std::string, std::string>> owner;
    for (const auto& k : kinds)
        for (const auto& key : cx.models.find_stimulus(k).keys) {
            auto it = std::find_if(owner.begin(), owner.end(), [&](const auto& o) { return o.first == key; });
            if (it == owner.end()) owner.emplace_back(key, k);
            else it->second += "|" + k;
        }
    check_variant_keys(cx, tv, owner, s.kind, "kind");
    const std::vector<std::string>& taken = cx.models.find_stimulus(s.kind).keys;
    const auto takes = [&](const char* key) { return std::find(taken.begin(), taken.end(), key) != taken.end(); };

    // Every format key the kind takes, in the doc's order; the kind's validate() checks the values.
    // Keys of other kinds are absent (refused above); those marked required in the format's table
    // are required by every kind that takes them.
    s.target = string_of(cx, tv.required("target", "the name of a population"), tv.sub("target"), "the name of a population");
    s.neurons = neuron_list(cx, tv);
    if (auto v = tv.quantity("start", dimension::time)) s.start_ms = *v;
    if (auto v = tv.quantity("stop", dimension::time)) s.stop_ms = *v;
    if (takes("rate"))
        s.rate_hz = quantity_of(cx, tv.required("rate", "a frequency such as \"5 Hz\""), tv.sub("rate"), dimension::frequency);
    if (auto v = tv.string("receptor")) s.receptor = *v;
    if (auto v = tv.boolean("shared")) s.shared = *v;
    if (takes("weight")) {
        if (const auto wdim = target_weight_dim(cx, sc, s.target, s.receptor))
            s.weight = quantity_of(cx, tv.required("weight", a_quantity(*wdim)), tv.sub("weight"), *wdim);
    }
    if (takes("amplitude"))
        s.amplitude_pa = quantity_of(cx, tv.required("amplitude", "a current such as \"100 pA\""), tv.sub("amplitude"), dimension::current);
    if (takes("amplitudes"))  // with its `times`
        read_schedule(cx, tv, "amplitudes", "an array of currents such as [\"100 pA\", \"0 pA\"]", s.times_ms,
                      [&](const toml::node& n, const std::string& key) { s.amplitudes_pa.push_back(quantity_of(cx, n, key, dimension::current)); });
    if (takes("frequency"))
        s.frequency_hz = quantity_of(cx, tv.required("frequency", "a frequency such as \"10 Hz\""), tv.sub("frequency"), dimension::frequency);
    if (auto v = tv.quantity("phase", dimension::dimensionless)) s.phase_deg = *v;
    if (auto v = tv.quantity("offset", dimension::current)) s.offset_pa = *v;
    return s;
}

modulator_spec read_modulator(const context& cx, const toml::table& t, std::size_t index, const scenario& sc) {
    const table_view first{cx, t, "modulator[" + std::to_string(index) + "]", &t};
    modulator_spec m;
    m.name = name_or(first, "modulator" + std::to_string(index));
    const table_view tv{cx, t, "modulator." + m.name, &t};
    if (first.get("name") != nullptr) note(cx, first.get("name"), tv.sub("name"));
    tv.only(scenario_key_names("modulator"));
    m.where = note(cx, &t, tv.key);
    std::vector<std::string> plastic;
    for (const auto& p : sc.projections)
        if (p.plasticity.enabled()) plastic.push_back(p.name);
    const std::string pexp = "an array of plastic projection names (" + list_or_none(plastic) + ")";
    if (tv.get("projections") == nullptr) tv.missing("projections", pexp);
    const auto* pa = tv.array("projections", pexp);
    for (std::size_t i = 0; i < pa->size(); ++i)
        m.projections.push_back(string_of(cx, *pa->get(i), tv.sub("projections") + "[" + std::to_string(i) + "]", "a projection name"));
    read_schedule(cx, tv, "values", "an array of numbers such as [0.0, 1.0]", m.times_ms,
                  [&](const toml::node& n, const std::string& key) { m.values.push_back(number_of(cx, n, key)); });
    return m;
}

namespace {

/// The entries of [[recording.<name>]], each checked to be a table.
std::vector<std::pair<std::string, const toml::node*>> sub_entries(const context& cx, const table_view& tv, const std::string& name) {
    std::vector<std::pair<std::string, const toml::node*>> out;
    const toml::node* n = tv.get(name);
    if (n == nullptr) return out;
    const auto* arr = n->as_array();
    if (arr == nullptr) wrong_type(cx, *n, tv.sub(name), "an array of tables ([[recording." + name + "]] entries)");
    for (std::size_t i = 0; i < arr->size(); ++i) {
        const std::string key = tv.sub(name) + "[" + std::to_string(i) + "]";
        const toml::node& e = *arr->get(i);
        if (!e.is_table()) wrong_type(cx, e, key, "a table ([[recording." + name + "]] entry)");
        out.emplace_back(key, &e);
    }
    return out;
}

} // namespace

recording_spec read_recording(const context& cx, const toml::table& root, const scenario& sc) {
    recording_spec rec;
    const toml::node* n = root.get("recording");
    if (n == nullptr) return rec;
    if (!n->is_table()) wrong_type(cx, *n, "recording", "a table ([recording])");
    note(cx, n, "recording");
    const table_view tv{cx, *n->as_table(), "recording", n};
    tv.only(scenario_key_names("recording"));

    if (const toml::node* sn = tv.get("spikes")) {
        const std::string expected = "\"all\" or an array of population names such as [\"E\"]";
        if (const auto* s = sn->as_string()) {
            if (s->get() != "all") invalid(cx, *sn, tv.sub("spikes"), "must be " + expected);
        } else if (const auto* arr = sn->as_array()) {
            rec.all_spikes = false;
            for (std::size_t i = 0; i < arr->size(); ++i)
                rec.spike_populations.push_back(
                    string_of(cx, *arr->get(i), tv.sub("spikes") + "[" + std::to_string(i) + "]", "a population name"));
        } else {
            wrong_type(cx, *sn, tv.sub("spikes"), expected);
        }
    }
    if (auto v = tv.quantity("energy_bin", dimension::time)) rec.energy_bin_ms = *v;
    if (auto v = tv.quantity("inference", dimension::time)) rec.inference_ms = *v;
    if (auto v = tv.quantity("flush_interval", dimension::time)) rec.flush_interval_ms = *v;

    // [[recording.weights]]: snapshots of a projection's weights (initial, every interval, final).
    for (const auto& [key, e] : sub_entries(cx, tv, "weights")) {
        const table_view xv{cx, *e->as_table(), key, e};
        xv.only(scenario_key_names("recording.weights"));
        weights_spec ws;
        ws.where = note(cx, e, key);
        std::vector<std::string> names;
        for (const auto& p : sc.projections) names.push_back(p.name);
        ws.projection = string_of(cx, xv.required("projection", "the name of a projection: " + list_or_none(names)), xv.sub("projection"));
        if (auto v = xv.quantity("interval", dimension::time)) ws.interval_ms = *v;
        rec.weights.push_back(std::move(ws));
    }

    for (const auto& [key, e] : sub_entries(cx, tv, "trace")) {
        const table_view xv{cx, *e->as_table(), key, e};
        xv.only(scenario_key_names("recording.trace"));
        trace_spec tr;
        tr.where = note(cx, e, key);
        tr.population = string_of(cx, xv.required("population", "the name of a population"), xv.sub("population"),
                                  "the name of a population");
        // The expected value names the model's variables when the population resolves.
        std::string vexp = "an array of state variable names such as [\"v\"]";
        if (const population_spec* pop = sc.find_population(tr.population); pop && cx.models.contains(pop->model)) {
            std::vector<std::string> vars;
            for (const auto& v : cx.models.find(pop->model).state) vars.push_back(v.name);
            vexp = "an array of state variables of model " + pop->model + " (" + list_or_none(vars) + ")";
        }
        const auto* va = xv.array("variables", vexp);
        if (va == nullptr) xv.missing("variables", vexp);
        for (std::size_t j = 0; j < va->size(); ++j)
            tr.variables.push_back(string_of(cx, *va->get(j), xv.sub("variables") + "[" + std::to_string(j) + "]", "a state variable name"));
        tr.neurons = neuron_list(cx, xv);
        // No list: every neuron (of a population the validator will find; none otherwise).
        if (xv.get("neurons") == nullptr)
            if (const population_spec* pop = sc.find_population(tr.population))
                for (std::uint64_t k = 0; k < pop->size; ++k) tr.neurons.push_back(k);
        if (auto v = xv.quantity("interval", dimension::time)) tr.interval_ms = *v;
        rec.traces.push_back(std::move(tr));
    }
    return rec;
}

/// [backend]: kind = "digital" (default) | "crossbar" | "dense" ..., and the backend's
/// parameters as keys of the same table, each a quantity of its dimension (levels = inf for an
/// unlimited number of levels where the parameter allows it; switches as true / false).
backend_spec read_backend(const context& cx, const toml::table& root) {
    backend_spec b;
    const toml::node* n = root.get("backend");
    if (n == nullptr) return b;
    if (!n->is_table()) wrong_type(cx, *n, "backend", "a table ([backend])");
    const table_view tv{cx, *n->as_table(), "backend", n};
    b.where = note(cx, n, "backend");
    if (auto v = tv.get("kind")) b.kind = string_of(cx, *v, "backend.kind", "a backend name");
    const auto names = cx.models.backend_names();
    if (std::find(names.begin(), names.end(), b.kind) == names.end()) return b;  // the validator says so
    const backend_info& info = cx.models.find_backend(b.kind);
    std::vector<std::string> accepted{"kind"};
    for (const auto& p : info.params) accepted.push_back(p.name);
    tv.only(accepted);
    for (auto&& [key, v] : *n->as_table()) {
        const std::string name(key.str());
        if (name == "kind") continue;
        const param_info& pi = *std::find_if(info.params.begin(), info.params.end(), [&](const param_info& x) { return x.name == name; });
        const std::string k = tv.sub(name);
        if (pi.boolean) {
            b.params[name] = bool_of(cx, v, k) ? 1.0 : 0.0;
        } else if (const auto* f = v.as_floating_point(); f && std::isinf(f->get()) && pi.dim == dimension::dimensionless) {
            b.params[name] = f->get();  // whether inf is accepted is the validator's rule
            note(cx, &v, k);
        } else {
            b.params[name] = quantity_of(cx, v, k, pi.dim);
        }
    }
    return b;
}

} // namespace memspike::scenario_toml
