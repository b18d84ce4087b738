// SPDX-License-Identifier: MIT
// `memspike report` and `inspect --chip`: see report.hpp.
#include "report.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "memspike/backends/builtin.hpp"
#include "memspike/core/backend.hpp"
#include "memspike/core/chip.hpp"
#include "memspike/core/energy.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/run_driver.hpp"

namespace memspike::cli {


void print_chip_mappings(const memspike::scenario& sc, const std::string& chips) {
    for (const auto& name : memspike::chip_list(chips)) {
        const auto chip = memspike::find_chip_model(name, memspike::builtin_registry());
        std::printf("%s", memspike::format_chip_mapping(chip, memspike::map_network(sc, memspike::builtin_registry(), chip)).c_str());
    }
}

namespace {

std::string fmt_joules(double pj) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4g", pj * 1e-12);
    return buf;
}

std::string json_escape(const std::string& s) {
    std::string out;
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

/// A recorded run priced against the chosen energy models: what `report` prints.
struct priced_run {
    memspike::recorded_ledger ledger;
    std::vector<memspike::energy_estimate> estimates;  // the models that apply to the run
    std::vector<std::string> skipped;                  // "<model> (<why it does not apply>)"
    // The "x vs" column: an element of `estimates` (which is not changed once it is set); nullptr: none.
    const memspike::energy_estimate* baseline = nullptr;
    bool baseline_chosen = false;                         // by --baseline, else the cheapest conventional one
    double simulated_s = 0.0;
    double synaptic_events = 0.0;  // synaptic + input events
    bool per_inference = false;    // [recording] inference was set

    double inference_pj(const memspike::energy_estimate& e) const {
        return memspike::energy_per_inference_pj(e.total_pj, ledger.ticks, ledger.resolution_ms, ledger.inference_ms);
    }
};

/// Reads the run's ledger from `file` and prices it with each model of `models_arg` (comma
/// separated; every shipped preset when empty), leaving out those that do not apply to the run.
/// The "x vs" baseline is `baseline_arg` (priced too if `models_arg` leaves it out; an error if it
/// does not apply to the run), else the cheapest conventional (dense or event_driven) estimate.
priced_run read_and_price(const std::string& file, const std::string& models_arg, const std::string& baseline_arg) {
    priced_run r;
    r.ledger = memspike::read_energy_ledger(file);
    const auto& ledger = r.ledger;
    std::vector<std::string> names;
    if (models_arg.empty()) {
        names = memspike::builtin_energy_models();
    } else {
        std::stringstream ss(models_arg);
        for (std::string item; std::getline(ss, item, ',');)
            if (!item.empty()) names.push_back(item);
    }
    std::string baseline_name;
    if (!baseline_arg.empty()) {
        baseline_name = memspike::find_energy_model(baseline_arg, memspike::builtin_registry()).name;
        bool listed = false;
        for (const auto& n : names)
            listed = listed || memspike::find_energy_model(n, memspike::builtin_registry()).name == baseline_name;
        if (!listed) names.push_back(baseline_arg);
    }
    // The run's backend and the parameters it used, as recorded in the file.
    memspike::backend_spec backend;
    backend.kind = ledger.backend;
    backend.params = ledger.backend_params;
    for (const auto& n : names) {
        const auto model = memspike::find_energy_model(n, memspike::builtin_registry());
        auto priced = memspike::price_energy(model, backend, memspike::builtin_registry(), ledger.totals, ledger.profile,
                                             ledger.ticks, ledger.resolution_ms);
        if (!priced.applies()) {
            std::string all;
            for (const auto& w : priced.mismatches) all += (all.empty() ? "" : "; ") + w;
            if (model.name == baseline_name)
                throw memspike::error("--baseline " + baseline_arg + ": the model does not apply to this run (" + all +
                                      "); choose one that `memspike report " + file + "` lists");
            r.skipped.push_back(model.name + " (" + all + ")");
            continue;
        }
        r.estimates.push_back(std::move(priced.estimate));
    }
    r.simulated_s = static_cast<double>(ledger.ticks) * ledger.resolution_ms * 1e-3;
    r.synaptic_events = static_cast<double>(ledger.totals[memspike::event_kind::synaptic_events] +
                                            ledger.totals[memspike::event_kind::stimulus_events]);
    r.per_inference = ledger.inference_ms > 0.0;
    r.baseline = memspike::choose_baseline(r.estimates, baseline_name);
    r.baseline_chosen = !baseline_name.empty();
    return r;
}

/// How many times less energy `e` uses than the baseline (> 1: saves energy); 0 when either is 0.
double times_less(const priced_run& r, const memspike::energy_estimate& e) {
    return r.baseline != nullptr && e.total_pj > 0 ? r.baseline->total_pj / e.total_pj : 0.0;
}

/// Why the baseline is the one it is, for the table and the JSON.
std::string baseline_reason(const priced_run& r) {
    if (r.baseline == nullptr) return "no dense or event_driven model was priced";
    return r.baseline_chosen ? "chosen with --baseline" : "the cheapest conventional (dense or event_driven) baseline priced";
}

/// `report --json`: one object, energies in J; `chips` (members of format_chip_report_json, or
/// empty) is the chip section.
void print_report_json(const std::string& file, const priced_run& r, const std::string& chips) {
    std::printf("{\"file\": \"%s\", \"complete\": %s, \"simulated_s\": %.17g, \"synaptic_events\": %.17g, ",
                json_escape(file).c_str(), r.ledger.complete ? "true" : "false", r.simulated_s, r.synaptic_events);
    if (r.per_inference) std::printf("\"inference_ms\": %.17g, ", r.ledger.inference_ms);
    if (r.baseline != nullptr) std::printf("\"baseline\": \"%s\", ", json_escape(r.baseline->model).c_str());
    else std::printf("\"baseline\": null, ");
    std::printf("\"baseline_reason\": \"%s\", \"models\": [", json_escape(baseline_reason(r)).c_str());
    for (std::size_t k = 0; k < r.estimates.size(); ++k) {
        const auto& e = r.estimates[k];
        std::printf("%s{\"model\": \"%s\", \"kind\": \"%s\", \"total_j\": %.17g, \"compute_j\": %.17g, \"memory_j\": %.17g, "
                    "\"idle_j\": %.17g, ",
                    k ? ", " : "", e.model.c_str(), e.kind.c_str(), e.total_pj * 1e-12, e.compute_pj * 1e-12,
                    e.memory_pj * 1e-12, e.idle_pj * 1e-12);
        if (r.per_inference) std::printf("\"per_inference_j\": %.17g, ", r.inference_pj(e) * 1e-12);
        if (e.kind == "event_driven") std::printf("\"run_time_s\": %.17g, ", e.run_time_s);
        if (r.baseline != nullptr) std::printf("\"x_vs_baseline\": %.17g, ", times_less(r, e));
        std::printf("\"lines\": [");
        for (std::size_t i = 0; i < e.lines.size(); ++i) {
            const auto& l = e.lines[i];
            std::printf("%s{\"category\": \"%s\", \"count\": %.17g, \"pj_each\": %.17g, \"total_j\": %.17g, \"source\": \"%s\"}",
                        i ? ", " : "", json_escape(l.category).c_str(), l.count, l.pj_each, l.total_pj * 1e-12,
                        json_escape(l.source).c_str());
        }
        std::printf("]}");
    }
    std::printf("]%s%s}\n", chips.empty() ? "" : ", ", chips.c_str());
}

/// `report`: one line per model (with its ratio to the baseline), then each model's items.
void print_report_table(const std::string& file, const priced_run& r) {
    const double sim_s = r.simulated_s, syn = r.synaptic_events;
    std::printf("energy report: %s (%s), %.6g s simulated, %.4g synaptic + input events, %llu neurons, %llu synapses\n",
                file.c_str(), r.ledger.complete ? "complete" : "INCOMPLETE run", sim_s, syn,
                static_cast<unsigned long long>(r.ledger.profile.neurons), static_cast<unsigned long long>(r.ledger.profile.synapses));
    std::printf("%-16s %-12s %12s %16s %16s %12s %12s", "model", "kind", "total [J]", "per event [pJ]", "per sim. s [J]",
                "memory [J]", "idle [J]");
    if (r.per_inference) std::printf(" %18s", "per inference [J]");
    if (r.baseline != nullptr) std::printf(" %21s", ("x vs " + r.baseline->model).c_str());
    std::printf("\n");
    for (const auto& e : r.estimates) {
        std::printf("%-16s %-12s %12s %16.4g %16s %12s %12s", e.model.c_str(), e.kind.c_str(), fmt_joules(e.total_pj).c_str(),
                    syn > 0 ? e.total_pj / syn : 0.0, sim_s > 0 ? fmt_joules(e.total_pj / sim_s).c_str() : "-",
                    fmt_joules(e.memory_pj).c_str(), fmt_joules(e.idle_pj).c_str());
        if (r.per_inference) std::printf(" %18s", fmt_joules(r.inference_pj(e)).c_str());
        if (r.baseline != nullptr) std::printf(" %21.4g", times_less(r, e));
        std::printf("\n");
    }
    std::printf("\nitemised (count x energy per event = energy; source):\n");
    for (const auto& e : r.estimates) {
        std::printf("  %s\n", e.model.c_str());
        for (const auto& l : e.lines)
            std::printf("    %-34s %12.4g x %9.4g pJ = %10s J   %s\n", l.category.c_str(), l.count, l.pj_each,
                        fmt_joules(l.total_pj).c_str(), l.source.c_str());
        if (e.kind == "event_driven")
            std::printf("    %-34s %39s J   static power x modelled run time (%.4g s)\n", "static power x run time",
                        fmt_joules(e.idle_pj).c_str(), e.run_time_s);
        else if (e.idle_pj > 0)
            std::printf("    %-34s %39s J\n", "idle power x time", fmt_joules(e.idle_pj).c_str());
    }
    if (r.per_inference)
        std::printf("\n\"per inference\": total x inference (%.6g ms) / simulated time; the run simulated %.6g inferences.",
                    r.ledger.inference_ms, sim_s > 0 ? sim_s * 1e3 / r.ledger.inference_ms : 0.0);
    if (r.baseline != nullptr)
        std::printf("\n\"x vs %s\": how many times less energy than that baseline (> 1: saves energy); baseline: %s (%s; "
                    "--baseline NAME chooses another).\n",
                    r.baseline->model.c_str(), r.baseline->model.c_str(), baseline_reason(r).c_str());
    else std::printf("\nno \"x vs\" column: %s (--baseline NAME chooses one).\n", baseline_reason(r).c_str());
    for (const auto& s : r.skipped) std::printf("not applicable: %s\n", s.c_str());
}

}  // namespace

int cmd_report(const std::string& file, const std::string& models_arg, const std::string& baseline_arg, bool json,
               const std::string& chips) {
    const priced_run r = read_and_price(file, models_arg, baseline_arg);
    // Priced before anything is printed, so that an unknown chip leaves no half-written report.
    memspike::chip_run_report chip_report;
    if (!chips.empty())
        chip_report = memspike::price_run_on_chips(file, memspike::chip_list(chips), memspike::builtin_registry());
    if (json) {
        print_report_json(file, r, chips.empty() ? std::string() : memspike::format_chip_report_json(chip_report));
        return 0;
    }
    print_report_table(file, r);
    if (!chips.empty()) std::printf("\n%s", memspike::format_chip_report(chip_report).c_str());
    return 0;
}

}  // namespace memspike::cli
