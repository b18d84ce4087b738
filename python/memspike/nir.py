# SPDX-License-Identifier: MIT
"""NIR graphs (Neuromorphic Intermediate Representation, Pedersen et al. 2024) as memspike scenarios.

    sc = memspike.nir.load("net.nir", resolution="0.1 ms")
    sc.simulation(duration="100 ms")
    sc.set("population.input.spike_times", [[1.0, 2.0], [], ...])   # or replace the input population
    sim = memspike.Simulation(sc); sim.run()

``load`` lowers the graph with memspike's C++ reader (the one ``memspike run graph.nir`` uses) into
scenario text plus one CSV file of explicit synapses per projection, written into `workdir`, and
returns the scenario as a ``memspike.Scenario`` built in code, so every builder call and ``set`` works
on it. Each NIR Input node becomes a ``spike_source`` population of that name with no spikes; give it
spikes with ``set("population.<name>.spike_times", ...)``. ``save(sim, path)`` writes a network back as
a NIR graph. The mapping, the discretisation and what is not supported are in docs/nir.md.
"""
import os
import tempfile
import tomllib

import numpy as np

from . import _memspike
from .scenario import Scenario


def load(path, resolution="0.1 ms", time_unit="1 s", workdir=None, models=None):
    """Reads the NIR graph `path` and returns a Scenario (without [simulation] duration: call
    ``simulation(duration=...)``). `resolution` is the run's tick: each synaptic hop takes one tick
    and Delay nodes must be whole ticks. `time_unit` is what one NIR time unit is ("1 s": the
    convention of the libraries that export NIR). The connection files go into `workdir` (a new
    temporary directory when None; it is not removed, as the scenario refers to it). The returned
    scenario's ``nir`` attribute describes the mapping: inputs, populations, outputs, files."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"memspike.nir.load: path must be a file path (str or os.PathLike), not {type(path).__name__}")
    res_ms = _memspike.parse_quantity(resolution, _memspike.Dimension.time)
    unit_ms = _memspike.parse_quantity(time_unit, _memspike.Dimension.time)
    if workdir is None:
        workdir = tempfile.mkdtemp(prefix="memspike-nir-")
    lowered = _memspike.nir_lower(os.fspath(path), os.fspath(workdir), res_ms, unit_ms)
    sc = Scenario(models)
    doc = tomllib.loads(lowered.pop("scenario"))
    doc = {"simulation": {"resolution": resolution}, **doc}
    sc._doc = doc
    sc.nir = dict(lowered, workdir=os.fspath(workdir))
    return sc


# -- export ------------------------------------------------------------------------------------------

def _node_name(text):
    return "".join(c if (c.isalnum() or c == "_") else "_" for c in text)


def _neuron_node(pop, unit_ms, per_neuron):
    """(NIR node dict, factor from memspike's synaptic weight to a NIR weight, from a DC current to
    a NIR bias, the bias current): the inverse of the import's mapping (docs/nir.md). Each value is
    an array over the population's neurons (per-neuron parameters come from `per_neuron`)."""
    n = pop.size
    p = {k: np.asarray(per_neuron[k], float) if k in per_neuron else np.full(n, float(v))
         for k, v in {**pop.params, **{k: 0.0 for k in per_neuron}}.items()}
    where = f"memspike.nir.save: population {pop.name!r} ({pop.model})"
    if pop.model in ("lif_delta", "lif_exp"):
        if np.any(p["t_ref"] != 0):
            raise ValueError(f"{where}: t_ref = {p['t_ref'].max():g} ms, but NIR neurons have no refractory period "
                             "(needs 0 ms)")
        tau, r = p["tau_m"] / unit_ms, p["tau_m"] / p["c_m"]
        node = {"tau": tau, "r": r, "v_leak": p["e_l"], "v_threshold": p["v_th"], "v_reset": p["v_reset"]}
        if pop.model == "lif_delta":
            return dict(type="LIF", **node), tau / r, 1.0, p["i_e"]
        if np.any(p["tau_syn_ex"] != p["tau_syn_in"]):
            raise ValueError(f"{where}: tau_syn_ex and tau_syn_in differ; a NIR CubaLIF has one synaptic time constant")
        tau_s = p["tau_syn_ex"] / unit_ms
        cuba = {"type": "CubaLIF", "tau_mem": node.pop("tau"), "tau_syn": tau_s, "w_in": np.ones(n), **node}
        return cuba, tau_s, 1.0, p["i_e"]
    if pop.model in ("if_delta", "i_delta"):
        r = unit_ms / p["c_m"]
        if pop.model == "i_delta":
            return {"type": "I", "r": r}, 1.0 / r, 1.0, p["i_e"]
        return {"type": "IF", "r": r, "v_threshold": p["v_th"], "v_reset": p["v_reset"]}, 1.0 / r, 1.0, p["i_e"]
    if pop.model == "li_delta":
        tau, r = p["tau_m"] / unit_ms, p["tau_m"] / p["c_m"]
        return {"type": "LI", "tau": tau, "r": r, "v_leak": p["e_l"]}, tau / r, 1.0, p["i_e"]
    raise ValueError(f"{where}: this model has no NIR counterpart (exported: lif_delta, lif_exp, if_delta, li_delta, "
                     "i_delta; sources become Input nodes)")


def save(sim, path, time_unit="1 s"):
    """Writes the network of `sim` (a memspike.Simulation: its populations, its current static
    weights and delays, its constant DC stimuli) as a NIR graph at `path` (HDF5, written with h5py).
    Source populations become Input nodes, neuron populations LIF / CubaLIF / IF / LI / I nodes,
    every projection an Affine or Linear node (a Delay node after it when its delays exceed one
    tick), and neuron populations that feed no other become Output nodes. Refused, with a
    ValueError naming the population, projection or stimulus: other models, plastic projections, a
    refractory period, two synaptic time constants, delays that differ between the synapses of one
    target neuron, stimuli other than a DC current from 0 ms on. Initial values are not part of NIR:
    an imported graph starts at 0. ``memspike.nir.load(path)`` gives the same spikes back."""
    spec = sim.spec
    unit_ms = _memspike.parse_quantity(time_unit, _memspike.Dimension.time)
    h = spec.resolution_ms
    nodes, edges, scale, bias = {}, [], {}, {}
    sources = {"poisson_source", "spike_source"}
    for pop in spec.populations:
        if pop.model in sources:
            nodes[pop.name] = {"type": "Input", "shape": np.array([pop.size])}
            continue
        node, scale[pop.name], bias_scale, i_e = _neuron_node(pop, unit_ms, spec.neuron_params(pop.name))
        nodes[pop.name] = node
        bias[pop.name] = np.array(i_e / bias_scale, dtype=float)
    for st in spec.stimuli:
        where = f"memspike.nir.save: stimulus {st.name!r}"
        if st.kind != "dc" or st.start_ms != 0 or np.isfinite(st.stop_ms) or st.target not in bias:
            raise ValueError(f"{where}: only DC currents on neuron populations from 0 ms on, without stop, become "
                             f"NIR biases (this one: kind {st.kind!r})")
        idx = np.asarray(st.neurons, dtype=np.int64) if len(st.neurons) else slice(None)
        bias[st.target][idx] += st.amplitude_pa
    feeds = set()
    biased = set()
    for proj in spec.projections:
        where = f"memspike.nir.save: projection {proj.name!r}"
        if proj.plasticity_rule:
            raise ValueError(f"{where}: plastic ({proj.plasticity_rule}); NIR graphs hold static weights")
        n_src, n_tgt = (next(p.size for p in spec.populations if p.name == x) for x in (proj.source, proj.target))
        syn = sim.weights(proj.name)
        src, tgt = np.asarray(syn["sources"], np.int64), np.asarray(syn["targets"], np.int64)
        w = np.zeros((n_tgt, n_src))
        np.add.at(w, (tgt, src), np.asarray(syn["weights"], float) * scale[proj.target][tgt])  # per target neuron
        delay = np.full(n_tgt, h)
        for t in np.unique(tgt):
            d = np.unique(np.asarray(syn["delays_ms"])[tgt == t])
            if len(d) > 1:
                raise ValueError(f"{where}: the synapses onto target {t} have different delays {d.tolist()} ms; NIR "
                                 "delays (Delay nodes) act on a node's outputs, one per target")
            delay[t] = d[0]
        name = "w_" + _node_name(proj.name)
        node = {"type": "Linear", "weight": w}
        if proj.target not in biased and np.any(bias[proj.target] != 0):
            node = {"type": "Affine", "weight": w, "bias": bias[proj.target]}
            biased.add(proj.target)
        nodes[name] = node
        edges.append((proj.source, name))
        extra = np.round((delay - h) / h) * h / unit_ms
        if np.any(extra != 0):
            nodes[name + "_delay"] = {"type": "Delay", "delay": extra}
            edges += [(name, name + "_delay"), (name + "_delay", proj.target)]
        else:
            edges.append((name, proj.target))
        feeds.add(proj.source)
    for target, b in bias.items():
        if target not in biased and np.any(b != 0):
            raise ValueError(f"memspike.nir.save: population {target!r} has a constant current but no incoming "
                             "projection to carry it as a NIR bias")
    for pop in spec.populations:
        if pop.model not in sources and pop.name not in feeds:
            nodes[f"{pop.name}_output"] = {"type": "Output", "shape": np.array([pop.size])}
            edges.append((pop.name, f"{pop.name}_output"))
    write_graph(path, nodes, edges)


def write_graph(path, nodes, edges):
    """Writes a NIR 1.0 graph file (HDF5, with h5py): `nodes` maps each node name to its parameters
    ({"type": "LIF", "tau": array, ...}, as the NIR spec names them), `edges` lists (source, target)
    node names. What save() writes; also for graphs made by hand or by a training script."""
    import h5py  # only export needs it

    with h5py.File(path, "w") as f:
        f.create_dataset("version", data="1.0.0")
        root = f.create_group("node")
        root.create_dataset("type", data="NIRGraph")
        group = root.create_group("nodes")
        for name, params in nodes.items():
            g = group.create_group(name)
            for k, v in params.items():
                g.create_dataset(k, data=v)
        root.create_dataset("edges", data=edges)
