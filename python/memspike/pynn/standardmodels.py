# SPDX-License-Identifier: MIT
"""PyNN's standard cell, synapse and current-source types, mapped onto memspike's models.

Units. PyNN's units are ms, mV, nA, nF, µS and Hz; memspike's scenario reader takes quantities as
unit strings. Every value therefore leaves this module as ``"<number> <PyNN unit>"`` (``"1.0 nF"``,
``"0.004 uS"``), and the C++ reader converts it to its internal unit (pF, nS, pA) with the same
code that reads TOML files: no conversion factor is written twice. The "native" parameters of these
classes (PyNN's translation layer) are PyNN's own names and units; the mapping to memspike names is
the ``_PARAMS`` table of each class, which docs/pynn.md reproduces.

Only what memspike can run exactly is offered here; anything else raises NotImplementedError naming
the type (pyNN's own convention for an unsupported feature).
"""
import copy

import numpy as np
from pyNN import errors
from pyNN.parameters import ParameterSpace, Sequence
from pyNN.standardmodels import build_translations, cells, electrodes, synapses
from pyNN.standardmodels import StandardCurrentSource

from . import simulator


def _identity(names):
    """PyNN's translation table with native names = PyNN names (memspike's names are applied
    when the scenario is written, see _PARAMS)."""
    return build_translations(*[(n, n) for n in names])


def quantity(value, unit):
    """A finite number and a unit as a unit string for the scenario reader."""
    value = float(value)
    if not np.isfinite(value):
        raise errors.InvalidParameterValueError(f"{value!r} {unit} is not finite")
    return f"{value!r} {unit}" if unit else repr(value)  # unit "": a dimensionless memspike value


def per_neuron_quantity(values, unit):
    """One unit string when every neuron has the same value, else the scenario format's per-neuron
    form {values = [...], unit} (docs/scenario-format.md), which the engine runs exactly."""
    a = np.asarray(values, dtype=float)
    if a.ndim == 0 or a.size == 0 or np.all(a == a.flat[0]):
        return quantity(a.item() if a.ndim == 0 else a.flat[0], unit)
    if not np.all(np.isfinite(a)):
        raise errors.InvalidParameterValueError(f"{a[~np.isfinite(a)][0]!r} {unit} is not finite")
    return {"values": a.tolist(), "unit": unit} if unit else {"values": a.tolist()}  # "": dimensionless


class _MemspikeCell:
    """What each cell type adds to PyNN's: the memspike model, the parameter table
    (PyNN name -> memspike name, PyNN unit), receptor ports, recordable state variables.
    `per_neuron`: the memspike model takes per-neuron parameter values, so memspike_params gets
    each parameter as an array (one value per neuron) rather than as one value."""
    memspike_model = None
    per_neuron = False
    _PARAMS = {}                 # PyNN name -> (memspike name, PyNN unit)
    _PORTS = {}                  # PyNN receptor type -> memspike port
    _STATE = {}                  # PyNN variable -> (memspike state variable, PyNN unit)
    weight_unit = None           # PyNN unit of weights onto this cell type

    def memspike_params(self, values, where):
        """memspike `params` for a dict {PyNN name: one value}."""
        return {self._PARAMS[k][0]: quantity(v, self._PARAMS[k][1]) for k, v in values.items()}


class _LifCell(_MemspikeCell):
    """memspike's LIF models (and lif_alpha, adex, izhikevich) take every parameter per neuron."""
    per_neuron = True

    def memspike_params(self, values, where):
        """memspike `params` for a dict {PyNN name: value or per-neuron array}."""
        return {self._PARAMS[k][0]: per_neuron_quantity(v, self._PARAMS[k][1]) for k, v in values.items()}


def _with_leak_conductance(cell, values, where):
    """memspike_params of a conductance model (lif_cond_exp, adex), which takes the leak
    conductance g_l = cm / tau_m instead of tau_m; per neuron when either varies."""
    values = dict(values)
    tau_m = np.asarray(values.pop("tau_m"), dtype=float)
    if not np.all(tau_m > 0):
        bad = tau_m[~(tau_m > 0)].flat[0]
        raise errors.InvalidParameterValueError(f"{where}: tau_m = {bad!r} ms is invalid (must be > 0 ms)")
    out = _LifCell.memspike_params(cell, values, where)
    out["g_l"] = per_neuron_quantity(np.asarray(values["cm"], dtype=float) / tau_m, "uS")  # nF / ms = µS
    return out


class IF_curr_delta(_LifCell, cells.IF_curr_delta):
    __doc__ = cells.IF_curr_delta.__doc__
    translations = _identity(cells.IF_curr_delta.default_parameters)
    memspike_model = "lif_delta"
    _PARAMS = {"tau_m": ("tau_m", "ms"), "cm": ("c_m", "nF"), "v_rest": ("e_l", "mV"), "v_thresh": ("v_th", "mV"),
               "v_reset": ("v_reset", "mV"), "tau_refrac": ("t_ref", "ms"), "i_offset": ("i_e", "nA")}
    _PORTS = {"excitatory": "v", "inhibitory": "v"}
    _STATE = {"v": ("v", "mV")}
    weight_unit = "mV"


class IF_curr_exp(_LifCell, cells.IF_curr_exp):
    __doc__ = cells.IF_curr_exp.__doc__
    translations = _identity(cells.IF_curr_exp.default_parameters)
    memspike_model = "lif_exp"
    _PARAMS = {**IF_curr_delta._PARAMS, "tau_syn_E": ("tau_syn_ex", "ms"), "tau_syn_I": ("tau_syn_in", "ms")}
    _PORTS = {"excitatory": "ex", "inhibitory": "in"}
    _STATE = {"v": ("v", "mV")}
    weight_unit = "nA"


class IF_cond_exp(_LifCell, cells.IF_cond_exp):
    __doc__ = cells.IF_cond_exp.__doc__
    translations = _identity(cells.IF_cond_exp.default_parameters)
    memspike_model = "lif_cond_exp"
    # lif_cond_exp takes the leak conductance g_l = cm / tau_m instead of tau_m (see memspike_params).
    _PARAMS = {"cm": ("c_m", "nF"), "v_rest": ("e_l", "mV"), "v_thresh": ("v_th", "mV"), "v_reset": ("v_reset", "mV"),
               "tau_refrac": ("t_ref", "ms"), "i_offset": ("i_e", "nA"), "tau_syn_E": ("tau_syn_ex", "ms"),
               "tau_syn_I": ("tau_syn_in", "ms"), "e_rev_E": ("e_ex", "mV"), "e_rev_I": ("e_in", "mV")}
    _PORTS = {"excitatory": "ex", "inhibitory": "in"}
    _STATE = {"v": ("v", "mV"), "gsyn_exc": ("g_ex", "uS"), "gsyn_inh": ("g_in", "uS")}
    weight_unit = "uS"

    def memspike_params(self, values, where):
        return _with_leak_conductance(self, values, where)


class SpikeSourcePoisson(_MemspikeCell, cells.SpikeSourcePoisson):
    __doc__ = cells.SpikeSourcePoisson.__doc__
    translations = _identity(cells.SpikeSourcePoisson.default_parameters)
    memspike_model = "poisson_source"

    def memspike_params(self, values, where):
        out = {"rate": quantity(values["rate"], "Hz"), "start": simulator.state.grid_time(values["start"],
                                                                                        f"{where}: start")}
        duration = float(values["duration"])
        if duration < 1e9:  # PyNN's default, 1e10 ms, means "never stops"
            out["stop"] = simulator.state.grid_time(float(values["start"]) + duration, f"{where}: start + duration")
        return out


class SpikeSourceArray(_MemspikeCell, cells.SpikeSourceArray):
    __doc__ = cells.SpikeSourceArray.__doc__
    translations = _identity(cells.SpikeSourceArray.default_parameters)
    memspike_model = "spike_source"


def _unsupported_cell(base):
    class Unsupported(base):
        __doc__ = base.__doc__

        def __init__(self, **parameters):
            raise NotImplementedError(f"memspike.pynn: the cell type {base.__name__} is not supported (memspike runs "
                                      f"{', '.join(supported_cell_types())}; docs/pynn.md)")
    Unsupported.__name__ = base.__name__
    return Unsupported


IF_cond_alpha = _unsupported_cell(cells.IF_cond_alpha)
EIF_cond_alpha_isfa_ista = _unsupported_cell(cells.EIF_cond_alpha_isfa_ista)
HH_cond_exp = _unsupported_cell(cells.HH_cond_exp)
IF_cond_exp_gsfa_grr = _unsupported_cell(cells.IF_cond_exp_gsfa_grr)
SpikeSourceGamma = _unsupported_cell(cells.SpikeSourceGamma)
SpikeSourcePoissonRefractory = _unsupported_cell(cells.SpikeSourcePoissonRefractory)


class IF_curr_alpha(_LifCell, cells.IF_curr_alpha):
    __doc__ = cells.IF_curr_alpha.__doc__
    translations = _identity(cells.IF_curr_alpha.default_parameters)
    memspike_model = "lif_alpha"
    _PARAMS = IF_curr_exp._PARAMS
    _PORTS = {"excitatory": "ex", "inhibitory": "in"}
    _STATE = {"v": ("v", "mV")}
    weight_unit = "nA"  # the peak of the alpha current, reached tau_syn after the event (as NEST, Brian2)


class EIF_cond_exp_isfa_ista(_LifCell, cells.EIF_cond_exp_isfa_ista):
    """PyNN's AdEx as memspike's ``adex`` (NEST's aeif_cond_exp): v_spike -> v_peak, the voltage at
    which a spike is detected (pyNN.brian2 detects at v_thresh + 5 delta_T instead)."""
    __doc__ = cells.EIF_cond_exp_isfa_ista.__doc__
    translations = _identity(cells.EIF_cond_exp_isfa_ista.default_parameters)
    memspike_model = "adex"
    # adex takes the leak conductance g_l = cm / tau_m instead of tau_m (see memspike_params).
    _PARAMS = {"cm": ("c_m", "nF"), "v_rest": ("e_l", "mV"), "v_thresh": ("v_th", "mV"), "delta_T": ("delta_t", "mV"),
               "v_spike": ("v_peak", "mV"), "v_reset": ("v_reset", "mV"), "tau_refrac": ("t_ref", "ms"),
               "a": ("a", "nS"), "b": ("b", "nA"), "tau_w": ("tau_w", "ms"), "i_offset": ("i_e", "nA"),
               "tau_syn_E": ("tau_syn_ex", "ms"), "tau_syn_I": ("tau_syn_in", "ms"), "e_rev_E": ("e_ex", "mV"),
               "e_rev_I": ("e_in", "mV")}
    _PORTS = {"excitatory": "ex", "inhibitory": "in"}
    _STATE = {"v": ("v", "mV"), "w": ("w", "nA"), "gsyn_exc": ("g_ex", "uS"), "gsyn_inh": ("g_in", "uS")}
    weight_unit = "uS"

    def memspike_params(self, values, where):
        return _with_leak_conductance(self, values, where)


class Izhikevich(_LifCell, cells.Izhikevich):
    """PyNN's Izhikevich as memspike's ``izhikevich``: i_offset enters through C = 1 pF (1 nA =
    1000 mV/ms, as NEST and pyNN.brian2); weights are voltage jumps [mV]."""
    __doc__ = cells.Izhikevich.__doc__
    translations = _identity(cells.Izhikevich.default_parameters)
    memspike_model = "izhikevich"
    _PARAMS = {"a": ("a", ""), "b": ("b", ""), "c": ("c", "mV"), "d": ("d", ""), "i_offset": ("i_e", "nA")}
    _PORTS = {"excitatory": "v", "inhibitory": "v"}
    _STATE = {"v": ("v", "mV"), "u": ("u", "")}
    weight_unit = "mV"


def supported_cell_types():
    return ["IF_curr_delta", "IF_curr_exp", "IF_cond_exp", "SpikeSourcePoisson", "SpikeSourceArray", "IF_curr_alpha",
            "EIF_cond_exp_isfa_ista", "Izhikevich"]


# -- current sources --------------------------------------------------------------------------------

class _MemspikeCurrentSource(StandardCurrentSource):
    """A current source becomes one [[stimulus]] per target population (kind dc or step), on the
    neurons it was injected into. Its parameters are fixed once the network is built."""

    def __init__(self, **parameters):
        simulator.state.require_unbuilt(f"creating a current source ({type(self).__name__})")
        super(StandardCurrentSource, self).__init__(**parameters)
        self._native = {}
        self.targets = []  # [(Population, [indices])]
        ps = ParameterSpace(self.default_parameters, self.get_schema(), shape=(1,))
        ps.update(**parameters)
        self.set_native_parameters(self.translate(ps))
        simulator.state.current_sources.append(self)

    def set_native_parameters(self, parameters):
        if simulator.state.sim is not None:
            raise NotImplementedError(f"memspike.pynn: {type(self).__name__} parameters cannot change after the "
                                      f"network was built (first run() or Projection.get)")
        parameters.evaluate(simplify=True)
        for name, value in parameters.items():
            self._native[name] = value.value if isinstance(value, Sequence) else value

    def get_native_parameters(self):
        return ParameterSpace(dict(self._native), self.get_schema(), shape=(1,))

    def inject_into(self, cells_):
        from .populations import Assembly
        if simulator.state.sim is not None:
            raise NotImplementedError("memspike.pynn: a current source cannot be injected after the network was "
                                      "built (first run() or Projection.get)")
        if isinstance(cells_, Assembly):
            for p in cells_.populations:
                self.inject_into(p)
            return
        parent = getattr(cells_, "grandparent", None) or getattr(cells_, "parent", None)
        if hasattr(cells_, "celltype") and parent is None:  # a Population
            pop, idx = cells_, list(range(cells_.size))
        elif hasattr(cells_, "celltype"):                   # a PopulationView
            pop, idx = parent, [int(i) for i in parent.id_to_index(cells_.all_cells)]
        else:                                               # a list of IDs
            ids = list(cells_)
            pops = {id(i.parent) for i in ids}
            if len(pops) != 1:
                for i in ids:
                    self.inject_into([i])
                return
            pop, idx = ids[0].parent, [int(ids[0].parent.id_to_index(i)) for i in ids]
        if not pop.celltype.injectable:
            raise TypeError(f"Can't inject current into a spike source ({type(pop.celltype).__name__})")
        self.targets.append((pop, sorted(idx)))

    def memspike_stimuli(self):
        raise NotImplementedError


class DCSource(_MemspikeCurrentSource, electrodes.DCSource):
    __doc__ = electrodes.DCSource.__doc__
    translations = _identity(electrodes.DCSource.default_parameters)

    def memspike_stimuli(self):
        st = simulator.state
        where = "DCSource"
        entry = {"kind": "dc", "amplitude": quantity(self._native["amplitude"], "nA"),
                 "start": st.grid_time(self._native["start"], f"{where}: start")}
        if float(self._native["stop"]) < 1e9:  # PyNN's default stop, 1e12 ms, means "never"
            entry["stop"] = st.grid_time(self._native["stop"], f"{where}: stop")
        return [entry]


class StepCurrentSource(_MemspikeCurrentSource, electrodes.StepCurrentSource):
    __doc__ = electrodes.StepCurrentSource.__doc__
    translations = _identity(electrodes.StepCurrentSource.default_parameters)

    def memspike_stimuli(self):
        st = simulator.state
        times = np.asarray(self._native["times"], dtype=float)
        amps = np.asarray(self._native["amplitudes"], dtype=float)
        if times.size == 0:
            return []
        return [{"kind": "step", "times": [st.grid_time(t, f"StepCurrentSource: times[{i}]") for i, t in enumerate(times)],
                 "amplitudes": [quantity(a, "nA") for a in amps]}]


def _unsupported_source(base, why):
    class Unsupported(base):
        __doc__ = base.__doc__

        def __init__(self, **parameters):
            raise NotImplementedError(f"memspike.pynn: {base.__name__} is not supported: {why}")
    Unsupported.__name__ = base.__name__
    return Unsupported


class NoisyCurrentSource(_MemspikeCurrentSource, electrodes.NoisyCurrentSource):
    """PyNN's NoisyCurrentSource as a step stimulus: from start, every dt a new amplitude
    mean + stdev·N(0, 1), 0 from stop on. As in pyNN.brian2, one sequence per source, shared by
    all the cells it is injected into (pyNN.nest's noise_generator gives each cell its own).
    The draws come from a numpy generator keyed by setup()'s seed and the source's index, so a
    script is reproducible for a seed; they are fixed when the network is built (a reset()
    replays the same noise)."""
    translations = _identity(electrodes.NoisyCurrentSource.default_parameters)
    _MAX_STEPS = 1_000_000  # ~40 MB of scenario strings; a longer noise is better as many sources

    def memspike_stimuli(self):
        st, where = simulator.state, "NoisyCurrentSource"
        mean, stdev = float(self._native["mean"]), float(self._native["stdev"])
        if not (np.isfinite(stdev) and stdev >= 0.0):
            raise errors.InvalidParameterValueError(f"{where}: stdev = {stdev!r} nA is invalid (must be >= 0)")
        if float(self._native["stop"]) >= 1e9:  # PyNN's default stop, 1e12 ms: a step list must end
            raise NotImplementedError(f"memspike.pynn: {where} needs a finite stop (ms): memspike draws the "
                                      f"whole noise sequence when the network is built")
        st.grid_time(self._native["start"], f"{where}: start")  # >= 0 and on the grid
        k0 = st.ticks(self._native["start"], f"{where}: start")
        k1 = st.ticks(self._native["stop"], f"{where}: stop")
        kdt = st.ticks(self._native["dt"], f"{where}: dt")
        if kdt < 1:
            raise errors.InvalidParameterValueError(f"{where}: dt = {float(self._native['dt'])!r} ms is invalid "
                                                    f"(must be >= the time step, {st.dt!r} ms)")
        if k1 <= k0:
            return []
        n = -(-(k1 - k0) // kdt)
        if n > self._MAX_STEPS:
            raise NotImplementedError(f"memspike.pynn: {where}: (stop - start) / dt = {n} amplitude changes; "
                                      f"at most {self._MAX_STEPS} per source")
        rng = np.random.default_rng([int(st.seed), st.current_sources.index(self)])
        amps = mean + stdev * rng.standard_normal(n)
        ticks = [k0 + i * kdt for i in range(n)] + [k1]
        return [{"kind": "step", "times": [f"{k * st.dt!r} ms" for k in ticks],
                 "amplitudes": [quantity(a, "nA") for a in amps] + [quantity(0.0, "nA")]}]


class ACSource(_MemspikeCurrentSource, electrodes.ACSource):
    """PyNN's ACSource as memspike's ``ac`` stimulus (NEST's ac_generator): offset + amplitude
    sin(2π frequency t + phase) with t from the start of the run (as NEST; pyNN.brian2 measures t from
    `start`), constant over each time step, 0 outside [start, stop). A finite stop is required (the
    per-step changes are made when the network is built)."""
    __doc__ = electrodes.ACSource.__doc__ + (__doc__ or "")
    translations = _identity(electrodes.ACSource.default_parameters)

    def memspike_stimuli(self):
        st, where = simulator.state, "ACSource"
        if float(self._native["stop"]) >= 1e9:  # PyNN's default stop, 1e12 ms
            raise NotImplementedError(f"memspike.pynn: {where} needs a finite stop (ms): memspike makes the "
                                      f"sine's per-step changes when the network is built")
        return [{"kind": "ac", "amplitude": quantity(self._native["amplitude"], "nA"),
                 "offset": quantity(self._native["offset"], "nA"),
                 "frequency": quantity(self._native["frequency"], "Hz"), "phase": float(self._native["phase"]),
                 "start": st.grid_time(self._native["start"], f"{where}: start"),
                 "stop": st.grid_time(self._native["stop"], f"{where}: stop")}]


# -- synapses -------------------------------------------------------------------------------------

class StaticSynapse(synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    translations = _identity(["weight", "delay"])

    def _get_minimum_delay(self):
        return simulator.state.min_delay_ms

    def memspike_plasticity(self, weight_unit):
        return None


class SpikePairRule(synapses.SpikePairRule):
    __doc__ = synapses.SpikePairRule.__doc__
    translations = _identity(synapses.SpikePairRule.default_parameters)


class AdditiveWeightDependence(synapses.AdditiveWeightDependence):
    __doc__ = synapses.AdditiveWeightDependence.__doc__
    translations = _identity(synapses.AdditiveWeightDependence.default_parameters)
    mu = (0.0, 0.0)  # (mu_plus, mu_minus) of memspike's stdp


class MultiplicativeWeightDependence(synapses.MultiplicativeWeightDependence):
    __doc__ = synapses.MultiplicativeWeightDependence.__doc__
    translations = _identity(synapses.MultiplicativeWeightDependence.default_parameters)
    mu = (1.0, 1.0)  # Δw+ = A_plus·(w_max − w), Δw− = A_minus·(w − w_min): depression_offset = w_min


def _unsupported_synapse(base, why):
    class Unsupported(base):
        __doc__ = base.__doc__

        def __init__(self, *args, **parameters):
            raise NotImplementedError(f"memspike.pynn: {base.__name__} is not supported: {why}")
    Unsupported.__name__ = base.__name__
    return Unsupported


TsodyksMarkramSynapse = _unsupported_synapse(synapses.TsodyksMarkramSynapse, "memspike has no short-term plasticity")


class GutigWeightDependence(synapses.GutigWeightDependence):
    """Gütig et al. (2003) as memspike's stdp with mu_plus, mu_minus and depression_offset = w_min:
    Δw+ = A_plus·w_max·(1 − w/w_max)^mu_plus, Δw− = A_minus·w_max·((w − w_min)/w_max)^mu_minus
    (PyNN's docstring: potentiation ∝ (w_max − w)^mu_plus, depression ∝ (w − w_min)^mu_minus;
    for w_min = 0 this is pyNN.nest's mapping onto stdp_synapse, which refuses any w_min != 0)."""
    __doc__ = synapses.GutigWeightDependence.__doc__ + (__doc__ or "")
    translations = _identity(synapses.GutigWeightDependence.default_parameters)
    mu = None  # per instance: (mu_plus, mu_minus)


class AdditivePotentiationMultiplicativeDepression(synapses.AdditivePotentiationMultiplicativeDepression):
    """As memspike's stdp with mu_plus = 0, mu_minus = 1 and depression_offset = w_min:
    Δw+ = A_plus·w_max, Δw− = A_minus·(w − w_min) (pyNN.neuron's StdwaGuetig with muLTP = 0,
    muLTD = 1; pyNN.nest's stdp_synapse with mu_plus = 0, mu_minus = 1 for w_min = 0, the only w_min it
    takes; PyNN's docstring says Δw− ∝ w, the same for w_min = 0)."""
    __doc__ = synapses.AdditivePotentiationMultiplicativeDepression.__doc__ + (__doc__ or "")
    translations = _identity(synapses.AdditivePotentiationMultiplicativeDepression.default_parameters)
    mu = (0.0, 1.0)


Vogels2011Rule = _unsupported_synapse(synapses.Vogels2011Rule, "memspike has no inhibitory STDP rule")


class STDPMechanism(synapses.STDPMechanism):
    """PyNN's STDPMechanism with SpikePairRule and an Additive, Multiplicative, Gütig or
    AdditivePotentiationMultiplicativeDepression weight dependence, run as memspike's exact
    ``stdp`` rule (NEST's stdp_synapse family, with depression measured from w_min):

        F+(w) = λ w_max (1 − w/w_max)^μ+,   F−(w) = λ α w_max ((w − w_min)/w_max)^μ−

    λ = A_plus and α = A_minus / A_plus. Additive (μ± = 0): Δw+ = A_plus·w_max, Δw− = A_minus·w_max.
    Multiplicative (μ± = 1): Δw+ = A_plus·(w_max − w), Δw− = A_minus·(w − w_min). Gütig: μ± as
    given. AdditivePotentiationMultiplicativeDepression: μ+ = 0, μ− = 1."""
    __doc__ = synapses.STDPMechanism.__doc__ + (__doc__ or "")
    base_translations = _identity(["weight", "delay", "dendritic_delay_fraction"])

    def __init__(self, timing_dependence=None, weight_dependence=None, voltage_dependence=None,
                 dendritic_delay_fraction=1.0, weight=0.0, delay=None):
        if not isinstance(timing_dependence, SpikePairRule):
            raise NotImplementedError(f"memspike.pynn: STDPMechanism needs timing_dependence=SpikePairRule(...), not "
                                      f"{type(timing_dependence).__name__}")
        if not isinstance(weight_dependence, (AdditiveWeightDependence, MultiplicativeWeightDependence,
                                              GutigWeightDependence, AdditivePotentiationMultiplicativeDepression)):
            raise NotImplementedError(f"memspike.pynn: STDPMechanism supports AdditiveWeightDependence, "
                                      f"MultiplicativeWeightDependence, GutigWeightDependence and "
                                      f"AdditivePotentiationMultiplicativeDepression, not "
                                      f"{type(weight_dependence).__name__}")
        if voltage_dependence is not None:
            raise NotImplementedError("memspike.pynn: STDPMechanism: voltage_dependence is not supported")
        super().__init__(timing_dependence, weight_dependence, voltage_dependence, dendritic_delay_fraction,
                         weight, delay)

    def _get_minimum_delay(self):
        return simulator.state.min_delay_ms

    def memspike_plasticity(self, weight_unit):
        """The scenario's plasticity table (weights in `weight_unit`, PyNN's unit of the target)."""
        t = copy.deepcopy(self.timing_dependence.parameter_space)
        w = copy.deepcopy(self.weight_dependence.parameter_space)
        for ps in (t, w):
            ps.shape = (1,)
            ps.evaluate(simplify=True)
        t, w = dict(t.items()), dict(w.items())
        for name, v in {**t, **w}.items():
            if np.ndim(v) != 0:
                raise NotImplementedError(f"memspike.pynn: STDP parameter {name} must be one value per projection "
                                          f"(memspike's rule parameters are per projection)")
        a_plus, a_minus = float(t["A_plus"]), float(t["A_minus"])
        if not a_plus > 0:
            raise errors.InvalidParameterValueError(
                f"memspike.pynn: SpikePairRule A_plus = {a_plus!r} is invalid: memspike's stdp rule takes "
                f"lambda = A_plus and alpha = A_minus / A_plus, so A_plus must be > 0")
        if isinstance(self.weight_dependence, GutigWeightDependence):
            mu_plus, mu_minus = float(w["mu_plus"]), float(w["mu_minus"])
        else:
            mu_plus, mu_minus = self.weight_dependence.mu
        return {"rule": "stdp", "interaction": "all_to_all",
                "tau_plus": quantity(t["tau_plus"], "ms"), "tau_minus": quantity(t["tau_minus"], "ms"),
                "lambda": a_plus, "alpha": a_minus / a_plus, "mu_plus": mu_plus, "mu_minus": mu_minus,
                "w_min": quantity(w["w_min"], weight_unit), "w_max": quantity(w["w_max"], weight_unit),
                # PyNN's depression grows from w_min: Δw− ∝ (w − w_min)^mu_minus
                "depression_offset": quantity(w["w_min"], weight_unit)}
