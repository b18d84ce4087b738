# SPDX-License-Identifier: MIT
"""Results of a run: in memory (Simulation.result(), sweep()) or read from an HDF5 file (load()).

Both kinds are the same class with the same content, laid out as the HDF5 schema
(docs/hdf5-schema.md): spikes per population (population-local uint32 ids, int64 ticks), traces
per population and variable (sampled neuron ids, int64 ticks, float64 values[samples, neurons]),
the energy ledger (event counts per time bin, priced by energy(model) in C++), and the root
attributes (provenance and completion). ``load(path) == simulation.result()`` holds
for a run written with ``Simulation.run(output=path)``.
"""
import os

import numpy as np

from . import _memspike


def _unknown(kind, name, known):
    err = _memspike.UnknownModel(f"unknown {kind} '{name}' (known: {', '.join(known) if known else '(none)'})")
    err.kind, err.name, err.known = kind, name, list(known)
    return err


class Trace(tuple):
    """A recorded trace: the tuple ``(ticks, values)`` (int64[samples], float64[samples, neurons]) with
    the attributes ``neurons`` (sampled ids, column order), ``unit``, ``interval_ticks``,
    ``resolution_ms`` and ``times_ms``."""

    def __new__(cls, ticks, values, neurons, unit, interval_ticks, resolution_ms):
        self = super().__new__(cls, (ticks, values))
        self.neurons, self.unit, self.interval_ticks, self.resolution_ms = neurons, unit, interval_ticks, resolution_ms
        return self

    @classmethod
    def _from_dict(cls, d, resolution_ms):
        return cls(d["ticks"], d["values"], d["neurons"], d["unit"], int(d["interval_ticks"]), resolution_ms)

    @property
    def ticks(self):
        return self[0]

    @property
    def values(self):
        return self[1]

    @property
    def times_ms(self):
        return self[0] * self.resolution_ms

    def __repr__(self):
        return (f"<memspike.Trace {self.values.shape[0]} samples x {self.values.shape[1]} neurons [{self.unit}], "
                f"every {self.interval_ticks} ticks>")


class NeuronParameter(tuple):
    """(values float64[size], unit str): one parameter's per-neuron values as the run used them
    (/parameters/<population>/<name>, docs/hdf5-schema.md), in memspike's internal unit ("mV")."""
    __slots__ = ()

    def __new__(cls, values, unit):
        return super().__new__(cls, (values, unit))

    @property
    def values(self):
        return self[0]

    @property
    def unit(self):
        return self[1]

    def __repr__(self):
        return f"NeuronParameter({self.values.size} values, unit={self.unit!r})"


class Ledger:
    """The energy ledger of a run, laid out as the file's /energy group (docs/hdf5-schema.md).

    - ``categories``: the event classes (columns), ``counts``: uint64[bins, categories], events per
      bin; ``ticks``: int64[bins], the end tick (exclusive) of each bin; ``times_ms``
    - ``totals``: dict category -> events summed over the bins (what ``Simulation.events`` gives)
    - ``neurons``, ``synapses``, ``dense_weights``: the network profile the dense baselines are costed on
    - ``bin_ticks``, ``resolution_ms``, ``inference_ms`` (0: the scenario sets no [recording] inference)
    - ``backend``: the synaptic backend of the run (an energy model may price one backend only)
    - ``simulated_ms``: the time the bins cover (the end of the last bin)
    """

    def __init__(self, d, resolution_ms, backend="digital", backend_params=None):
        self.categories = [str(c) for c in d["categories"]]
        self.counts = np.asarray(d["counts"], dtype=np.uint64).reshape(-1, len(self.categories))
        self.ticks = np.asarray(d["ticks"], dtype=np.int64)
        self.bin_ticks = int(d["bin_ticks"])
        self.neurons, self.synapses, self.dense_weights = int(d["neurons"]), int(d["synapses"]), int(d["dense_weights"])
        self.inference_ms = float(d.get("inference_ms") or 0.0)
        self.resolution_ms = float(resolution_ms)
        self.backend = str(backend or "digital")
        self.backend_params = {str(k): float(v) for k, v in (backend_params or {}).items()}

    @property
    def totals(self):
        sums = self.counts.sum(axis=0, dtype=np.uint64)
        return {c: int(n) for c, n in zip(self.categories, sums)}

    @property
    def times_ms(self):
        return self.ticks * self.resolution_ms

    @property
    def simulated_ticks(self):
        return int(self.ticks[-1]) if self.ticks.size else 0

    @property
    def simulated_ms(self):
        return self.simulated_ticks * self.resolution_ms

    def energy(self, model):
        """The estimate of `model` (a shipped preset name or a preset path) for these counts: the dict
        of ``Simulation.energy`` (total_j, compute_j, memory_j, idle_j, simulated_ms, lines, and
        per_inference_j when inference_ms is set). A model that prices another backend's counts raises
        memspike.Error."""
        if not isinstance(model, (str, os.PathLike)):
            raise TypeError(f"energy: model must be a preset name such as \"loihi\" or a preset path, "
                            f"not {type(model).__name__}")
        return _memspike.estimate_energy(os.fspath(model), self.totals, self.neurons, self.synapses, self.dense_weights,
                                         self.simulated_ticks, self.resolution_ms, self.inference_ms, self.backend,
                                         self.backend_params)

    def frame(self):
        """The counts per bin as a pandas DataFrame: one row per bin (index: time at the end of the
        bin, ms), one uint64 column per category. Needs pandas (Debian: python3-pandas)."""
        import pandas as pd
        return pd.DataFrame(self.counts, index=pd.Index(self.times_ms, name="time_ms"), columns=self.categories)

    def __eq__(self, other):
        if not isinstance(other, Ledger):
            return NotImplemented
        return (self.categories == other.categories and np.array_equal(self.counts, other.counts)
                and np.array_equal(self.ticks, other.ticks) and self.bin_ticks == other.bin_ticks
                and (self.neurons, self.synapses, self.dense_weights) == (other.neurons, other.synapses, other.dense_weights)
                and self.inference_ms == other.inference_ms and self.backend == other.backend)

    __hash__ = None

    def __repr__(self):
        busy = ", ".join(f"{c} {n}" for c, n in self.totals.items() if n)
        return (f"<memspike.Ledger {self.ticks.size} bins of {self.bin_ticks} ticks, {self.simulated_ms:g} ms; "
                f"{busy or 'no events'}>")


def _backend_params(attrs):
    """The backend's parameters from root attributes "backend.<name>"."""
    return {k[len("backend."):]: float(v) for k, v in attrs.items() if str(k).startswith("backend.")}


class Result:
    """Spikes, traces and attributes of one run.

    - ``spikes(pop)`` -> (ids uint32, times_ms float64); ``spike_ticks(pop)`` -> (ids uint32, ticks int64)
    - ``traces(pop, var)`` -> Trace (ticks, values[samples, neurons]) with .neurons, .unit, .times_ms
    - ``populations`` (recorded spike populations), ``sizes``, ``trace_names`` [(pop, var)]
    - ``attrs`` (the file's root attributes: seed, resolution_ms, scenario, ...), ``complete``
    - ``overrides``: for sweep results, the overrides of this point
    - ``mean_rate_hz(pop)``
    - ``parameters(pop)`` -> {name: NeuronParameter(values, unit)}: the per-neuron parameter values
      the run used (files written by memspike; empty for populations without per-neuron values)
    - energy, as on a Simulation: ``events`` (ledger totals by category), ``energy(model)`` (the
      estimate of a hardware model) and ``ledger`` (the counts per time bin, a Ledger)

    ``a == b`` compares the recorded data (spikes, traces, resolution), not provenance such as wall
    time or the energy ledger (which differs between backends that give the same spikes): compare
    ``a.ledger == b.ledger`` for that.
    """

    def __init__(self, attrs, spikes, traces, overrides=None, source=None, ledger=None, parameters=None):
        self.attrs = dict(attrs)
        self._parameters = parameters or {}
        self._spikes = spikes
        self._traces = traces
        self._ledger = ledger
        self.overrides = overrides
        self.source = source  # the file path for load(), None in memory

    @classmethod
    def _from_data(cls, data, overrides=None):
        e = data.get("energy")
        attrs = data["attrs"]
        ledger = Ledger(e, attrs["resolution_ms"], attrs.get("backend"), _backend_params(attrs)) if e is not None else None
        return cls(data["attrs"], data["spikes"], data["traces"], overrides=overrides, ledger=ledger)

    # -- attributes ----------------------------------------------------------------------------------

    @property
    def complete(self):
        """True if the run reached its end (the file's `complete` attribute)."""
        return bool(self.attrs.get("complete", False))

    @property
    def resolution_ms(self):
        return float(self.attrs["resolution_ms"])

    @property
    def simulated_ms(self):
        """Simulated time reached [ms] (None for a file whose run was killed before close)."""
        t = self.attrs.get("ticks_simulated")
        return None if t is None else float(t) * self.resolution_ms

    @property
    def populations(self):
        """Populations whose spikes were recorded."""
        return list(self._spikes)

    @property
    def sizes(self):
        return {name: int(g["size"]) for name, g in self._spikes.items()}

    @property
    def trace_names(self):
        return [(pop, var) for pop, vs in self._traces.items() for var in vs]

    # -- data ------------------------------------------------------------------------------------------

    def _pop(self, population):
        try:
            return self._spikes[population]
        except KeyError:
            raise _unknown("population", population, self.populations) from None

    def spike_ticks(self, population):
        """(ids uint32, ticks int64) of the spikes of `population`, in emission order."""
        g = self._pop(population)
        return g["ids"], g["ticks"]

    def spikes(self, population):
        """(ids uint32, times_ms float64) of the spikes of `population`, in emission order."""
        g = self._pop(population)
        return g["ids"], g["ticks"] * self.resolution_ms

    def traces(self, population, var):
        """The trace of `var` of `population` as a Trace (ticks, values[samples, neurons])."""
        try:
            d = self._traces[population][var]
        except KeyError:
            raise _unknown("trace", f"{population}/{var}", [f"{p}/{v}" for p, v in self.trace_names]) from None
        return Trace._from_dict(d, self.resolution_ms)

    def parameters(self, population):
        """{name: NeuronParameter(values float64[size], unit)}: the per-neuron parameter values of
        `population` (/parameters in the file); {} for a population whose parameters were one value
        each. Raises memspike.Error for a population the run does not have."""
        if population in self._parameters:
            return dict(self._parameters[population])
        if population in self._spikes or any(p == population for p, _ in self.trace_names):
            return {}
        raise _unknown("population", population, sorted(set(self.populations) | set(self._parameters)))

    def mean_rate_hz(self, population):
        """Spikes per neuron per simulated second."""
        ids, _ = self.spike_ticks(population)
        ms = self.simulated_ms or 0.0
        size = self.sizes[population]
        return float(ids.size) / (size * ms * 1e-3) if ms > 0 and size > 0 else 0.0

    # -- energy ----------------------------------------------------------------------------------------

    @property
    def ledger(self):
        """The energy ledger (counts per category per time bin), a Ledger. Raises memspike.Error when
        the run recorded none ([recording] energy_bin = 0)."""
        if self._ledger is None:
            where = f"'{self.source}' has" if self.source else "this result has"
            raise _memspike.Error(f"{where} no energy ledger: it was recorded with [recording] energy_bin = 0")
        return self._ledger

    @property
    def events(self):
        """Ledger event counts of the run by category (as Simulation.events)."""
        return self.ledger.totals

    def energy(self, model):
        """Energy of the run under a hardware model (as Simulation.energy): a shipped preset name
        (memspike.energy_models()) or a preset path. A dict with total_j, compute_j, memory_j,
        idle_j, simulated_ms, the itemised lines and, with [recording] inference, per_inference_j."""
        return self.ledger.energy(model)

    def spikes_frame(self, populations=None):
        """All spikes as a pandas DataFrame with columns population, neuron, tick, time_ms (one row
        per spike, populations in recording order). Needs pandas (Debian: python3-pandas); raises
        ImportError saying so when it is not installed."""
        try:
            import pandas as pd
        except ImportError as e:
            raise ImportError("Result.spikes_frame needs pandas (Debian: apt-get install python3-pandas)") from e
        if isinstance(populations, str):
            populations = [populations]
        elif populations is not None and not hasattr(populations, "__iter__"):
            raise TypeError(f"spikes_frame: populations must be a list of names, not {type(populations).__name__}")
        pops = list(populations) if populations is not None else self.populations
        frames = []
        for pop in pops:
            ids, ticks = self.spike_ticks(pop)
            frames.append(pd.DataFrame({"population": pd.Categorical([pop] * ids.size, categories=pops),
                                        "neuron": ids, "tick": ticks, "time_ms": ticks * self.resolution_ms}))
        if not frames:
            return pd.DataFrame({"population": [], "neuron": np.array([], np.uint32), "tick": np.array([], np.int64),
                                 "time_ms": np.array([], float)})
        return pd.concat(frames, ignore_index=True)

    def to_neo(self):
        """The run as a neo.Block (Debian: python3-neo), laid out as PyNN's get_data() lays it out:
        one Segment; per recorded population one SpikeTrain per neuron (annotations
        source_population, source_index, source_id = the index), and per recorded trace one
        AnalogSignal (name = the variable, its memspike unit, array annotation channel_index = the
        sampled neurons). The Block's annotations are the file's root attributes that are plain
        numbers or strings (seed, resolution_ms, backend, ...)."""
        try:
            import neo
            import quantities as pq
        except ImportError as e:
            raise ImportError("Result.to_neo needs neo (Debian: apt-get install python3-neo)") from e
        res = self.resolution_ms
        t_stop = self.simulated_ms
        if t_stop is None:  # a run killed before close: up to just after its last spike
            last = [int(g["ticks"].max()) for g in self._spikes.values() if g["ticks"].size]
            t_stop = (max(last) + 1) * res if last else 0.0
        seg = neo.Segment(name="segment000")
        for pop in self.populations:
            ids, ticks = self.spike_ticks(pop)
            order = np.argsort(ids, kind="stable")
            bounds = np.searchsorted(ids[order], np.arange(self.sizes[pop] + 1))
            for i in range(self.sizes[pop]):
                times = np.sort(ticks[order[bounds[i]:bounds[i + 1]]]) * res
                seg.spiketrains.append(neo.SpikeTrain(times, t_start=0.0, t_stop=t_stop, units="ms",
                                                      source_population=pop, source_index=i, source_id=i))
        for pop, var in self.trace_names:
            tr = self.traces(pop, var)
            t0 = float(tr.ticks[0]) * res if tr.ticks.size else 0.0
            seg.analogsignals.append(neo.AnalogSignal(
                tr.values, units=getattr(pq, tr.unit, pq.dimensionless), t_start=t0 * pq.ms,
                sampling_period=tr.interval_ticks * res * pq.ms, name=var, source_population=pop,
                memspike_unit=tr.unit, source_ids=np.asarray(tr.neurons, dtype=int),
                array_annotations={"channel_index": np.asarray(tr.neurons, dtype=int)}))
        block = neo.Block(name=self.source or "memspike result")
        block.segments.append(seg)
        block.annotate(**{k: v for k, v in self.attrs.items() if isinstance(v, (int, float, str, bool))})
        return block

    # -- comparison and presentation -----------------------------------------------------------------

    def __eq__(self, other):
        if not isinstance(other, Result):
            return NotImplemented
        if self.resolution_ms != other.resolution_ms or set(self._spikes) != set(other._spikes):
            return False
        for pop, g in self._spikes.items():
            h = other._spikes[pop]
            if int(g["size"]) != int(h["size"]) or not np.array_equal(g["ids"], h["ids"]) \
                    or not np.array_equal(g["ticks"], h["ticks"]):
                return False
        if set(self.trace_names) != set(other.trace_names):
            return False
        for pop, var in self.trace_names:
            a, b = self._traces[pop][var], other._traces[pop][var]
            for k in ("neurons", "ticks", "values"):
                if not np.array_equal(a[k], b[k]):
                    return False
            if a["unit"] != b["unit"] or int(a["interval_ticks"]) != int(b["interval_ticks"]):
                return False
        return True

    __hash__ = None

    def __repr__(self):
        where = f" {self.source}" if self.source else ""
        state = "complete" if self.complete else "INCOMPLETE"
        t = self.simulated_ms
        head = f"<memspike.Result{where} ({state}, {t:g} ms simulated at {self.resolution_ms:g} ms" if t is not None \
            else f"<memspike.Result{where} ({state}"
        pops = ", ".join(f"{p}: {self._spikes[p]['ids'].size} spikes ({self.mean_rate_hz(p):.3g} Hz)" for p in self.populations)
        traces = ", ".join(f"{p}/{v} {self._traces[p][v]['values'].shape}" for p, v in self.trace_names)
        ov = f"; overrides {self.overrides}" if self.overrides else ""
        return f"{head}; spikes: {pops or 'none'}; traces: {traces or 'none'}{ov})>"


class _FileCheck:
    """The checks load() makes on what it reads, so that a damaged or hand-edited file is refused
    with the file, the dataset or attribute, and what was expected, instead of an obscure numpy or
    KeyError later (issue 11, defect 13): the C++ reader behind `memspike report` makes its own."""

    def __init__(self, path):
        self.path = str(path)

    def fail(self, where, what):
        return _memspike.IOError(f"{self.path}: {where}: {what}")

    def attr(self, node, name, where):
        if name not in node.attrs:
            raise self.fail(where, f"attribute '{name}' is missing (docs/hdf5-schema.md)")
        return _plain(node.attrs[name])

    def dataset(self, group, name, where, ndim, kinds):
        """A dataset of rank `ndim` whose dtype kind is one of `kinds` ("iu": integers, "f": floats)."""
        if name not in group:
            raise self.fail(where, f"dataset '{name}' is missing (docs/hdf5-schema.md)")
        d = group[name]
        if not hasattr(d, "shape") or d.ndim != ndim or d.dtype.kind not in kinds:
            shape = getattr(d, "shape", "a group")
            raise self.fail(f"{where}/{name}", f"expected a {ndim}-D dataset of "
                            f"{'integers' if kinds == 'iu' else 'numbers'}, got {shape} "
                            f"{getattr(d, 'dtype', '')}".rstrip())
        return d[()]

    def positive(self, value, where, what):
        """A finite number > 0 (or >= 0 with what == ">= 0")."""
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value) \
            and (value >= 0 if what == ">= 0" else value > 0)
        if not ok:
            raise self.fail(where, f"{value!r} must be a finite number {what}")
        return value

    def spikes(self, name, g):
        where = f"/spikes/{name}"
        size = self.attr(g, "size", where)
        if not isinstance(size, int) or size < 0:
            raise self.fail(where, f"attribute size = {size!r} must be a whole number >= 0")
        ids = self.dataset(g, "ids", where, 1, "iu")
        ticks = self.dataset(g, "ticks", where, 1, "iu")
        if ids.size != ticks.size:
            raise self.fail(where, f"{ids.size} ids but {ticks.size} ticks: one tick per spike id")
        if ids.size and int(ids.max()) >= size:
            raise self.fail(f"{where}/ids", f"id {int(ids.max())} is out of range: the population has {size} neurons "
                            f"(ids 0 to {size - 1})")
        if ticks.size and int(ticks.min()) < 0:
            raise self.fail(f"{where}/ticks", f"tick {int(ticks.min())} is negative: ticks count from 0")
        return {"size": size, "ids": ids, "ticks": ticks}

    def trace(self, pop, var, h):
        where = f"/traces/{pop}/{var}"
        interval = self.attr(h, "interval_ticks", where)
        if not isinstance(interval, int) or interval <= 0:
            raise self.fail(where, f"attribute interval_ticks = {interval!r} must be a whole number > 0")
        neurons = self.dataset(h, "neurons", where, 1, "iu")
        ticks = self.dataset(h, "ticks", where, 1, "iu")
        values = self.dataset(h, "values", where, 2, "iuf")
        if values.shape != (ticks.size, neurons.size):
            raise self.fail(f"{where}/values", f"shape {values.shape}, expected ({ticks.size}, {neurons.size}): one row "
                            f"per tick, one column per neuron")
        return {"population": pop, "variable": var, "unit": str(self.attr(h, "unit", where)), "interval_ticks": interval,
                "neurons": neurons, "ticks": ticks, "values": values}

    def ledger(self, g, resolution_ms, backend, attrs):
        where = "/energy"
        cats = [c for c in str(self.attr(g, "categories", where)).split(",") if c]
        bin_ticks = self.attr(g, "bin_ticks", where)
        if not isinstance(bin_ticks, int) or bin_ticks <= 0:
            raise self.fail(where, f"attribute bin_ticks = {bin_ticks!r} must be a whole number > 0")
        inference = _plain(g.attrs.get("inference_ms", 0.0))
        self.positive(inference, f"{where} attribute inference_ms", ">= 0")
        counts = self.dataset(g, "counts", where, 2, "iu")
        ticks = self.dataset(g, "ticks", where, 1, "iu")
        if counts.shape != (ticks.size, len(cats)):
            raise self.fail(f"{where}/counts", f"shape {counts.shape}, expected ({ticks.size}, {len(cats)}): one row per "
                            f"row of /energy/ticks, one column per category")
        d = {"categories": cats, "counts": counts, "ticks": ticks, "bin_ticks": bin_ticks,
             "neurons": self.attr(g, "neurons", where), "synapses": self.attr(g, "synapses", where),
             "dense_weights": self.attr(g, "dense_weights", where), "inference_ms": inference}
        return Ledger(d, resolution_ms, backend, _backend_params(attrs))


def _plain(v):
    if isinstance(v, bytes):
        return v.decode()
    return v.item() if hasattr(v, "item") else v


def load(path):
    """Reads an HDF5 file written by memspike (CLI or Simulation.run(output=...)) into a Result:
    spikes, traces, attributes and the energy ledger (/energy). Everything is read into memory and
    the file is closed. Needs h5py. A file that is not a memspike result, or whose content breaks
    the schema (docs/hdf5-schema.md), raises memspike.IOError naming the file and the dataset."""
    import h5py
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"memspike.load: path must be a file path (str or os.PathLike), not {type(path).__name__}")
    check = _FileCheck(os.fspath(path))
    try:
        f = h5py.File(path, "r")
    except OSError as e:  # missing, unreadable, or not HDF5
        raise _memspike.IOError(f"{check.path}: cannot open as an HDF5 result file: {e}") from e
    with f:
        attrs = {k: _plain(v) for k, v in f.attrs.items()}
        if "complete" in attrs:
            attrs["complete"] = bool(attrs["complete"])
        check.positive(check.attr(f, "resolution_ms", "/"), "/ attribute resolution_ms", "> 0")
        for group in ("spikes", "traces"):
            if not isinstance(f.get(group), h5py.Group):
                raise check.fail(f"/{group}", "group is missing (docs/hdf5-schema.md)")
        spikes = {name: check.spikes(name, g) for name, g in f["spikes"].items()}
        traces = {}
        for pop, g in f["traces"].items():
            for var, h in g.items():
                traces.setdefault(pop, {})[var] = check.trace(pop, var, h)
        ledger = None
        if "energy" in f:
            ledger = check.ledger(f["energy"], attrs["resolution_ms"], attrs.get("backend"), f.attrs)
        parameters = {}
        if "parameters" in f:
            for pop, g in f["parameters"].items():
                for name in g:
                    values = check.dataset(g, name, f"/parameters/{pop}", 1, "f").astype(np.float64)
                    unit = _plain(g.attrs.get(f"{name}.unit", ""))
                    parameters.setdefault(pop, {})[name] = NeuronParameter(values, str(unit))
    return Result(attrs, spikes, traces, source=str(path), ledger=ledger, parameters=parameters)
