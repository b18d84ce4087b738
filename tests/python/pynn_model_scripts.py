# SPDX-License-Identifier: MIT
"""PyNN scripts for the cell types and the current source memspike added for issue 16
(IF_curr_alpha, EIF_cond_exp_isfa_ista, Izhikevich, ACSource): single-neuron traces and a small
network per cell type, written to run unchanged on any PyNN backend (`sim` is ``memspike.pynn`` or
``pyNN.brian2``).

tests/python/test_pynn_models.py compares memspike with pyNN.brian2, whose results are stored in
pynn_models_brian2_reference.json (Brian2 generates code for each script: minutes here), written by

    /usr/bin/python3 tests/python/pynn_model_scripts.py brian2 > tests/python/pynn_models_brian2_reference.json

``MEMSPIKE_PYNN_BRIAN2=1`` makes the tests run Brian2 live instead of reading the file.
"""
import json
import sys

import numpy as np

SEEDS = (1, 2, 3)


def _trace(pop, names, tstop):
    seg = pop.get_data().segments[0]
    out = {"spikes": [float(t) for t in seg.spiketrains[0].magnitude]}
    for name in names:
        sig = seg.filter(name=name)[0]
        out[name] = [float(x) for x in np.asarray(sig.magnitude)[:, 0]]
        out["dt"] = float(sig.sampling_period.rescale("ms"))
    return out


def alpha_trace(sim):
    """One IF_curr_alpha cell: alpha-shaped input from spike sources (excitatory and inhibitory),
    then a DC drive that makes it fire (tau_syn_E = tau_syn_I: pyNN.brian2's inhibitory alpha
    synapse uses tau_syn_E)."""
    sim.setup(timestep=0.1, min_delay=0.1)
    cell = sim.Population(1, sim.IF_curr_alpha(tau_m=20.0, cm=1.0, v_rest=-65.0, v_thresh=-50.0, v_reset=-65.0,
                                               tau_refrac=2.0, tau_syn_E=2.0, tau_syn_I=2.0), label="cell")
    exc = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, 30.0, 31.0]), label="exc")
    inh = sim.Population(1, sim.SpikeSourceArray(spike_times=[45.0]), label="inh")
    sim.Projection(exc, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.5, delay=1.0),
                   receptor_type="excitatory")
    sim.Projection(inh, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=-0.4, delay=1.0),
                   receptor_type="inhibitory")
    sim.DCSource(amplitude=1.0, start=60.0, stop=150.0).inject_into(cell)
    cell.record(["spikes", "v"])
    sim.run(150.0)
    out = _trace(cell, ["v"], 150.0)
    sim.end()
    return out


def adex_trace(sim, dt=0.1):
    """One EIF_cond_exp_isfa_ista cell (PyNN's defaults; v_spike = v_thresh + 5 delta_T, where
    pyNN.brian2 detects spikes), a 1 nA step: adapting tonic firing; plus conductance input."""
    sim.setup(timestep=dt, min_delay=0.1)
    cell = sim.Population(1, sim.EIF_cond_exp_isfa_ista(v_spike=-40.4), label="cell")
    exc = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 6.0, 7.0]), label="exc")
    sim.Projection(exc, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=1.0),
                   receptor_type="excitatory")
    sim.DCSource(amplitude=1.0, start=20.0, stop=220.0).inject_into(cell)
    cell.record(["spikes", "v", "w"])
    sim.run(250.0)
    out = _trace(cell, ["v", "w"], 250.0)
    sim.end()
    return out


def izhikevich_trace(sim, dt=0.1):
    """One Izhikevich cell (regular spiking, PyNN's defaults but d = 8), i_offset = 0.01 nA
    (10 mV/ms through C = 1 pF) from 0 ms, and voltage-jump input."""
    sim.setup(timestep=dt, min_delay=0.1)
    cell = sim.Population(1, sim.Izhikevich(a=0.02, b=0.2, c=-65.0, d=8.0), label="cell")
    exc = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]), label="exc")
    sim.Projection(exc, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=3.0, delay=1.0),
                   receptor_type="excitatory")
    sim.DCSource(amplitude=0.01, start=20.0, stop=220.0).inject_into(cell)
    cell.record(["spikes", "v", "u"])
    sim.run(250.0)
    out = _trace(cell, ["v", "u"], 250.0)
    sim.end()
    return out


def ac_trace(sim):
    """A passive IF_curr_exp cell (threshold out of reach) driven by an ACSource from t = 0 (where
    NEST's and pyNN.brian2's time origins of the sine agree) until 150 ms."""
    sim.setup(timestep=0.1)
    cell = sim.Population(1, sim.IF_curr_exp(tau_m=20.0, cm=1.0, v_rest=-65.0, v_thresh=0.0, v_reset=-65.0),
                          label="cell")
    sim.ACSource(amplitude=0.5, offset=0.1, frequency=20.0, phase=45.0, start=0.0, stop=150.0).inject_into(cell)
    cell.record(["spikes", "v"])
    sim.run(200.0)
    out = _trace(cell, ["v"], 200.0)
    sim.end()
    return out


# Small networks: 100 Poisson inputs at 10 Hz onto 50 cells, FixedProbability(0.2), weights
# uniform in [w/2, 3w/2], per cell type (PyNN docs, "Building networks"), 1 s.
NETWORKS = {
    "IF_curr_alpha": ("IF_curr_alpha", dict(tau_m=20.0, tau_syn_E=1.0, tau_syn_I=1.0), 1.2),
    "EIF_cond_exp_isfa_ista": ("EIF_cond_exp_isfa_ista", dict(v_spike=-40.4), 0.012),
    "Izhikevich": ("Izhikevich", dict(), 7.0),
}


def network(sim, kind, seed):
    cls, params, w = NETWORKS[kind]
    sim.setup(timestep=0.1, min_delay=0.5, rng_seed=seed)
    rng = sim.NumpyRNG(seed=seed)
    inputs = sim.Population(100, sim.SpikeSourcePoisson(rate=10.0), label="input")
    cells = sim.Population(50, getattr(sim, cls)(**params), label="output")
    weight = sim.RandomDistribution("uniform", low=0.5 * w, high=1.5 * w, rng=rng)
    sim.Projection(inputs, cells, sim.FixedProbabilityConnector(0.2, rng=rng),
                   sim.StaticSynapse(weight=weight, delay=0.5), receptor_type="excitatory")
    cells.record("spikes")
    sim.run(1000.0)
    trains = cells.get_data().segments[0].spiketrains
    rates = [len(st) / 1.0 for st in trains]
    cvs = []
    for st in trains:
        isi = np.diff(np.sort(np.asarray(st.magnitude)))
        if isi.size >= 2:
            cvs.append(float(np.std(isi) / np.mean(isi)))
    sim.end()
    return {"rate_hz": float(np.mean(rates)), "cv": float(np.mean(cvs)) if cvs else float("nan"),
            "spikes": int(sum(len(st) for st in trains))}


def run_all(sim, parts=("traces", "networks"), kinds=tuple(NETWORKS)):
    out = {"network": {}}
    if "traces" in parts:
        out.update({"alpha_trace": alpha_trace(sim), "adex_trace": adex_trace(sim),
                    "izhikevich_trace": izhikevich_trace(sim), "ac_trace": ac_trace(sim)})
    if "networks" in parts:
        for kind in kinds:
            out["network"][kind] = {str(s): network(sim, kind, s) for s in SEEDS}
    return out


if __name__ == "__main__":
    backend = sys.argv[1] if len(sys.argv) > 1 else "memspike"
    if backend == "brian2":
        import pyNN.brian2 as backend_module
    else:
        import memspike.pynn as backend_module
    # optional: "networks" [kind ...] runs only the networks (of those cell types)
    args = sys.argv[2:]
    parts = ("networks",) if args[:1] == ["networks"] else ("traces", "networks")
    json.dump(run_all(backend_module, parts, tuple(args[1:]) or tuple(NETWORKS)), sys.stdout, indent=1)
    print()
