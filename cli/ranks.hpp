// SPDX-License-Identifier: MIT
// `memspike run` under mpirun (docs/mpi.md): what each rank spent, printed by rank 0.
#pragma once

#include "memspike/core/communicator.hpp"
#include "memspike/core/simulation.hpp"

namespace memspike::cli {

/// Gathers every rank's synapses, peak memory, CPU time (build included) and exchange cost to rank 0, which
/// prints one line per rank (a collective: every rank calls it). `wall_s` is the rank's run time.
void print_rank_table(communicator& world, const simulation& sim, double wall_s, bool print);

} // namespace memspike::cli
