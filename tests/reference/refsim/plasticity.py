# SPDX-License-Identifier: MIT
"""Plasticity rules, per synapse and per tick, from the equations in docs/scenario-format.md
("Plastic projections") and the delay convention there: the whole delay is axonal, so a pair's
Δt = t_post − (t_pre + delay); Δt >= 0 potentiates (an arrival and a post spike in the same tick
count as pre-before-post), Δt < 0 depresses.

Every synapse keeps its own traces (the engine shares them per (source, delay) range, which gives
the same values). Traces decay one tick at a time. Weights are held in single precision, as the
engine's synapse store holds them (see docs/testing.md, documentation gaps)."""
import math

import numpy as np


def f32(x):
    return np.asarray(x, dtype=np.float32).astype(np.float64)


class PairRule:
    """stdp and stdp_power_law: a pre trace x (tau_plus) per synapse, a post trace y (tau_minus)
    per target; at an arrival w <- w − F−(w) y, at a post spike w <- w + F+(w) x; bounds clip."""

    def __init__(self, rule, params, interaction, h, n_syn, targets, n_targets):
        self.rule, self.p = rule, params
        self.nearest = interaction == "nearest"
        self.dx = math.exp(-h / params["tau_plus"])
        self.dy = math.exp(-h / params["tau_minus"])
        self.x = np.zeros(n_syn)
        self.y = np.zeros(n_targets)
        self.targets = targets

    def f_plus(self, w):
        p = self.p
        if self.rule == "stdp":
            return p["lambda"] * p["w_max"] * np.maximum(0.0, 1.0 - w / p["w_max"]) ** p["mu_plus"]
        return p["lambda"] * p["w_0"] ** (1.0 - p["mu"]) * np.maximum(0.0, w) ** p["mu"]

    def f_minus(self, w):
        p = self.p
        if self.rule == "stdp":
            base = (w - p["depression_offset"]) / p["w_max"]  # docs/scenario-format.md, "stdp in full"
            return p["lambda"] * p["alpha"] * p["w_max"] * np.maximum(0.0, base) ** p["mu_minus"]
        return p["lambda"] * p["alpha"] * w

    def clip(self, w):
        return f32(np.clip(w, self.p["w_min"], self.p["w_max"]))

    def tick(self, t):
        self.x *= self.dx
        self.y *= self.dy

    def on_pre(self, t, syn, w):
        y = self.y[self.targets[syn]]
        w[syn] = self.clip(w[syn] - self.f_minus(w[syn]) * y)
        self.x[syn] = 1.0 if self.nearest else self.x[syn] + 1.0

    def on_post(self, t, neurons, w):
        syn = np.flatnonzero(np.isin(self.targets, neurons))
        w[syn] = self.clip(w[syn] + self.f_plus(w[syn]) * self.x[syn])
        self.y[neurons] = 1.0 if self.nearest else self.y[neurons] + 1.0

    def finish(self, t, w):
        pass


class TripletRule:
    """Pfister & Gerstner (2006): r1 (tau_plus), r2 (tau_x) per synapse, o1 (tau_minus), o2 (tau_y)
    per target; arrival: w <- w − o1 (A2− + A3− r2), post: w <- w + r1 (A2+ + A3+ o2), with r2 and o2
    read before their own jump."""

    def __init__(self, params, interaction, h, n_syn, targets, n_targets):
        self.p = params
        self.nearest = interaction == "nearest"
        self.d = {k: math.exp(-h / params[k]) for k in ("tau_plus", "tau_x", "tau_minus", "tau_y")}
        self.r1, self.r2 = np.zeros(n_syn), np.zeros(n_syn)
        self.o1, self.o2 = np.zeros(n_targets), np.zeros(n_targets)
        self.targets = targets

    def tick(self, t):
        self.r1 *= self.d["tau_plus"]
        self.r2 *= self.d["tau_x"]
        self.o1 *= self.d["tau_minus"]
        self.o2 *= self.d["tau_y"]

    def jump(self, trace, idx):
        trace[idx] = 1.0 if self.nearest else trace[idx] + 1.0

    def clip(self, w):
        return f32(np.clip(w, self.p["w_min"], self.p["w_max"]))

    def on_pre(self, t, syn, w):
        p = self.p
        o1 = self.o1[self.targets[syn]]
        w[syn] = self.clip(w[syn] - o1 * (p["a2_minus"] + p["a3_minus"] * self.r2[syn]))
        self.jump(self.r1, syn)
        self.jump(self.r2, syn)

    def on_post(self, t, neurons, w):
        p = self.p
        syn = np.flatnonzero(np.isin(self.targets, neurons))
        o2 = self.o2[self.targets[syn]]
        w[syn] = self.clip(w[syn] + self.r1[syn] * (p["a2_plus"] + p["a3_plus"] * o2))
        self.jump(self.o1, neurons)
        self.jump(self.o2, neurons)

    def finish(self, t, w):
        pass


class RewardRule:
    """Three-factor STDP: pairs move an eligibility c per synapse (c += a_plus x at a post spike,
    c −= a_minus y at an arrival; c decays with tau_c), and dw/dt = (m − baseline) c / tau_c with
    m the modulator (0 before its first time). Integrated exactly over each tick (c is an
    exponential between ticks): Δw = (m − b) c (1 − e^{−h/τc}), then the bounds; the weight a
    synapse delivers is the one the equation gives at that tick.

    memspike applies this lazily (weights move only when the modulator changes and when they are
    read), which delivers stale weights in between: see docs/testing.md, engine bug 3."""

    def __init__(self, params, interaction, h, n_syn, targets, n_targets):
        self.p = params
        self.nearest = interaction == "nearest"
        self.dx = math.exp(-h / params["tau_plus"])
        self.dy = math.exp(-h / params["tau_minus"])
        self.dc = math.exp(-h / params["tau_c"])
        self.x, self.c = np.zeros(n_syn), np.zeros(n_syn)
        self.y = np.zeros(n_targets)
        self.targets = targets
        self.m = 0.0

    def integrate(self, w):
        """The weight change over the tick that ends now, from the eligibility at its start."""
        gain = self.m - self.p["baseline"]
        moved = (self.c != 0.0) & (gain != 0.0)
        w[moved] = f32(np.clip(w[moved] + gain * self.c[moved] * (1.0 - self.dc), self.p["w_min"], self.p["w_max"]))
        self.c *= self.dc

    def tick(self, t):
        self.x *= self.dx
        self.y *= self.dy

    def set_modulator(self, value):
        self.m = value

    def on_pre(self, t, syn, w):
        self.c[syn] -= self.p["a_minus"] * self.y[self.targets[syn]]
        self.x[syn] = 1.0 if self.nearest else self.x[syn] + 1.0

    def on_post(self, t, neurons, w):
        syn = np.flatnonzero(np.isin(self.targets, neurons))
        self.c[syn] += self.p["a_plus"] * self.x[syn]
        self.y[neurons] = 1.0 if self.nearest else self.y[neurons] + 1.0

    def finish(self, t, w):
        pass


def make(pl, h, n_syn, targets, n_targets):
    rule = pl["rule"]
    if rule in ("stdp", "stdp_power_law"):
        return PairRule(rule, pl["params"], pl["interaction"], h, n_syn, targets, n_targets)
    if rule == "stdp_triplet":
        return TripletRule(pl["params"], pl["interaction"], h, n_syn, targets, n_targets)
    if rule == "stdp_reward":
        return RewardRule(pl["params"], pl["interaction"], h, n_syn, targets, n_targets)
    raise ValueError(f"unknown rule {rule}")
