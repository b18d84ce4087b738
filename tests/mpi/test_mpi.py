#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""One network over MPI ranks (docs/mpi.md, issue 17) against the same run in one process.

    test_mpi.py MEMSPIKE EXAMPLES_DIR [CASE ...]      (ctest: mpi.<case>, registered with MPI only)

Every case compares the HDF5 result of `mpirun -np R memspike run` with the one-process run,
dataset by dataset (spikes, weights, traces, the energy ledger and its priced totals), exactly:
the spike exchange must give each rank the same inputs in the same order, so nothing may differ,
not even in the last bit. What each case catches:
  mixed     1, 2, 3 ranks x 1, 2 threads on tests/mpi/mixed.toml (several partitions per
            population, a rank without a partition of some population, target- and source-driven
            rules, drawn delays, STDP with weight snapshots, Poisson drives on neuron subsets,
            shared trains, currents, traces of neurons on different ranks, ledger bins): a wrong
            ownership cut, a synapse built twice or not at all, a spike delivered late or in
            another order, a ledger counted on one rank only;
  examples  brunel (Poisson drive, 4 partitions) and stdp_song (plasticity) on 2 ranks;
            crossbar_brunel on 2 ranks: its read-noise streams keyed by the network-wide
            partition index; mixed.toml on the crossbar with device-to-device variation: the
            device streams too, and its conductance scale the largest |weight| over every
            rank's blocks;
  failures  bad scenario input exits 2 with one message; a failure on one rank only (an initial
            weight outside the STDP bounds, seen by the rank that builds that partition) stops
            every rank with one message, exit 2, no hang;
  sigterm   SIGTERM to mpirun leaves a valid file marked complete = 0, holding exactly the
            one-process spikes up to the tick it stopped at.
"""
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

MPIRUN = ["mpirun", "--oversubscribe", "--allow-run-as-root"]
HERE = pathlib.Path(__file__).resolve().parent
TIMEOUT = 120  # s per command: a hang fails the case instead of blocking ctest
failures = []


def check(name, ok, detail=""):
    print(("PASS: " if ok else "FAIL: ") + name + ("" if ok else f" ({detail})"), flush=True)
    if not ok:
        failures.append(name)


def run(memspike, scenario, out, ranks=0, threads=1, sets=()):
    cmd = [memspike, "run", str(scenario), "-o", str(out), "-q", "--overwrite", "--threads", str(threads)]
    for s in sets:
        cmd += ["--set", s]
    if ranks:
        cmd = MPIRUN + ["-np", str(ranks)] + cmd
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)


def contents(path):
    """Every dataset and result attribute of a run's file, by path (provenance left out: command
    line, thread count and wall time differ by design)."""
    out = {}
    with h5py.File(path, "r") as f:
        for key in ("complete", "ticks_simulated", "simulated_ms", "seed", "scenario"):
            out["/@" + key] = f.attrs[key]

        def visit(name, obj):
            for k, v in obj.attrs.items():
                out[f"/{name}@{k}"] = v
            if isinstance(obj, h5py.Dataset):
                out["/" + name] = obj[()]

        for group in ("spikes", "weights", "traces", "energy"):
            if group in f:
                f[group].visititems(lambda n, o, g=group: visit(f"{g}/{n}", o))
    return out


def same(a, b):
    """Names whose values differ (exactly; NaN equal to NaN), and names only one side has."""
    diff = sorted(set(a) ^ set(b))
    for k in set(a) & set(b):
        x, y = np.asarray(a[k]), np.asarray(b[k])
        if x.shape != y.shape or x.dtype != y.dtype:
            diff.append(k)
        elif x.dtype.kind == "f":
            if not np.array_equal(x, y, equal_nan=True):
                diff.append(k)
        elif not np.array_equal(x, y):
            diff.append(k)
    return diff


def compare(memspike, tmp, label, scenario, configs, sets=()):
    ref = tmp / f"{label}_one.h5"
    r = run(memspike, scenario, ref, 0, 1, sets)
    check(f"{label}: one process runs", r.returncode == 0, r.stderr[-500:])
    if r.returncode != 0:
        return
    want = contents(ref)
    n_spikes = sum(len(v) for k, v in want.items() if k.startswith("/spikes/") and k.endswith("/ids"))
    check(f"{label}: the reference run has spikes", n_spikes > 0, "no spikes: the comparison would be empty")
    for ranks, threads in configs:
        out = tmp / f"{label}_{ranks}x{threads}.h5"
        r = run(memspike, scenario, out, ranks, threads, sets)
        ok = r.returncode == 0
        check(f"{label}: {ranks} ranks x {threads} threads runs", ok, r.stderr[-800:])
        if ok:
            diff = same(want, contents(out))
            check(f"{label}: {ranks} ranks x {threads} threads = one process ({n_spikes} spikes)", not diff,
                  "differs: " + ", ".join(diff[:8]))


def case_mixed(memspike, examples, tmp):
    compare(memspike, tmp, "mixed", HERE / "mixed.toml", [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1), (3, 2)])


def case_examples(memspike, examples, tmp):
    compare(memspike, tmp, "brunel", examples / "brunel.toml", [(2, 2), (3, 1)],
            ['simulation.duration="60 ms"', "simulation.scale=0.7"])
    compare(memspike, tmp, "stdp_song", examples / "stdp_song.toml", [(2, 1)],
            ['simulation.duration="2 s"'])
    compare(memspike, tmp, "cuba_dense", examples / "cuba.toml", [(2, 1)],
            ['simulation.duration="40 ms"', 'backend.kind="dense"'])
    compare(memspike, tmp, "crossbar", examples / "crossbar_brunel.toml", [(2, 1)],
            ['simulation.duration="20 ms"'])
    # Drawn weights (projection AA): the ranks' blocks differ in their largest |weight|.
    compare(memspike, tmp, "mixed_crossbar", HERE / "mixed.toml", [(2, 1)],
            ['backend.kind="crossbar"', "backend.sigma_d2d=0.1", "backend.tile_rows=16", "backend.tile_cols=16",
             'simulation.duration="60 ms"'])


def case_failures(memspike, examples, tmp):
    bad = tmp / "bad.toml"
    bad.write_text((HERE / "mixed.toml").read_text().replace('duration = "120 ms"', 'duration = "-1 ms"'))
    t0 = time.monotonic()
    r = run(memspike, bad, tmp / "bad.h5", ranks=2)
    check("bad input under mpirun exits 2", r.returncode == 2, f"exit {r.returncode}")
    check("bad input: one message naming the key", r.stderr.count("error:") == 1 and "simulation.duration" in r.stderr,
          r.stderr[-600:])
    check("bad input: no output file", not (tmp / "bad.h5").exists())
    # One rank alone fails: the drawn initial weights of AC are seen by the rank building C only.
    r = run(memspike, HERE / "mixed.toml", tmp / "bad2.h5", ranks=3,
            sets=['projection.AC.weight={dist="normal", mean="0.45 nS", sd="0.1 nS", min="0 nS"}'])
    check("a failure on one rank exits 2", r.returncode == 2, f"exit {r.returncode}")
    check("a failure on one rank: one message, naming the rank and the key",
          r.stderr.count("error (rank") == 1 and r.stderr.count("error:") == 0 and "projection.AC.weight" in r.stderr,
          r.stderr[-800:])
    check("failures end promptly (no rank left waiting)", time.monotonic() - t0 < TIMEOUT)


def case_sigterm(memspike, examples, tmp):
    sets = ["--set", "simulation.scale=0.3", "--set", 'simulation.duration="100 s"']
    out = tmp / "int.h5"
    cmd = MPIRUN + ["-np", "2", memspike, "run", str(examples / "brunel.toml"), "-o", str(out), "-q", "--threads", "1"] + sets
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Wait (bounded, on an observable condition) for rank 0's partial output, then for the run to
    # have flushed spikes into it (the file grows), then stop.
    deadline = time.monotonic() + TIMEOUT
    partial = None
    while time.monotonic() < deadline and p.poll() is None:
        found = list(tmp.glob("int.h5.partial-*"))
        if found and found[0].stat().st_size > 200_000:
            partial = found[0]
            break
        time.sleep(0.05)
    check("the 2-rank run writes its partial output", partial is not None)
    p.send_signal(signal.SIGTERM)
    try:
        _, err = p.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        p.kill()
        check("SIGTERM to mpirun ends the run", False, "still running")
        return
    check("SIGTERM to mpirun: exit != 0", p.returncode != 0, f"exit {p.returncode}")
    check("SIGTERM: rank 0 says so once", err.count("terminated (SIGTERM)") == 1, err[-600:])
    with h5py.File(out, "r") as f:
        complete = int(f.attrs["complete"])
        ticks = int(f.attrs["ticks_simulated"])
        got = {p_: (f["spikes"][p_]["ids"][()], f["spikes"][p_]["ticks"][()]) for p_ in f["spikes"]}
    check("SIGTERM: the file is valid and says complete = 0", complete == 0)
    check("SIGTERM: it got somewhere", ticks > 0)
    # The one-process run to the same tick must hold the same spikes.
    ref = tmp / "int_one.h5"
    r = subprocess.run([memspike, "run", str(examples / "brunel.toml"), "-o", str(ref), "-q", "--threads", "1",
                        "--set", "simulation.scale=0.3", "--set", f'simulation.duration="{ticks / 10} ms"'],
                       capture_output=True, text=True, timeout=TIMEOUT)
    with h5py.File(ref, "r") as f:
        want = {p_: (f["spikes"][p_]["ids"][()], f["spikes"][p_]["ticks"][()]) for p_ in f["spikes"]}
    equal = all(np.array_equal(got[k][0], want[k][0]) and np.array_equal(got[k][1], want[k][1]) for k in want)
    check(f"SIGTERM: the spikes up to tick {ticks} are the one-process spikes", r.returncode == 0 and equal)


CASES = {"mixed": case_mixed, "examples": case_examples, "failures": case_failures, "sigterm": case_sigterm}


def main():
    memspike, examples = sys.argv[1], pathlib.Path(sys.argv[2])
    names = sys.argv[3:] or list(CASES)
    with tempfile.TemporaryDirectory() as d:
        for name in names:
            sub = pathlib.Path(d) / name
            sub.mkdir()
            CASES[name](memspike, examples, sub)
    if failures:
        print(f"{len(failures)} check(s) failed: {', '.join(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
