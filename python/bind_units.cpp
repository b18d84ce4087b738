// SPDX-License-Identifier: MIT
// Bindings of units and quantities: dimensions, parsing and formatting "20 ms", and the SI reading
// of bare Python numbers.
#include "bindings.hpp"
#include "convert.hpp"
#include "memspike/core/units.hpp"

namespace memspike::python {

void register_units(py::module_& m) {
    py::enum_<dimension>(m, "Dimension", "Physical dimension of a quantity; each has one internal unit.")
        .value("dimensionless", dimension::dimensionless)
        .value("time", dimension::time)
        .value("voltage", dimension::voltage)
        .value("current", dimension::current)
        .value("conductance", dimension::conductance)
        .value("capacitance", dimension::capacitance)
        .value("resistance", dimension::resistance)
        .value("frequency", dimension::frequency)
        .value("energy", dimension::energy)
        .value("power", dimension::power);
    m.def("parse_quantity", [](const std::string& text, dimension d) { return parse_quantity(text, d); }, py::arg("text"),
          py::arg("dimension"),
          "Parses \"20 ms\" and returns the value in the internal unit of `dimension` (ms, mV, pA, nS, pF, MOhm, Hz). "
          "Raises UnitError for a wrong or missing unit, NaN or infinity.");
    m.def("format_quantity", &format_quantity, py::arg("value"), py::arg("dimension"),
          "Formats a value given in the internal unit, e.g. format_quantity(20, Dimension.time) == '20 ms'.");
    m.def("internal_unit", [](dimension d) { return std::string(internal_unit(d)); }, py::arg("dimension"),
          "The internal unit of a dimension: 'ms', 'mV', 'pA', 'nS', 'pF', 'MOhm', 'Hz' or ''.");
    m.def("si_unit", &si_unit, py::arg("dimension"),
          "The SI unit that a bare number means in the Python API: 's', 'V', 'A', 'S', 'F', 'Ohm', 'Hz' or ''.");
    m.def("dimension_name", [](dimension d) { return std::string(dimension_name(d)); }, py::arg("dimension"));
    m.def("quantity", [](py::handle v, dimension d) { return quantity_from_py(v, d, "quantity", "value"); }, py::arg("value"),
          py::arg("dimension"),
          "A unit string or a number in SI units -> the value in the internal unit (quantity(0.02, time) == 20.0).");

}

} // namespace memspike::python
