// SPDX-License-Identifier: MIT
// The _memspike extension module: one register_<area>() per area of the C++ libraries, called by
// module.cpp in dependency order. The bindings convert types, add docstrings and release the GIL;
// what they bind (the run driver, sweeps, pricing) lives in core.
#pragma once

#include <pybind11/pybind11.h>

namespace memspike::python {

namespace py = pybind11;

void register_errors(py::module_& m);      // bind_errors.cpp: the exception hierarchy
void register_units(py::module_& m);       // bind_units.cpp: dimensions and quantities
void register_scenario(py::module_& m);    // bind_scenario.cpp: registry types, scenarios
void register_simulation(py::module_& m);  // bind_simulation.cpp: Simulation, run_sweep
void register_energy(py::module_& m);      // bind_energy.cpp: presets, pricing, a file's ledger
void register_models(py::module_& m);      // bind_models.cpp: the built-in registry
void register_estimate(py::module_& m);    // bind_estimate.cpp: resource estimate and check
void register_nir(py::module_& m);         // bind_nir.cpp: NIR graphs lowered to scenarios
void register_chip(py::module_& m);        // bind_chip.cpp: chip descriptions, a run priced per tick

} // namespace memspike::python
