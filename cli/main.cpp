// SPDX-License-Identifier: MIT
// memspike: the command-line face.
//   memspike run SCENARIO [-o out.h5] [--overwrite] [--set key=value ...] [--threads N] [--seed S]
//                         [--ignore-resource-limits]
//   memspike validate SCENARIO [--set ...]
//   memspike inspect SCENARIO [--set ...] [--ignore-resource-limits] [--chip a,b]
//   memspike report OUT.h5 [--models a,b] [--baseline NAME] [--json] [--chips a,b|all]
//   memspike --version | --help | <command> --help
// Exit codes (also in the README): 0 success (and --help, --version); 1 usage error: an unknown
// command or option, a missing or malformed argument (everything CLI11 rejects: its own codes are
// mapped to 1); 2 bad input: the scenario, a --set value, an input or output file, or a run refused
// because its resource estimate exceeds the available memory or free disk; 3 internal error (a bug);
// 130 / 143 interrupted by SIGINT / SIGTERM (during a run: the HDF5 file is valid and marked
// complete = 0; before the run wrote anything: no file).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <unistd.h>

#include "memspike/core/chip.hpp"
#include "memspike/core/communicator.hpp"
#include "memspike/core/energy.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/graph.hpp"
#include "memspike/core/recorder.hpp"
#include "memspike/core/resource_estimate.hpp"
#include "memspike/core/run_driver.hpp"
#include "memspike/core/scenario.hpp"
#include "memspike/core/simulation.hpp"
#include "memspike/core/units.hpp"
#include "memspike/core/version.hpp"
#include "memspike/backends/builtin.hpp"
#include "memspike/core/backend.hpp"
#include "nir_input.hpp"
#include "progress.hpp"
#include "ranks.hpp"
#include "report.hpp"

namespace {

// Signals (issue 11, defect 11). Until a run writes its file, SIGINT/SIGTERM end the process at
// once with 128 + signal and a message: nothing needs saving, and reading a scenario or building a
// network can take long. While a run writes, the first one stops it at the next tick (the file is
// closed, marked complete = 0, exit 128 + signal); a second one abandons a tick that does not end
// (the output is left as it was; the data up to the last flush stays in the partial file).
std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};
std::atomic<bool> g_writing{false};
std::string g_abandon_message;  // set before g_writing; read by the handler only
volatile std::sig_atomic_t g_signal_silent = 0;  // over several ranks the handler prints nothing (mpirun reports)

// Under mpirun (docs/mpi.md): the ranks of the run, else null. Until g_shared_phase ends, every
// rank does the same thing with the same input (reading the scenario, checking the output path and
// resources), so a failure there is every rank's: rank 0 alone reports it and all exit. After it
// (building and running), a failure may be one rank's: that rank reports it and ends every rank
// (MPI_Abort), which would otherwise wait in their next exchange for ever.
std::unique_ptr<memspike::communicator> g_world;
bool g_shared_phase = true;

extern "C" void on_signal(int sig) {
    const bool again = g_signal.exchange(sig) != 0;
    if (g_writing.load() && !again) {
        g_stop.store(true);
        return;
    }
    // Only async-signal-safe calls from here on: write(2) and _exit(2).
    if (g_signal_silent) ::_exit(128 + sig);  // over several ranks: mpirun says what ended them
    const char* msg = sig == SIGINT ? "memspike: interrupted (SIGINT)" : "memspike: terminated (SIGTERM)";
    (void)!::write(2, msg, std::strlen(msg));
    const char* tail = g_writing.load() ? g_abandon_message.c_str() : " before a run wrote anything; no output file was written\n";
    (void)!::write(2, tail, std::strlen(tail));
    ::_exit(128 + sig);
}

struct common_args {
    std::string scenario;
    std::vector<std::string> sets;
    std::string nir_input, nir_dir, nir_time_unit;  // SCENARIO a NIR graph: input section, where it is lowered to, time unit
    long long seed = -1;
    bool ignore_resource_limits = false;  // run, inspect: --ignore-resource-limits
};

memspike::scenario load(const common_args& args, long long threads = -1) {
    std::vector<memspike::override_entry> overrides;
    for (const auto& s : args.sets) overrides.push_back(memspike::parse_override(s));
    if (args.seed >= 0) overrides.push_back({"simulation.seed", std::to_string(args.seed)});
    if (threads >= 0) overrides.push_back({"simulation.threads", std::to_string(threads)});
    return memspike::load_scenario(args.scenario, memspike::builtin_registry(), overrides);
}

std::string command_line(int argc, char** argv) {
    std::string out;
    for (int i = 0; i < argc; ++i) {
        if (i) out += ' ';
        out += argv[i];
    }
    return out;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// Refuses, before anything is built, a scenario whose resource estimate exceeds this machine's
/// available memory or (with an output) the free disk there, unless --ignore-resource-limits.
/// `inspect`'s graph analysis holds its graph beside the running network.
void check_resources(const memspike::scenario& sc, const common_args& args, const std::string& output, bool inspect = false) {
    if (args.ignore_resource_limits) return;
    auto e = memspike::estimate_resources(sc, memspike::builtin_registry());
    if (inspect) e.peak_bytes = std::max(e.peak_bytes, e.steady_bytes + e.analysis_bytes);
    memspike::check_resources(e, memspike::query_host_resources(output), "pass --ignore-resource-limits to run anyway");
}

int cmd_validate(const common_args& args) {
    const auto sc = load(args);
    std::uint64_t neurons = 0;
    for (const auto& p : sc.populations) neurons += p.size;
    std::printf("%s: valid (%zu populations, %llu neurons, %zu projections, %zu stimuli, %.6g ms at %.6g ms resolution)\n",
                args.scenario.c_str(), sc.populations.size(), static_cast<unsigned long long>(neurons),
                sc.projections.size(), sc.stimuli.size(), sc.simulation.duration_ms, sc.simulation.resolution_ms);
    std::printf("%s", memspike::format_resource_estimate(memspike::estimate_resources(sc, memspike::builtin_registry())).c_str());
    return 0;
}

/// A backend's inspect table: the first column left-aligned, the others right-aligned.
void print_table(const memspike::inspect_table& t) {
    std::vector<std::size_t> width(t.columns.size());
    for (std::size_t c = 0; c < t.columns.size(); ++c) width[c] = std::max<std::size_t>(c == 0 ? 24 : 10, t.columns[c].size());
    for (const auto& row : t.rows)
        for (std::size_t c = 0; c < row.size() && c < width.size(); ++c) width[c] = std::max(width[c], row[c].size());
    auto line = [&](const std::vector<std::string>& cells) {
        std::string out = " ";
        for (std::size_t c = 0; c < width.size(); ++c) {
            const std::string cell = c < cells.size() ? cells[c] : "";
            const std::string pad(width[c] - std::min(width[c], cell.size()), ' ');
            out += " " + (c == 0 ? cell + pad : pad + cell);
        }
        std::printf("%s\n", out.c_str());
    };
    std::printf("%s:\n", t.title.c_str());
    line(t.columns);
    for (const auto& row : t.rows) line(row);
}

int cmd_inspect(const common_args& args, const std::string& chips = "") {
    const auto sc = load(args);
    if (!chips.empty()) memspike::cli::print_chip_mappings(sc, chips);
    std::printf("%s", memspike::format_resource_estimate(memspike::estimate_resources(sc, memspike::builtin_registry())).c_str());
    check_resources(sc, args, "", true);
    const auto t0 = std::chrono::steady_clock::now();
    const memspike::simulation sim(sc, memspike::builtin_registry(), sc.simulation.threads);
    const double build_s = seconds_since(t0);
    auto report = memspike::analyze_graph(sc, sim.synapses());
    report.estimated_state_bytes = sim.state_memory_bytes();
    std::printf("%s", memspike::format_graph_report(report).c_str());
    std::printf("neuron state: %.3f MB measured; network built in %.2f s\n", static_cast<double>(sim.state_memory_bytes()) / 1e6,
                build_s);
    const auto& backend = memspike::builtin_registry().find_backend(sc.backend.kind);
    if (backend.inspect)
        for (const auto& table : backend.inspect(sc, sim.synapses(), backend.complete(sc.backend.params))) print_table(table);
    return 0;
}

struct run_args {
    std::string output;
    unsigned threads = 0;
    bool threads_given = false;
    bool quiet = false;
    bool overwrite = false;
};

int cmd_run(const common_args& args, run_args ra, const std::string& cmdline) {
    using ev = memspike::event_kind;
    auto& output = ra.output;
    auto sc = load(args, ra.threads_given ? static_cast<long long>(ra.threads) : -1);
    if (output.empty()) output = std::filesystem::path(args.scenario).stem().string() + ".h5";
    const auto& models = memspike::builtin_registry();
    // Fail before a long network build, not after it, when the output cannot or must not be
    // written (a directory, an existing file without --overwrite, the scenario itself).
    memspike::recorder::check_output_path(output, args.scenario, ra.overwrite);
    check_resources(sc, args, output);
    if (g_world && g_world->size() > 1) memspike::check_distributable(sc, models);
    g_shared_phase = false;
    const bool root = !g_world || g_world->rank() == 0;  // over several ranks rank 0 writes and prints
    const bool quiet = ra.quiet || !root;

    const auto t_build = std::chrono::steady_clock::now();
    memspike::simulation sim(sc, models, sc.simulation.threads, g_world.get());
    const double build_s = seconds_since(t_build);
    const unsigned threads = sim.threads();
    if (!quiet)
        std::printf("memspike %s: %s, %llu neurons, %llu synapses, built in %.2f s\n", memspike::version,
                    args.scenario.c_str(), static_cast<unsigned long long>(sim.neuron_count()),
                    static_cast<unsigned long long>(sim.synapse_count_all()), build_s);

    memspike::drive_options opt;
    opt.output = root ? output : "";
    opt.discard_output = !root;
    opt.overwrite = ra.overwrite;
    opt.info = memspike::run_info::of(sc, threads, cmdline);
    opt.stop = &g_stop;
    opt.keep_spikes = false;
    g_abandon_message = " again: run abandoned inside a tick; " + output + " was left as it was, the data up to the last "
                        "flush is in " + output + ".partial-" + std::to_string(::getpid()) + "\n";
    g_writing.store(true);
    memspike::cli::progress_line progress(stderr, sc.simulation.resolution_ms);
    if (progress.enabled() && !quiet) opt.progress = [&](memspike::tick_t done, memspike::tick_t total) { progress.update(done, total); };

    const memspike::drive_result run = memspike::drive_run(sim, models, sc.duration_ticks(), opt);
    const bool complete = run.complete;
    const double wall_s = run.wall_s;
    progress.finish();
    if (!quiet)
        for (const auto& [model, why] : run.not_applied) std::printf("  energy model %s not applied: %s\n", model.c_str(), why.c_str());

    const memspike::event_counts c = sim.events();  // every rank's (a collective over ranks)
    if (g_world) memspike::cli::print_rank_table(*g_world, sim, wall_s, !quiet);
    const double sim_s = static_cast<double>(sim.now()) * sc.simulation.resolution_ms * 1e-3;
    if (!quiet) {
        std::printf("simulated %.4g s in %.3f s wall (%.3g wall s per simulated s)\n", sim_s, wall_s,
                    sim_s > 0 ? wall_s / sim_s : 0.0);
        std::printf("  spikes %llu (mean rate %.3g Hz), synaptic events %llu, stimulus events %llu, neuron updates %llu\n",
                    static_cast<unsigned long long>(c[ev::spikes]),
                    sim_s > 0 ? static_cast<double>(c[ev::spikes]) / (static_cast<double>(sim.neuron_count()) * sim_s) : 0.0,
                    static_cast<unsigned long long>(c[ev::synaptic_events]), static_cast<unsigned long long>(c[ev::stimulus_events]),
                    static_cast<unsigned long long>(c[ev::neuron_updates]));
        std::printf("  %.3g synaptic events per wall second\n", wall_s > 0 ? static_cast<double>(c[ev::synaptic_events]) / wall_s : 0.0);
        std::printf("  output: %s (%s)\n", output.c_str(), complete ? "complete" : "INCOMPLETE");
    }
    if (!complete) {
        const int sig = g_signal.load();
        if (root) std::fprintf(stderr, "%s at t = %.6g ms; %s is valid and marked complete = 0\n",
                     sig == SIGTERM ? "terminated (SIGTERM)" : "interrupted (SIGINT)",
                     static_cast<double>(sim.now()) * sc.simulation.resolution_ms, output.c_str());
        return 128 + (sig != 0 ? sig : SIGINT);
    }
    return 0;
}

} // namespace

namespace memspike::cli {
extern const char git_revision[];  // generated at build time (cmake/memspike_git_revision.cmake)
}

// The argument-parsing side of main: version text, usage errors and the exit-code mapping.
namespace {

/// `memspike --version`: the version, the git revision the binary was built from (when built from
/// a git checkout) and the energy preset directory this binary finds, which is what an
/// installation question usually needs.
std::string version_text() {
    std::string out = std::string("memspike ") + memspike::version;
    if (memspike::cli::git_revision[0] != '\0') out += std::string(" (git ") + memspike::cli::git_revision + ")";
    try {
        out += "\nenergy presets: " + memspike::energy_preset_dir();
    } catch (const memspike::error& e) {
        out += std::string("\nenergy presets: ") + e.what();
    }
    return out;
}

/// A command-line argument as echoed in a usage error: at most 80 bytes, then its length (issue 11,
/// defect 14: a 1 MB argument gave a 1 MB line). Scenario and file errors are bounded in core.
std::string clipped(const std::string& s, std::size_t max = 80) {
    if (s.size() <= max) return s;
    return s.substr(0, max) + "... (" + std::to_string(s.size()) + " characters)";
}

/// Levenshtein distance, for "did you mean" on a mistyped command.
std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

/// A usage error (exit 1) when argv[1] is neither a command nor --help/--version: CLI11 alone would
/// say "The following arguments were not expected" or "A subcommand is required", which does not
/// name the problem.
bool unknown_command(CLI::App& app, int argc, char** argv) {
    std::vector<std::string> commands;  // as registered, hidden ones (group "") left out
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); }))
        commands.push_back(sub->get_name());
    const std::string known = memspike::join_names(commands);
    if (argc < 2) {
        std::fprintf(stderr, "memspike: a command is required (%s); 'memspike --help' describes them\n", known.c_str());
        return true;
    }
    const std::string cmd = clipped(argv[1]);
    if (cmd == "-h" || cmd == "--help" || cmd == "--version" ||
        !app.get_subcommands([&](const CLI::App* s) { return s->get_name() == cmd; }).empty())
        return false;
    if (!cmd.empty() && cmd[0] == '-') {  // CLI11 would only say "A subcommand is required"
        std::fprintf(stderr, "memspike: unknown option '%s' (before the command, only --help and --version; "
                             "commands: %s)\n", cmd.c_str(), known.c_str());
        return true;
    }
    std::string hint;
    for (const auto& c : commands)
        if (edit_distance(cmd, c) <= 2) hint = "; did you mean '" + c + "'?";
    std::fprintf(stderr, "memspike: unknown command '%s' (commands: %s)%s\n", cmd.c_str(), known.c_str(), hint.c_str());
    return true;
}

/// CLI11's own exit codes (100-114 for a parse error) mapped to ours: help and version exit 0,
/// everything CLI11 rejects (unknown option, missing or malformed argument) is a usage error, 1.
int usage_exit(const CLI::App& app, const CLI::ParseError& e, int argc, char** argv) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);  // prints help/version
    const std::string sub = argc > 1 && argv[1][0] != '-' ? std::string(" ") + argv[1] : "";
    std::string what = e.what();
    if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
        // CLI11 lists the extras in reverse ("2 --thread"): list them as they were typed.
        std::vector<std::string> extras = app.remaining(true);
        std::string typed;
        for (int i = 2; i < argc; ++i)
            if (const auto it = std::find(extras.begin(), extras.end(), argv[i]); it != extras.end()) {
                typed += " " + clipped(argv[i]);
                extras.erase(it);
            }
        if (!typed.empty()) what = "unknown option or unexpected argument:" + typed;  // else CLI11's words
    }
    // CLI11's texts echo the arguments: a message longer than any real one was built from a huge one.
    std::fprintf(stderr, "memspike%s: %s\nRun 'memspike%s --help' for usage.\n", sub.c_str(), clipped(what, 400).c_str(),
                 sub.c_str());
    return 1;
}

/// `memspike _test_throw KIND` (hidden): throws so that the tests can pin the exit code of each
/// kind of failure (tests/cli/test_exit_codes.sh), as python's _memspike._test_throw does.
[[noreturn]] void test_throw(const std::string& kind) {
    if (kind == "input") throw memspike::io_error("_test_throw: a bad-input error (exit 2)");
    throw memspike::internal_error("_test_throw: an internal error (exit 3)");
}

} // namespace

/// Reports a failure once and returns its exit code; see g_world for which rank reports it. A
/// failure after the shared phase of a run over several ranks ends every rank here.
int fail(const char* kind, const char* what, int code) {
    if (!g_world || g_world->size() == 1) {
        std::fprintf(stderr, "%s: %s\n", kind, what);
        return code;
    }
    if (g_shared_phase) {
        if (g_world->rank() == 0) std::fprintf(stderr, "%s: %s\n", kind, what);
        return code;
    }
    std::fprintf(stderr, "%s (rank %d of %d; stopping every rank): %s\n", kind, g_world->rank(), g_world->size(), what);
    std::fflush(stderr);
    g_world->abort(code);
    return code;  // not reached (abort ends the process); a virtual [[noreturn]] does not tell the compiler
}

// Exit codes (README "Exit codes"): 0 success; 1 usage error; 2 bad input; 3 internal error;
// 130 / 143 interrupted by SIGINT / SIGTERM.
int main(int argc, char** argv) {
    g_world = memspike::mpi_world(argc, argv);  // under mpirun only; MPI may take its arguments out of argv
    g_signal_silent = g_world && g_world->size() > 1;  // a signal before the run writes: mpirun reports it
    CLI::App app{"memspike: event-driven spiking-network simulator"};
    app.set_version_flag("--version", version_text, "print the version, git revision and energy preset directory");
    app.require_subcommand(1);

    common_args args;
    auto add_common = [&](CLI::App* sub) {
        sub->add_option("scenario", args.scenario, "scenario file (TOML)")->required();
        sub->add_option("--set", args.sets, "override a scenario value: dotted.key=TOML-value (repeatable)");
        sub->add_option("--input", args.nir_input, "SCENARIO is a NIR graph (.nir): its input section, a TOML file (docs/nir.md)");
        sub->add_option("--nir-dir", args.nir_dir, "SCENARIO is a NIR graph: where its scenario and connection files are written "
                                                   "(default: <graph name>_nir)");
        sub->add_option("--nir-time-unit", args.nir_time_unit, "SCENARIO is a NIR graph: what one NIR time unit is (default \"1 s\")");
    };

    auto* run = app.add_subcommand("run", "run a scenario, write HDF5, print a summary");
    add_common(run);
    run_args ra;
    run->add_option("-o,--output", ra.output, "HDF5 output file (default: <scenario name>.h5); an existing file is refused "
                                              "unless --overwrite");
    run->add_flag("--overwrite", ra.overwrite, "replace the output file if it exists (it is replaced only once the new "
                                               "file is closed: a crash leaves the old one)");
    auto* threads_opt = run->add_option("--threads", ra.threads, "worker threads (0: all cores); results do not depend on it");
    run->add_option("--seed", args.seed, "random seed (overrides simulation.seed)")->check(CLI::NonNegativeNumber);
    run->add_flag("-q,--quiet", ra.quiet, "print nothing but errors");
    const char* ignore_help = "build even when the resource estimate exceeds the available memory or free disk";
    run->add_flag("--ignore-resource-limits", args.ignore_resource_limits, ignore_help);

    auto* validate = app.add_subcommand("validate", "check a scenario file and report what it describes");
    add_common(validate);
    auto* report = app.add_subcommand("report", "energy per hardware model from a run's ledger (/energy), beside conventional baselines");
    std::string report_file, report_models, report_baseline;
    bool report_json = false;
    report->add_option("file", report_file, "HDF5 output of memspike run (finished or interrupted)")->required();
    report->add_option("--models", report_models, "comma-separated energy models: built-in names or preset files (default: all built-in)");
    report->add_option("--baseline", report_baseline, "the model of the \"x vs\" column: a built-in name or preset file (default: "
                                                      "the cheapest dense or event_driven model priced)");
    report->add_flag("--json", report_json, "print JSON instead of a table");
    std::string report_chips, inspect_chips;  // issue 14: chip architectures (docs/chips.md)
    report->add_option("--chips", report_chips, "also price the run on these chip descriptions, per tick (comma-separated, or all)");
    auto* inspect = app.add_subcommand("inspect", "build the network (without running) and report sizes, degrees, components and memory");
    add_common(inspect);
    inspect->add_flag("--ignore-resource-limits", args.ignore_resource_limits, ignore_help);
    inspect->add_option("--chip", inspect_chips, "also show the network mapped on these chip descriptions (comma-separated, or all)");
    auto* throw_cmd = app.add_subcommand("_test_throw", "")->group("");  // hidden: tests only
    std::string throw_kind;
    throw_cmd->add_option("kind", throw_kind, "input or internal")->required();
    if (unknown_command(app, argc, argv)) return 1;

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return usage_exit(app, e, argc, argv);
    }

    // Before any command reads or builds anything: see on_signal.
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    int rc = 1;
    try {
        ra.threads_given = threads_opt->count() > 0;
        if (memspike::cli::is_nir_graph(args.scenario)) {  // lowered to a scenario file first (docs/nir.md)
            if (ra.output.empty()) ra.output = std::filesystem::path(args.scenario).stem().string() + ".h5";
            args.scenario = memspike::cli::prepare_nir_scenario(args.scenario, args.nir_input, args.sets, args.nir_dir,
                                                                args.nir_time_unit);
        } else if (!args.nir_input.empty() || !args.nir_dir.empty() || !args.nir_time_unit.empty()) {
            throw memspike::error("--input, --nir-dir and --nir-time-unit are for NIR graphs (a .nir file), not for '" +
                                  args.scenario + "'");
        }
        if (*run) rc = cmd_run(args, ra, command_line(argc, argv));
        else if (*validate) rc = cmd_validate(args);
        else if (*inspect) rc = cmd_inspect(args, inspect_chips);
        else if (*report) rc = memspike::cli::cmd_report(report_file, report_models, report_baseline, report_json, report_chips);
        else if (*throw_cmd) test_throw(throw_kind);
    } catch (const memspike::error& e) {
        rc = fail("error", e.what(), 2);
    } catch (const std::exception& e) {
        rc = fail("internal error", e.what(), 3);
    }
    g_world.reset();  // MPI_Finalize: mpirun takes a rank that ends without it for a failure
    // Every file this process wrote is closed (or abandoned) by now. Ending without the exit
    // handlers skips HDF5's own close at exit, which crashes (exit 139, after its error stack)
    // on a file whose metadata could not be written, e.g. when the disk filled during a run
    // (issue 11, defects 3 and 14; HDF5 1.10 cannot close such a file).
    std::fflush(stdout);
    std::fflush(stderr);
    std::_Exit(rc);
}
