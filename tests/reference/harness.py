# SPDX-License-Identifier: MIT
"""What the reference comparisons share: write a scenario, run memspike's CLI on it, read the
HDF5 with h5py alone, run refsim on the same file, and compare."""
import os
import pathlib
import subprocess

import h5py
import numpy as np

import refsim

ROOT = pathlib.Path(__file__).resolve().parents[2]


def cli():
    exe = os.environ.get("MEMSPIKE_CLI", str(ROOT / "build" / "cli" / "memspike"))
    if not os.path.exists(exe):
        raise FileNotFoundError(f"memspike CLI not found at {exe} (set MEMSPIKE_CLI)")
    return exe


def run_memspike(scenario_path, *overrides):
    """Runs the CLI; returns {"spikes": {pop: (ids, ticks)}, "weights": {proj: (src, tgt, d, values)},
    "energy": {category: total}}."""
    out = pathlib.Path(scenario_path).with_suffix(".h5")
    cmd = [cli(), "run", str(scenario_path), "-o", str(out), "--threads", "1"]
    for o in overrides:
        cmd += ["--set", o]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, f"memspike failed: {' '.join(cmd)}\n{res.stderr}"
    got = {"spikes": {}, "weights": {}, "energy": {}}
    with h5py.File(out, "r") as f:
        assert f.attrs["complete"] == 1
        for name, g in f["spikes"].items():
            got["spikes"][name] = (g["ids"][:].astype(np.int64), g["ticks"][:].astype(np.int64))
        got["v"] = {}
        for name, g in f["traces"].items():
            if "v" in g:
                got["v"][name] = (g["v"]["ticks"][:], g["v"]["neurons"][:].astype(np.int64), g["v"]["values"][:])
        if "weights" in f:
            for name, g in f["weights"].items():
                got["weights"][name] = (g["sources"][:].astype(np.int64), g["targets"][:].astype(np.int64),
                                        g["delays"][:].astype(np.int64), g["values"][:].astype(np.float64))
        if "energy" in f:
            cats = f["energy"].attrs["categories"].split(",")
            totals = f["energy"]["counts"][:].sum(axis=0)
            got["energy"] = dict(zip(cats, (int(x) for x in totals)))
    return got


def spike_set(ids, ticks):
    return sorted(zip(ticks.tolist(), ids.tolist()))


def assert_same_spikes(ref, got, pops=None):
    """Spike for spike: the same neurons at the same ticks, population by population; on a
    mismatch, names the first differing (tick, neuron)."""
    for pop in pops or ref["spikes"]:
        a = spike_set(*ref["spikes"][pop])
        b = spike_set(*got["spikes"].get(pop, (np.zeros(0, np.int64), np.zeros(0, np.int64))))
        if a != b:
            only_ref = sorted(set(a) - set(b))[:5]
            only_got = sorted(set(b) - set(a))[:5]
            raise AssertionError(
                f"population {pop}: reference {len(a)} spikes, memspike {len(b)}; first (tick, neuron) "
                f"only in the reference: {only_ref}; only in memspike: {only_got}")


def trace_every_tick(pops):
    """[recording] entries that sample v of `pops` at every tick (0.1 ms)."""
    text = '\n[recording]\nspikes = "all"\n'
    for p in pops:
        text += f'[[recording.trace]]\npopulation = "{p}"\nvariables = ["v"]\ninterval = "0.1 ms"\n'
    return text


def assert_same_v(ref, got, pop, atol=1e-6):
    """V of every neuron of `pop` at every tick, within atol mV; names the first difference."""
    ticks, ids, values = got["v"][pop]
    mine = ref["v"][pop][ticks][:, ids]
    bad = np.argwhere(~np.isclose(values, mine, rtol=0.0, atol=atol))
    if bad.size:
        k, j = bad[0]
        raise AssertionError(f"population {pop}: V differs at {len(bad)} (tick, neuron) samples; first: tick "
                             f"{ticks[k]}, neuron {ids[j]}: reference {mine[k, j]:.10g} mV, memspike {values[k, j]:.10g} mV")


def weight_table(src, tgt, d, w):
    order = np.lexsort((w, d, tgt, src))
    return src[order], tgt[order], d[order], w[order]


def assert_same_weights(ref, got, proj, rtol=1e-5, atol=1e-9):
    """Final weights of `proj`, matched synapse by synapse on (source, target, delay)."""
    rs, rt, rd, rw = weight_table(*ref["weights"][proj])
    gs, gt, gd, gv = got["weights"][proj]
    gs, gt, gd, gw = weight_table(gs, gt, gd, gv[-1])
    assert np.array_equal(rs, gs) and np.array_equal(rt, gt) and np.array_equal(rd, gd), f"{proj}: synapses differ"
    bad = ~np.isclose(rw, gw, rtol=rtol, atol=atol)
    assert not bad.any(), (f"{proj}: {bad.sum()} of {bad.size} final weights differ; first: synapse "
                           f"{rs[bad][0]}->{rt[bad][0]} (delay {rd[bad][0]} ticks): reference {rw[bad][0]!r}, "
                           f"memspike {gw[bad][0]!r}")


def synapses_from(got, proj):
    """The synapse list memspike built (from /weights/<proj>: sources, targets, initial weights,
    delays): the seed-dependent input the reference is given for drawn connectivity or delays."""
    s, t, d, v = got["weights"][proj]
    return (s, t, v[0], d)


def compare(path, *overrides, synapses_of=(), pops=None):
    """Runs both and asserts identical spikes; returns (reference, memspike) results."""
    got = run_memspike(path, *overrides)
    syn = {p: synapses_from(got, p) for p in synapses_of}
    sc = refsim.load(path)
    for o in overrides:  # the reference reads only backend overrides (kind), by design
        key, _, value = o.partition("=")
        if key == "backend.kind":
            sc["backend"]["kind"] = value
    ref = refsim.simulate(sc, synapses=syn)
    assert_same_spikes(ref, got, pops)
    return ref, got
