#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Brunel (2000) phase diagram corners: the four states of Fig. 8, in one parallel sweep.

    SR  (synchronous regular)          g = 3,   eta = 2
    AI  (asynchronous irregular)       g = 5,   eta = 2
    SIf (synchronous irregular, fast)  g = 6,   eta = 4
    SIs (synchronous irregular, slow)  g = 4.5, eta = 0.9

examples/brunel.toml at full size (10,000 E + 2,500 I, C_E = 1,000, C_I = 250) for 300 ms each.
g sets the inhibitory weights (-g J). eta sets the external Poisson rate: eta * nu_thr * C_E = eta * 10 kHz per neuron.
Writes brunel_phase_diagram.png: a 2 x 2 panel of rasters (200 E neurons, the last 200 ms) with
the mean rate and the CV of the interspike intervals. About 15 s on 2 cores.

    /usr/bin/python3 examples/python/brunel_phase_diagram.py [output.png]
"""
import pathlib
import sys

import numpy as np

import memspike
from memspike import plot

ROOT = pathlib.Path(__file__).resolve().parents[2]
J_MV = 0.1
STATES = [("SR", 3.0, 2.0), ("AI", 5.0, 2.0), ("SI fast", 6.0, 4.0), ("SI slow", 4.5, 0.9)]


def isi_cv(ids, times):
    """Mean CV of the interspike intervals over neurons with at least 3 spikes."""
    cvs = []
    order = np.lexsort((times, ids))
    ids, times = ids[order], times[order]
    for n in np.unique(ids):
        t = times[ids == n]
        if t.size >= 3:
            isi = np.diff(t)
            cvs.append(isi.std() / isi.mean())
    return float(np.mean(cvs)) if cvs else float("nan")


def main(out="brunel_phase_diagram.png"):
    results = []
    for _, g, eta in STATES:
        overrides = {"simulation.duration": "300 ms", "recording.spikes": ["E"],
                     "projection.IE.weight": f"{-g * J_MV:.6g} mV", "projection.II.weight": f"{-g * J_MV:.6g} mV",
                     "stimulus.ext_E.rate": f"{eta * 10.0:.6g} kHz", "stimulus.ext_I.rate": f"{eta * 10.0:.6g} kHz"}
        sim = memspike.Simulation(memspike.load_scenario(str(ROOT / "examples" / "brunel.toml"), overrides=overrides),
                                  threads=2)
        sim.run()
        results.append(sim.result())

    plt = plot._pyplot()
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), constrained_layout=True, sharex=True)
    for ax, (name, g, eta), res in zip(axes.flat, STATES, results):
        ids, times = res.spikes("E")
        keep = (ids < 200) & (times >= 100.0)
        ax.scatter(times[keep], ids[keep], s=1.5, marker=".", linewidths=0, color="k")
        late = times >= 100.0
        rate = late.sum() / 10000 / 0.2
        cv = isi_cv(ids[late], times[late])
        ax.set_title(f"{name}: g = {g}, η = {eta}\n{rate:.1f} Hz, CV(ISI) = {cv:.2f}")
        ax.set_xlim(100, 300)
        ax.set_ylabel("E neuron")
        print(f"{name:8s} g = {g:3.1f} eta = {eta:3.1f}: {rate:6.1f} Hz, CV {cv:.2f}")
    for ax in axes[1]:
        ax.set_xlabel("time [ms]")
    fig.savefig(out, dpi=110)
    print("wrote", out)


if __name__ == "__main__":
    main(*sys.argv[1:])
