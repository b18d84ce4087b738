# SPDX-License-Identifier: MIT
"""memspike.pynn's new cell types and ACSource (issue 16) against pyNN.brian2 on the scripts of
pynn_model_scripts.py: single-neuron traces within documented tolerances, small networks' rates
and CVs statistically. Brian2's results are stored in pynn_models_brian2_reference.json (Brian2
generates code for every script: minutes here); MEMSPIKE_PYNN_BRIAN2=1 runs Brian2 live."""
import json
import math
import os
import pathlib

import numpy as np
import pytest

import memspike.pynn as sim
import pynn_model_scripts as scripts

HERE = pathlib.Path(__file__).resolve().parent

# -- against pyNN.brian2 ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def brian2():
    if os.environ.get("MEMSPIKE_PYNN_BRIAN2") == "1":
        import pyNN.brian2
        return scripts.run_all(pyNN.brian2)
    return json.loads((HERE / "pynn_models_brian2_reference.json").read_text())


@pytest.fixture(scope="module")
def memspike_runs():
    return scripts.run_all(sim)


def _spike_diff(a, b, n=None):
    """memspike's spike times minus Brian2's, pairwise over the first n (default: all, same count)."""
    if n is None:
        assert len(a["spikes"]) == len(b["spikes"]), (a["spikes"], b["spikes"])
        n = len(a["spikes"])
    return np.asarray(a["spikes"][:n]) - np.asarray(b["spikes"][:n])


def _shifted(a, b, name, until_ms):
    """max |memspike − Brian2| of a trace over [0, until_ms) with Brian2's samples one step later:
    Brian2 samples V at the start of a step, before that step's synaptic events act; memspike
    after (docs/pynn.md, "Known differences"). Only spike input may act in the window."""
    n = int(round(until_ms / a["dt"]))
    return float(np.max(np.abs(np.subtract(a[name][:n - 1], b[name][1:n]))))


def test_if_curr_alpha_matches_brian2(memspike_runs, brian2):
    a, b = memspike_runs["alpha_trace"], brian2["alpha_trace"]
    # Both integrate the linear system exactly (Brian2 chooses "exact"): the responses to the alpha
    # inputs (11–46 ms, before the DC from 60 ms) agree to rounding (measured 3.4e-13 mV).
    assert _shifted(a, b, "v", 60.0) < 1e-9
    # Spike times: memspike reports the first tick at or after the crossing, Brian2 the step before
    # it; each interspike interval can add one more tick (measured: +0.1, +0.2, +0.3 ms).
    diff = _spike_diff(a, b)
    assert np.all(diff >= -1e-9) and np.all(diff <= 0.1 * np.arange(1, diff.size + 1) + 1e-9), diff


def test_adex_matches_brian2(memspike_runs, brian2):
    a, b = memspike_runs["adex_trace"], brian2["adex_trace"]
    # Conductance input at 6–8 ms, before the DC step at 20 ms: Brian2's RK2 at 0.1 ms against
    # memspike's RK4 sub-steps, measured |ΔV| = 1.8e-3 mV, |Δw| = 1.5e-7 nA.
    assert _shifted(a, b, "v", 20.0) < 5e-3
    assert _shifted(a, b, "w", 20.0) < 1e-6
    # 9 spikes with adaptation; memspike's are later by the grid convention plus the two
    # integrators' difference: measured +0.1 to +0.4 ms.
    diff = _spike_diff(a, b)
    assert np.all(diff >= -1e-9) and np.all(diff <= 0.5 + 1e-9), diff


def test_izhikevich_matches_brian2(memspike_runs, brian2):
    a, b = memspike_runs["izhikevich_trace"], brian2["izhikevich_trace"]
    # Before the DC (a voltage jump at 6 ms): Brian2's forward Euler at 0.1 ms, measured 0.027 mV.
    assert _shifted(a, b, "v", 20.0) < 0.1
    # Under DC, Brian2's forward Euler (first order) falls behind spike after spike: measured
    # −0.1, −0.7, −0.9, −1.2, −1.5 ms, and 6 spikes in 250 ms against Brian2's 5 (memspike's are
    # within its error bound of a 1e-4 ms reference, tests/unit/models/test_adex_izhikevich.cpp).
    assert len(a["spikes"]) in (len(b["spikes"]), len(b["spikes"]) + 1)
    diff = _spike_diff(a, b, len(b["spikes"]))
    assert np.all(diff <= 0.1 + 1e-9) and np.all(diff >= -0.4 * np.arange(1, diff.size + 1)), diff


def test_ac_source_matches_brian2(memspike_runs, brian2):
    # The sine from t = 0 (where both simulators' time origins agree), held per step: the same
    # piecewise-constant current, integrated exactly by both (measured 2.8e-13 mV).
    a, b = memspike_runs["ac_trace"], brian2["ac_trace"]
    n = min(len(a["v"]), len(b["v"]))
    assert a["spikes"] == b["spikes"] == []
    np.testing.assert_allclose(a["v"][:n], b["v"][:n], atol=1e-9)


@pytest.mark.parametrize("kind", list(scripts.NETWORKS))
@pytest.mark.parametrize("stat", ["rate_hz", "cv"])
def test_small_networks_match_brian2_statistically(memspike_runs, brian2, kind, stat):
    # Mean over seeds 1–3 within 5 %, or within 3 standard errors of the seed-to-seed spread (as
    # test_pynn_scripts.py); the synapses are PyNN's own draws on both (rng given), the Poisson
    # inputs each simulator's.
    ms_ = np.array([memspike_runs["network"][kind][str(s)][stat] for s in scripts.SEEDS])
    b2 = np.array([brian2["network"][kind][str(s)][stat] for s in scripts.SEEDS])
    assert np.all(np.isfinite(ms_)) and np.all(b2 > 0)
    se = math.sqrt(ms_.var(ddof=1) / ms_.size + b2.var(ddof=1) / b2.size)
    assert abs(ms_.mean() - b2.mean()) <= max(0.05 * b2.mean(), 3 * se), (ms_, b2)
