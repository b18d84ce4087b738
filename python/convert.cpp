// SPDX-License-Identifier: MIT
#include "convert.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "memspike/backends/builtin.hpp"
#include "memspike/core/backend.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/hdf5_layout.hpp"
#include "memspike/core/run_driver.hpp"
#include "memspike/core/scenario.hpp"
#include "memspike/core/spec.hpp"

namespace memspike::python {

namespace layout = hdf5_layout;

std::string si_unit(dimension d) {
    switch (d) {
    case dimension::time: return "s";
    case dimension::voltage: return "V";
    case dimension::current: return "A";
    case dimension::conductance: return "S";
    case dimension::capacitance: return "F";
    case dimension::resistance: return "Ohm";
    case dimension::frequency: return "Hz";
    case dimension::energy: return "J";
    case dimension::power: return "W";
    case dimension::dimensionless: return "";
    }
    return "";
}

double quantity_from_py(py::handle v, dimension d, const std::string& owner, const std::string& name) {
    const std::string units = " (units: " + accepted_units(d) + ")";
    const std::string dim(dimension_name(d));
    const std::string a_d = (std::string_view("aeiou").find(dim.front()) != std::string_view::npos ? "an " : "a ") + dim;
    if (!py::isinstance<py::str>(v)) {
        const bool number = !py::isinstance<py::bool_>(v) && (py::isinstance<py::int_>(v) || py::isinstance<py::float_>(v));
        const std::string shown = number ? py::repr(v).cast<std::string>() : std::string("1");
        const bool finite = number && std::isfinite(v.cast<double>());
        const std::string example = "\"" + (finite ? shown : std::string("1")) + " " + std::string(internal_unit(d)) + "\"";
        // A plain number is refused, never read as SI or as the internal unit: 20 could mean 20 ms or 20 s.
        if (number)
            throw unit_error(owner + ": " + name + " = " + shown + " has no unit; give " + a_d + " with its unit, such as " + example + units);
        throw py::type_error(owner + ": " + name + " must be " + a_d + " with its unit, such as " +
                             example + units + ", not " + Py_TYPE(v.ptr())->tp_name);
    }
    const std::string text = v.cast<std::string>();
    try {
        return parse_quantity(text, d);
    } catch (const unit_error& e) {
        throw invalid_parameter(owner, name, "\"" + text + "\"", e.what());
    }
}

std::string name_from_py(py::handle name, const std::string& owner, const std::string& arg) {
    if (!py::isinstance<py::str>(name))
        throw py::type_error(owner + ": " + arg + " must be a name (str), not " + Py_TYPE(name.ptr())->tp_name + " " +
                             py::repr(name).cast<std::string>().substr(0, 60));
    return name.cast<std::string>();
}

unsigned threads_from_py(py::handle threads, unsigned dflt, const std::string& owner) {
    if (threads.is_none()) return dflt;
    if (py::isinstance<py::bool_>(threads) || PyIndex_Check(threads.ptr()) == 0)
        throw py::type_error(owner + ": threads must be a whole number (0: all cores), not " + Py_TYPE(threads.ptr())->tp_name);
    const auto i = py::reinterpret_steal<py::int_>(PyNumber_Index(threads.ptr()));
    if (!i) throw py::error_already_set();
    int overflow = 0;
    const long long n = PyLong_AsLongLongAndOverflow(i.ptr(), &overflow);
    const std::string shown = py::repr(i).cast<std::string>();
    // Anything past unsigned breaks the same rule as 65537 does; the rule's text comes from core.
    // (On overflow n is -1: the sign is in `overflow`.)
    if (overflow > 0 || (overflow == 0 && n > static_cast<long long>(std::numeric_limits<unsigned>::max())))
        throw invalid_parameter(owner, "threads", shown, threads_rule_broken(std::numeric_limits<std::uint64_t>::max()));
    if (overflow < 0 || n < 0) throw invalid_parameter(owner, "threads", shown, "must be >= 0; 0 selects the default");
    return static_cast<unsigned>(n);
}

std::vector<override_entry> to_overrides(const std::vector<std::pair<std::string, std::string>>& kv) {
    std::vector<override_entry> out;
    for (const auto& [k, v] : kv) out.push_back({k, v});
    return out;
}

py::dict trace_dict(trace_data&& t) {
    py::dict d;
    const auto rows = static_cast<py::ssize_t>(t.ticks.size());
    const auto cols = static_cast<py::ssize_t>(t.neurons.size());
    d["population"] = t.population;
    d["variable"] = t.variable;
    d[layout::attr_unit] = t.unit;
    d[layout::attr_interval_ticks] = t.interval_ticks;
    d[layout::dataset_neurons] = view_of(std::move(t.neurons));
    d[layout::dataset_ticks] = view_of(std::move(t.ticks));
    d[layout::dataset_values] = view_of(std::move(t.values), {rows, cols});
    return d;
}

py::object energy_data_dict(energy_data&& e, double inference_ms) {
    if (!e.declared) return py::none();
    const auto bins = static_cast<py::ssize_t>(e.ticks.size());
    const auto cats = static_cast<py::ssize_t>(e.categories.size());
    py::dict d;
    d[layout::attr_categories] = e.categories;
    d[layout::attr_bin_ticks] = e.bin_ticks;
    d[layout::attr_neurons] = e.neurons;
    d[layout::attr_synapses] = e.synapses;
    d[layout::attr_dense_weights] = e.dense_weights;
    d[layout::attr_inference_ms] = inference_ms;
    d[layout::dataset_ticks] = view_of(std::move(e.ticks));
    d[layout::dataset_counts] = view_of(std::move(e.counts), {bins, cats});
    return d;
}

py::dict energy_dict(const energy_estimate& e, tick_t ticks, double resolution_ms, double inference_ms) {
    py::dict d;
    d["model"] = e.model;
    d["kind"] = e.kind;
    d["total_j"] = e.total_pj * 1e-12;
    d["compute_j"] = e.compute_pj * 1e-12;
    d["memory_j"] = e.memory_pj * 1e-12;
    d["idle_j"] = e.idle_pj * 1e-12;
    d["run_time_s"] = e.run_time_s;  // event_driven baselines: the modelled run time (idle_j is static power over it)
    d["simulated_ms"] = static_cast<double>(ticks) * resolution_ms;
    if (inference_ms > 0.0) {
        d["inference_ms"] = inference_ms;
        d["per_inference_j"] = energy_per_inference_pj(e.total_pj, ticks, resolution_ms, inference_ms) * 1e-12;
    }
    py::list lines;
    for (const auto& l : e.lines) {
        py::dict ld;
        ld["category"] = l.category;
        ld["count"] = l.count;
        ld["pj_each"] = l.pj_each;
        ld["total_j"] = l.total_pj * 1e-12;
        ld["memory"] = l.memory;
        ld["source"] = l.source;
        lines.append(ld);
    }
    d["lines"] = lines;
    return d;
}

py::dict price(const std::string& model, const backend_spec& run_backend, const event_counts& counts, const dense_profile& d,
               tick_t ticks, double resolution_ms, double inference_ms) {
    const energy_model m = find_energy_model(model, builtin_registry());
    const priced_energy p = price_energy(m, run_backend, builtin_registry(), counts, d, ticks, resolution_ms);
    if (!p.applies())
        throw error("energy model '" + m.name + "' does not apply to this run: " + p.mismatches.front() +
                    " (memspike.energy_models(backend) lists the models that apply)");
    py::dict out = energy_dict(p.estimate, ticks, resolution_ms, inference_ms);
    out["backend"] = m.backend.empty() ? py::object(py::none()) : py::object(py::str(m.backend));
    return out;
}

event_counts counts_from_py(const std::map<std::string, std::uint64_t>& counts) {
    const std::vector<std::string> known = builtin_registry().counter_names();
    for (const auto& [name, n] : counts)
        if (std::find(known.begin(), known.end(), name) == known.end()) throw unknown_model("ledger category", name, known);
    // In the backends' declaration order, as a live run lists them (the report's line order).
    std::vector<std::string> names = event_counts().names();
    for (std::size_t k = names.size(); k < known.size(); ++k)
        if (counts.count(known[k]) && std::find(names.begin(), names.end(), known[k]) == names.end()) names.push_back(known[k]);
    event_counts out(names);
    for (const auto& [name, n] : counts) out.at(name) = n;
    return out;
}

py::dict counts_dict(const event_counts& e) {
    py::dict d;
    for (std::size_t k = 0; k < e.size(); ++k) d[py::str(e.names()[k])] = e.values()[k];
    return d;
}

py::dict data_dict(run_data&& r) {
    py::dict attrs;
    const auto& info = r.info;
    attrs[layout::attr_memspike_version] = info.memspike_version;
    attrs[layout::attr_scenario_file] = info.scenario_file;
    attrs[layout::attr_scenario] = info.scenario_text;
    attrs[layout::attr_scenario_overrides] = format_overrides(info.scenario_overrides);
    attrs[layout::attr_seed] = info.seed;
    attrs[layout::attr_resolution_ms] = info.resolution_ms;
    attrs[layout::attr_duration_ms] = info.duration_ms;
    attrs[layout::attr_threads] = info.threads;
    attrs[layout::attr_backend] = info.backend;
    for (const auto& [name, value] : info.backend_params) attrs[py::str(layout::attr_backend_param_prefix + name)] = value;
    attrs[layout::attr_command_line] = info.command_line;
    attrs[layout::attr_complete] = r.complete;
    attrs[layout::attr_wall_time_s] = r.wall_time_s;
    attrs[layout::attr_ticks_simulated] = r.ticks_simulated;
    attrs[layout::attr_simulated_ms] = static_cast<double>(r.ticks_simulated) * info.resolution_ms;
    py::dict spikes;
    for (auto& s : r.spikes) {
        py::dict d;
        d[layout::attr_size] = s.size;
        d[layout::dataset_ids] = view_of(std::move(s.ids));
        d[layout::dataset_ticks] = view_of(std::move(s.ticks));
        spikes[py::str(s.name)] = d;
    }
    py::dict traces;
    for (auto& t : r.traces) {
        const py::str pop(t.population), var(t.variable);
        if (!traces.contains(pop)) traces[pop] = py::dict();
        traces[pop].cast<py::dict>()[var] = trace_dict(std::move(t));
    }
    py::dict out;
    out["attrs"] = attrs;
    out[layout::group_spikes] = spikes;
    out[layout::group_traces] = traces;
    out[layout::group_energy] = energy_data_dict(std::move(r.energy), info.inference_ms);
    return out;
}

} // namespace memspike::python
