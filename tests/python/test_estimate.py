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
    assert build > steady  # the weights of equal-weight blocks are dropped after the build
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
