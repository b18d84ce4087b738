# SPDX-License-Identifier: MIT
"""The clock-driven loop. Tick t = 0 .. ticks−1, in this order (docs/models.md, scenario-format.md):
  1. modulator values and external-current changes due at t (a current acts from t on, i.e. on
     the interval (t, t+1]);
  2. the synaptic input of tick t is summed per neuron and port: Poisson drive events, and the
     spikes emitted at t − d arriving through synapses of delay d (a plastic synapse first
     applies its arrival (depression) update, then delivers the updated weight);
  3. every neuron advances to t and is tested against threshold;
  4. plastic synapses apply the post-spike (potentiation) update of the spikes of tick t;
  5. spikes of tick t are scheduled to arrive at t + d.
"""
from collections import defaultdict

import numpy as np

from . import crossbar, neurons, plasticity
from .scenario import connect


class Projection:
    def __init__(self, sc, spec, synapses=None):
        self.spec = spec
        h = sc["h"]
        if synapses is None:
            src, tgt, w, d_ms = connect(sc, spec)
            d = [int(round(x / h)) for x in d_ms]
        else:
            src, tgt, w, d = synapses
        self.src = np.asarray(src, dtype=np.int64)
        self.tgt = np.asarray(tgt, dtype=np.int64)
        # The synapse store holds weights in single precision (docs/testing.md, gaps).
        self.w = np.asarray(w, dtype=np.float32).astype(float)
        self.d = np.asarray(d, dtype=np.int64)
        if (self.d < 1).any():
            raise ValueError("a delay must be at least one tick")
        n_t = sc["populations"][spec["target_index"]]["size"]
        self.n_targets = n_t
        self.rule = None
        if "plasticity" in spec:
            self.rule = plasticity.make(spec["plasticity"], h, len(self.w), self.tgt, n_t)
        self.xbar = None
        if sc["backend"].get("kind", "digital") == "crossbar":
            if self.rule is not None:
                raise ValueError("plastic projections on the crossbar are noisy: not in the reference")
            self.xbar = crossbar.CrossbarProjection(sc["backend"], list(self.src), list(self.tgt),
                                                    list(self.w), list(self.d))
            self.w = self.xbar.held_weights(list(self.src), list(self.tgt), list(self.d))
        self.by_source = defaultdict(list)
        for j, s in enumerate(self.src):
            self.by_source[int(s)].append(j)


def external_events(sc, projs):
    """Current changes {tick: [(population, neurons, delta pA)]}, Poisson drives [(stimulus,
    neurons)] and modulator changes {tick: [(projection, value)]}."""
    currents, drives, mods = defaultdict(list), [], defaultdict(list)
    for st in sc["stimuli"]:
        n = sc["populations"][st["target_index"]]["size"]
        idx = np.arange(n) if st["neurons"] is None else np.asarray(st["neurons"], dtype=np.int64)
        if st["kind"] == "dc":
            currents[st["start"]].append((st["target_index"], idx, st["amplitude"]))
            if st["stop"] is not None:
                currents[st["stop"]].append((st["target_index"], idx, -st["amplitude"]))
        elif st["kind"] == "step":
            level = 0.0
            for k, a in zip(st["times"], st["amplitudes"]):
                currents[k].append((st["target_index"], idx, a - level))
                level = a
        elif st["kind"] == "poisson":
            drives.append((st, idx))
    by_name = {p.spec["name"]: p for p in projs}
    for m in sc["modulators"]:
        for k, v in zip(m["ticks"], m["values"]):
            for name in m["projections"]:
                mods[k].append((by_name[name], v))
    return currents, drives, mods


class Run:
    """One simulation; tick(t) is one step of the loop in the module docstring."""

    def __init__(self, sc, synapses, seed):
        self.sc, self.h = sc, sc["h"]
        self.rng = np.random.default_rng(seed)
        self.pops = [neurons.make(p, self.h, sc["tol"], self.rng) for p in sc["populations"]]
        self.names = [p["name"] for p in sc["populations"]]
        self.projs = [Projection(sc, j, synapses.get(j["name"])) for j in sc["projections"]]
        for k, proj in enumerate(self.projs):
            proj.index = k
        self.currents, self.drives, self.mods = external_events(sc, self.projs)
        self.arrivals = defaultdict(dict)   # tick -> {projection: [synapse indices]}
        self.spikes = {name: ([], []) for name in self.names}
        self.v = {name: [] for name, pop in zip(self.names, self.pops) if hasattr(pop, "v")}

    def tick(self, t):
        for proj in self.projs:
            if proj.rule is not None:
                if hasattr(proj.rule, "integrate"):
                    proj.rule.integrate(proj.w)   # stdp_reward: dw over (t-1, t]
                if t > 0:
                    proj.rule.tick(t)
        for proj, value in self.mods.get(t, []):
            proj.rule.set_modulator(value)
        for pop in self.pops:
            if hasattr(pop, "i_stim"):
                pop.i_now = pop.i_stim.copy()     # the current of (t-1, t]
        for pi, idx, delta in self.currents.get(t, []):
            self.pops[pi].i_stim[idx] += delta    # acts from (t, t+1] on
        inputs = [[np.zeros(p.n) for _ in range(max(p.ports, 1))] for p in self.pops]
        self.drive(t, inputs)
        self.deliver(t, inputs)
        fired = [pop.step(t, inputs[k]) for k, pop in enumerate(self.pops)]
        for name, pop in zip(self.names, self.pops):
            if name in self.v:
                self.v[name].append(pop.v.copy())
        for k, ids in enumerate(fired):
            if len(ids):
                self.emitted(t, k, ids)

    def drive(self, t, inputs):
        for st, idx in self.drives:
            if t < st["start"] or (st["stop"] is not None and t >= st["stop"]):
                continue
            lam = st["rate"] * self.h * 1e-3
            counts = np.full(idx.size, self.rng.poisson(lam)) if st["shared"] else self.rng.poisson(lam, idx.size)
            inputs[st["target_index"]][st["port"]][idx] += counts * st["weight"]

    def deliver(self, t, inputs):
        for proj, syn_list in sorted(self.arrivals.pop(t, {}).items(), key=lambda kv: kv[0].index):
            syn = np.array(syn_list, dtype=np.int64)
            if proj.rule is not None:
                if np.unique(syn).size != syn.size:
                    raise ValueError("two arrivals through one plastic synapse in a tick: not handled")
                proj.rule.on_pre(t, syn, proj.w)  # depression first, then the new weight is delivered
            buf = inputs[proj.spec["target_index"]][proj.spec["port"]]
            if proj.xbar is None:
                np.add.at(buf, proj.tgt[syn], proj.w[syn])
            else:
                rows = {proj.xbar.row_of[(int(proj.src[j]), int(proj.d[j]))] for j in syn}
                buf += proj.xbar.read(sorted(rows), proj.n_targets)

    def emitted(self, t, k, ids):
        self.spikes[self.names[k]][0].extend(int(i) for i in ids)
        self.spikes[self.names[k]][1].extend([t] * len(ids))
        for proj in self.projs:
            if proj.rule is not None and proj.spec["target_index"] == k:
                proj.rule.on_post(t, np.unique(ids), proj.w)
        for proj in self.projs:
            if proj.spec["source_index"] == k:
                for i in ids:
                    for j in proj.by_source.get(int(i), []):
                        self.arrivals[t + int(proj.d[j])].setdefault(proj, []).append(j)

    def finish(self, T):
        for proj in self.projs:
            if proj.rule is not None:
                if hasattr(proj.rule, "integrate"):
                    proj.rule.integrate(proj.w)   # up to the end of the run, as a final read
                proj.rule.finish(T, proj.w)
        return {
            "spikes": {k: (np.array(v[0], dtype=np.int64), np.array(v[1], dtype=np.int64)) for k, v in self.spikes.items()},
            "weights": {p.spec["name"]: (p.src, p.tgt, p.d, p.w) for p in self.projs},
            "v": {k: np.array(v) for k, v in self.v.items()},   # [tick, neuron], after the tick
        }


def simulate(sc, synapses=None, seed=0):
    """Runs scenario dict `sc` (scenario.load). `synapses`: optional {projection name:
    (sources, targets, weights, delay_ticks)} for projections memspike drew (read from its HDF5).
    Returns {"spikes": {pop: (ids, ticks)}, "weights": {proj: (src, tgt, delay_ticks, w)},
    "v": {pop: V[tick, neuron]}} (V of the LIF populations at every tick)."""
    run = Run(sc, synapses or {}, seed)
    for t in range(sc["ticks"]):
        run.tick(t)
    return run.finish(sc["ticks"])
