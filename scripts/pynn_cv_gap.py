# SPDX-License-Identifier: MIT
"""Diagnose the ISI-CV gap between memspike.pynn and pyNN.brian2 (docs/pynn.md, "Proof").

Both simulators get the SAME input: spike trains drawn here with numpy (Poisson, on the 0.1 ms grid)
and fed through SpikeSourceArray, and the SAME connectivity (FromListConnector), so any difference in
the output comes from the neuron/synapse integration and the spike/refractory conventions alone.

    /usr/bin/python3 scripts/pynn_cv_gap.py <memspike|brian2> <cond|curr|psp> [dt] [brian2 method] > out.json

cond: the simple network's cells (IF_cond_exp, tau_m 15, tau_syn_E 2, v_thresh -55; 20 inputs at
20 Hz, p = 0.5, weights U(0.01, 0.03) uS). curr: VA CUBA's cells (IF_curr_exp, benchmark 2 parameters)
driven by 64 exc. and 16 inh. inputs at 5.5 Hz (the network's own rate) with its (negative inh.) weights.
50 cells, 10 s, v0 = -55 mV; prints the mean rate, the mean ISI CV and every spike train as JSON.
psp: one input spike onto one cell, its V trace (when does a delivered input act?).
CVGAP_V=file.npy also saves the V traces of cells 0-9; CVGAP_SEED=n draws another input (default 1). `brian2 method` (exact, euler,
exponential_euler, rk4, ...) replaces Brian2's default choice. Findings: docs/pynn.md, "Proof".
"""
import json
import os
import sys

import numpy as np
from pyNN.parameters import Sequence

N_CELLS, T_STOP, GRID = 50, 10000.0, 0.1


def poisson_trains(rng, n, rate_hz, tstop):
    trains = []
    for _ in range(n):
        t = np.cumsum(rng.exponential(1000.0 / rate_hz, size=int(rate_hz * tstop / 1000.0 * 2 + 50)))
        t = np.unique(np.round(t[(t > 1.0) & (t < tstop - 1.0)] / GRID) * GRID)
        trains.append(t)
    return trains


def build_inputs(model, seed):
    rng = np.random.default_rng(seed)
    if model == "cond":
        trains = poisson_trains(rng, 20, 20.0, T_STOP)
        conn = [(i, j, float(rng.uniform(0.01, 0.03)), 0.5) for i in range(20) for j in range(N_CELLS)
                if rng.random() < 0.5]
        return {"exc": (trains, conn)}
    w_exc, w_inh = 1e-3 * 0.27 * 60.0, 1e-3 * 4.5 * -20.0
    exc = poisson_trains(rng, 400, 5.5, T_STOP)
    inh = poisson_trains(rng, 100, 5.5, T_STOP)
    # each cell: 64 exc and 16 inh sources drawn from the pools (VA: 80 inputs, 4:1)
    ce = [(int(i), j, w_exc, 0.2) for j in range(N_CELLS) for i in rng.choice(400, 64, replace=False)]
    ci = [(int(i), j, w_inh, 0.2) for j in range(N_CELLS) for i in rng.choice(100, 16, replace=False)]
    return {"exc": (exc, ce), "inh": (inh, ci)}


def run(sim, model, dt, seed=1):
    sim.setup(timestep=dt, min_delay=0.2 if model == "curr" else 0.5, max_delay=1.0)
    if model == "cond":
        cells = sim.Population(N_CELLS, sim.IF_cond_exp(tau_m=15.0, tau_syn_E=2.0, v_thresh=-55.0))
    else:
        cm = 1.0 * 20000e-8 * 1000
        cells = sim.Population(N_CELLS, sim.IF_curr_exp(tau_m=20.0, tau_syn_E=5.0, tau_syn_I=10.0, v_rest=-49.0,
                                                        v_reset=-60.0, v_thresh=-50.0, cm=cm, tau_refrac=5.0))
        cells.initialize(v=-55.0)  # memspike takes one initial value (or a distribution) per population
    for receptor, (trains, conn) in build_inputs(model, seed).items():
        src = sim.Population(len(trains), sim.SpikeSourceArray(spike_times=[Sequence(t) for t in trains]))
        sim.Projection(src, cells, sim.FromListConnector(conn, column_names=["weight", "delay"]),
                       sim.StaticSynapse(), receptor_type="excitatory" if receptor == "exc" else "inhibitory")
    cells.record("spikes")
    if os.environ.get("CVGAP_V"):  # also the V traces of the first 10 cells, to this .npy file
        cells[:10].record("v")
    sim.run(T_STOP)
    if os.environ.get("CVGAP_V"):
        v = cells.get_data("v").segments[0].filter(name="v")[0]
        np.save(os.environ["CVGAP_V"], np.asarray(v.magnitude)[:, :10])
    trains = [np.sort(np.asarray(st.magnitude)) for st in cells.get_data("spikes").segments[0].spiketrains]
    sim.end()
    cvs = [float(np.std(np.diff(t)) / np.mean(np.diff(t))) for t in trains if t.size >= 3]
    return {"rate_hz": float(np.mean([t.size for t in trains]) / (T_STOP * 1e-3)), "cv": float(np.mean(cvs)),
            "spikes": [[float(x) for x in t] for t in trains]}


def psp(sim, dt):
    """One IF_curr_exp cell, one SpikeSourceArray spike at 10 ms (1 nA, delay 0.2 ms): the V trace
    shows when each simulator lets a delivered input act (memspike: V(10.3) is the first value
    moved; Brian2: V(10.4), the same trace one step later)."""
    sim.setup(timestep=dt, min_delay=0.2)
    cell = sim.Population(1, sim.IF_curr_exp(tau_m=20.0, tau_syn_E=5.0, v_rest=-65.0, cm=1.0))
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
    sim.Projection(src, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=1.0, delay=0.2))
    cell.record("v")
    sim.run(12.0)
    v = np.asarray(cell.get_data().segments[0].filter(name="v")[0].magnitude)[:, 0]
    sim.end()
    return {"v": v.tolist()}


if __name__ == "__main__":
    backend, model = sys.argv[1], sys.argv[2]
    dt = float(sys.argv[3]) if len(sys.argv) > 3 else 0.1
    if backend == "brian2":
        import pyNN.brian2 as sim
        if len(sys.argv) > 4:  # replace Brian2's default integrator choice
            import importlib
            b2cells = importlib.import_module("pyNN.brian2.cells")
            orig = b2cells.ThresholdNeuronGroup.__init__
            def init(self, *a, method=None, _m=sys.argv[4], **k):
                orig(self, *a, method=_m, **k)
            b2cells.ThresholdNeuronGroup.__init__ = init
    else:
        import memspike.pynn as sim
    seed = int(os.environ.get("CVGAP_SEED", "1"))  # the numpy draws of inputs and connectivity
    json.dump(psp(sim, dt) if model == "psp" else run(sim, model, dt, seed), sys.stdout)
