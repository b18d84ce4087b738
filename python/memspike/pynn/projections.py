# SPDX-License-Identifier: MIT
"""Projection of memspike.pynn: PyNN connectors and synapse types as memspike projections.

Two ways a PyNN projection reaches the engine:

- **Native rule** (the engine draws the connectivity, in parallel, from its own seeded streams):
  AllToAll -> all_to_all, OneToOne -> one_to_one, FixedProbability -> fixed_probability,
  FixedNumberPre -> fixed_indegree, FixedNumberPost -> fixed_outdegree, FixedTotalNumber ->
  fixed_total_number (with replacement only), between whole
  populations, with a weight and a delay that are constants or RandomDistributions memspike can
  draw (uniform, normal, normal_clipped).
- **Explicit list** (rule ``explicit``: a CSV file of source,target,weight,delay written to a
  temporary directory): FromListConnector, FromFileConnector and ArrayConnector, and the native
  connectors above when a side is a PopulationView or an Assembly (one explicit projection per
  pair of member populations), or the weights/delays are arrays or functions.
  PyNN's own connector code generates the list (with PyNN's random numbers).

Weights and delays are given in PyNN's units (nA, µS or mV; ms); weights enter the CSV in the
engine's internal unit of the target port, converted by memspike.parse_quantity (the engine's unit
table). Delays must lie on the time grid (the engine rounds drawn delays to the nearest tick).
"""
import os

import numpy as np
from pyNN import common, connectors, errors
from pyNN.random import RandomDistribution
from pyNN.space import Space

from . import simulator
from .populations import Assembly, PopulationView, _distribution
from .standardmodels import quantity

_NATIVE = {connectors.AllToAllConnector: "all_to_all", connectors.OneToOneConnector: "one_to_one",
           connectors.FixedProbabilityConnector: "fixed_probability",
           connectors.FixedNumberPreConnector: "fixed_indegree",
           connectors.FixedNumberPostConnector: "fixed_outdegree",
           connectors.FixedTotalNumberConnector: "fixed_total_number"}
_LISTED = (connectors.FromListConnector, connectors.ArrayConnector,  # FromFileConnector is a FromListConnector
           connectors.DistanceDependentProbabilityConnector)  # the engine has no distance rule


class Connection(common.Connection):
    """One synapse, as Projection[i] and iteration give it (a snapshot: setting it has no effect)."""

    def __init__(self, pre, post, weight, delay):
        self.presynaptic_index, self.postsynaptic_index, self.weight, self.delay = pre, post, weight, delay

    def as_tuple(self, *names):
        return tuple(getattr(self, n) for n in names)


class _Side:
    """One side of a projection as memspike sees it: the populations ("parts") it spans, and for
    each of its neurons (PyNN's index on this side) the part and the index in that population.
    A Population is one whole part, a PopulationView a part of its population, an Assembly one
    part per member."""

    def __init__(self, side):
        members = side.populations if isinstance(side, Assembly) else [side]
        self.roots, part, idx = [], [], []
        for k, m in enumerate(members):
            if isinstance(m, PopulationView):
                root, i = m.grandparent, np.asarray(m.index_in_grandparent(np.arange(m.size)), dtype=np.int64)
            else:
                root, i = m, np.arange(m.size, dtype=np.int64)
            self.roots.append(root)
            part.append(np.full(i.size, k, np.int64))
            idx.append(i)
        self.part, self.idx = np.concatenate(part), np.concatenate(idx)
        self.whole = not isinstance(side, (Assembly, PopulationView))

    def positions(self, k):
        """Side index of each neuron of part k's population (-1: not on this side)."""
        pos = np.full(self.roots[k].size, -1, np.int64)
        mine = self.part == k
        pos[self.idx[mine]] = np.nonzero(mine)[0]
        return pos


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
        self._pre, self._post = _Side(self.pre), _Side(self.post)
        targets = {(type(r.celltype).__name__, r.celltype.weight_unit, r.celltype._PORTS.get(self.receptor_type))
                   for r in self._post.roots}
        name, self._unit, self._port = next(iter(targets))
        if len(targets) > 1 or not self._post.roots[0].celltype._PORTS:
            raise errors.ConnectionError(f"memspike.pynn: the postsynaptic cells ({name}) cannot receive these "
                                         f"synapses, or the Assembly mixes weight units / receptor ports")
        self._plasticity = self.synapse_type.memspike_plasticity(self._unit)
        self._plastic = self._plasticity is not None
        self._index = len(simulator.state.projections)
        self._subs = self._plan(connector)  # [(name, pre part, post part, Scenario.projection keywords)]
        self._names = [n for n, _, _, _ in self._subs]
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
        """The memspike projections of this projection, checked now."""
        whole = self._pre.whole and self._post.whole
        rule = _NATIVE.get(type(connector))
        weight, delay = self._value("weight"), self._value("delay")
        kw = {}
        if isinstance(connector, connectors.FixedTotalNumberConnector):
            self._check_total_number(connector, whole and weight is not None and delay is not None)
        if rule and whole and weight is not None and delay is not None:
            kw = {"rule": rule, "weight": weight, "delay": delay}
            recurrent = self._pre.roots[0] is self._post.roots[0]
            if rule == "fixed_probability":
                kw["probability"] = float(connector.p_connect)
            elif rule in ("fixed_indegree", "fixed_outdegree"):
                if isinstance(connector.n, RandomDistribution) or np.ndim(connector.n) != 0:
                    raise NotImplementedError(f"memspike.pynn: {type(connector).__name__} with a random or per-neuron "
                                              f"n is not supported (memspike's rule takes one number)")
                kw["indegree" if rule == "fixed_indegree" else "outdegree"] = int(connector.n)
                kw["allow_multapses"] = bool(connector.with_replacement)
            elif rule == "fixed_total_number":
                kw["total_number"] = int(connector.n)  # multapses: the rule's default and only mode
            self_ok = getattr(connector, "allow_self_connections", True)
            if self_ok not in (True, False):
                raise NotImplementedError(f"memspike.pynn: allow_self_connections={self_ok!r} is not supported")
            if recurrent and not self_ok and rule != "one_to_one":
                kw["allow_autapses"] = False
        elif rule or isinstance(connector, _LISTED):
            if isinstance(connector, connectors.DistanceDependentProbabilityConnector):
                self._seed_distance_rng(connector)
            return [self._finish(*sub) for sub in self._listed(connector)]
        else:
            raise NotImplementedError(f"memspike.pynn: {type(connector).__name__} is not supported (supported: "
                                      f"AllToAll, OneToOne, FixedProbability, FixedNumberPre, FixedNumberPost, "
                                      f"FixedTotalNumber, FromList, FromFile, ArrayConnector)")
        return [self._finish(f"prj{self._index}", 0, 0, kw)]

    def _seed_distance_rng(self, connector):
        """DistanceDependentProbabilityConnector runs PyNN's own code (positions from the populations'
        structures, the projection's Space, the d_expression) and reaches the engine as an explicit
        list, drawn in Python (the thread count plays no part). Its rng decides: PyNN's default has a
        fixed seed (the same synapses as on other backends); an unseeded NumpyRNG() would not repeat,
        so memspike seeds it from setup()'s seed and the projection's index."""
        from pyNN.random import NumpyRNG
        if getattr(connector.rng, "seed", None) is None:
            seed = np.random.SeedSequence([int(simulator.state.seed), 16, self._index]).generate_state(1)[0]
            connector.rng = NumpyRNG(seed=int(seed) & 0x7fffffff)

    @staticmethod
    def _check_total_number(connector, native):
        """What FixedTotalNumberConnector asks that memspike would not do: the engine's rule (like
        NEST's) draws the K pairs with replacement, and PyNN 0.10's own connector code (the explicit
        path) ignores with_replacement and allow_self_connections, so neither is silently dropped."""
        if connector.with_replacement is not True:
            raise NotImplementedError(f"memspike.pynn: FixedTotalNumberConnector(with_replacement="
                                      f"{connector.with_replacement!r}) is not supported: memspike's "
                                      f"fixed_total_number draws the pairs with replacement (multapses); use "
                                      f"with_replacement=True (PyNN's default)")
        n = connector.n
        if isinstance(n, RandomDistribution) or isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise NotImplementedError(f"memspike.pynn: FixedTotalNumberConnector with n = {n!r} is not supported "
                                      f"(memspike's rule takes one whole number of synapses)")
        if not native and connector.allow_self_connections is not True:
            raise NotImplementedError(f"memspike.pynn: FixedTotalNumberConnector(allow_self_connections="
                                      f"{connector.allow_self_connections!r}) is supported only between whole "
                                      f"populations with constant or distributed weights and delays (elsewhere "
                                      f"PyNN's own connector code, which ignores it, would make the synapses)")

    def _finish(self, name, a, b, kw):
        """Adds plasticity and receptor to one memspike projection (pre part a, post part b) and
        checks it."""
        if self._plasticity is not None:
            kw["plasticity"] = self._plasticity
        if len(set(self._post.roots[b].celltype._PORTS.values())) > 1:
            kw["receptor"] = self._port
        self._check(name, a, b, kw)
        return name, a, b, kw

    def _listed(self, connector):
        """Generates the synapses with PyNN's connector code and writes them as explicit CSV
        files, one per pair of populations the two sides span."""
        self._pairs = []
        connector.connect(self)
        cols = [np.concatenate(c) for c in zip(*self._pairs)] if self._pairs else [np.zeros(0, np.int64)] * 2 + \
            [np.zeros(0)] * 2
        del self._pairs
        pre, post, w, d = cols[0].astype(np.int64), cols[1].astype(np.int64), np.asarray(cols[2], float), \
            np.asarray(cols[3], float)
        st = simulator.state
        ticks = np.rint(d / st.dt)
        off = np.abs(d / st.dt - ticks) > 1e-6 * np.maximum(1.0, ticks)
        if off.any():
            raise errors.InvalidParameterValueError(f"Projection {self.label!r}: delay {float(d[off][0])!r} ms is not "
                                                    f"a whole number of time steps of {st.dt!r} ms")
        factor = _weight_factor(self._unit)
        pa, pb = self._pre.part[pre], self._post.part[post]
        subs = []
        for a in range(len(self._pre.roots)):
            for b in range(len(self._post.roots)):
                sel = (pa == a) & (pb == b)
                if not sel.any() and (len(self._pre.roots), len(self._post.roots)) != (1, 1):
                    continue  # no synapse between these two populations: no memspike projection
                name = f"prj{self._index}" if len(self._pre.roots) == len(self._post.roots) == 1 \
                    else f"prj{self._index}_{a}_{b}"
                path = os.path.join(st.tmpdir(), f"{name}.csv")
                table = np.column_stack([self._pre.idx[pre[sel]], self._post.idx[post[sel]], w[sel] * factor,
                                         ticks[sel] * st.dt])
                np.savetxt(path, table, fmt=["%d", "%d", "%.17g", "%.17g"], delimiter=",",
                           header="source,target,weight,delay", comments="")
                mean_w = float(np.mean(w[sel])) if sel.any() else 0.0  # the key is required; the file's column wins
                subs.append((name, a, b, {"rule": "explicit", "file": path, "weight": quantity(mean_w, self._unit),
                                          "delay": f"{st.min_delay_ms!r} ms"}))
        return subs

    def _convergent_connect(self, presynaptic_indices, postsynaptic_index, **connection_parameters):
        """Called by PyNN's connectors (the explicit path): synapses onto one target."""
        pre = np.asarray(presynaptic_indices, dtype=np.int64).ravel()
        n = pre.size
        w = np.broadcast_to(np.asarray(connection_parameters.get("weight", 0.0), float), (n,)) if n else np.zeros(0)
        d = connection_parameters.get("delay", simulator.state.min_delay_ms)
        d = np.broadcast_to(np.asarray(d, float), (n,)) if n else np.zeros(0)
        self._pairs.append((pre, np.full(n, int(postsynaptic_index), np.int64), np.array(w), np.array(d)))

    def _check(self, name, a, b, kw):
        """One memspike projection as memspike would read it, with its two populations, so that
        bad values fail here."""
        import memspike
        st = simulator.state
        pre, post = self._pre.roots[a], self._post.roots[b]
        sc = memspike.Scenario()
        sc.simulation(duration=f"{st.dt!r} ms", resolution=f"{st.dt!r} ms")
        for p in {id(pre): pre, id(post): post}.values():
            p._add_to(sc)
        try:
            sc.projection(pre._ms_name, post._ms_name, name=name, **kw)
        except memspike.ScenarioError as e:
            raise errors.ConnectionError(f"Projection {self.label!r}: {e} (memspike units: weights onto "
                                         f"{type(post.celltype).__name__} in {self._unit})") from None

    def _add_to(self, sc):
        for name, a, b, kw in self._subs:
            sc.projection(self._pre.roots[a]._ms_name, self._post.roots[b]._ms_name, name=name, **kw)

    # -- reading and changing synapses ----------------------------------------------------------------

    def _synapses(self):
        """Arrays pre, post (this projection's side indices), weight [PyNN unit], delay [ms] of
        every synapse, sub-projection by sub-projection in the engine's order."""
        sim = simulator.state.build()
        cols = [[], [], [], []]
        for name, a, b, _ in self._subs:
            d = sim.weights(name)
            cols[0].append(self._pre.positions(a)[d["sources"].astype(np.int64)])
            cols[1].append(self._post.positions(b)[d["targets"].astype(np.int64)])
            cols[2].append(d["weights"].astype(float) / _weight_factor(self._unit))
            cols[3].append(np.asarray(d["delays_ms"], float))
        if not self._subs:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
        return tuple(np.concatenate(c) for c in cols)

    def __len__(self):
        sim = simulator.state.build()
        return int(sum(sim.weights(name)["weights"].size for name, _, _, _ in self._subs))

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
            w = (full[pre, post] if full.ndim == 2 else np.broadcast_to(full, pre.shape)) * _weight_factor(self._unit)
            start = 0
            for name, _, _, _ in self._subs:  # _synapses() lists them in this order
                n = sim.weights(name)["weights"].size
                sim.set_weights(name, np.asarray(w[start:start + n], dtype=float))
                start += n
