// SPDX-License-Identifier: MIT
// What the chip report reads from a run's file (the ledger per bin and the spikes recorded per
// population) and the text `memspike inspect --chip` and `memspike report --chips` print.
// The file is first read and checked by read_energy_ledger (every malformed-file refusal lives
// there); this reads the same datasets again per bin.
#include "memspike/core/chip.hpp"

#include <hdf5.h>

#include <cmath>
#include <cstdio>
#include <sstream>

#include "../hdf5/handles.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/hdf5_layout.hpp"
#include "memspike/core/scenario.hpp"
#include "memspike/core/spec.hpp"

namespace memspike {
namespace {

std::string num(double v, const char* f = "%.4g") {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

/// Text attribute `name` of the file's root (variable-length UTF-8); empty when absent.
std::string root_text(hid_t file, const char* name, const std::string& path) {
    using namespace h5;
    if (H5Aexists(file, name) <= 0) return {};
    const std::string what = std::string("reading attribute ") + name;
    handle a = own_attr(H5Aopen(file, name, H5P_DEFAULT), path, what);
    handle space = own_space(H5Aget_space(a.get()), path, what);
    if (H5Sget_simple_extent_npoints(space.get()) != 1) throw io_error("HDF5 file '" + path + "': attribute '" + name + "' must hold one value");
    handle type = utf8_text_type(path, what);
    char* text = nullptr;
    check(H5Aread(a.get(), type.get(), &text), path, what);
    std::string out = text != nullptr ? text : "";
    if (text != nullptr) H5free_memory(text);
    return out;
}

/// `s` as a JSON string literal: quotes, backslashes and control characters escaped (chip
/// descriptions and sources are free text from TOML files).
std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

/// A JSON number at full precision; null for NaN or infinity (JSON has neither).
std::string json_number(double v) {
    if (!std::isfinite(v)) return "null";
    return num(v, "%.17g");
}

std::string json_refusals(const std::vector<chip_refusal>& list) {
    std::string out = "[";
    for (std::size_t i = 0; i < list.size(); ++i)
        out += (i ? ", " : "") + std::string("{\"chip\": ") + json_string(list[i].chip) + ", \"reason\": " +
               json_string(list[i].reason) + "}";
    return out + "]";
}

/// One priced chip as a JSON object: the columns of the text table at full precision (chip_figures),
/// the mapping's placement and the itemised lines.
std::string json_estimate(const chip_estimate& e) {
    const auto n = [](double v) { return json_number(v); };
    std::string out = "{";
    bool first = true;
    for (const auto& [key, value] : chip_figures(e)) {
        if (key == "messages_per_spike") out += ", \"placement\": " + json_string(e.mapping.placement);
        const bool whole = key == "cores" || key == "tiles" || key == "chips";
        out += (first ? "\"" : ", \"") + key + "\": " + (whole ? std::to_string(static_cast<std::uint64_t>(value)) : n(value));
        first = false;
    }
    out += ", \"lines\": [";
    for (std::size_t i = 0; i < e.lines.size(); ++i) {
        const auto& l = e.lines[i];
        out += (i ? ", " : "") + std::string("{\"activity\": ") + json_string(l.activity) + ", \"count\": " + n(l.count) +
               ", \"pj_each\": " + n(l.pj_each) + ", \"total_j\": " + n(l.total_pj * 1e-12) +
               ", \"source\": " + json_string(l.source) + "}";
    }
    out += "], \"notes\": [";
    for (std::size_t i = 0; i < e.notes.size(); ++i) out += (i ? ", " : "") + json_string(e.notes[i]);
    return out + "]}";
}

} // namespace

std::vector<std::string> chip_list(const std::string& arg) {
    if (arg == "all") return builtin_chip_models();
    std::vector<std::string> names;
    std::stringstream ss(arg);
    for (std::string item; std::getline(ss, item, ',');)
        if (!item.empty()) names.push_back(item);
    return names;
}

std::vector<std::pair<std::string, double>> chip_figures(const chip_estimate& e) {
    const auto d = [](std::uint64_t v) { return static_cast<double>(v); };
    return {{"dynamic_j", e.dynamic_pj * 1e-12},
            {"static_j", e.static_pj * 1e-12},
            {"total_j", e.total_pj * 1e-12},
            {"paced_static_j", e.paced_static_pj * 1e-12},
            {"paced_total_j", e.paced_total_pj * 1e-12},
            {"static_mw", e.static_mw},
            {"tick_latency_us", e.tick_latency_mean_ns * 1e-3},
            {"tick_latency_max_us", e.tick_latency_max_ns * 1e-3},
            {"chip_time_s", e.chip_time_s},
            {"model_time_s", e.model_time_s},
            {"real_time_factor", e.real_time_factor},
            {"cores", d(e.mapping.cores_used)},
            {"tiles", d(e.mapping.tiles_used)},
            {"chips", d(e.mapping.chips_used)},
            {"synaptic_events", e.synaptic_events},
            {"energy_per_event_pj", e.pj_per_synaptic_event},
            {"edp_js", e.edp_js},
            {"noc_messages", e.noc_messages},
            {"hops", e.noc_hops},
            {"messages_per_spike", e.mapping.messages_per_spike},
            {"hops_per_message", e.mapping.hops_per_message}};
}

chip_run_report price_run_on_chips(const std::string& path, const std::vector<std::string>& chips,
                                   const model_registry& registry) {
    std::string note;
    const scenario sc = read_run_scenario(path, registry, note);
    const chip_run_counts run = read_chip_run_counts(path, sc);
    const recorded_ledger ledger = read_energy_ledger(path);
    backend_spec run_backend;  // the run's backend and parameters, as recorded
    run_backend.kind = ledger.backend;
    run_backend.params = ledger.backend_params;
    chip_run_report r = price_counts_on_chips(sc, run_backend, run, chips, registry);
    r.note = note;
    return r;
}

chip_run_report price_counts_on_chips(const scenario& sc, const backend_spec& run_backend, const chip_run_counts& run,
                                      const std::vector<std::string>& chips, const model_registry& registry) {
    chip_run_report r;
    for (const auto& name : chips) {
        chip_model chip;
        try {
            chip = find_chip_model(name, registry);
        } catch (const backend_unavailable& e) {  // a shipped chip no run of this registry can use
            if (name.find('/') != std::string::npos || name.ends_with(".toml")) throw;  // the user's own file: say what is wrong in it
            r.not_applicable.push_back({name, "it prices the " + e.backend + " backend, which this registry does not have"});
            continue;
        }
        if (const auto why = chip_mismatches(chip, run_backend, registry); !why.empty()) {
            std::string all;
            for (const auto& w : why) all += (all.empty() ? "" : "; ") + w;
            r.not_applicable.push_back({chip.name, all});
            continue;
        }
        std::vector<std::string> unused;  // empty: chip_mismatches has checked the same
        const chip_model at_run = chip_at_run(chip, run_backend, registry, unused);  // figures at the run's parameters
        const chip_mapping m = map_network(sc, registry, at_run);
        if (!m.fits) r.does_not_fit.push_back({chip.name, m.limit});
        else r.estimates.push_back(estimate_chip(at_run, m, sc, run));
    }
    return r;
}

std::string format_chip_report_json(const chip_run_report& r) {
    std::string out = "\"chips\": {";
    for (std::size_t i = 0; i < r.estimates.size(); ++i)
        out += (i ? ", " : "") + json_string(r.estimates[i].chip) + ": " + json_estimate(r.estimates[i]);
    out += "}, \"chips_not_applicable\": " + json_refusals(r.not_applicable) +
           ", \"chips_does_not_fit\": " + json_refusals(r.does_not_fit) +
           ", \"chips_note\": " + (r.note.empty() ? std::string("null") : json_string(r.note));
    return out;
}

std::string format_chip_report(const chip_run_report& r) {
    std::vector<std::string> not_priced;  // the chips not applicable, then those that do not fit
    for (const auto& x : r.not_applicable) not_priced.push_back("not applicable: " + x.chip + ": " + x.reason);
    for (const auto& x : r.does_not_fit) not_priced.push_back("does not fit: " + x.chip + ": " + x.reason);
    std::string out = format_chip_estimates(r.estimates, not_priced);
    if (!r.note.empty()) out += "  note: " + r.note + "\n";
    return out;
}

scenario read_run_scenario(const std::string& path, const model_registry& registry, std::string& note) {
    using namespace h5;
    namespace layout = hdf5_layout;
    std::string text, file, command, overrides;
    bool has_overrides = false;
    {
        quiet_hdf5 quiet;
        handle f = own_file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path, "opening the file");
        text = root_text(f.get(), layout::attr_scenario, path);
        file = root_text(f.get(), layout::attr_scenario_file, path);
        command = root_text(f.get(), layout::attr_command_line, path);
        has_overrides = H5Aexists(f.get(), layout::attr_scenario_overrides) > 0;
        if (has_overrides) overrides = root_text(f.get(), layout::attr_scenario_overrides, path);
    }
    if (text.empty()) throw io_error("HDF5 file '" + path + "' holds no scenario text (root attribute 'scenario'): the chip mapping needs the network");
    const std::string source = file.empty() ? path + ":scenario" : file;
    if (!has_overrides) {
        // A file from before schema's scenario_overrides: its overrides are lost, so say so.
        if (command.find("--set") != std::string::npos || command.find("--seed") != std::string::npos)
            note = "the mapping uses the scenario text stored in the file; the run's --set/--seed overrides (" + command +
                   ") are not in the file (written before the root attribute scenario_overrides) and are not applied to it";
        return parse_scenario(text, source, registry);
    }
    // The run's network: the stored text with the run's overrides re-applied by the same code as
    // `memspike run --set` (so the mapping sees --set, --seed and Python set()/sweep values).
    const std::string where = "HDF5 file '" + path + "' root attribute '" + layout::attr_scenario_overrides + "'";
    const std::vector<override_entry> entries = parse_overrides_text(overrides, where);
    try {
        return parse_scenario(text, source, registry, entries);
    } catch (const error& e) {
        throw io_error("HDF5 file '" + path + "': the stored scenario with the run's overrides (root attributes 'scenario' "
                       "and 'scenario_overrides') does not read back: " + e.what());
    }
}

chip_run_counts read_chip_run_counts(const std::string& path, const scenario& sc) {
    using namespace h5;
    namespace layout = hdf5_layout;
    const recorded_ledger ledger = read_energy_ledger(path);  // validates the file
    chip_run_counts run;
    run.resolution_ms = ledger.resolution_ms;
    quiet_hdf5 quiet;
    handle file = own_file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path, "opening the file");
    handle energy = own_group(H5Gopen2(file.get(), layout::group_energy, H5P_DEFAULT), path, "opening /energy");
    const std::size_t cols = ledger.totals.size();
    const std::size_t bins = ledger.bins;
    std::vector<std::uint64_t> data(bins * cols);
    std::vector<tick_t> ends(bins);
    if (bins > 0) {
        handle counts = own_dataset(H5Dopen2(energy.get(), layout::dataset_counts, H5P_DEFAULT), path, "opening /energy/counts");
        check(H5Dread(counts.get(), H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), path, "reading /energy/counts");
        handle ticks = own_dataset(H5Dopen2(energy.get(), layout::dataset_ticks, H5P_DEFAULT), path, "opening /energy/ticks");
        check(H5Dread(ticks.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, ends.data()), path, "reading /energy/ticks");
    }
    for (std::size_t b = 0; b < bins; ++b) {
        event_counts c(ledger.totals.names());
        for (std::size_t k = 0; k < cols; ++k) c.values()[k] = data[b * cols + k];
        run.bins.push_back(std::move(c));
        run.bin_ticks.push_back(ends[b] - (b == 0 ? 0 : ends[b - 1]));
    }
    // Spikes per population, where /spikes holds them (a population not recorded: -1).
    run.population_spikes.assign(sc.populations.size(), -1.0);
    if (H5Lexists(file.get(), layout::group_spikes, H5P_DEFAULT) > 0)
        for (std::size_t p = 0; p < sc.populations.size(); ++p) {
            const std::string g = std::string(layout::group_spikes) + "/" + sc.populations[p].name;
            if (H5Lexists(file.get(), g.c_str(), H5P_DEFAULT) <= 0) continue;
            const std::string d = g + "/" + layout::dataset_ids;
            handle ids = own_dataset(H5Dopen2(file.get(), d.c_str(), H5P_DEFAULT), path, "opening " + d);
            handle space = own_space(H5Dget_space(ids.get()), path, "reading " + d);
            hsize_t n = 0;
            H5Sget_simple_extent_dims(space.get(), &n, nullptr);
            run.population_spikes[p] = static_cast<double>(n);
        }
    return run;
}

std::string format_chip_mapping(const chip_model& c, const chip_mapping& m) {
    std::string out = "chip " + c.name + " (" + c.description + "): " + std::to_string(c.mesh_width) + " x " +
                      std::to_string(c.mesh_height) + " tiles of " + std::to_string(c.cores_per_tile) + " core(s), " +
                      std::to_string(c.neurons_per_core) + " neurons per core";
    if (c.tick_ms > 0) out += ", hardware step " + num(c.tick_ms) + " ms";
    out += "\n";
    if (!m.fits) return out + "  does not fit: " + m.limit + "\n";
    out += "  cores used " + std::to_string(m.cores_used) + ", tiles " + std::to_string(m.tiles_used) + ", chips " +
           std::to_string(m.chips_used) + " (" + num(100.0 * static_cast<double>(m.cores_used) /
                                                     static_cast<double>(m.chips_used * c.cores_per_chip()), "%.3g") + " % of their cores)\n";
    out += "  placement: " + m.placement + "\n";
    out += "  NoC per spike: " + num(m.messages_per_spike) + " messages; hops per message " + num(m.hops_per_message) +
           " (greedy placement: " + num(m.hops_per_message_greedy) + ")\n";
    return out;
}

std::string format_chip_estimates(const std::vector<chip_estimate>& es, const std::vector<std::string>& not_priced) {
    std::string out = "chips (per-tick model, docs/chips.md):\n";
    char line[512];
    std::snprintf(line, sizeof line, "  %-15s %12s %12s %12s %14s %12s %10s %8s %6s %14s %12s\n", "chip", "dynamic [J]", "static [J]",
                  "total [J]", "tick lat. [us]", "chip time [s]", "x real", "cores", "chips", "per event [pJ]", "EDP [J s]");
    out += line;
    for (const auto& e : es) {
        std::snprintf(line, sizeof line, "  %-15s %12.4g %12.4g %12.4g %14.4g %12.4g %10.4g %8llu %6llu %14.4g %12.4g\n", e.chip.c_str(),
                      e.dynamic_pj * 1e-12, e.static_pj * 1e-12, e.total_pj * 1e-12, e.tick_latency_mean_ns * 1e-3, e.chip_time_s,
                      e.real_time_factor, static_cast<unsigned long long>(e.mapping.cores_used),
                      static_cast<unsigned long long>(e.mapping.chips_used), e.pj_per_synaptic_event, e.edp_js);
        out += line;
    }
    for (const auto& e : es) {
        out += "  " + e.chip + ": " + e.mapping.placement + "; " + num(e.noc_messages) + " NoC messages, " + num(e.noc_hops) +
               " hops; static " + num(e.static_mw) + " mW; busiest bin's tick " + num(e.tick_latency_max_ns * 1e-3) + " us\n";
        out += "    paced to real time (powered for max(chip time, model time)): static " + num(e.paced_static_pj * 1e-12) +
               " J, total " + num(e.paced_total_pj * 1e-12) + " J\n";
        for (const auto& l : e.lines)
            out += "    " + l.activity + ": " + num(l.count) + " x " + num(l.pj_each) + " pJ = " + num(l.total_pj * 1e-12) + " J   " +
                   l.source + "\n";
        for (const auto& n : e.notes) out += "    note: " + n + "\n";
    }
    for (const auto& n : not_priced) out += "  " + n + "\n";  // "does not fit: ..." or "not applicable: ..."
    out += "  \"x real\": chip time per model time (> 1: slower than real time); EDP: total energy x chip time.\n";
    return out;
}

} // namespace memspike
