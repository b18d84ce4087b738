#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Peak memory per synapse, measured: runs a scenario at two scales (short runs: the peak is the
build or the steady state, not the run length), takes the kernel's peak RSS of each (wait4,
ru_maxrss) and `memspike validate`'s estimate, and reports the growth of the peak per added
synapse, which leaves out the process baseline. Issue 13, item 4.

    scripts/memory_per_synapse.py [--memspike build/cli/memspike] [--scales 0.5 1] [--set K=V ...]
        [--duration 20ms] [SCENARIO]          # default examples/brunel.toml
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

UNITS = {"B": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3, "TiB": 1024**4}


def estimate(memspike, path, sets):
    out = subprocess.run([memspike, "validate", path] + [a for s in sets for a in ("--set", s)],
                         capture_output=True, text=True, check=True).stdout
    peak = re.search(r"memory: peak ([0-9.]+) (B|KiB|MiB|GiB|TiB)", out)
    syn = re.search(r"neurons, ([0-9.e+]+) synapses", out)
    return float(peak.group(1)) * UNITS[peak.group(2)], float(syn.group(1))


def measured(memspike, path, sets, output):
    args = [memspike, "run", path, "-q", "--overwrite", "-o", output] + [a for s in sets for a in ("--set", s)]
    pid = os.spawnv(os.P_NOWAIT, memspike, args)
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("run failed: " + " ".join(args))
    return usage.ru_maxrss * 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=os.path.join(os.path.dirname(__file__), "..", "examples", "brunel.toml"))
    ap.add_argument("--memspike", default=os.path.join(os.path.dirname(__file__), "..", "build", "cli", "memspike"))
    ap.add_argument("--scales", type=float, nargs=2, default=[0.5, 1.0])
    ap.add_argument("--duration", default="20ms")
    ap.add_argument("--threads", default="2")
    ap.add_argument("--set", action="append", default=[])
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for scale in a.scales:
            sets = [f"simulation.scale={scale}", f"simulation.duration={a.duration}",
                    f"simulation.threads={a.threads}"] + a.set
            est, syn = estimate(a.memspike, a.scenario, sets)
            rss = measured(a.memspike, a.scenario, sets, os.path.join(tmp, "out.h5"))
            rows.append((scale, syn, est, rss))
            print(f"scale {scale:g}: {syn:.4g} synapses, peak RSS {rss / 2**20:.1f} MiB, estimate {est / 2**20:.1f} MiB "
                  f"({est / rss:.3f}), whole peak per synapse {rss / syn:.2f} B")
    (s0, n0, e0, r0), (s1, n1, e1, r1) = rows
    print(f"peak growth per added synapse: measured {(r1 - r0) / (n1 - n0):.2f} B, "
          f"estimated {(e1 - e0) / (n1 - n0):.2f} B")


if __name__ == "__main__":
    main()
