# SPDX-License-Identifier: MIT
"""NIR test graphs and an independent reference for tests/python/test_nir_*.py.

`write_graph` writes a NIR file with h5py in the layout of the NIR reference implementation
(github.com/neuromorphs/NIR, nir/serialization.py): a string dataset `version`, a group `node` with
`type` = "NIRGraph", a group `nodes` (one group per node: its `type` and one dataset per parameter)
and `edges`, an N x 2 array of node names.

`simulate` evaluates the NIR ODEs of the same graph with numpy on the run's tick grid, node by
node (matrix products, convolutions by shifted slices, pooling by sums), sharing no code with
memspike's lowering (which multiplies every path out into explicit synapses). The discretisation
is the one docs/nir.md states: spikes are Dirac deltas; each synaptic hop takes one tick (a spike
emitted at tick t acts at t + 1 + the path's Delay in ticks); between ticks the linear ODEs are
solved exactly; a neuron's input of a tick jumps v (LIF, IF, LI, I) or I (CubaLIF) at that tick,
then v >= v_threshold spikes and resets v to v_reset; a Threshold compares the current averaged over
the tick with its threshold; biases are constant currents from t = 0 (a
CubaLIF's synaptic current starts at the bias's steady state); every state starts at 0.
"""
import h5py
import numpy as np

NEURONS = ("LIF", "CubaLIF", "IF", "LI", "I", "Threshold")


def write_graph(path, nodes, edges, byte_edges=False):
    """nodes: {name: {"type": str, param: array-like or str}}; edges: [(source, target)]."""
    with h5py.File(path, "w") as f:
        f.create_dataset("version", data="1.0.0")
        root = f.create_group("node")
        root.create_dataset("type", data="NIRGraph")
        g = root.create_group("nodes")
        for name, params in nodes.items():
            n = g.create_group(name)
            for k, v in params.items():
                n.create_dataset(k, data=v if isinstance(v, str) else np.asarray(v))
        if byte_edges:  # fixed-length byte strings, as numpy 'S' arrays are written
            root.create_dataset("edges", data=np.array(edges, dtype="S"))
        else:
            root.create_dataset("edges", data=[tuple(e) for e in edges])


def _pair(v):
    v = np.atleast_1d(np.asarray(v)).astype(int)
    return (int(v[0]), int(v[-1]))


def _window(x, w, stride, pad, dil, groups):
    """Cross-correlation of x (C, H, W) with w (Co, C/groups, kh, kw), as torch.nn.Conv2d."""
    c_in, h, wd = x.shape
    co, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    oh = (h + 2 * pad[0] - dil[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (wd + 2 * pad[1] - dil[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((co, oh, ow))
    per = co // groups
    for o in range(co):
        g0 = (o // per) * cg
        for ky in range(kh):
            for kx in range(kw):
                y0, x0 = ky * dil[0], kx * dil[1]
                patch = xp[g0:g0 + cg, y0:y0 + stride[0] * (oh - 1) + 1:stride[0], x0:x0 + stride[1] * (ow - 1) + 1:stride[1]]
                out[o] += np.tensordot(w[o, :, ky, kx], patch, axes=(0, 0))
    return out


def _apply(node, x, with_bias):
    """A stateless node on x (its input, shaped), with or without its constant bias."""
    t = node["type"]
    if t in ("Affine", "Linear"):
        y = np.asarray(node["weight"], float) @ x.reshape(-1)
        return y + np.asarray(node["bias"], float) if (t == "Affine" and with_bias) else y
    if t == "Scale":
        return np.asarray(node["scale"], float) * x
    if t == "Flatten":
        return x.reshape(-1)
    if t in ("Conv1d", "Conv2d"):
        w = np.asarray(node["weight"], float)
        one = t == "Conv1d"
        if one:
            w, x = w[:, :, None, :], x[:, None, :]
        st, pd, dl = (_pair(node.get(k, 1 if k != "padding" else 0)) for k in ("stride", "padding", "dilation"))
        if one:
            st, pd, dl = (1, st[1]), (0, pd[1]), (1, dl[1])
        y = _window(x, w, st, pd, dl, int(np.asarray(node.get("groups", 1))))
        if with_bias and "bias" in node:
            y += np.asarray(node["bias"], float)[:, None, None]
        return y[:, 0, :] if one else y
    if t in ("SumPool2d", "AvgPool2d"):
        k, st, pd = _pair(node["kernel_size"]), _pair(node["stride"]), _pair(node["padding"])
        c = x.shape[0]
        w = np.zeros((c, 1, k[0], k[1]))
        w[:] = 1.0 / (k[0] * k[1]) if t == "AvgPool2d" else 1.0
        return _window(x, w, st, pd, (1, 1), c)
    raise ValueError(t)


def _shape(node):
    t = node["type"]
    key = {"LIF": "tau", "LI": "tau", "CubaLIF": "tau_mem", "IF": "r", "I": "r", "Threshold": "threshold"}[t]
    return np.asarray(node[key]).shape or (1,)


def simulate(nodes, edges, inputs, ticks, h_ms, unit_ms=1000.0):
    """inputs: {Input node: bool[ticks, n] spikes}. Returns ({neuron node: bool[ticks, n] spikes},
    {neuron node: float[ticks, n] v after the tick's update})."""
    preds = {n: [a for a, b in edges if b == n] for n in nodes}
    delay_ticks = {n: np.rint(np.asarray(p["delay"], float) * unit_ms / h_ms).astype(int)
                   for n, p in nodes.items() if p["type"] == "Delay"}
    spikes = {n: np.zeros((ticks, *np.asarray(p["shape"]).astype(int))) for n, p in nodes.items() if p["type"] == "Input"}
    for n, s in inputs.items():
        spikes[n][:] = s.reshape(spikes[n].shape)
    for n, p in nodes.items():
        if p["type"] in NEURONS:
            spikes[n] = np.zeros((ticks, *_shape(p)))

    def out(n, t, with_bias):
        """What node n sends at tick t: spikes of a population (0 for the bias pass), or its map."""
        p = nodes[n]
        if p["type"] in NEURONS or p["type"] == "Input":
            return spikes[n][t] if (t >= 0 and not with_bias) else np.zeros(spikes[n].shape[1:])
        if p["type"] == "Delay":
            d = delay_ticks[n]
            ins = [sum(out(q, t - int(k), with_bias) for q in preds[n]) for k in np.unique(d)]
            y = np.zeros_like(ins[0])
            for k, xi in zip(np.unique(d), ins):
                y = np.where(np.broadcast_to(d, y.shape) == k, xi, y)
            return y
        return _apply(p, sum(out(q, t, with_bias) for q in preds[n]), with_bias)

    h = h_ms / unit_ms
    v_out = {}
    state = {}
    for n, p in nodes.items():
        if p["type"] not in NEURONS:
            continue
        bias = sum(out(q, 0, True) for q in preds[n]) if preds[n] else 0.0
        state[n] = {"v": np.zeros(_shape(p)), "i": np.zeros(_shape(p)), "c": np.broadcast_to(bias, _shape(p)).astype(float)}
        v_out[n] = np.zeros((ticks, *_shape(p)))
    for t in range(ticks):
        for n, s in state.items():
            p = nodes[n]
            typ = p["type"]
            x = sum(out(q, t - 1, False) for q in preds[n]) if (preds[n] and t >= 1) else 0.0
            r = np.asarray(p.get("r", 1.0), float)
            if typ == "Threshold":  # H(mean current over the tick - threshold), the tick's mean in h units
                s["v"] = x + (h * s["c"] if t > 0 else 0)
                fire = s["v"] >= np.asarray(p["threshold"], float) * h
                spikes[n][t] = fire
                v_out[n][t] = s["v"]
                continue
            if typ in ("LIF", "LI"):
                tau, vl = np.asarray(p["tau"], float), np.asarray(p["v_leak"], float)
                v_inf = vl + r * s["c"]
                s["v"] = v_inf + (s["v"] - v_inf) * np.exp(-h / tau) if t > 0 else s["v"]
                s["v"] = s["v"] + r / tau * x
            elif typ in ("IF", "I"):
                s["v"] = s["v"] + (h * r * s["c"] if t > 0 else 0) + r * x
            else:  # CubaLIF
                tm, ts = np.asarray(p["tau_mem"], float), np.asarray(p["tau_syn"], float)
                vl, w_in = np.asarray(p["v_leak"], float), np.asarray(p.get("w_in", 1.0), float)
                if t > 0:
                    v_inf = vl + r * w_in * s["c"]
                    a = 1 / ts - 1 / tm
                    integral = -np.expm1(-a * h) / a if np.all(np.abs(a * h) > 1e-12) else h
                    s["v"] = v_inf + (s["v"] - v_inf) * np.exp(-h / tm) + r * s["i"] / tm * np.exp(-h / tm) * integral
                    s["i"] = s["i"] * np.exp(-h / ts)
                s["i"] = s["i"] + w_in * x / ts
            if typ in ("LIF", "IF", "CubaLIF"):
                fire = s["v"] >= np.asarray(p["v_threshold"], float)
                spikes[n][t] = fire
                s["v"] = np.where(fire, np.asarray(p.get("v_reset", 0.0), float), s["v"])
            v_out[n][t] = s["v"]
    flat = lambda a: a.reshape(a.shape[0], -1)
    return ({n: flat(spikes[n]).astype(bool) for n in state}, {n: flat(v_out[n]) for n in state})


def spike_times(raster, h_ms):
    """bool[ticks, n] -> one list of times in ms per neuron, for spike_source's spike_times."""
    return [[f"{t * h_ms:.6g} ms" for t in np.flatnonzero(raster[:, j])] for j in range(raster.shape[1])]
