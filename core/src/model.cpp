// SPDX-License-Identifier: MIT
#include "memspike/core/model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "memspike/core/backend.hpp"
#include "memspike/core/connectivity.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/plasticity.hpp"
#include "memspike/core/scenario_keys.hpp"
#include "memspike/core/stimulus.hpp"

namespace memspike {

std::size_t model_info::port_index(const std::string& port) const {
    if (port.empty()) {
        if (ports.size() == 1) return 0;
        std::vector<std::string> known;
        for (const auto& p : ports) known.push_back(p.name);
        throw unknown_parameter(name, "receptor", known);  // several ports: the receptor must be named
    }
    for (std::size_t i = 0; i < ports.size(); ++i)
        if (ports[i].name == port) return i;
    std::vector<std::string> known;
    for (const auto& p : ports) known.push_back(p.name);
    throw unknown_parameter(name + " receptor", port, known);
}

std::size_t model_info::state_index(const std::string& var) const {
    for (std::size_t i = 0; i < state.size(); ++i)
        if (state[i].name == var) return i;
    std::vector<std::string> known;
    for (const auto& s : state) known.push_back(s.name);
    throw unknown_parameter(name + " state variable", var, known);
}

param_map complete_params(const std::string& owner, const std::vector<param_info>& table, const param_map& given,
                          const std::function<void(const param_map&)>& validate) {
    std::vector<std::string> known;
    for (const auto& p : table) known.push_back(p.name);
    for (const auto& [key, value] : given)
        if (std::find(known.begin(), known.end(), key) == known.end()) throw unknown_parameter(owner, key, known);
    param_map out;
    for (const auto& p : table) {
        auto it = given.find(p.name);
        if (it != given.end()) {
            out[p.name] = it->second;
        } else if (p.required()) {
            throw invalid_parameter(owner, p.name, "(missing)", "required, a " + std::string(dimension_name(p.dim)) +
                                                                  (p.dim == dimension::dimensionless ? "" : " in " + std::string(internal_unit(p.dim))));
        } else {
            out[p.name] = p.default_value;
        }
    }
    if (validate) validate(out);
    return out;
}

void require_finite(const std::string& owner, const param_map& p, const std::string& name, dimension d) {
    const double v = p.at(name);
    if (!std::isfinite(v)) throw invalid_parameter(owner, name, format_quantity(v, d), "must be finite");
}

void require_positive(const std::string& owner, const param_map& p, const std::string& name, dimension d) {
    const double v = p.at(name);
    if (!std::isfinite(v) || v <= 0.0)
        throw invalid_parameter(owner, name, format_quantity(v, d), "must be finite and > 0 " + std::string(internal_unit(d)));
}

void require_non_negative(const std::string& owner, const param_map& p, const std::string& name, dimension d) {
    const double v = p.at(name);
    if (!std::isfinite(v) || v < 0.0)
        throw invalid_parameter(owner, name, format_quantity(v, d), "must be finite and >= 0 " + std::string(internal_unit(d)));
}

std::string choice_list(const std::vector<std::string>& choices) {
    std::string out;
    for (std::size_t k = 0; k < choices.size(); ++k)
        out += (k == 0 ? "" : k + 1 == choices.size() ? " or " : ", ") + ("\"" + choices[k] + "\"");
    return out;
}

void require_choice(const std::string& owner, const param_map& p, const std::string& name, const std::vector<std::string>& choices) {
    const double v = p.at(name);
    if (!(v >= 0.0 && v < static_cast<double>(choices.size()) && v == std::floor(v)))
        throw invalid_parameter(owner, name, format_quantity(v, dimension::dimensionless),
                                "must be one of " + choice_list(choices) + " (stored as 0 .. " + std::to_string(choices.size() - 1) + ")");
}

param_map model_info::complete(const param_map& given) const { return complete_params(name, params, given, validate); }

param_map complete_population_params(const model_info& m, const population_spec& p) {
    if (p.per_neuron.empty()) return m.complete(p.params);
    // Per-neuron names hold NaN (their values are in p.per_neuron; nothing reads them here), and
    // the model's rules run per neuron instead (scenario_validate.cpp check_per_neuron).
    param_map given = p.params;
    for (const auto& [name, pn] : p.per_neuron) given.emplace(name, std::numeric_limits<double>::quiet_NaN());
    return complete_params(m.name, m.params, given, {});
}

void model_registry::claim_streams(const std::string& owner, const std::vector<stream_info>& streams) {
    for (const auto& s : streams) {
        const auto taken = std::find_if(streams_.begin(), streams_.end(), [&](const stream_info& o) { return o.purpose == s.purpose; });
        if (taken != streams_.end())
            throw internal_error(owner + ": random stream '" + s.name + "' has purpose number " +
                                 std::to_string(static_cast<std::uint64_t>(s.purpose)) + ", already used by '" + taken->name + "'");
        streams_.push_back(s);
    }
}

model_registry::model_registry() {
    for (auto& rule : builtin_connectivity()) add_connectivity(std::move(rule));
    for (auto& kind : builtin_stimuli()) add_stimulus(std::move(kind));
}

void model_registry::add(model_info info) {
    if (models_.contains(info.name)) throw internal_error("neuron model '" + info.name + "' registered twice");
    claim_streams("model " + info.name, info.streams);
    models_.add(std::move(info));
}
const model_info& model_registry::find(const std::string& name) const { return models_.find(name); }
bool model_registry::contains(const std::string& name) const { return models_.contains(name); }
std::vector<std::string> model_registry::names() const { return models_.names(); }

void model_registry::add_plasticity(plasticity_info info) { plasticity_.add(std::move(info)); }
const plasticity_info& model_registry::find_plasticity(const std::string& name) const { return plasticity_.find(name); }
std::vector<std::string> model_registry::plasticity_names() const { return plasticity_.names(); }

param_map plasticity_info::complete(const param_map& given) const { return complete_params(name, params, given, validate); }
std::pair<double, double> plasticity_info::bounds(const param_map& completed) const {
    constexpr double inf = std::numeric_limits<double>::infinity();
    return weight_bounds ? weight_bounds(completed) : std::pair<double, double>{-inf, inf};
}

void model_registry::add_backend(backend_info info) {
    if (backends_.contains(info.name)) throw internal_error("backend '" + info.name + "' registered twice");
    claim_streams("backend " + info.name, info.streams);
    for (const auto& c : info.counters)
        for (const auto& e : engine_counters())
            if (c.name == e.name) throw internal_error("backend " + info.name + ": counter '" + c.name + "' is one of the engine's");
    backends_.add(std::move(info));
}
bool model_registry::contains_backend(const std::string& name) const { return backends_.contains(name); }
std::vector<std::string> model_registry::counter_names() const {
    std::vector<std::string> out = event_counts().names();
    for (const auto& b : backend_names())
        for (const auto& c : find_backend(b).counters) out.push_back(c.name);
    return out;
}
const backend_info& model_registry::find_backend(const std::string& name) const { return backends_.find(name); }
std::vector<std::string> model_registry::backend_names() const { return backends_.names(); }

void model_registry::add_connectivity(connectivity_info info) {
    if (!info.create) throw internal_error("connectivity rule '" + info.name + "' has no create function");
    connectivity_.add(std::move(info));
}
const connectivity_info& model_registry::find_connectivity(const std::string& name) const { return connectivity_.find(name); }
bool model_registry::contains_connectivity(const std::string& name) const { return connectivity_.contains(name); }
std::vector<std::string> model_registry::connectivity_names() const { return connectivity_.names(); }

void model_registry::add_stimulus(stimulus_info info) {
    if (static_cast<bool>(info.currents) == static_cast<bool>(info.events))
        throw internal_error("stimulus kind '" + info.name + "' needs exactly one of a current waveform and an event train");
    // The reader reads only the format's keys (stimulus_spec's fields): a kind's other key would be
    // refused as unknown in every scenario.
    const std::vector<std::string> format = scenario_key_names("stimulus");
    for (const auto& k : info.keys)
        if (std::find(format.begin(), format.end(), k) == format.end() || k == "name" || k == "kind" || k == "target" ||
            k == "neurons")
            throw internal_error("stimulus kind '" + info.name + "': key '" + k +
                                 "' is not a kind-specific key of the [[stimulus]] table (scenario_keys.cpp)");
    stimuli_.add(std::move(info));
}
const stimulus_info& model_registry::find_stimulus(const std::string& name) const { return stimuli_.find(name); }
bool model_registry::contains_stimulus(const std::string& name) const { return stimuli_.contains(name); }
std::vector<std::string> model_registry::stimulus_names() const { return stimuli_.names(); }

param_map backend_info::complete(const param_map& given) const { return complete_params(name, params, given, validate); }

reverse_index reverse_index::build(const synapse_block& block, std::size_t targets) {
    reverse_index r;
    r.offsets.assign(targets + 1, 0);
    for (const std::uint32_t t : block.targets) ++r.offsets[t + 1];
    for (std::size_t i = 0; i < targets; ++i) r.offsets[i + 1] += r.offsets[i];
    r.synapse.resize(block.targets.size());
    const std::size_t ranges = block.offsets.size() - 1;
    const bool narrow = ranges <= 65536;
    if (narrow)
        r.range16.resize(block.targets.size());
    else
        r.range32.resize(block.targets.size());
    std::vector<std::uint32_t> fill(r.offsets.begin(), r.offsets.end() - 1);
    for (std::size_t k = 0; k < ranges; ++k)
        for (std::uint64_t j = block.offsets[k]; j < block.offsets[k + 1]; ++j) {
            const std::uint32_t pos = fill[block.targets[j]]++;
            r.synapse[pos] = static_cast<std::uint32_t>(j);
            if (narrow)
                r.range16[pos] = static_cast<std::uint16_t>(k);
            else
                r.range32[pos] = static_cast<std::uint32_t>(k);
        }
    return r;
}

} // namespace memspike
