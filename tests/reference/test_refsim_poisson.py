# SPDX-License-Identifier: MIT
"""Where memspike draws the input (Poisson drive, poisson_source), the comparison is in
distribution: counts against the Poisson law the docs state, with tolerances from that law (a
z-score bound of 5, so a correct engine fails about once in 3.5 million runs, while the bugs named
below move the statistic by far more). The reference runs the same scenario with its own
generator, as a check on the test itself (where that is fast enough)."""
import math

import numpy as np

from harness import run_memspike
import refsim

Z = 5.0

DRIVE = """[simulation]
duration = "2 s"
resolution = "0.1 ms"
seed = 11

[[population]]
name = "N"
model = "lif_delta"
size = 40
params = {{ tau_m = "20 ms", e_l = "0 mV", v_th = "20 mV", v_reset = "10 mV", t_ref = "0 ms" }}

[[population]]
name = "S"
model = "lif_delta"
size = 5
params = {{ tau_m = "20 ms", e_l = "0 mV", v_th = "20 mV", v_reset = "10 mV", t_ref = "0 ms" }}

[[stimulus]]
name = "drive"
kind = "poisson"
target = "N"
rate = "{rate} Hz"
weight = "100 mV"
start = "{start} ms"
stop = "{stop} ms"

[[stimulus]]
name = "shared"
kind = "poisson"
target = "S"
rate = "{rate} Hz"
weight = "100 mV"
shared = true
"""


def test_poisson_drive_counts_window_and_sharing(tmp_path):
    # Each drive event is a 100 mV jump, so a neuron (no refractory period) spikes in exactly the
    # ticks with at least one event: per tick a Bernoulli(1 - exp(-rate h)) by the Poisson law.
    # Catches: a rate off by a factor (h in s vs ms, 2x), events outside [start, stop), an
    # independent train where `shared` asks for one, a drive stream reused across neurons.
    rate, start, stop = 150.0, 200.0, 1700.0
    path = tmp_path / "drive.toml"
    path.write_text(DRIVE.format(rate=rate, start=start, stop=stop))
    got = run_memspike(path)
    h = 0.1
    ticks = int(round((stop - start) / h))
    p = 1.0 - math.exp(-rate * h * 1e-3)
    for res, who in ((got, "memspike"),):
        ids, t = res["spikes"]["N"]
        assert t.min() >= start / h and t.max() < stop / h, f"{who}: drive outside [start, stop)"
        n = 40 * ticks
        mean, sd = n * p, math.sqrt(n * p * (1 - p))
        assert abs(ids.size - mean) < Z * sd, f"{who}: {ids.size} driven spikes, expected {mean:.0f} ± {sd:.0f}"
        per_neuron = np.bincount(ids, minlength=40)
        # Independent trains: the per-neuron counts are binomial; the index of dispersion
        # sum (n_i - m)^2 / (m (1 - p)) is chi-square with 39 degrees of freedom (sd sqrt(78)).
        chi2 = ((per_neuron - per_neuron.mean()) ** 2).sum() / (per_neuron.mean() * (1 - p))
        assert abs(chi2 - 39) < Z * math.sqrt(78), f"{who}: dispersion {chi2:.1f} (expected 39 ± 8.8)"
        # Shared: one train for all five neurons of S, so they spike together, over the whole run.
        sid, st = res["spikes"]["S"]
        ticks_by_neuron = [set(st[sid == i].tolist()) for i in range(5)]
        assert all(x == ticks_by_neuron[0] for x in ticks_by_neuron), f"{who}: shared train differs across targets"
        n_all = int(round(2000 / h))
        k = len(ticks_by_neuron[0])
        assert abs(k - n_all * p) < Z * math.sqrt(n_all * p * (1 - p)), f"{who}: shared train has {k} event ticks"
    # Independent trains of the 40 neurons must differ from each other.
    ids, t = got["spikes"]["N"]
    assert len({tuple(t[ids == i][:5].tolist()) for i in range(40)}) == 40


SOURCE = """[simulation]
duration = "3 s"
resolution = "0.1 ms"
seed = 5

[[population]]
name = "P"
model = "poisson_source"
size = 60
params = { rate = "40 Hz", start = "500 ms" }
"""


def test_poisson_source_counts_dispersion_and_isi(tmp_path):
    # Catches: a rate off by a factor, a start ignored, streams shared between neurons (the
    # dispersion collapses or explodes), non-exponential intervals (CV far from 1).
    path = tmp_path / "source.toml"
    path.write_text(SOURCE)
    got = run_memspike(path)
    ref = refsim.run(path, seed=2)
    for res, who in ((got, "memspike"), (ref, "reference")):
        ids, t = res["spikes"]["P"]
        assert t.min() >= 5000, f"{who}: a spike before start"
        mean = 60 * 40.0 * 2.5
        assert abs(ids.size - mean) < Z * math.sqrt(mean), f"{who}: {ids.size} spikes, expected {mean:.0f}"
        counts = np.bincount(ids, minlength=60)
        chi2 = ((counts - counts.mean()) ** 2).sum() / counts.mean()  # Poisson: chi-square, 59 d.o.f.
        assert abs(chi2 - 59) < Z * math.sqrt(118), f"{who}: dispersion {chi2:.1f}, expected 59 ± 10.9"
        isis = np.concatenate([np.diff(np.sort(t[ids == i])) for i in range(60)]) * 0.1
        cv = isis.std() / isis.mean()
        # ~6,000 intervals: the CV of an exponential has a standard error of about 1/sqrt(n) ~ 0.013;
        # the tick grid (0.1 ms against a 25 ms mean) moves it by < 0.005.
        assert abs(cv - 1.0) < 0.07, f"{who}: ISI CV {cv:.3f}"
