# SPDX-License-Identifier: MIT
"""Projection of memspike.pynn: PyNN connectors and synapse types as memspike projections.

Two ways a PyNN projection reaches the engine:

- **Native rule** (the engine draws the connectivity, in parallel, from its own seeded streams):
  AllToAll -> all_to_all, OneToOne -> one_to_one, FixedProbability -> fixed_probability,
  FixedNumberPre -> fixed_indegree, FixedNumberPost -> fixed_outdegree, between whole
  populations, with a weight and a delay that are constants or RandomDistributions memspike can
  draw (uniform, normal, normal_clipped).
- **Explicit list** (rule ``explicit``: a CSV file of source,target,weight,delay written to a
  temporary directory): FromListConnector, FromFileConnector and ArrayConnector, and the native
  connectors above when a side is a PopulationView or the weights/delays are arrays or functions.
  PyNN's own connector code generates the list (with PyNN's random numbers).

Weights and delays are given in PyNN's units (nA, µS or mV; ms); weights enter the CSV in the
engine's internal unit of the target port, converted by memspike.parse_quantity (the engine's unit
table). Delays must lie on the time grid (the engine rounds drawn delays to the nearest tick).
"""
import os

import numpy as np
from pyNN import common, connectors, errors
from pyNN.core import ezip
from pyNN.random import RandomDistribution
from pyNN.space import Space

from . import simulator
from .populations import Assembly, Population, PopulationView, _distribution
from .standardmodels import quantity

_NATIVE = {connectors.AllToAllConnector: "all_to_all", connectors.OneToOneConnector: "one_to_one",
           connectors.FixedProbabilityConnector: "fixed_probability",
           connectors.FixedNumberPreConnector: "fixed_indegree",
           connectors.FixedNumberPostConnector: "fixed_outdegree"}
_LISTED = (connectors.FromListConnector, connectors.ArrayConnector)  # FromFileConnector is a FromListConnector


class Connection(common.Connection):
    """One synapse, as Projection[i] and iteration give it (a snapshot: setting it has no effect)."""

    def __init__(self, pre, post, weight, delay):
        self.presynaptic_index, self.postsynaptic_index, self.weight, self.delay = pre, post, weight, delay

    def as_tuple(self, *names):
        return tuple(getattr(self, n) for n in names)


def _root(side, what):
    """(Population, its indices of this side's neurons) for a Population or PopulationView."""
    if isinstance(side, Assembly):
        raise NotImplementedError(f"memspike.pynn: a Projection with an Assembly as {what} is not supported yet; "
                                  f"make one Projection per population")
    if isinstance(side, PopulationView):
        return side.grandparent, np.asarray(side.index_in_grandparent(np.arange(side.size)), dtype=np.int64)
    return side, np.arange(side.size, dtype=np.int64)


def _weight_factor(unit):
    """PyNN weight unit -> the engine's internal unit of that dimension (e.g. nA -> pA: 1000)."""
    import memspike
    dim = {"nA": memspike.Dimension.current, "uS": memspike.Dimension.conductance, "mV": memspike.Dimension.voltage}
    return memspike.parse_quantity(f"1 {unit}", dim[unit])


class Projection(common.Projection):
    __doc__ = common.Projection.__doc__
    _simulator = simulator
    _static_synapse_class = None  # set in __init__.py (StaticSynapse)

    def __init__(self, presynaptic_population, postsynaptic_population, connector, synapse_type=None,
                 source=None, receptor_type=None, space=Space(), label=None):
        simulator.state.require_unbuilt("creating a Projection")
        super().__init__(presynaptic_population, postsynaptic_population, connector, synapse_type, source,
                         receptor_type, space, label)
        if source not in (None, "spike"):
            raise NotImplementedError(f"memspike.pynn: Projection source={source!r} (only spikes are sent)")
        self._pre_root, self._pre_idx = _root(self.pre, "presynaptic side")
        self._post_root, self._post_idx = _root(self.post, "postsynaptic side")
        ct = self._post_root.celltype
        if not ct._PORTS:
            raise errors.ConnectionError(f"memspike.pynn: {type(ct).__name__} cannot receive synapses")
        self._unit = ct.weight_unit
        self._port = ct._PORTS[self.receptor_type]
        self._plasticity = self.synapse_type.memspike_plasticity(self._unit)
        self._plastic = self._plasticity is not None
        self._index = len(simulator.state.projections)
        self._names = [f"prj{self._index}"]
        self._entry = self._plan(connector)
        simulator.state.projections.append(self)

    # -- what the engine gets ------------------------------------------------------------------------

    def _value(self, name):
        """The weight or delay as a scenario value (constant or distribution), or None when only a
        list can express it (arrays, functions, distance expressions)."""
        lazy = self.synapse_type.native_parameters[name]
        base = lazy.base_value
        unit = self._unit if name == "weight" else "ms"
        if lazy.operations:
            return None
        if isinstance(base, RandomDistribution):
            return _distribution(base, unit, f"Projection {self.label!r}: {name}")
        if np.ndim(base) == 0 and not callable(base):
            if name == "delay":
                return simulator.state.grid_time(base, f"Projection {self.label!r}: delay")
            return quantity(base, unit)
        return None

    def _plan(self, connector):
        """The keyword arguments of Scenario.projection for this projection, checked now."""
        whole = len(self._pre_idx) == self._pre_root.size and len(self._post_idx) == self._post_root.size \
            and not isinstance(self.pre, PopulationView) and not isinstance(self.post, PopulationView)
        rule = _NATIVE.get(type(connector))
        weight, delay = self._value("weight"), self._value("delay")
        kw = {}
        if rule and whole and weight is not None and delay is not None:
            kw = {"rule": rule, "weight": weight, "delay": delay}
            recurrent = self._pre_root is self._post_root
            if rule == "fixed_probability":
                kw["probability"] = float(connector.p_connect)
            elif rule in ("fixed_indegree", "fixed_outdegree"):
                if isinstance(connector.n, RandomDistribution) or np.ndim(connector.n) != 0:
                    raise NotImplementedError(f"memspike.pynn: {type(connector).__name__} with a random or per-neuron "
                                              f"n is not supported (memspike's rule takes one number)")
                kw["indegree" if rule == "fixed_indegree" else "outdegree"] = int(connector.n)
                kw["allow_multapses"] = bool(connector.with_replacement)
            self_ok = getattr(connector, "allow_self_connections", True)
            if self_ok not in (True, False):
                raise NotImplementedError(f"memspike.pynn: allow_self_connections={self_ok!r} is not supported")
            if recurrent and not self_ok and rule != "one_to_one":
                kw["allow_autapses"] = False
        elif isinstance(connector, connectors.FixedTotalNumberConnector):
            raise NotImplementedError("memspike.pynn: FixedTotalNumberConnector is not supported yet (memspike's "
                                      "engine has no fixed_total_number rule in this version)")
        elif rule or isinstance(connector, _LISTED):
            kw = self._listed(connector)
        else:
            raise NotImplementedError(f"memspike.pynn: {type(connector).__name__} is not supported (supported: "
                                      f"AllToAll, OneToOne, FixedProbability, FixedNumberPre, FixedNumberPost, "
                                      f"FromList, FromFile, ArrayConnector)")
        if self._plasticity is not None:
            kw["plasticity"] = self._plasticity
        if len(self._post_root.celltype._PORTS) > 1 and len(set(self._post_root.celltype._PORTS.values())) > 1:
            kw["receptor"] = self._port
        self._check(kw)
        return kw

    def _listed(self, connector):
        """Generates the synapses with PyNN's connector code and writes them as an explicit CSV."""
        self._pairs = []
        connector.connect(self)
        pre, post, w, d = (np.concatenate(c) if c else np.zeros(0) for c in zip(*self._pairs)) \
            if self._pairs else (np.zeros(0),) * 4
        del self._pairs
        st = simulator.state
        ticks = np.rint(np.asarray(d, float) / st.dt)
        if d.size and np.any(np.abs(np.asarray(d, float) / st.dt - ticks) > 1e-6 * np.maximum(1, ticks)):
            bad = float(np.asarray(d, float)[np.argmax(np.abs(np.asarray(d, float) / st.dt - ticks))])
            raise errors.InvalidParameterValueError(f"Projection {self.label!r}: delay {bad!r} ms is not a whole "
                                                    f"number of time steps of {st.dt!r} ms")
        path = os.path.join(st.tmpdir(), f"prj{self._index}.csv")
        factor = _weight_factor(self._unit)
        with open(path, "w") as f:
            f.write("source,target,weight,delay\n")
            src, tgt = self._pre_idx[pre.astype(np.int64)], self._post_idx[post.astype(np.int64)]
            for s, t, ww, k in zip(src, tgt, np.asarray(w, float) * factor, ticks):
                f.write(f"{int(s)},{int(t)},{float(ww)!r},{float(k * st.dt)!r}\n")
        mean_w = float(np.mean(w)) if np.size(w) else 0.0
        return {"rule": "explicit", "file": path, "weight": quantity(mean_w, self._unit),
                "delay": f"{st.min_delay_ms!r} ms"}

    def _convergent_connect(self, presynaptic_indices, postsynaptic_index, **connection_parameters):
        """Called by PyNN's connectors (the explicit path): synapses onto one target."""
        pre = np.asarray(presynaptic_indices, dtype=np.int64).ravel()
        n = pre.size
        w = np.broadcast_to(np.asarray(connection_parameters.get("weight", 0.0), float), (n,)) if n else np.zeros(0)
        d = connection_parameters.get("delay", simulator.state.min_delay_ms)
        d = np.broadcast_to(np.asarray(d, float), (n,)) if n else np.zeros(0)
        self._pairs.append((pre, np.full(n, int(postsynaptic_index), np.int64), np.array(w), np.array(d)))

    def _check(self, kw):
        """The projection as memspike would read it, with its two populations, so that bad values
        fail here."""
        import memspike
        st = simulator.state
        sc = memspike.Scenario()
        sc.simulation(duration=f"{st.dt!r} ms", resolution=f"{st.dt!r} ms")
        for p in {id(self._pre_root): self._pre_root, id(self._post_root): self._post_root}.values():
            p._add_to(sc)
        try:
            sc.projection(self._pre_root._ms_name, self._post_root._ms_name, name=self._names[0], **kw)
        except memspike.ScenarioError as e:
            raise errors.ConnectionError(f"Projection {self.label!r}: {e} (memspike units: weights onto "
                                         f"{type(self._post_root.celltype).__name__} in {self._unit})") from None

    def _add_to(self, sc):
        sc.projection(self._pre_root._ms_name, self._post_root._ms_name, name=self._names[0], **self._entry)

    # -- reading and changing synapses ----------------------------------------------------------------

    def _synapses(self):
        """Arrays pre, post (indices in this projection's pre/post, view-relative), weight [PyNN
        unit], delay [ms] of every synapse, in the engine's order, and the engine's weight order."""
        sim = simulator.state.build()
        d = sim.weights(self._names[0])
        pre_pos = np.full(self._pre_root.size, -1, np.int64)
        pre_pos[self._pre_idx] = np.arange(self._pre_idx.size)
        post_pos = np.full(self._post_root.size, -1, np.int64)
        post_pos[self._post_idx] = np.arange(self._post_idx.size)
        pre = pre_pos[d["sources"].astype(np.int64)]
        post = post_pos[d["targets"].astype(np.int64)]
        w = d["weights"].astype(float) / _weight_factor(self._unit)
        return pre, post, w, np.asarray(d["delays_ms"], float)

    def __len__(self):
        return int(simulator.state.build().weights(self._names[0])["weights"].size)

    def __getitem__(self, i):
        pre, post, w, d = self._synapses()
        return Connection(int(pre[i]), int(post[i]), float(w[i]), float(d[i]))

    def _columns(self, names):
        pre, post, w, d = self._synapses()
        cols = {"presynaptic_index": pre, "postsynaptic_index": post, "weight": w, "delay": d}
        for n in names:
            if n.rstrip("s") not in cols and n not in cols:
                raise NotImplementedError(f"memspike.pynn: Projection.get({n!r}): only weight and delay can be read")
        return cols

    def _get_attributes_as_list(self, names):
        cols = self._columns(names)
        arrays = [cols[n] if n in cols else cols[n.rstrip("s")] for n in names]
        return [tuple(int(a[k]) if n.endswith("_index") else float(a[k]) for a, n in zip(arrays, names))
                for k in range(arrays[0].size if arrays else 0)]

    def _get_attributes_as_arrays(self, names, multiple_synapses="sum"):
        cols = self._columns(names)
        op = common.Projection.MULTI_SYNAPSE_OPERATIONS[multiple_synapses]
        pre, post = cols["presynaptic_index"], cols["postsynaptic_index"]
        out = []
        for n in names:
            values = cols[n] if n in cols else cols[n.rstrip("s")]
            a = np.full((self.pre.size, self.post.size), np.nan)
            if np.unique(pre * self.post.size + post).size == pre.size:  # no multapses: one assignment
                a[pre, post] = values
            else:
                for i, j, v in zip(pre, post, values):
                    a[i, j] = v if np.isnan(a[i, j]) else op(a[i, j], v)
            out.append(a)
        return out

    def _set_attributes(self, parameter_space):
        sim = simulator.state.build()
        pre, post, _, _ = self._synapses()
        for name, value in parameter_space.items():
            if name != "weight":
                raise NotImplementedError(f"memspike.pynn: Projection.set({name}=...) is not supported: memspike "
                                          f"fixes delays and rule parameters when the network is built (only "
                                          f"weights can change)")
            value.shape = (self.pre.size, self.post.size)
            full = np.asarray(value.evaluate(simplify=False), dtype=float)
            w = full[pre, post] if full.ndim == 2 else np.broadcast_to(full, pre.shape)
            sim.set_weights(self._names[0], np.asarray(w * _weight_factor(self._unit), dtype=float))
