# SPDX-License-Identifier: MIT
"""PyNN scripts (pynn_scripts.py, written from PyNN's documentation) run unchanged on memspike.pynn
and compared with pyNN.brian2, whose results are stored in pynn_brian2_reference.json (see
pynn_scripts.py: Brian2 needs minutes per script here; MEMSPIKE_PYNN_BRIAN2=1 runs it live), and
with closed forms or an independent implementation where one exists."""
import json
import math
import os
import pathlib

import numpy as np
import pytest

import memspike.pynn as ms
import pynn_scripts as scripts

HERE = pathlib.Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def brian2():
    if os.environ.get("MEMSPIKE_PYNN_BRIAN2") == "1":
        import pyNN.brian2
        return scripts.run_all(pyNN.brian2)
    return json.loads((HERE / "pynn_brian2_reference.json").read_text())


@pytest.fixture(scope="module")
def memspike_runs():
    return {"current_injection": scripts.current_injection(ms), "simple_stdp": scripts.simple_stdp(ms),
            "simple_network": {str(s): scripts.simple_network(ms, s) for s in scripts.SEEDS},
            "va_cuba": {str(s): scripts.va_cuba(ms, s) for s in scripts.SEEDS}}


def test_current_injection_follows_the_closed_form_and_brian2(memspike_runs, brian2):
    a, b = memspike_runs["current_injection"], brian2["current_injection"]
    t = np.arange(len(a["v"])) * a["dt"]
    # Before the first spike: V = v_rest + I·tau_m/cm·(1 − e^{−(t − 20)/tau_m}) from the DC onset at 20 ms.
    before = t < 47.7
    expected = -65.0 + 20.0 * (1.0 - np.exp(-np.clip(t - 20.0, 0.0, None) / 20.0))
    np.testing.assert_allclose(np.asarray(a["v"])[before], expected[before], atol=1e-9)
    # Brian2 ("exact" integration of the same linear equations) agrees there to 1e-6 mV.
    n = min(len(a["v"]), len(b["v"]))
    np.testing.assert_allclose(np.asarray(a["v"][:n])[before[:n]], np.asarray(b["v"][:n])[before[:n]], atol=1e-6)
    # The continuous crossing is at 20 + 20·ln 4 = 47.73 ms; memspike reports the first tick at or
    # after it (47.8), Brian2 the start of the step in which it happens (47.7). Each interspike
    # interval adds at most one tick more (docs/pynn.md, "Known differences").
    assert a["spikes"][0] == pytest.approx(47.8) and len(a["spikes"]) == len(b["spikes"]) == 2
    for k, (x, y) in enumerate(zip(a["spikes"], b["spikes"])):
        assert 0.0 <= x - y <= 0.1 * (k + 1) + 1e-9, (a["spikes"], b["spikes"])


def _pair_stdp(pre_times, post_times, delay, w0, tau_plus, tau_minus, a_plus, a_minus, w_min, w_max, t_read):
    """Additive all-to-all pair STDP (Song, Miller & Abbott 2000) in plain Python, events in time
    order: an independent implementation of PyNN's SpikePairRule + AdditiveWeightDependence."""
    events = sorted([(t + delay, "pre") for t in pre_times] + [(t, "post") for t in post_times])
    w, out, arrivals, posts = w0, [], [], []
    reads = list(t_read)
    for t, kind in events + [(math.inf, "end")]:
        while reads and reads[0] <= t:
            out.append(w)
            reads.pop(0)
        if kind == "pre":
            w -= a_minus * w_max * sum(math.exp(-(t - s) / tau_minus) for s in posts)
            arrivals.append(t)
        elif kind == "post":
            w += a_plus * w_max * sum(math.exp(-(t - s) / tau_plus) for s in arrivals)
            posts.append(t)
        w = min(max(w, w_min), w_max)
    return out


def test_stdp_weights_match_an_independent_pair_rule_and_brian2(memspike_runs, brian2):
    a, b = memspike_runs["simple_stdp"], brian2["simple_stdp"]
    pre = np.arange(20.0, 1000.0, 50.0)
    assert len(a["post_spikes"]) == len(pre)  # one post spike per drive
    expected = _pair_stdp(pre, a["post_spikes"], 1.0, 0.25, 20.0, 20.0, 0.01, 0.012, 0.0, 0.5,
                          np.arange(100.0, 1001.0, 100.0))
    np.testing.assert_allclose(a["weights"], expected, rtol=1e-6)  # float32 weights
    # potentiation for 500 ms, then depression
    assert a["weights"][4] > 0.25 > a["weights"][-1]
    # Brian2: its post spikes agree to a tick (one of the 20 is 0.1 ms earlier), which moves a pair's
    # e^{-Δt/20 ms} by at most 0.5 %: the weight changes agree within 2 %.
    da, db = np.asarray(a["weights"]) - 0.25, np.asarray(b["weights"]) - 0.25
    np.testing.assert_allclose(da, db, rtol=0.02, atol=1e-4)


def _agree(name, ours, theirs):
    """Means over the seeds agree within 5 % or within three combined standard errors of the
    seed-to-seed spread."""
    ours, theirs = np.asarray(ours, float), np.asarray(theirs, float)
    diff = abs(ours.mean() - theirs.mean())
    se = math.sqrt(ours.var(ddof=1) / ours.size + theirs.var(ddof=1) / theirs.size)
    assert diff <= max(0.05 * theirs.mean(), 3.0 * se), \
        f"{name}: memspike {ours.mean():.4g} ({ours}) vs Brian2 {theirs.mean():.4g} ({theirs}), 3 SE = {3 * se:.3g}"


def test_simple_network_rates_and_cvs_match_brian2(memspike_runs, brian2):
    a, b = memspike_runs["simple_network"], brian2["simple_network"]
    for key in ("rate_hz", "cv"):
        _agree(f"simple_network {key}", [a[s][key] for s in a], [b[s][key] for s in b])
    assert all(a[s]["spikes"] > 500 for s in a)


def test_simple_network_over_100_seeds_matches_brian2_over_many():
    """Seeds 1-3 alone leave a standard error of about 6 % of the rate (the inputs are 20 Poisson
    trains shared by all cells), so a 7 % loss of input drive would pass the test above. Here 100
    memspike seeds (3 s) meet pyNN.brian2's stored runs of the same script (one line per seed, by
    scripts/pynn_rate_gap.py; Brian2 took half an hour for them here): the means must agree within 5 %
    or 3 standard errors. On identical input Brian2 fires 2 % more (its forward Euler and delivery;
    docs/pynn.md), well inside the 5 %."""
    b2 = np.loadtxt(HERE / "pynn_brian2_simple_network_seeds.txt", ndmin=2)
    assert b2.shape[0] >= 500
    ours = [scripts.simple_network(ms, s) for s in range(1, 101)]
    for k, key in ((1, "rate_hz"), (2, "cv")):
        _agree(f"simple_network {key}, 100 seeds", [o[key] for o in ours], b2[:, k])


def test_va_cuba_rates_and_cvs_match_brian2(memspike_runs, brian2):
    a, b = memspike_runs["va_cuba"], brian2["va_cuba"]
    for pop in ("exc", "inh"):
        for key in ("rate_hz", "cv"):
            _agree(f"va_cuba {pop} {key}", [a[s][pop][key] for s in a], [b[s][pop][key] for s in b])
