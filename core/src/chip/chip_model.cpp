// SPDX-License-Identifier: MIT
// Chip descriptions (models/chips/*.toml; format in docs/chips.md): read through the same located
// TOML layer as scenarios and energy presets, so a bad file gets "file:line:col: key '...': ..."
// naming the key, the value and what is accepted. Every figure needs a citation: each table
// carries a `source`, and a figure nobody published says so in its source ("a choice: ...").
#include "memspike/core/chip.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "memspike/core/backend.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/model.hpp"
#include "memspike/core/spec.hpp"
#include "../scenario_toml.hpp"

namespace memspike {

const std::vector<std::string>& chip_core_activities() {
    static const std::vector<std::string> a{"synapse",       "soma_update",     "idle_neuron",   "spike_out",
                                            "message_in",    "hop_east_west",   "hop_north_south", "weight_update",
                                            "tick_sync"};
    return a;
}

const chip_activity& chip_model::get(const std::string& name) const {
    static const chip_activity none;
    const auto it = activity.find(name);
    return it == activity.end() ? none : it->second;
}

namespace {

using namespace scenario_toml;

/// The table's `source`: required, not blank.
std::string source_of(const table_view& tv) {
    const toml::node& n = tv.required("source", "a string citing where the figures of this table come from");
    std::string s = string_of(tv.cx, n, tv.sub("source"), "a string citing where the figures come from");
    if (s.find_first_not_of(" \t") == std::string::npos)
        fail(tv.cx, &n, tv.sub("source"), "empty: every figure needs its citation");
    return s;
}

const toml::table& required_table(const table_view& root, std::string_view k, const std::string& what) {
    const toml::table* t = root.table(k, what);
    if (t == nullptr) fail(root.cx, root.at, std::string(k), "missing table [" + std::string(k) + "] (" + what + ")");
    return *t;
}

/// A capacity: a whole number >= 1 (0 would make every network unmappable, or divide by zero).
std::uint64_t capacity(const table_view& tv, std::string_view k, bool required) {
    const toml::node* n = tv.get(k);
    if (n == nullptr) {
        if (required) tv.missing(k, "a whole number >= 1");
        return 0;
    }
    if (!n->is_integer()) wrong_type(tv.cx, *n, tv.sub(k), "a whole number >= 1");
    const std::int64_t v = n->as_integer()->get();
    if (v < 1) invalid(tv.cx, *n, tv.sub(k), "must be >= 1 (leave the key out for no limit)");
    return static_cast<std::uint64_t>(v);
}

/// A non-negative finite quantity of dimension d (NaN and infinities refused too).
double non_negative(const table_view& tv, std::string_view k, dimension d, bool required, const std::string& example) {
    const toml::node* n = tv.get(k);
    if (n == nullptr) {
        if (required) tv.missing(k, a_quantity(d) + " such as \"" + example + "\"");
        return 0.0;
    }
    const double v = quantity_of(tv.cx, *n, tv.sub(k), d);
    if (!std::isfinite(v) || v < 0.0) invalid(tv.cx, *n, tv.sub(k), "must be a finite " + std::string(dimension_name(d)) + " >= 0");
    return v;
}

void read_topology(const table_view& root, chip_model& m) {
    const toml::table& t = required_table(root, "topology", "mesh_width, mesh_height, cores_per_tile, source");
    const table_view tv{root.cx, t, "topology", &t};
    tv.only({"mesh_width", "mesh_height", "cores_per_tile", "source"});
    m.mesh_width = capacity(tv, "mesh_width", true);
    m.mesh_height = capacity(tv, "mesh_height", true);
    m.cores_per_tile = capacity(tv, "cores_per_tile", true);
    m.topology_source = source_of(tv);
}

void read_core(const table_view& root, chip_model& m) {
    const toml::table& t = required_table(root, "core", "per-core capacities: neurons, axons, fan_in, ... and source");
    const table_view tv{root.cx, t, "core", &t};
    tv.only({"neurons", "axons", "fan_in", "synapses", "fan_out_cores", "weight_types", "weight_bits", "split_fan_in", "source"});
    m.neurons_per_core = capacity(tv, "neurons", true);
    m.axons_per_core = capacity(tv, "axons", false);
    m.fan_in = capacity(tv, "fan_in", false);
    m.synapses_per_core = capacity(tv, "synapses", false);
    m.fan_out_cores = capacity(tv, "fan_out_cores", false);
    m.weight_types = capacity(tv, "weight_types", false);
    m.weight_bits = capacity(tv, "weight_bits", false);
    if (auto b = tv.boolean("split_fan_in")) m.split_fan_in = *b;
    m.capacity_source = source_of(tv);
}

void read_tick(const table_view& root, chip_model& m) {
    const toml::table* t = root.table("tick", "a table [tick] (step, source)");
    if (t == nullptr) return;
    const table_view tv{root.cx, *t, "tick", t};
    tv.only({"step", "source"});
    m.tick_ms = non_negative(tv, "step", dimension::time, true, "1 ms");
    if (!(m.tick_ms > 0.0)) invalid(root.cx, *tv.get("step"), tv.sub("step"), "must be > 0 ms (leave [tick] out for no fixed step)");
    m.tick_source = source_of(tv);
}

/// The backend parameter `name` of chip m's backend, or null.
const param_info* backend_param(const context& cx, const chip_model& m, const std::string& name) {
    const auto& params = cx.models.find_backend(m.backend).params;
    const auto it = std::find_if(params.begin(), params.end(), [&](const param_info& p) { return p.name == name; });
    return it == params.end() ? nullptr : &*it;
}

/// `scale = { "t_read" = 1, "g_min+g_max" = 1 }`: each key a sum of backend parameters named in
/// [chip] assumes (their reference values) and numbers, each value the exponent.
std::vector<chip_scaling> read_scaling(const table_view& tv, std::string_view k, const chip_model& m) {
    std::vector<chip_scaling> out;
    const toml::table* t = tv.table(k, "a table { <backend parameter or sum> = <exponent> }, such as { v_read = 2, t_read = 1 }");
    if (t == nullptr) return out;
    for (auto&& [name, v] : *t) {
        chip_scaling sc;
        sc.key = std::string(name.str());
        const std::string key = dotted(tv.sub(k), sc.key);
        sc.exponent = number_of(tv.cx, v, key);
        if (!std::isfinite(sc.exponent)) invalid(tv.cx, v, key, "the exponent must be finite");
        std::stringstream terms(sc.key);
        for (std::string term; std::getline(terms, term, '+');) {
            char* end = nullptr;
            const double c = std::strtod(term.c_str(), &end);
            if (!term.empty() && end == term.c_str() + term.size()) {
                sc.constant += c;
                continue;
            }
            if (backend_param(tv.cx, m, term) == nullptr)
                fail(tv.cx, &v, key, "'" + term + "' is not a parameter of the " + m.backend + " backend (a sum of its parameters and numbers, such as \"g_min+g_max\")");
            if (m.assumes.count(term) == 0)
                fail(tv.cx, &v, key, "needs chip.assumes." + term + " (the value the figure was derived at)");
            sc.params.push_back(term);
        }
        out.push_back(sc);
    }
    return out;
}

/// energy_by_<param> = { 4 = "0.811 pJ", ... }: the energy at each value of a backend parameter.
void read_energy_by(const table_view& tv, chip_activity& a) {
    for (auto&& [k, v] : tv.t) {
        const std::string key(k.str());
        if (!key.starts_with("energy_by_")) continue;
        if (!a.by_param.empty()) fail(tv.cx, &v, tv.sub(key), "only one energy_by_<parameter> table per activity");
        a.by_param = key.substr(std::string_view("energy_by_").size());
        const toml::table* t = tv.table(key, "a table { <parameter value> = \"... pJ\" }, such as { 8 = \"1.691 pJ\" }");
        if (t->empty()) fail(tv.cx, &v, tv.sub(key), "empty: list the energy at each value of " + a.by_param);
        for (auto&& [x, e] : *t) {
            const std::string sub = dotted(tv.sub(key), x.str());
            char* end = nullptr;
            const std::string xs(x.str());
            const double value = std::strtod(xs.c_str(), &end);
            if (xs.empty() || end != xs.c_str() + xs.size()) fail(tv.cx, &e, sub, "the key must be a number (a value of " + a.by_param + ")");
            const double pj = quantity_of(tv.cx, e, sub, dimension::energy);
            if (!std::isfinite(pj) || pj < 0.0) invalid(tv.cx, e, sub, "must be a finite energy >= 0");
            a.energy_by.emplace_back(value, pj);
        }
    }
    std::sort(a.energy_by.begin(), a.energy_by.end());  // TOML orders keys as text ("10" < "4")
}

/// [activity.<name>]: the chip's activities and, when it names a backend, that backend's counters.
void read_activities(const table_view& root, chip_model& m) {
    const toml::table* t = root.table("activity", "a table of [activity.<name>] entries");
    if (t == nullptr) fail(root.cx, root.at, "activity", "missing [activity.<name>] tables (energy and latency per activity)");
    std::vector<std::string> accepted = chip_core_activities();
    if (!m.backend.empty())
        for (const auto& c : root.cx.models.find_backend(m.backend).counters) accepted.push_back(c.name);
    for (auto&& [k, v] : *t) {
        const std::string name(k.str()), key = "activity." + name;
        if (std::find(accepted.begin(), accepted.end(), name) == accepted.end())
            fail(root.cx, &v, key, "unknown activity (accepted: " + join_names(accepted) + ")");
        if (!v.is_table()) wrong_type(root.cx, v, key, "a table { energy = \"... pJ\", latency = \"... ns\", source = \"...\" }");
        const table_view tv{root.cx, *v.as_table(), key, &v};
        std::vector<std::string> keys{"energy", "latency", "source"};
        if (!m.backend.empty()) {
            keys.insert(keys.end(), {"scale", "latency_scale"});
            for (const auto& p : root.cx.models.find_backend(m.backend).params) keys.push_back("energy_by_" + p.name);
        }
        tv.only(keys);
        chip_activity a;
        a.pj = non_negative(tv, "energy", dimension::energy, true, "23.6 pJ");
        a.ns = non_negative(tv, "latency", dimension::time, true, "3.5 ns") * 1e6;  // ms -> ns
        a.source = source_of(tv);
        a.given = true;
        a.energy_scale = read_scaling(tv, "scale", m);
        a.latency_scale = read_scaling(tv, "latency_scale", m);
        read_energy_by(tv, a);
        m.activity[name] = a;
    }
}

void read_static(const table_view& root, chip_model& m) {
    const toml::table* t = root.table("static", "a table of [static.core], [static.tile], [static.chip]");
    if (t == nullptr) fail(root.cx, root.at, "static", "missing [static.core|tile|chip] tables (leakage power, 0 mW with a source saying why)");
    const table_view st{root.cx, *t, "static", t};
    st.only({"core", "tile", "chip"});
    for (const char* unit : {"core", "tile", "chip"}) {
        const toml::table* u = st.table(unit, "a table { power = \"... mW\", source = \"...\" }");
        if (u == nullptr) st.missing(unit, "a table { power = \"... mW\", source = \"...\" } (0 mW with a source saying why)");
        const table_view tv{root.cx, *u, st.sub(unit), u};
        tv.only(m.backend.empty() ? std::vector<std::string>{"power", "source"} : std::vector<std::string>{"power", "source", "scale"});
        chip_static s;
        s.mw = non_negative(tv, "power", dimension::power, true, "0.2 mW") * 1e3;  // W -> mW
        s.source = source_of(tv);
        s.scale = read_scaling(tv, "scale", m);
        (std::string(unit) == "core" ? m.static_core : std::string(unit) == "tile" ? m.static_tile : m.static_chip) = s;
    }
}

std::optional<std::string> file_text(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

chip_model parse_chip_model(const std::string& text, const std::string& file, const model_registry& registry) {
    std::map<std::string, source_location> locations;
    const context cx{file, registry, locations};
    const toml::table doc = parse_document(text, file);
    const table_view root{cx, doc, "", &doc};
    root.only({"chip", "topology", "core", "tick", "activity", "static"});
    chip_model m;
    m.file = file;
    m.text = text;
    const toml::table& ct = required_table(root, "chip", "name, description, optional backend");
    const table_view chip{cx, ct, "chip", &ct};
    chip.only({"name", "description", "backend", "assumes"});
    m.name = string_of(cx, chip.required("name", "a string"), chip.sub("name"));
    m.description = string_of(cx, chip.required("description", "a string"), chip.sub("description"));
    if (auto b = chip.string("backend")) {
        if (!registry.contains_backend(*b)) {
            // Typed, as energy presets do, so that pricing a run on every shipped chip can leave
            // this one out (no run of this registry uses that backend); the reason is the located message.
            const location at = locate(cx, chip.get("backend"));
            const scenario_error located(at.file, at.line, at.column, chip.sub("backend"),
                                         "unknown backend '" + *b + "' (accepted: " + join_names(registry.backend_names()) + ")");
            throw backend_unavailable(*b, static_cast<const std::runtime_error&>(located).what());
        }
        m.backend = *b;
    }
    if (const toml::node* an = chip.get("assumes")) {
        if (m.backend.empty()) fail(cx, an, chip.sub("assumes"), "needs chip.backend (the backend whose parameters it names)");
        const toml::table* at = chip.table("assumes", "a table of backend parameters, such as { v_read = \"0.2 V\" }");
        for (auto&& [k, v] : *at) {
            const std::string name(k.str()), key = dotted(chip.sub("assumes"), name);
            if (const auto* str = v.as_string()) m.assumes[name] = str->get();
            else if (v.is_integer() || v.is_floating_point()) m.assumes[name] = format_quantity(number_of(cx, v, key), dimension::dimensionless);
            else wrong_type(cx, v, key, "a number or a quantity with its unit, such as \"0.2 V\"");
        }
    }
    read_topology(root, m);
    read_core(root, m);
    read_tick(root, m);
    read_activities(root, m);
    read_static(root, m);
    return m;
}

namespace {

/// The backend parameters that some figure of `chip` is priced at (scaled or tabled).
std::set<std::string> priced_params(const chip_model& chip) {
    std::set<std::string> out;
    auto add = [&](const std::vector<chip_scaling>& v) {
        for (const auto& sc : v) out.insert(sc.params.begin(), sc.params.end());
    };
    for (const auto& [name, a] : chip.activity) {
        add(a.energy_scale);
        add(a.latency_scale);
        if (!a.by_param.empty()) out.insert(a.by_param);
    }
    for (const chip_static* st : {&chip.static_core, &chip.static_tile, &chip.static_chip}) add(st->scale);
    return out;
}

/// A backend parameter's value in the run (its default when the scenario leaves it out) and the
/// value the chip assumes ([chip] assumes text in the parameter's unit).
struct param_values {
    const param_info* info = nullptr;
    double run = 0.0, assumed = 0.0;
};

param_values values_of(const chip_model& chip, const backend_spec& b, const backend_info& info, const std::string& name) {
    param_values v;
    const auto pi = std::find_if(info.params.begin(), info.params.end(), [&](const param_info& p) { return p.name == name; });
    if (pi == info.params.end()) return v;
    v.info = &*pi;
    const auto it = b.params.find(name);
    v.run = it != b.params.end() ? it->second : pi->default_value;
    if (const auto a = chip.assumes.find(name); a != chip.assumes.end()) {
        try {
            v.assumed = pi->dim == dimension::dimensionless ? std::stod(a->second) : parse_quantity(a->second, pi->dim);
        } catch (const std::exception&) {
            v.info = nullptr;  // reported by energy_model_mismatches' check of the text
        }
    }
    return v;
}

/// Product of (x_run / x_assumed)^exponent over `scales`; NaN (and a line in `why`) when a sum is
/// not positive. `how` collects "key ^e" terms for the figure's source.
double factor_of(const std::vector<chip_scaling>& scales, const chip_model& chip, const backend_spec& b, const backend_info& info,
                 const std::string& what, std::vector<std::string>& why, std::string& how) {
    double f = 1.0;
    for (const auto& sc : scales) {
        double run = sc.constant, assumed = sc.constant;
        std::string values;
        for (const auto& p : sc.params) {
            const param_values v = values_of(chip, b, info, p);
            if (v.info == nullptr) return std::numeric_limits<double>::quiet_NaN();
            run += v.run;
            assumed += v.assumed;
            values += (values.empty() ? "" : ", ") + p + " = " + format_quantity(v.run, v.info->dim);
        }
        if (!(run > 0.0) || !(assumed > 0.0) || !std::isfinite(run)) {
            why.push_back(what + ": " + sc.key + " is " + format_quantity(run, dimension::dimensionless) + " in the run (" + values +
                          "), the figure scales with it and needs it finite and > 0");
            return std::numeric_limits<double>::quiet_NaN();
        }
        const double x = std::pow(run / assumed, sc.exponent);
        f *= x;
        const std::string what_x = sc.params.size() == 1 && sc.constant == 0.0 ? values : sc.key + ": " + values;
        if (x != 1.0) how += (how.empty() ? "" : " x ") + std::string("(") + what_x + ")^" + format_quantity(sc.exponent, dimension::dimensionless);
    }
    return f;
}

} // namespace

chip_model chip_at_run(const chip_model& chip, const backend_spec& b, const model_registry& registry, std::vector<std::string>& why) {
    chip_model out = chip;
    if (chip.backend.empty() || b.kind != chip.backend || !registry.contains_backend(b.kind)) return out;
    const backend_info& info = registry.find_backend(b.kind);
    auto note = [](std::string& source, double f, const std::string& how) {
        if (f != 1.0) source += " [x " + format_quantity(f, dimension::dimensionless) + " at the run's parameters: " + how + "]";
    };
    for (auto& [name, a] : out.activity) {
        if (!a.by_param.empty()) {
            const param_values v = values_of(chip, b, info, a.by_param);
            const auto hit = std::find_if(a.energy_by.begin(), a.energy_by.end(), [&](const auto& e) {
                return std::abs(e.first - v.run) <= 1e-9 * std::max(1.0, std::abs(e.first));
            });
            if (hit == a.energy_by.end()) {
                std::string listed;
                for (const auto& e : a.energy_by) listed += (listed.empty() ? "" : ", ") + format_quantity(e.first, dimension::dimensionless);
                why.push_back(a.by_param + ": the run has " + (v.info ? format_quantity(v.run, v.info->dim) : std::string("?")) + "; activity." + name +
                              " has a cited energy only at " + listed);
                continue;
            }
            if (hit->second != a.pj) a.source += " [" + format_quantity(hit->second, dimension::dimensionless) + " pJ at the run's " + a.by_param + " = " +
                                                 format_quantity(hit->first, dimension::dimensionless) + "]";
            a.pj = hit->second;
        }
        std::string how;
        const double fe = factor_of(a.energy_scale, chip, b, info, "activity." + name, why, how);
        a.pj *= fe;
        note(a.source, fe, how);
        how.clear();
        const double fl = factor_of(a.latency_scale, chip, b, info, "activity." + name + " latency", why, how);
        a.ns *= fl;
        if (fl != 1.0) a.source += " [latency x " + format_quantity(fl, dimension::dimensionless) + ": " + how + "]";
    }
    for (chip_static* st : {&out.static_core, &out.static_tile, &out.static_chip}) {
        std::string how;
        const double f = factor_of(st->scale, chip, b, info, "static power", why, how);
        st->mw *= f;
        note(st->source, f, how);
    }
    return out;
}

std::vector<std::string> chip_mismatches(const chip_model& chip, const backend_spec& b, const model_registry& registry) {
    if (chip.backend.empty()) return {};
    // The energy presets' check, on a model that carries only the backend and the assumptions
    // that no figure is priced at: those must match the run exactly.
    energy_model as_model;
    as_model.backend = chip.backend;
    const std::set<std::string> priced = priced_params(chip);
    for (const auto& [name, text] : chip.assumes)
        if (priced.count(name) == 0) as_model.assumes[name] = text;
    if (!registry.contains_backend(b.kind)) return {"the run used the " + b.kind + " backend, which this build does not have"};
    std::vector<std::string> why = energy_model_mismatches(as_model, b, registry.find_backend(b.kind));
    if (why.empty()) chip_at_run(chip, b, registry, why);
    return why;
}

chip_model load_chip_model(const std::string& path, const model_registry& registry) {
    const auto text = file_text(path);
    if (!text) throw io_error("cannot open chip description '" + path + "'");
    return parse_chip_model(*text, path, registry);
}

std::string chip_preset_dir() {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (const char* env = std::getenv("MEMSPIKE_CHIP_DIR"); env != nullptr && env[0] != '\0') {
        if (fs::is_directory(env, ec)) return env;
        throw io_error("MEMSPIKE_CHIP_DIR='" + std::string(env) + "' is not a directory (it should hold chip descriptions, *.toml)");
    }
    // Installed and source trees keep chips/ beside energy/ (share/memspike/, models/).
    const fs::path dir = (fs::path(energy_preset_dir()) / ".." / "chips").lexically_normal();
    if (!fs::is_directory(dir, ec))
        throw io_error("no chip description directory: " + dir.string() + " (beside the energy presets); set MEMSPIKE_CHIP_DIR");
    return dir.string();
}

std::vector<std::string> builtin_chip_models() { return preset_names_in(chip_preset_dir()); }

chip_model find_chip_model(const std::string& name_or_path, const model_registry& registry) {
    if (name_or_path.find('/') != std::string::npos || name_or_path.ends_with(".toml")) return load_chip_model(name_or_path, registry);
    const auto names = builtin_chip_models();
    if (std::find(names.begin(), names.end(), name_or_path) == names.end()) throw unknown_model("chip", name_or_path, names);
    return load_chip_model(chip_preset_dir() + "/" + name_or_path + ".toml", registry);
}

} // namespace memspike
