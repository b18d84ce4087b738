# SPDX-License-Identifier: MIT
"""memspike.sweep on an executor (issue 17): each point a task that writes its own result file.

The in-process sweep (simulation.py) runs the points on C++ threads of this process and returns
them in memory; it is the fastest way on one machine. With ``executor=`` the points go to any
object with ``submit(fn, *args)`` whose futures have ``result()`` and ``cancel()``: a
``concurrent.futures`` executor (local processes or threads) or a ``dask.distributed.Client``
(a cluster). What travels to a worker is plain data (the scenario's TOML text, its label, the
override texts and the output path), never a C++ object, so any worker that can import memspike
runs it; the result files must be written where the caller can read them (a shared file system
on a cluster). A point that fails (not enough memory on its worker, an I/O error, a worker that
dies) becomes a row with ``status = "failed"`` and its error, and the other points go on.
"""
import os
import time
import warnings

from . import _memspike
from .scenario import _CODE_LABEL


def _run_point(text, label, positions, pairs, path, overwrite, ignore_resource_limits):
    """One point, on a worker: build, check resources as `memspike run -o` does, run, summarise.

    Module-level, with plain arguments, so that process pools and dask can pickle it.
    """
    from .results import load  # imported on the worker
    from .simulation import Simulation

    started = time.perf_counter()
    registry = _memspike.builtin_models()
    spec = _memspike.parse_scenario(text, label, registry, pairs, positions)
    if not ignore_resource_limits:
        # What `memspike run -o` checks: the network's memory and the output's disk. The simulation
        # below keeps its recording in memory as well, so that counts too.
        _memspike.check_resources(spec, registry, path, in_memory_output=True)
    sim = Simulation(spec, threads=1, models=registry, ignore_resource_limits=True)
    sim.run(output=path, overwrite=overwrite)
    result = load(path)  # what the caller will read: the file, checked as any file is
    row = {"status": "done", "error": "", "wall_s": time.perf_counter() - started,
           "simulated_ms": result.simulated_ms, "complete": result.complete}
    for pop in result.populations:
        row[f"spikes.{pop}"] = int(result.spike_ticks(pop)[0].size)
        row[f"rate_hz.{pop}"] = result.mean_rate_hz(pop)
    return row


def _describe(point):
    return ", ".join(f"{k}={v!r}" for k, v in point.items()) or "(no overrides)"


def run(scenario, points, pairs_of, executor, output_dir, overwrite, ignore_resource_limits):
    """Submits every point, gathers one summary row per point (in order) and writes summary.csv.

    `pairs_of(point)` gives the point's override pairs as (key, TOML text), the scenario's own
    set() changes first. Returns a pandas DataFrame.
    """
    import pandas as pd

    os.makedirs(output_dir, exist_ok=True)
    text = scenario.to_toml()
    label = scenario.file or _CODE_LABEL
    positions = scenario.file is not None
    width = max(4, len(str(len(points) - 1)))
    paths = [os.path.abspath(os.path.join(output_dir, f"point-{i:0{width}d}.h5")) for i in range(len(points))]
    futures = [executor.submit(_run_point, text, label, positions, pairs_of(p), path, overwrite,
                               ignore_resource_limits)
               for p, path in zip(points, paths)]
    rows = []
    try:
        for point, path, future in zip(points, paths, futures):
            try:
                summary = future.result()
            except Exception as e:  # the point failed on its worker; the others go on
                summary = {"status": "failed", "error": f"{type(e).__name__}: {e}"}
            rows.append({**point, "file": path, **summary})
    except KeyboardInterrupt:
        for f in futures:
            f.cancel()
        raise
    failed = [r for r in rows if r["status"] == "failed"]
    if failed:
        lines = "\n".join(f"  point {rows.index(r)} ({_describe({k: r[k] for k in points[0]})}): {r['error']}"
                          for r in failed)
        warnings.warn(f"memspike.sweep: {len(failed)} of {len(rows)} points failed; the others ran:\n{lines}",
                      RuntimeWarning, stacklevel=3)
    frame = pd.DataFrame(rows)
    frame.to_csv(os.path.join(output_dir, "summary.csv"), index=False)
    return frame
