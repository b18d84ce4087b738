// SPDX-License-Identifier: MIT
// A build without MPI (MEMSPIKE_WITH_MPI off or MPI not found): every run is one process.
#include "memspike/core/communicator.hpp"

namespace memspike {

bool mpi_built() { return false; }

std::unique_ptr<communicator> mpi_world(int&, char**&) { return nullptr; }

} // namespace memspike
