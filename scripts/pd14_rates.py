#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Per-population firing rates of a PD14 run (examples/pd14.toml) over [start, end) ms, beside
the published rates of NEST's example (full_mean_rates) and their ratio.

    scripts/pd14_rates.py pd14.h5 [--start 500] [--end 1500] [--tolerance 0.1]

Exits 1 when a rate lies outside the tolerance (relative) of the published one.
"""
import argparse
import sys

import h5py
import numpy as np

PUBLISHED = {"L23E": 0.971, "L23I": 2.868, "L4E": 4.746, "L4I": 5.396,
             "L5E": 8.142, "L5I": 9.078, "L6E": 0.991, "L6I": 7.523}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--start", type=float, default=500.0, help="ms, NEST's t_presim")
    ap.add_argument("--end", type=float, default=1500.0)
    ap.add_argument("--tolerance", type=float, default=0.1)
    a = ap.parse_args()
    bad = 0
    with h5py.File(a.file, "r") as f:
        print(f"{'population':<10} {'neurons':>8} {'rate [Hz]':>10} {'published':>10} {'ratio':>7}  CV(ISI)")
        for name, ref in PUBLISHED.items():
            g = f["spikes"][name]
            h = float(g.attrs["resolution_ms"])
            n = int(g.attrs["size"])
            t = g["ticks"][()] * h
            ids = g["ids"][()]
            sel = (t >= a.start) & (t < a.end)
            rate = sel.sum() / n / ((a.end - a.start) * 1e-3)
            # Irregularity: mean CV of the inter-spike intervals of neurons with >= 3 spikes.
            cvs = []
            order = np.lexsort((t[sel], ids[sel]))
            ts, idx = t[sel][order], ids[sel][order]
            cuts = np.flatnonzero(np.diff(idx)) + 1
            for train in np.split(ts, cuts):
                isi = np.diff(train)
                if isi.size >= 2 and isi.mean() > 0:
                    cvs.append(isi.std() / isi.mean())
            cv = float(np.mean(cvs)) if cvs else float("nan")
            ok = abs(rate / ref - 1.0) <= a.tolerance
            bad += not ok
            print(f"{name:<10} {n:>8} {rate:>10.3f} {ref:>10.3f} {rate / ref:>7.3f}  {cv:.2f}{'' if ok else '  OUT'}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
