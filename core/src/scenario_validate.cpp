// SPDX-License-Identifier: MIT
// The one validation pass of a scenario (scenario.hpp): the rules on values of [simulation],
// [[population]] and [[projection]], whatever made the scenario. The other sections are in
// scenario_validate_io.cpp; how values are located and shown in scenario_check.hpp.
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <utility>

#include "memspike/core/connectivity.hpp"
#include "memspike/core/plasticity.hpp"
#include "memspike/core/scenario.hpp"
#include "scenario_check.hpp"

namespace memspike {

namespace scenario_check {

namespace {

std::string dotted(const std::string& prefix, const std::string& k) {
    if (k.empty()) return prefix;
    return prefix.empty() ? k : prefix + "." + k;
}

std::string number_text(double v) { return format_quantity(v, dimension::dimensionless); }

} // namespace

// ---------------------------------------------------------------------------------------------
// Locating and showing values

source_location checker::at(const source_location& base, const std::string& field) const {
    const std::string key = dotted(base.key, field);
    // The value's own location, else that of the nearest enclosing table written in the file
    // (e.g. a parameter left to its default: the params table), down to the entry itself.
    for (std::string k = key;;) {
        if (const auto it = sc.locations.find(k); it != sc.locations.end()) {
            source_location l = it->second;
            l.key = key;
            if (k != key) l.text.clear();
            return l;
        }
        const std::size_t cut = k.find_last_of(".[");
        if (k.size() <= base.key.size() || cut == std::string::npos || cut == 0) break;
        k.resize(cut);
    }
    source_location l = base;
    l.key = key;
    if (!field.empty()) l.text.clear();
    return l;
}

source_location checker::section(const std::string& key) const {
    if (const auto it = sc.locations.find(key); it != sc.locations.end()) return it->second;
    return source_location{sc.file, 0, 0, key, ""};
}

bool checker::written(const source_location& base, const std::string& field) const {
    return sc.locations.count(dotted(base.key, field)) != 0;
}

void checker::fail(const source_location& base, const std::string& field, const std::string& what) const {
    const source_location l = at(base, field);
    throw scenario_error(l.file, l.line, l.column, l.key, what);
}

void checker::invalid(const source_location& base, const std::string& field, const std::string& shown,
                      const std::string& rule) const {
    const source_location l = at(base, field);
    throw scenario_error(l.file, l.line, l.column, l.key, (l.text.empty() ? shown : l.text) + " is invalid (" + rule + ")");
}

void checker::on_grid(const source_location& base, const std::string& field, double ms) const {
    const double res = sc.simulation.resolution_ms;
    // The range first: ms_to_ticks_exact casts to tick_t, undefined beyond 2^63 (found by tests/fuzz).
    if (!(std::abs(ms / res) <= 1e15) || ms_to_ticks_exact(ms, res) < 0)
        invalid(base, field, quantity_text(ms, dimension::time),
                "must be a whole number of ticks of the resolution " + format_quantity(res, dimension::time));
}

std::string quantity_text(double v, dimension d) {
    if (d == dimension::dimensionless) return number_text(v);
    return quoted(format_quantity(v, d));
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

std::string list_or_none(const std::vector<std::string>& names) {
    return names.empty() ? std::string("none") : join_names(names);
}

source_location entry(const source_location& where, const std::string& section, const std::string& name, std::size_t index) {
    if (!where.key.empty()) return where;
    source_location l = where;
    l.key = name.empty() ? section + "[" + std::to_string(index) + "]" : section + "." + name;
    return l;
}

// ---------------------------------------------------------------------------------------------
// [simulation]

void check_simulation(const checker& c) {
    const simulation_spec& s = c.sc.simulation;
    const source_location base = c.section("simulation");
    if (!(s.resolution_ms > 0) || !std::isfinite(s.resolution_ms))
        c.invalid(base, "resolution", quantity_text(s.resolution_ms, dimension::time), "must be > 0 ms");
    if (!(s.duration_ms > 0) || !std::isfinite(s.duration_ms))
        c.invalid(base, "duration", quantity_text(s.duration_ms, dimension::time), "must be > 0 ms");
    c.on_grid(base, "duration", s.duration_ms);
    if (const std::string broken = threads_rule_broken(s.threads); !broken.empty())
        c.invalid(base, "threads", std::to_string(s.threads), broken);
    if (!(s.scale > 0) || !std::isfinite(s.scale)) c.invalid(base, "scale", number_text(s.scale), "must be > 0");
    if (!(s.quiescence_tolerance > 0) || !std::isfinite(s.quiescence_tolerance))
        c.invalid(base, "quiescence_tolerance", number_text(s.quiescence_tolerance), "must be > 0");
}

namespace {

// ---------------------------------------------------------------------------------------------
// Distributions

/// `field`.`part`, or `part` alone for a distribution located by its own `where`.
std::string part_of(const std::string& field, const char* part) { return field.empty() ? part : field + "." + part; }

/// Where a distribution's messages point: its own `where` when it has one (the reader's, or set
/// in code), else `field` of the entry.
std::pair<source_location, std::string> located(const source_location& base, const std::string& field, const distribution& d) {
    if (!d.where.key.empty()) return {d.where, std::string()};
    return {base, field};
}

/// A constant or a distribution of dimension d: finite, low <= high, sd >= 0, min < max.
void check_distribution(const checker& c, const source_location& entry_base, const std::string& entry_field,
                        const distribution& d, dimension dim) {
    const auto [base, field] = located(entry_base, entry_field, d);
    switch (d.k) {
    case distribution::kind::constant:
        if (!std::isfinite(d.value)) c.invalid(base, field, quantity_text(d.value, dim), "must be a finite number");
        break;
    case distribution::kind::uniform:  // low == high: every draw is low
        if (!std::isfinite(d.low)) c.invalid(base, part_of(field, "low"), quantity_text(d.low, dim), "must be a finite number");
        if (!(d.low <= d.high) || !std::isfinite(d.high))
            c.invalid(base, part_of(field, "high"), quantity_text(d.high, dim), "must be >= low = " + format_quantity(d.low, dim));
        break;
    case distribution::kind::normal:
        if (!std::isfinite(d.mean)) c.invalid(base, part_of(field, "mean"), quantity_text(d.mean, dim), "must be a finite number");
        if (!(d.sd >= 0) || !std::isfinite(d.sd))
            c.invalid(base, part_of(field, "sd"), quantity_text(d.sd, dim), "must be >= " + format_quantity(0, dim));
        if (!(d.min < d.max))
            c.invalid(base, part_of(field, "max"), quantity_text(d.max, dim), "must be > min = " + format_quantity(d.min, dim));
        break;
    }
}

/// Every value a distribution can produce is >= bound: the constant, the uniform's low, the
/// normal's min when it has one (an unbounded normal is checked draw by draw at build time).
void check_at_least(const checker& c, const source_location& entry_base, const std::string& entry_field, const distribution& d,
                    double bound, dimension dim, const std::string& why) {
    const auto [base, field] = located(entry_base, entry_field, d);
    const std::string rule = "must be >= " + format_quantity(bound, dim) + why;
    switch (d.k) {
    case distribution::kind::constant:
        if (d.value < bound) c.invalid(base, field, quantity_text(d.value, dim), rule);
        break;
    case distribution::kind::uniform:
        if (d.low < bound) c.invalid(base, part_of(field, "low"), quantity_text(d.low, dim), rule);
        break;
    case distribution::kind::normal:
        if (d.min < bound && d.min != -std::numeric_limits<double>::infinity())
            c.invalid(base, part_of(field, "min"), quantity_text(d.min, dim), rule);
        break;
    }
}

// ---------------------------------------------------------------------------------------------
// [[population]]

bool is_identifier(const std::string& s) {
    auto alpha = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_'; };
    if (s.empty() || !alpha(s[0])) return false;
    return std::all_of(s.begin() + 1, s.end(), [&](char ch) { return alpha(ch) || (ch >= '0' && ch <= '9'); });
}

/// The size, or the spike lists of a model that takes them (model_info::spike_times).
void check_size(const checker& c, const source_location& base, const population_spec& p, const model_info& m) {
    if (m.spike_times) {
        if (p.spike_ticks.empty() && p.size == 0) c.fail(base, "spike_times", "empty: a " + p.model + " needs at least one neuron");
        if (p.size != p.spike_ticks.size())
            c.invalid(base, "size", std::to_string(p.size),
                      "spike_times lists " + std::to_string(p.spike_ticks.size()) + " neurons; size must match or be omitted");
        const double res = c.sc.simulation.resolution_ms;
        for (std::size_t i = 0; i < p.spike_ticks.size(); ++i)
            for (std::size_t j = 0; j < p.spike_ticks[i].size(); ++j) {
                const tick_t t = p.spike_ticks[i][j];
                const std::string field = "spike_times[" + std::to_string(i) + "][" + std::to_string(j) + "]";
                if (t < 0) c.invalid(base, field, quantity_text(static_cast<double>(t) * res, dimension::time), "must be >= 0 ms");
                if (j > 0 && t < p.spike_ticks[i][j - 1])
                    c.invalid(base, field, quantity_text(static_cast<double>(t) * res, dimension::time),
                              "spike ticks are kept in ascending order");
            }
        return;
    }
    if (!p.spike_ticks.empty() || c.written(base, "spike_times")) {
        std::vector<std::string> takers;
        for (const auto& name : c.models->names())
            if (c.models->find(name).spike_times) takers.push_back(name);
        c.fail(base, "spike_times", "'spike_times' is only used by models that take spike-time lists (" + list_or_none(takers) +
                                        "); this population uses '" + p.model + "'");
    }
    if (p.size < 1) c.invalid(base, "size", std::to_string(p.size), "must be >= 1");
    if (p.size > max_population_size)
        c.invalid(base, "size", std::to_string(p.size),
                  "at most " + std::to_string(max_population_size) + " neurons after scaling by " + number_text(c.sc.simulation.scale));
}

/// Per-neuron parameters: the model takes them, explicit values are one per neuron, and the
/// model's rules hold for every neuron (drawn values are drawn here as the build will draw them).
/// A failing neuron is named with its index and values.
void check_per_neuron(const checker& c, const source_location& base, const population_spec& p, const model_info& m) {
    // The lambdas below see each structured binding through a plain reference (`key`): clang 14,
    // which builds the fuzzers, cannot capture a structured binding.
    for (const auto& [name, pn] : p.per_neuron) {
        const std::string& key = name;
        const auto info = std::find_if(m.params.begin(), m.params.end(), [&](const param_info& pi) { return pi.name == key; });
        if (info == m.params.end()) c.fail(base, "params." + name, unknown_parameter(p.model, name, {}).what());
        if (pn.drawn()) {
            check_distribution(c, base, "params." + name, pn.dist, info->dim);
        } else if (pn.values.size() != p.size) {
            c.fail(pn.where.key.empty() ? base : pn.where, pn.where.key.empty() ? "params." + name : "",
                   std::to_string(pn.values.size()) + " per-neuron values (" + (pn.file.empty() ? "array" : "file '" + pn.file + "'") +
                       ") for a population of " + std::to_string(p.size) + " neurons: give exactly one value per neuron");
        }
    }
    const auto index = static_cast<std::uint32_t>(&p - c.sc.populations.data());
    param_map complete = complete_population_params(m, p);
    std::vector<std::pair<std::string, std::vector<double>>> columns;
    for (const auto& [name, pn] : p.per_neuron)
        columns.emplace_back(name, neuron_parameter_values(p, index, c.sc.simulation.seed, name, 0, p.size));
    for (std::uint64_t i = 0; i < p.size; ++i) {
        std::string shown;
        for (const auto& [name, col] : columns) {
            complete[name] = col[i];
            const std::string& key = name;
            const auto info = std::find_if(m.params.begin(), m.params.end(), [&](const param_info& pi) { return pi.name == key; });
            shown += (shown.empty() ? "" : ", ") + name + " = " + format_quantity(col[i], info->dim);
        }
        try {
            if (m.validate) m.validate(complete);
            if (m.validate_at_resolution && p.per_neuron.empty())  // else per neuron, in check_per_neuron
            m.validate_at_resolution(complete, c.sc.simulation.resolution_ms);
        } catch (const invalid_parameter& e) {
            const auto pn = p.per_neuron.find(e.name);
            const bool own = pn != p.per_neuron.end() && !pn->second.where.key.empty();
            c.fail(own ? pn->second.where : base, own ? "" : "params." + e.name,
                   "neuron " + std::to_string(i) + " (" + shown + "): " + e.what());
        }
    }
}

/// Model parameters (complete, with the model's own cross-checks) and initial values.
void check_model_values(const checker& c, const source_location& base, const population_spec& p, const model_info& m) {
    if (!p.per_neuron.empty() && !m.per_neuron_params) {  // before completion, which may miss a required one
        const std::string first = p.per_neuron.begin()->first;
        c.fail(base, "params." + first, "model '" + p.model + "' takes no per-neuron parameter values; give '" + first + "' one value");
    }
    try {
        const param_map complete = complete_population_params(m, p);
        if (m.validate_at_resolution && p.per_neuron.empty())  // else per neuron, in check_per_neuron
            m.validate_at_resolution(complete, c.sc.simulation.resolution_ms);
    } catch (const invalid_parameter& e) {
        c.fail(base, "params." + e.name, e.what());
    } catch (const unknown_parameter& e) {
        c.fail(base, "params." + e.name, e.what());
    } catch (const error& e) {
        c.fail(base, "params", e.what());
    }
    if (!p.per_neuron.empty()) check_per_neuron(c, base, p, m);
    for (const auto& [name, d] : p.init) {
        std::size_t si = 0;
        try {
            si = m.state_index(name);
        } catch (const error& e) {
            c.fail(base, "init." + name, e.what());
        }
        check_distribution(c, base, "init." + name, d, m.state[si].dim);
    }
    for (const auto& [name, pn] : p.init_values) {
        try {
            m.state_index(name);
        } catch (const error& e) {
            c.fail(base, "init." + name, e.what());
        }
        if (pn.values.size() != p.size)
            c.fail(pn.where.key.empty() ? base : pn.where, pn.where.key.empty() ? "init." + name : "",
                   std::to_string(pn.values.size()) + " initial values (" + (pn.file.empty() ? "array" : "file '" + pn.file + "'") +
                       ") for a population of " + std::to_string(p.size) + " neurons: give exactly one value per neuron");
        for (std::size_t i = 0; i < pn.values.size(); ++i)
            if (!std::isfinite(pn.values[i]))
                c.fail(pn.where.key.empty() ? base : pn.where, pn.where.key.empty() ? "init." + name : "",
                       "initial value of neuron " + std::to_string(i) + " is not finite");
    }
}

} // namespace

void check_populations(const checker& c) {
    const auto& pops = c.sc.populations;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < pops.size(); ++i) {  // names first: values are located by name
        const source_location base = entry(pops[i].where, "population", pops[i].name, i);
        if (!is_identifier(pops[i].name))
            c.invalid(base, "name", quoted(pops[i].name), "must be an identifier: a letter or '_', then letters, digits or '_'");
        if (!seen.insert(pops[i].name).second) c.fail(base, "name", "duplicate population name '" + pops[i].name + "'");
    }
    for (std::size_t i = 0; i < pops.size(); ++i) {
        const population_spec& p = pops[i];
        const source_location base = entry(p.where, "population", p.name, i);
        const model_info* m = nullptr;
        try {
            m = &c.models->find(p.model);
        } catch (const error& e) {
            c.fail(base, "model", e.what());
        }
        check_size(c, base, p, *m);
        check_model_values(c, base, p, *m);
    }
}

const population_spec& population_ref(const checker& c, const source_location& base, const std::string& field,
                                      const std::string& name) {
    if (const population_spec* p = c.sc.find_population(name)) return *p;
    std::vector<std::string> known;
    for (const auto& p : c.sc.populations) known.push_back(p.name);
    c.fail(base, field, "no population named '" + name + "' (populations: " + list_or_none(known) + ")");
}

const port_info& target_port(const checker& c, const source_location& base, const population_spec& target,
                             const std::string& receptor) {
    const model_info& m = c.models->find(target.model);
    const std::string who = "population '" + target.name + "' (model " + m.name + ")";
    if (m.ports.empty()) c.fail(base, "target", who + " has no receptor ports and cannot receive synaptic input");
    std::vector<std::string> known;
    for (const auto& p : m.ports) known.push_back(p.name);
    if (!receptor.empty()) {
        for (const auto& p : m.ports)
            if (p.name == receptor) return p;
        c.invalid(base, "receptor", quoted(receptor), who + " has receptors: " + list_or_none(known));
    }
    if (m.ports.size() > 1)
        c.fail(base, "receptor", "missing required key 'receptor' (" + who + " has several receptors: " + list_or_none(known) + ")");
    return m.ports.front();
}

namespace {

// ---------------------------------------------------------------------------------------------
// [[projection]]

/// fixed_total_number: its pairs are drawn with replacement, as in NEST (whose rule refuses
/// allow_multapses = false too); K > 0 synapses need at least one (source, target) pair. K's upper
/// bound is the memory it takes: the resource estimate counts K synapses and `run` refuses a
/// network that does not fit.
void check_total_number(const checker& c, const source_location& base, const projection_spec& p,
                        const population_spec& src, const population_spec& tgt, bool exclude) {
    const std::string k = std::to_string(p.total_number);
    const std::string scaled = c.sc.simulation.scale == 1.0 ? "" : " (after scaling by " + number_text(c.sc.simulation.scale) + ")";
    if (!p.allow_multapses)
        c.invalid(base, "allow_multapses", "false",
                  "rule 'fixed_total_number' draws its (source, target) pairs with replacement, as NEST's does; "
                  "set allow_multapses = true, or use fixed_indegree or fixed_probability for distinct pairs");
    const std::uint64_t sources = src.size - (exclude && src.size > 0 ? 1 : 0);
    if (p.total_number > 0 && (tgt.size == 0 || sources == 0))
        c.invalid(base, "total_number", k + scaled,
                  "has no (source, target) pair to place synapses on ('" + src.name + "' has " + std::to_string(src.size) +
                      " neurons, '" + tgt.name + "' has " + std::to_string(tgt.size) + (exclude ? ", autapses excluded" : "") +
                      "); use total_number = 0");
}

/// The rule and its parameters: known rule, feasible degrees, a probability, a file.
void check_rule(const checker& c, const source_location& base, const projection_spec& p, const population_spec& src,
                const population_spec& tgt) {
    const auto rules = c.models->connectivity_names();
    if (std::find(rules.begin(), rules.end(), p.rule) == rules.end())
        c.fail(base, "rule", "unknown connectivity rule '" + p.rule + "' (known: " + list_or_none(rules) + ")");
    // Without multapses a neuron can get (or make) at most one synapse per partner; without
    // autapses one fewer when the projection is recurrent. With none available at all, even
    // multapses cannot help.
    const bool exclude = p.source == p.target && !p.allow_autapses;
    const std::string note = exclude ? " (autapses excluded)" : "";
    const auto degree = [&](const char* field, std::uint64_t k, std::uint64_t pool, std::uint64_t other, const char* side,
                            const std::string& pop) {
        const std::uint64_t avail = pool - (exclude ? 1 : 0);
        if (k > 0 && other > 0 && (avail == 0 || (!p.allow_multapses && k > avail)))
            c.invalid(base, field, std::to_string(k),
                      "exceeds the " + std::to_string(avail) + " available " + side + " neurons of '" + pop + "'" + note +
                          "; lower the " + field + " or set allow_multapses = true");
    };
    if (p.rule == "fixed_indegree") degree("indegree", p.indegree, src.size, tgt.size, "source", src.name);
    if (p.rule == "fixed_outdegree") degree("outdegree", p.outdegree, tgt.size, src.size, "target", tgt.name);
    if (p.rule == "fixed_total_number") check_total_number(c, base, p, src, tgt, exclude);
    if (p.rule == "fixed_probability" && !(p.probability >= 0 && p.probability <= 1))
        c.invalid(base, "probability", number_text(p.probability), "must be in [0, 1]");
    if (p.rule == "explicit" && p.file.empty()) c.invalid(base, "file", quoted(p.file), "must name a file");
    if (p.rule == "one_to_one" && src.size != tgt.size)
        c.fail(base, "rule", "rule 'one_to_one' needs populations of equal size ('" + src.name + "' has " +
                                 std::to_string(src.size) + " neurons, '" + tgt.name + "' has " + std::to_string(tgt.size) + ")");
    // one_to_one within a population pairs every neuron with itself: without autapses it would
    // silently make no synapse at all (issue 11).
    if (p.rule == "one_to_one" && exclude && src.size > 0)
        c.invalid(base, "allow_autapses", "false",
                  "rule 'one_to_one' from '" + src.name + "' onto itself connects each neuron to itself only; "
                  "without autapses it makes no synapse: set allow_autapses = true or use another rule");
}

/// The plasticity rule, its interaction and parameters, and initial weights within the rule's
/// weight bounds where their range is known (constant, uniform); drawn ones are checked as drawn.
void check_plasticity(const checker& c, const source_location& base, const projection_spec& p, dimension weight_dim) {
    const plasticity_spec& ps = p.plasticity;
    const plasticity_info* info = nullptr;
    try {
        info = &c.models->find_plasticity(ps.rule);
    } catch (const error& e) {
        c.fail(base, "plasticity.rule", e.what());
    }
    if (!ps.interaction.empty() &&
        std::find(info->interactions.begin(), info->interactions.end(), ps.interaction) == info->interactions.end())
        c.invalid(base, "plasticity.interaction", quoted(ps.interaction),
                  "rule '" + ps.rule + "' accepts: " + list_or_none(info->interactions));
    param_map params;
    try {
        params = info->complete(ps.params);
    } catch (const invalid_parameter& e) {
        c.fail(base, "plasticity." + e.name, e.what());
    } catch (const unknown_parameter& e) {
        c.fail(base, "plasticity." + e.name, e.what());
    } catch (const error& e) {
        c.fail(base, "plasticity", e.what());
    }
    const auto [lo, hi] = info->bounds(params);
    const distribution& w = p.weight;
    const double wlo = w.k == distribution::kind::constant ? w.value : w.k == distribution::kind::uniform ? w.low : lo;
    const double whi = w.k == distribution::kind::constant ? w.value : w.k == distribution::kind::uniform ? w.high : hi;
    if (wlo < lo || whi > hi) {
        const auto [at, field] = located(base, "weight", w);
        c.invalid(at, field, w.is_constant() ? quantity_text(w.value, weight_dim) : std::string("a table"),
                  "initial weights must lie within the weight bounds of rule '" + ps.rule + "': [" +
                      format_quantity(lo, weight_dim) + ", " + format_quantity(hi, weight_dim) + "]");
    }
}

void check_projection_names(const checker& c) {
    const auto& projs = c.sc.projections;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < projs.size(); ++i) {
        const projection_spec& p = projs[i];
        const source_location base = entry(p.where, "projection", p.name, i);
        if (p.name.empty() || p.name.find_first_of(". \t\"'") != std::string::npos)
            c.invalid(base, "name", quoted(p.name), "must be non-empty, without '.', quotes or spaces");
        if (!seen.insert(p.name).second)
            c.fail(base, "name", "duplicate projection name '" + p.name + "'" +
                                     (c.written(base, "name") ? "" : " (the default name; give each entry its own 'name')"));
    }
}

} // namespace

void check_projections(const checker& c) {
    check_projection_names(c);
    const double res = c.sc.simulation.resolution_ms;
    for (std::size_t i = 0; i < c.sc.projections.size(); ++i) {
        const projection_spec& p = c.sc.projections[i];
        const source_location base = entry(p.where, "projection", p.name, i);
        // Until source and target are known, an unnamed projection is "projection[<index>]".
        source_location refs = base;
        if (!c.written(base, "name")) refs.key = "projection[" + std::to_string(i) + "]";
        const population_spec& src = population_ref(c, refs, "source", p.source);
        const population_spec& tgt = population_ref(c, refs, "target", p.target);
        check_rule(c, base, p, src, tgt);
        const port_info& port = target_port(c, base, tgt, p.receptor);
        check_distribution(c, base, "weight", p.weight, port.weight_dim);
        if (port.weight_dim == dimension::conductance)
            check_at_least(c, base, "weight", p.weight, 0.0, port.weight_dim, " (conductances cannot be negative)");
        check_distribution(c, base, "delay", p.delay, dimension::time);
        check_at_least(c, base, "delay", p.delay, res, dimension::time, " (one resolution step)");
        if (p.delay.is_constant()) {
            const auto [at, field] = located(base, "delay", p.delay);
            c.on_grid(at, field, p.delay.value);
        }
        if (p.plasticity.enabled()) check_plasticity(c, base, p, port.weight_dim);
    }
}

} // namespace scenario_check

void validate(const scenario& sc, const model_registry& models) {
    const scenario_check::checker c{sc, &models};
    scenario_check::check_simulation(c);
    scenario_check::check_populations(c);
    scenario_check::check_projections(c);
    scenario_check::check_stimuli(c);
    scenario_check::check_modulators(c);
    scenario_check::check_recording(c);
    scenario_check::check_backend(c);
}

tick_t scenario::duration_ticks() const {
    scenario_check::check_simulation(scenario_check::checker{*this, nullptr});
    return ms_to_ticks_exact(simulation.duration_ms, simulation.resolution_ms);
}

std::string threads_rule_broken(std::uint64_t threads) {
    // oneTBB arenas take an int; far more threads than partitions would only add overhead.
    return threads > 65536 ? "must be <= 65536; 0 selects the default" : "";
}

} // namespace memspike
