# SPDX-License-Identifier: MIT
"""Scenarios: the description of one simulation, loaded from TOML or built in Python.

How a scenario built in Python becomes a network
------------------------------------------------
``Scenario`` does not build a network itself. Each builder call (``simulation()``, ``population()``,
``projection()``, ``stimulus()``, ``record()``) adds an entry to a document that mirrors the TOML
scenario format (docs/scenario-format.md) key for key, and ``compile()`` writes that document as
TOML text and hands it to the C++ scenario parser, the same one that reads ``.toml`` files and
``--set`` overrides. So every rule, default and error message of the file format applies
identically, and a network built in Python is the *same* network as the equivalent TOML file:
same parameters, same random streams, identical spikes, by construction.

Quantities
----------
A quantity carries its unit: a unit string (``"20 ms"``, ``"-65 mV"``, ``"0.5 nA"``) or a unit object
of the ``quantities`` package or of Brian2 (``20 * pq.ms``, ``20 * brian2.ms``, converted through
their own API). A plain number is refused where the key is a quantity (``tau_m=20`` could mean 20 ms
or 20 s): the C++ reader names the key, the dimension and an example. Dimensionless values
(``size``, ``scale``, ``probability``, ``seed``) are plain numbers, numpy scalars included. A
distribution is a dict, as in TOML: ``{"dist": "uniform", "low": "0 mV", "high": "20 mV"}``.
memspike._values explains why the numbers are left to the reader.

Validation
----------
Every builder call checks the scenario so far at once and raises, without changing the scenario,
on the first problem: ``UnknownModel`` for a model that does not exist, ``ScenarioError`` (a
``ValueError``) whose ``key`` names the offending value (``population.E.params.tau_m``) otherwise.
Call ``simulation()`` first: until it is called, entries are checked against the default
resolution (0.1 ms) and a placeholder duration.
"""
import copy
import os
from collections.abc import Mapping

from . import _memspike, _values

_CODE_LABEL = "<memspike.Scenario>"


def _set(table, where, **entries):
    """Adds the entries that were given (not None) to a TOML table, as plain TOML values (unit
    objects become unit strings; numbers stay numbers, for the reader to check)."""
    for k, v in entries.items():
        if v is not None:
            table[k] = _values.plain(v, f"{where}: {k}")
    return table


def _override_pairs(overrides):
    if overrides is None:
        return []
    if isinstance(overrides, Mapping):
        items = overrides.items()
    elif isinstance(overrides, (str, bytes)) or not hasattr(overrides, "__iter__"):
        raise TypeError(f"overrides must be a dict {{key: value}} or a list of (key, value) pairs, such as "
                        f"{{\"simulation.duration\": \"2 s\"}}, not {type(overrides).__name__}")
    else:
        items = list(overrides)
        for item in items:
            if not isinstance(item, (tuple, list)) or len(item) != 2:
                raise TypeError(f"overrides: each entry must be a (key, value) pair, such as "
                                f"(\"simulation.duration\", \"2 s\"), not {item!r:.60}")
    for k, _ in items:
        if not isinstance(k, str):
            raise TypeError(f"overrides: a key must be a dotted string such as \"simulation.duration\", not {k!r:.60}")
    return [(k, v) for k, v in items]


def _registry(models, where):
    """The model registry argument: a memspike.ModelRegistry, None for the built-in one."""
    if models is None:
        return _memspike.builtin_models()
    if not isinstance(models, _memspike.ModelRegistry):
        raise TypeError(f"{where}: models must be a memspike.ModelRegistry (memspike.models) or None, "
                        f"not {type(models).__name__}")
    return models


def _name(value, where, arg):
    """A name argument (population, model, rule, kind): a str, or TypeError saying so."""
    if not isinstance(value, str):
        raise TypeError(f"{where}: {arg} must be a name (str), such as \"E\" or \"lif_delta\", "
                        f"not {type(value).__name__} {value!r:.60}")
    return value


class Scenario:
    """The description of one simulation: run settings, populations, projections, stimuli, recording.

    Build one in code::

        sc = memspike.Scenario()
        sc.simulation(duration="200 ms", resolution="0.1 ms", seed=1)
        sc.population("E", "lif_delta", 800, params={"tau_m": "20 ms", "v_th": "20 mV", "v_reset": "10 mV",
                                                     "e_l": "0 mV"},
                      init={"v": {"dist": "uniform", "low": "0 mV", "high": "20 mV"}})
        sc.projection("E", "E", "fixed_indegree", indegree=80, weight="0.1 mV", delay="1.5 ms")
        sc.stimulus("poisson", "E", rate="20 kHz", weight="0.1 mV")
        sc.record(spikes="all", traces=[{"population": "E", "variables": ["v"], "neurons": [0, 1]}])

    or load one with ``memspike.load_scenario(path, overrides)``. ``set(key, value)`` changes one
    value like ``--set`` on the command line, for both kinds. See the module docstring for how
    quantities are given and why a scenario built here gives exactly the spikes of the equivalent
    TOML file.
    """

    def __init__(self, models=None):
        self._models = _registry(models, "Scenario")
        self._doc = {}          # the TOML document (builder scenarios)
        self._file = None       # file scenarios: path and text as loaded
        self._text = None
        self._overrides = []    # [(dotted key, Python value)], applied by the C++ parser

    # -- construction from a file ------------------------------------------------------------------

    @classmethod
    def _load(cls, path, overrides=None, models=None):
        sc = cls(models)
        sc._file = os.fspath(path)
        pairs = _override_pairs(overrides)
        spec = _memspike.load_scenario(sc._file, sc._models)  # IOError / ScenarioError for the file itself
        sc._text = spec.text
        for k, v in pairs:
            sc.set(k, v)
        return sc

    # -- builder -----------------------------------------------------------------------------------

    def _edit(self, change):
        if self._file is not None:
            raise TypeError("this scenario was loaded from a file; change it with set(key, value) "
                            "(as --set), or build one in code with memspike.Scenario()")
        saved = copy.deepcopy(self._doc)
        try:
            change(self._doc)
            self._check()
        except BaseException:
            self._doc = saved
            raise
        return self

    def simulation(self, duration=None, resolution=None, seed=None, threads=None, scale=None,
                   quiescence_tolerance=None, **extra):
        """[simulation]: duration and resolution (time), seed, threads (0: all cores), scale (multiplies
        population sizes), quiescence_tolerance. Arguments left None keep their current value or the
        format's default. Returns self."""
        entries = _set({}, "Scenario.simulation", duration=duration, resolution=resolution, seed=seed, threads=threads,
                       scale=scale, quiescence_tolerance=quiescence_tolerance, **extra)
        return self._edit(lambda doc: doc.setdefault("simulation", {}).update(entries))

    def population(self, name, model, size=None, params=None, init=None, spike_times=None, **extra):
        """[[population]]: `size` neurons of `model` (memspike.models lists them). `params` maps parameter
        names to quantities; `init` maps state variables to a quantity or a distribution drawn per
        neuron; `spike_times` (spike_source only) is one list of times per neuron. Returns self."""
        where = f"Scenario.population({name!r})"
        self._models.find(_name(model, where, "model"))  # UnknownModel now, naming the known models
        entry = _set({"name": _name(name, "Scenario.population", "name"), "model": model}, where, size=size,
                     params=params, init=init, spike_times=spike_times, **extra)
        return self._edit(lambda doc: doc.setdefault("population", []).append(entry))

    def projection(self, source, target, rule, weight=None, delay=None, *, indegree=None, outdegree=None,
                   probability=None, total_number=None, receptor=None, name=None, allow_autapses=None,
                   allow_multapses=None, file=None, **extra):
        """[[projection]]: synapses from population `source` to `target` by `rule` (one_to_one, all_to_all,
        fixed_probability, fixed_indegree, fixed_outdegree, fixed_total_number, explicit; `indegree`,
        `outdegree`, `probability`, `total_number` and `file` are the rules' parameters, as in
        docs/scenario-format.md). `weight` has the dimension of the
        target port (voltage for lif_delta, current for lif_exp, conductance for lif_cond_exp) and `delay`
        is a time; both may be distributions. Other keys of the format (e.g. a plasticity table) pass
        through `extra` unchanged. Returns self."""
        where = "Scenario.projection"
        for arg, v in (("source", source), ("target", target), ("rule", rule)):
            _name(v, where, arg)
        if file is not None:
            if not isinstance(file, (str, os.PathLike)):
                raise TypeError(f"{where}: file must be a path (str or os.PathLike), not {type(file).__name__}")
            file = os.path.abspath(os.fspath(file))
        entry = _set({}, where, name=name, source=source, target=target, rule=rule, indegree=indegree,
                     outdegree=outdegree, probability=probability, total_number=total_number, file=file,
                     allow_autapses=allow_autapses,
                     allow_multapses=allow_multapses, weight=weight, delay=delay, receptor=receptor, **extra)
        return self._edit(lambda doc: doc.setdefault("projection", []).append(entry))

    def stimulus(self, kind, target, *, name=None, neurons=None, rate=None, weight=None, receptor=None,
                 shared=None, start=None, stop=None, amplitude=None, times=None, amplitudes=None, **extra):
        """[[stimulus]] of `kind` poisson (rate, weight, receptor, shared, start, stop), dc (amplitude,
        start, stop), step (times, amplitudes) or ac (amplitude, frequency, phase, offset, start, stop;
        given as keywords) on population `target` (all neurons, or the indices in `neurons`).
        Returns self."""
        where = "Scenario.stimulus"
        _name(kind, where, "kind")
        _name(target, where, "target")
        entry = _set({}, where, name=name, kind=kind, target=target, neurons=neurons, rate=rate, weight=weight,
                     receptor=receptor, shared=shared, start=start, stop=stop, amplitude=amplitude, times=times,
                     amplitudes=amplitudes, **extra)
        return self._edit(lambda doc: doc.setdefault("stimulus", []).append(entry))

    def record(self, spikes=None, traces=None, flush_interval=None, energy_bin=None, inference=None):
        """[recording]: `spikes` is "all" or a list of population names; `traces` a list of dicts
        {"population", "variables", "neurons" (default: all), "interval" (default 1 ms)}, replacing
        earlier ones; `energy_bin` the ledger's time bin (0 s: no ledger); `inference` the model time
        one inference takes (energy per inference, docs/energy.md). Returns self."""
        if isinstance(traces, Mapping):  # one trace table: a list of one
            traces = [traces]
        entries = _set({}, "Scenario.record", spikes=spikes, trace=traces, flush_interval=flush_interval,
                       energy_bin=energy_bin, inference=inference)
        return self._edit(lambda doc: doc.setdefault("recording", {}).update(entries))

    def backend(self, kind, **params):
        """[backend]: the synaptic backend `kind` ("digital", "crossbar", "dense") and its parameters,
        quantities with their units (``g_min="0.476 uS"``), dimensionless ones as numbers
        (``levels=float("inf")``, ``reorder=False``); ``memspike.models.find_backend(kind).params``
        lists them. Replaces an earlier [backend]. Returns self."""
        self._models.find_backend(_name(kind, "Scenario.backend", "kind"))  # UnknownModel, naming the known ones
        entry = _set({"kind": kind}, f"Scenario.backend({kind!r})", **params)
        return self._edit(lambda doc: doc.__setitem__("backend", entry))

    def set(self, key, value):
        """Changes one value, exactly as ``--set key=value`` on the command line:
        ``sc.set("population.E.params.tau_m", "10 ms")``. Entries are addressed by name. Checked at
        once. Returns self."""
        pair = _override_pairs([(key, value)])[0]
        self._overrides.append(pair)
        try:
            self._check()
        except BaseException:
            self._overrides.pop()
            raise
        return self

    def copy(self):
        """An independent copy."""
        return copy.copy(self)

    def __copy__(self):
        out = Scenario(self._models)
        out._doc = copy.deepcopy(self._doc)
        out._file, out._text = self._file, self._text
        out._overrides = list(self._overrides)
        return out

    # -- compilation -------------------------------------------------------------------------------

    @property
    def file(self):
        """The scenario file, or None for a scenario built in code."""
        return self._file

    @property
    def overrides(self):
        """The set(key, value) changes, in order."""
        return dict(self._overrides)

    @property
    def models(self):
        return self._models

    def to_toml(self):
        """The scenario as TOML text, without the set() overrides (see `overrides`)."""
        return self._text if self._file is not None else _values.document(self._doc)

    def compile(self, overrides=None):
        """Parses and validates the scenario (plus set() changes, plus `overrides`) with the C++
        parser; returns the ScenarioSpec that Simulation builds from."""
        return self._compile(self._overrides + _override_pairs(overrides))

    def _compile(self, pairs, placeholder=False):
        text, positions = self.to_toml(), True
        if self._file is None:
            positions = False
            if placeholder and "duration" not in self._doc.get("simulation", {}):
                # The builder checks each step before simulation() may have been called.
                doc = copy.deepcopy(self._doc)
                sim = doc.pop("simulation", {})
                res = sim.get("resolution")
                sim["duration"] = res if isinstance(res, str) else "0.1 ms"  # a bad resolution is reported as such
                doc = {"simulation": sim, **doc}
                text = _values.document(doc)
        ov = [(k, self._override_text(k, v)) for k, v in pairs]
        return _memspike.parse_scenario(text, self._file or _CODE_LABEL, self._models, ov, positions)

    def _check(self):
        return self._compile(self._overrides, placeholder=True)

    @staticmethod
    def _override_text(key, value):
        """The TOML value text of an override, as --set takes it (numbers stay numbers, see _values)."""
        return _values.value_text(_values.plain(value, f"override {key!r}"))

    # -- presentation ------------------------------------------------------------------------------

    def __repr__(self):
        if self._file is not None:
            ov = f", overrides={self.overrides!r}" if self._overrides else ""
            return f"memspike.load_scenario({self._file!r}{ov})"
        pops = ", ".join(f"{p.get('name')} ({p.get('size', '?')} x {p.get('model')})" for p in self._doc.get("population", []))
        sim = self._doc.get("simulation", {})
        ov = f", overrides={self.overrides!r}" if self._overrides else ""
        return (f"<memspike.Scenario: duration {sim.get('duration', '(not set)')}, populations [{pops}], "
                f"{len(self._doc.get('projection', []))} projections, {len(self._doc.get('stimulus', []))} stimuli{ov}>")


def load_scenario(path, overrides=None, models=None):
    """Reads a TOML scenario file and applies `overrides` ({"simulation.duration": "2 s", ...}, as
    ``--set``; quantities need their unit, as in the file). Raises memspike.IOError for a missing
    file and ScenarioError (file, line, column, key) for a bad value. Returns a Scenario."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"load_scenario: path must be a file path (str or os.PathLike), not {type(path).__name__}")
    return Scenario._load(path, overrides, models)
