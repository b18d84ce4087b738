// SPDX-License-Identifier: MIT
// The TOML layer of core's readers (scenario and energy presets): parsing, locating nodes,
// converting scalars and distributions, table key checks (scenario_toml.hpp).
#include "scenario_toml.hpp"

#include <algorithm>
#include <cmath>

namespace memspike::scenario_toml {

toml::table parse_document(const std::string& text, const std::string& file) {
    try {
        return toml::parse(text, std::string_view(file));
    } catch (const toml::parse_error& e) {
        const auto& src = e.source();
        throw scenario_error(file, static_cast<int>(src.begin.line), static_cast<int>(src.begin.column), "",
                             "TOML syntax error: " + std::string(e.description()));
    }
}

location locate_region(const context& cx, const toml::source_region& src) {
    if (src.path && src.path->starts_with(override_prefix)) return {*src.path, 0, 0};
    return {cx.file, static_cast<int>(src.begin.line), static_cast<int>(src.begin.column)};
}

location locate(const context& cx, const toml::node* n) {
    if (n == nullptr) return {cx.file, 0, 0};
    return locate_region(cx, n->source());
}

[[noreturn]] void fail_at(const location& at, const std::string& key, const std::string& what) {
    memspike::fail_at(source_location{at.file, at.line, at.column, key}, what);
}

[[noreturn]] void fail(const context& cx, const toml::node* at, const std::string& key, const std::string& what) {
    fail_at(locate(cx, at), key, what);
}

source_location note(const context& cx, const toml::node* n, const std::string& key) {
    const location at = locate(cx, n);
    source_location l{at.file, at.line, at.column, key, n != nullptr ? describe(*n) : std::string()};
    cx.locations[key] = l;
    return l;
}

std::string type_name(const toml::node& n) {
    switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time of day";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
    }
    return "nothing";
}

std::string quote(std::string_view s) {
    std::string out(1, '"');  // appended piecewise: "\"" + s + "\"" trips GCC 12's -Wrestrict
    out += s;
    out += '"';
    return out;
}

/// The value as the user wrote it (scalars), or its kind (arrays, tables).
std::string describe(const toml::node& n) {
    if (const auto* s = n.as_string()) return quote(s->get());
    if (const auto* i = n.as_integer()) return std::to_string(i->get());
    if (const auto* f = n.as_floating_point()) return format_quantity(f->get(), dimension::dimensionless);
    if (const auto* b = n.as_boolean()) return b->get() ? "true" : "false";
    return type_name(n);
}

[[noreturn]] void wrong_type(const context& cx, const toml::node& n, const std::string& key, const std::string& expected) {
    if (n.is_array() || n.is_table()) fail(cx, &n, key, "expected " + expected + ", got " + type_name(n));
    fail(cx, &n, key, "expected " + expected + ", got " + describe(n) + " (" + type_name(n) + ")");
}

[[noreturn]] void invalid(const context& cx, const toml::node& n, const std::string& key, const std::string& rule) {
    fail(cx, &n, key, describe(n) + " is invalid (" + rule + ")");
}

std::string list_or_none(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out.empty() ? "none" : out;
}

std::string dotted(const std::string& prefix, std::string_view k) {
    return prefix.empty() ? std::string(k) : prefix + "." + std::string(k);
}

// ---------------------------------------------------------------------------------------------
// Scalars

std::string string_of(const context& cx, const toml::node& n, const std::string& key, const std::string& expected) {
    if (const auto* s = n.as_string()) {
        note(cx, &n, key);
        return s->get();
    }
    wrong_type(cx, n, key, expected);
}

std::int64_t integer_of(const context& cx, const toml::node& n, const std::string& key, std::int64_t min) {
    const auto* i = n.as_integer();
    if (i == nullptr) wrong_type(cx, n, key, "an integer >= " + std::to_string(min));
    if (i->get() < min) invalid(cx, n, key, "must be >= " + std::to_string(min));
    note(cx, &n, key);
    return i->get();
}

double number_of(const context& cx, const toml::node& n, const std::string& key) {
    double v = 0.0;
    if (const auto* i = n.as_integer()) v = static_cast<double>(i->get());
    else if (const auto* f = n.as_floating_point()) v = f->get();
    else wrong_type(cx, n, key, "a number");
    if (!std::isfinite(v)) invalid(cx, n, key, "must be a finite number");
    note(cx, &n, key);
    return v;
}

bool bool_of(const context& cx, const toml::node& n, const std::string& key) {
    if (const auto* b = n.as_boolean()) {
        note(cx, &n, key);
        return b->get();
    }
    wrong_type(cx, n, key, "true or false");
}

namespace {

std::string example_of(dimension d) {
    switch (d) {
    case dimension::time: return "\"20 ms\"";
    case dimension::voltage: return "\"-65 mV\"";
    case dimension::current: return "\"100 pA\"";
    case dimension::conductance: return "\"10 nS\"";
    case dimension::capacitance: return "\"250 pF\"";
    case dimension::resistance: return "\"100 MOhm\"";
    case dimension::frequency: return "\"5 Hz\"";
    case dimension::energy: return "\"23.6 pJ\"";
    case dimension::power: return "\"15 W\"";
    case dimension::dimensionless: break;
    }
    return "0.5";
}

} // namespace

std::string a_dimension(dimension d) {
    const std::string name(dimension_name(d));
    return (std::string_view("aeiou").find(name.front()) != std::string_view::npos ? "an " : "a ") + name;
}

std::string a_quantity(dimension d) {
    if (d == dimension::dimensionless) return "a number";
    return a_dimension(d) + " such as " + example_of(d);
}

double quantity_of(const context& cx, const toml::node& n, const std::string& key, dimension d) {
    if (d == dimension::dimensionless && (n.is_integer() || n.is_floating_point())) return number_of(cx, n, key);
    const auto* s = n.as_string();
    if (s == nullptr) {
        if (d == dimension::dimensionless) wrong_type(cx, n, key, "a number");
        wrong_type(cx, n, key,
                   a_dimension(d) + " as a string with a unit, such as " + example_of(d) +
                       " (units: " + accepted_units(d) + ")");
    }
    try {
        const double v = parse_quantity(s->get(), d);
        note(cx, &n, key);
        return v;
    } catch (const unit_error& e) {
        fail(cx, &n, key, e.what());
    }
}

tick_t ticks_of(const context& cx, const toml::node& n, const std::string& key, double resolution_ms) {
    const double ms = quantity_of(cx, n, key, dimension::time);
    // A bad resolution is the validator's to report (it checks [simulation] first): no grid here.
    if (!(resolution_ms > 0) || !std::isfinite(resolution_ms)) return 0;
    if (ms < 0) return -1;
    // The range first: ms_to_ticks_exact casts to tick_t, undefined beyond 2^63 (found by tests/fuzz).
    const tick_t t = !(ms / resolution_ms <= 1e15) ? -1 : ms_to_ticks_exact(ms, resolution_ms);
    if (t < 0)
        invalid(cx, n, key, "must be a whole number of ticks of the resolution " + format_quantity(resolution_ms, dimension::time));
    return t;
}

// ---------------------------------------------------------------------------------------------
// Tables

void table_view::only(const std::vector<std::string>& accepted) const {
    for (auto&& [k, v] : t) {
        if (std::find(accepted.begin(), accepted.end(), k.str()) != accepted.end()) continue;
        location where = locate_region(cx, k.source());
        if (where.line == 0 && where.file == cx.file) where = locate(cx, &v);
        fail_at(where, sub(k.str()), "unknown key '" + std::string(k.str()) + "' (accepted: " + list_or_none(accepted) + ")");
    }
}

[[noreturn]] void table_view::missing(std::string_view k, const std::string& what) const {
    fail(cx, at, sub(k), "missing required key '" + std::string(k) + "' (" + what + ")");
}

const toml::node& table_view::required(std::string_view k, const std::string& what) const {
    const toml::node* n = get(k);
    if (n == nullptr) missing(k, what);
    return *n;
}

std::optional<std::string> table_view::string(std::string_view k) const {
    if (const auto* n = get(k)) return string_of(cx, *n, sub(k));
    return std::nullopt;
}
std::optional<std::int64_t> table_view::integer(std::string_view k, std::int64_t min) const {
    if (const auto* n = get(k)) return integer_of(cx, *n, sub(k), min);
    return std::nullopt;
}
std::optional<double> table_view::number(std::string_view k) const {
    if (const auto* n = get(k)) return number_of(cx, *n, sub(k));
    return std::nullopt;
}
std::optional<bool> table_view::boolean(std::string_view k) const {
    if (const auto* n = get(k)) return bool_of(cx, *n, sub(k));
    return std::nullopt;
}
std::optional<double> table_view::quantity(std::string_view k, dimension d) const {
    if (const auto* n = get(k)) return quantity_of(cx, *n, sub(k), d);
    return std::nullopt;
}
const toml::array* table_view::array(std::string_view k, const std::string& expected) const {
    const auto* n = get(k);
    if (n == nullptr) return nullptr;
    if (!n->is_array()) wrong_type(cx, *n, sub(k), expected);
    note(cx, n, sub(k));
    return n->as_array();
}
const toml::table* table_view::table(std::string_view k, const std::string& expected) const {
    const auto* n = get(k);
    if (n == nullptr) return nullptr;
    if (!n->is_table()) wrong_type(cx, *n, sub(k), expected);
    note(cx, n, sub(k));
    return n->as_table();
}

/// Rejects keys that belong to another variant (rule or stimulus kind) than the one chosen.
void check_variant_keys(const context& cx, const table_view& tv, const std::vector<std::pair<std::string, std::string>>& owner,
                        const std::string& chosen, const std::string& what) {
    for (const auto& [k, variant] : owner) {
        const toml::node* n = tv.get(k);
        if (n == nullptr) continue;
        // `variant` may list several variants separated by '|'.
        const std::string padded = "|" + variant + "|";
        if (padded.find("|" + chosen + "|") == std::string::npos)
            fail(cx, n, tv.sub(k), "'" + k + "' is not used by " + what + " '" + chosen + "'");
    }
}

// ---------------------------------------------------------------------------------------------
// Distributions

distribution distribution_of(const context& cx, const toml::node& n, const std::string& key, dimension d) {
    if (!n.is_table()) {
        distribution out = distribution::constant(quantity_of(cx, n, key, d));
        out.where = note(cx, &n, key);
        return out;
    }
    const table_view tv{cx, *n.as_table(), key, &n};
    const std::string q = a_quantity(d);
    const toml::node& kind_node = tv.required("dist", "\"uniform\" or \"normal\"");
    const std::string kind = string_of(cx, kind_node, tv.sub("dist"), "\"uniform\" or \"normal\"");
    distribution out;
    out.where = note(cx, &n, key);
    if (kind == "uniform") {
        tv.only({"dist", "low", "high"});
        out.k = distribution::kind::uniform;
        out.low = quantity_of(cx, tv.required("low", q), tv.sub("low"), d);
        out.high = quantity_of(cx, tv.required("high", q), tv.sub("high"), d);
    } else if (kind == "normal") {
        tv.only({"dist", "mean", "sd", "min", "max", "out_of_range"});
        out.k = distribution::kind::normal;
        out.mean = quantity_of(cx, tv.required("mean", q), tv.sub("mean"), d);
        out.sd = quantity_of(cx, tv.required("sd", q), tv.sub("sd"), d);
        if (auto v = tv.quantity("min", d)) out.min = *v;
        if (auto v = tv.quantity("max", d)) out.max = *v;
        if (const auto* p = tv.get("out_of_range")) {
            const std::string policy = string_of(cx, *p, tv.sub("out_of_range"), "\"error\" or \"redraw\"");
            if (policy == "error") out.policy = distribution::out_of_range::error;
            else if (policy == "redraw") out.policy = distribution::out_of_range::redraw;
            else invalid(cx, *p, tv.sub("out_of_range"), "must be \"error\" or \"redraw\"");
        }
    } else {
        invalid(cx, kind_node, tv.sub("dist"), "must be \"uniform\" or \"normal\"");
    }
    return out;
}

} // namespace memspike::scenario_toml
