// SPDX-License-Identifier: MIT
// Bindings of memspike::models: the built-in registry. Model parameters reach Python through the
// generic param_info table (bind_scenario.cpp), so a new model needs no binding code here.
#include "bindings.hpp"
#include "memspike/backends/builtin.hpp"

namespace memspike::python {

void register_models(py::module_& m) {
    m.def("builtin_models", &builtin_registry, py::return_value_policy::reference,
          "The registry of every built-in neuron model, plasticity rule and synaptic backend.");
}

} // namespace memspike::python
