// SPDX-License-Identifier: MIT
// The resource estimate (memspike/core/resource_estimate.hpp) for Python: the figures as a dict,
// and the same refusal `memspike run` makes, so that Simulation(...) can check before it builds.
#include "bindings.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/stl.h>

#include "memspike/core/model.hpp"
#include "memspike/core/resource_estimate.hpp"

namespace memspike::python {

namespace {

py::dict as_dict(const resource_estimate& e) {
    py::dict d;
    d["neurons"] = e.neurons;
    d["synapses"] = e.synapses;
    d["unknown_synapses"] = e.unknown_synapses;
    d["partitions"] = e.partitions;
    d["threads"] = e.threads;
    d["ticks"] = e.ticks;
    d["duration_ms"] = e.duration_ms;
    d["peak_bytes"] = e.peak_bytes;
    d["steady_bytes"] = e.steady_bytes;
    d["baseline_bytes"] = e.baseline_bytes;
    d["analysis_bytes"] = e.analysis_bytes;
    py::dict memory;
    for (const auto& it : e.memory) memory[py::str(it.what)] = py::make_tuple(it.steady_bytes, it.build_bytes);
    d["memory"] = memory;  // what -> (steady bytes, build-peak bytes)
    d["stimulus_events"] = e.stimulus_events;
    d["source_spikes"] = e.source_spikes;
    d["neuron_spikes_max"] = e.neuron_spikes_max;
    d["synaptic_events"] = e.synaptic_events;
    d["synaptic_events_max"] = e.synaptic_events_max;
    py::dict output;
    for (const auto& o : e.output) output[py::str(o.what)] = py::make_tuple(o.bytes, o.max_bytes);
    d["output"] = output;  // what -> (bytes surely written, at most)
    d["output_bytes"] = e.output_bytes;
    d["output_max_bytes"] = e.output_max_bytes;
    d["text"] = format_resource_estimate(e);
    return d;
}

/// check_resources for Python. A memspike.Simulation keeps every recorded spike and sample in
/// memory (its memory_recorder), so with `in_memory_output` the output the run surely writes
/// (never the upper bound: spikes of unknown rate must not cause a refusal) is added to the peak,
/// and the hint says so. The host figures can be replaced so that tests need no huge machine.
void check(const scenario& sc, const model_registry& models, const std::string& output, const std::string& hint,
           bool in_memory_output, std::optional<double> memory_bytes, std::optional<double> disk_bytes) {
    resource_estimate e = estimate_resources(sc, models);
    host_resources host = query_host_resources(output);
    if (memory_bytes) {
        host.memory_bytes = *memory_bytes;
        host.memory_source = "as given";
    }
    if (disk_bytes) {
        host.disk_bytes = *disk_bytes;
        host.disk_path = output.empty() ? std::string(".") : output;
    }
    std::string why = hint;
    if (in_memory_output && e.output_bytes > 0) {
        e.peak_bytes = std::max(e.peak_bytes, e.steady_bytes + e.output_bytes);
        why = "record less (the simulation keeps the recorded spikes and samples in memory: an estimated " +
              format_bytes(e.output_bytes) + " of them are included), or " + hint;
    }
    check_resources(e, host, why);
}

/// check_sweep_resources for memspike.sweep: the points' estimates against this machine's memory.
void check_sweep(const std::vector<const scenario*>& specs, const model_registry& models, unsigned concurrent,
                 const std::string& hint, std::optional<double> memory_bytes) {
    std::vector<resource_estimate> points;
    points.reserve(specs.size());
    for (const scenario* sc : specs) points.push_back(estimate_resources(*sc, models));
    host_resources host = query_host_resources("");
    if (memory_bytes) {
        host.memory_bytes = *memory_bytes;
        host.memory_source = "as given";
    }
    check_sweep_resources(points, concurrent, host, hint);
}

}  // namespace

void register_estimate(py::module_& m) {
    m.def("estimate_resources",
          [](const scenario& sc, const model_registry& models) { return as_dict(estimate_resources(sc, models)); },
          py::arg("scenario"), py::arg("registry"),
          "The resource estimate of a validated scenario, from the scenario alone: neurons, synapses, memory (peak "
          "and running, bytes), events, output size (bytes before compression) and ticks, as a dict; 'text' is the "
          "summary `memspike validate` prints.");
    m.def("check_resources", &check, py::arg("scenario"), py::arg("registry"), py::arg("output") = "",
          py::arg("hint") = "pass ignore_resource_limits=True to run anyway", py::kw_only(),
          py::arg("in_memory_output") = false, py::arg("memory_bytes") = py::none(),
          py::arg("disk_bytes") = py::none(),
          "Raises memspike.Error (not enough memory / disk, with both numbers) when the estimate exceeds this "
          "machine's available memory or, with `output`, the free disk in its directory. `in_memory_output`: "
          "the recorded spikes and samples are also kept in memory (memspike.Simulation), so the output the run "
          "surely writes counts against the memory. `memory_bytes` / `disk_bytes` replace the host's figures "
          "(for tests; a negative figure is not checked).");
    m.def("check_sweep_resources", &check_sweep, py::arg("scenarios"), py::arg("registry"), py::arg("concurrent"),
          py::arg("hint") = "pass ignore_resource_limits=True to run anyway", py::kw_only(),
          py::arg("memory_bytes") = py::none(),
          "Raises memspike.Error (not enough memory, with every figure) when a sweep of these scenarios, "
          "`concurrent` at a time in this process with every point's output kept in memory, exceeds this "
          "machine's available memory. `memory_bytes` replaces the host's figure (for tests).");
}

}  // namespace memspike::python
