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
        tv.only({"energy", "latency", "source"});
        chip_activity a;
        a.pj = non_negative(tv, "energy", dimension::energy, true, "23.6 pJ");
        a.ns = non_negative(tv, "latency", dimension::time, true, "3.5 ns") * 1e6;  // ms -> ns
        a.source = source_of(tv);
        a.given = true;
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
        tv.only({"power", "source"});
        chip_static s;
        s.mw = non_negative(tv, "power", dimension::power, true, "0.2 mW") * 1e3;  // W -> mW
        s.source = source_of(tv);
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
        if (!registry.contains_backend(*b))
            fail(cx, chip.get("backend"), chip.sub("backend"), "unknown backend '" + *b + "' (accepted: " + join_names(registry.backend_names()) + ")");
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

std::vector<std::string> chip_mismatches(const chip_model& chip, const backend_spec& b, const model_registry& registry) {
    if (chip.backend.empty()) return {};
    // The energy presets' check, on a model that carries only the backend and its assumptions.
    energy_model as_model;
    as_model.backend = chip.backend;
    as_model.assumes = chip.assumes;
    if (!registry.contains_backend(b.kind)) return {"the run used the " + b.kind + " backend, which this build does not have"};
    return energy_model_mismatches(as_model, b, registry.find_backend(b.kind));
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
