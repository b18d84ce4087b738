# SPDX-License-Identifier: MIT
"""examples/cuba.toml, coba.toml and bench4_delta.toml, each run for its own 1 s, checked against
values derived independently of memspike (docs/testing.md, "Example scenarios"):

- bench4_delta (delta synapses): the population rate against the self-consistent Siegert rate of
  the diffusion approximation (Brunel 2000, eq. 21 and the mean-field input of the network), which
  this file computes with scipy from the scenario's parameters.
- cuba and coba (exponential synapses): Campbell's theorem. In a stationary state, each neuron's
  mean synaptic current (conductance) is rate x in-degree x jump x tau_syn. The mean over neurons,
  sampled every 20 ms, must match the value computed from the measured rates of the sources.
- all three: E and I are statistically identical (same parameters, same in-degrees, same inputs),
  so their rates must agree.

Tolerances come from the spread over seeds 1-4 (measured, stated with each check) and, for the
Siegert rate, from the diffusion approximation's own error (jumps of a fifth of theta - V_r).
"""
import pathlib

import numpy as np
import pytest
from scipy import integrate, optimize, special

import memspike

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"
N_E, N_I, P = 3200, 800, 0.02
C_E, C_I = P * N_E, P * N_I  # mean in-degrees, 64 and 16
T0, T1 = 200.0, 1000.0  # ms: the first 200 ms are the start-up transient


def run(name, seed=12345, sample_every_ms=20.0, state=None):
    """Runs the example for its 1 s; returns the simulation and, if `state`, the E and I means of
    those state variables sampled every `sample_every_ms` in [T0, T1)."""
    sim = memspike.Simulation(memspike.load_scenario(EXAMPLES / name, {"simulation.seed": seed}), threads=2)
    sim.run(f"{T0} ms")
    means = {}
    while sim.time_ms < T1 - 1e-9:
        sim.run(f"{sample_every_ms} ms")
        for var in state or []:
            for pop in ("E", "I"):
                means.setdefault((pop, var), []).append(float(np.mean(sim.state(pop, var))))
    return sim, {k: float(np.mean(v)) for k, v in means.items()}


def rate(sim, pop, n):
    _, t = sim.spikes(pop)
    return np.count_nonzero((t >= T0) & (t < T1)) / n / ((T1 - T0) * 1e-3)


def siegert(mu, sigma, tau_m=0.02, t_ref=0.005, theta=-50.0, v_r=-60.0):
    """Brunel (2000) eq. 21: the rate [Hz] of a LIF neuron with white-noise input (mu, sigma in mV)."""
    integral = integrate.quad(lambda u: special.erfcx(-u), (v_r - mu) / sigma, (theta - mu) / sigma)[0]
    return 1.0 / (t_ref + tau_m * np.sqrt(np.pi) * integral)  # erfcx(-u) = e^{u^2} (1 + erf u)


def test_bench4_delta_rate_is_the_siegert_rate():
    # Jumps J_E = 0.25 mV, J_I = -2.25 mV, E_L = -49 mV, tau_m = 20 ms (the scenario's own values):
    # mu = E_L + tau_m nu (C_E J_E + C_I J_I), sigma^2 = tau_m nu (C_E J_E^2 + C_I J_I^2).
    def rate_out(nu):
        mu = -49.0 + 0.02 * nu * (C_E * 0.25 - C_I * 2.25)
        sigma = np.sqrt(0.02 * nu * (C_E * 0.25**2 + C_I * 2.25**2))
        return siegert(mu, sigma)

    nu_theory = optimize.brentq(lambda nu: rate_out(nu) - nu, 0.1, 100.0)  # 11.46 Hz
    sim, _ = run("bench4_delta.toml")
    nu_e, nu_i = rate(sim, "E", N_E), rate(sim, "I", N_I)
    # Seeds 1-4 gave 9.34-9.85 Hz (spread about 2 %): 16 % below the theory, which is the diffusion
    # approximation's error for inhibitory jumps of 2.25 mV. 25 % leaves room for both. The sign
    # mutant of a jump, or a lost refractory period, moves the rate by far more.
    for nu in (nu_e, nu_i):
        assert abs(nu / nu_theory - 1.0) < 0.25, (nu, nu_theory)
    # E and I are statistically identical: seeds 1-4 differ by at most 2.3 %.
    assert abs(nu_e - nu_i) < 0.06 * nu_theory


@pytest.mark.parametrize("name, var, jump, tau_ms", [
    ("cuba.toml", ("i_ex", "i_in"), (16.2, -90.0), (5.0, 10.0)),   # pA
    ("coba.toml", ("g_ex", "g_in"), (6.0, 67.0), (5.0, 10.0)),     # nS
])
def test_mean_synaptic_state_obeys_campbell(name, var, jump, tau_ms):
    sim, means = run(name, state=var)
    nu_e, nu_i = rate(sim, "E", N_E), rate(sim, "I", N_I)
    assert nu_e > 1.0 and nu_i > 1.0  # self-sustained activity (E_L above threshold in cuba)
    if name == "cuba.toml":
        # The mean synaptic drive is inhibitory (C_E 1.62 mV 5 ms < C_I 9 mV 10 ms per unit rate),
        # so the rate stays below that of a neuron without input: 1 / (t_ref + tau_m ln 11) =
        # 18.9 Hz. Seeds 1-4: 5.4-5.6 Hz. A flipped inhibitory sign gives some 50 Hz.
        assert max(nu_e, nu_i) < 1.0 / (0.005 + 0.020 * np.log(11.0))
    # E and I receive the same inputs: seeds 1-4 differ by at most 5.3 % (coba), 1.6 % (cuba).
    assert abs(nu_e - nu_i) < 0.12 * (nu_e + nu_i) / 2
    for pop in ("E", "I"):
        want_ex = nu_e * C_E * jump[0] * tau_ms[0] * 1e-3
        want_in = nu_i * C_I * jump[1] * tau_ms[1] * 1e-3
        # 40 samples of 800 neurons or more: see docs/testing.md for the measured spread.
        assert means[(pop, var[0])] == pytest.approx(want_ex, rel=0.1), (pop, var[0])
        assert means[(pop, var[1])] == pytest.approx(want_in, rel=0.1), (pop, var[1])
