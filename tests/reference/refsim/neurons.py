# SPDX-License-Identifier: MIT
"""Clock-driven neuron models, one tick at a time, written from docs/models.md and the model
equations (not from models/neurons/*.cpp). Every population holds numpy arrays; step(t, inputs)
returns the indices that spike at tick t.

Conventions (docs/models.md "Semantics shared by all models"):
- V(0) is the initial value; the membrane moves from tick 1 on.
- An external current changed at tick t acts on the interval (t, t+1] (docs: "from tick t on",
  made precise in docs/testing.md).
- Refractoriness: a spike at tick s clamps V to V_reset on ticks s+1 .. s+n_ref; integration
  restarts from V_reset at s+n_ref+1. lif_delta drops input while refractory; the exponential
  models keep integrating their synaptic variables.
"""
import math

import numpy as np


class Membrane:
    """What all LIF models share: V, the refractory clock, the external current."""

    def __init__(self, pop, h):
        p = pop["params"]
        self.p, self.h, self.n = p, h, pop["size"]
        self.tau_m = p["tau_m"]
        n_ref = p["t_ref"] / h
        self.n_ref = int(round(n_ref))
        self.v = np.full(self.n, pop["init"].get("v", p["e_l"]), dtype=float)
        self.ref_end = np.full(self.n, -1, dtype=np.int64)   # last clamped tick
        self.i_stim = np.zeros(self.n)                        # pA, on the coming interval
        self.i_now = np.zeros(self.n)                         # pA, on the interval ending now

    def v_inf(self, current):
        # tau_m dV/dt = -(V - E_L) + tau_m I / C_m  ->  fixed point E_L + tau_m I / C_m
        return self.p["e_l"] + self.tau_m * (self.p["i_e"] + current) / self.p["c_m"]

    def free(self, t):
        """Neurons that integrate on the interval (t-1, t]: not clamped at t."""
        return self.ref_end < t

    def fire(self, t, mask):
        idx = np.flatnonzero(mask)
        self.v[idx] = self.p["v_reset"]
        self.ref_end[idx] = t + self.n_ref
        return idx


class LifDelta(Membrane):
    ports = 1

    def step(self, t, inputs):
        free = self.free(t)
        if t > 0:
            vi = self.v_inf(self.i_now)
            decay = math.exp(-self.h / self.tau_m)
            self.v = np.where(free, vi + (self.v - vi) * decay, self.v)
        self.v = np.where(free, self.v + inputs[0], self.v)  # input while refractory is dropped
        return self.fire(t, free & (self.v >= self.p["v_th"]))


def current_kernel(h, tau_m, tau_s, c_m):
    """mV added at the end of a tick by 1 pA of synaptic current at its start, decaying with tau_s:
    (1/C) int_0^h exp(-(h-s)/tau_m) exp(-s/tau_s) ds."""
    if tau_s == tau_m:
        return h * math.exp(-h / tau_m) / c_m
    a = 1.0 / tau_m - 1.0 / tau_s
    return (math.exp(-h / tau_s) - math.exp(-h / tau_m)) / (a * c_m)


class LifExp(Membrane):
    ports = 2

    def __init__(self, pop, h, tol):
        super().__init__(pop, h)
        p = self.p
        self.tol = tol
        self.syn = [np.full(self.n, pop["init"].get("i_ex", 0.0)), np.full(self.n, pop["init"].get("i_in", 0.0))]
        self.tau_s = [p["tau_syn_ex"], p["tau_syn_in"]]
        self.k = [current_kernel(h, self.tau_m, ts, p["c_m"]) for ts in self.tau_s]

    def step(self, t, inputs):
        free = self.free(t)
        if t > 0:
            vi = self.v_inf(self.i_now)
            v = vi + (self.v - vi) * math.exp(-self.h / self.tau_m)
            for x, k in zip(self.syn, self.k):
                v = v + k * x
            self.v = np.where(free, v, self.v)
            self.syn = [x * math.exp(-self.h / ts) for x, ts in zip(self.syn, self.tau_s)]
            quiet(self.syn, self.tol)
        spikes = self.fire(t, free & (self.v >= self.p["v_th"]))
        self.syn = [x + inp for x, inp in zip(self.syn, inputs)]  # moves V from t+1 on
        return spikes


def quiet(syn, tol):
    """docs/models.md, Quiescence: a neuron whose synaptic variables are all below tol has them
    set to zero (then its V is advanced exactly)."""
    q = np.ones(syn[0].shape, dtype=bool)
    for x in syn:
        q &= np.abs(x) < tol
    for x in syn:
        x[q] = 0.0


class LifCondExp(Membrane):
    ports = 2

    def __init__(self, pop, h, tol):
        super().__init__(pop, h)
        self.tol = tol
        self.syn = [np.full(self.n, pop["init"].get("g_ex", 0.0)), np.full(self.n, pop["init"].get("g_in", 0.0))]
        self.tau_s = [self.p["tau_syn_ex"], self.p["tau_syn_in"]]

    def dvdt(self, v, gex, gin, cur):
        p = self.p
        return (p["g_l"] * (p["e_l"] - v) + gex * (p["e_ex"] - v) + gin * (p["e_in"] - v)
                + p["i_e"] + cur) / p["c_m"]

    def step(self, t, inputs):
        free = self.free(t)
        if t > 0:
            h = self.h
            ge, gi = self.syn
            half = [math.exp(-0.5 * h / ts) for ts in self.tau_s]
            full = [math.exp(-h / ts) for ts in self.tau_s]
            # docs/models.md: one classical RK4 step per tick, conductances exact at 0, h/2, h;
            # exact when no conductance is left.
            cur = self.i_now
            k1 = self.dvdt(self.v, ge, gi, cur)
            k2 = self.dvdt(self.v + 0.5 * h * k1, ge * half[0], gi * half[1], cur)
            k3 = self.dvdt(self.v + 0.5 * h * k2, ge * half[0], gi * half[1], cur)
            k4 = self.dvdt(self.v + h * k3, ge * full[0], gi * full[1], cur)
            rk4 = self.v + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
            vi = self.v_inf(cur)
            exact = vi + (self.v - vi) * math.exp(-h / self.tau_m)
            passive = (ge == 0.0) & (gi == 0.0)
            self.v = np.where(free, np.where(passive, exact, rk4), self.v)
            self.syn = [ge * full[0], gi * full[1]]
            quiet(self.syn, self.tol)
        spikes = self.fire(t, free & (self.v >= self.p["v_th"]))
        self.syn = [x + inp for x, inp in zip(self.syn, inputs)]
        return spikes


class SpikeSource:
    ports = 0

    def __init__(self, pop):
        self.n = pop["size"]
        self.at = {}
        for i, row in enumerate(pop["spike_ticks"]):
            for k in row:
                self.at.setdefault(k, []).append(i)

    def step(self, t, inputs):
        return np.array(sorted(self.at.get(t, [])), dtype=np.int64)


class PoissonSource:
    """Independent Poisson processes (docs/models.md) with the reference's own generator:
    the count in each tick of [start, stop) is Poisson(rate h)."""
    ports = 0

    def __init__(self, pop, h, rng):
        self.n, self.rng = pop["size"], rng
        p = pop["params"]
        self.lam = p["rate"] * h * 1e-3
        self.start = int(round(p["start"] / h))
        self.stop = math.inf if p["stop"] == math.inf else int(round(p["stop"] / h))

    def step(self, t, inputs):
        if t < self.start or t >= self.stop:
            return np.zeros(0, dtype=np.int64)
        counts = self.rng.poisson(self.lam, self.n)
        return np.repeat(np.arange(self.n), counts)


def make(pop, h, tol, rng):
    model = pop["model"]
    if model == "lif_delta":
        return LifDelta(pop, h)
    if model == "lif_exp":
        return LifExp(pop, h, tol)
    if model == "lif_cond_exp":
        return LifCondExp(pop, h, tol)
    if model == "spike_source":
        return SpikeSource(pop)
    if model == "poisson_source":
        return PoissonSource(pop, h, rng)
    raise ValueError(f"unknown model {model}")
