#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Runs every example scenario (shortened where it is long) and prints one hash of its spikes,
weights and energy counts per example: the before/after check of a refactoring that must not
change results ("identical spikes on every example").

    scripts/spike_hashes.py [--memspike build/cli/memspike] > before.txt
    ... change ...
    scripts/spike_hashes.py | diff before.txt -
    scripts/spike_hashes.py --ranks 3 | diff before.txt -   # one network over 3 MPI ranks (docs/mpi.md)
"""
import argparse
import hashlib
import pathlib
import subprocess
import sys
import tempfile

import h5py
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Long examples run shortened: the hash must cover recurrent activity, not the whole run.
SHORTEN = {"stdp_song.toml": "5 s", "crossbar_brunel.toml": "50 ms", "brunel.toml": "200 ms"}
# Large examples run scaled down too (PD14: 0.3 G synapses at scale 1).
SHRINK = {"pd14.toml": ("0.02", "100 ms"), "pd14_dc.toml": ("0.02", "100 ms")}


def digest(path):
    h = hashlib.sha256()
    with h5py.File(path, "r") as f:
        for group in ("spikes", "weights"):
            if group not in f:
                continue
            for name in sorted(f[group]):
                for ds in sorted(f[group][name]):
                    obj = f[group][name][ds]
                    if isinstance(obj, h5py.Dataset):
                        h.update(f"{group}/{name}/{ds}".encode())
                        h.update(np.ascontiguousarray(obj[()]).tobytes())
        if "energy" in f and "counts" in f["energy"]:
            counts = f["energy"]["counts"]
            names = f["energy"].attrs.get("categories", "")
            names = (names.decode() if isinstance(names, bytes) else str(names)).split(",")
            totals = counts[()].sum(axis=0).tolist() if counts.shape[0] else [0] * len(names)
            # by name and nonzero only, so that reordering or adding idle columns is not a change
            for n, v in sorted(zip(names, totals)):
                if v:
                    h.update(f"{n}={v};".encode())
    return h.hexdigest()[:16]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--memspike", default=str(ROOT / "build/cli/memspike"))
    ap.add_argument("--threads", default="2")
    ap.add_argument("--ranks", type=int, default=0, help="run each example under mpirun -np RANKS (0: one process)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for scenario in sorted((ROOT / "examples").glob("*.toml")):
            out = pathlib.Path(tmp) / (scenario.stem + ".h5")
            cmd = [args.memspike, "run", str(scenario), "-o", str(out), "-q", "--threads", args.threads]
            if args.ranks:
                cmd = ["mpirun", "--oversubscribe", "--allow-run-as-root", "-np", str(args.ranks)] + cmd
            if scenario.name in SHORTEN:
                cmd += ["--set", f'simulation.duration="{SHORTEN[scenario.name]}"']
            if scenario.name in SHRINK:
                scale, duration = SHRINK[scenario.name]
                cmd += ["--set", f"simulation.scale={scale}", "--set", f'simulation.duration="{duration}"']
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                print(f"{scenario.name}: run failed ({r.returncode}): {r.stderr.strip()}", file=sys.stderr)
                print(f"{scenario.name} FAILED")
                continue
            print(f"{scenario.name} {digest(out)}", flush=True)


if __name__ == "__main__":
    main()
