// SPDX-License-Identifier: MIT
// The one place where C++ errors become Python exceptions. The Python classes mirror
// core/include/memspike/core/errors.hpp and also derive from the matching built-in exception, so
// `except ValueError` keeps working for code that does not know memspike:
//
//   Error(Exception)                         memspike::error
//   InvalidParameter(Error, ValueError)      memspike::invalid_parameter   .owner .name .value .rule
//   UnknownParameter(Error, KeyError)        memspike::unknown_parameter   .owner .name .known
//   UnknownModel(Error, KeyError)            memspike::unknown_model       .kind .name .known
//   ScenarioError(Error, ValueError)         memspike::scenario_error      .file .line .column .key .what
//   IOError(Error, OSError)                  memspike::io_error
//   BackendUnavailable(Error)                memspike::backend_unavailable .backend .reason
//   UnitError(Error, ValueError)             memspike::unit_error (a bad quantity string)
//   InternalError(RuntimeError)              memspike::internal_error (a bug: please report)
//
// The message (str(e)) is always the C++ what().
#include <initializer_list>
#include <string>
#include <utility>

#include <pybind11/stl.h>

#include "bindings.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/units.hpp"

namespace memspike::python {
namespace {

// The classes live as long as the interpreter: leaked handles, never destroyed after finalisation.
struct exception_classes {
    py::handle error, invalid_parameter, unknown_parameter, unknown_model, scenario_error, io_error,
        backend_unavailable, unit_error, internal_error;
};
exception_classes classes;

py::handle make_class(py::module_& m, const char* name, std::initializer_list<py::handle> bases, const char* doc) {
    py::tuple b(bases.size());
    std::size_t i = 0;
    for (const auto& h : bases) b[i++] = py::reinterpret_borrow<py::object>(h);
    const std::string qualified = std::string("memspike.") + name;
    PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, b.ptr(), nullptr);
    if (cls == nullptr) throw py::error_already_set();
    auto obj = py::reinterpret_steal<py::object>(cls);
    // KeyError's str() is the repr of its argument (quotes and escapes); keep the plain message.
    obj.attr("__str__") = py::module_::import("builtins").attr("Exception").attr("__str__");
    m.attr(name) = obj;
    return obj.release();
}

using attrs = std::initializer_list<std::pair<const char*, py::object>>;

void raise(py::handle cls, const char* what, attrs extra) {
    py::object e = py::reinterpret_borrow<py::object>(cls)(py::str(what));
    for (const auto& [k, v] : extra) e.attr(k) = v;
    PyErr_SetObject(cls.ptr(), e.ptr());
}

py::object names(const std::vector<std::string>& v) { return py::cast(v); }

void translate(std::exception_ptr p) {
    try {
        if (p) std::rethrow_exception(p);
    } catch (const scenario_error& e) {
        raise(classes.scenario_error, static_cast<const std::exception&>(e).what(),
              {{"file", py::str(e.file)}, {"line", py::int_(e.line)}, {"column", py::int_(e.column)},
               {"key", py::str(e.key)}, {"what", py::str(e.what)}});
    } catch (const invalid_parameter& e) {
        raise(classes.invalid_parameter, e.what(),
              {{"owner", py::str(e.owner)}, {"name", py::str(e.name)}, {"value", py::str(e.value)}, {"rule", py::str(e.rule)}});
    } catch (const unknown_parameter& e) {
        raise(classes.unknown_parameter, e.what(), {{"owner", py::str(e.owner)}, {"name", py::str(e.name)}, {"known", names(e.known)}});
    } catch (const unknown_model& e) {
        raise(classes.unknown_model, e.what(), {{"kind", py::str(e.kind)}, {"name", py::str(e.name)}, {"known", names(e.known)}});
    } catch (const io_error& e) {
        raise(classes.io_error, e.what(), {});
    } catch (const backend_unavailable& e) {
        raise(classes.backend_unavailable, e.what(), {{"backend", py::str(e.backend)}, {"reason", py::str(e.reason)}});
    } catch (const error& e) {
        raise(classes.error, e.what(), {});
    } catch (const unit_error& e) {
        raise(classes.unit_error, e.what(), {});
    } catch (const internal_error& e) {
        raise(classes.internal_error, e.what(), {});
    }
}

/// Throws the C++ error named `kind`, so the tests can check the mapping above.
void test_throw(const std::string& kind) {
    if (kind == "error") throw error("a memspike error");
    if (kind == "invalid_parameter") throw invalid_parameter("lif_delta", "tau_m", "-1 ms", "must be > 0 ms");
    if (kind == "unknown_parameter") throw unknown_parameter("lif_delta", "tau_M", {"tau_m", "v_th"});
    if (kind == "unknown_model") throw unknown_model("neuron model", "lif", {"lif_delta", "lif_exp"});
    if (kind == "scenario_error") throw scenario_error("net.toml", 12, 9, "population.E.params.tau_m", "expected a time");
    if (kind == "io_error") throw io_error("cannot open 'x.h5'");
    if (kind == "backend_unavailable") throw backend_unavailable("crossbar", "built with MEMSPIKE_WITH_CROSSBAR=OFF");
    if (kind == "unit_error") throw unit_error("expected a time such as \"20 ms\", got \"20 mV\"");
    if (kind == "internal_error") throw internal_error("test");
    if (kind == "std") throw std::runtime_error("a std::runtime_error");
    throw invalid_parameter("_test_throw", "kind", "'" + kind + "'",
                            "one of error, invalid_parameter, unknown_parameter, unknown_model, scenario_error, "
                            "io_error, backend_unavailable, unit_error, internal_error, std");
}

} // namespace

void register_errors(py::module_& m) {
    const py::module_ builtins = py::module_::import("builtins");
    const py::handle exc = builtins.attr("Exception"), value = builtins.attr("ValueError"),
                     key = builtins.attr("KeyError"), os = builtins.attr("OSError"), runtime = builtins.attr("RuntimeError");
    classes.error = make_class(m, "Error", {exc}, "Base of every error memspike raises for bad input or a failed operation.");
    classes.invalid_parameter = make_class(m, "InvalidParameter", {classes.error, value},
        "A parameter value broke its rule. Attributes: owner, name, value, rule.");
    classes.unknown_parameter = make_class(m, "UnknownParameter", {classes.error, key},
        "A parameter name the owner does not know. Attributes: owner, name, known.");
    classes.unknown_model = make_class(m, "UnknownModel", {classes.error, key},
        "A model, rule or kind that is not registered. Attributes: kind, name, known.");
    classes.scenario_error = make_class(m, "ScenarioError", {classes.error, value},
        "An error located in a scenario. Attributes: file, line, column (0 when unknown), key (dotted), what.");
    classes.io_error = make_class(m, "IOError", {classes.error, os}, "A file could not be read or written; names the file.");
    classes.backend_unavailable = make_class(m, "BackendUnavailable", {classes.error},
        "A backend that is not compiled in. Attributes: backend, reason.");
    classes.unit_error = make_class(m, "UnitError", {classes.error, value},
        "A quantity string with a wrong or missing unit, or a value that is not finite.");
    classes.internal_error = make_class(m, "InternalError", {runtime}, "A bug in memspike itself; please report it.");
    py::register_exception_translator(&translate);

    m.def("_test_throw", &test_throw, py::arg("kind"),
          "Throws the C++ error `kind` (error, invalid_parameter, ...) to test the exception mapping.");
}

} // namespace memspike::python
