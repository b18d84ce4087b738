# SPDX-License-Identifier: MIT
"""Population, PopulationView and Assembly of memspike.pynn.

A Population keeps its parameters as PyNN does (a ParameterSpace evaluated per neuron, in PyNN's
units) and becomes one memspike population when the network is built (simulator.State.build).
memspike's LIF models take any parameter per neuron (docs/scenario-format.md, "Per-neuron
parameters"): arrays and RandomDistributions, evaluated per neuron by PyNN with the script's RNG
(so a given seed gives the same values whatever memspike's thread count), are handed over as
per-neuron values. Source types take one value per population; a parameter that differs between
their neurons raises NotImplementedError naming it, rather than running with one of the values.
Initial values may differ per neuron: a RandomDistribution that memspike can draw (uniform,
normal, normal_clipped) is drawn by memspike; anything else (an array, a function, a distribution
with operations) is evaluated by PyNN and handed over as one value per neuron.
"""
import numpy as np
from pyNN import common, errors
from pyNN.parameters import ParameterSpace, simplify
from pyNN.random import RandomDistribution

from . import simulator
from .recording import Recorder
from .standardmodels import SpikeSourceArray, per_neuron_quantity, quantity

# Initial values: PyNN state variable -> (memspike state variable, PyNN unit), per cell type.
_INIT = {"v": ("v", "mV"), "isyn_exc": ("i_ex", "nA"), "isyn_inh": ("i_in", "nA"),
         "gsyn_exc": ("g_ex", "uS"), "gsyn_inh": ("g_in", "uS")}
_INIT.update({"w": ("w", "nA"), "u": ("u", "")})  # EIF_cond_exp_isfa_ista, Izhikevich (u: mV/ms, a plain number)


def _distribution(rd, unit, where):
    """A PyNN RandomDistribution as a memspike distribution table (values in `unit`)."""
    p = rd.parameters
    if rd.name == "uniform":
        return {"dist": "uniform", "low": quantity(p["low"], unit), "high": quantity(p["high"], unit)}
    if rd.name == "normal":
        return {"dist": "normal", "mean": quantity(p["mu"], unit), "sd": quantity(p["sigma"], unit)}
    if rd.name == "normal_clipped":
        return {"dist": "normal", "mean": quantity(p["mu"], unit), "sd": quantity(p["sigma"], unit),
                "min": quantity(p["low"], unit), "max": quantity(p["high"], unit), "out_of_range": "redraw"}
    raise NotImplementedError(f"memspike.pynn: {where}: RandomDistribution('{rd.name}') is not supported "
                              f"(memspike draws uniform, normal and normal_clipped)")


def _one_value(values, name, where):
    """The single value of a per-neuron parameter array; NotImplementedError if they differ."""
    a = np.asarray(values)
    if a.ndim == 0:
        return a.item()
    if a.size and not np.all(a == a.flat[0]):
        raise NotImplementedError(
            f"memspike.pynn: {where}: parameter {name} differs between neurons ({a.min()!r} to {a.max()!r}); "
            f"memspike's models take one value per population. Split the population into one per value")
    return a.flat[0] if a.size else None


class Assembly(common.Assembly):
    _simulator = simulator


class PopulationView(common.PopulationView):
    _assembly_class = Assembly
    _simulator = simulator

    def _get_parameters(self, *names):
        d = {}
        for n in names:
            v = self.parent._parameters[n]
            d[n] = simplify(v[self.mask] if isinstance(v, np.ndarray) else v)
        return ParameterSpace(d, shape=(self.size,))

    def _set_parameters(self, parameter_space):
        self.grandparent._check_settable()
        parameter_space.evaluate(simplify=False)
        root, idx = self.grandparent, self.index_in_grandparent(np.arange(self.size))
        saved = {n: root._parameters[n].copy() for n, _ in parameter_space.items()}
        for n, v in parameter_space.items():
            root._parameters[n][idx] = v
        root._validate(saved)

    def _set_initial_value_array(self, variable, initial_values):
        root = self.grandparent
        if self.size == root.size:
            return root._set_initial_value_array(variable, initial_values)
        root._check_settable()
        values = np.asarray(initial_values.evaluate(simplify=False), dtype=float)
        current = root._init.get(variable)
        if current is not None and not isinstance(current, dict) and np.all(values == current):
            return
        # PyNN 0.10's PopulationView cannot store initial values (its initial_values property raises
        # NotImplementedError after this method returns), so a part is refused before any change.
        raise NotImplementedError(
            f"memspike.pynn: initialize({variable}=...) on a part of population {root.label!r}: PyNN's "
            f"PopulationView keeps no initial values; initialize the whole population (an array is accepted)")

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)


class Population(common.Population):
    __doc__ = common.Population.__doc__
    _simulator = simulator
    _recorder_class = Recorder
    _assembly_class = Assembly

    def __init__(self, size, cellclass, cellparams=None, structure=None, initial_values={}, label=None):
        simulator.state.require_unbuilt("creating a Population")
        self._init = {}
        self._index = len(simulator.state.populations)
        self._ms_name = f"p{self._index}"
        super().__init__(size, cellclass, cellparams, structure, initial_values, label)
        if not hasattr(self.celltype, "memspike_model"):
            raise NotImplementedError(f"memspike.pynn: cell type {type(self.celltype).__name__} is not supported "
                                      f"(use the types of memspike.pynn)")
        self._validate()
        simulator.state.populations.append(self)

    def _create_cells(self):
        st = simulator.state
        self.all_cells = np.array([simulator.ID(i) for i in range(st.id_counter, st.id_counter + self.size)],
                                  dtype=simulator.ID)
        self._mask_local = np.ones(self.size, dtype=bool)
        ps = self.celltype.native_parameters
        ps.shape = (self.size,)
        ps.evaluate(simplify=False)
        self._parameters = ps.as_dict()
        for i in self.all_cells:
            i.parent = self
        st.id_counter += self.size

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)

    def _get_parameters(self, *names):
        return ParameterSpace({n: simplify(self._parameters[n]) for n in names}, shape=(self.size,))

    def _set_parameters(self, parameter_space):
        self._check_settable()
        parameter_space.evaluate(simplify=False)
        saved = {n: self._parameters[n] for n, _ in parameter_space.items()}
        for n, v in parameter_space.items():
            self._parameters[n] = v
        self._validate(saved)

    def _check_settable(self):
        simulator.state.require_unbuilt(f"changing parameters of population {self.label!r}")

    def _set_initial_value_array(self, variable, initial_values):
        self._check_settable()
        if variable not in _INIT:
            raise errors.NonExistentParameterError(variable, type(self.celltype).__name__,
                                                   list(self.celltype.default_initial_values))
        unit = _INIT[variable][1]
        base = initial_values.base_value
        if isinstance(base, RandomDistribution) and not initial_values.operations:
            value = _distribution(base, unit, f"initialize({variable}=...)")
        else:  # evaluated by PyNN: one value, or one per neuron
            return self._set_initial_values(variable, initial_values.evaluate(simplify=False))
        self._set_initial(variable, value)

    def _set_initial_values(self, variable, values):
        """Initial values of `variable` [PyNN's unit], one per neuron (or one for all)."""
        a = np.asarray(values, dtype=float)
        if a.ndim > 0 and a.size != self.size:
            raise errors.InvalidParameterValueError(
                f"initialize({variable}=...) on population {self.label!r}: {a.size} values for {self.size} neurons")
        value = per_neuron_quantity(a, _INIT[variable][1])
        self._set_initial(variable, value if isinstance(value, dict) else a.flat[0].item() if a.ndim else a.item())

    def _set_initial(self, variable, value):
        saved = dict(self._init)
        self._init[variable] = value
        if hasattr(self, "_index"):
            self._validate(init_saved=saved)

    # -- the memspike population ---------------------------------------------------------------------

    def _params(self):
        """memspike `params` (and `spike_times` for SpikeSourceArray)."""
        ct = self.celltype
        where = f"population {self.label!r} ({type(ct).__name__})"
        if isinstance(ct, SpikeSourceArray):
            st = simulator.state
            times = []
            for i, seq in enumerate(self._parameters["spike_times"]):
                values = getattr(seq, "value", seq)  # a Sequence or ArrayParameter, or plain numbers
                times.append([st.grid_time(t, f"{where}: spike_times of neuron {i}") for t in np.asarray(values).ravel()])
            return {}, times
        names = ct.get_parameter_names()
        if getattr(ct, "per_neuron", False):  # the model takes per-neuron values: the arrays as they are
            values = {n: self._parameters[n] for n in names}
        else:
            values = {n: _one_value(self._parameters[n], n, where) for n in names}
        return ct.memspike_params(values, where), None

    def _initial(self):
        out = {}
        for var, value in self._init.items():
            ms_var, unit = _INIT[var]
            out[ms_var] = value if isinstance(value, dict) else quantity(value, unit)
        return out

    def _add_to(self, sc):
        params, spike_times = self._params()
        if spike_times is not None:
            sc.population(self._ms_name, self.celltype.memspike_model, spike_times=spike_times)
        else:
            sc.population(self._ms_name, self.celltype.memspike_model, self.size, params=params,
                          init=self._initial() or None)

    def _validate(self, saved=None, init_saved=None):
        """Checks the population as memspike would (the C++ reader, with this population alone),
        so that a bad value fails where it is set; restores the previous values if it fails."""
        import memspike
        try:
            sc = memspike.Scenario()
            st = simulator.state
            sc.simulation(duration=f"{st.dt!r} ms", resolution=f"{st.dt!r} ms")
            self._add_to(sc)
        except memspike.ScenarioError as e:
            self._restore(saved, init_saved)
            raise errors.InvalidParameterValueError(
                f"population {self.label!r} ({type(self.celltype).__name__}): {e} [memspike names: "
                f"{self._name_hint()}]") from None
        except BaseException:
            self._restore(saved, init_saved)
            raise

    def _restore(self, saved, init_saved):
        if saved:
            self._parameters.update(saved)
        if init_saved is not None:
            self._init = init_saved

    def _name_hint(self):
        table = getattr(self.celltype, "_PARAMS", {})
        pairs = [f"{ms} = PyNN {py} [{unit}]" for py, (ms, unit) in table.items()]
        if type(self.celltype).__name__ == "IF_cond_exp":
            pairs.append("g_l = PyNN cm / tau_m")
        return "; ".join(pairs) or "none"
