// SPDX-License-Identifier: MIT
// Bindings of the model registry types (the built-in list is in bind_models.cpp) and of scenarios:
// parsed and validated by the C++ parser, never re-implemented here.
#include <algorithm>
#include <sstream>

#include <map>

#include "bindings.hpp"
#include "convert.hpp"
#include "memspike/core/backend.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/model.hpp"
#include "memspike/core/scenario.hpp"
#include "memspike/core/scenario_keys.hpp"
#include "memspike/core/spec.hpp"

namespace memspike::python {
namespace {

std::string describe(const scenario& sc) {
    std::uint64_t neurons = 0;
    for (const auto& p : sc.populations) neurons += p.size;
    std::ostringstream os;
    os << "<memspike.ScenarioSpec " << (sc.file.empty() ? std::string("<code>") : sc.file) << ": "
       << sc.populations.size() << " populations (" << neurons << " neurons), " << sc.projections.size()
       << " projections, " << sc.stimuli.size() << " stimuli, " << format_quantity(sc.simulation.duration_ms, dimension::time)
       << " at " << format_quantity(sc.simulation.resolution_ms, dimension::time) << ">";
    return os.str();
}

/// The model registry types of core (the built-in list is in register_models).
void bind_registry_types(py::module_& m) {
    py::class_<param_info>(m, "ParamInfo", "One model parameter: name, dimension, default (NaN: required), doc.")
        .def_readonly("name", &param_info::name)
        .def_readonly("dimension", &param_info::dim)
        .def_readonly("default", &param_info::default_value)
        .def_readonly("doc", &param_info::doc)
        .def_readonly("choices", &param_info::choices, "A choice parameter's accepted names ([] otherwise); stored as the index.")
        .def_property_readonly("required", &param_info::required)
        .def_property_readonly("unit", [](const param_info& p) { return std::string(internal_unit(p.dim)); })
        .def("__repr__", [](const param_info& p) {
            if (!p.choices.empty())  // a choice: its default by name, and the names
                return "<ParamInfo " + p.name + ": one of " + choice_list(p.choices) + ", default \"" +
                       p.choices.at(static_cast<std::size_t>(p.default_value)) + "\">";
            return "<ParamInfo " + p.name + ": " + std::string(dimension_name(p.dim)) + ", default " +
                   (p.required() ? std::string("(required)") : format_quantity(p.default_value, p.dim)) + ">";
        });
    py::class_<port_info>(m, "PortInfo", "A receptor port and the dimension of the weights that land on it.")
        .def_readonly("name", &port_info::name)
        .def_readonly("weight_dimension", &port_info::weight_dim)
        .def("__repr__", [](const port_info& p) { return "<PortInfo " + p.name + ": " + std::string(dimension_name(p.weight_dim)) + ">"; });
    py::class_<state_info>(m, "StateInfo", "A recordable / initialisable state variable.")
        .def_readonly("name", &state_info::name)
        .def_readonly("dimension", &state_info::dim)
        .def("__repr__", [](const state_info& s) { return "<StateInfo " + s.name + ": " + std::string(dimension_name(s.dim)) + ">"; });
    py::class_<model_info>(m, "ModelInfo", "A registered neuron or source model: parameters, ports and state variables.")
        .def_readonly("name", &model_info::name)
        .def_readonly("summary", &model_info::summary)
        .def_readonly("params", &model_info::params)
        .def_readonly("ports", &model_info::ports)
        .def_readonly("state", &model_info::state)
        .def("param", [](const model_info& mi, py::handle name_arg) -> const param_info& {
            const std::string name = name_from_py(name_arg, "ModelInfo.param", "name");
            std::vector<std::string> known;
            for (const auto& p : mi.params) {
                if (p.name == name) return p;
                known.push_back(p.name);
            }
            throw unknown_parameter(mi.name, name, known);
        }, py::arg("name"), py::return_value_policy::reference_internal, "The parameter `name`; UnknownParameter otherwise.")
        .def("__repr__", [](const model_info& mi) { return "<ModelInfo " + mi.name + ": " + mi.summary + ">"; });
    py::class_<backend_info>(m, "BackendInfo", "A synaptic backend: name, summary and parameter table.")
        .def_readonly("name", &backend_info::name)
        .def_readonly("summary", &backend_info::summary)
        .def_readonly("params", &backend_info::params)
        .def("__repr__", [](const backend_info& b) { return "<Backend " + b.name + ": " + b.summary + ">"; });

    py::class_<model_registry>(m, "ModelRegistry", "The list of models, by name (memspike.models is the built-in one).")
        .def("find_backend", [](const model_registry& r, py::handle name) -> const backend_info& {
            return r.find_backend(name_from_py(name, "models.find_backend", "name"));
        }, py::arg("name"), py::return_value_policy::reference_internal,
             "The synaptic backend `name` (digital, crossbar, dense).")
        .def("backend_names", &model_registry::backend_names)
        .def("find", [](const model_registry& r, py::handle name) -> const model_info& {
            return r.find(name_from_py(name, "models.find", "name"));
        }, py::arg("name"), py::return_value_policy::reference_internal)
        .def("__getitem__", [](const model_registry& r, py::handle name) -> const model_info& {
            return r.find(name_from_py(name, "models[...]", "name"));
        }, py::arg("name"), py::return_value_policy::reference_internal)
        .def("__contains__", &model_registry::contains)
        .def("names", &model_registry::names)
        .def("__iter__", [](const model_registry& r) { return py::iter(py::cast(r.names())); })
        .def("__len__", [](const model_registry& r) { return r.names().size(); })
        .def("__repr__", [](const model_registry& r) { return "<ModelRegistry: " + join_names(r.names()) + ">"; });

}

/// The parts of a scenario (read-only views of the C++ structs).
void bind_spec_types(py::module_& m) {
    py::class_<population_spec>(m, "PopulationSpec")
        .def_readonly("name", &population_spec::name)
        .def_readonly("model", &population_spec::model)
        .def_readonly("size", &population_spec::size)
        .def_property_readonly(
            "params",
            [](const population_spec& p) {
                param_map out = p.params;
                for (const auto& [name, pn] : p.per_neuron) out.erase(name);
                return out;
            },
            "Complete parameters, internal units; those given per neuron are left out (ScenarioSpec.neuron_params).")
        .def_property_readonly(
            "per_neuron", [](const population_spec& p) {
                std::vector<std::string> out;
                for (const auto& [name, pn] : p.per_neuron) out.push_back(name);
                return out;
            },
            "The names of the parameters given per neuron.")
        .def("__repr__", [](const population_spec& p) {
            return "<PopulationSpec " + p.name + ": " + std::to_string(p.size) + " x " + p.model + ">";
        });
    py::class_<projection_spec>(m, "ProjectionSpec")
        .def_readonly("name", &projection_spec::name)
        .def_readonly("source", &projection_spec::source)
        .def_readonly("target", &projection_spec::target)
        .def_readonly("rule", &projection_spec::rule)
        .def_readonly("receptor", &projection_spec::receptor)
        .def_readonly("probability", &projection_spec::probability)
        .def_readonly("indegree", &projection_spec::indegree)
        .def_readonly("outdegree", &projection_spec::outdegree)
        .def_readonly("allow_autapses", &projection_spec::allow_autapses)
        .def_readonly("allow_multapses", &projection_spec::allow_multapses)
        .def_property_readonly("plasticity_rule", [](const projection_spec& p) { return p.plasticity.rule; },
                               "The plasticity rule, \"\" for static synapses.")
        .def("__repr__", [](const projection_spec& p) {
            return "<ProjectionSpec " + p.name + ": " + p.source + " -> " + p.target + ", " + p.rule + ">";
        });
    py::class_<stimulus_spec>(m, "StimulusSpec")
        .def_readonly("name", &stimulus_spec::name)
        .def_readonly("kind", &stimulus_spec::kind)
        .def_readonly("target", &stimulus_spec::target)
        .def_readonly("receptor", &stimulus_spec::receptor)
        .def_readonly("neurons", &stimulus_spec::neurons, "Target indices; empty: every neuron.")
        .def_readonly("amplitude_pa", &stimulus_spec::amplitude_pa)
        .def_readonly("start_ms", &stimulus_spec::start_ms)
        .def_readonly("stop_ms", &stimulus_spec::stop_ms)
        .def("__repr__", [](const stimulus_spec& s) { return "<StimulusSpec " + s.name + ": " + s.kind + " -> " + s.target + ">"; });
    py::class_<trace_spec>(m, "TraceSpec")
        .def_readonly("population", &trace_spec::population)
        .def_readonly("variables", &trace_spec::variables)
        .def_readonly("neurons", &trace_spec::neurons)
        .def_readonly("interval_ms", &trace_spec::interval_ms);
}

} // namespace

void register_scenario(py::module_& m) {
    bind_registry_types(m);
    bind_spec_types(m);
    py::class_<scenario>(m, "ScenarioSpec",
                         "A parsed and validated scenario (the C++ memspike::scenario). Built by parse_scenario or "
                         "load_scenario; read-only. memspike.Scenario compiles to one of these.")
        .def_readonly("file", &scenario::file)
        .def_readonly("text", &scenario::text)
        .def_property_readonly("duration_ms", [](const scenario& s) { return s.simulation.duration_ms; })
        .def_property_readonly("resolution_ms", [](const scenario& s) { return s.simulation.resolution_ms; })
        .def_property_readonly("seed", [](const scenario& s) { return s.simulation.seed; })
        .def_property_readonly("threads", [](const scenario& s) { return s.simulation.threads; })
        .def_property_readonly("scale", [](const scenario& s) { return s.simulation.scale; })
        .def_property_readonly("backend", [](const scenario& s) { return s.backend.kind; }, "The synaptic backend ([backend] kind).")
        .def_property_readonly("backend_params", [](const scenario& s) { return s.backend.params; },
                               "The backend's parameters (internal units), completed with defaults.")
        .def_property_readonly("duration_ticks", &scenario::duration_ticks)
        .def_readonly("populations", &scenario::populations)
        .def_readonly("projections", &scenario::projections)
        .def_readonly("stimuli", &scenario::stimuli)
        .def_property_readonly("spike_populations", [](const scenario& s) {
            std::vector<std::string> out;
            for (const auto& p : s.populations) {
                const auto& l = s.recording.spike_populations;
                if (s.recording.all_spikes || std::find(l.begin(), l.end(), p.name) != l.end()) out.push_back(p.name);
            }
            return out;
        }, "Populations whose spikes are recorded.")
        .def_property_readonly("traces", [](const scenario& s) { return s.recording.traces; })
        .def(
            "neuron_params",
            [](const scenario& s, const std::string& population) {
                std::map<std::string, std::vector<double>> out;
                for (std::size_t k = 0; k < s.populations.size(); ++k) {
                    const population_spec& p = s.populations[k];
                    if (p.name != population) continue;
                    for (const auto& [name, pn] : p.per_neuron)
                        out[name] = neuron_parameter_values(p, static_cast<std::uint32_t>(k), s.simulation.seed, name, 0, p.size);
                    return out;
                }
                throw unknown_parameter("scenario", population, {});
            },
            py::arg("population"),
            "The per-neuron parameter values of a population (internal units, drawn ones as the run draws "
            "them), by parameter name; {} when it has none. Its PopulationSpec.params hold the others.")
        .def("__repr__", &describe);
    m.def("parse_scenario",
          [](const std::string& text, const std::string& file, const model_registry& models,
             const std::vector<std::pair<std::string, std::string>>& overrides, bool positions) {
              try {
                  return parse_scenario(text, file, models, to_overrides(overrides));
              } catch (const scenario_error& e) {
                  if (positions || e.line == 0) throw;
                  // Text generated by memspike.Scenario: its line numbers mean nothing to the user.
                  throw scenario_error(e.file, 0, 0, e.key, e.what);
              }
          },
          py::arg("text"), py::arg("file"), py::arg("models"), py::arg("overrides") = std::vector<std::pair<std::string, std::string>>{},
          py::arg("positions") = true,
          "Parses and validates scenario TOML text; overrides are (dotted key, TOML value text) pairs, as --set. "
          "positions=False drops line/column from errors (for generated text).");
    m.def("load_scenario",
          [](const std::string& path, const model_registry& models, const std::vector<std::pair<std::string, std::string>>& overrides) {
              return load_scenario(path, models, to_overrides(overrides));
          },
          py::arg("path"), py::arg("models"), py::arg("overrides") = std::vector<std::pair<std::string, std::string>>{},
          "Reads and validates a scenario file; overrides as for parse_scenario.");
    m.def("scenario_key_types",
          [] {
              std::map<std::string, std::map<std::string, std::string>> out;
              for (const auto& section : scenario_sections())
                  for (const auto& key : section.keys) out[section.name][key.name] = key.type;
              return out;
          },
          "{section: {key: type}} from the scenario key tables (docs/scenario-format.md), e.g. "
          "scenario_key_types()['simulation']['duration'] == 'time'.");

}

} // namespace memspike::python
