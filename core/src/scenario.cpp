// SPDX-License-Identifier: MIT
// Scenario files: TOML -> scenario (spec.hpp), with --set overrides.
//
// The parser is strict on purpose: every key is checked against the list of keys its table accepts,
// every value against its TOML type, its dimension and its range, and every error is a
// scenario_error that names the file, line, column, dotted key, the value received and what is
// accepted. Nothing is defaulted silently except the documented defaults (docs/scenario-format.md).
//
// Overrides are parsed as TOML values and moved into the document before validation. toml++ keeps
// the source region of moved nodes, and override values are parsed with the source path
// "--set <key>", so an error in an overridden value names "--set <key>" instead of a file line
// without any bookkeeping on our side.
#include "memspike/core/scenario.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "memspike/core/backend.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/plasticity.hpp"
#include "memspike/core/units.hpp"

namespace memspike {

tick_t scenario::duration_ticks() const {
    const double res = simulation.resolution_ms;
    if (!(res > 0.0) || !std::isfinite(res))
        throw invalid_parameter("simulation", "resolution", format_quantity(res, dimension::time), "must be > 0 ms");
    const double d = simulation.duration_ms;
    if (!(d >= 0.0) || !std::isfinite(d) || d / res > 1e15)
        throw invalid_parameter("simulation", "duration", format_quantity(d, dimension::time),
                                "must be >= 0 ms and at most 1e15 ticks");
    const tick_t t = ms_to_ticks_exact(d, res);
    if (t < 0)
        throw invalid_parameter("simulation", "duration", format_quantity(d, dimension::time),
                                "must be a whole number of ticks of the resolution " +
                                    format_quantity(res, dimension::time));
    return t;
}

namespace {

constexpr std::string_view override_prefix = "--set ";
constexpr std::uint64_t max_population_size = 0xffffffffULL;  // neuron indices are 32-bit per partition

// ---------------------------------------------------------------------------------------------
// Locations and messages

struct context {
    std::string file;
    const model_registry& models;
};

struct location {
    std::string file;
    int line = 0, column = 0;
};

location locate_region(const context& cx, const toml::source_region& src) {
    if (src.path && src.path->starts_with(override_prefix)) return {*src.path, 0, 0};
    return {cx.file, static_cast<int>(src.begin.line), static_cast<int>(src.begin.column)};
}

location locate(const context& cx, const toml::node* n) {
    if (n == nullptr) return {cx.file, 0, 0};
    return locate_region(cx, n->source());
}

[[noreturn]] void fail_at(const location& at, const std::string& key, const std::string& what) {
    throw scenario_error(at.file, at.line, at.column, key, what);
}

[[noreturn]] void fail(const context& cx, const toml::node* at, const std::string& key, const std::string& what) {
    fail_at(locate(cx, at), key, what);
}

source_location where_of(const context& cx, const toml::node* n, const std::string& key) {
    const location at = locate(cx, n);
    return source_location{at.file, at.line, at.column, key};
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

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string number_text(double v) { return format_quantity(v, dimension::dimensionless); }

/// The value as the user wrote it (scalars), or its kind (arrays, tables).
std::string describe(const toml::node& n) {
    if (const auto* s = n.as_string()) return quote(s->get());
    if (const auto* i = n.as_integer()) return std::to_string(i->get());
    if (const auto* f = n.as_floating_point()) return number_text(f->get());
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

bool is_identifier(std::string_view s) {
    if (s.empty()) return false;
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    if (!alpha(s[0])) return false;
    return std::all_of(s.begin() + 1, s.end(), [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); });
}

// ---------------------------------------------------------------------------------------------
// Scalar readers: one TOML node -> one checked C++ value.

std::string string_of(const context& cx, const toml::node& n, const std::string& key, const std::string& expected = "a string") {
    if (const auto* s = n.as_string()) return s->get();
    wrong_type(cx, n, key, expected);
}

std::int64_t integer_of(const context& cx, const toml::node& n, const std::string& key, std::int64_t min) {
    const auto* i = n.as_integer();
    if (i == nullptr) wrong_type(cx, n, key, "an integer >= " + std::to_string(min));
    if (i->get() < min) invalid(cx, n, key, "must be >= " + std::to_string(min));
    return i->get();
}

double number_of(const context& cx, const toml::node& n, const std::string& key) {
    double v = 0.0;
    if (const auto* i = n.as_integer()) v = static_cast<double>(i->get());
    else if (const auto* f = n.as_floating_point()) v = f->get();
    else wrong_type(cx, n, key, "a number");
    if (!std::isfinite(v)) invalid(cx, n, key, "must be a finite number");
    return v;
}

bool bool_of(const context& cx, const toml::node& n, const std::string& key) {
    if (const auto* b = n.as_boolean()) return b->get();
    wrong_type(cx, n, key, "true or false");
}

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

std::string a_quantity(dimension d) {
    if (d == dimension::dimensionless) return "a number";
    return "a " + std::string(dimension_name(d)) + " such as " + example_of(d);
}

/// A quantity string of dimension d, in its internal unit. Plain numbers only for dimensionless.
double quantity_of(const context& cx, const toml::node& n, const std::string& key, dimension d) {
    if (d == dimension::dimensionless && (n.is_integer() || n.is_floating_point())) return number_of(cx, n, key);
    const auto* s = n.as_string();
    if (s == nullptr) {
        if (d == dimension::dimensionless) wrong_type(cx, n, key, "a number");
        wrong_type(cx, n, key,
                   "a " + std::string(dimension_name(d)) + " as a string with a unit, such as " + example_of(d) +
                       " (units: " + accepted_units(d) + ")");
    }
    try {
        return parse_quantity(s->get(), d);
    } catch (const unit_error& e) {
        fail(cx, &n, key, e.what());
    }
}

// ---------------------------------------------------------------------------------------------
// Table reader: a TOML table with its dotted key, for key checks and typed lookups.

struct table_view {
    const context& cx;
    const toml::table& t;
    std::string key;       // dotted key of the table itself
    const toml::node* at;  // the node to point at for errors about the table as a whole

    const toml::node* get(std::string_view k) const { return t.get(k); }
    std::string sub(std::string_view k) const { return dotted(key, k); }

    /// Rejects keys that are not in `accepted`, pointing at the offending key.
    void only(const std::vector<std::string>& accepted) const {
        for (auto&& [k, v] : t) {
            if (std::find(accepted.begin(), accepted.end(), k.str()) != accepted.end()) continue;
            location where = locate_region(cx, k.source());
            if (where.line == 0 && where.file == cx.file) where = locate(cx, &v);
            fail_at(where, sub(k.str()), "unknown key '" + std::string(k.str()) + "' (accepted: " + list_or_none(accepted) + ")");
        }
    }

    [[noreturn]] void missing(std::string_view k, const std::string& what) const {
        fail(cx, at, sub(k), "missing required key '" + std::string(k) + "' (" + what + ")");
    }

    const toml::node& required(std::string_view k, const std::string& what) const {
        const toml::node* n = get(k);
        if (n == nullptr) missing(k, what);
        return *n;
    }

    std::optional<std::string> string(std::string_view k) const {
        if (const auto* n = get(k)) return string_of(cx, *n, sub(k));
        return std::nullopt;
    }
    std::optional<std::int64_t> integer(std::string_view k, std::int64_t min) const {
        if (const auto* n = get(k)) return integer_of(cx, *n, sub(k), min);
        return std::nullopt;
    }
    std::optional<double> number(std::string_view k) const {
        if (const auto* n = get(k)) return number_of(cx, *n, sub(k));
        return std::nullopt;
    }
    std::optional<bool> boolean(std::string_view k) const {
        if (const auto* n = get(k)) return bool_of(cx, *n, sub(k));
        return std::nullopt;
    }
    std::optional<double> quantity(std::string_view k, dimension d) const {
        if (const auto* n = get(k)) return quantity_of(cx, *n, sub(k), d);
        return std::nullopt;
    }
    const toml::array* array(std::string_view k, const std::string& expected) const {
        const auto* n = get(k);
        if (n == nullptr) return nullptr;
        if (!n->is_array()) wrong_type(cx, *n, sub(k), expected);
        return n->as_array();
    }
    const toml::table* table(std::string_view k, const std::string& expected) const {
        const auto* n = get(k);
        if (n == nullptr) return nullptr;
        if (!n->is_table()) wrong_type(cx, *n, sub(k), expected);
        return n->as_table();
    }
};

std::string ms_text(double ms) { return format_quantity(ms, dimension::time); }

/// Time on the tick grid: returns ticks or reports `"1.05 ms" is not a whole number of ticks`.
tick_t on_grid(const context& cx, const toml::node& n, const std::string& key, double ms, double resolution_ms) {
    const tick_t t = ms_to_ticks_exact(ms, resolution_ms);
    if (t < 0 || std::abs(ms / resolution_ms) > 1e15)
        invalid(cx, n, key, "must be a whole number of ticks of the resolution " + ms_text(resolution_ms));
    return t;
}

// ---------------------------------------------------------------------------------------------
// Distributions

distribution distribution_of(const context& cx, const toml::node& n, const std::string& key, dimension d) {
    if (!n.is_table()) {
        distribution out = distribution::constant(quantity_of(cx, n, key, d));
        out.where = where_of(cx, &n, key);
        return out;
    }
    const table_view tv{cx, *n.as_table(), key, &n};
    const std::string q = a_quantity(d);
    const toml::node& kind_node = tv.required("dist", "\"uniform\" or \"normal\"");
    const std::string kind = string_of(cx, kind_node, tv.sub("dist"), "\"uniform\" or \"normal\"");
    distribution out;
    out.where = where_of(cx, &n, key);
    if (kind == "uniform") {
        tv.only({"dist", "low", "high"});
        out.k = distribution::kind::uniform;
        out.low = quantity_of(cx, tv.required("low", q), tv.sub("low"), d);
        const toml::node& high = tv.required("high", q);
        out.high = quantity_of(cx, high, tv.sub("high"), d);
        if (!(out.low < out.high)) invalid(cx, high, tv.sub("high"), "must be > low = " + format_quantity(out.low, d));
    } else if (kind == "normal") {
        tv.only({"dist", "mean", "sd", "min", "max", "out_of_range"});
        out.k = distribution::kind::normal;
        out.mean = quantity_of(cx, tv.required("mean", q), tv.sub("mean"), d);
        const toml::node& sd = tv.required("sd", q);
        out.sd = quantity_of(cx, sd, tv.sub("sd"), d);
        if (out.sd < 0) invalid(cx, sd, tv.sub("sd"), "must be >= " + format_quantity(0, d));
        if (auto v = tv.quantity("min", d)) out.min = *v;
        if (auto v = tv.quantity("max", d)) out.max = *v;
        if (tv.get("min") && tv.get("max") && !(out.min < out.max))
            invalid(cx, *tv.get("max"), tv.sub("max"), "must be > min = " + format_quantity(out.min, d));
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

/// Enforces a lower bound on every value a distribution can produce. A normal distribution
/// without `min` gets `min = bound` (so a draw below it is an error, or redrawn if asked).
void require_at_least(const context& cx, const toml::node& n, const std::string& key, distribution& dist,
                      double bound, dimension d, const std::string& why) {
    const std::string rule = "must be >= " + format_quantity(bound, d) + why;
    switch (dist.k) {
    case distribution::kind::constant:
        if (dist.value < bound) invalid(cx, n, key, rule);
        break;
    case distribution::kind::uniform:
        if (dist.low < bound) invalid(cx, *n.as_table()->get("low"), key + ".low", rule);
        break;
    case distribution::kind::normal:
        if (const auto* m = n.as_table()->get("min")) {
            if (dist.min < bound) invalid(cx, *m, key + ".min", rule);
        } else {
            dist.min = bound;
            if (!(dist.min < dist.max))
                invalid(cx, *n.as_table()->get("max"), key + ".max", "must be > min = " + format_quantity(bound, d) +
                                                                         " (the default min" + why + ")");
        }
        break;
    }
}

// ---------------------------------------------------------------------------------------------
// Overrides

std::string toml_basic_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

/// The name by which an entry of an array of tables is addressed in keys: its `name`, or the
/// documented default ("<source>-><target>" for projections, "<kind><index>" for stimuli).
std::string entry_name(std::string_view section, const toml::table& entry, std::size_t index) {
    if (const auto* n = entry.get_as<std::string>("name")) return n->get();
    if (section == "projection") {
        const auto* s = entry.get_as<std::string>("source");
        const auto* t = entry.get_as<std::string>("target");
        if (s && t) return s->get() + "->" + t->get();
    } else if (section == "stimulus") {
        if (const auto* k = entry.get_as<std::string>("kind")) return k->get() + std::to_string(index);
    }
    return section.empty() ? std::string() : std::string(section) + "[" + std::to_string(index) + "]";
}

std::vector<std::string> split_key(const std::string& key) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const std::size_t dot = key.find('.', start);
        parts.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return parts;
}

void apply_override(toml::table& root, const override_entry& o) {
    const std::string label = std::string(override_prefix) + o.key;
    auto fail_here = [&](const std::string& what) { throw scenario_error(label, 0, 0, o.key, what); };

    // The value: a TOML value if it parses as exactly one, otherwise the text as a string, so that
    // `--set simulation.duration=2s` works without shell quoting.
    toml::table parsed;
    bool one_value = false;
    try {
        parsed = toml::parse("v = " + o.value, std::string_view(label));
        one_value = parsed.size() == 1 && parsed.get("v") != nullptr;
    } catch (const toml::parse_error&) {
        one_value = false;
    }
    if (!one_value) {
        try {
            parsed = toml::parse("v = " + toml_basic_string(o.value), std::string_view(label));
        } catch (const toml::parse_error& e) {  // e.g. invalid UTF-8
            fail_here("the value is neither a TOML value nor a valid string: " + std::string(e.description()));
        }
    }

    const std::vector<std::string> parts = split_key(o.key);
    for (const auto& p : parts)
        if (p.empty()) fail_here("malformed key (empty part); keys look like population.E.params.tau_m");

    toml::table* cur = &root;
    std::string walked;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        const std::string& part = parts[i];
        walked = dotted(walked, part);
        toml::node* n = cur->get(part);
        const bool entries = cur == &root && (part == "population" || part == "projection" || part == "stimulus" || part == "modulator");
        if (entries && (n == nullptr || n->is_array())) {
            // population.<name>..., addressed by entry name.
            const std::string& want = parts[i + 1];
            toml::table* found = nullptr;
            std::vector<std::string> known;
            if (n != nullptr) {
                auto& arr = *n->as_array();
                for (std::size_t j = 0; j < arr.size(); ++j) {
                    auto* entry = arr.get(j)->as_table();
                    if (entry == nullptr) continue;
                    known.push_back(entry_name(part, *entry, j));
                    if (known.back() == want && found == nullptr) found = entry;
                }
            }
            if (found == nullptr) fail_here("no " + part + " named '" + want + "' (known: " + list_or_none(known) + ")");
            ++i;
            walked = dotted(walked, want);
            if (i + 1 == parts.size())
                fail_here("give a key inside the entry, such as " + walked + (part == "population" ? ".size" : ".weight"));
            cur = found;
            continue;
        }
        if (n == nullptr) {
            cur = cur->insert_or_assign(part, toml::table{}).first->second.as_table();
        } else if (n->is_table()) {
            cur = n->as_table();
        } else if (auto* arr = n->as_array(); arr && arr->is_array_of_tables()) {
            // Unnamed entries (recording.trace) are addressed by index: recording.trace.0.interval.
            const std::string& idx = parts[i + 1];
            std::size_t j = 0;
            const bool numeric = !idx.empty() && std::all_of(idx.begin(), idx.end(), [](char c) { return c >= '0' && c <= '9'; });
            if (numeric) j = std::stoul(idx);
            if (!numeric || j >= arr->size())
                fail_here("'" + walked + "' has " + std::to_string(arr->size()) + " entries; address one by index (" +
                          walked + ".0...)");
            ++i;
            walked = dotted(walked, idx);
            if (i + 1 == parts.size()) fail_here("give a key inside the entry " + walked);
            cur = arr->get(j)->as_table();
        } else {
            fail_here("'" + walked + "' is " + type_name(*n) + ", not a table");
        }
    }
    cur->insert_or_assign(parts.back(), std::move(*parsed.get("v")));
}

// ---------------------------------------------------------------------------------------------
// Sections

const std::vector<std::string> root_keys{"simulation", "population", "projection", "stimulus", "modulator", "recording", "backend"};

simulation_spec read_simulation(const context& cx, const toml::table& root) {
    const toml::node* n = root.get("simulation");
    if (n == nullptr)
        fail(cx, &root, "simulation", "missing required table [simulation] (at least duration = \"1 s\")");
    if (!n->is_table()) wrong_type(cx, *n, "simulation", "a table ([simulation])");
    const table_view tv{cx, *n->as_table(), "simulation", n};
    tv.only({"duration", "resolution", "seed", "threads", "scale", "quiescence_tolerance"});

    simulation_spec sim;
    sim.seed = 12345;
    if (const auto* r = tv.get("resolution")) {
        sim.resolution_ms = quantity_of(cx, *r, tv.sub("resolution"), dimension::time);
        if (!(sim.resolution_ms > 0)) invalid(cx, *r, tv.sub("resolution"), "must be > 0 ms");
    }
    const toml::node& d = tv.required("duration", "a time such as \"1 s\"");
    sim.duration_ms = quantity_of(cx, d, tv.sub("duration"), dimension::time);
    if (!(sim.duration_ms > 0)) invalid(cx, d, tv.sub("duration"), "must be > 0 ms");
    on_grid(cx, d, tv.sub("duration"), sim.duration_ms, sim.resolution_ms);

    if (auto v = tv.integer("seed", 0)) sim.seed = static_cast<std::uint64_t>(*v);
    if (const auto* t = tv.get("threads")) {
        const std::int64_t v = integer_of(cx, *t, tv.sub("threads"), 0);
        if (v > 65536) invalid(cx, *t, tv.sub("threads"), "must be <= 65536; 0 selects the default");
        sim.threads = static_cast<unsigned>(v);
    }
    if (const auto* s = tv.get("scale")) {
        sim.scale = number_of(cx, *s, tv.sub("scale"));
        if (!(sim.scale > 0)) invalid(cx, *s, tv.sub("scale"), "must be > 0");
    }
    if (const auto* q = tv.get("quiescence_tolerance")) {
        sim.quiescence_tolerance = number_of(cx, *q, tv.sub("quiescence_tolerance"));
        if (!(sim.quiescence_tolerance > 0)) invalid(cx, *q, tv.sub("quiescence_tolerance"), "must be > 0");
    }
    return sim;
}

/// The entries of an array of tables ([[population]]), or none when the key is absent.
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

/// Reads the `name` of an entry: an identifier-like string, unique within its section.
std::string entry_name_of(const context& cx, const table_view& tv, std::set<std::string>& taken, const std::string& fallback,
                          bool identifier) {
    std::string name = fallback;
    const toml::node* n = tv.get("name");
    if (n != nullptr) {
        name = string_of(cx, *n, tv.sub("name"));
        if (identifier && !is_identifier(name))
            invalid(cx, *n, tv.sub("name"), "must be an identifier: a letter or '_', then letters, digits or '_'");
        if (!identifier && (name.empty() || name.find_first_of(". \t\"'") != std::string::npos))
            invalid(cx, *n, tv.sub("name"), "must be non-empty, without '.', quotes or spaces");
    }
    if (!taken.insert(name).second) {
        const std::string section = tv.key.substr(0, tv.key.find('['));
        fail(cx, n != nullptr ? n : tv.at, tv.sub("name"),
             "duplicate " + section + " name '" + name + "'" +
                 (n == nullptr ? " (the default name; give each entry its own 'name')" : ""));
    }
    return name;
}

struct population_info {
    const population_spec* spec;
    const model_info* model;
};

std::uint64_t index_of(const context& cx, const toml::node& n, const std::string& key, std::uint64_t size, const std::string& pop) {
    const std::int64_t v = integer_of(cx, n, key, 0);
    if (static_cast<std::uint64_t>(v) >= size)
        invalid(cx, n, key, "population '" + pop + "' has " + std::to_string(size) + " neurons: indices 0 to " +
                                std::to_string(size - 1));
    return static_cast<std::uint64_t>(v);
}

/// `neurons = [0, 1, 2]`: indices below the population size, no repeats; empty when absent.
std::vector<std::uint64_t> neuron_list(const context& cx, const table_view& tv, const population_spec& pop) {
    std::vector<std::uint64_t> out;
    const toml::array* arr = tv.array("neurons", "an array of neuron indices such as [0, 1, 2]");
    if (arr == nullptr) return out;
    if (arr->empty()) fail(cx, tv.get("neurons"), tv.sub("neurons"), "empty list (omit 'neurons' to select every neuron)");
    std::set<std::uint64_t> seen;
    for (std::size_t i = 0; i < arr->size(); ++i) {
        const std::string key = tv.sub("neurons") + "[" + std::to_string(i) + "]";
        const std::uint64_t idx = index_of(cx, *arr->get(i), key, pop.size, pop.name);
        if (!seen.insert(idx).second) invalid(cx, *arr->get(i), key, "listed twice");
        out.push_back(idx);
    }
    return out;
}

population_spec read_population(const context& cx, const toml::table& t, std::size_t index, const simulation_spec& sim,
                                std::set<std::string>& names, const model_info*& model_out) {
    const std::string fallback_key = "population[" + std::to_string(index) + "]";
    const table_view first{cx, t, fallback_key, &t};
    if (t.get("name") == nullptr) first.missing("name", "an identifier such as \"E\"");
    population_spec p;
    p.name = entry_name_of(cx, first, names, "", true);
    const table_view tv{cx, t, "population." + p.name, &t};
    tv.only({"name", "model", "size", "params", "init", "spike_times"});
    p.where = where_of(cx, &t, tv.key);

    // Model
    const toml::node& mn = tv.required("model", "a registered model: " + list_or_none(cx.models.names()));
    p.model = string_of(cx, mn, tv.sub("model"));
    const model_info* model = nullptr;
    try {
        model = &cx.models.find(p.model);
    } catch (const error& e) {
        fail(cx, &mn, tv.sub("model"), e.what());
    }
    model_out = model;
    const bool spike_source = p.model == "spike_source";

    // Spike times (spike_source only): per neuron, on the tick grid, stored sorted as ticks.
    const toml::node* st = tv.get("spike_times");
    if (st != nullptr && !spike_source)
        fail(cx, st, tv.sub("spike_times"), "'spike_times' is only used by model 'spike_source' (this population uses '" +
                                                p.model + "')");
    if (spike_source) {
        if (st == nullptr) tv.missing("spike_times", "model spike_source: one array of times per neuron, e.g. [[\"1 ms\"], []]");
        const auto* arr = tv.array("spike_times", "an array with one array of times per neuron, e.g. [[\"1 ms\", \"2 ms\"], []]");
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const std::string ki = tv.sub("spike_times") + "[" + std::to_string(i) + "]";
            const toml::node& row = *arr->get(i);
            if (!row.is_array()) wrong_type(cx, row, ki, "an array of times for neuron " + std::to_string(i) + ", e.g. [\"1 ms\"]");
            std::vector<tick_t> ticks;
            const auto& r = *row.as_array();
            for (std::size_t j = 0; j < r.size(); ++j) {
                const std::string kj = ki + "[" + std::to_string(j) + "]";
                const double ms = quantity_of(cx, *r.get(j), kj, dimension::time);
                if (ms < 0) invalid(cx, *r.get(j), kj, "must be >= 0 ms");
                ticks.push_back(on_grid(cx, *r.get(j), kj, ms, sim.resolution_ms));
            }
            std::sort(ticks.begin(), ticks.end());
            p.spike_ticks.push_back(std::move(ticks));
        }
    }

    // Size; scaled except for spike_source, whose size is fixed by its spike lists.
    if (const toml::node* sn = tv.get("size")) {
        const auto size = static_cast<std::uint64_t>(integer_of(cx, *sn, tv.sub("size"), 1));
        if (spike_source) {
            if (size != p.spike_ticks.size())
                invalid(cx, *sn, tv.sub("size"), "spike_times lists " + std::to_string(p.spike_ticks.size()) +
                                                     " neurons; size must match or be omitted");
            p.size = size;
        } else {
            const double scaled = std::max(1.0, std::round(static_cast<double>(size) * sim.scale));
            if (scaled > static_cast<double>(max_population_size))
                invalid(cx, *sn, tv.sub("size"), "at most " + std::to_string(max_population_size) + " neurons after scaling by " +
                                                     number_text(sim.scale));
            p.size = static_cast<std::uint64_t>(scaled);
        }
    } else if (spike_source) {
        if (p.spike_ticks.empty()) fail(cx, st, tv.sub("spike_times"), "empty: a spike_source needs at least one neuron");
        p.size = p.spike_ticks.size();
    } else {
        tv.missing("size", "an integer >= 1");
    }

    // Parameters: each a quantity of the parameter's dimension; then defaults and cross-checks.
    const toml::table* params = tv.table("params", "a table of parameters such as { tau_m = \"20 ms\" }");
    const std::string pkey = tv.sub("params");
    param_map given;
    if (params != nullptr) {
        const table_view pv{cx, *params, pkey, tv.get("params")};
        for (auto&& [k, v] : *params) {
            const std::string name(k.str());
            const auto info = std::find_if(model->params.begin(), model->params.end(),
                                           [&](const param_info& pi) { return pi.name == name; });
            if (info == model->params.end()) {
                std::vector<std::string> known;
                for (const auto& pi : model->params) known.push_back(pi.name);
                fail(cx, &v, pv.sub(name), unknown_parameter(p.model, name, known).what());
            }
            given[name] = quantity_of(cx, v, pv.sub(name), info->dim);
        }
    }
    try {
        p.params = model->complete(given);
    } catch (const invalid_parameter& e) {
        const toml::node* at = params != nullptr ? params->get(e.name) : nullptr;
        if (at == nullptr) at = params != nullptr ? tv.get("params") : &t;
        fail(cx, at, dotted(pkey, e.name), e.what());
    } catch (const unknown_parameter& e) {
        const toml::node* at = params != nullptr ? params->get(e.name) : nullptr;
        fail(cx, at != nullptr ? at : &t, dotted(pkey, e.name), e.what());
    } catch (const error& e) {
        fail(cx, params != nullptr ? tv.get("params") : &t, pkey, e.what());
    }

    // Initial values of state variables.
    if (const toml::table* init = tv.table("init", "a table such as { v = \"-65 mV\" }")) {
        const std::string ikey = tv.sub("init");
        for (auto&& [k, v] : *init) {
            const std::string name(k.str());
            std::size_t si = 0;
            try {
                si = model->state_index(name);
            } catch (const error& e) {
                fail(cx, &v, dotted(ikey, name), e.what());
            }
            p.init[name] = distribution_of(cx, v, dotted(ikey, name), model->state[si].dim);
        }
    }
    return p;
}

/// The target port for synaptic input (projections, Poisson stimuli); fills `receptor`.
const port_info& target_port(const context& cx, const table_view& tv, const population_info& target, std::string& receptor) {
    const model_info& m = *target.model;
    const std::string& pop = target.spec->name;
    if (m.ports.empty())
        fail(cx, tv.get("target"), tv.sub("target"),
             "population '" + pop + "' (model " + m.name + ") has no receptor ports and cannot receive synaptic input");
    std::vector<std::string> known;
    for (const auto& p : m.ports) known.push_back(p.name);
    if (const toml::node* r = tv.get("receptor")) {
        receptor = string_of(cx, *r, tv.sub("receptor"));
        for (const auto& p : m.ports)
            if (p.name == receptor) return p;
        invalid(cx, *r, tv.sub("receptor"), "population '" + pop + "' (model " + m.name + ") has receptors: " + list_or_none(known));
    }
    if (m.ports.size() > 1)
        tv.missing("receptor", "population '" + pop + "' (model " + m.name + ") has several receptors: " + list_or_none(known));
    receptor.clear();
    return m.ports.front();
}

const population_info& population_ref(const context& cx, const table_view& tv, std::string_view k,
                                      const std::vector<population_info>& pops, std::string& name_out) {
    const toml::node& n = tv.required(k, "the name of a population");
    name_out = string_of(cx, n, tv.sub(k), "the name of a population");
    for (const auto& p : pops)
        if (p.spec->name == name_out) return p;
    std::vector<std::string> known;
    for (const auto& p : pops) known.push_back(p.spec->name);
    fail(cx, &n, tv.sub(k), "no population named '" + name_out + "' (populations: " + list_or_none(known) + ")");
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

void check_conductance_weight(const context& cx, const toml::node& n, const std::string& key, distribution& w, dimension d) {
    if (d == dimension::conductance) require_at_least(cx, n, key, w, 0.0, d, " (conductances cannot be negative)");
}

/// `plasticity = { rule = "stdp", interaction = "nearest", tau_plus = "20 ms", w_max = "1 mV", ... }`:
/// the rule's parameters with units; weight parameters (w_max, ...) in the target port's unit.
plasticity_spec read_plasticity(const context& cx, const toml::table& t, const std::string& key, const toml::node* at,
                                dimension weight_dim) {
    plasticity_spec ps;
    const table_view pv{cx, t, key, at};
    ps.where = where_of(cx, at, key);
    const toml::node& rn = pv.required("rule", "a plasticity rule: " + list_or_none(cx.models.plasticity_names()));
    ps.rule = string_of(cx, rn, pv.sub("rule"));
    const plasticity_info* info = nullptr;
    try {
        info = &cx.models.find_plasticity(ps.rule);
    } catch (const error& e) {
        fail(cx, &rn, pv.sub("rule"), e.what());
    }
    if (const toml::node* in = t.get("interaction")) {
        ps.interaction = string_of(cx, *in, pv.sub("interaction"));
        if (std::find(info->interactions.begin(), info->interactions.end(), ps.interaction) == info->interactions.end())
            invalid(cx, *in, pv.sub("interaction"), "rule '" + ps.rule + "' accepts: " + list_or_none(info->interactions));
    } else if (!info->interactions.empty()) {
        ps.interaction = info->interactions.front();
    }
    param_map given;
    for (auto&& [k, v] : t) {
        const std::string name(k.str());
        if (name == "rule" || name == "interaction") continue;
        const auto pi = std::find_if(info->params.begin(), info->params.end(), [&](const param_info& p) { return p.name == name; });
        if (pi == info->params.end()) {
            std::vector<std::string> known{"rule", "interaction"};
            for (const auto& p : info->params) known.push_back(p.name);
            fail(cx, &v, pv.sub(name), unknown_parameter(ps.rule, name, known).what());
        }
        const bool in_weight_unit = std::find(info->weight_unit_params.begin(), info->weight_unit_params.end(), name) !=
                                    info->weight_unit_params.end();
        given[name] = quantity_of(cx, v, pv.sub(name), in_weight_unit ? weight_dim : pi->dim);
    }
    try {
        ps.params = info->complete(given);
    } catch (const invalid_parameter& e) {
        const toml::node* n = t.get(e.name);
        fail(cx, n != nullptr ? n : at, dotted(key, e.name), e.what());
    } catch (const error& e) {
        fail(cx, at, key, e.what());
    }
    return ps;
}

projection_spec read_projection(const context& cx, const toml::table& t, std::size_t index, const simulation_spec& sim,
                                const std::vector<population_info>& pops, std::set<std::string>& names) {
    const table_view first{cx, t, "projection[" + std::to_string(index) + "]", &t};
    projection_spec pr;
    std::string fallback;
    const population_info* src = nullptr;
    const population_info* tgt = nullptr;
    if (t.get("name") == nullptr) {
        src = &population_ref(cx, first, "source", pops, pr.source);
        tgt = &population_ref(cx, first, "target", pops, pr.target);
        fallback = pr.source + "->" + pr.target;
    }
    pr.name = entry_name_of(cx, first, names, fallback, false);
    const table_view tv{cx, t, "projection." + pr.name, &t};
    tv.only({"name", "source", "target", "rule", "indegree", "outdegree", "probability", "file", "allow_autapses",
             "allow_multapses", "weight", "delay", "receptor", "plasticity"});
    pr.where = where_of(cx, &t, tv.key);
    if (src == nullptr) {
        src = &population_ref(cx, tv, "source", pops, pr.source);
        tgt = &population_ref(cx, tv, "target", pops, pr.target);
    }

    static const std::vector<std::string> rules{"one_to_one", "all_to_all", "fixed_probability", "fixed_indegree",
                                                "fixed_outdegree", "explicit"};
    const toml::node& rn = tv.required("rule", "one of: " + list_or_none(rules));
    pr.rule = string_of(cx, rn, tv.sub("rule"));
    if (std::find(rules.begin(), rules.end(), pr.rule) == rules.end())
        fail(cx, &rn, tv.sub("rule"), "unknown connectivity rule '" + pr.rule + "' (known: " + list_or_none(rules) + ")");
    check_variant_keys(cx, tv,
                       {{"indegree", "fixed_indegree"}, {"outdegree", "fixed_outdegree"},
                        {"probability", "fixed_probability"}, {"file", "explicit"}},
                       pr.rule, "rule");

    if (auto v = tv.boolean("allow_autapses")) pr.allow_autapses = *v;
    if (auto v = tv.boolean("allow_multapses")) pr.allow_multapses = *v;
    const std::uint64_t ns = src->spec->size, nt = tgt->spec->size;
    // Without multapses a neuron can get (or make) at most one synapse per partner; without
    // autapses one fewer when the projection is recurrent.
    const bool self = pr.source == pr.target;
    const std::uint64_t max_in = pr.allow_multapses ? ~0ULL : ns - ((self && !pr.allow_autapses) ? 1 : 0);
    const std::uint64_t max_out = pr.allow_multapses ? ~0ULL : nt - ((self && !pr.allow_autapses) ? 1 : 0);
    const std::string limit_rule = "without multapses at most ";
    if (pr.rule == "fixed_indegree") {
        const toml::node& n = tv.required("indegree", "an integer >= 0");
        pr.indegree = static_cast<std::uint64_t>(integer_of(cx, n, tv.sub("indegree"), 0));
        if (pr.indegree > max_in)
            invalid(cx, n, tv.sub("indegree"), limit_rule + std::to_string(max_in) + ", the number of distinct sources in '" +
                                                   pr.source + "'");
    } else if (pr.rule == "fixed_outdegree") {
        const toml::node& n = tv.required("outdegree", "an integer >= 0");
        pr.outdegree = static_cast<std::uint64_t>(integer_of(cx, n, tv.sub("outdegree"), 0));
        if (pr.outdegree > max_out)
            invalid(cx, n, tv.sub("outdegree"), limit_rule + std::to_string(max_out) + ", the number of distinct targets in '" +
                                                    pr.target + "'");
    } else if (pr.rule == "fixed_probability") {
        const toml::node& n = tv.required("probability", "a number in [0, 1]");
        pr.probability = number_of(cx, n, tv.sub("probability"));
        if (pr.probability < 0 || pr.probability > 1) invalid(cx, n, tv.sub("probability"), "must be in [0, 1]");
    } else if (pr.rule == "explicit") {
        const toml::node& n = tv.required("file", "a CSV file with columns source,target[,weight][,delay]");
        pr.file = string_of(cx, n, tv.sub("file"));
        if (pr.file.empty()) invalid(cx, n, tv.sub("file"), "must name a file");
    } else if (pr.rule == "one_to_one" && ns != nt) {
        fail(cx, &rn, tv.sub("rule"), "rule 'one_to_one' needs populations of equal size ('" + pr.source + "' has " +
                                          std::to_string(ns) + " neurons, '" + pr.target + "' has " + std::to_string(nt) + ")");
    }

    const port_info& port = target_port(cx, tv, *tgt, pr.receptor);
    const toml::node& wn = tv.required("weight", a_quantity(port.weight_dim) + " or a distribution table");
    pr.weight = distribution_of(cx, wn, tv.sub("weight"), port.weight_dim);
    check_conductance_weight(cx, wn, tv.sub("weight"), pr.weight, port.weight_dim);

    const toml::node& dn = tv.required("delay", "a time such as \"1.5 ms\" or a distribution table");
    pr.delay = distribution_of(cx, dn, tv.sub("delay"), dimension::time);
    require_at_least(cx, dn, tv.sub("delay"), pr.delay, sim.resolution_ms, dimension::time, " (one resolution step)");
    if (pr.delay.is_constant()) on_grid(cx, dn, tv.sub("delay"), pr.delay.value, sim.resolution_ms);
    if (const toml::table* pt = tv.table("plasticity", "a table such as { rule = \"stdp\", w_max = \"1 mV\" }"))
        pr.plasticity = read_plasticity(cx, *pt, tv.sub("plasticity"), tv.get("plasticity"), port.weight_dim);
    if (pr.plasticity.enabled()) {
        // Initial weights must lie within the rule's bounds: checked here where the range is known
        // (constant, uniform), at build time for every drawn weight otherwise.
        const auto& pp = pr.plasticity.params;
        const double lo = pp.count("w_min") ? pp.at("w_min") : -std::numeric_limits<double>::infinity();
        const double hi = pp.count("w_max") ? pp.at("w_max") : std::numeric_limits<double>::infinity();
        const distribution& w = pr.weight;
        const double wlo = w.k == distribution::kind::constant ? w.value : w.k == distribution::kind::uniform ? w.low : lo;
        const double whi = w.k == distribution::kind::constant ? w.value : w.k == distribution::kind::uniform ? w.high : hi;
        if (wlo < lo || whi > hi)
            invalid(cx, wn, tv.sub("weight"), "initial weights must lie within the plasticity bounds [w_min, w_max] = [" +
                                                   format_quantity(lo, port.weight_dim) + ", " +
                                                   format_quantity(hi, port.weight_dim) + "]");
    }
    return pr;
}

/// start/stop of Poisson and DC stimuli: on the grid, 0 <= start < stop.
void read_window(const context& cx, const table_view& tv, const simulation_spec& sim, stimulus_spec& s) {
    if (const auto* n = tv.get("start")) {
        s.start_ms = quantity_of(cx, *n, tv.sub("start"), dimension::time);
        if (s.start_ms < 0) invalid(cx, *n, tv.sub("start"), "must be >= 0 ms");
        on_grid(cx, *n, tv.sub("start"), s.start_ms, sim.resolution_ms);
    }
    if (const auto* n = tv.get("stop")) {
        s.stop_ms = quantity_of(cx, *n, tv.sub("stop"), dimension::time);
        if (!(s.stop_ms > s.start_ms)) invalid(cx, *n, tv.sub("stop"), "must be > start = " + ms_text(s.start_ms));
        on_grid(cx, *n, tv.sub("stop"), s.stop_ms, sim.resolution_ms);
    }
}

/// `times = [...]` with a parallel array `values_key` (step amplitudes, modulator values): both
/// required, same length, times >= 0, strictly increasing and on the grid. `value(node, key)`
/// reads each value.
template <class ReadValue>
void read_schedule(const context& cx, const table_view& tv, const simulation_spec& sim, const std::string& values_key,
                   const std::string& values_expected, std::vector<double>& times_ms, ReadValue&& value) {
    const std::string tkey = tv.sub("times"), vkey = tv.sub(values_key);
    const std::string texp = "an array of times such as [\"0 ms\", \"100 ms\"]";
    if (tv.get("times") == nullptr) tv.missing("times", texp);
    if (tv.get(values_key) == nullptr) tv.missing(values_key, values_expected);
    const auto* times = tv.array("times", texp);
    const auto* values = tv.array(values_key, values_expected);
    if (times->empty()) fail(cx, tv.get("times"), tkey, "empty: give at least one time");
    if (times->size() != values->size())
        fail(cx, tv.get(values_key), vkey, "has " + std::to_string(values->size()) + " entries but 'times' has " +
                                               std::to_string(times->size()) + ": they must have the same length");
    for (std::size_t i = 0; i < times->size(); ++i) {
        const std::string ki = tkey + "[" + std::to_string(i) + "]";
        const toml::node& n = *times->get(i);
        const double ms = quantity_of(cx, n, ki, dimension::time);
        if (ms < 0) invalid(cx, n, ki, "must be >= 0 ms");
        if (!times_ms.empty() && !(ms > times_ms.back()))
            invalid(cx, n, ki, "times must be strictly increasing; the previous one is " + ms_text(times_ms.back()));
        on_grid(cx, n, ki, ms, sim.resolution_ms);
        times_ms.push_back(ms);
        value(*values->get(i), vkey + "[" + std::to_string(i) + "]");
    }
}

stimulus_spec read_stimulus(const context& cx, const toml::table& t, std::size_t index, const simulation_spec& sim,
                            const std::vector<population_info>& pops, std::set<std::string>& names) {
    static const std::vector<std::string> kinds{"poisson", "dc", "step"};
    const table_view first{cx, t, "stimulus[" + std::to_string(index) + "]", &t};
    stimulus_spec s;
    const toml::node& kn = first.required("kind", "one of: " + list_or_none(kinds));
    s.kind = string_of(cx, kn, first.sub("kind"));
    if (std::find(kinds.begin(), kinds.end(), s.kind) == kinds.end())
        fail(cx, &kn, first.sub("kind"), "unknown stimulus kind '" + s.kind + "' (known: " + list_or_none(kinds) + ")");
    s.name = entry_name_of(cx, first, names, s.kind + std::to_string(index), false);
    const table_view tv{cx, t, "stimulus." + s.name, &t};
    tv.only({"name", "kind", "target", "neurons", "rate", "weight", "receptor", "shared", "start", "stop", "amplitude",
             "times", "amplitudes"});
    check_variant_keys(cx, tv,
                       {{"rate", "poisson"}, {"weight", "poisson"}, {"receptor", "poisson"}, {"shared", "poisson"},
                        {"start", "poisson|dc"}, {"stop", "poisson|dc"}, {"amplitude", "dc"}, {"times", "step"},
                        {"amplitudes", "step"}},
                       s.kind, "kind");
    s.where = where_of(cx, &t, tv.key);
    const population_info& target = population_ref(cx, tv, "target", pops, s.target);
    s.neurons = neuron_list(cx, tv, *target.spec);

    if (s.kind == "poisson") {
        const toml::node& rn = tv.required("rate", "a frequency such as \"5 Hz\"");
        s.rate_hz = quantity_of(cx, rn, tv.sub("rate"), dimension::frequency);
        if (!(s.rate_hz > 0)) invalid(cx, rn, tv.sub("rate"), "must be > 0 Hz");
        const port_info& port = target_port(cx, tv, target, s.receptor);
        const toml::node& wn = tv.required("weight", a_quantity(port.weight_dim));
        s.weight = quantity_of(cx, wn, tv.sub("weight"), port.weight_dim);
        if (port.weight_dim == dimension::conductance && s.weight < 0)
            invalid(cx, wn, tv.sub("weight"), "must be >= 0 nS (conductances cannot be negative)");
        if (auto v = tv.boolean("shared")) s.shared = *v;
        read_window(cx, tv, sim, s);
        return s;
    }
    // Current stimuli act on the membrane: sources (models without receptor ports) have none.
    if (target.model->ports.empty())
        fail(cx, tv.get("target"), tv.sub("target"),
             "stimulus kind '" + s.kind + "' injects current, but population '" + s.target + "' uses model '" +
                 target.model->name + "', a source without a membrane");
    if (s.kind == "dc") {
        const toml::node& an = tv.required("amplitude", "a current such as \"100 pA\"");
        s.amplitude_pa = quantity_of(cx, an, tv.sub("amplitude"), dimension::current);
        read_window(cx, tv, sim, s);
        return s;
    }
    // step
    read_schedule(cx, tv, sim, "amplitudes", "an array of currents such as [\"100 pA\", \"0 pA\"]", s.times_ms,
                  [&](const toml::node& n, const std::string& key) { s.amplitudes_pa.push_back(quantity_of(cx, n, key, dimension::current)); });
    return s;
}

/// [[modulator]]: a neuromodulator (reward) signal for three-factor plastic projections, as
/// values that hold from given times on.
modulator_spec read_modulator(const context& cx, const toml::table& t, std::size_t index, const simulation_spec& sim,
                              const std::vector<projection_spec>& projections, std::set<std::string>& names) {
    const table_view first{cx, t, "modulator[" + std::to_string(index) + "]", &t};
    modulator_spec m;
    m.name = entry_name_of(cx, first, names, "modulator" + std::to_string(index), false);
    const table_view tv{cx, t, "modulator." + m.name, &t};
    tv.only({"name", "projections", "times", "values"});
    m.where = where_of(cx, &t, tv.key);
    std::vector<std::string> plastic;
    for (const auto& p : projections)
        if (p.plasticity.enabled()) plastic.push_back(p.name);
    const std::string pexp = "an array of plastic projection names (" + list_or_none(plastic) + ")";
    if (tv.get("projections") == nullptr) tv.missing("projections", pexp);
    const auto* pa = tv.array("projections", pexp);
    if (pa->empty()) fail(cx, tv.get("projections"), tv.sub("projections"), "empty: " + pexp);
    for (std::size_t i = 0; i < pa->size(); ++i) {
        const std::string ki = tv.sub("projections") + "[" + std::to_string(i) + "]";
        const std::string name = string_of(cx, *pa->get(i), ki, "a projection name");
        if (std::find(plastic.begin(), plastic.end(), name) == plastic.end())
            invalid(cx, *pa->get(i), ki, "must name a plastic projection (" + list_or_none(plastic) + ")");
        m.projections.push_back(name);
    }
    read_schedule(cx, tv, sim, "values", "an array of numbers such as [0.0, 1.0]", m.times_ms,
                  [&](const toml::node& n, const std::string& key) { m.values.push_back(number_of(cx, n, key)); });
    return m;
}

recording_spec read_recording(const context& cx, const toml::table& root, const simulation_spec& sim,
                              const std::vector<population_info>& pops, const std::vector<projection_spec>& projections) {
    recording_spec rec;
    const toml::node* n = root.get("recording");
    if (n == nullptr) return rec;
    if (!n->is_table()) wrong_type(cx, *n, "recording", "a table ([recording])");
    const table_view tv{cx, *n->as_table(), "recording", n};
    tv.only({"spikes", "flush_interval", "energy_bin", "trace", "weights", "inference"});

    auto find_pop = [&](const std::string& name) -> const population_info* {
        for (const auto& p : pops)
            if (p.spec->name == name) return &p;
        return nullptr;
    };
    std::vector<std::string> known;
    for (const auto& p : pops) known.push_back(p.spec->name);

    if (const toml::node* sn = tv.get("spikes")) {
        const std::string expected = "\"all\" or an array of population names such as [\"E\"]";
        if (const auto* s = sn->as_string()) {
            if (s->get() != "all") invalid(cx, *sn, tv.sub("spikes"), "must be " + expected);
        } else if (const auto* arr = sn->as_array()) {
            rec.all_spikes = false;
            for (std::size_t i = 0; i < arr->size(); ++i) {
                const std::string ki = tv.sub("spikes") + "[" + std::to_string(i) + "]";
                const std::string name = string_of(cx, *arr->get(i), ki, "a population name");
                if (find_pop(name) == nullptr)
                    fail(cx, arr->get(i), ki, "no population named '" + name + "' (populations: " + list_or_none(known) + ")");
                if (std::find(rec.spike_populations.begin(), rec.spike_populations.end(), name) != rec.spike_populations.end())
                    invalid(cx, *arr->get(i), ki, "listed twice");
                rec.spike_populations.push_back(name);
            }
        } else {
            wrong_type(cx, *sn, tv.sub("spikes"), expected);
        }
    }
    if (const toml::node* en = tv.get("energy_bin")) {
        rec.energy_bin_ms = quantity_of(cx, *en, tv.sub("energy_bin"), dimension::time);
        if (rec.energy_bin_ms != 0.0) {
            if (rec.energy_bin_ms < sim.resolution_ms)
                invalid(cx, *en, tv.sub("energy_bin"), "must be 0 ms (no ledger) or >= the resolution " + ms_text(sim.resolution_ms));
            on_grid(cx, *en, tv.sub("energy_bin"), rec.energy_bin_ms, sim.resolution_ms);
        }
    }
    if (const toml::node* in = tv.get("inference")) {  // model time of one inference, for the energy report
        rec.inference_ms = quantity_of(cx, *in, tv.sub("inference"), dimension::time);
        if (!(rec.inference_ms > 0)) invalid(cx, *in, tv.sub("inference"), "must be > 0 ms: the model time one inference takes");
        on_grid(cx, *in, tv.sub("inference"), rec.inference_ms, sim.resolution_ms);
    }
    if (const toml::node* fn = tv.get("flush_interval")) {
        rec.flush_interval_ms = quantity_of(cx, *fn, tv.sub("flush_interval"), dimension::time);
        if (!(rec.flush_interval_ms > 0)) invalid(cx, *fn, tv.sub("flush_interval"), "must be > 0 ms");
    }

    // [[recording.weights]]: snapshots of a projection's weights (initial, every interval, final).
    if (const toml::node* wn = tv.get("weights")) {
        const auto* warr = wn->as_array();
        if (warr == nullptr) wrong_type(cx, *wn, tv.sub("weights"), "an array of tables ([[recording.weights]] entries)");
        std::vector<std::string> names;
        for (const auto& p : projections) names.push_back(p.name);
        for (std::size_t i = 0; i < warr->size(); ++i) {
            const std::string key = tv.sub("weights") + "[" + std::to_string(i) + "]";
            const toml::node& e = *warr->get(i);
            if (!e.is_table()) wrong_type(cx, e, key, "a table ([[recording.weights]] entry)");
            const table_view xv{cx, *e.as_table(), key, &e};
            xv.only({"projection", "interval"});
            weights_spec ws;
            ws.where = where_of(cx, &e, key);
            const toml::node& pn = xv.required("projection", "the name of a projection: " + list_or_none(names));
            ws.projection = string_of(cx, pn, xv.sub("projection"));
            if (std::find(names.begin(), names.end(), ws.projection) == names.end())
                fail(cx, &pn, xv.sub("projection"), "no projection named '" + ws.projection + "' (projections: " + list_or_none(names) + ")");
            for (const auto& other : rec.weights)
                if (other.projection == ws.projection) invalid(cx, pn, xv.sub("projection"), "recorded twice");
            if (const toml::node* in = xv.get("interval")) {
                ws.interval_ms = quantity_of(cx, *in, xv.sub("interval"), dimension::time);
                if (ws.interval_ms < sim.resolution_ms)
                    invalid(cx, *in, xv.sub("interval"), "must be >= the resolution " + ms_text(sim.resolution_ms));
                on_grid(cx, *in, xv.sub("interval"), ws.interval_ms, sim.resolution_ms);
            }
            rec.weights.push_back(std::move(ws));
        }
    }

    const toml::node* tn = tv.get("trace");
    if (tn == nullptr) return rec;
    const auto* arr = tn->as_array();
    if (arr == nullptr) wrong_type(cx, *tn, tv.sub("trace"), "an array of tables ([[recording.trace]] entries)");
    for (std::size_t i = 0; i < arr->size(); ++i) {
        const std::string key = tv.sub("trace") + "[" + std::to_string(i) + "]";
        const toml::node& e = *arr->get(i);
        if (!e.is_table()) wrong_type(cx, e, key, "a table ([[recording.trace]] entry)");
        const table_view xv{cx, *e.as_table(), key, &e};
        xv.only({"population", "variables", "neurons", "interval"});
        trace_spec tr;
        tr.where = where_of(cx, &e, key);
        const population_info& pop = population_ref(cx, xv, "population", pops, tr.population);

        std::vector<std::string> vars;
        for (const auto& s : pop.model->state) vars.push_back(s.name);
        const std::string vexp = "an array of state variables of model " + pop.model->name + " (" + list_or_none(vars) + ")";
        if (xv.get("variables") == nullptr) xv.missing("variables", vexp);
        const auto* va = xv.array("variables", vexp);
        if (va->empty()) fail(cx, xv.get("variables"), xv.sub("variables"), "empty: give at least one of " + list_or_none(vars));
        for (std::size_t j = 0; j < va->size(); ++j) {
            const std::string kj = xv.sub("variables") + "[" + std::to_string(j) + "]";
            const std::string v = string_of(cx, *va->get(j), kj, "a state variable name");
            try {
                (void)pop.model->state_index(v);
            } catch (const error& ex) {
                fail(cx, va->get(j), kj, ex.what());
            }
            if (std::find(tr.variables.begin(), tr.variables.end(), v) != tr.variables.end())
                invalid(cx, *va->get(j), kj, "listed twice");
            tr.variables.push_back(v);
        }

        tr.neurons = neuron_list(cx, xv, *pop.spec);
        if (xv.get("neurons") == nullptr)
            for (std::uint64_t k = 0; k < pop.spec->size; ++k) tr.neurons.push_back(k);

        if (const toml::node* in = xv.get("interval")) {
            tr.interval_ms = quantity_of(cx, *in, xv.sub("interval"), dimension::time);
            if (tr.interval_ms < sim.resolution_ms)
                invalid(cx, *in, xv.sub("interval"), "must be >= the resolution " + ms_text(sim.resolution_ms));
            on_grid(cx, *in, xv.sub("interval"), tr.interval_ms, sim.resolution_ms);
        } else {
            tr.interval_ms = 1.0;
            if (tr.interval_ms < sim.resolution_ms || ms_to_ticks_exact(tr.interval_ms, sim.resolution_ms) < 0)
                xv.missing("interval", "the default 1 ms is not a whole number of ticks of the resolution " +
                                           ms_text(sim.resolution_ms));
        }
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
    b.where = where_of(cx, n, "backend");
    const backend_info* info = nullptr;
    if (const auto* k = tv.get("kind")) {
        b.kind = string_of(cx, *k, "backend.kind", "a backend name");
        try {
            info = &cx.models.find_backend(b.kind);
        } catch (const unknown_model& e) {
            fail(cx, k, "backend.kind", e.what());
        }
    } else {
        info = &cx.models.find_backend(b.kind);
    }
    std::vector<std::string> accepted{"kind"};
    for (const auto& p : info->params) accepted.push_back(p.name);
    tv.only(accepted);
    for (auto&& [key, v] : *n->as_table()) {
        const std::string name(key.str());
        if (name == "kind") continue;
        const param_info& pi = *std::find_if(info->params.begin(), info->params.end(), [&](const param_info& x) { return x.name == name; });
        const std::string k = tv.sub(name);
        if (pi.boolean) {
            b.params[name] = bool_of(cx, v, k) ? 1.0 : 0.0;
        } else if (const auto* f = v.as_floating_point(); f && std::isinf(f->get()) && pi.dim == dimension::dimensionless) {
            if (!pi.infinite_ok || f->get() < 0) invalid(cx, v, k, "must be finite");
            b.params[name] = f->get();
        } else {
            b.params[name] = quantity_of(cx, v, k, pi.dim);
        }
    }
    try {
        b.params = info->complete(b.params);
    } catch (const invalid_parameter& e) {
        const toml::node* at = tv.get(e.name);
        fail(cx, at != nullptr ? at : n, tv.sub(e.name), e.what());
    } catch (const error& e) {
        fail(cx, n, "backend", e.what());
    }
    return b;
}

scenario build(const toml::table& root, const context& cx) {
    const table_view top{cx, root, "", &root};
    top.only(root_keys);

    scenario sc;
    sc.simulation = read_simulation(cx, root);

    std::set<std::string> names;
    const auto pop_entries = entries_of(cx, root, "population");
    std::vector<const model_info*> models;
    for (std::size_t i = 0; i < pop_entries.size(); ++i) {
        const model_info* m = nullptr;
        sc.populations.push_back(read_population(cx, *pop_entries[i], i, sc.simulation, names, m));
        models.push_back(m);
    }
    std::vector<population_info> pops;
    for (std::size_t i = 0; i < sc.populations.size(); ++i) pops.push_back({&sc.populations[i], models[i]});

    names.clear();
    const auto proj_entries = entries_of(cx, root, "projection");
    for (std::size_t i = 0; i < proj_entries.size(); ++i)
        sc.projections.push_back(read_projection(cx, *proj_entries[i], i, sc.simulation, pops, names));

    names.clear();
    const auto stim_entries = entries_of(cx, root, "stimulus");
    for (std::size_t i = 0; i < stim_entries.size(); ++i)
        sc.stimuli.push_back(read_stimulus(cx, *stim_entries[i], i, sc.simulation, pops, names));

    names.clear();
    const auto mod_entries = entries_of(cx, root, "modulator");
    for (std::size_t i = 0; i < mod_entries.size(); ++i)
        sc.modulators.push_back(read_modulator(cx, *mod_entries[i], i, sc.simulation, sc.projections, names));

    sc.recording = read_recording(cx, root, sc.simulation, pops, sc.projections);
    sc.backend = read_backend(cx, root);
    return sc;
}

} // namespace

override_entry parse_override(const std::string& text) {
    const std::size_t eq = text.find('=');
    if (eq == std::string::npos)
        throw error("--set " + text + ": expected key=value, such as --set simulation.duration=\"2 s\"");
    override_entry o{text.substr(0, eq), text.substr(eq + 1)};
    auto trim = [](std::string& s) {
        const auto b = s.find_first_not_of(" \t");
        const auto e = s.find_last_not_of(" \t");
        s = b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    };
    trim(o.key);
    trim(o.value);
    if (o.key.empty()) throw error("--set " + text + ": empty key; expected key=value, such as --set population.E.size=800");
    return o;
}

scenario parse_scenario(const std::string& text, const std::string& file, const model_registry& models,
                        const std::vector<override_entry>& overrides) {
    const context cx{file, models};
    toml::table root;
    try {
        root = toml::parse(text, std::string_view(file));
    } catch (const toml::parse_error& e) {
        const auto& src = e.source();
        throw scenario_error(file, static_cast<int>(src.begin.line), static_cast<int>(src.begin.column), "",
                             "TOML syntax error: " + std::string(e.description()));
    }
    for (const auto& o : overrides) apply_override(root, o);
    scenario sc = build(root, cx);
    sc.file = file;
    sc.text = text;
    return sc;
}

scenario load_scenario(const std::string& path, const model_registry& models, const std::vector<override_entry>& overrides) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_error("cannot open scenario file '" + path + "': " + std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw io_error("cannot read scenario file '" + path + "'");
    return parse_scenario(ss.str(), path, models, overrides);
}

} // namespace memspike
