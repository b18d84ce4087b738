# SPDX-License-Identifier: MIT
"""The energy report of a run, as `memspike report` prints it: every energy model's estimate of
the run's ledger, and the "x vs" baseline the neuromorphic figures are compared with
(docs/energy.md). Works on a Simulation, a Result or memspike.load(...)."""
import numpy as np

from . import _memspike


CONVENTIONAL_KINDS = ("dense", "event_driven")  # the CPU/GPU baselines a default "x vs" is chosen from


def energy_baseline(estimates, baseline=None):
    """The model of the "x vs" column among `estimates` ({model: energy dict}), as `memspike report`
    chooses it: `baseline` when given (it must be among them), else the cheapest estimate of a
    conventional kind (dense or event_driven; the first of equal totals), else None."""
    if baseline is not None:
        if baseline not in estimates:
            raise ValueError(f"baseline {baseline!r} is not among the priced models ({', '.join(estimates)})")
        return baseline
    best = None
    for name, e in estimates.items():
        if e["kind"] in CONVENTIONAL_KINDS and (best is None or e["total_j"] < estimates[best]["total_j"]):
            best = name
    return best


def energy_report(run, models=None, baseline=None):
    """The energy report of a run (a Simulation, a Result or memspike.load(...)) as a dict of numpy
    arrays, one entry per itemised line of each hardware model, the table `memspike report`
    prints: model, kind, category, count, pj_each, total_j, memory (data movement), source; and
    per model: model_total_j, idle_j (idle or static power), run_time_s (event_driven baselines:
    the modelled run time; 0 otherwise) and x_vs_baseline (how many times less energy than the
    baseline; NaN when there is none). `models` defaults to every shipped preset that applies to
    the run; a model named explicitly that does not apply raises memspike.Error. `baseline` (a
    preset name) chooses the "x vs" column as `memspike report --baseline` does, and is priced
    even if `models` leaves it out; by default it is the cheapest conventional (dense or
    event_driven) model, as in `memspike report`. The dict's "baseline" entry names it (None:
    none)."""
    if not callable(getattr(run, "energy", None)):
        raise TypeError(f"energy_report needs a memspike.Simulation or Result, not {type(run).__name__}")
    if baseline is not None and not isinstance(baseline, str):
        raise TypeError(f"energy_report: baseline must be a preset name such as \"gpu_event_driven\", "
                        f"not {type(baseline).__name__}")
    names = [models] if isinstance(models, str) else models  # one model by name
    if names is None:
        names = []
        for n in _memspike.energy_models():
            try:
                run.energy(n)
            except _memspike.Error:
                continue  # prices another backend, or other backend parameters
            names.append(n)
    names = list(names)
    if baseline is not None and baseline not in names:
        names.append(baseline)
    estimates = {n: run.energy(n) for n in names}
    base = energy_baseline(estimates, baseline)
    base_j = estimates[base]["total_j"] if base is not None else float("nan")
    cols = {k: [] for k in ("model", "kind", "category", "count", "pj_each", "total_j", "memory", "source",
                            "model_total_j", "idle_j", "run_time_s", "x_vs_baseline")}
    for n in names:
        e = estimates[n]
        kind = _memspike.energy_model_info(n)["kind"]
        ratio = base_j / e["total_j"] if base is not None and e["total_j"] > 0 else float("nan")
        for line in e["lines"]:
            cols["model"].append(n)
            cols["kind"].append(kind)
            cols["category"].append(line["category"])
            cols["count"].append(line["count"])
            cols["pj_each"].append(line["pj_each"])
            cols["total_j"].append(line["total_j"])
            cols["memory"].append(bool(line.get("memory", False)))
            cols["source"].append(line["source"])
            cols["model_total_j"].append(e["total_j"])
            cols["idle_j"].append(e["idle_j"])
            cols["run_time_s"].append(e.get("run_time_s", 0.0))
            cols["x_vs_baseline"].append(ratio)
    out = {k: np.asarray(v, dtype=object if k in ("model", "kind", "category", "source") else None)
           for k, v in cols.items()}
    for k in ("count", "pj_each", "total_j", "model_total_j", "idle_j", "run_time_s", "x_vs_baseline"):
        out[k] = np.asarray(cols[k], dtype=np.float64)
    out["memory"] = np.asarray(cols["memory"], dtype=bool)
    out["baseline"] = base
    return out


def energy_frame(run, models=None, baseline=None):
    """energy_report(run, models, baseline) as a pandas DataFrame (needs pandas: Debian
    python3-pandas), one row per itemised line; the baseline's name is in ``frame.attrs["baseline"]``."""
    try:
        import pandas as pd
    except ImportError as e:  # pragma: no cover - pandas is installed by the set-up
        raise ImportError("memspike.energy_frame needs pandas (Debian: apt-get install python3-pandas)") from e
    rep = energy_report(run, models, baseline)
    base = rep.pop("baseline")
    frame = pd.DataFrame(rep)
    frame.attrs["baseline"] = base
    return frame
