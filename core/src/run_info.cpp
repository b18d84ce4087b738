// SPDX-License-Identifier: MIT
// run_info::of: the provenance of a run, filled in one place for the CLI and Python.
#include "memspike/core/recorder.hpp"

#include <utility>

#include "memspike/core/model.hpp"
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
    for (std::size_t k = 0; k < sc.populations.size(); ++k)
        for (const auto& [name, pn] : sc.populations[k].per_neuron)
            info.neuron_params.push_back({sc.populations[k].name, name, pn.unit,
                                          neuron_parameter_values(sc.populations[k], static_cast<std::uint32_t>(k),
                                                                  sc.simulation.seed, name, 0, sc.populations[k].size)});
    return info;
}

}  // namespace memspike
