// SPDX-License-Identifier: MIT
// Energy models (presets) and the costing of the ledger. Format: docs/energy.md.
#include "memspike/core/energy.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "memspike/core/backend.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/units.hpp"

namespace memspike {
namespace {

[[noreturn]] void fail(const std::string& file, const toml::node* n, const std::string& key, const std::string& what) {
    const int line = n ? static_cast<int>(n->source().begin.line) : 0;
    const int col = n ? static_cast<int>(n->source().begin.column) : 0;
    throw scenario_error(file, line, col, key, what);
}

void only(const std::string& file, const toml::table& t, const std::string& key, const std::vector<std::string>& keys) {
    for (auto&& [k, v] : t)
        if (std::find(keys.begin(), keys.end(), std::string(k.str())) == keys.end())
            fail(file, &v, key.empty() ? std::string(k.str()) : key + "." + std::string(k.str()),
                 "unknown key '" + std::string(k.str()) + "' (accepted: " + join_names(keys) + ")");
}

std::string string_at(const std::string& file, const toml::table& t, const std::string& table, const std::string& k) {
    const toml::node* n = t.get(k);
    if (n == nullptr) fail(file, &t, table + "." + k, "missing (a string)");
    if (!n->is_string()) fail(file, n, table + "." + k, "must be a string");
    return n->as_string()->get();
}

double quantity_at(const std::string& file, const toml::node& n, const std::string& key, dimension d) {
    if (!n.is_string()) fail(file, &n, key, "must be a quantity with its unit, such as \"23.6 pJ\"");
    try {
        return parse_quantity(n.as_string()->get(), d);
    } catch (const unit_error& e) {
        fail(file, &n, key, e.what());
    }
}

double number_at(const std::string& file, const toml::node& n, const std::string& key) {
    if (auto v = n.value<double>()) return *v;
    fail(file, &n, key, "must be a number");
}

} // namespace

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
energy_model parse_energy_model_at(const std::string& text, const std::string& file, const model_registry& registry, int depth);
const toml::table& empty_table() {
    static const toml::table t;
    return t;
}
}

energy_model parse_energy_model(const std::string& text, const std::string& file, const model_registry& registry) {
    return parse_energy_model_at(text, file, registry, 0);
}

namespace {

energy_model parse_energy_model_at(const std::string& text, const std::string& file, const model_registry& registry, int depth) {
    toml::table root;
    try {
        root = toml::parse(text, file);
    } catch (const toml::parse_error& e) {
        throw scenario_error(file, static_cast<int>(e.source().begin.line), static_cast<int>(e.source().begin.column), "",
                             "TOML syntax error: " + std::string(e.description()));
    }
    energy_model m;
    only(file, root, "", {"model", "cost", "dense"});
    const toml::table* mt = root["model"].as_table();
    if (mt == nullptr) fail(file, &root, "model", "missing table [model] (name, kind, description)");
    only(file, *mt, "model", {"name", "kind", "description", "backend", "assumes", "base"});
    // `base`: start from another preset (its figures and sources) and change what this file says.
    if (const toml::node* bn = mt->get("base")) {
        if (depth >= 4) fail(file, bn, "model.base", "presets based on presets more than 4 deep (a cycle?)");
        const std::string base = string_at(file, *mt, "model", "base");
        const std::string path = base.find('/') != std::string::npos || base.ends_with(".toml")
                                     ? base : energy_preset_dir() + "/" + base + ".toml";
        std::ifstream in(path);
        if (!in) fail(file, bn, "model.base", "no energy model '" + base + "' (" + path + ")");
        std::ostringstream base_text;
        base_text << in.rdbuf();
        m = parse_energy_model_at(base_text.str(), path, registry, depth + 1);
        m.text = text + "\n# ---- base preset " + path + " ----\n" + m.text;
    } else {
        m.text = text;
    }
    m.file = file;
    m.name = string_at(file, *mt, "model", "name");
    if (mt->get("base") == nullptr || mt->get("kind") != nullptr) m.kind = string_at(file, *mt, "model", "kind");
    m.description = string_at(file, *mt, "model", "description");
    if (mt->get("backend") != nullptr) m.backend = string_at(file, *mt, "model", "backend");
    if (const toml::node* an = mt->get("assumes")) {
        if (m.backend.empty()) fail(file, an, "model.assumes", "needs model.backend (the backend whose parameters it names)");
        const toml::table* at = an->as_table();
        if (at == nullptr) fail(file, an, "model.assumes", "must be a table of backend parameters, such as { v_read = \"0.2 V\" }");
        for (auto&& [k, v] : *at) {
            if (const auto* s = v.as_string()) m.assumes[std::string(k.str())] = s->get();
            else if (auto x = v.value<double>()) m.assumes[std::string(k.str())] = format_quantity(*x, dimension::dimensionless);
            else fail(file, &v, "model.assumes." + std::string(k.str()), "must be a number or a quantity with its unit");
        }
    }
    if (m.kind != "event" && m.kind != "dense") fail(file, mt->get("kind"), "model.kind", "\"" + m.kind + "\" is not \"event\" or \"dense\"");
    if (!m.backend.empty() && !registry.contains_backend(m.backend)) {
        // Typed, so that pricing a run against every shipped preset can leave this one out: no
        // run of this registry can use that backend.
        const toml::node* bn = mt->get("backend");
        throw backend_unavailable(m.backend, file + ":" + std::to_string(bn->source().begin.line) + ":" +
                                                 std::to_string(bn->source().begin.column) + ": key 'model.backend': unknown backend '" +
                                                 m.backend + "' (accepted: " + join_names(registry.backend_names()) + ")");
    }
    // An event model prices the engine's counters and, when it names its backend, that backend's.
    const auto accepted = m.kind == "event" ? event_model_categories(registry, m.backend) : dense_model_categories();

    const toml::table* ct = root["cost"].as_table();
    if (ct == nullptr && mt->get("base") != nullptr) ct = &empty_table();
    if (ct == nullptr) fail(file, &root, "cost", "missing table [cost.<category>] entries (accepted: " + join_names(accepted) + ")");
    for (auto&& [k, v] : *ct) {
        const std::string cat(k.str()), key = "cost." + cat;
        if (std::find(accepted.begin(), accepted.end(), cat) == accepted.end())
            fail(file, &v, key, "unknown category for a " + m.kind + " model (accepted: " + join_names(accepted) + ")");
        const toml::table* e = v.as_table();
        if (e == nullptr) fail(file, &v, key, "must be a table { energy = \"... pJ\", source = \"...\" }");
        only(file, *e, key, {"energy", "source"});
        const toml::node* en = e->get("energy");
        if (en == nullptr) fail(file, e, key + ".energy", "missing (an energy such as \"23.6 pJ\")");
        cost_entry c;
        c.pj = quantity_at(file, *en, key + ".energy", dimension::energy);
        if (!(c.pj >= 0.0)) fail(file, en, key + ".energy", "must be >= 0 pJ");
        c.source = string_at(file, *e, key, "source");
        if (c.source.find_first_not_of(" \t") == std::string::npos)
            fail(file, e->get("source"), key + ".source", "empty: every number needs its citation");
        m.costs[cat] = c;
    }
    if (const toml::table* dt = root["dense"].as_table()) {
        if (m.kind != "dense") fail(file, dt, "dense", "only dense models have a [dense] table");
        only(file, *dt, "dense", {"bytes_per_weight", "state_bytes_per_neuron", "sram_capacity_bytes", "batch", "idle_power",
                                  "format", "index_bytes"});
        if (dt->get("format") != nullptr) {
            m.format = string_at(file, *dt, "dense", "format");
            if (m.format != "dense" && m.format != "csr")
                fail(file, dt->get("format"), "dense.format", "\"" + m.format + "\" is not \"dense\" or \"csr\"");
        }
        auto positive = [&](const char* k, double& out) {
            if (const toml::node* n = dt->get(k)) {
                out = number_at(file, *n, std::string("dense.") + k);
                if (!(out >= 0.0)) fail(file, n, std::string("dense.") + k, "must be >= 0");
            }
        };
        positive("bytes_per_weight", m.bytes_per_weight);
        positive("state_bytes_per_neuron", m.state_bytes_per_neuron);
        positive("sram_capacity_bytes", m.sram_capacity_bytes);
        positive("batch", m.batch);
        positive("index_bytes", m.index_bytes);
        if (!(m.batch >= 1.0)) fail(file, dt->get("batch"), "dense.batch", "must be >= 1");
        if (const toml::node* n = dt->get("idle_power")) {
            m.idle_power_w = quantity_at(file, *n, "dense.idle_power", dimension::power);
            if (!(m.idle_power_w >= 0.0)) fail(file, n, "dense.idle_power", "must be >= 0 W");
        }
    }
    if (m.kind == "dense")
        for (const auto& c : dense_model_categories())
            if (!m.costs.count(c)) fail(file, ct, "cost." + c, "missing: a dense model prices mac, sram_byte and dram_byte");
    return m;
}

} // namespace

energy_model load_energy_model(const std::string& path, const model_registry& registry) {
    std::ifstream in(path);
    if (!in) throw io_error("cannot open energy model '" + path + "'");
    std::ostringstream text;
    text << in.rdbuf();
    return parse_energy_model(text.str(), path, registry);
}

std::vector<std::string> builtin_energy_models() {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(energy_preset_dir()))
        if (e.path().extension() == ".toml") names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

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
    for (const auto& [name, text] : m.assumes) {
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
