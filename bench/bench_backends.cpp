// SPDX-License-Identifier: MIT
// bench_backends: the same network on the digital (event-driven), dense (clock-driven) and
// crossbar backends, over a range of activity: wall time per simulated second against the
// firing rate, which is where event-driven simulation wins or loses against a dense machine.
// Network: Brunel model A with N_E = 2,000 (C_E = 200, J = 0.5 mV so that J C_E is as at scale 1,
// g = 5), the external drive eta varied. One thread. Usage: bench_backends [--sim-ms T]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "memspike/backends/builtin.hpp"
#include "memspike/core/simulation.hpp"
#include "networks.hpp"

int main(int argc, char** argv) {
    using namespace memspike;
    double sim_ms = 200.0;
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--sim-ms") == 0 && i + 1 < argc) sim_ms = std::atof(argv[++i]);
    std::printf("# bench_backends: Brunel N_E = 2000, C_E = 200, J = 0.5 mV, g = 5; %.0f ms per run; 1 thread\n", sim_ms);
    std::printf("%-9s %5s %9s %12s %14s %14s %12s\n", "backend", "eta", "rate_Hz", "wall_s/sim_s", "syn_events/s", "dense_MACs",
                "tiles_woken");
    for (const double eta : {0.8, 1.0, 1.5, 2.0, 4.0})
        for (const char* backend : {"digital", "dense", "crossbar"}) {
            scenario sc = bench::brunel(2000, 200, 5.0, eta, 1, 0.5);
            sc.backend.kind = backend;
            sc.simulation.duration_ms = sim_ms;
            simulation sim(sc, builtin_registry(), 1);
            const auto t0 = std::chrono::steady_clock::now();
            sim.run(sc.duration_ticks());
            const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            const event_counts e = sim.events();
            const double sim_s = sim_ms * 1e-3;
            std::printf("%-9s %5.1f %9.2f %12.3f %14.4g %14.4g %12.4g\n", backend, eta,
                        static_cast<double>(e[event_kind::spikes]) / (2500.0 * sim_s), wall / sim_s,
                        static_cast<double>(e[event_kind::synaptic_events]) / wall, static_cast<double>(e.at("dense_macs")),
                        static_cast<double>(e.at("crossbar_tiles_woken")));
            std::fflush(stdout);
        }
    return 0;
}
