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
A quantity is either a unit string (``"20 ms"``, ``"-65 mV"``, ``"0.5 nA"``) or a plain number in
SI units (seconds, volts, amperes, siemens, farads, ohms, hertz): ``tau_m=0.02`` is 20 ms. A number
is written out with full precision (``repr``) followed by its SI unit, and both forms are then
converted and checked by the same C++ code. Dimensionless values (``scale``, ``probability``) are
plain numbers. A distribution is a dict, as in TOML:
``{"dist": "uniform", "low": "0 mV", "high": "20 mV"}`` (numbers inside are SI as well).

Validation
----------
Every builder call checks the scenario so far at once and raises, without changing the scenario,
on the first problem: ``UnknownModel`` for a model that does not exist, ``ScenarioError`` (a
``ValueError``) whose ``key`` names the offending value (``population.E.params.tau_m``) otherwise.
Call ``simulation()`` first: until it is called, entries are checked against the default
resolution (0.1 ms) and a placeholder duration.
"""
import copy
import numbers
import os
from collections.abc import Mapping

from . import _memspike, _toml

_D = _memspike.Dimension
# The type of every fixed scenario key, from the key tables that the reader and the format doc use
# ("time", "array of currents", "distribution of times", ...): which keys are quantities is not
# written a second time here.
_KEY_TYPES = _memspike.scenario_key_types()
_DIMENSIONS = {name: getattr(_D, name) for name in dir(_D) if isinstance(getattr(_D, name), _D)}


def _table_dimension(section, key):
    """The dimension of a fixed key by its documented type (its last word, singular), or None."""
    words = _KEY_TYPES.get(section, {}).get(key, "").split()
    if not words:
        return None
    word = words[-1]
    return _DIMENSIONS.get(word, _DIMENSIONS.get(word[:-1]) if word.endswith("s") else None)
_DIST_QUANTITY_KEYS = ("low", "high", "mean", "sd", "min", "max")
_CODE_LABEL = "<memspike.Scenario>"


def _q(value, dim):
    """Turns numbers that stand for a quantity of dimension `dim` into SI unit strings."""
    if value is None or dim is None or dim == _D.dimensionless or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Real):
        return f"{float(value)!r} {_memspike.si_unit(dim)}"
    if isinstance(value, Mapping):  # a distribution table
        return {k: (_q(v, dim) if k in _DIST_QUANTITY_KEYS else v) for k, v in value.items()}
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [_q(v, dim) for v in value]
    return value


def _set(table, **entries):
    """Adds the entries that were given (not None) to a TOML table."""
    for k, v in entries.items():
        if v is not None:
            table[k] = v.tolist() if hasattr(v, "tolist") else v
    return table


def _override_pairs(overrides):
    if overrides is None:
        return []
    items = overrides.items() if isinstance(overrides, Mapping) else overrides
    return [(str(k), v) for k, v in items]


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
        self._models = models if models is not None else _memspike.builtin_models()
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
        def change(doc):
            _set(doc.setdefault("simulation", {}), duration=_q(duration, _D.time), resolution=_q(resolution, _D.time),
                 seed=seed, threads=threads, scale=scale, quiescence_tolerance=quiescence_tolerance, **extra)
        return self._edit(change)

    def population(self, name, model, size=None, params=None, init=None, spike_times=None, **extra):
        """[[population]]: `size` neurons of `model` (memspike.models lists them). `params` maps parameter
        names to quantities; `init` maps state variables to a quantity or a distribution drawn per
        neuron; `spike_times` (spike_source only) is one list of times per neuron. Returns self."""
        info = self._models.find(model)  # UnknownModel now, naming the known models
        pdims = {p.name: p.dimension for p in info.params}
        sdims = {s.name: s.dimension for s in info.state}
        entry = _set({"name": name, "model": model}, size=size)
        if params is not None:
            entry["params"] = {k: _q(v, pdims.get(k)) for k, v in params.items()}
        if init is not None:
            entry["init"] = {k: _q(v, sdims.get(k)) for k, v in init.items()}
        _set(entry, spike_times=_q(spike_times, _D.time), **extra)
        return self._edit(lambda doc: doc.setdefault("population", []).append(entry))

    def projection(self, source, target, rule, weight=None, delay=None, *, indegree=None, outdegree=None,
                   probability=None, receptor=None, name=None, allow_autapses=None, allow_multapses=None,
                   file=None, **extra):
        """[[projection]]: synapses from population `source` to `target` by `rule` (one_to_one, all_to_all,
        fixed_probability, fixed_indegree, fixed_outdegree, explicit). `weight` has the dimension of the
        target port (voltage for lif_delta, current for lif_exp, conductance for lif_cond_exp) and `delay`
        is a time; both may be distributions. Other keys of the format (e.g. a plasticity table) pass
        through `extra` unchanged. Returns self."""
        wdim = self._port_dimension(target, receptor)
        entry = _set({}, name=name, source=source, target=target, rule=rule, indegree=indegree, outdegree=outdegree,
                     probability=probability, file=os.path.abspath(os.fspath(file)) if file is not None else None,
                     allow_autapses=allow_autapses, allow_multapses=allow_multapses,
                     weight=_q(weight, wdim), delay=_q(delay, _D.time), receptor=receptor, **extra)
        return self._edit(lambda doc: doc.setdefault("projection", []).append(entry))

    def stimulus(self, kind, target, *, name=None, neurons=None, rate=None, weight=None, receptor=None,
                 shared=None, start=None, stop=None, amplitude=None, times=None, amplitudes=None, **extra):
        """[[stimulus]] of `kind` poisson (rate, weight, receptor, shared, start, stop), dc (amplitude,
        start, stop) or step (times, amplitudes) on population `target` (all neurons, or the indices in
        `neurons`). Returns self."""
        entry = _set({}, name=name, kind=kind, target=target, neurons=neurons, rate=_q(rate, _D.frequency),
                     weight=_q(weight, self._port_dimension(target, receptor)), receptor=receptor, shared=shared,
                     start=_q(start, _D.time), stop=_q(stop, _D.time), amplitude=_q(amplitude, _D.current),
                     times=_q(times, _D.time), amplitudes=_q(amplitudes, _D.current), **extra)
        return self._edit(lambda doc: doc.setdefault("stimulus", []).append(entry))

    def record(self, spikes=None, traces=None, flush_interval=None, energy_bin=None, inference=None):
        """[recording]: `spikes` is "all" or a list of population names; `traces` a list of dicts
        {"population", "variables", "neurons" (default: all), "interval" (default 1 ms)}, replacing
        earlier ones; `energy_bin` the ledger's time bin (0: no ledger); `inference` the model time
        one inference takes (energy per inference, docs/energy.md). Returns self."""
        if traces is not None:
            traces = [{k: (_q(v, _D.time) if k == "interval" else v) for k, v in t.items()} for t in traces]
        return self._edit(lambda doc: _set(doc.setdefault("recording", {}), spikes=spikes, trace=traces,
                                           flush_interval=_q(flush_interval, _D.time),
                                           energy_bin=_q(energy_bin, _D.time), inference=_q(inference, _D.time)))

    def backend(self, kind, **params):
        """[backend]: the synaptic backend `kind` ("digital", "crossbar", "dense") and its parameters,
        quantities as SI floats or unit strings (``g_min="0.476 uS"``, ``levels=float("inf")``,
        ``reorder=False``); ``memspike.models.find_backend(kind).params`` lists them. Replaces an earlier
        [backend]. Returns self."""
        info = self._models.find_backend(kind)  # UnknownModel now, naming the known backends
        dims = {p.name: p.dimension for p in info.params}
        entry = {"kind": kind}
        entry.update({k: _q(v, dims.get(k)) for k, v in params.items()})
        return self._edit(lambda doc: doc.__setitem__("backend", entry))

    def set(self, key, value):
        """Changes one value, exactly as ``--set key=value`` on the command line:
        ``sc.set("population.E.params.tau_m", "10 ms")``. Entries are addressed by name. Checked at
        once. Returns self."""
        pair = (str(key), value)
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
        return self._text if self._file is not None else _toml.document(self._doc)

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
                sim["duration"] = sim.get("resolution", "0.1 ms")
                doc = {"simulation": sim, **doc}
                text = _toml.document(doc)
        ov = [(k, self._override_text(k, v, pairs)) for k, v in pairs]
        return _memspike.parse_scenario(text, self._file or _CODE_LABEL, self._models, ov, positions)

    def _check(self):
        return self._compile(self._overrides, placeholder=True)

    def _override_text(self, key, value, pairs):
        """The TOML value text of an override; numbers become SI unit strings where the key is a quantity."""
        dim = None
        if isinstance(value, (numbers.Real, list, tuple, Mapping)) or hasattr(value, "tolist"):
            dim = self._key_dimension(key, pairs)
        return _toml.value(_q(value, dim))

    # -- dimensions of keys ------------------------------------------------------------------------

    def _port_dimension(self, target, receptor):
        model = None
        for p in self._doc.get("population", []):
            if p.get("name") == target:
                model = p.get("model")
        if model is None or model not in self._models:
            return None
        ports = self._models.find(model).ports
        if receptor is None:
            return ports[0].weight_dimension if len(ports) == 1 else None
        return next((p.weight_dimension for p in ports if p.name == receptor), None)

    def _key_dimension(self, key, pairs):
        parts = key.split(".")
        if len(parts) == 2 and parts[0] in ("simulation", "recording"):
            return _table_dimension(parts[0], parts[1])
        if len(parts) == 4 and parts[0] == "recording" and parts[1] in ("trace", "weights"):
            return _table_dimension("recording." + parts[1], parts[3])
        if len(parts) < 3 or parts[0] not in ("population", "projection", "stimulus"):
            return None
        try:  # the scenario before this override tells which model a population has
            before = pairs[:[k for k, _ in pairs].index(key)] if key in [k for k, _ in pairs] else pairs
            base = self._compile(before, placeholder=True)
        except _memspike.Error:
            return None
        pops = {p.name: p.model for p in base.populations}

        def port(target, receptor):
            if target not in pops:
                return None
            ports = self._models.find(pops[target]).ports
            if not receptor:
                return ports[0].weight_dimension if len(ports) == 1 else None
            return next((p.weight_dimension for p in ports if p.name == receptor), None)

        section, name, rest = parts[0], parts[1], parts[2:]
        if section == "population" and name in pops:
            info = self._models.find(pops[name])
            if rest[0] == "spike_times":
                return _table_dimension("population", "spike_times")
            if len(rest) >= 2 and rest[0] == "params":
                return next((p.dimension for p in info.params if p.name == rest[1]), None)
            if len(rest) >= 2 and rest[0] == "init":
                return next((s.dimension for s in info.state if s.name == rest[1]), None)
        if section == "projection":
            proj = next((p for p in base.projections if p.name == name), None)
            if rest[0] == "delay":
                return _table_dimension("projection", "delay")
            if rest[0] == "weight" and proj is not None:
                return port(proj.target, proj.receptor)
        if section == "stimulus":
            stim = next((s for s in base.stimuli if s.name == name), None)
            if rest[0] == "weight":
                return port(stim.target, stim.receptor) if stim is not None else None
            return _table_dimension("stimulus", rest[0])
        return None

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
    ``--set``; numbers are SI for quantity keys). Raises memspike.IOError for a missing file and
    ScenarioError (file, line, column, key) for a bad value. Returns a Scenario."""
    return Scenario._load(path, overrides, models)
