// SPDX-License-Identifier: MIT
// run_info::of: the provenance of a run, filled in one place for the CLI and Python.
#include "memspike/core/recorder.hpp"

#include <utility>

#include "memspike/core/spec.hpp"
#include "memspike/core/version.hpp"

namespace memspike {

run_info run_info::of(const scenario& sc, unsigned threads, std::string command_line) {
    run_info info;
    info.memspike_version = version;
    info.scenario_file = sc.file;
    info.scenario_text = sc.text;
    info.scenario_overrides = sc.overrides;
    info.seed = sc.simulation.seed;
    info.resolution_ms = sc.simulation.resolution_ms;
    info.duration_ms = sc.simulation.duration_ms;
    info.threads = threads;
    info.command_line = std::move(command_line);
    info.backend = sc.backend.kind;
    info.backend_params = sc.backend.params;
    info.inference_ms = sc.recording.inference_ms;
    return info;
}

}  // namespace memspike
