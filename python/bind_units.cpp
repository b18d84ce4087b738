// SPDX-License-Identifier: MIT
// Bindings of units and quantities: dimensions, parsing and formatting "20 ms". Bare Python numbers
// are not quantities (issue 11, defect 15): convert.cpp's quantity_from_py refuses them.
#include "bindings.hpp"
#include "convert.hpp"
#include "memspike/core/units.hpp"

namespace memspike::python {
namespace {

/// A Dimension, or its name ("time"), from Python; TypeError naming the dimensions otherwise (not
/// pybind11's "incompatible function arguments ... Invoked with").
dimension dimension_from_py(py::handle d, const std::string& owner) {
    if (py::isinstance<dimension>(d)) return d.cast<dimension>();
    const py::dict members = py::type::of<dimension>().attr("__members__");
    if (py::isinstance<py::str>(d) && members.contains(d)) return members[d].cast<dimension>();
    std::string names;
    for (const auto& [name, _] : members) names += (names.empty() ? "" : ", ") + name.cast<std::string>();
    throw py::type_error(owner + ": dimension must be a memspike.Dimension or one of the names " + names + ", not " +
                         py::repr(d).cast<std::string>().substr(0, 60));
}

} // namespace

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
    m.def("parse_quantity", [](py::handle text, py::handle d) {
              if (!py::isinstance<py::str>(text))
                  throw py::type_error(std::string("parse_quantity: text must be a string such as \"20 ms\", not ") +
                                       Py_TYPE(text.ptr())->tp_name);
              return parse_quantity(text.cast<std::string>(), dimension_from_py(d, "parse_quantity"));
          }, py::arg("text"),
          py::arg("dimension"),
          "Parses \"20 ms\" and returns the value in the internal unit of `dimension` (ms, mV, pA, nS, pF, MOhm, Hz). "
          "Raises UnitError for a wrong or missing unit, NaN or infinity.");
    m.def("format_quantity", [](py::handle value, py::handle d) {
              if (py::isinstance<py::bool_>(value) || !py::hasattr(value, "__float__"))
                  throw py::type_error(std::string("format_quantity: value must be a number in the internal unit, not ") +
                                       Py_TYPE(value.ptr())->tp_name);
              return format_quantity(py::float_(py::reinterpret_borrow<py::object>(value)).cast<double>(),
                                     dimension_from_py(d, "format_quantity"));
          }, py::arg("value"), py::arg("dimension"),
          "Formats a value given in the internal unit, e.g. format_quantity(20, Dimension.time) == '20 ms'.");
    m.def("internal_unit", [](dimension d) { return std::string(internal_unit(d)); }, py::arg("dimension"),
          "The internal unit of a dimension: 'ms', 'mV', 'pA', 'nS', 'pF', 'MOhm', 'Hz' or ''.");
    m.def("si_unit", &si_unit, py::arg("dimension"),
          "The SI unit of a dimension: 's', 'V', 'A', 'S', 'F', 'Ohm', 'Hz' or '' (unit objects of quantities / Brian2 "
          "are written in it).");
    m.def("dimension_name", [](dimension d) { return std::string(dimension_name(d)); }, py::arg("dimension"));
    m.def("quantity", [](py::handle v, dimension d) { return quantity_from_py(v, d, "quantity", "value"); }, py::arg("value"),
          py::arg("dimension"),
          "A unit string -> the value in the internal unit (quantity(\"20 ms\", time) == 20.0); a plain number is "
          "refused with UnitError (it has no unit).");

}

} // namespace memspike::python
