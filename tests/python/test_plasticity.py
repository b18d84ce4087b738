# SPDX-License-Identifier: MIT
"""Plastic projections from Python: weights (get and set), counters, and a reward set while running."""
import numpy as np
import pytest

import memspike

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def song(duration="2 s"):
    return memspike.load_scenario(str(ROOT / "examples" / "stdp_song.toml"),
                                  overrides={"simulation.duration": duration})


def test_weights_move_and_stay_in_bounds():
    sim = memspike.Simulation(song())
    before = sim.weights("plastic")
    assert before["weights"].dtype == np.float32 and before["weights"].shape == (1000,)
    assert before["sources"].dtype == np.uint32 and before["targets"].dtype == np.uint32
    assert np.all(before["delays_ms"] == pytest.approx(0.1))
    sim.run()
    after = sim.weights("plastic")
    assert np.any(after["weights"] != before["weights"])
    assert after["weights"].min() >= 0.0 and after["weights"].max() <= np.float32(0.1)
    counters = sim.plasticity("plastic")
    assert counters["weight_updates"] > 0 and counters["trace_updates"] > 0


def test_set_weights_round_trip_and_checks():
    sim = memspike.Simulation(song("100 ms"))
    w = np.linspace(0.0, 0.1, 1000, dtype=np.float32)
    sim.set_weights("plastic", w)
    assert np.array_equal(sim.weights("plastic")["weights"], w)
    with pytest.raises(memspike.InvalidParameter, match="weights"):
        sim.set_weights("plastic", np.full(1000, 0.5, dtype=np.float32))  # above w_max = 0.1 nS
    with pytest.raises(memspike.InvalidParameter, match="one weight per synapse"):
        sim.set_weights("plastic", np.zeros(10, dtype=np.float32))
    with pytest.raises(memspike.Error, match="projection"):
        sim.weights("nope")


def test_reward_set_while_running():
    """stdp_reward: no weight change while the reward is 0; a change once it is set."""
    sc = song("1 s")
    sc.set("projection.plastic.plasticity",
           {"rule": "stdp_reward", "a_plus": "0.001 nS", "a_minus": "0.001 nS", "tau_c": "200 ms", "w_max": "0.1 nS"})
    sim = memspike.Simulation(sc)
    w0 = sim.weights("plastic")["weights"].copy()
    sim.run("500 ms")
    assert np.array_equal(sim.weights("plastic")["weights"], w0)  # reward 0: eligibility only
    for bad in (float("nan"), float("inf"), np.float64("-inf")):  # issue 11, defect 13: NaN was accepted
        with pytest.raises(memspike.InvalidParameter, match=r"plastic: modulator = -?(nan|inf) is invalid \(must be finite\)"):
            sim.set_modulator("plastic", bad)
    sim.set_modulator("plastic", np.float32(1.0))  # numpy scalars work where floats do
    sim.run("500 ms")
    assert np.any(sim.weights("plastic")["weights"] != w0)


def test_reset_keeps_learned_weights():
    sim = memspike.Simulation(song("1 s"))
    sim.run()
    learned = sim.weights("plastic")["weights"].copy()
    spikes_first = sim.spikes("neuron")[0].size
    assert spikes_first > 0
    sim.reset(keep_weights=True)
    assert sim.now == 0
    assert sim.spikes("neuron")[0].size == 0
    assert np.array_equal(sim.weights("plastic")["weights"], learned)
    sim.reset(keep_weights=False)
    initial = memspike.Simulation(song("1 s")).weights("plastic")["weights"]
    assert np.array_equal(sim.weights("plastic")["weights"], initial)
