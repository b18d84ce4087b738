// SPDX-License-Identifier: MIT
#include "ranks.hpp"

#include <sys/resource.h>

#include <cstdio>

namespace memspike::cli {

void print_rank_table(communicator& world, const simulation& sim, double wall_s, bool print) {
    struct rank_line {
        double wall_s, cpu_s, exchange_s, peak_mib;
        std::uint64_t synapses, exchanges, sent, received;
    };
    rusage use{};
    getrusage(RUSAGE_SELF, &use);  // ru_maxrss: peak resident set [KiB] on Linux
    const exchange_stats& x = sim.exchanges();
    const double cpu_s = static_cast<double>(use.ru_utime.tv_sec + use.ru_stime.tv_sec) +
                         1e-6 * static_cast<double>(use.ru_utime.tv_usec + use.ru_stime.tv_usec);  // build included
    const rank_line mine{wall_s, cpu_s, x.seconds, static_cast<double>(use.ru_maxrss) / 1024.0, sim.synapses().synapse_count(),
                         x.exchanges, x.bytes_sent, x.bytes_received};
    std::vector<std::size_t> counts;
    const auto lines = world.gather_of<rank_line>(std::span<const rank_line>(&mine, 1), counts);
    if (!print) return;
    std::printf("  %d ranks, spikes exchanged once per minimum delay:\n", world.size());
    std::printf("    rank   synapses  peak MiB   run s   CPU s  exchange s  exchanges  sent B/exch  received B/exch\n");
    for (std::size_t r = 0; r < lines.size(); ++r) {
        const rank_line& l = lines[r];
        const double n = l.exchanges > 0 ? static_cast<double>(l.exchanges) : 1.0;
        std::printf("    %4zu %10llu %9.1f %7.3f %7.2f %11.3f %10llu %12.1f %16.1f\n", r, static_cast<unsigned long long>(l.synapses),
                    l.peak_mib, l.wall_s, l.cpu_s, l.exchange_s, static_cast<unsigned long long>(l.exchanges),
                    static_cast<double>(l.sent) / n, static_cast<double>(l.received) / n);
    }
}

} // namespace memspike::cli
