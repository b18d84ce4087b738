# SPDX-License-Identifier: MIT
"""memspike.pynn: NoisyCurrentSource as a step stimulus. The injected current is recovered from the
membrane trace of a non-spiking IF_curr_exp by inverting the exact one-step solution
V1 = v_rest + (V0 - v_rest)·a + I·R·(1 - a), a = e^{-h/tau_m}, R = tau_m/cm (no shared code with
the engine), then checked against PyNN's definition: 0 before start and from stop on, constant
over each dt, mean and stdev of a Gaussian."""
import numpy as np
import pytest
from pyNN import errors

import memspike.pynn as sim

TAU, CM, V_REST, H = 10.0, 1.0, -65.0, 0.1


@pytest.fixture(autouse=True)
def fresh():
    sim.setup(timestep=H)
    yield
    sim.end()


def _injected(seed, mean=0.5, stdev=0.2, start=5.0, stop=405.0, dt=1.0):
    """The current [nA] in each time step (t_k, t_k+1] for two cells sharing one source."""
    sim.end()
    sim.setup(timestep=H, rng_seed=seed)
    p = sim.Population(2, sim.IF_curr_exp(tau_m=TAU, cm=CM, v_rest=V_REST, v_thresh=1e3, i_offset=0.0))
    p.inject(sim.NoisyCurrentSource(mean=mean, stdev=stdev, dt=dt, start=start, stop=stop))
    p.record("v")
    sim.run(420.0)
    v = np.asarray(p.get_data("v").segments[0].filter(name="v")[0].magnitude, dtype=float)
    a = np.exp(-H / TAU)
    return ((v[1:] - V_REST) - (v[:-1] - V_REST) * a) / (TAU / CM * (1.0 - a))


def test_noise_is_gaussian_piecewise_constant_between_start_and_stop():
    cur = _injected(7)
    assert cur.shape[1] == 2 and np.allclose(cur[:, 0], cur[:, 1], atol=1e-4)  # one sequence, shared
    i = cur[:, 0]
    assert np.abs(i[:50]).max() < 1e-3 and np.abs(i[4050:]).max() < 1e-3   # 0 before 5 ms, from 405 ms on
    blocks = i[50:4050].reshape(400, 10)                                    # dt = 1 ms = 10 steps
    assert np.ptp(blocks, axis=1).max() < 1e-3                              # constant within each dt
    assert np.abs(np.diff(blocks[:, 0])).min() > 1e-6                       # a new draw every dt
    x = blocks[:, 0]
    # 400 draws of N(0.5, 0.2): sd of the mean 0.01, of the sample sd ~ 0.2/sqrt(798) = 0.007
    assert abs(x.mean() - 0.5) < 0.05 and abs(x.std(ddof=1) - 0.2) < 0.04


def test_noise_is_reproducible_for_a_seed():
    a, b, c = _injected(3), _injected(3), _injected(4)
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 0.01


def test_noise_refusals_name_the_parameter():
    p = sim.Population(1, sim.IF_curr_exp())
    p.inject(sim.NoisyCurrentSource(mean=0.1, stdev=0.1))  # PyNN's default stop: never
    with pytest.raises(NotImplementedError, match="NoisyCurrentSource needs a finite stop"):
        sim.run(1.0)
    sim.end()
    sim.setup(timestep=H)
    p = sim.Population(1, sim.IF_curr_exp())
    p.inject(sim.NoisyCurrentSource(mean=0.1, stdev=0.1, dt=0.15, stop=10.0))
    with pytest.raises(errors.InvalidParameterValueError, match="dt = 0.15 ms is not a whole number"):
        sim.run(1.0)
    sim.end()
    sim.setup(timestep=H)
    p = sim.Population(1, sim.IF_curr_exp())
    p.inject(sim.NoisyCurrentSource(mean=0.1, stdev=-0.1, stop=10.0))
    with pytest.raises(errors.InvalidParameterValueError, match="stdev = -0.1 nA is invalid"):
        sim.run(1.0)
