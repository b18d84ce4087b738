// SPDX-License-Identifier: MIT
// NIR graphs (memspike/formats/nir.hpp) for Python: the lowering as a dict; memspike/nir.py
// turns it into a Scenario.
#include "bindings.hpp"

#include <pybind11/stl.h>

#include "memspike/formats/nir.hpp"

namespace memspike::python {

void register_nir(py::module_& m) {
    m.def(
        "nir_lower",
        [](const std::string& graph, const std::string& dir, double resolution_ms, double time_unit_ms) {
            nir::options opt;
            opt.resolution_ms = resolution_ms;
            opt.time_unit_ms = time_unit_ms;
            const nir::lowered l = nir::lower(graph, dir, opt);
            py::dict d;
            d["version"] = l.version;
            py::list inputs, pops;
            for (const auto& in : l.inputs)
                inputs.append(py::dict(py::arg("node") = in.node, py::arg("population") = in.population,
                                       py::arg("shape") = in.shape, py::arg("size") = in.size));
            for (const auto& p : l.populations)
                pops.append(py::dict(py::arg("node") = p.node, py::arg("type") = p.type, py::arg("population") = p.population,
                                     py::arg("model") = p.model, py::arg("size") = p.size, py::arg("spiking") = p.spiking,
                                     py::arg("indices") = p.indices));
            d["inputs"] = inputs;
            d["populations"] = pops;
            d["outputs"] = l.outputs;
            d["files"] = l.files;
            d["scenario"] = nir::compose(l, "");
            return d;
        },
        py::arg("graph"), py::arg("dir"), py::arg("resolution_ms"), py::arg("time_unit_ms"),
        "Lowers a NIR graph to scenario text plus CSV files in `dir` (memspike.nir.load wraps this).");
}

} // namespace memspike::python
