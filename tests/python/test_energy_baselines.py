# SPDX-License-Identifier: MIT
"""The event-driven CPU/GPU baselines and the energy sweep's numbers, each derived by hand here
from the networks' definition and the figures the presets cite (models/energy/*.toml), never by
calling the pricing code: the sweep's networks (examples/python/energy_sweep.py), the figures
docs/energy.md prints for them, the event-driven totals from a run's own counts, and the "x vs"
baseline of memspike.energy_report."""
import math
import pathlib
import re
import runpy

import numpy as np
import pytest

import memspike

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "energy.md"

# Cited figures (pJ; bytes; W; s), as the preset files give them.
CPU = dict(add=0.9, mac=4.6, sram=12.5, dram=162.5, cache=8388608, static=23.75,
           tick=0.0, t_syn=2.6e-9, t_stim=3.15e-9, t_upd=4.2e-9)    # cpu_45nm + cpu_event_driven
GPU = dict(add=0.71, mac=1.4, sram=1.25, dram=32.0, cache=52428800, static=15.0,
           tick=10e-6, t_syn=2.39e-12, t_stim=0.0, t_upd=4.78e-12)  # gpu_h100 + gpu_event_driven
N, TICKS = 2500, 10_000  # the sweep's neurons; ticks per simulated second at 0.1 ms
SYNAPSES = {"A": 2500 * 1250, "B": 2500**2 - 2500}  # fixed in-degree 1,000 + 250; all-to-all, no autapses


def event_driven_j(p, syn, stim, spikes, updates, synapses, ticks):
    """An event-driven baseline by hand: 8 B (index + weight) per synaptic event and 8 B per spike
    from the cache if the synapse store (8 B per synapse + 8 B per neuron) fits beside the neuron
    arrays (12 B per neuron), else from DRAM/HBM; a 4 B accumulator read and written per event; 8 B
    of state read and written per update; an add per event and update; a MAC per update; static
    power over ticks x time per tick + counts x time each."""
    cached = N * 12 + synapses * 8 + N * 8 <= p["cache"]
    pj = (p["sram"] if cached else p["dram"]) * (syn * 8 + spikes * 8)
    pj += p["sram"] * ((syn + stim) * 2 * 4 + updates * 2 * 8)
    pj += p["add"] * (syn + stim + updates) + p["mac"] * updates
    run_s = ticks * p["tick"] + syn * p["t_syn"] + stim * p["t_stim"] + updates * p["t_upd"]
    return pj * 1e-12 + p["static"] * run_s


def dense_j(which):
    """J per simulated second of the dense baselines: 2,500^2 fp32 weights (25 MB, in SRAM for both
    presets: 32 MiB, 50 MB), a MAC and 4 weight bytes each per tick, 8 B of state read and written
    per neuron and tick; CSR: the synapses with a 4 B index each and 2,501 row pointers."""
    state = N * 16
    out = {m: TICKS * (6.25e6 * (mac + 4 * sram) + state * sram) * 1e-12
           for m, mac, sram in (("cpu_45nm", 4.6, 12.5), ("gpu_h100", 1.4, 1.25))}
    s = SYNAPSES[which]
    out["gpu_h100_csr"] = TICKS * (s * 1.4 + (s * 8 + 2501 * 4) * 1.25 + state * 1.25) * 1e-12
    return out


def floor_j(eta=0.5):
    """The chips and event-driven baselines at the lowest drive of the sweep (mean rate ~0.01 Hz:
    no recurrent events), per simulated second, in expectation: eta x 10 kHz of Poisson input per
    neuron, so 0.5 events per neuron-tick at eta = 0.5, and a neuron is updated in the ticks in
    which it got input, with probability 1 - exp(-0.5)."""
    stim = N * eta * 1e4
    updates = N * TICKS * (1 - math.exp(-eta * 1e4 * 1e-4))
    out = {"loihi": (23.6 * stim + 81 * updates + 52 * (N * TICKS - updates)) * 1e-12,
           "truenorth": 26 * stim * 1e-12}
    for which in ("A", "B"):
        out[f"cpu_event_driven {which}"] = event_driven_j(CPU, 0, stim, 0, updates, SYNAPSES[which], TICKS)
        out[f"gpu_event_driven {which}"] = event_driven_j(GPU, 0, stim, 0, updates, SYNAPSES[which], TICKS)
    return out


def joules(cell):
    """'3.42 J', '1.9 mJ', '0.33 mJ (0.16 Hz)' -> J; None for an empty cell."""
    m = re.match(r"\s*([0-9.,]+)\s*(mJ|J)", cell)
    if not m:
        return None
    return float(m.group(1).replace(",", "")) * (1e-3 if m.group(2) == "mJ" else 1.0)


def doc_table():
    """The sweep's table of docs/energy.md: {row label: [cells]} (the first column is the label)."""
    text = DOC.read_text()
    start = text.index("**Energy per simulated second:**")
    rows = {}
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] and not set(cells[0]) <= set("-"):
            rows[cells[0]] = cells[1:]
    return rows


def test_the_sweep_networks_are_what_the_doc_and_script_say():
    # Network A: 50 % of the 2,500 x 2,500 matrix (not 10 %); its fp32 matrix is 25 MB (not 6.25 MB).
    assert SYNAPSES["A"] / 2500**2 == 0.5 and 2500**2 * 4 == 25_000_000
    sweep = runpy.run_path(str(ROOT / "examples" / "python" / "energy_sweep.py"))
    for which, dense in (("A", False), ("B", True)):
        sc = sweep["network"](2.0, dense)
        sc.simulation(duration="0.2 ms")
        sim = memspike.Simulation(sc, threads=2)
        sim.run()
        ledger = sim.ledger
        assert (ledger.neurons, ledger.synapses, ledger.dense_weights) == (N, SYNAPSES[which], 2500**2), which
    text = DOC.read_text() + (ROOT / "examples" / "python" / "energy_sweep.py").read_text()
    assert "10 % connectivity" not in text and "6.25 MB" not in text
    assert "50 % connectivity" in text and "25 MB" in text


def test_the_docs_sweep_table_against_the_hand_derivation():
    rows = doc_table()
    # The dense baselines do not depend on activity: every column shows the hand value (printed to
    # 2-3 significant digits, hence 1.5 %).
    for label, which, model in (("CPU 45 nm, dense", "A", "cpu_45nm"), ("GPU H100-class, dense", "A", "gpu_h100"),
                                ("GPU H100-class, CSR (A)", "A", "gpu_h100_csr"), ("GPU H100-class, CSR (B)", "B", "gpu_h100_csr")):
        cells = [joules(c) for c in rows[label]]
        assert cells and all(c == pytest.approx(dense_j(which)[model], rel=0.015) for c in cells), (label, cells)
    # The lowest drive (first column): the chips and the event-driven baselines in expectation.
    floor = floor_j()
    for label, key in (("Loihi (A)", "loihi"), ("Loihi (B)", "loihi"), ("TrueNorth (A)", "truenorth"),
                       ("CPU event-driven (A)", "cpu_event_driven A"), ("CPU event-driven (B)", "cpu_event_driven B"),
                       ("GPU event-driven (A)", "gpu_event_driven A"), ("GPU event-driven (B)", "gpu_event_driven B")):
        assert joules(rows[label][0]) == pytest.approx(floor[key], rel=0.03), (label, rows[label][0], floor[key])


def test_event_driven_baselines_from_a_runs_counts():
    """Network A at eta = 2 (asynchronous irregular, ~10 Hz) for 30 ms on the CPU and GPU presets:
    the totals derived by hand from the run's own counts; the synapse store (25 MB + row table) is
    read from DRAM on the CPU (8 MB LLC) and from L2 on the GPU (50 MB)."""
    sweep = runpy.run_path(str(ROOT / "examples" / "python" / "energy_sweep.py"))
    sc = sweep["network"](2.0, False)
    sc.simulation(duration="30 ms")
    sim = memspike.Simulation(sc, threads=2)
    sim.run()
    c = sim.counters
    assert c["synaptic_events"] > 0
    ticks = 300
    for name, p in (("cpu_event_driven", CPU), ("gpu_event_driven", GPU)):
        e = sim.energy(name)
        want = event_driven_j(p, c["synaptic_events"], c["stimulus_events"], c["spikes"], c["neuron_updates"],
                              SYNAPSES["A"], ticks)
        assert e["total_j"] == pytest.approx(want, rel=1e-9), name
        assert e["kind"] == "event_driven" and e["run_time_s"] > 0
        where = [line["category"] for line in e["lines"] if line["category"].startswith("synapse bytes")]
        assert where == ["synapse bytes (DRAM/HBM)" if name.startswith("cpu") else "synapse bytes (cache)"]


def test_energy_report_baseline_default_and_named():
    sc = memspike.load_scenario(str(ROOT / "examples" / "brunel.toml"),
                                {"simulation.scale": 0.05, "simulation.duration": "20 ms"})
    sim = memspike.Simulation(sc, threads=1)
    sim.run()
    rep = memspike.energy_report(sim)
    totals = {m: sim.energy(m)["total_j"] for m in set(rep["model"])}
    kinds = {m: memspike._memspike.energy_model_info(m)["kind"] for m in totals}
    assert {"cpu_event_driven", "gpu_event_driven"} <= set(totals)
    cheapest = min((m for m in totals if kinds[m] in ("dense", "event_driven")), key=totals.get)
    assert rep["baseline"] == cheapest
    for m, t in totals.items():
        assert np.all(rep["x_vs_baseline"][rep["model"] == m] == pytest.approx(totals[cheapest] / t, rel=1e-12))
    named = memspike.energy_report(sim, models=["loihi"], baseline="cpu_45nm")
    assert named["baseline"] == "cpu_45nm" and set(named["model"]) == {"loihi", "cpu_45nm"}
    assert named["x_vs_baseline"][named["model"] == "loihi"][0] == pytest.approx(totals["cpu_45nm"] / totals["loihi"])
    assert memspike.energy_report(sim, models=["loihi", "truenorth"])["baseline"] is None
    assert np.all(np.isnan(memspike.energy_report(sim, models=["loihi"])["x_vs_baseline"]))
    frame = memspike.energy_frame(sim, baseline="gpu_h100")
    assert frame.attrs["baseline"] == "gpu_h100" and "x_vs_baseline" in frame.columns
    with pytest.raises(memspike.UnknownModel, match="no_such"):
        memspike.energy_report(sim, baseline="no_such")
    with pytest.raises(TypeError, match="baseline"):
        memspike.energy_report(sim, baseline=5)
