// SPDX-License-Identifier: MIT
// Resolving a projection before its synapses are built: populations, receptor port, the rule
// (registry lookup, checks, creation), and the checks of weights and delays shared by every rule.
#include "plan.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "memspike/core/errors.hpp"
#include "memspike/core/units.hpp"

namespace memspike {

namespace connectivity_detail {

std::string num(double v) {
    std::ostringstream os;
    os.precision(10);
    os << v;
    return os.str();
}

}  // namespace connectivity_detail

using namespace connectivity_detail;

// The parser locates the projection's table; the line of every field is not kept, so a field's
// location is the table's with the field appended to the key.
source_location projection_context::at(const std::string& field) const {
    source_location l = spec->where;
    l.key = l.key.empty() ? field : l.key + "." + field;
    return l;
}

void projection_context::fail(const source_location& at, const std::string& what) { fail_at(at, what); }

/// Delay in ms -> ticks, rounded to the nearest tick (documented in spec.hpp); at least one tick.
tick_t projection_context::delay_to_ticks(double ms, const source_location& at) const {
    if (!std::isfinite(ms)) fail(at, "delay " + num(ms) + " ms is not a finite number");
    const double k = ms / resolution_ms;
    if (k >= static_cast<double>(std::numeric_limits<std::int32_t>::max()))
        fail(at, "delay " + num(ms) + " ms is too long: at most " +
                     std::to_string(std::numeric_limits<std::int32_t>::max() - 1) + " ticks of " +
                     num(resolution_ms) + " ms");
    const tick_t ticks = k <= -1e15 ? std::numeric_limits<tick_t>::min() : ms_to_ticks_round(ms, resolution_ms);
    if (ticks < 1)
        fail(at, "delay " + num(ms) + " ms rounds to " +
                     (k <= -1e15 ? std::string("a negative number of") : std::to_string(ticks)) +
                     " ticks at resolution " + num(resolution_ms) + " ms; a delay must be at least one tick (" +
                     num(resolution_ms) + " ms): raise the delay or refine simulation.resolution");
    return ticks;
}

float projection_context::weight_to_float(double w, const source_location& at) const {
    // Called once per drawn synapse (PD14: 3·10^8 times): the common case returns before any
    // string is made (building the unit string on every call cost ~8 % of PD14's build CPU time).
    const auto f = static_cast<float>(w);
    if (std::isfinite(f) && (weight_dim != dimension::conductance || w >= 0)) return f;
    const std::string unit(internal_unit(weight_dim));
    if (!std::isfinite(w)) fail(at, "weight " + num(w) + " is not a finite number");
    if (weight_dim == dimension::conductance && w < 0)
        fail(at, "weight " + num(w) + " " + unit + " is negative, but " + port_desc +
                     " takes conductances, which must be >= 0; use the inhibitory port instead of a negative weight");
    if (!std::isfinite(f)) fail(at, "weight " + num(w) + " " + unit + " does not fit in a single-precision float");
    return f;
}

// A rule implements the side it drives; core calls only that side, so reaching a default is a bug.
void connection_rule::sources_of(const projection_context& cx, std::uint64_t, random_stream&, sampler&,
                                 chosen_sources&) const {
    throw internal_error("connectivity rule '" + cx.spec->rule + "': sources_of called for a source-driven rule");
}

std::uint64_t connection_rule::count_from(const projection_context& cx, std::uint64_t) const {
    throw internal_error("connectivity rule '" + cx.spec->rule + "': count_from called for a target-driven rule");
}

void connection_rule::targets_of(const projection_context& cx, std::uint64_t, random_stream&, sampler&,
                                 std::vector<std::uint32_t>&) const {
    throw internal_error("connectivity rule '" + cx.spec->rule + "': targets_of called for a target-driven rule");
}

namespace connectivity_detail {

void resolve(const scenario& sc, const model_registry& models, std::uint32_t index, plan& pl) {
    const projection_spec& p = sc.projections[index];
    pl.sc = &sc;
    pl.index = index;
    pl.spec = &p;
    pl.resolution_ms = sc.simulation.resolution_ms;
    pl.seed = sc.simulation.seed;

    // References, sizes, the port and the built-in rules' parameters were checked by validate()
    // (scenario.hpp), which the builder trusts.
    const auto find_pop = [&](const std::string& name) {
        for (std::uint32_t i = 0; i < sc.populations.size(); ++i)
            if (sc.populations[i].name == name) return i;
        throw internal_error("projection '" + p.name + "': population '" + name + "' was not validated");
    };
    pl.source_pop = find_pop(p.source);
    pl.target_pop = find_pop(p.target);
    const population_spec& src = sc.populations[pl.source_pop];
    const population_spec& tgt = sc.populations[pl.target_pop];
    pl.source = &src;
    pl.target = &tgt;
    pl.ns = src.size;
    pl.nt = tgt.size;
    pl.exclude_autapses = pl.source_pop == pl.target_pop && !p.allow_autapses;

    // The receptor port of the target model.
    const model_info& model = models.find(tgt.model);
    pl.port = static_cast<std::uint32_t>(model.port_index(p.receptor));
    pl.weight_dim = model.ports[pl.port].weight_dim;
    pl.port_desc = "port '" + model.ports[pl.port].name + "' of model '" + model.name + "'";
}

plan make_plan(const scenario& sc, const model_registry& models, std::uint32_t index) {
    const projection_spec& p = sc.projections[index];
    plan pl;
    resolve(sc, models, index, pl);

    // The rule (its name was validated). The built-in rules' parameters are checked by
    // validate(); a rule's own `validate` adds checks that need the resolved projection.
    const connectivity_info& rule = models.find_connectivity(p.rule);
    if (rule.validate) rule.validate(pl);

    // Weight and delay: copies located at the projection when built from code; constants checked once.
    pl.weight = p.weight;
    if (pl.weight.where.key.empty() && pl.weight.where.file.empty()) pl.weight.where = pl.at("weight");
    pl.delay = p.delay;
    if (pl.delay.where.key.empty() && pl.delay.where.file.empty()) pl.delay.where = pl.at("delay");
    random_stream unused;
    if (pl.weight.is_constant()) {
        pl.constant_weight = true;
        pl.weight_value = pl.weight_to_float(pl.weight.draw(unused), pl.weight.where);
    }
    if (pl.delay.is_constant()) {
        pl.constant_delay = true;
        pl.delay_ticks = pl.delay_to_ticks(pl.delay.draw(unused), pl.delay.where);
    }
    // Created last, after every cheap check: creation may be expensive (an explicit file is read).
    pl.rule = rule.create(pl);
    // Per-synapse delays (an explicit delay column) make the delays vary even when the
    // projection's delay is constant.
    if (pl.rule->gives_delays()) pl.constant_delay = false;
    return pl;
}

}  // namespace connectivity_detail

double expected_synapses(const scenario& sc, const model_registry& models, std::size_t projection) {
    connectivity_detail::plan pl;
    connectivity_detail::resolve(sc, models, static_cast<std::uint32_t>(projection), pl);
    const connectivity_info& rule = models.find_connectivity(sc.projections[projection].rule);
    return rule.expected_synapses ? rule.expected_synapses(pl) : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace memspike
