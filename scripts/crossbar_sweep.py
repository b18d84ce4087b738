#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""How far a Brunel network on the crossbar backend drifts from the digital one, per non-ideality.

Network: examples/crossbar_brunel.toml (Brunel 2000, model A, g = 5, eta = 2: asynchronous
irregular) at scale 0.2 (2,000 E + 500 I, the full in-degrees C_E = 1,000 and C_I = 250). By
default every weight is drawn uniformly within +-50 % of the example's value (0.05-0.15 mV and
-0.75 to -0.25 mV, same means). With the example's homogeneous weights (--homogeneous), every
synapse sits on the top conductance level of its projection, so the number of levels cannot change
anything. One seed throughout: the same network, initial potentials and Poisson input at every point.

Points, all run in one parallel memspike.sweep over the [backend] table:
  - digital: the reference;
  - ideal crossbar: levels = inf, sigma_read = sigma_c2c = 0, adc_bits = inf, r_wire = 0 Ohm. It
    must reproduce the digital raster spike for spike (the control; the script exits 1 if not);
  - one non-ideality at a time on top of the ideal crossbar: levels, sigma_read, adc_bits;
  - default device: the example's [backend] as it is (32 levels, read noise 0.0289, 8-bit ADC,
    2 Ohm wires).

And a floor, in a second sweep: the digital network with the E neurons' initial potentials
lowered by at most 16 microvolts (uniform in [0, 20 mV - k 2 uV) instead of [0, 20 mV), k = 1..8).
The network is chaotic, so these rasters diverge too (within the first 2 ms), but nothing systematic
changed: their deviations are what any perturbation gives in this window by chaos alone.

Measures per point, against the digital run, on the E population:
  rate dev     relative deviation of the mean E rate after a 50 ms transient, (r - r_dig) / r_dig;
  divergence   the first time at which the rasters (E and I, every spike) differ; "never" if none;
  agreement    the fraction of digital spikes with a spike of the same neuron within +-1 ms in the
               crossbar run, and the reverse, averaged, after the transient;
  early agr.   the same over the first 20 ms, where the rasters are still decorrelating;
  CV           the mean ISI coefficient of variation after the transient, over E neurons with at
               least 3 spikes.

Writes OUT_DIR/crossbar_sweep.md (the table, also printed), OUT_DIR/crossbar_sweep.json (the
numbers) and a figure with one panel per swept parameter (docs/crossbar_sweep.png; with --quick
or --out-dir, OUT_DIR/crossbar_sweep.png).

    PYTHONPATH=build/python scripts/crossbar_sweep.py              # 1 s runs, ~140 s of CPU: 1.5 min on 2 free cores
    PYTHONPATH=build/python scripts/crossbar_sweep.py --quick --out-dir /tmp/xs   # 150 ms, about 25 s
"""
import argparse
import json
import math
import pathlib
import sys
import time
import tomllib

import numpy as np

import memspike

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "crossbar_brunel.toml"
TRANSIENT_MS = 50.0
MATCH_MS = 1.0  # spike-timing tolerance
EARLY_MS = 20.0  # early agreement window [0, EARLY_MS)
IDEAL = {"levels": math.inf, "sigma_read": 0.0, "sigma_c2c": 0.0, "adc_bits": math.inf, "r_wire": "0 Ohm"}
SWEEPS = {"levels": [4, 8, 16, 32, 64, 256],
          "sigma_read": [0.005, 0.01, 0.0289, 0.05, 0.1],
          "adc_bits": [4, 5, 6, 8, 10, 12]}
FLOOR_V_HIGH = [f"{20.0 - 0.002 * k:.3f} mV" for k in range(1, 9)]  # the example: 20 mV
# Uniform weights within +-50 % of the example's: the mean input (and Brunel's state) is unchanged.
SPREAD = {"EE": ("0.05 mV", "0.15 mV"), "EI": ("0.05 mV", "0.15 mV"),
          "IE": ("-0.75 mV", "-0.25 mV"), "II": ("-0.75 mV", "-0.25 mV")}


def points(example_backend):
    """[(label, parameter or None, value or None, [backend] table)] in table order."""
    ideal = {**example_backend, **IDEAL}
    out = [("digital", None, None, {"kind": "digital"}),
           ("ideal crossbar", None, None, ideal)]
    for param, values in SWEEPS.items():
        out += [(f"{param} = {v:g}", param, v, {**ideal, param: v}) for v in values]
    out.append(("default device", None, None, dict(example_backend)))
    return out


# -- measures ------------------------------------------------------------------------------------

def all_spikes(res):
    """Every spike as sorted (tick, population index, id) rows."""
    rows = []
    for k, pop in enumerate(sorted(res.populations)):
        ids, ticks = res.spike_ticks(pop)
        rows.append(np.column_stack([ticks.astype(np.int64), np.full(ids.size, k, np.int64), ids.astype(np.int64)]))
    a = np.concatenate(rows) if rows else np.zeros((0, 3), np.int64)
    return a[np.lexsort((a[:, 2], a[:, 1], a[:, 0]))]


def divergence_ms(a, b, resolution_ms):
    """The first time (ms) at which two sorted rasters differ; None if they are identical."""
    n = min(len(a), len(b))
    diff = np.flatnonzero(np.any(a[:n] != b[:n], axis=1))
    if diff.size:
        i = diff[0]
        return float(min(a[i, 0], b[i, 0])) * resolution_ms
    if len(a) == len(b):
        return None
    longer = a if len(a) > len(b) else b
    return float(longer[n, 0]) * resolution_ms


def window(res, pop, t0_ms, t1_ms=math.inf):
    ids, t = res.spikes(pop)
    keep = (t >= t0_ms) & (t < t1_ms)
    return ids[keep].astype(np.int64), t[keep]


def agreement(ref, res, t0_ms, t1_ms, duration_ms):
    """Mean of both matched fractions of E spikes in [t0, t1) (partners may lie outside)."""
    ia, ta = window(ref, "E", t0_ms, t1_ms)
    ib, tb = window(res, "E", t0_ms, t1_ms)
    ja, sa = window(ref, "E", 0.0)
    jb, sb = window(res, "E", 0.0)
    return 0.5 * (matched_fraction(ia, ta, jb, sb, MATCH_MS, duration_ms) +
                  matched_fraction(ib, tb, ja, sa, MATCH_MS, duration_ms))


def matched_fraction(ids_a, t_a, ids_b, t_b, tol_ms, span_ms):
    """Fraction of spikes of a with a spike of the same neuron in b within +-tol_ms."""
    if ids_a.size == 0:
        return float("nan")
    stride = span_ms + 4.0 * tol_ms + 1.0  # neurons' blocks of keys lie further apart than tol_ms
    kb = np.sort(ids_b * stride + t_b)
    ka = ids_a * stride + t_a
    j = np.searchsorted(kb, ka)
    best = np.full(ka.size, np.inf)
    for k in (j - 1, j):
        ok = (k >= 0) & (k < kb.size)
        best[ok] = np.minimum(best[ok], np.abs(kb[k[ok]] - ka[ok]))
    return float(np.mean(best <= tol_ms + 1e-9))


def isi_cv(ids, t):
    """Mean CV of the interspike intervals over neurons with at least 3 spikes."""
    order = np.lexsort((t, ids))
    ids, t = ids[order], t[order]
    same = ids[1:] == ids[:-1]
    isi, owner = np.diff(t)[same], ids[1:][same]
    cvs = []
    for n in np.unique(owner):
        x = isi[owner == n]
        if x.size >= 2:
            cvs.append(x.std() / x.mean())
    return float(np.mean(cvs)) if cvs else float("nan")


def measure(ref, res, duration_ms, n_exc):
    resolution = float(ref.attrs["resolution_ms"])
    span = duration_ms - TRANSIENT_MS
    ia, ta = window(ref, "E", TRANSIENT_MS)
    ib, tb = window(res, "E", TRANSIENT_MS)
    rate_ref = ia.size / n_exc / (span * 1e-3)
    rate = ib.size / n_exc / (span * 1e-3)
    return {"rate_hz": rate, "rate_dev": (rate - rate_ref) / rate_ref,
            "divergence_ms": divergence_ms(all_spikes(ref), all_spikes(res), resolution),
            "agreement": agreement(ref, res, TRANSIENT_MS, duration_ms, duration_ms),
            "early_agreement": agreement(ref, res, 0.0, EARLY_MS, duration_ms), "cv": isi_cv(ib, tb)}


# -- output --------------------------------------------------------------------------------------

def table(rows, setup):
    def fmt_div(d):
        return "never" if d is None else f"{d:.1f}"
    lines = [setup, "",
             "| point | E rate (Hz) | rate dev (%) | divergence (ms) | agreement | early agr. | ISI CV |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['label']} | {r['rate_hz']:.2f} | {100 * r['rate_dev']:+.2f} | {fmt_div(r['divergence_ms'])} "
                     f"| {r['agreement']:.3f} | {r['early_agreement']:.3f} | {r['cv']:.3f} |")
    return "\n".join(lines) + "\n"


def figure(rows, floor, example_backend, path):
    from memspike import plot
    plt = plot._pyplot()
    default = next(r for r in rows if r["label"] == "default device")
    floor_dev = 100 * max(abs(r["rate_dev"]) for r in floor)
    floor_agr = float(np.mean([r["agreement"] for r in floor]))
    early = [r["early_agreement"] for r in floor]
    fig, axes = plt.subplots(1, 3, figsize=(15, 5))
    fig.subplots_adjust(left=0.05, right=0.95, top=0.86, bottom=0.24, wspace=0.42)
    twins = []
    titles = {"levels": "conductance levels", "sigma_read": "read noise sigma_read", "adc_bits": "ADC bits"}
    for ax, param in zip(axes, SWEEPS):
        pts = [r for r in rows if r["param"] == param]
        x = np.array([r["value"] for r in pts], float)
        ax.axhspan(0, floor_dev, color="C0", alpha=0.12, lw=0, label="chaos floor: largest |rate dev|")
        ax.plot(x, [100 * abs(r["rate_dev"]) for r in pts], "o-", color="C0", label="|E rate deviation|")
        ax.set_ylabel("|E rate deviation| (%)", color="C0")
        ax.set_ylim(0, max(2 * floor_dev, 1.15 * max(100 * abs(r["rate_dev"]) for r in pts)))
        ax2 = ax.twinx()
        twins.append(ax2)
        ax2.plot(x, [r["early_agreement"] for r in pts], "^--", color="C1", label=f"spike agreement, first {EARLY_MS:g} ms")
        ax2.axhspan(min(early), max(early), color="C1", alpha=0.12, lw=0, label=f"chaos floor, first {EARLY_MS:g} ms (range)")
        ax2.plot(x, [r["agreement"] for r in pts], "s-", color="C3", label=f"spike agreement after {TRANSIENT_MS:g} ms")
        ax2.axhline(floor_agr, color="C3", ls=":", lw=1, label=f"chaos floor, after {TRANSIENT_MS:g} ms")
        ax2.set_ylim(0, 1.02)
        ax2.set_ylabel("spikes matched within +-1 ms")
        ax.axvline(float(example_backend[param]), color="k", ls="--", lw=1)
        ax.text(float(example_backend[param]), 0.98, " default device", transform=ax.get_xaxis_transform(),
                va="top", fontsize=8)
        if param != "adc_bits":
            ax.set_xscale("log")
            ax.set_xticks(x)
            ax.set_xticklabels([f"{v:g}" for v in x])
            ax.minorticks_off()
        else:
            ax.set_xticks(x)
        ax.set_xlabel(titles[param])
        ax.set_title(f"one non-ideality on an ideal crossbar: {titles[param]}", fontsize=9)
    h1, l1 = axes[0].get_legend_handles_labels()
    h2, l2 = twins[0].get_legend_handles_labels()
    fig.legend(h1 + h2, l1 + l2, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle(f"Brunel network on the crossbar vs digital; full default device: E rate {100 * default['rate_dev']:+.1f} %, "
                 f"agreement {default['agreement']:.2f} (first {EARLY_MS:g} ms: {default['early_agreement']:.2f})",
                 fontsize=10)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


# -- main ----------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="150 ms runs instead of 1 s (about 25 s; for tests)")
    ap.add_argument("--out-dir", type=pathlib.Path, default=None,
                    help="where crossbar_sweep.md and .json go (default: the current directory)")
    ap.add_argument("--figure", type=pathlib.Path, default=None,
                    help="figure path (default: docs/crossbar_sweep.png; OUT_DIR/crossbar_sweep.png with --quick or --out-dir)")
    ap.add_argument("--homogeneous", action="store_true", help="keep the example's constant weights")
    ap.add_argument("--threads", type=int, default=2, help="points run at a time (0: all cores)")
    args = ap.parse_args(argv)

    duration_ms, scale = (150.0, 0.2) if args.quick else (1000.0, 0.2)
    out_dir = args.out_dir if args.out_dir is not None else pathlib.Path(".")
    fig_path = args.figure or (out_dir / "crossbar_sweep.png" if (args.quick or args.out_dir is not None)
                               else ROOT / "docs" / "crossbar_sweep.png")

    with open(EXAMPLE, "rb") as f:
        example_backend = tomllib.load(f)["backend"]
    overrides = {"simulation.scale": scale, "simulation.duration": f"{duration_ms:g} ms"}
    if not args.homogeneous:
        for proj, (lo, hi) in SPREAD.items():
            overrides[f"projection.{proj}.weight"] = {"dist": "uniform", "low": lo, "high": hi}
    scenario = memspike.load_scenario(EXAMPLE, overrides)
    pts = points(example_backend)

    t0 = time.perf_counter()
    results = memspike.sweep(scenario, {"backend": [p[3] for p in pts]}, threads=args.threads)
    t1 = time.perf_counter()
    digital = scenario.copy().set("backend", {"kind": "digital"})
    floor_results = memspike.sweep(digital, {"population.E.init.v.high": FLOOR_V_HIGH}, threads=args.threads)
    t2 = time.perf_counter()

    ref = results[0]
    n_exc = int(ref.sizes["E"])
    rows, floor = [], []
    for (label, param, value, _), res in zip(pts, results):
        rows.append({"label": label, "param": param, "value": value, **measure(ref, res, duration_ms, n_exc)})
    for k, (v_high, res) in enumerate(zip(FLOOR_V_HIGH, floor_results), 1):
        floor.append({"label": f"floor {k}: digital, E init v up to {v_high}", "param": None, "value": None,
                      **measure(ref, res, duration_ms, n_exc)})
    if not all(r.complete for r in results + floor_results):
        print("crossbar_sweep: a point did not complete", file=sys.stderr)
        return 1

    ideal = rows[1]
    if not (ideal["rate_dev"] == 0.0 and ideal["divergence_ms"] is None and ideal["agreement"] == 1.0):
        print(f"crossbar_sweep: the ideal crossbar differs from the digital backend: {ideal}", file=sys.stderr)
        return 1

    weights = "the example's weights" if args.homogeneous else "weights uniform within +-50 % of the example's"
    setup = (f"examples/crossbar_brunel.toml at scale {scale:g} ({n_exc} E + {int(ref.sizes['I'])} I), "
             f"{duration_ms:g} ms, {weights}, seed {ref.attrs['seed']}. Rate, agreement and CV over "
             f"[{TRANSIENT_MS:g}, {duration_ms:g}) ms, early agreement over [0, {EARLY_MS:g}) ms. "
             f"{len(pts)} points in {t1 - t0:.1f} s and {len(floor)} floor points in {t2 - t1:.1f} s "
             f"({args.threads} at a time).")
    text = table(rows + floor, setup)
    print(text, end="")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "crossbar_sweep.md").write_text(text)
    (out_dir / "crossbar_sweep.json").write_text(json.dumps(
        {"setup": setup, "duration_ms": duration_ms, "scale": scale, "homogeneous": args.homogeneous,
         "sweep_s": t1 - t0, "floor_s": t2 - t1, "rows": rows, "floor": floor}, indent=1))
    figure(rows, floor, example_backend, fig_path)
    print(f"wrote {out_dir / 'crossbar_sweep.md'}, {out_dir / 'crossbar_sweep.json'}, {fig_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
