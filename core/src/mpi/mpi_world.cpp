// SPDX-License-Identifier: MIT
// The communicator on MPI (docs/mpi.md): MPI_COMM_WORLD, collectives only. The one file that
// includes mpi.h. Byte counts travel as MPI_INT (MPI's own count type), so one rank's part of one
// collective is limited to 2 GiB: refused with a message, never truncated.
#include "memspike/core/communicator.hpp"

#include <climits>
#include <cstdlib>
#include <numeric>

#include <mpi.h>

#include "memspike/core/errors.hpp"

namespace memspike {
namespace {

int count_of(std::size_t bytes) {
    if (bytes > static_cast<std::size_t>(INT_MAX))
        throw error("MPI: one rank's part of a collective is " + std::to_string(bytes) +
                    " bytes, above MPI's 2 GiB per call (use more ranks or record less)");
    return static_cast<int>(bytes);
}

void check(int rc, const char* what) {
    if (rc == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, text, &len);
    throw error(std::string("MPI: ") + what + " failed: " + std::string(text, static_cast<std::size_t>(len)));
}

class mpi_communicator final : public communicator {
public:
    mpi_communicator() {
        MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
        MPI_Comm_size(MPI_COMM_WORLD, &size_);
        // Errors come back as codes (then an exception naming the call), not as an abort inside MPI.
        MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    }
    ~mpi_communicator() override { MPI_Finalize(); }
    mpi_communicator(const mpi_communicator&) = delete;
    mpi_communicator& operator=(const mpi_communicator&) = delete;

    int rank() const override { return rank_; }
    int size() const override { return size_; }

    std::vector<std::byte> all_gather(std::span<const std::byte> mine, std::vector<std::size_t>& counts) override {
        std::vector<int> n(static_cast<std::size_t>(size_)), at(static_cast<std::size_t>(size_));
        const int my = count_of(mine.size());
        check(MPI_Allgather(&my, 1, MPI_INT, n.data(), 1, MPI_INT, MPI_COMM_WORLD), "MPI_Allgather");
        return gathered(mine, n, at, counts, true);
    }

    std::vector<std::byte> gather_to_root(std::span<const std::byte> mine, std::vector<std::size_t>& counts) override {
        std::vector<int> n(static_cast<std::size_t>(size_)), at(static_cast<std::size_t>(size_));
        const int my = count_of(mine.size());
        check(MPI_Gather(&my, 1, MPI_INT, n.data(), 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Gather");
        return gathered(mine, n, at, counts, false);
    }

    void sum(std::span<std::uint64_t> values) override {
        check(MPI_Allreduce(MPI_IN_PLACE, values.data(), count_of(values.size()), MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD),
              "MPI_Allreduce(sum)");
    }

    void min(std::span<std::int64_t> values) override {
        check(MPI_Allreduce(MPI_IN_PLACE, values.data(), count_of(values.size()), MPI_INT64_T, MPI_MIN, MPI_COMM_WORLD),
              "MPI_Allreduce(min)");
    }

    [[noreturn]] void abort(int code) override {
        MPI_Abort(MPI_COMM_WORLD, code);
        std::_Exit(code);  // MPI_Abort does not return; this keeps [[noreturn]] honest if it did
    }

private:
    /// The second step of a gather: the byte counts are known (n), now the bytes.
    std::vector<std::byte> gathered(std::span<const std::byte> mine, std::vector<int>& n, std::vector<int>& at,
                                    std::vector<std::size_t>& counts, bool everyone) {
        std::size_t total = 0;
        for (std::size_t r = 0; r < n.size(); ++r) {
            if (total > static_cast<std::size_t>(INT_MAX) - static_cast<std::size_t>(n[r]))
                throw error("MPI: a gather of more than 2 GiB in one call (use more ranks or record less)");
            at[r] = static_cast<int>(total);
            total += static_cast<std::size_t>(n[r]);
        }
        const bool receives = everyone || rank_ == 0;
        std::vector<std::byte> out(receives ? total : 0);
        // MPI takes a non-const send buffer in older headers; it is not written.
        void* send = const_cast<std::byte*>(mine.data());
        const int my = static_cast<int>(mine.size());
        if (everyone)
            check(MPI_Allgatherv(send, my, MPI_BYTE, out.data(), n.data(), at.data(), MPI_BYTE, MPI_COMM_WORLD), "MPI_Allgatherv");
        else
            check(MPI_Gatherv(send, my, MPI_BYTE, out.data(), n.data(), at.data(), MPI_BYTE, 0, MPI_COMM_WORLD), "MPI_Gatherv");
        counts.assign(receives ? n.size() : 0, 0);
        for (std::size_t r = 0; r < counts.size(); ++r) counts[r] = static_cast<std::size_t>(n[r]);
        return out;
    }

    int rank_ = 0, size_ = 1;
};

/// Whether an MPI launcher started this process: Open MPI's mpirun, PMIx (Open MPI 4+, Slurm)
/// or PMI (MPICH, Slurm) set these. Without one, MPI is never initialised: a plain run stays a
/// plain process (Open MPI's singleton start would spawn a helper daemon).
bool launched_by_mpi() {
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"})
        if (std::getenv(v) != nullptr) return true;
    return false;
}

} // namespace

bool mpi_built() { return true; }

std::unique_ptr<communicator> mpi_world(int& argc, char**& argv) {
    if (!launched_by_mpi()) return nullptr;
    int ready = 0;
    MPI_Initialized(&ready);
    if (!ready) MPI_Init(&argc, &argv);
    return std::make_unique<mpi_communicator>();
}

} // namespace memspike
