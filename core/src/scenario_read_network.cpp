// SPDX-License-Identifier: MIT
// Reading [simulation], [[population]] and [[projection]] (with plasticity) from TOML: types,
// units and keys only; the validator checks the values (scenario_toml.hpp).
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "memspike/core/connectivity.hpp"
#include "memspike/core/plasticity.hpp"
#include "memspike/core/scenario_keys.hpp"
#include "scenario_toml.hpp"

namespace memspike::scenario_toml {

simulation_spec read_simulation(const context& cx, const toml::table& root) {
    const toml::node* n = root.get("simulation");
    if (n == nullptr)
        fail(cx, &root, "simulation", "missing required table [simulation] (at least duration = \"1 s\")");
    if (!n->is_table()) wrong_type(cx, *n, "simulation", "a table ([simulation])");
    note(cx, n, "simulation");
    const table_view tv{cx, *n->as_table(), "simulation", n};
    tv.only(scenario_key_names("simulation"));

    simulation_spec sim;
    sim.seed = 12345;
    if (auto v = tv.quantity("resolution", dimension::time)) sim.resolution_ms = *v;
    sim.duration_ms = quantity_of(cx, tv.required("duration", "a time such as \"1 s\""), tv.sub("duration"), dimension::time);
    if (auto v = tv.integer("seed", 0)) sim.seed = static_cast<std::uint64_t>(*v);
    // Kept in range of `unsigned` for storage; the validator rejects > 65536 showing the value as written.
    if (auto v = tv.integer("threads", 0)) sim.threads = static_cast<unsigned>(std::min<std::int64_t>(*v, 1 << 30));
    if (auto v = tv.number("scale")) sim.scale = *v;
    if (auto v = tv.number("quiescence_tolerance")) sim.quiescence_tolerance = *v;
    return sim;
}

std::vector<const toml::table*> entries_of(const context& cx, const toml::table& root, const std::string& section) {
    std::vector<const toml::table*> out;
    const toml::node* n = root.get(section);
    if (n == nullptr) return out;
    const auto* arr = n->as_array();
    if (arr == nullptr) wrong_type(cx, *n, section, "an array of tables ([[" + section + "]] entries)");
    for (std::size_t i = 0; i < arr->size(); ++i) {
        const toml::node& e = *arr->get(i);
        if (!e.is_table()) wrong_type(cx, e, section + "[" + std::to_string(i) + "]", "a table ([[" + section + "]] entry)");
        out.push_back(e.as_table());
    }
    return out;
}

namespace {

const model_info* find_model(const context& cx, const std::string& name) {
    return cx.models.contains(name) ? &cx.models.find(name) : nullptr;
}

/// `spike_times = [["1 ms", "2 ms"], []]`: one array of times per neuron, stored sorted as ticks.
std::vector<std::vector<tick_t>> spike_lists(const context& cx, const table_view& tv, const simulation_spec& sim) {
    std::vector<std::vector<tick_t>> out;
    const auto* arr = tv.array("spike_times", "an array with one array of times per neuron, e.g. [[\"1 ms\", \"2 ms\"], []]");
    for (std::size_t i = 0; i < arr->size(); ++i) {
        const std::string ki = tv.sub("spike_times") + "[" + std::to_string(i) + "]";
        const toml::node& row = *arr->get(i);
        if (!row.is_array()) wrong_type(cx, row, ki, "an array of times for neuron " + std::to_string(i) + ", e.g. [\"1 ms\"]");
        std::vector<tick_t> ticks;
        const auto& r = *row.as_array();
        for (std::size_t j = 0; j < r.size(); ++j)
            ticks.push_back(ticks_of(cx, *r.get(j), ki + "[" + std::to_string(j) + "]", sim.resolution_ms));
        // Sorted as stored; a negative time (-1) sorts first, where the validator finds it.
        std::sort(ticks.begin(), ticks.end());
        out.push_back(std::move(ticks));
    }
    return out;
}

/// A choice parameter (param_info::choices): one of the names, as a TOML string; its index.
double choice_of(const context& cx, const toml::node& n, const std::string& key, const std::vector<std::string>& choices) {
    const std::string name = string_of(cx, n, key, "one of " + choice_list(choices));
    const auto it = std::find(choices.begin(), choices.end(), name);
    if (it == choices.end()) invalid(cx, n, key, "must be one of " + choice_list(choices));
    return static_cast<double>(it - choices.begin());
}

/// Parameters by the owner's table: each a quantity of its dimension (`dim_of`), or a name for a
/// choice; unknown names are errors listing the known ones.
template <class DimOf>
param_map params_of(const context& cx, const toml::table& t, const std::string& key, const std::string& owner,
                    const std::vector<param_info>& params, const std::vector<std::string>& skip, DimOf&& dim_of) {
    param_map given;
    for (auto&& [k, v] : t) {
        const std::string name(k.str());
        if (std::find(skip.begin(), skip.end(), name) != skip.end()) continue;
        const auto info = std::find_if(params.begin(), params.end(), [&](const param_info& p) { return p.name == name; });
        if (info == params.end()) {
            std::vector<std::string> known = skip;
            for (const auto& p : params)
                if (std::find(skip.begin(), skip.end(), p.name) == skip.end()) known.push_back(p.name);
            fail(cx, &v, dotted(key, name), unknown_parameter(owner, name, known).what());
        }
        given[name] = info->choices.empty() ? quantity_of(cx, v, dotted(key, name), dim_of(*info))
                                            : choice_of(cx, v, dotted(key, name), info->choices);
    }
    return given;
}

/// The factor from `unit` (a table's `unit` key) to the internal unit of d; 1 for a dimensionless
/// parameter without one.
double unit_factor(const context& cx, const table_view& tv, dimension d) {
    const toml::node* u = tv.get("unit");
    if (u == nullptr) {
        if (d == dimension::dimensionless) return 1.0;
        tv.missing("unit", "the unit of the values, e.g. unit = \"" + std::string(internal_unit(d)) + "\" (" + a_dimension(d) +
                               ": " + accepted_units(d) + ")");
    }
    const std::string text = string_of(cx, *u, tv.sub("unit"), "a unit such as \"" + std::string(internal_unit(d)) + "\"");
    try {
        return parse_quantity("1 " + text, d);
    } catch (const unit_error& e) {
        invalid(cx, *u, tv.sub("unit"), e.what());
    }
}

/// One population parameter given per neuron (docs/scenario-format.md, "Per-neuron parameters"):
/// an inline array of quantities, { values = [...], unit }, { file, unit } (.npy or text, relative
/// to the scenario file) or a distribution table. The length is checked by the validator (against
/// the scaled size).
per_neuron_param per_neuron_of(const context& cx, const toml::node& v, const std::string& key, dimension d) {
    per_neuron_param out;
    out.where = note(cx, &v, key);
    out.unit = std::string(internal_unit(d));
    if (const auto* arr = v.as_array()) {
        out.values.reserve(arr->size());
        for (std::size_t i = 0; i < arr->size(); ++i)
            out.values.push_back(quantity_of(cx, *arr->get(i), key + "[" + std::to_string(i) + "]", d));
        if (out.values.empty()) invalid(cx, v, key, "an empty array: give one value per neuron");
        return out;
    }
    const table_view tv{cx, *v.as_table(), key, &v};
    if (tv.get("dist") != nullptr) {
        out.dist = distribution_of(cx, v, key, d);
        return out;
    }
    if (const toml::node* values = tv.get("values")) {
        tv.only({"values", "unit"});
        const double f = unit_factor(cx, tv, d);
        const auto* arr = values->as_array();
        if (arr == nullptr) wrong_type(cx, *values, tv.sub("values"), "an array of numbers, one per neuron");
        for (std::size_t i = 0; i < arr->size(); ++i)
            out.values.push_back(number_of(cx, *arr->get(i), tv.sub("values") + "[" + std::to_string(i) + "]") * f);
        if (out.values.empty()) invalid(cx, *values, tv.sub("values"), "an empty array: give one value per neuron");
        return out;
    }
    if (const toml::node* file = tv.get("file")) {
        tv.only({"file", "unit"});
        const double f = unit_factor(cx, tv, d);
        out.file = string_of(cx, *file, tv.sub("file"), "a path to a .npy or text file");
        std::filesystem::path path(out.file);
        if (path.is_relative() && !cx.file.empty()) path = std::filesystem::path(cx.file).parent_path() / path;
        try {
            out.values = read_value_file(path.string());
        } catch (const io_error& e) {
            invalid(cx, *file, tv.sub("file"), e.what());
        }
        if (out.values.empty()) invalid(cx, *file, tv.sub("file"), "the file holds no values: give one value per neuron");
        for (double& x : out.values) x *= f;
        return out;
    }
    fail(cx, &v, key,
         "a per-neuron value table needs one of 'dist' (a distribution), 'values' (with 'unit') or 'file' (with 'unit')");
}

/// The params table of a population: scalars as params_of reads them, arrays and tables as
/// per-neuron values.
void read_population_params(const context& cx, const toml::table& t, const std::string& key, population_spec& p,
                            const model_info& model) {
    std::vector<std::string> varying;
    for (auto&& [k, v] : t) {
        if (!v.is_array() && !v.is_table()) continue;
        const std::string name(k.str());
        const auto info = std::find_if(model.params.begin(), model.params.end(), [&](const param_info& pi) { return pi.name == name; });
        if (info == model.params.end()) {
            std::vector<std::string> known;
            for (const auto& pi : model.params) known.push_back(pi.name);
            fail(cx, &v, dotted(key, name), unknown_parameter(p.model, name, known).what());
        }
        if (!info->choices.empty())
            wrong_type(cx, v, dotted(key, name), "one of " + choice_list(info->choices) + " for the whole population");
        p.per_neuron[name] = per_neuron_of(cx, v, dotted(key, name), info->dim);
        varying.push_back(name);
    }
    // The per-neuron keys are skipped (they are known parameters, so the list of known names in
    // an error stays the same).
    p.params = params_of(cx, t, key, p.model, model.params, varying, [](const param_info& pi) { return pi.dim; });
}

} // namespace

population_spec read_population(const context& cx, const toml::table& t, std::size_t index, const simulation_spec& sim) {
    const table_view first{cx, t, "population[" + std::to_string(index) + "]", &t};
    population_spec p;
    p.name = string_of(cx, first.required("name", "an identifier such as \"E\""), first.sub("name"));
    const table_view tv{cx, t, "population." + p.name, &t};
    note(cx, first.get("name"), tv.sub("name"));
    tv.only(scenario_key_names("population"));
    p.where = note(cx, &t, tv.key);

    // The model: its parameters' and state variables' dimensions convert the values below. An
    // unknown model leaves them unread; the validator reports it.
    p.model = string_of(cx, tv.required("model", "a registered model: " + list_or_none(cx.models.names())), tv.sub("model"));
    const model_info* model = find_model(cx, p.model);
    const bool from_lists = model != nullptr && model->spike_times;
    if (tv.get("spike_times") != nullptr) p.spike_ticks = spike_lists(cx, tv, sim);
    else if (from_lists)
        tv.missing("spike_times", "model " + p.model + ": one array of times per neuron, e.g. [[\"1 ms\"], []]");

    // Size: scaled, except for models whose size comes from their spike lists. 0 stays 0 (the
    // validator rejects it) instead of being scaled up to 1.
    if (const toml::node* sn = tv.get("size")) {
        // Negative sizes are kept as 0 for the validator, which shows the value as written.
        if (!sn->is_integer()) wrong_type(cx, *sn, tv.sub("size"), "an integer >= 1");
        note(cx, sn, tv.sub("size"));
        const auto size = static_cast<std::uint64_t>(std::max<std::int64_t>(0, sn->as_integer()->get()));
        const double scaled = size == 0 ? 0.0 : std::max(1.0, std::round(static_cast<double>(size) * sim.scale));
        p.size = from_lists ? size : static_cast<std::uint64_t>(std::min(scaled, 1e19));
    } else if (from_lists) {
        p.size = p.spike_ticks.size();
    } else {
        tv.missing("size", "an integer >= 1");
    }
    if (model == nullptr) return p;

    if (const toml::table* params = tv.table("params", "a table of parameters such as { tau_m = \"20 ms\" }"))
        read_population_params(cx, *params, tv.sub("params"), p, *model);
    if (const toml::table* init = tv.table("init", "a table such as { v = \"-65 mV\" }")) {
        for (auto&& [k, v] : *init) {
            const std::string name(k.str()), key = dotted(tv.sub("init"), name);
            std::size_t si = 0;
            try {
                si = model->state_index(name);
            } catch (const error& e) {
                fail(cx, &v, key, e.what());
            }
            // An array, or a table of values / file: one value per neuron (as parameters take them);
            // a quantity or a distribution table: drawn per neuron.
            const toml::table* tt = v.as_table();
            if (v.is_array() || (tt != nullptr && (tt->contains("values") || tt->contains("file"))))
                p.init_values[name] = per_neuron_of(cx, v, key, model->state[si].dim);
            else
                p.init[name] = distribution_of(cx, v, key, model->state[si].dim);
        }
    }
    return p;
}

std::optional<dimension> target_weight_dim(const context& cx, const scenario& sc, const std::string& target,
                                           const std::string& receptor) {
    const population_spec* pop = sc.find_population(target);
    if (pop == nullptr || !cx.models.contains(pop->model)) return std::nullopt;
    const model_info& m = cx.models.find(pop->model);
    if (m.ports.empty() || (receptor.empty() && m.ports.size() > 1)) return std::nullopt;
    for (const auto& port : m.ports)
        if (receptor.empty() || port.name == receptor) return port.weight_dim;
    return std::nullopt;
}

namespace {

/// `plasticity = { rule = "stdp", interaction = "nearest", tau_plus = "20 ms", w_max = "1 mV", ... }`:
/// the rule's parameters with units; weight parameters (w_max, ...) in the target port's unit.
plasticity_spec read_plasticity(const context& cx, const toml::table& t, const std::string& key, const toml::node* at,
                                std::optional<dimension> weight_dim) {
    plasticity_spec ps;
    const table_view pv{cx, t, key, at};
    ps.where = note(cx, at, key);
    const toml::node& rn = pv.required("rule", "a plasticity rule: " + list_or_none(cx.models.plasticity_names()));
    ps.rule = string_of(cx, rn, pv.sub("rule"));
    const auto names = cx.models.plasticity_names();
    if (std::find(names.begin(), names.end(), ps.rule) == names.end()) return ps;  // the validator says so
    const plasticity_info& info = cx.models.find_plasticity(ps.rule);
    if (auto v = pv.string("interaction")) ps.interaction = *v;
    else if (!info.interactions.empty()) ps.interaction = info.interactions.front();
    if (!weight_dim) return ps;  // the port does not resolve: the validator says why
    const auto& wp = info.weight_unit_params;
    ps.params = params_of(cx, t, key, ps.rule, info.params, {"rule", "interaction"}, [&](const param_info& pi) {
        return std::find(wp.begin(), wp.end(), pi.name) != wp.end() ? *weight_dim : pi.dim;
    });
    return ps;
}

/// Lower bound a distribution's draws get when no `min` is written (documented defaults: delays
/// of at least one tick, non-negative conductances). The validator checks it like a written one.
void default_min(distribution& d, double bound) {
    if (d.k == distribution::kind::normal && d.min == -std::numeric_limits<double>::infinity()) d.min = bound;
}

} // namespace

projection_spec read_projection(const context& cx, const toml::table& t, std::size_t index, const scenario& sc) {
    // Keys are "projection.<name>", the name defaulting to "<source>-><target>"; until both are
    // known, "projection[<index>]".
    const table_view first{cx, t, "projection[" + std::to_string(index) + "]", &t};
    projection_spec pr;
    const std::optional<std::string> name = first.string("name");
    const table_view named{cx, t, name ? "projection." + *name : first.key, &t};
    const std::string pop_name = "the name of a population";
    pr.source = string_of(cx, named.required("source", pop_name), named.sub("source"), pop_name);
    pr.target = string_of(cx, named.required("target", pop_name), named.sub("target"), pop_name);
    pr.name = name ? *name : pr.source + "->" + pr.target;
    const table_view tv{cx, t, "projection." + pr.name, &t};
    for (const char* k : {"name", "source", "target"})
        if (tv.get(k) != nullptr) note(cx, tv.get(k), tv.sub(k));
    tv.only(scenario_key_names("projection"));
    pr.where = note(cx, &t, tv.key);

    const auto rules = cx.models.connectivity_names();
    pr.rule = string_of(cx, tv.required("rule", "one of: " + list_or_none(rules)), tv.sub("rule"));
    if (std::find(rules.begin(), rules.end(), pr.rule) != rules.end()) {
        // Keys that belong to a rule (as each registered rule declares them) are refused with another.
        std::vector<std::pair<std::string, std::string>> owner;
        for (const auto& r : rules)
            for (const auto& k : cx.models.find_connectivity(r).keys) owner.emplace_back(k, r);
        check_variant_keys(cx, tv, owner, pr.rule, "rule");
    }
    if (auto v = tv.boolean("allow_autapses")) pr.allow_autapses = *v;
    if (auto v = tv.boolean("allow_multapses")) pr.allow_multapses = *v;
    if (pr.rule == "fixed_indegree")
        pr.indegree = static_cast<std::uint64_t>(integer_of(cx, tv.required("indegree", "an integer >= 0"), tv.sub("indegree"), 0));
    else if (pr.rule == "fixed_outdegree")
        pr.outdegree = static_cast<std::uint64_t>(integer_of(cx, tv.required("outdegree", "an integer >= 0"), tv.sub("outdegree"), 0));
    else if (pr.rule == "fixed_total_number") {
        // Scaled like the populations (rounded), so the mean in-degree K / N_target stays: NEST's
        // PD14 example scales its synapse numbers with N_scaling the same way.
        const auto k = integer_of(cx, tv.required("total_number", "an integer >= 0"), tv.sub("total_number"), 0);
        pr.total_number = static_cast<std::uint64_t>(std::min(std::round(static_cast<double>(k) * sc.simulation.scale), 1e19));
    } else if (pr.rule == "fixed_probability")
        pr.probability = number_of(cx, tv.required("probability", "a number in [0, 1]"), tv.sub("probability"));
    else if (pr.rule == "explicit")
        pr.file = string_of(cx, tv.required("file", "a CSV file with columns source,target[,weight][,delay]"), tv.sub("file"));

    if (auto v = tv.string("receptor")) pr.receptor = *v;
    const std::optional<dimension> wdim = target_weight_dim(cx, sc, pr.target, pr.receptor);
    if (wdim) {
        const toml::node& wn = tv.required("weight", a_quantity(*wdim) + " or a distribution table");
        pr.weight = distribution_of(cx, wn, tv.sub("weight"), *wdim);
        if (*wdim == dimension::conductance) default_min(pr.weight, 0.0);
    }
    const toml::node& dn = tv.required("delay", "a time such as \"1.5 ms\" or a distribution table");
    pr.delay = distribution_of(cx, dn, tv.sub("delay"), dimension::time);
    default_min(pr.delay, sc.simulation.resolution_ms);
    if (const toml::table* pt = tv.table("plasticity", "a table such as { rule = \"stdp\", w_max = \"1 mV\" }"))
        pr.plasticity = read_plasticity(cx, *pt, tv.sub("plasticity"), tv.get("plasticity"), wdim);
    return pr;
}

} // namespace memspike::scenario_toml
