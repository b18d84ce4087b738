// SPDX-License-Identifier: MIT
// The _memspike extension module: one register_<area>() per C++ library, called by module.cpp in
// dependency order (errors, core, models).
#pragma once

#include <pybind11/pybind11.h>

namespace memspike::python {

namespace py = pybind11;

void register_errors(py::module_& m);
void register_core(py::module_& m);
void register_models(py::module_& m);

} // namespace memspike::python
