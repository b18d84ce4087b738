# SPDX-License-Identifier: MIT
# Shared helpers for the Python tests (run with Debian's /usr/bin/python3 and
# PYTHONPATH=<build>/python; see tests/CMakeLists.txt).
import pathlib

import pytest

import memspike

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"
BRUNEL = EXAMPLES / "brunel.toml"

# Brunel (2000) at a tenth of its size (1,000 + 250 neurons, the in-degrees of the full network) for
# a short time: a few hundred milliseconds of wall time at most.
SMALL = {"simulation.scale": 0.1, "simulation.duration": "200 ms"}


def small_brunel(**more):
    return memspike.load_scenario(BRUNEL, {**SMALL, **more})


@pytest.fixture
def brunel():
    return small_brunel()


def brunel_in_python(duration="200 ms", seed=12345, tau_m="20 ms"):
    """examples/brunel.toml with scale 0.1, written with the Python builder."""
    lif = {"tau_m": tau_m, "c_m": "250 pF", "e_l": "0 mV", "v_th": "20 mV", "v_reset": "10 mV", "t_ref": "2 ms"}
    init = {"v": {"dist": "uniform", "low": "0 mV", "high": "20 mV"}}
    sc = memspike.Scenario()
    sc.simulation(duration=duration, resolution="0.1 ms", seed=seed, scale=1.0)
    sc.population("E", "lif_delta", 1000, params=lif, init=init)
    sc.population("I", "lif_delta", 250, params=lif, init=init)
    sc.projection("E", "E", "fixed_indegree", name="EE", indegree=1000, allow_autapses=False, weight="0.1 mV", delay="1.5 ms")
    sc.projection("E", "I", "fixed_indegree", name="EI", indegree=1000, weight="0.1 mV", delay="1.5 ms")
    sc.projection("I", "E", "fixed_indegree", name="IE", indegree=250, weight="-0.5 mV", delay="1.5 ms")
    sc.projection("I", "I", "fixed_indegree", name="II", indegree=250, allow_autapses=False, weight="-0.5 mV", delay="1.5 ms")
    sc.stimulus("poisson", "E", name="ext_E", rate="20 kHz", weight="0.1 mV")
    sc.stimulus("poisson", "I", name="ext_I", rate="20 kHz", weight="0.1 mV")
    sc.record(spikes="all", traces=[{"population": "E", "variables": ["v"], "neurons": [0, 1, 2, 3, 4], "interval": "0.1 ms"}])
    return sc
