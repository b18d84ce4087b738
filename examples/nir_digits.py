#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""NIR round trip on scikit-learn's digits: a small spiking network trained in plain numpy, written
as a NIR graph, read back by memspike, and run on the digital backend and on a memristor crossbar,
with its accuracy and energy per inference under the shipped hardware presets (issue 18).

- Data: sklearn.datasets.load_digits (1,797 samples of 8 x 8 pixels, 0..16), split 75 / 25,
  stratified, random_state 0: 1,347 training and 450 test samples.
- Training (numpy only, rate-based and honest about it): a 64 -> 32 -> 10 network of rectified
  linear units without biases, softmax cross-entropy, full-batch gradient descent with momentum.
  No surrogate gradients: the spiking network is the trained one converted by rate coding.
- NIR graph (written by memspike.nir.write_graph with h5py, laid out as the NIR reference
  implementation does): Input(64) ->
  Linear(32 x 64) -> LIF(32) -> Linear(10 x 32) -> LI(10) -> Output. LIF: tau = r = 20 ms (in
  seconds, NIR's convention), so a weight w is a jump of w mV; threshold 1 mV, reset 0. LI: the
  same tau, a read-out that never spikes. Hidden weights are scaled by g / a99, a99 the 99th
  percentile of the trained hidden activations (Diehl et al. 2015's data-based normalisation); g
  is the best of G_CANDIDATES on part of the training split.
- Encoding: pixel i drives input i as a Poisson process of RATE_HZ x pixel / 16 for T_MS, then
  PAUSE_MS of silence; the samples follow each other in one run.
- Prediction: the read-out with the highest mean membrane over the sample's T_MS window.
- Backends: digital; the crossbar at its defaults (docs/crossbar.md: 32 levels, read noise 0.0289,
  8-bit ADC, 2 Ohm wire). Energy per inference: each run's ledger priced by every preset that
  applies to it, / samples.

    /usr/bin/python3 examples/nir_digits.py [--quick]      # --quick: 120 test samples
"""
import math
import os
import sys
import tempfile

import numpy as np

import memspike
import memspike.nir

T_MS, PAUSE_MS, RATE_HZ, RES_MS = 100.0, 60.0, 200.0, 0.1
WINDOW_MS = T_MS + PAUSE_MS
HIDDEN = 32
G_CANDIDATES = [0.5, 1.0, 2.0, 4.0]
TAU_S = 0.02


def data():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    x, y = load_digits(return_X_y=True)
    return train_test_split(x / 16.0, y, test_size=0.25, stratify=y, random_state=0)


def train(x, y, epochs=600, lr=0.5, seed=0):
    """64 -> HIDDEN ReLU -> 10 softmax, full-batch gradient descent with momentum 0.9."""
    rng = np.random.default_rng(seed)
    w1 = rng.normal(0, 1 / math.sqrt(64), (HIDDEN, 64))
    w2 = rng.normal(0, 1 / math.sqrt(HIDDEN), (10, HIDDEN))
    v1, v2 = np.zeros_like(w1), np.zeros_like(w2)
    onehot = np.eye(10)[y]
    for _ in range(epochs):
        a = np.maximum(x @ w1.T, 0)
        z = a @ w2.T
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        dz = (p - onehot) / len(y)
        g2 = dz.T @ a
        g1 = ((dz @ w2) * (a > 0)).T @ x
        v1, v2 = 0.9 * v1 - lr * g1, 0.9 * v2 - lr * g2
        w1, w2 = w1 + v1, w2 + v2
    return w1, w2


def write_nir(path, w1, w2, g, a99):
    """The converted network as a NIR graph (HDF5 layout of nir/serialization.py)."""
    lif = {"type": "LIF", "tau": np.full(HIDDEN, TAU_S), "r": np.full(HIDDEN, TAU_S), "v_leak": np.zeros(HIDDEN),
           "v_threshold": np.ones(HIDDEN), "v_reset": np.zeros(HIDDEN)}
    nodes = {"input": {"type": "Input", "shape": np.array([64])},
             "fc1": {"type": "Linear", "weight": w1 * g / a99},
             "hidden": lif,
             "fc2": {"type": "Linear", "weight": w2},
             "readout": {"type": "LI", "tau": np.full(10, TAU_S), "r": np.full(10, TAU_S), "v_leak": np.zeros(10)},
             "output": {"type": "Output", "shape": np.array([10])}}
    edges = [("input", "fc1"), ("fc1", "hidden"), ("hidden", "fc2"), ("fc2", "readout"), ("readout", "output")]
    memspike.nir.write_graph(path, nodes, edges)


def spike_times(x, seed):
    """One list of spike times per pixel: sample k occupies [k WINDOW_MS, k WINDOW_MS + T_MS)."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(RATE_HZ * x * T_MS * 1e-3)
    times = [[] for _ in range(x.shape[1])]
    for k, i in zip(*np.nonzero(counts)):
        times[i].append(np.round((k * WINDOW_MS + rng.uniform(0.0, T_MS, counts[k, i])) / RES_MS))
    return [[f"{t * RES_MS:.1f} ms" for t in np.unique(np.concatenate(t))] if t else [] for t in times]


def run(graph, workdir, x, seed, backend=None):
    sc = memspike.nir.load(graph, resolution=f"{RES_MS:g} ms", workdir=workdir)
    sc.simulation(duration=f"{len(x) * WINDOW_MS:g} ms", seed=1)
    sc.set("population.input.spike_times", spike_times(x, seed))
    sc.record(spikes=["hidden"], traces=[{"population": "readout", "variables": ["v"], "interval": "1 ms"}],
              inference=f"{WINDOW_MS:g} ms")
    if backend:
        sc.backend(backend)
    sim = memspike.Simulation(sc, threads=1)
    sim.run()
    return sim


def predict(sim, samples):
    ticks, v = sim.traces("readout", "v")
    t_ms = np.asarray(ticks) * RES_MS
    k, inside = (t_ms // WINDOW_MS).astype(np.int64), (t_ms % WINDOW_MS) < T_MS
    mean = np.zeros((samples, 10))
    np.add.at(mean, k[inside & (k < samples)], v[inside & (k < samples)])
    return mean.argmax(axis=1)


def per_inference(sim, samples, backend):
    return {m: sim.energy(m)["per_inference_j"] for m in memspike.energy_models(backend)}


def main(quick=False):
    x_train, x_test, y_train, y_test = data()
    if quick:
        x_test, y_test = x_test[:120], y_test[:120]
    w1, w2 = train(x_train, y_train)
    hidden = np.maximum(x_train @ w1.T, 0)
    a99 = float(np.percentile(hidden[hidden > 0], 99))
    ann = float(np.mean((np.maximum(x_test @ w1.T, 0) @ w2.T).argmax(axis=1) == y_test))
    with tempfile.TemporaryDirectory() as tmp:
        graph = os.path.join(tmp, "digits.nir")
        n_sel = 100 if quick else 300
        sel = {}
        for g in G_CANDIDATES:
            write_nir(graph, w1, w2, g, a99)
            sim = run(graph, os.path.join(tmp, f"sel{g}"), x_train[:n_sel], seed=2)
            sel[g] = float(np.mean(predict(sim, n_sel) == y_train[:n_sel]))
        g = max(G_CANDIDATES, key=lambda s: (sel[s], -s))
        write_nir(graph, w1, w2, g, a99)
        n = len(y_test)
        results = {}
        for backend in ("digital", "crossbar"):
            sim = run(graph, os.path.join(tmp, backend), x_test, seed=1, backend=backend)
            ids, _ = sim.spikes("hidden")
            results[backend] = (float(np.mean(predict(sim, n) == y_test)), per_inference(sim, n, backend),
                                len(ids) / n)
    print(f"digits: {len(y_train)} training, {n} test samples; 64 -> {HIDDEN} LIF -> 10 LI read-out, via NIR")
    print(f"numpy network (ReLU, rate-based training): test accuracy {ann:.3f}; g = {g:g} "
          f"(training-split accuracy by g: " + ", ".join(f"{s:g}: {a:.3f}" for s, a in sel.items()) + ")")
    for backend, (acc, energy, spikes) in results.items():
        print(f"{backend:9s} accuracy {acc:.3f}, {spikes:.1f} hidden spikes per inference; energy per inference:")
        for m, j in energy.items():
            print(f"    {m:16s} {j * 1e6:10.4g} uJ")
    return {"ann": ann, "g": g, **{b: r[0] for b, r in results.items()},
            "energy": {b: r[1] for b, r in results.items()}}


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
