#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Energy per simulated second against activity: the chips, the dense baselines and event-driven CPU/GPU simulation.

Two networks, each swept over the external drive eta (Brunel's input rate, in units of nu_thr):
  A. Brunel model A at scale 0.2: 2,000 E + 500 I, C_E = 1,000, C_I = 250: 50 % connectivity
     (3,125,000 synapses of the 2,500 x 2,500 = 6,250,000 matrix entries). The dense fp32 weight
     matrix (25 MB) fits in the dense baselines' on-chip memory (32 MiB, 50 MB).
  B. The same neurons all-to-all without autapses (J scaled by C/N to keep the input statistics):
     6,247,500 synapses. The matrix is the same size, but every entry but the diagonal is a
     synapse: the most favourable case for a dense machine.
For every point it prints and plots energy per simulated second (memspike's ledger priced by the
shipped presets, docs/energy.md), locates the crossover between each chip and each conventional
baseline (dense, and event-driven CPU/GPU simulation) if there is one, and writes energy_sweep.png.
The lower panels give the time per 0.1 ms tick against the same rates: each chip's critical path
(memspike.chip_report, docs/chips.md: loihi, loihi_sanafe, and reram_isaac on the crossbar runs)
and the event-driven baselines' modelled run time per tick. The ReRAM crossbar preset prices the
crossbar backend's own counts (tiles woken, ADC conversions...), so for it the same networks run
on the crossbar backend (default device without wire resistance, 100 ms, at three drives). About
a minute on 2 cores.

    /usr/bin/python3 examples/python/energy_sweep.py [output.png]
"""
import pathlib
import os
import sys
import tempfile

import numpy as np

import memspike
from memspike import plot

ROOT = pathlib.Path(__file__).resolve().parents[2]
ETAS = [0.5, 0.8, 1.0, 1.5, 2.0, 3.0, 4.0]
LATENCY_CHIPS = ["loihi", "loihi_sanafe"]  # chip descriptions (docs/chips.md) that price these digital runs
LATENCY_CHIPS_CROSSBAR = ["reram_isaac"]
MODELS = ["loihi", "truenorth", "cpu_45nm", "gpu_h100", "gpu_h100_csr", "cpu_event_driven", "gpu_event_driven"]
# The event-driven baselines without their static power (total - idle): like for like with the
# dense and chip presets, which charge none.
DYNAMIC = ["cpu_event_driven", "gpu_event_driven"]
BASELINES = ["cpu_45nm", "gpu_h100", "gpu_h100_csr", "cpu_event_driven", "gpu_event_driven"]
CROSSBAR_ETAS = [0.8, 1.5, 3.0]


def network(eta, dense, crossbar=False):
    """Brunel model A at scale 0.2 (2,000 E + 500 I), or the same neurons all-to-all; on the
    crossbar backend (100 ms) when `crossbar`."""
    lif = {"tau_m": "20 ms", "c_m": "250 pF", "e_l": "0 mV", "v_th": "20 mV", "v_reset": "10 mV", "t_ref": "2 ms"}
    v0 = {"v": {"dist": "uniform", "low": "0 mV", "high": "20 mV"}}
    sc = memspike.Scenario()
    sc.simulation(duration="300 ms", resolution="0.1 ms", seed=7)
    sc.population("E", "lif_delta", 2000, params=lif, init=v0)
    sc.population("I", "lif_delta", 500, params=lif, init=v0)
    for src, j, k in (("E", 0.1, 1000), ("I", -0.5, 250)):
        for tgt in ("E", "I"):
            if dense:  # every pair: J scaled by C / N so that the mean input stays the same
                n = 2000 if src == "E" else 500
                sc.projection(src, tgt, "all_to_all", weight=f"{j * k / n:.6g} mV", delay="1.5 ms", allow_autapses=False)
            else:
                sc.projection(src, tgt, "fixed_indegree", indegree=k, weight=f"{j} mV", delay="1.5 ms", allow_autapses=False)
    for tgt in ("E", "I"):
        sc.stimulus("poisson", tgt, rate=f"{eta * 10.0:.6g} kHz", weight="0.1 mV")
    sc.record(spikes=[])
    if crossbar:
        sc.simulation(duration="100 ms")
        sc.backend("crossbar", r_wire="0 Ohm")  # IR drop changes no count, only the run time
    return sc


def run(eta, dense, crossbar=False):
    """Rate [Hz], energy per simulated second [J] per model, and latency per tick [us]: each
    chip's critical path (memspike.chip_report: Loihi, or the ReRAM chip on the crossbar backend)
    and each event-driven baseline's modelled run time per tick."""
    sim = memspike.Simulation(network(eta, dense, crossbar), threads=2)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "run.h5")
        sim.run(output=path)
        chips = memspike.chip_report(path, LATENCY_CHIPS_CROSSBAR if crossbar else LATENCY_CHIPS)
    seconds = sim.time_ms * 1e-3
    rate = sim.counters["spikes"] / sim.neuron_count / seconds
    models = ["reram_crossbar"] if crossbar else MODELS
    estimates = {m: sim.energy(m) for m in models}
    out = {m: e["total_j"] / seconds for m, e in estimates.items()}
    latency = {c: chips.loc[c, "tick_latency_us"] for c in chips.index}
    if not crossbar:
        out.update({f"{m}_dyn": (estimates[m]["total_j"] - estimates[m]["idle_j"]) / seconds for m in DYNAMIC})
        ticks = sim.time_ms / 0.1
        latency.update({m: estimates[m]["run_time_s"] / ticks * 1e6 for m in DYNAMIC})
    return rate, out, latency


def crossover(rates, event, dense):
    """Rate where event-driven energy (linear in activity) would reach the dense baseline."""
    slope, intercept = np.polyfit(rates, event, 1)
    return (dense - intercept) / slope if slope > 0 else float("inf")


def main(out="energy_sweep.png"):
    plt = plot._pyplot()
    fig, grid = plt.subplots(2, 2, figsize=(12, 8.4), constrained_layout=True)
    results = {}
    for ax, lax, dense, title in ((grid[0][0], grid[1][0], False, "A: Brunel, 50 % connectivity"),
                                  (grid[0][1], grid[1][1], True, "B: all-to-all")):
        columns = MODELS + [f"{m}_dyn" for m in DYNAMIC]
        rates, energy, latency = [], {m: [] for m in columns}, {}
        for eta in ETAS:
            r, e, lat = run(eta, dense)
            rates.append(r)
            for m in columns:
                energy[m].append(e[m])
            for m, v in lat.items():
                latency.setdefault(m, []).append(v)
        print(title)
        print("  rate [Hz] " + " ".join(f"{m:>20s}" for m in columns) + "   (J per simulated second)")
        for i, r in enumerate(rates):
            print(f"  {r:9.2f} " + " ".join(f"{energy[m][i]:20.4g}" for m in columns))
        xrates, xenergy, xlatency = [], [], []
        for eta in CROSSBAR_ETAS:
            r, e, lat = run(eta, dense, crossbar=True)
            xrates.append(r)
            xenergy.append(e["reram_crossbar"])
            xlatency.append(lat["reram_isaac"])
        print("  crossbar backend, reram_crossbar: " +
              ", ".join(f"{r:.2f} Hz: {x:.4g} J/s" for r, x in zip(xrates, xenergy)))
        energy["reram_crossbar"] = xenergy
        chips = (("loihi", rates), ("truenorth", rates), ("reram_crossbar", xrates))
        for chip, chip_rates in chips:
            for base in BASELINES + [f"{m}_dyn" for m in DYNAMIC]:
                if "event_driven" in base:
                    # Both scale with activity: compare at the same rates (the crossbar ran at three
                    # drives of its own: the baseline is interpolated at its rates).
                    ed = np.interp(chip_rates, rates, energy[base]) if chip == "reram_crossbar" else np.array(energy[base])
                    ratio = ed / np.array(energy[chip])
                    print(f"  {chip} vs {base}: {ratio.min():.3g}x to {ratio.max():.3g}x less energy (at the same rates)")
                    continue
                # The dense baselines do not depend on activity.
                x = crossover(np.array(chip_rates), np.array(energy[chip]), np.mean(energy[base]))
                ratio = np.mean(energy[base]) / np.array(energy[chip])
                print(f"  {chip} vs {base}: {ratio.min():.3g}x to {ratio.max():.3g}x less energy; "
                      f"crossover (linear extrapolation) at {x:.4g} Hz mean rate")
        for m, v in latency.items():
            print(f"  latency per tick [us], {m}: " + ", ".join(f"{x:.4g}" for x in v))
        print("  latency per tick [us], reram_isaac (crossbar backend): " + ", ".join(f"{x:.4g}" for x in xlatency))
        results[title] = {"rates": rates, "energy": energy, "crossbar_rates": xrates, "latency": latency,
                          "crossbar_latency": xlatency}
        for m, v in latency.items():
            lax.plot(rates, v, "o-", label=f"{m} (chip)" if m in LATENCY_CHIPS else f"{m} (modelled run time)")
        lax.plot(xrates, xlatency, "s--", label="reram_isaac (chip, crossbar backend)")
        lax.axhline(100.0, color="grey", lw=0.8, ls=":", label="model time step (0.1 ms)")
        lax.set_yscale("log")
        lax.set_xlabel("mean firing rate [Hz]")
        lax.set_ylabel("latency per 0.1 ms tick [us]")
        lax.set_title(title + ": time per tick")
        lax.legend(fontsize=8)
        for m in MODELS:
            ax.plot(rates, energy[m], "o-", label=m)
        for m in DYNAMIC:
            ax.plot(rates, energy[f"{m}_dyn"], ":", label=f"{m} (dynamic only)")
        ax.plot(xrates, xenergy, "s--", label="reram_crossbar (crossbar backend)")
        ax.set_yscale("log")
        ax.set_xlabel("mean firing rate [Hz]")
        ax.set_ylabel("energy per simulated second [J]")
        ax.set_title(title)
        ax.legend()
    fig.savefig(out, dpi=110)
    print("wrote", out)
    return results


if __name__ == "__main__":
    main(*sys.argv[1:])
