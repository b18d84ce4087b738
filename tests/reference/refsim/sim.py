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
                                                    list(self.w), list(self.d), n_t)
            self.w = self.xbar.held_weights(list(self.src), list(self.tgt), list(self.d))
        self.by_source = defaultdict(list)
        for j, s in enumerate(self.src):
            self.by_source[int(s)].append(j)


def simulate(sc, synapses=None, seed=0):
    """Runs scenario dict `sc` (scenario.load). `synapses`: optional {projection name:
    (sources, targets, weights, delay_ticks)} for projections memspike drew (read from its HDF5).
    Returns {"spikes": {pop: (ids, ticks)}, "weights": {proj: (src, tgt, delay_ticks, w)},
    "v": {pop: V[tick, neuron]}} (V of the LIF populations at every tick)."""
    synapses = synapses or {}
    h, T = sc["h"], sc["ticks"]
    rng = np.random.default_rng(seed)
    pops = [neurons.make(p, h, sc["tol"], rng) for p in sc["populations"]]
    projs = [Projection(sc, j, synapses.get(j["name"])) for j in sc["projections"]]
    for k, proj in enumerate(projs):
        proj.index = k
    by_name = {p.spec["name"]: p for p in projs}
    currents = defaultdict(list)   # tick -> (population, neuron indices, delta pA)
    drives = []
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
    mod_events = defaultdict(list)
    for m in sc["modulators"]:
        for k, v in zip(m["ticks"], m["values"]):
            for name in m["projections"]:
                mod_events[k].append((by_name[name], v))
    arrivals = defaultdict(dict)   # tick -> {projection: [synapse indices]}
    spikes = {p["name"]: ([], []) for p in sc["populations"]}
    v_trace = {p["name"]: [] for p, pop in zip(sc["populations"], pops) if hasattr(pop, "v")}

    for t in range(T):
        for proj in projs:
            if proj.rule is not None:
                if hasattr(proj.rule, "integrate"):
                    proj.rule.integrate(proj.w)
                if t > 0:
                    proj.rule.tick(t)
        for proj, v in mod_events.get(t, []):
            proj.rule.set_modulator(v)
        for pop in pops:
            if hasattr(pop, "i_stim"):
                pop.i_now = pop.i_stim.copy()
        for pi, idx, delta in currents.get(t, []):
            pops[pi].i_stim[idx] += delta
        inputs = [[np.zeros(p.n) for _ in range(max(p.ports, 1))] for p in pops]
        for st, idx in drives:
            if t < st["start"] or (st["stop"] is not None and t >= st["stop"]):
                continue
            lam = st["rate"] * h * 1e-3
            if st["shared"]:
                counts = np.full(idx.size, rng.poisson(lam))
            else:
                counts = rng.poisson(lam, idx.size)
            inputs[st["target_index"]][st["port"]][idx] += counts * st["weight"]
        for proj, syn_list in sorted(arrivals.pop(t, {}).items(), key=lambda kv: kv[0].index):
            syn = np.array(syn_list, dtype=np.int64)
            if proj.rule is not None:
                if np.unique(syn).size != syn.size:
                    raise ValueError("two arrivals through one plastic synapse in a tick: not handled")
                proj.rule.on_pre(t, syn, proj.w)
            buf = inputs[proj.spec["target_index"]][proj.spec["port"]]
            if proj.xbar is None:
                np.add.at(buf, proj.tgt[syn], proj.w[syn])
            else:
                rows = [proj.xbar.row_of[(int(proj.src[j]), int(proj.d[j]))] for j in syn]
                got, _ = proj.xbar.read(sorted(set(rows)), proj.n_targets)
                buf += got
        fired = [pop.step(t, inputs[k]) for k, pop in enumerate(pops)]
        for p, pop in zip(sc["populations"], pops):
            if p["name"] in v_trace:
                v_trace[p["name"]].append(pop.v.copy())
        for k, ids in enumerate(fired):
            if len(ids) == 0:
                continue
            name = sc["populations"][k]["name"]
            spikes[name][0].extend(int(i) for i in ids)
            spikes[name][1].extend([t] * len(ids))
            for proj in projs:
                if proj.rule is not None and proj.spec["target_index"] == k:
                    proj.rule.on_post(t, np.unique(ids), proj.w)
            for proj in projs:
                if proj.spec["source_index"] != k:
                    continue
                for i in ids:
                    for j in proj.by_source.get(int(i), []):
                        arrivals[t + int(proj.d[j])].setdefault(proj, []).append(j)
    for proj in projs:
        if proj.rule is not None:
            if hasattr(proj.rule, "integrate"):
                proj.rule.integrate(proj.w)
            proj.rule.finish(T, proj.w)
    return {
        "spikes": {k: (np.array(v[0], dtype=np.int64), np.array(v[1], dtype=np.int64)) for k, v in spikes.items()},
        "weights": {p.spec["name"]: (p.src, p.tgt, p.d, p.w) for p in projs},
        "v": {k: np.array(v) for k, v in v_trace.items()},   # [tick, neuron], after the tick
    }
