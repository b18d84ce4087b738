// SPDX-License-Identifier: MIT
// Bindings of the simulation and of parameter sweeps. The run itself (recording, the output file,
// stopping cleanly, pricing) is core's run driver (memspike/core/run_driver.hpp); what is left here
// is Python's side of it:
// - run() releases the GIL. The simulation calls its progress callback about every 0.2 s of wall
//   time on the calling thread; the callback takes the GIL back briefly to poll for signals
//   (Ctrl-C) and to call the user's progress function. A pending exception sets the stop flag: the
//   simulation stops at the next tick boundary, so `now` is a whole tick and a later run()
//   continues from there. The exception is raised once the run has returned.
// - A sweep runs in core (run_sweep) with the GIL released; its poll callback takes the GIL to
//   look for Ctrl-C every 50 ms.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "convert.hpp"
#include "memspike/core/errors.hpp"
#include "memspike/core/memory_recorder.hpp"
#include "memspike/core/model.hpp"
#include "memspike/core/recorder.hpp"
#include "memspike/core/run_driver.hpp"
#include "memspike/core/scenario.hpp"
#include "memspike/core/simulation.hpp"
#include "memspike/core/spec.hpp"
#include "memspike/core/units.hpp"

namespace memspike::python {
namespace {

/// The Python Simulation: the C++ simulation, an in-memory recorder attached to it that records
/// across runs, and the stop flag.
struct py_simulation {
    py_simulation(const scenario& sc, const model_registry& registry, unsigned threads, const std::string& command_line)
        : models(registry), sim(sc, registry, threads), memory(run_info::of(sc, sim.threads(), command_line)) {
        sim.attach(memory);  // records every run, across runs; a run with an output file tees into it
    }

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

    const model_registry& models;  // kept alive by the Python object (keep_alive)
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

/// Simulation.run: Python's progress and Ctrl-C handling around core's drive_run.
bool run_simulation(py_simulation& self, py::object duration, py::object progress, py::object output, bool overwrite) {
    const running_guard guard(self);
    const tick_t ticks = duration_ticks(self, duration);
    const double res = self.sim.resolution_ms();
    const bool print = py::isinstance<py::bool_>(progress) && progress.cast<bool>();
    const bool call = !progress.is_none() && !py::isinstance<py::bool_>(progress);
    if (call && !PyCallable_Check(progress.ptr()))
        throw py::type_error("Simulation.run: progress must be a bool or a callable(done_ms, total_ms)");

    drive_options opt;
    opt.attached = &self.memory;
    opt.stop = &self.stop;
    opt.keep_spikes = true;
    opt.price_energy = !output.is_none();  // the totals go to /energy/models of the file
    if (!output.is_none()) {
        opt.output = py::str(py::module_::import("os").attr("fspath")(output)).cast<std::string>();
        opt.overwrite = overwrite;  // an existing file is refused unless asked for (issue 11)
        opt.info = self.memory.data().info;
        opt.info.duration_ms = static_cast<double>(ticks) * res;  // the file holds this call
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
    drive_result result;
    std::exception_ptr failure;
    {
        py::gil_scoped_release release;
        try {
            result = drive_run(self.sim, self.models, ticks, opt);
        } catch (...) {
            failure = std::current_exception();
        }
    }
    if (print) std::fprintf(stderr, "\n");
    if (failure) std::rethrow_exception(failure);
    if (pending) throw *pending;
    return result.complete;
}

/// memspike.sweep's C++ part: core's run_sweep with the GIL released, polling for Ctrl-C.
py::list sweep(const std::vector<const scenario*>& specs, const model_registry& models, const py::object& threads_arg,
               const std::vector<std::string>& command_lines) {
    const unsigned threads = threads_from_py(threads_arg, 0, "sweep");
    std::optional<py::error_already_set> pending;
    std::vector<run_data> out;
    std::exception_ptr failure;
    {
        py::gil_scoped_release release;
        try {
            out = run_sweep(specs, models, threads, command_lines, [&] {
                py::gil_scoped_acquire gil;
                if (PyErr_CheckSignals() == 0) return false;
                pending.emplace();
                return true;
            });
        } catch (...) {
            failure = std::current_exception();
        }
    }
    if (pending) throw *pending;
    if (failure) std::rethrow_exception(failure);
    py::list results;
    for (auto& r : out) results.append(data_dict(std::move(r)));
    return results;
}

using sim_class = py::class_<py_simulation>;

/// Spikes, state variables and weights: read back (copies) and set.
void def_recorded(sim_class& c) {
    c.def("spike_ticks", [](const py_simulation& s, const std::string& pop) {
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
            if (!neuron.is_none()) {
                // memspike.Simulation.state passes an int (operator.index); the range is checked here,
                // where the size is known: -1 used to end in "Unable to cast Python instance".
                const std::uint64_t size = s.sim.spec().populations[p].size;
                const auto i = neuron.cast<py::int_>();
                int overflow = 0;
                const long long n = PyLong_AsLongLongAndOverflow(i.ptr(), &overflow);
                if (overflow != 0 || n < 0 || static_cast<std::uint64_t>(n) >= size)
                    throw invalid_parameter("Simulation.state", "neuron", py::repr(i).cast<std::string>(),
                                            size == 0 ? "population '" + pop + "' has no neurons"
                                                      : "must be an index from 0 to " + std::to_string(size - 1) +
                                                            ": population '" + pop + "' has " + std::to_string(size) +
                                                            " neurons");
                return py::float_(s.sim.state(p, var, static_cast<std::uint64_t>(n)));
            }
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
           "plasticity bounds; raises InvalidParameter naming the first bad entry.");
}

/// Checkpoints and reset.
void def_checkpoint(sim_class& c) {
    c.def("save_state", [](const py_simulation& s, const std::string& path) {
            s.check_idle();
            py::gil_scoped_release release;
            s.sim.save_state(path);
        }, py::arg("path"),
           "Writes the complete dynamic state (checkpoint) to `path`, atomically (a temporary file beside it, then "
           "renamed): load_state on a simulation of the same scenario "
           "continues exactly. Recorded spikes and traces are results, not state, and are not included.")
        .def("load_state", [](py_simulation& s, const std::string& path) {
            s.check_idle();
            py::gil_scoped_release release;
            s.sim.load_state(path);
            s.sim.attach(s.memory);  // the ledger's bins start from the loaded counts
        }, py::arg("path"), "Restores a checkpoint written by save_state for the same scenario and network; raises memspike.IOError "
           "naming the file and the fault otherwise (damaged, truncated, appended to, another version, scenario or "
           "network), and the simulation is then unchanged.")
        .def("_reset", [](py_simulation& s, bool keep_weights) {
            s.check_idle();
            {
                py::gil_scoped_release release;
                s.sim.reset(keep_weights);
            }
            s.memory = memory_recorder(s.memory.data().info);
            s.sim.attach(s.memory);  // reset() detached it
        }, py::arg("keep_weights") = true);
}

/// The energy ledger and its pricing; plasticity counters and the neuromodulator.
void def_energy_and_plasticity(sim_class& c) {
    c.def_property_readonly("events", [](const py_simulation& s) {
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
        }, py::arg("projection"), "Plasticity counters of `projection` (weight_updates, trace_updates, hits_min, hits_max).");
}

/// Everything recorded in memory, in the layout of the HDF5 file; repr.
void def_data(sim_class& c) {
    c.def("_trace", [](const py_simulation& s, const std::string& pop, const std::string& var) {
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
}

} // namespace

void register_simulation(py::module_& m) {
    sim_class c(m, "Simulation",
                "A built network and its scheduler. Use memspike.Simulation, which accepts a memspike.Scenario.");
    c.def(py::init([](const scenario& sc, const model_registry& models, py::object threads, const std::string& command_line) {
                 const unsigned n = threads_from_py(threads, sc.simulation.threads, "simulation");
                 py::gil_scoped_release release;  // building a large network takes a while
                 return std::make_unique<py_simulation>(sc, models, n, command_line);
             }),
             py::arg("spec"), py::arg("models"), py::arg("threads") = py::none(), py::arg("command_line") = "",
             py::keep_alive<1, 3>())
        .def("run", &run_simulation, py::arg("duration") = py::none(), py::arg("progress") = false, py::arg("output") = py::none(),
             py::arg("overwrite") = false,
             "Runs `duration` more (a unit string or seconds; default: up to the scenario's duration). Returns True if "
             "the run reached its end. Releases the GIL; Ctrl-C stops at the next tick and raises KeyboardInterrupt. "
             "An existing `output` file is refused unless overwrite=True; it is replaced only when the new file is closed.")
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
        }, "Event counts so far (spikes, synaptic_events, stimulus_events, neuron_updates, ticks, visited_ticks).");
    def_recorded(c);
    def_checkpoint(c);
    def_energy_and_plasticity(c);
    def_data(c);

    m.def("run_sweep", &sweep, py::arg("specs"), py::arg("models"), py::arg("threads"), py::arg("command_lines"),
          "Runs each scenario for its duration, single-threaded, `threads` at a time (0: all cores), GIL released; "
          "returns one data dict per scenario (numpy views of the recorded data).");
}

} // namespace memspike::python
