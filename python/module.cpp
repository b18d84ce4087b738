// SPDX-License-Identifier: MIT
#include "bindings.hpp"

#include "memspike/core/version.hpp"

PYBIND11_MODULE(_memspike, m) {
    m.doc() = "memspike's C++ core. Use the `memspike` package, which wraps this module.";
    m.attr("__version__") = memspike::version;
    memspike::python::register_errors(m);
    memspike::python::register_units(m);
    memspike::python::register_scenario(m);
    memspike::python::register_simulation(m);
    memspike::python::register_energy(m);
    memspike::python::register_models(m);
    memspike::python::register_estimate(m);
    memspike::python::register_nir(m);
    memspike::python::register_chip(m);
}
