// SPDX-License-Identifier: MIT
// Bindings of memspike::core: units, the model registry types, scenarios (parsed by the C++ parser,
// never re-implemented here), the simulation and parallel parameter sweeps.
//
// Conventions of the Python face:
// - Results come back in internal units, with the unit in the name (times_ms, resolution_ms) or
//   next to the data (a trace's `unit`). Spike ids are uint32, ticks int64, values float64.
// - run() releases the GIL. The simulation calls its progress callback about every 0.2 s of wall
//   time on the calling thread; the callback takes the GIL back briefly to poll for signals
//   (Ctrl-C) and to call the user's progress function. A pending exception sets the stop flag: the
//   simulation stops at the next tick boundary, so `now` is a whole tick and a later run()
//   continues from there. The exception is raised once the run has returned.
// - Arrays built from data that no longer changes (sweep results) are numpy views of the C++
//   vectors, kept alive by a capsule; arrays of a Simulation that can still run are copies.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "memspike/backends/builtin.hpp"
#include "memspike/core/backend.hpp"
#include "memory_recorder.hpp"
#include "memspike/core/energy.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/model.hpp"
#include "memspike/core/recorder.hpp"
#include "memspike/core/scenario.hpp"
#include "memspike/core/simulation.hpp"
#include "memspike/core/spec.hpp"
#include "memspike/core/units.hpp"
#include "memspike/core/version.hpp"

namespace memspike::python {
namespace {

using clock_type = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// Conversions

/// The SI unit symbol of a dimension (what a bare Python float means): "s", "V", "A", ...
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

/// A quantity given from Python: a unit string ("20 ms") or a number in SI units (0.02). Numbers
/// are written out with full precision (repr) with their SI unit and go through parse_quantity,
/// so both forms are converted and checked by the same code.
double quantity_from_py(py::handle v, dimension d, const std::string& owner, const std::string& name) {
    std::string text;
    if (py::isinstance<py::str>(v)) {
        text = v.cast<std::string>();
    } else if (!py::isinstance<py::bool_>(v) && (py::isinstance<py::int_>(v) || py::isinstance<py::float_>(v))) {
        text = py::repr(v).cast<std::string>() + " " + si_unit(d);
    } else {
        throw py::type_error(owner + ": " + name + " must be a number in SI units (" + si_unit(d) + ") or a string such as \"" +
                             format_quantity(1.0, d) + "\", not " + py::repr(py::type::handle_of(v)).cast<std::string>());
    }
    try {
        return parse_quantity(text, d);
    } catch (const unit_error& e) {
        throw invalid_parameter(owner, name, "\"" + text + "\"", e.what());
    }
}

std::vector<override_entry> to_overrides(const std::vector<std::pair<std::string, std::string>>& kv) {
    std::vector<override_entry> out;
    for (const auto& [k, v] : kv) out.push_back({k, v});
    return out;
}

/// A numpy array that views the vector's memory; the vector lives in a capsule owned by the array.
template <class T>
py::array_t<T> view_of(std::vector<T>&& v, std::vector<py::ssize_t> shape) {
    auto* owner = new std::vector<T>(std::move(v));
    py::capsule base(owner, [](void* p) { delete static_cast<std::vector<T>*>(p); });
    return py::array_t<T>(shape, owner->data(), base);
}
template <class T>
py::array_t<T> view_of(std::vector<T>&& v) {
    const auto n = static_cast<py::ssize_t>(v.size());
    return view_of(std::move(v), {n});
}

py::dict trace_dict(trace_data&& t) {
    py::dict d;
    const auto rows = static_cast<py::ssize_t>(t.ticks.size());
    const auto cols = static_cast<py::ssize_t>(t.neurons.size());
    d["population"] = t.population;
    d["variable"] = t.variable;
    d["unit"] = t.unit;
    d["interval_ticks"] = t.interval_ticks;
    d["neurons"] = view_of(std::move(t.neurons));
    d["ticks"] = view_of(std::move(t.ticks));
    d["values"] = view_of(std::move(t.values), {rows, cols});
    return d;
}

/// The ledger bins as /energy holds them: {"categories", "bin_ticks", "neurons", "synapses",
/// "dense_weights", "inference_ms", "ticks" int64[bins], "counts" uint64[bins, categories]}, or
/// None when the scenario records no ledger.
py::object energy_data_dict(energy_data&& e, double inference_ms) {
    if (!e.declared) return py::none();
    const auto bins = static_cast<py::ssize_t>(e.ticks.size());
    const auto cats = static_cast<py::ssize_t>(e.categories.size());
    py::dict d;
    d["categories"] = e.categories;
    d["bin_ticks"] = e.bin_ticks;
    d["neurons"] = e.neurons;
    d["synapses"] = e.synapses;
    d["dense_weights"] = e.dense_weights;
    d["inference_ms"] = inference_ms;
    d["ticks"] = view_of(std::move(e.ticks));
    d["counts"] = view_of(std::move(e.counts), {bins, cats});
    return d;
}

/// An energy estimate as Python sees it (energies in J), the same for a live simulation and a
/// file: total_j, compute_j, memory_j, idle_j, simulated_ms, the itemised lines and, when the
/// scenario sets [recording] inference, inference_ms and per_inference_j.
py::dict energy_dict(const energy_estimate& e, tick_t ticks, double resolution_ms, double inference_ms) {
    py::dict d;
    d["model"] = e.model;
    d["kind"] = e.kind;
    d["total_j"] = e.total_pj * 1e-12;
    d["compute_j"] = e.compute_pj * 1e-12;
    d["memory_j"] = e.memory_pj * 1e-12;
    d["idle_j"] = e.idle_pj * 1e-12;
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

/// The estimate of `model` for a run of the synaptic backend `run_backend`. A preset that prices
/// another backend's counts (reram_crossbar on a digital run) would give a meaningless total:
/// refused, as `memspike report` leaves it out.
py::dict price(const std::string& model, const backend_spec& run_backend, const event_counts& counts, const dense_profile& d,
               tick_t ticks, double resolution_ms, double inference_ms) {
    const energy_model m = find_energy_model(model, builtin_registry());
    const auto why = energy_model_mismatches(m, run_backend, builtin_registry().find_backend(run_backend.kind));
    if (!why.empty())
        throw error("energy model '" + m.name + "' does not apply to this run: " + why.front() +
                    " (memspike.energy_models(backend) lists the models that apply)");
    py::dict out = energy_dict(estimate_energy(m, counts, d, ticks, resolution_ms), ticks, resolution_ms, inference_ms);
    out["backend"] = m.backend.empty() ? py::object(py::none()) : py::object(py::str(m.backend));
    return out;
}

/// Ledger counts by category name (dict from Python) -> event_counts: the engine's counters and
/// any counter a registered backend declares; an unknown name is an error naming the known ones,
/// a missing one counts 0.
event_counts counts_from_py(const std::map<std::string, std::uint64_t>& counts) {
    const model_registry& registry = builtin_registry();
    std::vector<std::string> known = event_counts().names();
    for (const auto& b : registry.backend_names())
        for (const auto& c : registry.find_backend(b).counters) known.push_back(c.name);
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

/// run_data -> {"attrs": {...}, "spikes": {pop: {...}}, "traces": {pop: {var: {...}}}}, the layout
/// of the HDF5 file (docs/hdf5-schema.md), consumed by memspike.results.Result.
py::dict data_dict(run_data&& r) {
    py::dict attrs;
    const auto& info = r.info;
    attrs["memspike_version"] = info.memspike_version;
    attrs["scenario_file"] = info.scenario_file;
    attrs["scenario"] = info.scenario_text;
    attrs["seed"] = info.seed;
    attrs["resolution_ms"] = info.resolution_ms;
    attrs["duration_ms"] = info.duration_ms;
    attrs["threads"] = info.threads;
    attrs["backend"] = info.backend;
    for (const auto& [name, value] : info.backend_params) attrs[py::str("backend." + name)] = value;
    attrs["command_line"] = info.command_line;
    attrs["complete"] = r.complete;
    attrs["wall_time_s"] = r.wall_time_s;
    attrs["ticks_simulated"] = r.ticks_simulated;
    attrs["simulated_ms"] = static_cast<double>(r.ticks_simulated) * info.resolution_ms;
    py::dict spikes;
    for (auto& s : r.spikes) {
        py::dict d;
        d["size"] = s.size;
        d["ids"] = view_of(std::move(s.ids));
        d["ticks"] = view_of(std::move(s.ticks));
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
    out["spikes"] = spikes;
    out["traces"] = traces;
    out["energy"] = energy_data_dict(std::move(r.energy), info.inference_ms);
    return out;
}

run_info make_info(const scenario& sc, unsigned threads, const std::string& command_line) {
    return run_info::of(sc, threads, command_line);
}

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

// ---------------------------------------------------------------------------------------------
// Simulation

/// The Python Simulation: the C++ simulation, an in-memory recorder that records across runs,
/// and the stop flag.
struct py_simulation {
    py_simulation(const scenario& sc, const model_registry& models, unsigned threads, const std::string& command_line)
        : sim(sc, models, threads), memory(make_info(sc, sim.threads(), command_line)) {}

    /// Index of the entry called `name` in a scenario list (populations, projections); throws
    /// UnknownModel listing the names there are.
    template <class Entries>
    static std::size_t index_of(const Entries& entries, const std::string& kind, const std::string& name) {
        std::vector<std::string> known;
        for (std::size_t k = 0; k < entries.size(); ++k) {
            if (entries[k].name == name) return k;
            known.push_back(entries[k].name);
        }
        throw unknown_model(kind, name, known);
    }
    std::size_t population(const std::string& name) const { return index_of(sim.spec().populations, "population", name); }
    std::size_t projection(const std::string& name) const { return index_of(sim.spec().projections, "projection", name); }

    const trace_data& trace(const std::string& pop, const std::string& var) const {
        if (const auto* t = memory.find_trace(pop, var)) return *t;
        population(pop);  // an unknown population is reported as such
        std::vector<std::string> known;
        for (const auto& t : memory.data().traces) known.push_back(t.population + "/" + t.variable);
        if (known.empty()) known.push_back("(none: add traces with Scenario.record(traces=...))");
        throw unknown_model("trace", pop + "/" + var, known);
    }

    /// run() releases the GIL, so another Python thread could call in while it runs; the data it
    /// would read is being written. Refuse instead.
    void check_idle() const {
        if (running.load()) throw std::runtime_error("Simulation is running; wait until run() returns");
    }

    simulation sim;
    memory_recorder memory;
    std::atomic<bool> stop{false};
    std::atomic<bool> running{false};
};

/// Marks a simulation as running for the lifetime of the guard.
struct running_guard {
    explicit running_guard(py_simulation& s) : s_(s) {
        s.check_idle();
        s.running.store(true);
    }
    ~running_guard() { s_.running.store(false); }
    running_guard(const running_guard&) = delete;
    running_guard& operator=(const running_guard&) = delete;

private:
    py_simulation& s_;
};

tick_t duration_ticks(const py_simulation& self, py::handle duration) {
    const double res = self.sim.resolution_ms();
    if (duration.is_none()) return std::max<tick_t>(0, self.sim.spec().duration_ticks() - self.sim.now());
    const double ms = quantity_from_py(duration, dimension::time, "Simulation.run", "duration");
    if (ms < 0) throw invalid_parameter("Simulation.run", "duration", format_quantity(ms, dimension::time), "must be >= 0 ms");
    const tick_t ticks = ms_to_ticks_exact(ms, res);
    if (ticks < 0)
        throw invalid_parameter("Simulation.run", "duration", format_quantity(ms, dimension::time),
                                "must be a whole number of ticks of the resolution " + format_quantity(res, dimension::time));
    return ticks;
}

bool run_simulation(py_simulation& self, py::object duration, py::object progress, py::object output) {
    const running_guard guard(self);
    const tick_t ticks = duration_ticks(self, duration);
    const double res = self.sim.resolution_ms();
    const bool print = py::isinstance<py::bool_>(progress) && progress.cast<bool>();
    const bool call = !progress.is_none() && !py::isinstance<py::bool_>(progress);
    if (call && !PyCallable_Check(progress.ptr()))
        throw py::type_error("Simulation.run: progress must be a bool or a callable(done_ms, total_ms)");

    std::unique_ptr<recorder> file;
    std::unique_ptr<tee_recorder> tee;
    run_options opt;
    opt.keep_spikes = true;
    opt.stop = &self.stop;
    opt.rec = &self.memory;
    if (!output.is_none()) {
        const std::string path = py::str(py::module_::import("os").attr("fspath")(output)).cast<std::string>();
        run_info info = self.memory.data().info;
        info.duration_ms = static_cast<double>(ticks) * res;
        file = recorder::open_hdf5(path, info);
        // The simulation declares populations and traces when it sees a recorder it was not last
        // given. Attaching the memory recorder first guarantees that the new tee (which may reuse
        // the address of an earlier one) is seen as new.
        run_options attach;
        attach.rec = &self.memory;
        self.sim.run(0, attach);
        tee = std::make_unique<tee_recorder>(self.memory, *file);
        opt.rec = tee.get();
    }

    std::optional<py::error_already_set> pending;  // a Python exception raised during the run
    opt.progress = [&](tick_t done, tick_t total) {
        py::gil_scoped_acquire gil;
        if (pending) return;
        try {
            if (PyErr_CheckSignals() != 0) throw py::error_already_set();
            if (print) {
                std::fprintf(stderr, "\r  %.6g / %.6g ms simulated (%.1f%%)", static_cast<double>(done) * res,
                             static_cast<double>(total) * res,
                             total > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 100.0);
                std::fflush(stderr);
            }
            if (call) progress(static_cast<double>(done) * res, static_cast<double>(total) * res);
        } catch (py::error_already_set& e) {
            pending.emplace(std::move(e));
            self.stop.store(true);
        }
    };

    self.stop.store(false);
    bool complete = false;
    std::exception_ptr failure;
    const auto t0 = clock_type::now();
    {
        py::gil_scoped_release release;
        try {
            complete = self.sim.run(ticks, opt);
        } catch (...) {
            failure = std::current_exception();
        }
    }
    const double wall = std::chrono::duration<double>(clock_type::now() - t0).count();
    if (print) std::fprintf(stderr, "\n");
    complete = complete && !failure && !pending;
    self.memory.close(complete, wall, self.sim.now());
    if (file) {
        if (failure || pending) {
            try {
                file->close(false, wall, self.sim.now());
            } catch (...) {  // the first error is the one to report
            }
        } else {
            file->close(complete, wall, self.sim.now());
        }
    }
    if (failure) std::rethrow_exception(failure);
    if (pending) throw *pending;
    return complete;
}

// ---------------------------------------------------------------------------------------------
// Sweeps

/// Runs independent simulations in parallel (one thread each), returns one data dict per point.
/// The GIL is released; the calling thread polls for signals every 50 ms and stops every point
/// at its next tick on Ctrl-C.
py::list run_sweep(const std::vector<const scenario*>& specs, const model_registry& models, unsigned threads,
                   const std::vector<std::string>& command_lines) {
    const std::size_t n = specs.size();
    if (command_lines.size() != n) throw invalid_parameter("sweep", "command_lines", std::to_string(command_lines.size()),
                                                           "must have one entry per point (" + std::to_string(n) + ")");
    std::vector<run_data> out(n);
    std::atomic<bool> stop{false};
    std::exception_ptr failure;
    std::optional<py::error_already_set> pending;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    {
        py::gil_scoped_release release;
        std::thread worker([&] {
            try {
                run_points(n, threads, [&](std::size_t i) {
                    const scenario& sc = *specs[i];
                    simulation sim(sc, models, 1);
                    memory_recorder rec(make_info(sc, 1, command_lines[i]));
                    run_options opt;
                    opt.rec = &rec;
                    opt.stop = &stop;
                    opt.keep_spikes = false;
                    const auto t0 = clock_type::now();
                    const bool ok = sim.run(sc.duration_ticks(), opt);
                    rec.close(ok, std::chrono::duration<double>(clock_type::now() - t0).count(), sim.now());
                    out[i] = rec.take();
                });
            } catch (...) {
                failure = std::current_exception();
            }
            {
                std::lock_guard<std::mutex> lock(mu);
                done = true;
            }
            cv.notify_all();
        });
        std::unique_lock<std::mutex> lock(mu);
        while (!done) {
            cv.wait_for(lock, std::chrono::milliseconds(50));
            if (done) break;
            lock.unlock();
            {
                py::gil_scoped_acquire gil;
                if (!pending && PyErr_CheckSignals() != 0) {
                    pending.emplace();
                    stop.store(true);
                }
            }
            lock.lock();
        }
        lock.unlock();
        worker.join();
    }
    if (pending) throw *pending;
    if (failure) std::rethrow_exception(failure);
    py::list results;
    for (auto& r : out) results.append(data_dict(std::move(r)));
    return results;
}

} // namespace

void register_core(py::module_& m) {
    // --- units -----------------------------------------------------------------------------------
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

    // --- model registry (types of core; the built-in list is in register_models) ---------------
    py::class_<param_info>(m, "ParamInfo", "One model parameter: name, dimension, default (NaN: required), doc.")
        .def_readonly("name", &param_info::name)
        .def_readonly("dimension", &param_info::dim)
        .def_readonly("default", &param_info::default_value)
        .def_readonly("doc", &param_info::doc)
        .def_property_readonly("required", &param_info::required)
        .def_property_readonly("unit", [](const param_info& p) { return std::string(internal_unit(p.dim)); })
        .def("__repr__", [](const param_info& p) {
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
        .def("param", [](const model_info& mi, const std::string& name) -> const param_info& {
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
        .def("find_backend", &model_registry::find_backend, py::arg("name"), py::return_value_policy::reference_internal,
             "The synaptic backend `name` (digital, crossbar, dense).")
        .def("backend_names", &model_registry::backend_names)
        .def("find", &model_registry::find, py::arg("name"), py::return_value_policy::reference_internal)
        .def("__getitem__", &model_registry::find, py::arg("name"), py::return_value_policy::reference_internal)
        .def("__contains__", &model_registry::contains)
        .def("names", &model_registry::names)
        .def("__iter__", [](const model_registry& r) { return py::iter(py::cast(r.names())); })
        .def("__len__", [](const model_registry& r) { return r.names().size(); })
        .def("__repr__", [](const model_registry& r) { return "<ModelRegistry: " + join_names(r.names()) + ">"; });

    // --- scenarios ---------------------------------------------------------------------------------
    py::class_<population_spec>(m, "PopulationSpec")
        .def_readonly("name", &population_spec::name)
        .def_readonly("model", &population_spec::model)
        .def_readonly("size", &population_spec::size)
        .def_readonly("params", &population_spec::params, "Complete parameters, internal units.")
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
        .def("__repr__", [](const projection_spec& p) {
            return "<ProjectionSpec " + p.name + ": " + p.source + " -> " + p.target + ", " + p.rule + ">";
        });
    py::class_<stimulus_spec>(m, "StimulusSpec")
        .def_readonly("name", &stimulus_spec::name)
        .def_readonly("kind", &stimulus_spec::kind)
        .def_readonly("target", &stimulus_spec::target)
        .def_readonly("receptor", &stimulus_spec::receptor)
        .def("__repr__", [](const stimulus_spec& s) { return "<StimulusSpec " + s.name + ": " + s.kind + " -> " + s.target + ">"; });
    py::class_<trace_spec>(m, "TraceSpec")
        .def_readonly("population", &trace_spec::population)
        .def_readonly("variables", &trace_spec::variables)
        .def_readonly("neurons", &trace_spec::neurons)
        .def_readonly("interval_ms", &trace_spec::interval_ms);
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

    // --- simulation --------------------------------------------------------------------------------
    py::class_<py_simulation>(m, "Simulation",
                              "A built network and its scheduler. Use memspike.Simulation, which accepts a memspike.Scenario.")
        .def(py::init([](const scenario& sc, const model_registry& models, py::object threads, const std::string& command_line) {
                 const unsigned n = threads.is_none() ? sc.simulation.threads : threads.cast<unsigned>();
                 py::gil_scoped_release release;  // building a large network takes a while
                 return std::make_unique<py_simulation>(sc, models, n, command_line);
             }),
             py::arg("spec"), py::arg("models"), py::arg("threads") = py::none(), py::arg("command_line") = "",
             py::keep_alive<1, 3>())
        .def("run", &run_simulation, py::arg("duration") = py::none(), py::arg("progress") = false, py::arg("output") = py::none(),
             "Runs `duration` more (a unit string or seconds; default: up to the scenario's duration). Returns True if "
             "the run reached its end. Releases the GIL; Ctrl-C stops at the next tick and raises KeyboardInterrupt.")
        .def_property_readonly("now", [](const py_simulation& s) { return s.sim.now(); }, "Ticks simulated so far.")
        .def_property_readonly("time_ms", [](const py_simulation& s) { return static_cast<double>(s.sim.now()) * s.sim.resolution_ms(); },
                               "Simulated time so far [ms].")
        .def_property_readonly("resolution_ms", [](const py_simulation& s) { return s.sim.resolution_ms(); })
        .def_property_readonly("threads", [](const py_simulation& s) { return s.sim.threads(); })
        .def_property_readonly("neuron_count", [](const py_simulation& s) { return s.sim.neuron_count(); })
        .def_property_readonly("synapse_count", [](const py_simulation& s) { return s.sim.synapses().synapse_count(); })
        .def_property_readonly("spec", [](const py_simulation& s) -> const scenario& { return s.sim.spec(); },
                               py::return_value_policy::reference_internal)
        .def_property_readonly("populations", [](const py_simulation& s) {
            std::vector<std::string> out;
            for (const auto& p : s.sim.spec().populations) out.push_back(p.name);
            return out;
        })
        .def_property_readonly("counters", [](const py_simulation& s) {
            const auto& c = s.sim.counters();
            py::dict d;
            d["spikes"] = c.spikes;
            d["synaptic_events"] = c.synaptic_events;
            d["stimulus_events"] = c.stimulus_events;
            d["neuron_updates"] = c.neuron_updates;
            d["ticks"] = c.ticks;
            d["visited_ticks"] = c.visited_ticks;
            return d;
        }, "Event counts so far (spikes, synaptic_events, stimulus_events, neuron_updates, ticks, visited_ticks).")
        .def("spike_ticks", [](const py_simulation& s, const std::string& pop) {
            s.check_idle();
            const auto& k = s.sim.spikes()[s.population(pop)];
            return py::make_tuple(view_of(std::vector<std::uint32_t>(k.ids)), view_of(std::vector<tick_t>(k.ticks)));
        }, py::arg("population"), "(ids: uint32, ticks: int64) of every spike of `population` so far (copies).")
        .def("spikes", [](const py_simulation& s, const std::string& pop) {
            s.check_idle();
            const auto& k = s.sim.spikes()[s.population(pop)];
            const double res = s.sim.resolution_ms();
            std::vector<double> ms(k.ticks.size());
            for (std::size_t i = 0; i < ms.size(); ++i) ms[i] = static_cast<double>(k.ticks[i]) * res;
            return py::make_tuple(view_of(std::vector<std::uint32_t>(k.ids)), view_of(std::move(ms)));
        }, py::arg("population"), "(ids: uint32, times_ms: float64) of every spike of `population` so far (copies).")
        .def("state", [](const py_simulation& s, const std::string& pop, const std::string& var, py::object neuron) -> py::object {
            s.check_idle();
            const std::size_t p = s.population(pop);
            if (!neuron.is_none()) return py::float_(s.sim.state(p, var, neuron.cast<std::uint64_t>()));
            std::vector<double> v(s.sim.spec().populations[p].size);
            for (std::size_t i = 0; i < v.size(); ++i) v[i] = s.sim.state(p, var, i);
            return view_of(std::move(v));
        }, py::arg("population"), py::arg("var"), py::arg("neuron") = py::none(),
           "State variable `var` after the last simulated tick, in its internal unit (mV for v): a float for one "
           "neuron, a float64 array of the whole population when neuron is None.")
        .def("weights", [](const py_simulation& s, const std::string& projection) {
            s.check_idle();
            const auto syn = s.sim.synapses_of(s.projection(projection));
            const double res = s.sim.resolution_ms();
            std::vector<double> delay_ms(syn.delays.size());
            for (std::size_t i = 0; i < delay_ms.size(); ++i) delay_ms[i] = syn.delays[i] * res;
            py::dict d;
            d["sources"] = view_of(std::vector<std::uint32_t>(syn.sources));
            d["targets"] = view_of(std::vector<std::uint32_t>(syn.targets));
            d["weights"] = view_of(std::vector<float>(syn.weights));
            d["delays_ms"] = view_of(std::move(delay_ms));
            return d;
        }, py::arg("projection"),
           "The synapses of `projection` now: dict of numpy arrays sources, targets (uint32, population-local), "
           "weights (float32, unit of the target port: mV, pA or nS) and delays_ms (float64).")
        .def("set_weights", [](py_simulation& s, const std::string& projection, py::array_t<float, py::array::c_style | py::array::forcecast> w) {
            s.check_idle();
            if (w.ndim() != 1) throw invalid_parameter(projection, "weights", std::to_string(w.ndim()) + "-d array", "must be 1-d");
            s.sim.set_weights(s.projection(projection), std::span<const float>(w.data(), static_cast<std::size_t>(w.size())));
        }, py::arg("projection"), py::arg("weights"),
           "Replaces the weights of `projection` (one per synapse, in the order of weights()). Checked against the "
           "plasticity bounds; raises InvalidParameter naming the first bad entry.")
        .def("save_state", [](const py_simulation& s, const std::string& path) {
            s.check_idle();
            py::gil_scoped_release release;
            s.sim.save_state(path);
        }, py::arg("path"),
           "Writes the complete dynamic state (checkpoint) to `path`: load_state on a simulation of the same scenario "
           "continues exactly. Recorded spikes and traces are results, not state, and are not included.")
        .def("load_state", [](py_simulation& s, const std::string& path) {
            s.check_idle();
            py::gil_scoped_release release;
            s.sim.load_state(path);
        }, py::arg("path"), "Restores a checkpoint written by save_state for the same scenario; raises memspike.IOError otherwise.")
        .def("_reset", [](py_simulation& s, bool keep_weights) {
            s.check_idle();
            {
                py::gil_scoped_release release;
                s.sim.reset(keep_weights);
            }
            s.memory = memory_recorder(s.memory.data().info);
        }, py::arg("keep_weights") = true)
        .def_property_readonly("events", [](const py_simulation& s) {
            s.check_idle();
            return counts_dict(s.sim.events());
        }, "Energy-ledger event counts so far (dict: spikes, synaptic_events, stimulus_events, neuron_updates, "
           "trace_updates, weight_updates, crossbar_*, dense_macs).")
        .def("energy", [](const py_simulation& s, const std::string& model) {
            s.check_idle();
            const auto& sc = s.sim.spec();
            return price(model, sc.backend, s.sim.events(), s.sim.dense(), s.sim.now(), s.sim.resolution_ms(),
                         sc.recording.inference_ms);
        }, py::arg("model"),
           "Energy of the run so far under a hardware model (built-in name such as 'loihi' or a preset path): dict "
           "with total_j, compute_j, memory_j, idle_j, simulated_ms, the itemised lines (count x pJ each, with "
           "sources) and, with [recording] inference, per_inference_j. A model that prices another backend's counts "
           "(reram_crossbar on a digital run) raises memspike.Error.")
        .def("_ledger", [](const py_simulation& s) {
            s.check_idle();
            return energy_data_dict(energy_data(s.memory.data().energy), s.sim.spec().recording.inference_ms);
        }, "The ledger bins recorded in memory (the layout of /energy), or None without a ledger.")
        .def("set_modulator", [](py_simulation& s, const std::string& projection, double value) {
            s.check_idle();
            s.sim.set_modulator(s.projection(projection), value);
        }, py::arg("projection"), py::arg("value"),
           "Sets the neuromodulator (reward) signal of a three-factor plastic projection from now on.")
        .def("plasticity", [](const py_simulation& s, const std::string& projection) {
            s.check_idle();
            const auto c = s.sim.plasticity(s.projection(projection));
            py::dict d;
            d["weight_updates"] = c.weight_updates;
            d["trace_updates"] = c.trace_updates;
            d["hits_min"] = c.hits_min;
            d["hits_max"] = c.hits_max;
            return d;
        }, py::arg("projection"), "Plasticity counters of `projection` (weight_updates, trace_updates, hits_min, hits_max).")
        .def("_trace", [](const py_simulation& s, const std::string& pop, const std::string& var) {
            s.check_idle();
            return trace_dict(trace_data(s.trace(pop, var)));
        }, py::arg("population"), py::arg("var"))
        .def("_data", [](const py_simulation& s) {
            s.check_idle();
            return data_dict(run_data(s.memory.data()));
        },
             "A copy of everything recorded in memory, in the layout of the HDF5 file.")
        .def("__repr__", [](const py_simulation& s) {
            const auto& sc = s.sim.spec();
            std::ostringstream os;
            os << "<memspike.Simulation " << (sc.file.empty() ? std::string("<code>") : sc.file) << ": " << s.sim.neuron_count()
               << " neurons, " << s.sim.synapses().synapse_count() << " synapses, t = "
               << format_quantity(static_cast<double>(s.sim.now()) * s.sim.resolution_ms(), dimension::time) << " of "
               << format_quantity(sc.simulation.duration_ms, dimension::time) << ", " << s.sim.threads() << " threads>";
            return os.str();
        });

    // --- energy ------------------------------------------------------------------------------------
    m.def("energy_models", &builtin_energy_models, "Names of the shipped energy presets (models/energy/*.toml).");
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

    m.def("run_sweep", &run_sweep, py::arg("specs"), py::arg("models"), py::arg("threads"), py::arg("command_lines"),
          "Runs each scenario for its duration, single-threaded, `threads` at a time (0: all cores), GIL released; "
          "returns one data dict per scenario (numpy views of the recorded data).");
}

} // namespace memspike::python
