# SPDX-License-Identifier: MIT
"""Quick looks at a run with matplotlib: spike rasters, population rates and weight histograms.

Both functions take a Result (or a Simulation, whose result() is used), draw into `ax` (a new
figure when None) and return the axes. Without a display (no DISPLAY / WAYLAND_DISPLAY and no
MPLBACKEND), the Agg backend is selected so that ``ax.figure.savefig("raster.png")`` works headless.
"""
import os
import sys

import numpy as np


def _pyplot():
    import matplotlib
    if ("matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _result(result):
    if hasattr(result, "result") and callable(result.result):
        return result.result()
    return result


def _axes(ax, title):
    if ax is None:
        plt = _pyplot()
        _, ax = plt.subplots(figsize=(8, 4), constrained_layout=True)
    if title:
        ax.set_title(title)
    return ax


def raster(result, ax=None, populations=None, *, markersize=2.0, title=None):
    """Spike raster: one row per neuron, populations stacked bottom-up in the order given
    (default: every recorded population), each in its own colour. Returns the axes."""
    result = _result(result)
    ax = _axes(ax, title)
    pops = list(populations) if populations is not None else result.populations
    offset = 0
    ticks, labels = [], []
    for pop in pops:
        ids, times_ms = result.spikes(pop)
        size = result.sizes[pop]
        ax.scatter(times_ms, ids.astype(np.int64) + offset, s=markersize, marker=".", linewidths=0, label=pop)
        ticks.append(offset + size / 2)
        labels.append(pop)
        offset += size
    ax.set_xlabel("time [ms]")
    ax.set_ylabel("neuron")
    ax.set_ylim(0, max(offset, 1))
    end = result.simulated_ms
    if end:
        ax.set_xlim(0, end)
    if len(pops) > 1:
        ax.set_yticks(ticks, labels)
    return ax


def rate(result, bin_ms=5.0, ax=None, populations=None, *, title=None):
    """Population rate [Hz] in bins of `bin_ms`: spikes per neuron per second. Returns the axes."""
    result = _result(result)
    if not bin_ms > 0:
        raise ValueError(f"bin_ms = {bin_ms!r} is invalid (must be > 0)")
    ax = _axes(ax, title)
    pops = list(populations) if populations is not None else result.populations
    end = result.simulated_ms or max((float(result.spikes(p)[1].max(initial=0.0)) for p in pops), default=0.0)
    edges = np.arange(0.0, end + bin_ms, bin_ms)
    if edges.size < 2:
        edges = np.array([0.0, bin_ms])
    for pop in pops:
        _, times_ms = result.spikes(pop)
        counts, _ = np.histogram(times_ms, bins=edges)
        hz = counts / (max(result.sizes[pop], 1) * bin_ms * 1e-3)
        ax.step(edges[:-1], hz, where="post", label=pop)
    ax.set_xlabel("time [ms]")
    ax.set_ylabel(f"rate [Hz] ({bin_ms:g} ms bins)")
    if pops:
        ax.legend()
    return ax


def weights(sim, projection, ax=None, *, bins=30, title=None, label=None):
    """Histogram of the current weights of `projection` of a Simulation (or of a weights() dict,
    e.g. one taken earlier, to overlay before/after). Returns the axes."""
    w = sim if isinstance(sim, dict) else sim.weights(projection)
    ax = _axes(ax, title)
    ax.hist(np.asarray(w["weights"], dtype=float), bins=bins, alpha=0.7, label=label)
    ax.set_xlabel(f"weight of {projection}")
    ax.set_ylabel("synapses")
    if label:
        ax.legend()
    return ax
