# SPDX-License-Identifier: MIT
# The resource estimate through the binding (python/bind_estimate.cpp): the figures of a scenario,
# and the refusal with both numbers and Python's override hint (issue 11, defect 7).
import os

import pytest

import memspike
from memspike import _memspike

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")


def load(name, overrides=()):
    return _memspike.load_scenario(os.path.join(EXAMPLES, name), _memspike.builtin_models(), list(overrides))


def test_estimate_of_brunel():
    e = _memspike.estimate_resources(load("brunel.toml"), _memspike.builtin_models())
    assert e["neurons"] == 12500
    assert e["synapses"] == 10000 * 1000 + 2500 * 1000 + 10000 * 250 + 2500 * 250
    assert e["ticks"] == 10000
    assert e["peak_bytes"] >= e["steady_bytes"] > e["baseline_bytes"]
    steady, build = e["memory"]["synapses"]
    # Static projections with one weight each are built without per-synapse weights (issue 13):
    # the build holds what the store keeps, 4 bytes per synapse plus the offsets.
    assert build == steady
    assert steady < 4.1 * e["synapses"]
    assert e["output"]["traces"][0] > 0
    assert e["text"].startswith("estimate: 12500 neurons")


def test_a_billion_neurons_is_refused_with_the_numbers():
    sc = load("brunel.toml", [("simulation.scale", "80000")])
    e = _memspike.estimate_resources(sc, _memspike.builtin_models())
    assert e["neurons"] == 1e9
    with pytest.raises(memspike.Error, match=r"not enough memory: the network needs an estimated .* are available .*"
                                              r"pass ignore_resource_limits=True to run anyway"):
        _memspike.check_resources(sc, _memspike.builtin_models())


def test_terabytes_of_traces_are_refused_against_the_disk(tmp_path):
    sc = load("single_neuron.toml", [("simulation.duration", '"1000000000 s"')])
    _memspike.check_resources(sc, _memspike.builtin_models())  # no output: memory only, which fits
    with pytest.raises(memspike.Error, match=r"not enough disk: .* before compression \(1e\+13 ticks\)"):
        _memspike.check_resources(sc, _memspike.builtin_models(), str(tmp_path / "out.h5"))


# memspike.Simulation refuses before building, as `memspike run` does (python/memspike/simulation.py).

def scenario(name, overrides=None):
    return memspike.load_scenario(os.path.join(EXAMPLES, name), overrides or {})


def test_simulation_refuses_a_billion_neurons_before_building():
    # Without the check this would start building 1e9 neurons and grow until the machine gives out.
    with pytest.raises(memspike.Error, match=r"not enough memory: the network needs an estimated [0-9.]+ [KMGTPE]iB "
                                              r"at its peak \(1e\+09 neurons, .* synapses\), but [0-9.]+ [KMGTPE]?i?B "
                                              r"are available .*pass ignore_resource_limits=True to run anyway"):
        memspike.Simulation(scenario("brunel.toml", {"simulation.scale": 80000}))


def test_ignore_resource_limits_skips_the_check(monkeypatch):
    calls = []

    def refuse(*args, **kwargs):
        calls.append(kwargs)
        raise memspike.Error("refused by the test")

    monkeypatch.setattr(_memspike, "check_resources", refuse)
    sc = scenario("single_neuron.toml", {"simulation.duration": "1 ms"})
    with pytest.raises(memspike.Error, match="refused by the test"):
        memspike.Simulation(sc)
    assert calls == [{"in_memory_output": True}]  # the results kept in memory count
    sim = memspike.Simulation(sc, ignore_resource_limits=True)
    assert len(calls) == 1 and sim.run() is True
    with pytest.raises(TypeError, match=r"Simulation: ignore_resource_limits must be True or False, not str"):
        memspike.Simulation(sc, ignore_resource_limits="yes")


def test_a_normal_scenario_builds_and_runs():
    sim = memspike.Simulation(scenario("single_neuron.toml"))
    assert sim.run() is True and sim.spikes("n")[0].size > 0


def test_results_kept_in_memory_count_against_memory():
    # 1e9 s of a one-neuron trace: nothing to build, but 1e13 samples the Simulation would keep.
    sc = load("single_neuron.toml", [("simulation.duration", '"1000000000 s"')])
    _memspike.check_resources(sc, _memspike.builtin_models())  # as `memspike run` (no output kept in memory)
    msg = (r"not enough memory: .* record less \(the simulation keeps the recorded spikes and samples in memory: "
           r"an estimated [0-9.]+ [KMGTPE]iB of them are included\), or pass ignore_resource_limits=True")
    with pytest.raises(memspike.Error, match=msg):
        _memspike.check_resources(sc, _memspike.builtin_models(), in_memory_output=True)
    with pytest.raises(memspike.Error, match=msg):
        memspike.Simulation(scenario("single_neuron.toml", {"simulation.duration": "1000000000 s"}))


def test_only_the_output_surely_written_counts_with_fake_host_figures():
    # Brunel for 1000 s: its traces are surely written; its neurons' spikes (rate unknown) only
    # bound the output from above, by far more, and must not cause a refusal.
    sc = load("brunel.toml", [("simulation.duration", '"1000 s"')])
    reg = _memspike.builtin_models()
    e = _memspike.estimate_resources(sc, reg)
    assert e["output_max_bytes"] > 10 * e["output_bytes"] > 0
    kept = max(e["peak_bytes"], e["steady_bytes"] + e["output_bytes"])
    assert kept > e["peak_bytes"]
    _memspike.check_resources(sc, reg, memory_bytes=e["peak_bytes"] * 1.001)  # fits without what is kept
    _memspike.check_resources(sc, reg, in_memory_output=True, memory_bytes=kept * 1.001)  # not the upper bound
    with pytest.raises(memspike.Error, match=r"not enough memory: .* are available \(as given\); make the scenario "
                                              r"smaller, or record less"):
        _memspike.check_resources(sc, reg, in_memory_output=True, memory_bytes=kept * 0.999)
    with pytest.raises(memspike.Error, match=r"not enough memory: .* are available \(as given\); make the scenario "
                                              r"smaller, or pass ignore_resource_limits=True to run anyway"):
        _memspike.check_resources(sc, reg, memory_bytes=e["peak_bytes"] * 0.999)
    _memspike.check_resources(sc, reg, memory_bytes=-1)  # unknown: not checked


# memspike.sweep checks its points together (core check_sweep_resources): the `threads` largest
# running at once, plus every point's output, which the sweep keeps in memory until it returns.

def sweep_need(estimates, concurrent):
    """The expected need, written from the documented rule (resource_estimate.hpp)."""
    own = sorted((e["peak_bytes"] - e["baseline_bytes"] for e in estimates), reverse=True)
    return max(e["baseline_bytes"] for e in estimates) + sum(own[:concurrent]) + sum(e["output_bytes"] for e in estimates)


def test_sweep_memory_counts_the_largest_points_running_together_and_every_output():
    reg = _memspike.builtin_models()
    specs = [load("brunel.toml", [("simulation.scale", s), ("simulation.duration", '"2 s"')]) for s in ("0.1", "0.3", "0.2")]
    est = [_memspike.estimate_resources(s, reg) for s in specs]
    assert len({e["peak_bytes"] for e in est}) == 3 and all(e["output_bytes"] > 0 for e in est)
    for k in (1, 2, 3):
        need = sweep_need(est, k)
        _memspike.check_sweep_resources(specs, reg, k, memory_bytes=need * 1.001)
        with pytest.raises(memspike.Error, match=rf"not enough memory for the sweep: 3 points, {k} at a time, need an "
                                                  r"estimated .* every point's recorded output.* are available \(as "
                                                  r"given\); run fewer points at a time \(threads\), record less, or "
                                                  r"pass ignore_resource_limits=True to run anyway"):
            _memspike.check_sweep_resources(specs, reg, k, memory_bytes=need * 0.999)
    # More threads than points: all of them at once, no more.
    _memspike.check_sweep_resources(specs, reg, 64, memory_bytes=sweep_need(est, 3) * 1.001)


def test_sweep_refuses_a_billion_neurons_before_building():
    grid = {"simulation.scale": [80000, 1]}
    with pytest.raises(memspike.Error, match=r"not enough memory for the sweep: 2 points"):
        memspike.sweep(scenario("brunel.toml"), grid, threads=1)


def test_sweep_ignore_resource_limits_skips_the_check(monkeypatch):
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args[2])
        raise memspike.Error("refused by the test")

    monkeypatch.setattr(_memspike, "check_sweep_resources", refuse)
    sc = scenario("single_neuron.toml", {"simulation.duration": "1 ms"})
    with pytest.raises(memspike.Error, match="refused by the test"):
        memspike.sweep(sc, {"simulation.seed": [1, 2, 3]}, threads=2)
    assert calls == [2]
    results = memspike.sweep(sc, {"simulation.seed": [1, 2, 3]}, threads=2, ignore_resource_limits=True)
    assert len(calls) == 1 and len(results) == 3
    with pytest.raises(TypeError, match=r"sweep: ignore_resource_limits must be True or False, not int"):
        memspike.sweep(sc, {"simulation.seed": [1]}, ignore_resource_limits=1)
