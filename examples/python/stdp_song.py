#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Song, Miller & Abbott (2000): additive STDP makes 1,000 input weights compete.

Runs examples/stdp_song.toml for 60 s of model time (about 1 s of wall time), records the weights
every 10 s, and writes stdp_song.png: the weight histogram at the start and at the end, the
fractions near each bound over time, and the output rate.

    /usr/bin/python3 examples/python/stdp_song.py [output.png]
"""
import pathlib
import sys

import numpy as np

import memspike
from memspike import plot

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main(out="stdp_song.png", seconds=60):
    sc = memspike.load_scenario(str(ROOT / "examples" / "stdp_song.toml"),
                                overrides={"simulation.duration": f"{seconds} s"})
    sim = memspike.Simulation(sc)
    g_max = 0.1  # nS
    initial = sim.weights("plastic")["weights"].copy()
    t, low, high = [0.0], [np.mean(initial < 0.2 * g_max)], [np.mean(initial > 0.8 * g_max)]
    for k in range(seconds // 10):
        sim.run("10 s")
        w = sim.weights("plastic")["weights"]
        t.append(10.0 * (k + 1))
        low.append(np.mean(w < 0.2 * g_max))
        high.append(np.mean(w > 0.8 * g_max))
    final = sim.weights("plastic")["weights"]
    _, spike_times = sim.spikes("neuron")
    counters = sim.plasticity("plastic")

    plt = plot._pyplot()
    fig, (a, b, c) = plt.subplots(1, 3, figsize=(13, 3.8), constrained_layout=True)
    bins = np.linspace(0, g_max, 21)
    a.hist(initial, bins=bins, alpha=0.5, label="start")
    a.hist(final, bins=bins, alpha=0.7, label=f"after {seconds} s")
    a.set_xlabel("weight [nS]")
    a.set_ylabel("synapses")
    a.legend()
    b.plot(t, low, "o-", label="w < 0.2 g_max")
    b.plot(t, high, "o-", label="w > 0.8 g_max")
    b.set_xlabel("time [s]")
    b.set_ylabel("fraction of synapses")
    b.legend()
    edges = np.arange(0, seconds * 1000 + 1, 5000)
    counts, _ = np.histogram(spike_times, bins=edges)
    c.plot(edges[1:] / 1000, counts / 5.0, "o-")
    c.set_xlabel("time [s]")
    c.set_ylabel("output rate [Hz]")
    fig.suptitle(f"Song et al. 2000: {counters['hits_min']} / {counters['hits_max']} updates held at 0 / g_max")
    fig.savefig(out, dpi=110)
    print(f"after {seconds} s: {low[-1]:.3f} of weights near 0, {high[-1]:.3f} near g_max "
          f"(start {low[0]:.3f} / {high[0]:.3f}); output rate {counts[-1] / 5.0:.1f} Hz")
    print("wrote", out)


if __name__ == "__main__":
    main(*sys.argv[1:])
