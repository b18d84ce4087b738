// SPDX-License-Identifier: MIT
// Conversions between the C++ types and what the Python face hands out, shared by the bind_*.cpp
// files. No logic of the simulator lives here: only the shape of the data changes.
//
// Conventions of the Python face:
// - Results come back in internal units, with the unit in the name (times_ms, resolution_ms) or
//   next to the data (a trace's `unit`). Spike ids are uint32, ticks int64, values float64.
// - Arrays built from data that no longer changes (sweep results) are numpy views of the C++
//   vectors, kept alive by a capsule; arrays of a Simulation that can still run are copies.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "memspike/core/energy.hpp"
#include "memspike/core/memory_recorder.hpp"
#include "memspike/core/scenario.hpp"
#include "memspike/core/units.hpp"

namespace memspike::python {

/// The SI unit symbol of a dimension (what a bare Python float means): "s", "V", "A", ...
std::string si_unit(dimension d);

/// A quantity given from Python: a unit string ("20 ms"), parsed by parse_quantity. A plain number
/// is refused with unit_error (issue 11, defect 15): it could mean the SI or the internal unit.
/// (memspike._values turns quantities / Brian2 objects into unit strings before they get here.)
double quantity_from_py(py::handle v, dimension d, const std::string& owner, const std::string& name);

/// A name argument from Python (a model, a backend, a parameter): the str, or a TypeError naming
/// `owner`'s `arg` (not pybind11's "incompatible function arguments ... Invoked with").
std::string name_from_py(py::handle name, const std::string& owner, const std::string& arg);

/// A thread count from Python: None -> `dflt`; an integer >= 0 that fits in unsigned; otherwise a
/// TypeError or InvalidParameter naming `owner`'s threads (never pybind11's "Unable to cast").
/// The upper limit (65536) is core's threads_rule_broken, applied by the simulation itself.
unsigned threads_from_py(py::handle threads, unsigned dflt, const std::string& owner);

std::vector<override_entry> to_overrides(const std::vector<std::pair<std::string, std::string>>& kv);

/// A numpy array that views the vector's memory; the vector lives in a capsule owned by the array.
template <class T>
py::array_t<T> view_of(std::vector<T>&& v, std::vector<py::ssize_t> shape) {
    auto* owner = new std::vector<T>(std::move(v));
    py::capsule base(owner, [](void* p) { delete static_cast<std::vector<T>*>(p); });
    return py::array_t<T>(shape, owner->data(), base);
}
template <class T>
py::array_t<T> view_of(std::vector<T>&& v) {
    const auto n = static_cast<py::ssize_t>(v.size());
    return view_of(std::move(v), {n});
}

/// A trace as memspike.results.Trace reads it: population, variable, unit, interval_ticks,
/// neurons, ticks and values[samples, neurons].
py::dict trace_dict(trace_data&& t);

/// The ledger bins as /energy holds them: {"categories", "bin_ticks", "neurons", "synapses",
/// "dense_weights", "inference_ms", "ticks" int64[bins], "counts" uint64[bins, categories]}, or
/// None when the scenario records no ledger.
py::object energy_data_dict(energy_data&& e, double inference_ms);

/// An energy estimate as Python sees it (energies in J), the same for a live simulation and a
/// file: total_j, compute_j, memory_j, idle_j, simulated_ms, the itemised lines and, when the
/// scenario sets [recording] inference, inference_ms and per_inference_j.
py::dict energy_dict(const energy_estimate& e, tick_t ticks, double resolution_ms, double inference_ms);

/// The estimate of `model` for a run of the synaptic backend `run_backend` (price_energy), as a
/// dict. A preset that prices another backend's counts (reram_crossbar on a digital run) would
/// give a meaningless total: refused with memspike.Error, as `memspike report` leaves it out.
py::dict price(const std::string& model, const backend_spec& run_backend, const event_counts& counts, const dense_profile& d,
               tick_t ticks, double resolution_ms, double inference_ms);

/// Ledger counts by category name (dict from Python) -> event_counts; an unknown name is an error
/// naming the known ones, a missing one counts 0.
event_counts counts_from_py(const std::map<std::string, std::uint64_t>& counts);
py::dict counts_dict(const event_counts& e);

/// run_data -> {"attrs": {...}, "spikes": {pop: {...}}, "traces": {pop: {var: {...}}}, "energy"},
/// the layout of the HDF5 file (docs/hdf5-schema.md), consumed by memspike.results.Result.
py::dict data_dict(run_data&& r);

} // namespace memspike::python
