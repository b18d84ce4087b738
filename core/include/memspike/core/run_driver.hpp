// SPDX-License-Identifier: MIT
// The run driver: one run of a built simulation with everything every face needs around it
// (`memspike run`, Python's Simulation.run, parameter sweeps): the output file attached for the run,
// the HDF5 output opened with its provenance and closed complete or not (also when the run
// throws), progress and stop requests passed through, the wall time, and the run priced with the
// shipped energy models into /energy/models. Installing signal handlers and printing stay with
// the face; what to do once the stop flag is set is decided here, once.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "memspike/core/energy.hpp"
#include "memspike/core/memory_recorder.hpp"
#include "memspike/core/recorder.hpp"
#include "memspike/core/simulation.hpp"

namespace memspike {

class model_registry;
struct backend_spec;

/// An energy model priced for a run: the estimate, or why the model does not apply to the run's
/// backend (then `estimate` is empty). The one place that decides whether a model applies, for
/// `memspike run`, `memspike report` and Python alike.
struct priced_energy {
    std::vector<std::string> mismatches;  // energy_model_mismatches(); empty: the model applies
    energy_estimate estimate;
    bool applies() const { return mismatches.empty(); }
};
priced_energy price_energy(const energy_model& model, const backend_spec& backend, const model_registry& models,
                           const event_counts& counts, const dense_profile& profile, tick_t ticks, double resolution_ms);

struct drive_options {
    /// HDF5 file that records this run (empty: none): created before the run with `info` as its
    /// provenance, closed after it with complete = 1 only if the run reached its end.
    std::string output;
    run_info info;
    /// No `output`, and record into nothing instead, at the moment the file would be attached:
    /// the ranks other than 0 of a run over several ranks (docs/mpi.md), whose simulation makes
    /// the same collective calls as rank 0's with its file.
    bool discard_output = false;
    /// Replace `output` if it exists (otherwise an existing file is refused before the run). The
    /// file is written beside it and replaces it only once closed (recorder::open_hdf5).
    bool overwrite = false;
    /// The recorder the caller keeps attached to the simulation across runs (an in-memory one,
    /// attached with simulation::attach; may be null). A run with `output` records into both and
    /// attaches it again afterwards (without it, the simulation is detached again). Closed
    /// after every run, like the file.
    recorder* attached = nullptr;
    const std::atomic<bool>* stop = nullptr;  // set (signal handler, Ctrl-C poll) to stop at the next tick
    progress_fn progress;                     // may be empty
    bool keep_spikes = true;                  // as run_options::keep_spikes
    /// When the scenario records a ledger: price the run with every shipped energy model that
    /// applies and store the totals in the recorders (/energy/models/<name>).
    bool price_energy = true;
};

struct drive_result {
    bool complete = false;  // the run reached its end (false: stopped through `stop`)
    double wall_s = 0.0;    // wall time of the simulation loop [s]
    tick_t ticks = 0;       // ticks simulated by this run
    /// Shipped energy models left out because they do not apply to the run: name, first reason.
    std::vector<std::pair<std::string, std::string>> not_applied;
};

/// Runs `ticks` more ticks of `sim` (built with `models`) as `opt` says. The output file is
/// attached for this run only, also when the run throws. An exception from the run closes the
/// file (complete = 0) and the attached recorder before it propagates.
drive_result drive_run(simulation& sim, const model_registry& models, tick_t ticks, const drive_options& opt);

/// A parameter sweep: runs each scenario for its duration on one thread, `threads` points at a
/// time (0: all cores), each recorded in memory (spikes, traces, ledger; provenance from
/// `command_lines[i]`). While the points run, `poll` (may be empty) is called on the calling
/// thread about every 50 ms; returning true stops every point at its next tick (those results
/// say complete = false). Results never depend on `threads`. The first exception of a point is
/// rethrown once every point has stopped.
std::vector<run_data> run_sweep(std::span<const scenario* const> specs, const model_registry& models, unsigned threads,
                                std::span<const std::string> command_lines, const std::function<bool()>& poll);

} // namespace memspike
