// SPDX-License-Identifier: MIT
// The processes of one run (docs/mpi.md): rank r of R, and the few collectives a network spread
// over ranks needs. Core uses only this interface, so it compiles and runs without MPI; the one
// implementation on MPI (core/src/mpi/mpi_world.cpp) exists only in builds with MEMSPIKE_WITH_MPI.
// Every call is a collective: every rank makes the same calls in the same order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace memspike {

/// What one rank's spike exchanges cost during its runs (docs/mpi.md, docs/benchmarks.md).
struct exchange_stats {
    std::uint64_t exchanges = 0;       // collective exchanges (one per minimum-delay interval at most)
    std::uint64_t bytes_sent = 0;      // this rank's part of them [bytes]
    std::uint64_t bytes_received = 0;  // every rank's parts, as this rank received them [bytes]
    double seconds = 0.0;              // wall time inside the exchanges, waiting for the slowest rank included [s]
};

class communicator {
public:
    virtual ~communicator() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    /// Every rank's bytes, concatenated in rank order, on every rank; `counts[r]` = bytes of rank r.
    virtual std::vector<std::byte> all_gather(std::span<const std::byte> mine, std::vector<std::size_t>& counts) = 0;
    /// As all_gather, but only rank 0 receives (the others get an empty vector and counts).
    virtual std::vector<std::byte> gather_to_root(std::span<const std::byte> mine, std::vector<std::size_t>& counts) = 0;
    /// Element-wise sum over ranks, in place, on every rank.
    virtual void sum(std::span<std::uint64_t> values) = 0;
    /// Element-wise minimum over ranks, in place, on every rank.
    virtual void min(std::span<std::int64_t> values) = 0;
    /// Ends every rank of the run at once with exit code `code` (a failure seen by one rank only:
    /// the others would wait in their next collective for ever). Does not return.
    [[noreturn]] virtual void abort(int code) = 0;

    /// Typed conveniences over all_gather / gather_to_root for trivially copyable T.
    template <class T>
    std::vector<T> all_gather_of(std::span<const T> mine, std::vector<std::size_t>& counts) {
        return typed<T>(all_gather(std::as_bytes(mine), counts), counts);
    }
    template <class T>
    std::vector<T> gather_of(std::span<const T> mine, std::vector<std::size_t>& counts) {
        return typed<T>(gather_to_root(std::as_bytes(mine), counts), counts);
    }

private:
    template <class T>
    static std::vector<T> typed(const std::vector<std::byte>& bytes, std::vector<std::size_t>& counts) {
        std::vector<T> out(bytes.size() / sizeof(T));
        if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), out.size() * sizeof(T));
        for (auto& c : counts) c /= sizeof(T);
        return out;
    }
};

/// True when this build has MPI (MEMSPIKE_WITH_MPI).
bool mpi_built();
/// The world communicator when this process was started by an MPI launcher (mpirun, srun: the
/// launcher's environment says so), after MPI_Init; null otherwise (a plain `memspike run` never
/// touches MPI). MPI is finalized when the returned object is destroyed.
std::unique_ptr<communicator> mpi_world(int& argc, char**& argv);

} // namespace memspike
