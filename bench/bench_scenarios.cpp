// SPDX-License-Identifier: MIT
// bench_scenarios: whole networks, one line per (scenario, threads). Not Google Benchmark: each run
// is long (seconds) and what matters is the table: network size, simulated and wall seconds,
// delivered synaptic events per wall second, activity, and bytes per synapse (RSS growth during
// construction / synapse count). Usage: bench_scenarios [--quick] [--sim-ms T] [--only NAME]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "memspike/core/scenario.hpp"
#include "memspike/core/simulation.hpp"
#include "memspike/core/version.hpp"
#include "memspike/backends/builtin.hpp"
#include "networks.hpp"

namespace {

using namespace memspike;

/// Resident set size of this process [bytes], from /proc/self/status (VmRSS).
std::size_t rss_bytes() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0) return static_cast<std::size_t>(std::strtoull(line.c_str() + 6, nullptr, 10)) * 1024;
    return 0;
}

/// CPU time of this process [s]. On a shared machine the wall time of a run grows with the other
/// jobs; its CPU time (one thread) does much less, and it is what Brian2's run loop reports.
double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

std::string command_output(const std::string& cmd) {
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
        char buf[256];
        while (std::fgets(buf, sizeof buf, p)) out += buf;
        pclose(p);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

/// The revision of the source tree: asked of git at run time (so a rebuild after a commit is not
/// needed), else the one CMake saw at configure time.
std::string revision() {
#ifdef MEMSPIKE_SOURCE_DIR
    const std::string rev = command_output("git -C '" MEMSPIKE_SOURCE_DIR "' describe --always --dirty --abbrev=7 2>/dev/null");
    if (!rev.empty()) return rev;
#endif
#ifdef MEMSPIKE_GIT_REVISION
    return MEMSPIKE_GIT_REVISION " (configure time)";
#else
    return "unknown";
#endif
}

/// A shipped example scenario (examples/<file>), read as `memspike run` reads it, without
/// recording: the published benchmark networks are kept in one place, the example file.
scenario example(const std::string& file, const std::vector<override_entry>& overrides = {}) {
#ifdef MEMSPIKE_SOURCE_DIR
    scenario sc = load_scenario(MEMSPIKE_SOURCE_DIR "/examples/" + file, builtin_registry(), overrides);
#else
    scenario sc = load_scenario("examples/" + file, builtin_registry(), overrides);
#endif
    sc.recording.all_spikes = false;
    return sc;
}

std::string cpu_model() {
    std::ifstream f("/proc/cpuinfo");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("model name", 0) == 0) {
            const auto colon = line.find(':');
            return colon == std::string::npos ? line : line.substr(colon + 2);
        }
    return "unknown";
}

struct result {
    std::string scenario;
    unsigned threads = 1;
    std::uint64_t neurons = 0, synapses = 0, spikes = 0, events = 0, stimulus_events = 0;
    double build_s = 0, build_cpu_s = 0, sim_s = 0, wall_s = 0, cpu_s = 0, bytes_per_synapse = 0, store_bytes_per_synapse = 0;
    double plastic_bytes_per_synapse = 0;  // plastic blocks + reverse index + rule state, per plastic synapse
};

result run_one(const std::string& name, const scenario& sc, unsigned threads, double warmup_ms, double sim_ms) {
    using clock = std::chrono::steady_clock;
    result r;
    r.scenario = name;
    r.threads = threads;
    const std::size_t rss0 = rss_bytes();
    const auto b0 = clock::now();
    const double bc0 = cpu_seconds();
    auto sim = std::make_unique<simulation>(sc, builtin_registry(), threads);
    r.build_s = std::chrono::duration<double>(clock::now() - b0).count();
    r.build_cpu_s = cpu_seconds() - bc0;
    const std::size_t rss1 = rss_bytes();
    r.neurons = sim->neuron_count();
    r.synapses = sim->synapses().synapse_count();
    r.bytes_per_synapse = r.synapses ? static_cast<double>(rss1 - rss0) / static_cast<double>(r.synapses) : 0.0;
    r.store_bytes_per_synapse =
        r.synapses ? static_cast<double>(sim->synapses().memory_bytes()) / static_cast<double>(r.synapses) : 0.0;

    const auto [plastic_bytes, plastic_synapses] = sim->plastic_memory();
    r.plastic_bytes_per_synapse = plastic_synapses ? static_cast<double>(plastic_bytes) / static_cast<double>(plastic_synapses) : 0.0;

    run_options opt;
    opt.keep_spikes = false;
    const double h = sim->resolution_ms();
    sim->run(ms_to_ticks_round(warmup_ms, h), opt);
    const run_counters before = sim->counters();
    const tick_t ticks = ms_to_ticks_round(sim_ms, h);
    const auto t0 = clock::now();
    const double c0 = cpu_seconds();
    sim->run(ticks, opt);
    r.wall_s = std::chrono::duration<double>(clock::now() - t0).count();
    r.cpu_s = cpu_seconds() - c0;
    const run_counters& after = sim->counters();
    r.sim_s = static_cast<double>(ticks) * h * 1e-3;
    r.spikes = after.spikes - before.spikes;
    r.events = after.synaptic_events - before.synaptic_events;
    r.stimulus_events = after.stimulus_events - before.stimulus_events;
    return r;
}

void print_header() {
    std::printf("%-12s %3s %8s %10s %6s %8s %8s %12s %12s %10s %8s %8s %8s %9s %8s %9s\n", "scenario", "thr", "neurons", "synapses",
                "sim_s", "wall_s", "build_s", "events/s", "stim_ev/s", "spikes", "rate_Hz", "B/syn", "store_B", "plastic_B", "cpu_s", "build_cpu");
}

void print(const result& r) {
    const double rate = r.neurons && r.sim_s > 0 ? static_cast<double>(r.spikes) / static_cast<double>(r.neurons) / r.sim_s : 0.0;
    std::printf("%-12s %3u %8llu %10llu %6.2f %8.3f %8.2f %12.4g %12.4g %10llu %8.2f %8.2f %8.2f %9.2f %8.3f %9.2f\n", r.scenario.c_str(),
                r.threads, static_cast<unsigned long long>(r.neurons), static_cast<unsigned long long>(r.synapses), r.sim_s,
                r.wall_s, r.build_s, static_cast<double>(r.events) / r.wall_s, static_cast<double>(r.stimulus_events) / r.wall_s,
                static_cast<unsigned long long>(r.spikes), rate, r.bytes_per_synapse, r.store_bytes_per_synapse,
                r.plastic_bytes_per_synapse, r.cpu_s, r.build_cpu_s);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
    double sim_ms = 1000.0;
    std::string only;
    std::vector<unsigned> thread_counts = {1, 2};
    double scale = 0.0;  // pd14 and brunel_large only; 0: their defaults
    for (int k = 1; k < argc; ++k) {
        if (!std::strcmp(argv[k], "--quick")) {
            sim_ms = 200.0;
        } else if (!std::strcmp(argv[k], "--sim-ms") && k + 1 < argc) {
            sim_ms = std::atof(argv[++k]);
        } else if (!std::strcmp(argv[k], "--only") && k + 1 < argc) {
            only = argv[++k];
        } else if (!std::strcmp(argv[k], "--threads") && k + 1 < argc) {
            thread_counts = {static_cast<unsigned>(std::atoi(argv[++k]))};
        } else if (!std::strcmp(argv[k], "--scale") && k + 1 < argc) {
            scale = std::atof(argv[++k]);
        } else {
            std::fprintf(stderr,
                         "usage: %s [--quick] [--sim-ms T] [--only brunel|brunel_stdp|cuba|cuba_example|bench4|coba|coba_euler|pd14|brunel_large] [--threads N] [--scale S]\n"
                         "  runs each scenario for T ms (default 1000) after a 100 ms warm-up, on 1 and 2 threads;\n"
                         "  pd14 (examples/pd14.toml at scale S, default 0.2) and brunel_large (Brunel model A with\n"
                         "  N_E = 640,000 S, C_E = 1,000: 10^9 synapses at S = 1, default S = 0.25) run only when named\n",
                         argv[0]);
            return 2;
        }
    }
    const std::time_t now = std::time(nullptr);
    char date[64];
    std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S %Z", std::localtime(&now));
    std::printf("# memspike %s, revision %s\n# host: %s, %u hardware threads\n# date: %s\n", memspike::version,
                revision().c_str(), cpu_model().c_str(), std::thread::hardware_concurrency(), date);
    std::printf("# events/s: delivered synaptic events (through synapses) per wall second of the run;\n"
                "# stim_ev/s: Poisson stimulus events per wall second; B/syn: RSS growth while building / synapses;\n"
                "# store_B: synapse_store::memory_bytes() / synapses; wall_s excludes building (build_s);\n"
                "# cpu_s: the process's CPU time over the same run (all threads).\n");
    print_header();

    struct entry {
        std::string name;
        scenario sc;
    };
    // Brunel with additive STDP on E->E (10 M of its 15.6 M synapses plastic). A small step keeps
    // the AI state over the benchmark; the cost per event does not depend on the step.
    scenario plastic = bench::brunel(10000, 1000, 5.0, 2.0);
    plastic.projections[0].plasticity.rule = "stdp";
    plastic.projections[0].plasticity.interaction = "all_to_all";
    plastic.projections[0].plasticity.params = {{"lambda", 1e-4}, {"alpha", 1.05}, {"w_max", 0.2}};
    std::vector<entry> scenarios = {{"brunel", bench::brunel(10000, 1000, 5.0, 2.0)},
                                    {"brunel_stdp", plastic},
                                    {"cuba", bench::cuba()}};
    // Brette et al. (2007) benchmarks 2 and 4 as shipped (issue 13): CUBA with lif_exp and its
    // voltage-jump twin with lif_delta, every neuron driven above threshold by E_L > V_th.
    if (only.empty() || only == "cuba_example") scenarios.push_back({"cuba_example", example("cuba.toml")});
    if (only.empty() || only == "bench4") scenarios.push_back({"bench4", example("bench4_delta.toml")});
    // Brette et al. (2007) benchmark 1 (Vogels-Abbott COBA, lif_cond_exp), the workload Auryn's
    // sim_coba_benchmark runs (issue 13).
    if (only.empty() || only == "coba") scenarios.push_back({"coba", example("coba.toml")});
    // The same network with integrator = "euler", Auryn's scheme for V (decisions.md §43): the
    // like-for-like comparison with sim_coba_benchmark, not the default.
    if (only.empty() || only == "coba_euler")
        scenarios.push_back({"coba_euler", example("coba.toml", {{"population.E.params.integrator", "\"euler\""},
                                                                 {"population.I.params.integrator", "\"euler\""}})});
    // Issue 13's large workloads, only on request (minutes and GiB each): PD14 (simulation.scale
    // keeps the in-degrees) and Brunel at up to 10^9 synapses (item 5).
    if (only == "pd14") {
        const std::string s = std::to_string(scale > 0 ? scale : 0.2);
        scenarios.push_back({"pd14", example("pd14.toml", {{"simulation.scale", s}})});
    }
    if (only == "brunel_large")
        scenarios.push_back({"brunel_large", bench::brunel(static_cast<std::uint64_t>(640000 * (scale > 0 ? scale : 0.25)),
                                                           1000, 5.0, 2.0)});
    for (const auto& e : scenarios) {
        if (!only.empty() && only != e.name) continue;
        for (const unsigned threads : thread_counts) {
            // Each run in a fresh child process, so that its RSS growth is not hidden by memory a
            // previous run gave back to the allocator (and no thread pool exists before it).
            std::fflush(stdout);
            const pid_t child = fork();
            if (child == 0) {
                try {
                    print(run_one(e.name, e.sc, threads, 100.0, sim_ms));
                } catch (const std::exception& ex) {
                    std::fprintf(stderr, "%s: %s\n", e.name.c_str(), ex.what());
                    std::fflush(stdout);
                    std::_Exit(1);
                }
                std::_Exit(0);
            }
            int status = 0;
            if (child < 0 || waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                std::fprintf(stderr, "run %s on %u threads failed\n", e.name.c_str(), threads);
                return 1;
            }
        }
    }
    return 0;
}
