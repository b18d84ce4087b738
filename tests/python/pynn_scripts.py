# SPDX-License-Identifier: MIT
"""PyNN scripts, written from PyNN's documentation and examples, that run unchanged on any PyNN
backend: each function takes the backend module (``memspike.pynn`` or ``pyNN.brian2``) as `sim`.

tests/python/test_pynn_scripts.py runs them on memspike and compares with pyNN.brian2. Brian2 takes
minutes per script here (code generation under load), too slow for the test suite, so its results
are stored in pynn_brian2_reference.json, written by

    /usr/bin/python3 tests/python/pynn_scripts.py brian2 > tests/python/pynn_brian2_reference.json

(about 15 minutes on 2 loaded cores); ``... pynn_scripts.py memspike`` prints the same for memspike,
and ``MEMSPIKE_PYNN_BRIAN2=1`` makes the tests run Brian2 live instead of reading the file.
``pynn_scripts.py <memspike|brian2> speed`` times the full-size VA CUBA benchmark (docs/pynn.md).
"""
import json
import sys
import time

import numpy as np

SEEDS = (1, 2, 3)


def current_injection(sim):
    """One IF_curr_exp neuron, a DC step of 1 nA from 20 to 80 ms (PyNN docs, "Injecting current")."""
    sim.setup(timestep=0.1)
    cell = sim.Population(1, sim.IF_curr_exp(tau_m=20.0, cm=1.0, v_rest=-65.0, v_thresh=-50.0, v_reset=-65.0,
                                             tau_refrac=2.0, i_offset=0.0), label="cell")
    sim.DCSource(amplitude=1.0, start=20.0, stop=80.0).inject_into(cell)
    cell.record(["spikes", "v"])
    sim.run(100.0)
    seg = cell.get_data().segments[0]
    v = seg.filter(name="v")[0]
    out = {"spikes": [float(t) for t in seg.spiketrains[0].magnitude],
           "v": [float(x) for x in np.asarray(v.magnitude)[:, 0]], "dt": float(v.sampling_period.rescale("ms"))}
    sim.end()
    return out


def simple_network(sim, seed):
    """20 Poisson inputs at 20 Hz onto 50 IF_cond_exp cells, FixedProbability 0.5 with uniform
    weights (PyNN docs, "Building networks": a simple feed-forward network)."""
    sim.setup(timestep=0.1, min_delay=0.5, rng_seed=seed)
    rng = sim.NumpyRNG(seed=seed)
    inputs = sim.Population(20, sim.SpikeSourcePoisson(rate=20.0), label="input")
    cells = sim.Population(50, sim.IF_cond_exp(tau_m=15.0, tau_syn_E=2.0, v_thresh=-55.0), label="output")
    w = sim.RandomDistribution("uniform", low=0.01, high=0.03, rng=rng)
    sim.Projection(inputs, cells, sim.FixedProbabilityConnector(0.5, rng=rng),
                   sim.StaticSynapse(weight=w, delay=0.5), receptor_type="excitatory")
    cells.record("spikes")
    sim.run(2000.0)
    out = _spike_stats(cells, 2000.0)
    sim.end()
    return out


def va_cuba(sim, seed, n=1000, tstop=500.0, again=False):
    """The CUBA network of PyNN's examples/VAbenchmarks.py (Brette et al. 2007, benchmark 2) at
    n = 1000 with the connection probability scaled so that each cell keeps its 80 inputs."""
    sim.setup(timestep=0.1, min_delay=0.2, max_delay=0.2, rng_seed=seed)
    rng = sim.NumpyRNG(seed=seed)
    area = 20000e-8                       # cm²
    cm = 1.0 * area * 1000                # nF
    params = {"tau_m": 20.0, "tau_syn_E": 5.0, "tau_syn_I": 10.0, "v_rest": -49.0, "v_reset": -60.0,
              "v_thresh": -50.0, "cm": cm, "tau_refrac": 5.0}
    n_exc = int(round(n * 4.0 / 5.0))
    exc = sim.Population(n_exc, sim.IF_curr_exp(**params), label="Excitatory_Cells")
    inh = sim.Population(n - n_exc, sim.IF_curr_exp(**params), label="Inhibitory_Cells")
    v0 = sim.RandomDistribution("uniform", low=-60.0, high=-50.0, rng=rng)
    exc.initialize(v=v0)
    inh.initialize(v=v0)
    pconn = 0.02 * 4000 / n
    w_exc = 1e-3 * 0.27 * (0.0 - -60.0)   # nA
    w_inh = 1e-3 * 4.5 * (-80.0 - -60.0)  # nA
    conn = sim.FixedProbabilityConnector(pconn, rng=rng)
    exc_syn = sim.StaticSynapse(weight=w_exc, delay=0.2)
    inh_syn = sim.StaticSynapse(weight=w_inh, delay=0.2)
    sim.Projection(exc, exc, conn, exc_syn, receptor_type="excitatory")
    sim.Projection(exc, inh, conn, exc_syn, receptor_type="excitatory")
    sim.Projection(inh, exc, conn, inh_syn, receptor_type="inhibitory")
    sim.Projection(inh, inh, conn, inh_syn, receptor_type="inhibitory")
    exc.record("spikes")
    inh.record("spikes")
    t0 = time.process_time()
    sim.run(tstop)
    cpu = time.process_time() - t0
    out = {"exc": _spike_stats(exc, tstop), "inh": _spike_stats(inh, tstop), "run_cpu_s": cpu}
    if again:  # a second run() of the same length: the simulation alone, after build / code generation
        t0 = time.process_time()
        sim.run(tstop)
        out["second_run_cpu_s"] = time.process_time() - t0
    sim.end()
    return out


def simple_stdp(sim):
    """Pair STDP on one synapse (PyNN docs, "Synaptic plasticity"): a presynaptic train every 50 ms
    and a postsynaptic neuron forced to fire 10 ms after (potentiation) and, from 500 ms on, 10 ms
    before (depression) each presynaptic spike."""
    sim.setup(timestep=0.1, min_delay=1.0)
    pre_times = np.arange(20.0, 1000.0, 50.0)
    # The drive makes the neuron fire about 2 ms after each of its spikes (1 ms delay, then the
    # rise of a 20 nA synaptic current); the post spikes come 10 ms after / before a pre spike.
    post_drive = np.where(pre_times < 500.0, pre_times + 10.0, pre_times - 10.0) - 2.0
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=pre_times), label="pre")
    drive = sim.Population(1, sim.SpikeSourceArray(spike_times=post_drive), label="drive")
    post = sim.Population(1, sim.IF_curr_exp(tau_refrac=30.0), label="post")  # one spike per drive
    sim.Projection(drive, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=20.0, delay=1.0))
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0,
                                                                 A_plus=0.01, A_minus=0.012),
                             weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=0.5),
                             dendritic_delay_fraction=0.0, weight=0.25, delay=1.0)
    plastic = sim.Projection(pre, post, sim.OneToOneConnector(), stdp)
    post.record("spikes")
    weights = []
    for _ in range(10):
        sim.run(100.0)
        weights.append(float(plastic.get("weight", format="array")[0, 0]))
    out = {"post_spikes": [float(t) for t in post.get_data().segments[0].spiketrains[0].magnitude],
           "weights": weights}
    sim.end()
    return out


def _spike_stats(pop, tstop):
    """Mean rate [Hz] and mean CV of the ISIs (cells with >= 3 spikes) of a population."""
    trains = pop.get_data("spikes").segments[0].spiketrains
    rates = [len(st) / (tstop * 1e-3) for st in trains]
    cvs = []
    for st in trains:
        isi = np.diff(np.sort(np.asarray(st.magnitude)))
        if isi.size >= 2:
            cvs.append(float(np.std(isi) / np.mean(isi)))
    return {"rate_hz": float(np.mean(rates)), "cv": float(np.mean(cvs)) if cvs else float("nan"),
            "spikes": int(sum(len(st) for st in trains))}


def run_all(sim):
    out = {"current_injection": current_injection(sim), "simple_stdp": simple_stdp(sim),
           "simple_network": {}, "va_cuba": {}}
    for seed in SEEDS:
        out["simple_network"][str(seed)] = simple_network(sim, seed)
        t0 = time.process_time()
        out["va_cuba"][str(seed)] = va_cuba(sim, seed)
        out["va_cuba"][str(seed)]["script_cpu_s"] = time.process_time() - t0
    return out


def speed(sim):
    """CPU seconds of the full-size VA CUBA benchmark (4,000 cells, 2 x 1 s): the script (build,
    run, data), the first run() (which builds the network / generates code) and the second
    (the simulation alone) (docs/pynn.md, Speed)."""
    t0 = time.process_time()
    r = va_cuba(sim, 1, n=4000, tstop=1000.0, again=True)
    return {"script_cpu_s": time.process_time() - t0, "run_cpu_s": r["run_cpu_s"],
            "second_run_cpu_s": r["second_run_cpu_s"], "exc_rate_hz": r["exc"]["rate_hz"],
            "inh_rate_hz": r["inh"]["rate_hz"]}


if __name__ == "__main__":
    backend = sys.argv[1] if len(sys.argv) > 1 else "memspike"
    if backend == "brian2":
        import pyNN.brian2 as backend_module
    else:
        import memspike.pynn as backend_module
    what = speed if sys.argv[2:] == ["speed"] else run_all
    json.dump(what(backend_module), sys.stdout, indent=1)
    print()
