# SPDX-License-Identifier: MIT
"""Quick looks at a run with matplotlib: spike rasters, population rates, weight histograms and
the energy breakdown per hardware model.

The functions take a Result (or a Simulation, whose result() is used), draw into `ax` (a new
figure when None) and return the axes. Without a display (no DISPLAY / WAYLAND_DISPLAY and no
MPLBACKEND), the Agg backend is selected so that ``ax.figure.savefig("raster.png")`` works headless.
"""
import numbers
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
    if not callable(getattr(result, "spikes", None)):
        raise TypeError(f"memspike.plot needs a memspike.Simulation or Result, not {type(result).__name__}")
    return result


def _populations(populations, result):
    """The populations to draw: a list of names, one name, or None for every recorded one."""
    if populations is None:
        return result.populations
    if isinstance(populations, str):
        return [populations]
    if not hasattr(populations, "__iter__"):
        raise TypeError(f"memspike.plot: populations must be a list of names, not {type(populations).__name__}")
    return list(populations)


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
    pops = _populations(populations, result)
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
    if isinstance(bin_ms, bool) or not isinstance(bin_ms, numbers.Real):
        raise TypeError(f"plot.rate: bin_ms must be a number of milliseconds, not {type(bin_ms).__name__} {bin_ms!r:.40}")
    if not bin_ms > 0:
        raise ValueError(f"bin_ms = {bin_ms!r} is invalid (must be > 0)")
    ax = _axes(ax, title)
    pops = _populations(populations, result)
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


def _energy_source(result):
    """A Simulation or Result (both have energy(model)); a Result without a ledger raises here."""
    if not callable(getattr(result, "energy", None)):
        raise TypeError(f"plot.energy needs a memspike.Simulation or Result, not {type(result).__name__}")
    return result


def _run_backend(src):
    """The synaptic backend of a Simulation or Result."""
    if hasattr(src, "spec"):
        return src.spec.backend
    return src.attrs.get("backend") or "digital"


_CONVENTIONAL = ("dense", "event_driven")  # CPU/GPU baselines (energy_model kinds), as `memspike report`


def _ordered_models(estimates):
    """Hardware models (chips) first, then the conventional CPU/GPU baselines, each group in the order given."""
    return [m for m in estimates if estimates[m]["kind"] not in _CONVENTIONAL] + \
           [m for m in estimates if estimates[m]["kind"] in _CONVENTIONAL]


def energy(result, models=None, ax=None, *, per="second", annotate=True, title=None, chips=None):
    """Energy of a run per hardware model as stacked bars on a log scale, one bar per model, one
    segment per itemised category (energy_line), plus idle power where charged.

    `result` is a Simulation or a Result (live or memspike.load(...)); `models` a list of preset
    names or paths (default: every shipped preset that applies to the run's backend,
    memspike.energy_models(backend)). `per` is "second"
    (J per simulated second) or "inference" (J per inference; needs [recording] inference). Event
    models come first, then the conventional baselines (dense and event_driven); with `annotate`, each
    bar carries its total and each event model's bar its energy as a fraction of each baseline ("1/450 of cpu_45nm"). The numbers drawn are those of
    ``result.energy(model)``.

    `chips` ("all", "loihi,truenorth" or a list) adds one bar per chip architecture that prices the
    run (docs/chips.md), first, labelled "(chip)": its dynamic energy and its static energy (static
    power x the chip's time) as two segments, annotated with the tick latency and the chip's time
    per model time. The numbers are those of ``memspike.chip_report(result, chips)``, so `result`
    must be an output file's path or a Result read from one. Chips that do not fit or do not
    apply are listed under the bars. Returns the axes."""
    from . import energy_models
    if isinstance(result, (str, os.PathLike)):
        from .results import load
        result = load(result)
    src = _energy_source(result)
    if per not in ("second", "inference"):
        raise ValueError(f"per = {per!r} is invalid (must be 'second' or 'inference')")
    names = list(models) if models is not None else energy_models(_run_backend(src))
    estimates = {m: src.energy(m) for m in names}
    frame = None
    if chips is not None:
        from .chips import chip_report
        frame = chip_report(result, chips)

    def scale(e):
        if per == "inference":
            if "per_inference_j" not in e:
                raise ValueError("plot.energy(per='inference') needs a run with [recording] inference set "
                                 "(Scenario.record(inference=...))")
            return e["per_inference_j"] / e["total_j"] if e["total_j"] > 0 else 0.0
        s = e["simulated_ms"] * 1e-3
        if not s > 0:
            raise ValueError("plot.energy: nothing simulated yet (simulated time 0)")
        return 1.0 / s

    order = _ordered_models(estimates)
    # Segments: (model, category) -> J per second or per inference; categories in first-seen order.
    segments, categories = {}, []
    for m in order:
        e, k = estimates[m], scale(estimates[m])
        parts = [(line["category"], line["total_j"]) for line in e["lines"]]
        if e["idle_j"] > 0:
            parts.append(("idle power", e["idle_j"]))
        for cat, j in parts:
            if j > 0:
                segments[(m, cat)] = segments.get((m, cat), 0.0) + j * k
                if cat not in categories:
                    categories.append(cat)
    totals = {m: estimates[m]["total_j"] * scale(estimates[m]) for m in order}
    labels = {m: f"{m}\n({estimates[m]['kind']})" for m in order}
    chip_notes = {}
    if frame is not None:
        # A chip's energies are for the same run: per second or per inference as the models' (the
        # ledger's simulated time is the chip's model time).
        k_run = scale(next(iter(estimates.values()))) if estimates else None
        keys = []
        for chip, row in frame.iterrows():
            key = "chip " + chip
            k = k_run if k_run is not None else 1.0 / row["model_time_s"]
            if per == "inference" and k_run is None:
                raise ValueError("plot.energy(per='inference', chips=...) needs at least one energy model")
            for cat, j in (("chip dynamic", row["dynamic_j"]), ("chip static", row["static_j"])):
                if j > 0:
                    segments[(key, cat)] = j * k
                    if cat not in categories:
                        categories.append(cat)
            totals[key] = row["total_j"] * k
            labels[key] = f"{chip}\n(chip)"
            chip_notes[key] = f"\n{row['tick_latency_us']:.3g} us/tick\n{row['real_time_factor']:.3g}x real time"
            keys.append(key)
        order = keys + order

    ax = _axes(ax, title)
    x = np.arange(len(order))
    bottom = np.zeros(len(order))
    cmap = _pyplot().get_cmap("tab20")
    for i, cat in enumerate(categories):
        h = np.array([segments.get((m, cat), 0.0) for m in order])
        ax.bar(x, h, bottom=bottom, width=0.7, label=cat, color=cmap(i % 20), edgecolor="white", linewidth=0.5)
        bottom += h
    ax.set_yscale("log")
    ax.set_xticks(x, [labels[m] for m in order])
    unit = "simulated second" if per == "second" else "inference"
    ax.set_ylabel(f"energy per {unit} [J]")
    positive = [t for t in totals.values() if t > 0]
    if positive:
        ax.set_ylim(min(positive) / 30.0, max(positive) * 30.0)  # room for the annotations
    dense = [m for m in order if m in estimates and estimates[m]["kind"] in _CONVENTIONAL]
    for i, m in enumerate(order):
        if totals[m] <= 0:
            continue
        text = f"{totals[m]:.3g} J" + chip_notes.get(m, "")
        if annotate and (m in chip_notes or estimates[m]["kind"] not in _CONVENTIONAL):
            text += "".join(f"\n{_fraction(totals[m] / totals[d])} of {d}" for d in dense if totals[d] > 0)
        ax.annotate(text, (x[i], totals[m]), xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                    fontsize=7)
    if categories:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="category", title_fontsize=7)
    if frame is not None:
        refused = {**frame.attrs["not_applicable"], **frame.attrs["does_not_fit"]}
        if refused:
            ax.set_xlabel("\n".join(f"{c}: {why}" for c, why in refused.items()), fontsize=6)
    return ax


def _fraction(f):
    """A fraction of a baseline as "1/1,234" or "1/3.2" (below it) or "2.5x" (above it)."""
    if f >= 1 or f <= 0:
        return f"{f:.3g}x"
    inv = 1.0 / f
    return f"1/{inv:,.0f}" if inv >= 100 else f"1/{inv:.3g}"
