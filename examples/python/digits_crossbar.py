#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Digits on a crossbar: a spiking classifier of scikit-learn's 8x8 digits, run on the digital
backend and on memristor crossbars with 2 to 32 conductance levels (and continuous ones) and read
noise, with its accuracy and energy per inference.

- Data: sklearn.datasets.load_digits (1,797 samples, 8 x 8 pixels of 0..16), split 75 / 25,
  stratified, random_state 0: 1,347 training and 450 test samples.
- Offline model: multinomial logistic regression on pixel / 16, without intercept (so that every
  term is a synapse), trained with scikit-learn on the training split.
- Encoding: pixel i of a sample drives input neuron i (a spike_source) as a Poisson process of
  RATE_HZ * pixel / 16 for T_MS, then PAUSE_MS of silence; the test samples follow each other in
  one simulation, whose spike_source holds all the spike times (drawn with numpy, on the 0.1 ms grid).
- Network: 64 inputs -> 10 lif_delta outputs, one explicit projection, weight = g * coefficient [mV]
  (signed; on the crossbar the differential pair G+ / G- holds the sign). The scale g is chosen on
  the training split, on the digital backend.
- Prediction: the output neuron with the most spikes in the sample's window (T_MS + PAUSE_MS); a
  tie goes to the earliest first spike; no output spike at all counts as an error.
- Backends: digital, then the crossbar at its defaults (docs/crossbar.md: 8-bit ADC, 2 Ohm wire
  resistance, NeuroSim device) for levels x read noise, and an ideal crossbar as a control.
- Energy per inference: each run's ledger priced by the shipped presets, / test samples
  (Scenario.record(inference=...) makes energy() report it as per_inference_j).

Writes one figure (accuracy vs levels; energy per inference per hardware model) and prints the
tables. About 20 s on 2 cores; --quick (120 test samples, fewer points) takes about 6 s.

    /usr/bin/python3 examples/python/digits_crossbar.py [output.png] [--quick]
"""
import math
import os
import sys
import tempfile

import numpy as np

import memspike
from memspike import plot

T_MS, PAUSE_MS, RATE_HZ, RES_MS = 100.0, 20.0, 200.0, 0.1
WINDOW_MS = T_MS + PAUSE_MS
LEVELS = [2, 4, 8, 16, 32, math.inf]
NOISE = [0.0, 0.0289, 0.1]        # sigma_read: none, NeuroSim's default, a noisy device
DEFAULT = (32, 0.0289)            # the crossbar backend's defaults
SCALES_MV = [1.0, 2.0, 4.0, 8.0]  # candidate g [mV per unit of logistic-regression weight]
# Energy presets in the order of the figure; reram_crossbar prices crossbar runs only.
MODELS = ["loihi", "truenorth", "reram_crossbar", "cpu_45nm", "gpu_h100"]
LIF = {"tau_m": "20 ms", "e_l": "0 mV", "v_th": "20 mV", "v_reset": "0 mV", "t_ref": "2 ms"}


def data():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    x, y = load_digits(return_X_y=True)
    return train_test_split(x / 16.0, y, test_size=0.25, stratify=y, random_state=0)


def train(x, y):
    from sklearn.linear_model import LogisticRegression
    return LogisticRegression(C=1.0, fit_intercept=False, max_iter=5000).fit(x, y)


def spike_trains(x, seed):
    """One list of spike times [ms] per pixel: sample k occupies [k * WINDOW_MS, k * WINDOW_MS + T_MS)."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(RATE_HZ * x * T_MS * 1e-3)   # [samples, 64]
    times = [[] for _ in range(x.shape[1])]
    for k, i in zip(*np.nonzero(counts)):
        t = k * WINDOW_MS + rng.uniform(0.0, T_MS, counts[k, i])
        times[i].append(np.round(t / RES_MS))        # on the tick grid; two spikes in one tick are one
    return [np.unique(np.concatenate(t)) * RES_MS if t else np.array([]) for t in times]


def scenario(trains, samples, csv):
    sc = memspike.Scenario()
    sc.simulation(duration=f"{samples * WINDOW_MS:g} ms", resolution=f"{RES_MS:g} ms", seed=1)
    sc.population("inp", "spike_source", spike_times=[[f"{t:.1f} ms" for t in ts] for ts in trains])
    sc.population("out", "lif_delta", 10, params=LIF)
    sc.projection("inp", "out", "explicit", name="w", file=csv, weight="0 mV", delay=f"{RES_MS:g} ms")
    sc.record(spikes=["out"], inference=f"{WINDOW_MS:g} ms")
    return sc


def write_weights(path, coef, g):
    with open(path, "w") as f:
        f.write("source,target,weight\n")  # weight in mV, the unit of lif_delta's port
        for j in range(coef.shape[0]):
            for i in range(coef.shape[1]):
                f.write(f"{i},{j},{g * coef[j, i]:.9g}\n")


def predict(run, samples):
    """Most spikes in the window; ties to the earliest first spike; -1 when no output neuron fired."""
    ids, times = run.spikes("out")
    k = (times // WINDOW_MS).astype(np.int64)
    counts = np.zeros((samples, 10), np.int64)
    first = np.full((samples, 10), np.inf)
    np.add.at(counts, (k, ids), 1)
    np.minimum.at(first, (k, ids), times)
    best = counts.max(axis=1, keepdims=True)
    pred = np.where(counts == best, first, np.inf).argmin(axis=1)
    pred[best[:, 0] == 0] = -1
    return pred


def accuracy(run, y):
    return float(np.mean(predict(run, len(y)) == y))


def per_inference(run, samples, backend):
    """Energy per inference [J] of each preset that applies to the run's backend."""
    out = {}
    for m in [m for m in MODELS if m in memspike.energy_models(backend)]:
        e = run.energy(m)
        # The ledger gives per_inference_j = total x inference / simulated time = total / samples.
        assert math.isclose(e["per_inference_j"], e["total_j"] / samples, rel_tol=1e-9)
        out[m] = e["per_inference_j"]
    return out


def main(out="digits_crossbar.png", quick=False):
    if isinstance(quick, str):
        quick = quick == "--quick"
    x_train, x_test, y_train, y_test = data()
    lr = train(x_train, y_train)
    levels, noise = (LEVELS, NOISE) if not quick else ([2, 8, 32, math.inf], NOISE)
    if quick:
        x_test, y_test = x_test[:120], y_test[:120]
    n = len(y_test)
    offline = float(lr.score(x_test, y_test))
    with tempfile.TemporaryDirectory() as tmp:
        csv = os.path.join(tmp, "weights.csv")
        # The weight scale: the best of SCALES_MV on (part of) the training split, digital backend.
        n_sel = 150 if quick else 400
        sel_trains = spike_trains(x_train[:n_sel], seed=2)
        sel = {}
        for g in SCALES_MV:
            write_weights(csv, lr.coef_, g)
            sim = memspike.Simulation(scenario(sel_trains, n_sel, csv), threads=1)
            sim.run()
            sel[g] = accuracy(sim, y_train[:n_sel])
        g = max(SCALES_MV, key=lambda s: (sel[s], -s))
        write_weights(csv, lr.coef_, g)

        trains = spike_trains(x_test, seed=1)
        base = scenario(trains, n, csv)
        digital = memspike.Simulation(base, threads=1)
        digital.run()
        acc_digital = accuracy(digital, y_test)
        ideal = memspike.Simulation(base.copy().backend("crossbar", levels=math.inf, sigma_read=0, adc_bits=math.inf,
                                                        r_wire="0 Ohm"), threads=1)
        ideal.run()
        acc_ideal = accuracy(ideal, y_test)
        grid = {"backend.levels": levels, "backend.sigma_read": noise}
        points = memspike.sweep(base.copy().backend("crossbar"), grid, threads=0)

    acc = {(p.overrides["backend.levels"], p.overrides["backend.sigma_read"]): accuracy(p, y_test) for p in points}
    default = next(p for p in points if (p.overrides["backend.levels"], p.overrides["backend.sigma_read"]) == DEFAULT)
    e_digital = per_inference(digital, n, "digital")
    e_crossbar = per_inference(default, n, "crossbar")
    input_spikes = sum(t.size for t in trains)
    # What rate coding alone loses: the offline model applied to each sample's input spike counts.
    counts = np.zeros((n, 64))
    for i, ts in enumerate(trains):
        np.add.at(counts[:, i], (ts // WINDOW_MS).astype(np.int64), 1)
    acc_counts = float(np.mean((counts @ lr.coef_.T).argmax(axis=1) == y_test))
    # A non-spiking machine evaluates the same 64 x 10 matrix once per sample: MACs and fp32 weight
    # reads from SRAM, at the cpu_45nm preset's own figures (its itemised lines give pJ each).
    cpu = {line["category"]: line["pj_each"] for line in digital.energy("cpu_45nm")["lines"]}
    sram = next(v for k, v in cpu.items() if "weight bytes" in k)
    one_shot_j = lr.coef_.size * (cpu["mac"] + 4 * sram) * 1e-12

    print(f"digits: {len(y_train)} training, {n} test samples; {input_spikes / n:.1f} input spikes per sample; "
          f"g = {g:g} mV (training-split accuracy by g: "
          + ", ".join(f"{s:g}: {a:.3f}" for s, a in sel.items()) + ")")
    print(f"offline logistic regression (scikit-learn, no intercept): {offline:.3f}; the same model on each "
          f"sample's input spike counts (rate-coding noise alone): {acc_counts:.3f}")
    print(f"spiking, digital backend: {acc_digital:.3f}; ideal crossbar (continuous, no noise, ideal ADC, "
          f"no IR drop): {acc_ideal:.3f}")
    print("crossbar accuracy (8-bit ADC, r_wire 2 Ohm): levels x sigma_read")
    print("  levels " + "".join(f"{s:>10g}" for s in noise))
    for lv in levels:
        print(f"  {lv:>6g} " + "".join(f"{acc[(lv, s)]:10.3f}" for s in noise))
    print(f"energy per inference ({WINDOW_MS:g} ms of model time per sample):")
    print(f"  {'model':16s} {'digital run':>14s} {'crossbar run':>14s}   (crossbar: {DEFAULT[0]} levels, "
          f"sigma_read {DEFAULT[1]})")
    for m in MODELS:
        if m in e_digital or m in e_crossbar:
            cell = [f"{d[m] * 1e6:11.4g} uJ" if m in d else f"{'-':>14s}" for d in (e_digital, e_crossbar)]
            print(f"  {m:16s} {cell[0]} {cell[1]}")
    print(f"  for scale: the offline model as one 64 x 10 fp32 matrix-vector product at the cpu_45nm figures "
          f"(MACs + SRAM weight reads): {one_shot_j * 1e6:.4g} uJ")

    plt = plot._pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8), constrained_layout=True,
                                      gridspec_kw={"width_ratios": [1, 1.25]})
    xs = [math.log2(lv) if math.isfinite(lv) else math.log2(max(l for l in levels if math.isfinite(l))) + 1.5
          for lv in levels]
    for s in noise:
        left.plot(xs, [acc[(lv, s)] for lv in levels], "o-", label=f"crossbar, sigma_read = {s:g}")
    left.axhline(offline, color="k", ls="--", lw=1, label=f"offline logistic regression ({offline:.3f})")
    left.axhline(acc_counts, color="k", ls="-.", lw=1, label=f"offline model on input spike counts ({acc_counts:.3f})")
    left.axhline(acc_digital, color="gray", ls=":", lw=1.5, label=f"spiking, digital backend ({acc_digital:.3f})")
    left.plot([xs[-1]], [acc_ideal], "k*", ms=10, label=f"ideal crossbar ({acc_ideal:.3f})")
    left.set_xticks(xs, [f"{lv:g}" if math.isfinite(lv) else "cont." for lv in levels])
    left.set_xlabel("conductance levels per device")
    left.set_ylabel(f"test accuracy ({n} samples)")
    left.set_title("digits, 64 -> 10 LIF on a crossbar (8-bit ADC)")
    left.legend(fontsize=8, loc="lower right")
    plot.energy(default, models=[m for m in MODELS if m in e_crossbar], ax=right, per="inference",
                title=f"energy per inference, crossbar run ({DEFAULT[0]} levels, sigma_read {DEFAULT[1]})")
    fig.savefig(out, dpi=110)
    print("wrote", out)
    return {"offline": offline, "input_counts": acc_counts, "digital": acc_digital, "ideal": acc_ideal,
            "crossbar": acc, "g": g, "energy_digital": e_digital, "energy_crossbar": e_crossbar, "samples": n,
            "one_shot_j": one_shot_j}


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--quick"]
    main(*(args or ["digits_crossbar.png"]), quick="--quick" in sys.argv[1:])
