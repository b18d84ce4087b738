// SPDX-License-Identifier: MIT
// bench_crossbar: the crossbar workload of issue 15. examples/crossbar_brunel.toml (Brunel at half
// size, 2,490 tiles of 128 x 128) on the crossbar backend with every non-ideality at its default,
// and the same network on the digital backend, run back to back in alternating pairs (digital,
// crossbar, digital, crossbar, ...) so that a loaded machine slows both alike. Times are CPU
// seconds of the process (all threads), not wall time: other jobs on the machine change the wall
// time of a run far more than its CPU time. Build = constructing the simulation (connectivity,
// and for the crossbar the tile mapping and programming); sim = running T ms.
// Usage: bench_crossbar [--sim-ms T] [--pairs N] [--threads N] [--example FILE] [--set KEY=VALUE]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <time.h>

#include "memspike/backends/builtin.hpp"
#include "memspike/core/scenario.hpp"
#include "memspike/core/simulation.hpp"

namespace {

using namespace memspike;

double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

/// Peak resident set size of this process so far [bytes] (VmHWM).
std::size_t peak_rss() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0) return static_cast<std::size_t>(std::strtoull(line.c_str() + 6, nullptr, 10)) * 1024;
    return 0;
}

struct result {
    double build_cpu = 0, sim_cpu = 0;
    std::uint64_t spikes = 0, events = 0, tiles_woken = 0, row_drives = 0;
    std::size_t state_bytes = 0;
};

result run(const scenario& sc, unsigned threads, double sim_ms) {
    result r;
    const double c0 = cpu_seconds();
    simulation sim(sc, builtin_registry(), threads);
    r.build_cpu = cpu_seconds() - c0;
    r.state_bytes = sim.state_memory_bytes();
    run_options opt;
    opt.keep_spikes = false;
    const double c1 = cpu_seconds();
    sim.run(ms_to_ticks_round(sim_ms, sim.resolution_ms()), opt);
    r.sim_cpu = cpu_seconds() - c1;
    r.spikes = sim.counters().spikes;
    r.events = sim.counters().synaptic_events;
    const event_counts e = sim.events();
    if (e.has("crossbar_tiles_woken")) r.tiles_woken = e.at("crossbar_tiles_woken");
    if (e.has("crossbar_row_drives")) r.row_drives = e.at("crossbar_row_drives");
    return r;
}

void print(const char* backend, unsigned threads, int pair, const result& r) {
    std::printf("%-9s %3u %4d %9.3f %9.3f %12.4g %10llu %12llu %9.2f %10.1f\n", backend, threads, pair, r.build_cpu, r.sim_cpu,
                static_cast<double>(r.events) / r.sim_cpu, static_cast<unsigned long long>(r.spikes),
                static_cast<unsigned long long>(r.tiles_woken),
                r.tiles_woken ? static_cast<double>(r.row_drives) / static_cast<double>(r.tiles_woken) : 0.0,
                static_cast<double>(r.state_bytes) / 1048576.0);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
    double sim_ms = 200.0;
    int pairs = 2;
    std::vector<unsigned> thread_counts{1, 2};
    std::string file = "crossbar_brunel.toml";
    std::vector<override_entry> overrides;
    for (int k = 1; k < argc; ++k) {
        if (!std::strcmp(argv[k], "--sim-ms") && k + 1 < argc) {
            sim_ms = std::atof(argv[++k]);
        } else if (!std::strcmp(argv[k], "--pairs") && k + 1 < argc) {
            pairs = std::atoi(argv[++k]);
        } else if (!std::strcmp(argv[k], "--threads") && k + 1 < argc) {
            thread_counts = {static_cast<unsigned>(std::atoi(argv[++k]))};
        } else if (!std::strcmp(argv[k], "--example") && k + 1 < argc) {
            file = argv[++k];
        } else if (!std::strcmp(argv[k], "--set") && k + 1 < argc) {
            overrides.push_back(parse_override(argv[++k]));
        } else {
            std::fprintf(stderr, "usage: %s [--sim-ms T] [--pairs N] [--threads N] [--example FILE] [--set KEY=VALUE]...\n", argv[0]);
            return 2;
        }
    }
#ifdef MEMSPIKE_SOURCE_DIR
    const std::string path = MEMSPIKE_SOURCE_DIR "/examples/" + file;
#else
    const std::string path = "examples/" + file;
#endif
    scenario xbar = load_scenario(path, builtin_registry(), overrides);
    xbar.recording.all_spikes = false;
    scenario digital = xbar;
    digital.backend.kind = "digital";
    digital.backend.params.clear();

    std::printf("# bench_crossbar: %s, %.0f ms per run, %d alternating pairs per thread count; CPU seconds (all threads)\n",
                file.c_str(), sim_ms, pairs);
    std::printf("%-9s %3s %4s %9s %9s %12s %10s %12s %9s %10s\n", "backend", "thr", "pair", "build_cpu", "sim_cpu", "events/cpu_s",
                "spikes", "tiles_woken", "rows/tile", "state_MiB");
    for (const unsigned threads : thread_counts) {
        std::vector<double> ratio;
        for (int p = 0; p < pairs; ++p) {
            const result d = run(digital, threads, sim_ms);
            print("digital", threads, p, d);
            const result x = run(xbar, threads, sim_ms);
            print("crossbar", threads, p, x);
            ratio.push_back(x.sim_cpu / d.sim_cpu);
        }
        std::sort(ratio.begin(), ratio.end());
        std::printf("# %u thread(s): crossbar / digital simulation CPU time, median of %d pairs: %.2f\n", threads, pairs,
                    ratio[ratio.size() / 2]);
    }
    std::printf("# peak RSS of this process: %.0f MiB\n", static_cast<double>(peak_rss()) / 1048576.0);
    return 0;
}
