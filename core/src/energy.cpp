// SPDX-License-Identifier: MIT
// Energy models (presets) and the costing of the ledger. Format: docs/energy.md.
#include "memspike/core/energy.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "memspike/core/backend.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/units.hpp"
#include "energy_event_driven.hpp"
#include "scenario_toml.hpp"

namespace memspike {

const std::vector<counter_info>& engine_counters() {
    static const std::vector<counter_info> c{
        {"spikes", "events", "spikes emitted by neurons and sources"},
        {"synaptic_events", "events", "synaptic events delivered through synapses"},
        {"stimulus_events", "events", "events injected by Poisson stimuli"},
        {"neuron_updates", "events", "neuron-ticks in which a neuron received input and was updated"},
        {"trace_updates", "events", "plasticity trace increments"},
        {"weight_updates", "events", "plastic weight changes"},
    };
    return c;
}

namespace {
std::vector<std::string> engine_counter_names() {
    std::vector<std::string> out;
    for (const auto& c : engine_counters()) out.push_back(c.name);
    return out;
}
} // namespace

event_counts::event_counts() : names_(engine_counter_names()), n_(names_.size(), 0) {}

event_counts::event_counts(std::vector<std::string> names) : names_(std::move(names)), n_(names_.size(), 0) {
    const auto& engine = engine_counters();
    for (std::size_t k = 0; k < engine.size(); ++k)
        if (k >= names_.size() || names_[k] != engine[k].name)
            throw io_error("ledger categories must start with the engine's (" + join_names(engine_counter_names()) + "); got " +
                           join_names(names_));
}

std::size_t event_counts::index_of(std::string_view name) const {
    for (std::size_t k = 0; k < names_.size(); ++k)
        if (names_[k] == name) return k;
    throw unknown_model("ledger category", std::string(name), names_);
}
std::uint64_t& event_counts::at(std::string_view name) { return n_[index_of(name)]; }
std::uint64_t event_counts::at(std::string_view name) const { return n_[index_of(name)]; }
bool event_counts::has(std::string_view name) const { return std::find(names_.begin(), names_.end(), name) != names_.end(); }

std::vector<std::string> event_model_categories(const model_registry& registry, const std::string& backend) {
    std::vector<std::string> out = engine_counter_names();
    out.push_back("idle_neuron_ticks");
    if (!backend.empty())
        for (const auto& c : registry.find_backend(backend).counters) out.push_back(c.name);
    return out;
}

const std::vector<std::string>& dense_model_categories() {
    static const std::vector<std::string> c{"mac", "sram_byte", "dram_byte"};
    return c;
}

namespace {

using namespace scenario_toml;

/// How many presets may stand on each other through model.base before it is taken for a cycle.
constexpr int max_base_depth = 4;

std::optional<std::string> file_text(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

energy_model parse_energy_model_at(const std::string& text, const std::string& file, const model_registry& registry, int depth);

/// A required string key of a preset table.
std::string required_string(const table_view& tv, std::string_view k, const std::string& what) {
    return string_of(tv.cx, tv.required(k, what), tv.sub(k), what);
}

/// model.base: the preset this one starts from. Its figures and sources are read first, so that
/// this file's keys change them; its text is kept after this one's, for provenance.
energy_model read_base(const table_view& model, const std::string& text, int depth) {
    const toml::node* bn = model.get("base");
    energy_model m;
    if (bn == nullptr) {
        m.text = text;
        return m;
    }
    if (depth >= max_base_depth)
        fail(model.cx, bn, model.sub("base"),
             "presets based on presets more than " + std::to_string(max_base_depth) + " deep (a cycle?)");
    const std::string base = string_of(model.cx, *bn, model.sub("base"), "the name or path of a preset");
    const std::string path = base.find('/') != std::string::npos || base.ends_with(".toml")
                                 ? base : energy_preset_dir() + "/" + base + ".toml";
    const auto base_text = file_text(path);
    if (!base_text) fail(model.cx, bn, model.sub("base"), "no energy model '" + base + "' (" + path + ")");
    m = parse_energy_model_at(*base_text, path, model.cx.models, depth + 1);
    m.text = text + "\n# ---- base preset " + path + " ----\n" + m.text;
    return m;
}

/// model.assumes: the backend parameters the figures were derived at, as written (checked
/// against a run by energy_model_mismatches).
void read_assumes(const table_view& model, energy_model& m) {
    const toml::node* an = model.get("assumes");
    if (an == nullptr) return;
    if (m.backend.empty()) fail(model.cx, an, model.sub("assumes"), "needs model.backend (the backend whose parameters it names)");
    const toml::table* at = model.table("assumes", "a table of backend parameters, such as { v_read = \"0.2 V\" }");
    for (auto&& [k, v] : *at) {
        const std::string name(k.str()), key = dotted(model.sub("assumes"), name);
        if (const auto* s = v.as_string()) m.assumes[name] = s->get();
        else if (v.is_integer() || v.is_floating_point())
            m.assumes[name] = format_quantity(number_of(model.cx, v, key), dimension::dimensionless);
        else wrong_type(model.cx, v, key, "a number or a quantity with its unit, such as \"0.2 V\"");
    }
}

/// The [model] table over the base preset, if any: name, kind, description, backend, assumes.
energy_model read_model(const table_view& model, const std::string& text, int depth) {
    model.only({"name", "kind", "description", "backend", "assumes", "base"});
    energy_model m = read_base(model, text, depth);
    m.file = model.cx.file;
    m.name = required_string(model, "name", "a string");
    // A preset with a base may keep the base's kind; any other must say its own.
    if (model.get("base") == nullptr || model.get("kind") != nullptr) {
        m.kind = required_string(model, "kind", "\"event\", \"dense\" or \"event_driven\"");
        if (m.kind != "event" && m.kind != "dense" && m.kind != "event_driven")
            invalid(model.cx, *model.get("kind"), model.sub("kind"), "must be \"event\", \"dense\" or \"event_driven\"");
    }
    m.description = required_string(model, "description", "a string");
    if (auto b = model.string("backend")) m.backend = *b;
    read_assumes(model, m);
    if (!m.backend.empty() && !model.cx.models.contains_backend(m.backend)) {
        // Typed, so that pricing a run against every shipped preset can leave this one out: no
        // run of this registry can use that backend. The reason is the located message.
        const location at = locate(model.cx, model.get("backend"));
        const scenario_error located(at.file, at.line, at.column, model.sub("backend"),
                                     "unknown backend '" + m.backend + "' (accepted: " + join_names(model.cx.models.backend_names()) + ")");
        throw backend_unavailable(m.backend, static_cast<const std::runtime_error&>(located).what());  // the whole message
    }
    return m;
}

/// One [cost.<category>] entry: an energy and the citation it comes from.
cost_entry read_cost(const context& cx, const toml::node& n, const std::string& key) {
    if (!n.is_table()) wrong_type(cx, n, key, "a table { energy = \"... pJ\", source = \"...\" }");
    const table_view entry{cx, *n.as_table(), key, &n};
    entry.only({"energy", "source"});
    cost_entry c;
    const toml::node& en = entry.required("energy", "an energy such as \"23.6 pJ\"");
    c.pj = quantity_of(cx, en, entry.sub("energy"), dimension::energy);
    if (!(c.pj >= 0.0)) invalid(cx, en, entry.sub("energy"), "must be >= 0 pJ");
    c.source = required_string(entry, "source", "a string citing where the figure comes from");
    if (c.source.find_first_not_of(" \t") == std::string::npos)
        fail(cx, entry.get("source"), entry.sub("source"), "empty: every number needs its citation");
    return c;
}

/// The [cost.<category>] entries, each a category the model's kind prices. A preset with a base
/// may have none (it changes other figures only).
void read_costs(const table_view& root, bool based, energy_model& m) {
    // An event model prices the engine's counters and, when it names its backend, that backend's.
    const auto accepted = m.kind == "event"          ? event_model_categories(root.cx.models, m.backend)
                          : m.kind == "event_driven" ? event_driven_model_categories()
                                                     : dense_model_categories();
    // A base of another kind (an event_driven preset built on a dense one's figures) may bring
    // categories this kind does not price.
    for (const auto& [cat, cost] : m.costs)
        if (std::find(accepted.begin(), accepted.end(), cat) == accepted.end())
            fail(root.cx, root.at, "cost." + cat,
                 "the base preset prices '" + cat + "', which a " + m.kind + " model does not (accepted: " + join_names(accepted) + ")");
    const toml::table* ct = root.table("cost", "a table of [cost.<category>] entries");
    if (ct == nullptr) {
        if (based) return;
        fail(root.cx, root.at, "cost", "missing table [cost.<category>] entries (accepted: " + join_names(accepted) + ")");
    }
    for (auto&& [k, v] : *ct) {
        const std::string cat(k.str()), key = root.sub("cost") + "." + cat;
        if (std::find(accepted.begin(), accepted.end(), cat) == accepted.end())
            fail(root.cx, &v, key, "unknown category for a " + m.kind + " model (accepted: " + join_names(accepted) + ")");
        m.costs[cat] = read_cost(root.cx, v, key);
    }
}

/// The [dense] table of a dense model: storage format, bytes, SRAM capacity, batch, idle power.
void read_dense(const table_view& root, energy_model& m) {
    const toml::table* dt = root.table("dense", "a table [dense]");
    if (dt == nullptr) return;
    const table_view dense{root.cx, *dt, "dense", dt};
    if (m.kind != "dense") fail(root.cx, dt, "dense", "only dense models have a [dense] table");
    dense.only({"bytes_per_weight", "state_bytes_per_neuron", "sram_capacity_bytes", "batch", "idle_power", "format", "index_bytes"});
    if (const toml::node* n = dense.get("format")) {
        m.format = string_of(root.cx, *n, dense.sub("format"), "\"dense\" or \"csr\"");
        if (m.format != "dense" && m.format != "csr") invalid(root.cx, *n, dense.sub("format"), "must be \"dense\" or \"csr\"");
    }
    const auto non_negative = [&](std::string_view k, double& out) {
        if (const toml::node* n = dense.get(k)) {
            out = number_of(root.cx, *n, dense.sub(k));
            if (!(out >= 0.0)) invalid(root.cx, *n, dense.sub(k), "must be >= 0");
        }
    };
    non_negative("bytes_per_weight", m.bytes_per_weight);
    non_negative("state_bytes_per_neuron", m.state_bytes_per_neuron);
    non_negative("sram_capacity_bytes", m.sram_capacity_bytes);
    non_negative("batch", m.batch);
    non_negative("index_bytes", m.index_bytes);
    if (const toml::node* n = dense.get("sram_capacity_bytes"); n != nullptr && !(m.sram_capacity_bytes > 0.0))
        invalid(root.cx, *n, dense.sub("sram_capacity_bytes"), "must be > 0 bytes");
    if (const toml::node* n = dense.get("batch"); n != nullptr && !(m.batch >= 1.0))
        invalid(root.cx, *n, dense.sub("batch"), "must be >= 1");
    if (auto w = dense.quantity("idle_power", dimension::power)) {
        m.idle_power_w = *w;
        if (!(m.idle_power_w >= 0.0)) invalid(root.cx, *dense.get("idle_power"), dense.sub("idle_power"), "must be >= 0 W");
    }
}

energy_model parse_energy_model_at(const std::string& text, const std::string& file, const model_registry& registry, int depth) {
    std::map<std::string, source_location> locations;  // the layer records where values are; presets do not need it
    const context cx{file, registry, locations};
    const toml::table doc = parse_document(text, file);
    const table_view root{cx, doc, "", &doc};
    root.only({"model", "cost", "dense", "event_driven"});
    const toml::table* mt = root.table("model", "a table [model] (name, kind, description)");
    if (mt == nullptr) fail(cx, &doc, "model", "missing table [model] (name, kind, description)");
    const bool based = mt->get("base") != nullptr;
    energy_model m = read_model(table_view{cx, *mt, "model", mt}, text, depth);
    read_costs(root, based, m);
    read_dense(root, m);
    detail::read_event_driven(root, m);
    if (m.kind == "dense")
        for (const auto& c : dense_model_categories())
            if (!m.costs.count(c)) fail(cx, root.get("cost"), "cost." + c, "missing: a dense model prices mac, sram_byte and dram_byte");
    if (m.kind == "event_driven")
        for (const auto& c : event_driven_model_categories())
            if (!m.costs.count(c))
                fail(cx, root.get("cost"), "cost." + c, "missing: an event_driven model prices add, mac, sram_byte and dram_byte");
    return m;
}

} // namespace

energy_model parse_energy_model(const std::string& text, const std::string& file, const model_registry& registry) {
    return parse_energy_model_at(text, file, registry, 0);
}

energy_model load_energy_model(const std::string& path, const model_registry& registry) {
    const auto text = file_text(path);
    if (!text) throw io_error("cannot open energy model '" + path + "'");
    return parse_energy_model(*text, path, registry);
}

std::vector<std::string> preset_names_in(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".toml") names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<std::string> builtin_energy_models() { return preset_names_in(energy_preset_dir()); }

energy_model find_energy_model(const std::string& name_or_path, const model_registry& registry) {
    if (name_or_path.find('/') != std::string::npos || name_or_path.ends_with(".toml")) return load_energy_model(name_or_path, registry);
    const auto names = builtin_energy_models();
    if (std::find(names.begin(), names.end(), name_or_path) == names.end())
        throw unknown_model("energy model", name_or_path, names);
    return load_energy_model(energy_preset_dir() + "/" + name_or_path + ".toml", registry);
}

energy_estimate estimate_energy(const energy_model& m, const event_counts& counts, const dense_profile& d, tick_t ticks,
                                double resolution_ms) {
    energy_estimate r;
    r.model = m.name;
    r.kind = m.kind;
    auto add = [&](const std::string& cat, double count, bool memory) {
        const auto it = m.costs.find(cat);
        if (it == m.costs.end()) return;
        energy_line l{cat, count, it->second.pj, count * it->second.pj, memory, it->second.source};
        (memory ? r.memory_pj : r.compute_pj) += l.total_pj;
        r.lines.push_back(std::move(l));
    };
    const double t = static_cast<double>(ticks);
    if (m.kind == "event") {
        for (std::size_t k = 0; k < counts.size(); ++k) add(counts.names()[k], static_cast<double>(counts.values()[k]), false);
        const double neuron_ticks = static_cast<double>(d.neurons) * t;
        add("idle_neuron_ticks", std::max(0.0, neuron_ticks - static_cast<double>(counts[event_kind::neuron_updates])), false);
    } else if (m.kind == "event_driven") {
        detail::estimate_event_driven(m, counts, d, ticks, r);
        r.total_pj = r.compute_pj + r.memory_pj + r.idle_pj;
        return r;
    } else {
        // Dense: every matrix entry. CSR: the synapses, each with its column index, plus a row
        // pointer per neuron.
        const bool csr = m.format == "csr";
        const double weights = static_cast<double>(csr ? d.synapses : d.dense_weights);
        add("mac", weights * t, false);
        const double footprint = csr ? weights * (m.bytes_per_weight + m.index_bytes) + static_cast<double>(d.neurons + 1) * m.index_bytes
                                     : weights * m.bytes_per_weight;
        const bool in_sram = footprint <= m.sram_capacity_bytes;
        const double weight_bytes = footprint * t / m.batch;
        const std::string level = in_sram ? "sram_byte" : "dram_byte";
        add(level, weight_bytes, true);
        r.lines.back().category = "weight bytes (" + std::string(in_sram ? "SRAM" : "DRAM/HBM") + ")";
        add("sram_byte", static_cast<double>(d.neurons) * m.state_bytes_per_neuron * 2.0 * t, true);
        r.lines.back().category = "state bytes (read + write, SRAM)";
    }
    r.idle_pj = m.idle_power_w * t * resolution_ms * 1e-3 * 1e12;
    r.total_pj = r.compute_pj + r.memory_pj + r.idle_pj;
    return r;
}

const energy_estimate* choose_baseline(const std::vector<energy_estimate>& estimates, const std::string& name) {
    const energy_estimate* best = nullptr;
    for (const auto& e : estimates) {
        if (!name.empty()) {
            if (e.model == name) return &e;
        } else if (conventional_kind(e.kind) && (best == nullptr || e.total_pj < best->total_pj)) {
            best = &e;  // the first of equal totals: the order the models were listed in
        }
    }
    return best;
}

double energy_per_inference_pj(double total_pj, tick_t ticks, double resolution_ms, double inference_ms) {
    const double simulated_ms = static_cast<double>(ticks) * resolution_ms;
    if (!(inference_ms > 0.0) || !(simulated_ms > 0.0)) return 0.0;
    return total_pj * inference_ms / simulated_ms;  // total / (simulated time / inference)
}

std::vector<std::string> energy_model_mismatches(const energy_model& m, const backend_spec& b, const backend_info& info) {
    std::vector<std::string> out;
    if (!m.applies_to(b.kind)) {
        out.push_back("it prices " + m.backend + " counts; the run used the " + b.kind + " backend");
        return out;
    }
    for (const auto& assumed : m.assumes) {
        // Not a structured binding: clang before 16 cannot capture one in a lambda (C++20 P1091).
        const std::string& name = assumed.first;
        const std::string& text = assumed.second;
        const auto pi = std::find_if(info.params.begin(), info.params.end(), [&](const param_info& p) { return p.name == name; });
        if (pi == info.params.end()) {
            out.push_back(name + ": not a parameter of the " + info.name + " backend");
            continue;
        }
        double want = 0.0;
        try {
            want = pi->dim == dimension::dimensionless ? std::stod(text) : parse_quantity(text, pi->dim);
        } catch (const std::exception& e) {
            out.push_back(name + ": the model's value '" + text + "' is not a " + std::string(dimension_name(pi->dim)));
            continue;
        }
        const auto it = b.params.find(name);
        const double have = it != b.params.end() ? it->second : pi->default_value;
        if (!(std::abs(have - want) <= 1e-9 * std::max(std::abs(want), std::abs(have))))
            out.push_back(name + ": the model assumes " + text + ", the run has " + format_quantity(have, pi->dim));
    }
    return out;
}

} // namespace memspike
