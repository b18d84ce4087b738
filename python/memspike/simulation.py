# SPDX-License-Identifier: MIT
"""Running scenarios: Simulation (one network, run in steps) and sweep (many, in parallel)."""
import itertools
import numbers
import operator
import os
import shlex
import sys
from collections.abc import Mapping

import numpy as np

from . import _memspike, _values
from .results import Ledger, Result, Trace
from .scenario import Scenario, _registry, load_scenario


def _spec_of(scenario, overrides=None):
    if isinstance(scenario, (str, os.PathLike)):
        scenario = load_scenario(scenario)
    if isinstance(scenario, Scenario):
        return scenario, scenario.compile(overrides)
    if isinstance(scenario, _memspike.ScenarioSpec):
        if overrides:
            raise TypeError("overrides need a memspike.Scenario, not a compiled ScenarioSpec")
        return None, scenario
    raise TypeError(f"expected a memspike.Scenario, a scenario file path or a ScenarioSpec, not {type(scenario).__name__}")


def _name(value, where, arg):
    """A name argument (population, projection, variable): a str, or TypeError naming the argument."""
    if not isinstance(value, str):
        raise TypeError(f"{where}: {arg} must be a name (str), not {type(value).__name__} {value!r:.60}")
    return value


def _path(value, where, arg):
    """A file path argument: str or os.PathLike, as str."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{where}: {arg} must be a file path (str or os.PathLike), not {type(value).__name__} {value!r:.60}")
    return os.fspath(value)


def _flag(value, where, arg):
    """A True/False argument (numpy booleans too), as bool; TypeError naming the argument otherwise."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: {arg} must be True or False, not {type(value).__name__} {value!r:.60}")
    return bool(value)


def _command_line(overrides):
    """Provenance: the Python command line and the overrides, as --set options."""
    argv = " ".join(shlex.quote(a) for a in (sys.argv or [""]))
    def shown(k, v):  # as --set would take it: unit objects as unit strings
        return v if isinstance(v, str) else _values.value_text(_values.plain(v, f"override {k!r}"))
    sets = " ".join(f"--set {shlex.quote(f'{k}={shown(k, v)}')}" for k, v in (overrides or {}).items())
    return f"python {argv}" + (f" {sets}" if sets else "")


class Simulation(_memspike.Simulation):
    """A built network, ready to run.

    ``Simulation(scenario, threads=None, models=None, ignore_resource_limits=False)`` builds the
    network of a Scenario (or a scenario file path). `threads` = None takes the scenario's
    ``simulation.threads``; 0 uses all cores. Results do not depend on the number of threads. Before
    building, the scenario's resource estimate (memspike._memspike.estimate_resources, with the
    output the run surely writes added, since it is kept in memory) is checked against the memory
    available, as ``memspike run`` does: a scenario that does not fit raises memspike.Error with
    both numbers, unless ``ignore_resource_limits=True``.

    ``run(duration=None, progress=False, output=None, overwrite=False)`` runs `duration` more ("50 ms", or a
    quantities / Brian2 quantity; a plain number is refused; default: up to the scenario's
    duration) and returns True if it got there. It can be called again to continue. The GIL is released while it runs; Ctrl-C stops it at the next tick and
    raises KeyboardInterrupt, after which ``now`` is a whole tick and ``run`` continues from there.
    `progress` is True (a line on stderr) or a callable ``f(done_ms, total_ms)``. `output` streams
    spikes, traces, weights and energy ledger of this call to an HDF5 file (docs/hdf5-schema.md),
    with the energy models' totals of this call, through the same C++ run driver as ``memspike run``;
    it is closed with ``complete = 1`` only if the run reached its end. An existing `output` is
    refused (memspike.IOError naming it) unless ``overwrite=True``, and a scenario file is never
    accepted as the output. The file is written as ``<output>.partial-<pid>`` and renamed to
    `output` when it is closed, so an existing file is replaced only then. A run of the whole
    scenario into a file (no `duration`, from t = 0) is also checked against the free disk there.

    Everything recorded is also kept in memory: ``spikes(pop)`` -> (ids uint32, times_ms float64),
    ``spike_ticks(pop)``, ``traces(pop, var)`` -> Trace (ticks, values[samples, neurons]),
    ``state(pop, var, neuron=None)``, and ``result()``, a Result equal to what
    ``memspike.load(output)`` reads back.

    Energy: ``events`` (ledger totals by category), ``energy(model)`` (a hardware model's estimate,
    docs/energy.md) and ``ledger`` (counts per time bin), with the same names and values on a
    Result.
    """

    def __init__(self, scenario, threads=None, models=None, ignore_resource_limits=False):
        source, spec = _spec_of(scenario)
        if threads is not None and (isinstance(threads, bool) or not isinstance(threads, numbers.Integral)):
            raise TypeError(f"Simulation: threads must be a whole number (0: all cores; None: the scenario's "
                            f"simulation.threads), not {type(threads).__name__} {threads!r:.60}")
        ignore = _flag(ignore_resource_limits, "Simulation", "ignore_resource_limits")
        if models is None:
            models = source.models if source is not None else _memspike.builtin_models()
        models = _registry(models, "Simulation")
        if not ignore:
            # Before anything is built, as `memspike run` does. Everything recorded stays in memory
            # here (see the class docstring), so the output the run surely writes counts as memory.
            _memspike.check_resources(spec, models, in_memory_output=True)
        super().__init__(spec, models, threads, _command_line(source.overrides if source is not None else None))
        self._scenario = source
        self._models = models  # for the disk check of run(output=...)
        self._ignore_resource_limits = ignore

    def run(self, duration=None, progress=False, output=None, overwrite=False):
        """Runs `duration` more (a time with its unit: "50 ms", or a quantities / Brian2 quantity;
        default: up to the scenario's duration); see the class docstring. An existing `output` is
        refused (memspike.IOError) unless `overwrite` is True."""
        duration = _values.quantity_text(duration, "Simulation.run: duration")
        overwrite = _flag(overwrite, "Simulation.run", "overwrite")
        if output is not None:
            output = _path(output, "Simulation.run", "output")
            if duration is None and self.now == 0 and not self._ignore_resource_limits:
                # The file will hold the whole scenario, which is what the estimate counts: check the
                # free disk as `memspike run -o` does. Memory was checked at construction (and what is
                # available now excludes the built network itself, so it is not checked again).
                _memspike.check_resources(self.spec, self._models, output, memory_bytes=-1)
        return super().run(duration, progress, output, overwrite)

    def spikes(self, population):
        """(ids uint32, times_ms float64) of every spike of `population` so far (copies)."""
        return super().spikes(_name(population, "Simulation.spikes", "population"))

    def spike_ticks(self, population):
        """(ids uint32, ticks int64) of every spike of `population` so far (copies)."""
        return super().spike_ticks(_name(population, "Simulation.spike_ticks", "population"))

    def state(self, population, var, neuron=None):
        """State variable `var` of `population` after the last tick, in its internal unit (mV for v):
        a float for one `neuron` (an index), a float64 array of the whole population when None."""
        _name(population, "Simulation.state", "population")
        _name(var, "Simulation.state", "var")
        if neuron is not None:
            try:
                neuron = operator.index(neuron)
            except TypeError:
                raise TypeError(f"Simulation.state: neuron must be an index (int) or None, not "
                                f"{type(neuron).__name__} {neuron!r:.60}") from None
        return super().state(population, var, neuron)

    def weights(self, projection):
        """The synapses of `projection` now: dict of sources, targets, weights, delays_ms."""
        return super().weights(_name(projection, "Simulation.weights", "projection"))

    def set_weights(self, projection, weights):
        """Replaces the weights of `projection` (one per synapse, in the order of weights(); in the
        unit of the target port). Checked against the plasticity bounds."""
        _name(projection, "Simulation.set_weights", "projection")
        w = np.asarray(weights)
        if w.dtype.kind not in "biuf":
            raise TypeError(f"Simulation.set_weights: weights must be numbers (one per synapse of {projection!r}), "
                            f"not an array of {w.dtype}")
        return super().set_weights(projection, w)

    def set_modulator(self, projection, value):
        """Sets the neuromodulator (reward) signal of a three-factor plastic projection from now on."""
        _name(projection, "Simulation.set_modulator", "projection")
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"Simulation.set_modulator: value must be a number (the reward signal), not "
                            f"{type(value).__name__} {value!r:.60}")
        return super().set_modulator(projection, float(value))

    def plasticity(self, projection):
        """Plasticity counters of `projection` (weight_updates, trace_updates, hits_min, hits_max)."""
        return super().plasticity(_name(projection, "Simulation.plasticity", "projection"))

    def energy(self, model):
        """Energy of the run so far under a hardware model (a shipped preset name or a preset path)."""
        return super().energy(_path(model, "Simulation.energy", "model"))

    def save_state(self, path):
        """Writes the complete dynamic state (checkpoint) to `path` (str or os.PathLike)."""
        return super().save_state(_path(path, "Simulation.save_state", "path"))

    def load_state(self, path):
        """Restores a checkpoint written by save_state for the same scenario."""
        return super().load_state(_path(path, "Simulation.load_state", "path"))

    @property
    def scenario(self):
        """The Scenario this simulation was built from (None when built from a ScenarioSpec)."""
        return self._scenario

    def traces(self, population, var):
        """The trace of state variable `var` of `population` recorded so far (Scenario.record(traces=...)):
        a Trace, i.e. the tuple (ticks int64[samples], values float64[samples, neurons]) with the
        attributes neurons, unit, interval_ticks and times_ms. Copies."""
        _name(population, "Simulation.traces", "population")
        return Trace._from_dict(self._trace(population, _name(var, "Simulation.traces", "var")), self.resolution_ms)

    @property
    def ledger(self):
        """The energy ledger so far, counts per category per time bin (a Ledger, as
        ``memspike.load(output).ledger``); ``events`` holds its totals and ``energy(model)`` prices
        them. Raises memspike.Error when the scenario records none ([recording] energy_bin = 0)."""
        d = self._ledger()
        if d is None:
            raise _memspike.Error("this simulation keeps no energy ledger bins: its scenario sets "
                                  "[recording] energy_bin = 0 (events and energy() still work)")
        return Ledger(d, self.resolution_ms, self.spec.backend, self.spec.backend_params)

    def reset(self, keep_weights=True):
        """Back to t = 0 without rebuilding from the scenario file: neuron states, sources and
        stimuli as at construction (same seed), recorded spikes and traces, counters, plasticity
        traces cleared. With `keep_weights` (the default) every synapse keeps its current, learned
        weight; with False the weights are those of the scenario again."""
        if not isinstance(keep_weights, (bool, np.bool_)):
            raise TypeError(f"Simulation.reset: keep_weights must be True or False, not {type(keep_weights).__name__}")
        self._reset(bool(keep_weights))

    def result(self):
        """Everything recorded so far as a Result (copies), equal to what an output file would hold."""
        return Result._from_data(self._data())


def sweep(scenario, grid, threads=0, models=None, ignore_resource_limits=False, *, executor=None, output_dir=None,
          overwrite=False):
    """Runs one simulation per point of the cartesian product of `grid`, in parallel.

    `grid` maps override keys to lists of values, e.g.
    ``{"population.E.params.tau_m": ["10 ms", "20 ms"], "simulation.seed": [1, 2]}`` (4 points, the
    last key varying fastest). Each point is the scenario with those overrides (as ``set``), run for
    its whole duration on one thread; `threads` points run at a time (0: all cores), in C++ with the
    GIL released. Returns one Result per point, in order, each with its ``overrides``; a point's
    result equals running that point alone (results never depend on threads). Ctrl-C stops all
    points and raises KeyboardInterrupt.

    Before any point is built, the points' resource estimates are checked against this machine's
    available memory: the `threads` largest points running together plus every point's recorded
    output, which stays in memory until the sweep returns (memspike.Error naming each figure),
    unless ``ignore_resource_limits=True``.

    With ``executor`` (a ``concurrent.futures`` executor, or a ``dask.distributed.Client`` for a
    cluster) each point is a task on it, run on one thread, writing ``output_dir/point-NNNN.h5``
    (an existing file is refused unless ``overwrite=True``); the sweep then returns a pandas
    DataFrame, one row per point in order: the grid values, the file, ``status`` ("done" or
    "failed"), ``error``, wall time, and spikes and mean rate per population; it is also written
    to ``output_dir/summary.csv``. A failing point (not enough memory on its worker, an I/O error,
    a worker lost) is reported in its row and in a RuntimeWarning with its parameters, and the
    others go on. Each worker checks its own point's memory and disk; the points are validated
    here before any is submitted. Only built-in models travel to workers.
    """
    if isinstance(scenario, (str, os.PathLike)):
        scenario = load_scenario(scenario, models=models)
    if not isinstance(scenario, Scenario):
        raise TypeError(f"sweep needs a memspike.Scenario or a scenario path, not {type(scenario).__name__}")
    if not isinstance(grid, Mapping):
        raise TypeError(f"sweep: grid must be a dict {{override key: list of values}}, such as "
                        f"{{\"simulation.seed\": [1, 2]}}, not {type(grid).__name__}")
    if isinstance(threads, bool) or not isinstance(threads, numbers.Integral):
        raise TypeError(f"sweep: threads must be a whole number (0: all cores), not {type(threads).__name__} {threads!r:.60}")
    keys = list(grid)
    for k in keys:
        if isinstance(grid[k], (str, bytes)) or not hasattr(grid[k], "__iter__"):
            raise TypeError(f"sweep: grid[{k!r}] must be a list of values, not {grid[k]!r}")
    values = [list(grid[k]) for k in keys]
    points = [dict(zip(keys, combo)) for combo in itertools.product(*values)]
    specs = [scenario.compile(p) for p in points]
    lines = [_command_line({**scenario.overrides, **p}) for p in points]
    models = _registry(models, "sweep") if models is not None else scenario.models
    ignore = _flag(ignore_resource_limits, "sweep", "ignore_resource_limits")
    if executor is not None or output_dir is not None:
        return _sweep_on(executor, scenario, points, models, threads, output_dir,
                         _flag(overwrite, "sweep", "overwrite"), ignore)
    if overwrite is not False:
        raise TypeError("sweep: overwrite applies to the files of a sweep on an executor (output_dir=...); "
                        "this sweep returns its results in memory")
    if not ignore:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        _memspike.check_sweep_resources(specs, models, int(threads) if threads > 0 else cores)
    data = _memspike.run_sweep(specs, models, threads, lines)
    return [Result._from_data(d, overrides=p) for d, p in zip(data, points)]


def _sweep_on(executor, scenario, points, models, threads, output_dir, overwrite, ignore):
    """sweep(executor=..., output_dir=...): the checks, then _sweep_executor.run."""
    from . import _sweep_executor

    if executor is None or output_dir is None:
        raise TypeError("sweep: executor and output_dir go together: each point on the executor writes "
                        "output_dir/point-NNNN.h5 (for a sweep in this process, give neither)")
    if not callable(getattr(executor, "submit", None)):
        raise TypeError(f"sweep: executor must have submit(fn, *args), as concurrent.futures executors and "
                        f"dask.distributed.Client do, not {type(executor).__name__}")
    output_dir = _path(output_dir, "sweep", "output_dir")
    if threads != 0:
        raise TypeError("sweep: threads is for a sweep in this process; on an executor each point runs on one "
                        "thread and the executor decides how many run at a time")
    if models.names() != _memspike.builtin_models().names():
        raise TypeError("sweep: a sweep on an executor runs the built-in models only (a model registry "
                        "cannot be sent to another process)")
    return _sweep_executor.run(scenario, points, lambda p: _point_pairs(scenario, p), executor, output_dir,
                               overwrite, ignore)


def _point_pairs(scenario, point):
    """The override pairs of one point as (key, TOML text): the scenario's set() changes, then the point's."""
    return [(k, Scenario._override_text(k, v)) for k, v in scenario._overrides + list(point.items())]
