# SPDX-License-Identifier: MIT
"""Every example scenario (cuba, coba and bench4_delta for their own 1 s, the others shortened),
checked against values derived independently of memspike (docs/testing.md, "Example scenarios"):

- bench4_delta (delta synapses): the population rate against the self-consistent Siegert rate of
  the diffusion approximation (Brunel 2000, eq. 21 and the mean-field input of the network), which
  this file computes with scipy from the scenario's parameters.
- cuba and coba (exponential synapses): Campbell's theorem. In a stationary state, each neuron's
  mean synaptic current (conductance) is rate x in-degree x jump x tau_syn. The mean over neurons,
  sampled every 20 ms, must match the value computed from the measured rates of the sources.
- all three: E and I are statistically identical (same parameters, same in-degrees, same inputs),
  so their rates must agree.
- brunel (scale 0.2, 300 ms): the Siegert rate and the diffusion approximation's ISI CV (the
  variance of its first-passage time, as in Brunel 2000). single_neuron: the closed-form period without noise, tick by tick, and
  Campbell's mean shift with it. crossbar_brunel (scale 0.2): an ideal device gives the digital
  backend's spikes exactly, the default device its rate. stdp_song (40 s): the first-order drift of
  Song, Miller & Abbott (2000) towards the bounds, and the regulation of the output rate.

Tolerances come from the spread over seeds 1-4 (measured, stated with each check) and, for the
Siegert rate, from the diffusion approximation's own error (jumps of a fifth of theta - V_r).
"""
import math
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


# --- brunel, single_neuron, crossbar_brunel, stdp_song (docs/testing.md, "Example scenarios") ---

def isi_cv(sim, pop, t0):
    """CV of all inter-spike intervals after t0, pooled over the neurons of `pop`."""
    i, t = sim.spikes(pop)
    keep = t >= t0
    i, t = i[keep], t[keep]
    order = np.lexsort((t, i))
    i, t = i[order], t[order]
    isi = np.diff(t)[np.diff(i) == 0]
    return float(isi.std() / isi.mean())


def brunel_mu_sigma(nu):
    """Mean and sigma [mV] of the free membrane of examples/brunel.toml at population rate nu [Hz]
    (Brunel 2000, eq. 4-5): 20 kHz of 0.1 mV external jumps, C_E = 1000 jumps of 0.1 mV and
    C_I = 250 of -0.5 mV at rate nu, tau_m = 20 ms."""
    mu = 0.02 * (20000.0 * 0.1 + nu * (1000 * 0.1 - 250 * 0.5))
    sigma = np.sqrt(0.02 * (20000.0 * 0.1**2 + nu * (1000 * 0.1**2 + 250 * 0.5**2)))
    return mu, sigma


def brunel_cv(nu, mu, sigma, tau_m=0.02, theta=20.0, v_r=10.0):
    """ISI CV of a LIF neuron with white-noise input (the first-passage time's variance in the
    diffusion approximation, as in Brunel 2000):
    CV^2 = 2 pi (nu tau_m)^2 int_{y_r}^{y_theta} e^{x^2} int_{-inf}^{x} e^{y^2} (1 + erf y)^2 dy dx."""
    inner = lambda x: integrate.quad(lambda y: np.exp(x * x - y * y) * special.erfcx(-y) ** 2, -np.inf, x)[0]
    outer = integrate.quad(inner, (v_r - mu) / sigma, (theta - mu) / sigma)[0]
    return float(np.sqrt(2.0 * np.pi * (nu * tau_m) ** 2 * outer))


def test_brunel_rate_and_cv_are_the_mean_field_values():
    # Self-consistent Siegert rate with theta = 20 mV, V_r = 10 mV, t_ref = 2 ms: 37.95 Hz,
    # mu = 21.0 mV, sigma = 7.7 mV; the CV there is 0.675.
    siegert_b = lambda nu: siegert(*brunel_mu_sigma(nu), t_ref=0.002, theta=20.0, v_r=10.0)
    nu_theory = optimize.brentq(lambda nu: siegert_b(nu) - nu, 0.1, 500.0)
    cv_theory = brunel_cv(nu_theory, *brunel_mu_sigma(nu_theory))
    # Scale 0.2 keeps the in-degrees (2,000 E + 500 I), so the mean-field state is the same.
    # 300 ms, the first 100 ms dropped: about 1 s of wall time.
    sc = memspike.load_scenario(EXAMPLES / "brunel.toml", {"simulation.scale": 0.2, "simulation.duration": "300 ms"})
    sim = memspike.Simulation(sc, threads=2)
    sim.run("300 ms")
    t0, t1 = 100.0, 300.0
    rates = {}
    for pop, n in (("E", 2000), ("I", 500)):
        _, t = sim.spikes(pop)
        rates[pop] = np.count_nonzero(t >= t0) / n / ((t1 - t0) * 1e-3)
        # Seeds 1-4: 39.3-42.0 Hz, 4-11 % above the theory (seed spread about 3 %); the rest is the
        # finite size and the delays, which the diffusion approximation leaves out. 15 % covers
        # both. Brunel's Fig. 8 reads about 38 Hz at g = 5, eta = 2 as well.
        assert rates[pop] == pytest.approx(nu_theory, rel=0.15), (pop, rates[pop], nu_theory)
        # Seeds 1-4: pooled ISI CV 0.55-0.61 (spread about 5 %), 10-19 % below the theory: the
        # recurrent input is not Poisson (its trains have CV < 1, so less low-frequency variance)
        # and a 200 ms window cuts the longest intervals. 30 % covers that; a regular (CV ~ 0.1)
        # or bursting (CV > 1) network is far outside.
        cv = isi_cv(sim, pop, t0)
        assert cv == pytest.approx(cv_theory, rel=0.3), (pop, cv, cv_theory)
    # E and I are statistically identical (same in-degrees, weights and drive): seeds 1-4 differ
    # by 0.5-2 %.
    assert abs(rates["E"] - rates["I"]) < 0.05 * nu_theory


def test_single_neuron_fires_at_the_closed_form_period_without_noise():
    # The 400 pA step from 100 to 400 ms gives V_inf = -70 + 400 pA x 10 ms / 250 pF = -54 mV
    # above V_th = -55 mV; from V_reset = E_L = -70 mV the membrane needs tau_m ln(16 / 1) to reach
    # threshold, so the period is T = t_ref + tau_m ln 16 = 29.73 ms. (The file's header prints
    # 27.6 ms: that is the integration time tau_m ln 16 = 27.7 ms without the t_ref.)
    sc = memspike.load_scenario(EXAMPLES / "single_neuron.toml", {"stimulus.noise.weight": "0 mV"})
    sim = memspike.Simulation(sc)
    sim.run("500 ms")
    _, t = sim.spikes("n")
    dt, rise = 0.1, 10.0 * np.log(16.0)
    period = 2.0 + rise
    # On the 0.1 ms grid, a crossing is seen at the first tick at or after it, and the refractory
    # time counts from the spike's tick: t_1 = 100 + ceil(rise), t_{k+1} = t_k + ceil(T).
    on_grid = lambda x: np.ceil(x / dt - 1e-9) * dt
    want = 100.0 + on_grid(rise) + on_grid(period) * np.arange(int((400.0 - 100.0 - rise) // period) + 1)
    want = want[want < 400.0]
    assert len(t) == len(want) == 10, t
    assert np.all(np.abs(t - want) <= dt + 1e-9), (t, want)
    assert np.all(np.abs(np.diff(t) - period) <= dt + 1e-9), np.diff(t)


def test_single_neuron_noise_raises_the_rate_by_campbells_mean_shift():
    # The Poisson input (500 Hz of 0.5 mV jumps) shifts the free membrane's mean by
    # 500 Hz x 0.5 mV x tau_m = 2.5 mV (Campbell), so V_inf = -51.5 mV; its sigma
    # (sqrt(500 Hz x 0.25 mV^2 x 10 ms / 2) = 0.8 mV) is small against V_inf - V_th = 3.5 mV, so
    # the rate is about the deterministic one at the shifted mean: 1 / (t_ref + tau_m ln(18.5 / 3.5))
    # = 53.6 Hz, against 33.6 Hz without noise.
    free_rate = 1e3 / (2.0 + 10.0 * np.log(16.0))
    shifted_rate = 1e3 / (2.0 + 10.0 * np.log(18.5 / 3.5))
    rates = []
    for seed in (1, 2, 3, 4):
        sim = memspike.Simulation(memspike.load_scenario(EXAMPLES / "single_neuron.toml", {"simulation.seed": seed}))
        sim.run("500 ms")
        _, t = sim.spikes("n")
        assert np.all((t >= 100.0) & (t < 400.0)), t  # no spike without the step (V ~ -67.5 mV)
        rates.append(len(t) / 0.3)
    # Seeds 1-4 (and 5-8): 15 or 16 spikes in the 300 ms, 50.0-53.3 Hz: one spike (6 %) of
    # spread. Each seed must beat the noise-free rate, and their mean must be within 12 % of the
    # shifted rate (a sign error of the noise, or a Poisson rate off by 2x, moves it by > 20 %).
    assert min(rates) > free_rate * 1.2, rates
    assert np.mean(rates) == pytest.approx(shifted_rate, rel=0.12), (rates, shifted_rate)


# Every non-ideality of docs/crossbar.md off (levels and ADC ideal, no noise, no IR drop; the
# example already has no device spread, stuck cells or drift).
IDEAL_CROSSBAR = {"backend.levels": math.inf, "backend.sigma_read": 0.0, "backend.sigma_c2c": 0.0,
                  "backend.adc_bits": math.inf, "backend.r_wire": "0 Ohm"}
# Scale 0.2 (2,000 E + 500 I, same in-degrees): at 0.1 the E population (999 sources without
# autapses) is smaller than C_E = 1000 and the file's allow_multapses = false rejects it.
CROSSBAR_SMALL = {"simulation.scale": 0.2, "simulation.duration": "150 ms"}


def test_ideal_crossbar_brunel_equals_the_digital_backend():
    # An invariant, not a statistic: with an ideal device the column sums are the digital sums.
    # 50 ms is 4,700-5,400 spikes (seeds 1-4), past the first recurrent arrivals at 1.5 ms, where
    # every non-ideality already changes the raster (docs/crossbar.md).
    sc = memspike.load_scenario(EXAMPLES / "crossbar_brunel.toml", {**CROSSBAR_SMALL, **IDEAL_CROSSBAR})
    crossbar = memspike.Simulation(sc, threads=2)
    digital = memspike.Simulation(sc.copy().set("backend", {"kind": "digital"}), threads=2)
    for sim in (crossbar, digital):
        sim.run("50 ms")
    n = 0
    for pop in ("E", "I"):
        (ic, tc), (id_, td) = crossbar.spikes(pop), digital.spikes(pop)
        np.testing.assert_array_equal(tc, td, err_msg=pop)
        np.testing.assert_array_equal(ic, id_, err_msg=pop)
        n += len(td)
    assert n > 3000


def test_default_crossbar_brunel_rate_is_the_digital_rate():
    sc = memspike.load_scenario(EXAMPLES / "crossbar_brunel.toml", CROSSBAR_SMALL)
    crossbar = memspike.Simulation(sc, threads=2)
    digital = memspike.Simulation(sc.copy().set("backend", {"kind": "digital"}), threads=2)
    rates = []
    for sim in (crossbar, digital):
        sim.run("150 ms")
        _, t = sim.spikes("E")
        rates.append(np.count_nonzero(t >= 50.0) / 2000 / 0.1)
    # The network is chaotic, so the rasters decorrelate, and the rates of two runs differ like
    # those of two seeds. Seeds 1-4 and 12345 over [50, 150) ms: digital 38.9-43.1 Hz (spread 5 %),
    # crossbar / digital 0.90-1.09 (sd 0.07). 20 % is about 2.5 sd; it cannot resolve the default
    # device's +3.5 % (docs/crossbar.md), but an ADC that clips negative columns to 0 gives
    # several times the rate.
    assert rates[0] == pytest.approx(rates[1], rel=0.2), rates


def test_stdp_song_regulates_the_rate_and_drifts_towards_the_bounds():
    # Song, Miller & Abbott (2000): with alpha = A- tau- / A+ tau+ = 1.05 > 1, depression wins for
    # uncorrelated pairs, the weights are pushed towards the bounds, and the output rate becomes
    # nearly independent of the input rate (their Fig. 2). The full bimodal state (most weights
    # within 10 % of a bound) needs far longer than a test can run: the example measures 0.72 of
    # the weights within 20 % of a bound only after 300 s (20 s of wall time). So this checks the
    # first-order drift over 40 s (about 1 s of wall time per run).
    # At the start (uniform weights, mean 0.05 nS), Campbell gives a mean conductance of
    # 1000 x r_in x 0.05 nS x 5 ms: 3.75 nS at 15 Hz, 5 nS at 20 Hz, so
    # V_inf = -74 mV g_L / (g_L + g) = -53.8 mV (at threshold) and -49.3 mV (well above):
    # the 20 Hz input drives the neuron several times faster.
    early, late = {}, {}
    for r_in in ("15 Hz", "20 Hz"):
        sc = memspike.load_scenario(EXAMPLES / "stdp_song.toml", {"population.input.params.rate": r_in})
        sim = memspike.Simulation(sc)
        w0 = np.array(sim.weights("plastic")["weights"], dtype=float)
        sim.run("40 s")
        w = np.array(sim.weights("plastic")["weights"], dtype=float)
        _, t = sim.spikes("neuron")
        early[r_in] = np.count_nonzero(t < 2000.0) / 2.0
        late[r_in] = np.count_nonzero(t >= 30000.0) / 10.0
        # Seeds 1-4 and 2000: the fraction within 10 % of a bound grows from 0.19-0.23 (uniform;
        # binomial sd 0.013) by 0.11-0.13 (15 Hz) and 0.16-0.19 (20 Hz). A weight that does not
        # move, or an update that pulls towards the middle, fails this.
        near = lambda x: np.mean((x < 0.01) | (x > 0.09))
        assert near(w) > near(w0) + 0.06, (r_in, near(w0), near(w))
        if r_in == "20 Hz":
            # With the output well driven (125-153 Hz at first), the uncorrelated pairs dominate
            # and their net drift r_in r_out A+ tau (1 - alpha) is negative: the mean falls from
            # 0.049-0.052 to 0.037 nS in seeds 1-4 and 2000. (At 15 Hz the causal pairs nearly
            # cancel it: -0.001 to -0.003 nS, too little to test.) An alpha below 1, or a lost
            # depression trace, drives the mean up instead.
            assert w.mean() < w0.mean() - 0.005, (r_in, w0.mean(), w.mean())
    # Seeds 1-4 and 2000: first 2 s 26-51 Hz (15 Hz input) and 125-153 Hz (20 Hz), ratio 3.0-4.8;
    # 30-40 s: 22-25 Hz and 25-30 Hz, ratio 1.12-1.22. Before learning the ratio must be > 2,
    # after it within 30 % of 1.
    assert early["20 Hz"] > 2.0 * early["15 Hz"], early
    assert late["20 Hz"] == pytest.approx(late["15 Hz"], rel=0.3), late
