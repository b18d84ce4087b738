# SPDX-License-Identifier: MIT
# lif_cond_exp's integrator choice from Python (decisions.md §43): a name, read by the same C++
# reader as TOML, so the Python network is the TOML network; a bad name is refused naming the key
# and the accepted names.
import numpy as np
import pytest

import memspike


def coba(integrator=None, duration="200 ms"):
    params = {"c_m": "200 pF", "g_l": "10 nS", "e_l": "-60 mV", "v_th": "-50 mV", "v_reset": "-60 mV",
              "t_ref": "5 ms", "e_ex": "0 mV", "e_in": "-80 mV", "tau_syn_ex": "5 ms", "tau_syn_in": "10 ms",
              "i_e": "250 pA"}
    if integrator is not None:
        params["integrator"] = integrator
    sc = memspike.Scenario().simulation(duration=duration, seed=3)
    sc.population("E", "lif_cond_exp", 40, params=params, init={"g_ex": "20 nS"})
    sc.population("P", "poisson_source", 40, params={"rate": "200 Hz"})
    sc.projection("P", "E", "one_to_one", weight="6 nS", delay="0.1 ms", receptor="ex")
    return sc


def spikes(sc):
    sim = memspike.Simulation(sc, threads=1)
    assert sim.run() is True
    return sim.spike_ticks("E")


def test_integrator_names_and_default():
    info = memspike.models.find("lif_cond_exp").param("integrator")
    assert list(info.choices) == ["rk4", "euler"]
    assert info.default == 0  # "rk4"
    assert repr(info) == '<ParamInfo integrator: one of "rk4" or "euler", default "rk4">'
    assert coba().compile().populations[0].params["integrator"] == 0
    assert coba("euler").compile().populations[0].params["integrator"] == 1


def test_euler_from_python_runs_euler_and_default_stays_rk4():
    # "rk4" spelled out is the default, bit for bit; "euler" moves spike times (a first-order
    # step), while the network stays active: catches a name that is read but not acted on.
    default, rk4, euler = spikes(coba()), spikes(coba("rk4")), spikes(coba("euler"))
    for a, b in zip(default, rk4):
        np.testing.assert_array_equal(a, b)
    assert default[0].size > 100 and euler[0].size > 100
    assert not (default[0].size == euler[0].size and np.array_equal(default[0], euler[0])
                and np.array_equal(default[1], euler[1]))


@pytest.mark.parametrize("bad", ["RK4", "rk2", 1])
def test_bad_integrator_names_the_key_and_the_accepted_names(bad):
    with pytest.raises(memspike.ScenarioError) as info:
        coba(bad)
    assert info.value.key == "population.E.params.integrator"
    assert '"rk4" or "euler"' in str(info.value)
