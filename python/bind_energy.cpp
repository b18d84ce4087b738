// SPDX-License-Identifier: MIT
// Bindings of the energy presets and of pricing (done in core: price_energy), and the reader of
// a file's ledger.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "convert.hpp"
#include "memspike/backends/builtin.hpp"
#include "memspike/core/energy.hpp"
#include "memspike/core/spec.hpp"

namespace memspike::python {

void register_energy(py::module_& m) {
    m.def("energy_models",
          [](const std::optional<std::string>& backend) {
              std::vector<std::string> out;
              for (const auto& n : builtin_energy_models())
                  if (!backend || find_energy_model(n, builtin_registry()).applies_to(*backend)) out.push_back(n);
              return out;
          },
          py::arg("backend") = py::none(),
          "Names of the shipped energy presets (energy_preset_dir()); with `backend`, those that apply to its runs.");
    m.def("energy_model_info", [](const std::string& model) {
              const energy_model m = find_energy_model(model, builtin_registry());
              py::dict d;
              d["name"] = m.name;
              d["kind"] = m.kind;
              d["description"] = m.description;
              d["backend"] = m.backend.empty() ? py::object(py::none()) : py::object(py::str(m.backend));
              d["file"] = m.file;
              return d;
          },
          py::arg("model"), "name, kind, description, backend (None: any) and file of an energy preset.");
    m.def("estimate_energy",
          [](const std::string& model, const std::map<std::string, std::uint64_t>& counts, std::uint64_t neurons,
             std::uint64_t synapses, std::uint64_t dense_weights, tick_t ticks, double resolution_ms, double inference_ms,
             const std::string& backend, const std::map<std::string, double>& backend_params) {
              backend_spec b;
              b.kind = backend;
              b.params = backend_params;
              return price(model, b, counts_from_py(counts), dense_profile{neurons, synapses, dense_weights}, ticks,
                           resolution_ms, inference_ms);
          },
          py::arg("model"), py::arg("counts"), py::arg("neurons"), py::arg("synapses"), py::arg("dense_weights"),
          py::arg("ticks"), py::arg("resolution_ms"), py::arg("inference_ms") = 0.0, py::arg("backend") = "digital",
          py::arg("backend_params") = std::map<std::string, double>{},
          "Prices ledger totals (dict by category) and a network profile over `ticks` with an energy model, for a run "
          "of `backend`; the dict of Simulation.energy.");
    m.def("read_energy_ledger", [](const std::string& path) {
              const recorded_ledger l = read_energy_ledger(path);
              py::dict d;
              d["totals"] = counts_dict(l.totals);
              d["neurons"] = l.profile.neurons;
              d["synapses"] = l.profile.synapses;
              d["dense_weights"] = l.profile.dense_weights;
              d["ticks"] = l.ticks;
              d["resolution_ms"] = l.resolution_ms;
              d["complete"] = l.complete;
              d["bins"] = l.bins;
              d["inference_ms"] = l.inference_ms;
              d["backend"] = l.backend;
              return d;
          },
          py::arg("path"), "The ledger of an output file summed over its bins, as `memspike report` reads it.");
}

} // namespace memspike::python
