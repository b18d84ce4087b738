# SPDX-License-Identifier: MIT
"""Small scenarios whose every input is seed-independent: spike_source inputs with listed times,
explicit connection files (weights and delays per synapse), constant and step currents. The
numbers come from numpy's generator with a fixed seed, written into the files, so memspike and
the reference read the same values."""
import numpy as np


def q(x, unit):
    return f'"{x:.10g} {unit}"'


def spike_times(rng, n, duration_ms, rate_hz, h=0.1):
    """Per neuron, sorted distinct grid times."""
    out = []
    ticks = int(round(duration_ms / h))
    for _ in range(n):
        k = rng.binomial(ticks, rate_hz * h * 1e-3)
        t = np.sort(rng.choice(np.arange(1, ticks), size=k, replace=False))
        out.append([round(x * h, 6) for x in t])
    return out


def times_toml(times):
    return "[" + ", ".join("[" + ", ".join(f'"{t:g} ms"' for t in row) + "]" for row in times) + "]"


def write_csv(path, src, tgt, w, d_ms):
    with open(path, "w") as f:
        f.write("source,target,weight,delay\n")
        for a, b, c, e in zip(src, tgt, w, d_ms):
            f.write(f"{a},{b},{c:.6g},{e:g}\n")


def random_edges(rng, n_src, n_tgt, p, w_lo, w_hi, d_max_ticks, h=0.1, autapses=True, same=False):
    src, tgt = [], []
    for i in range(n_src):
        for j in range(n_tgt):
            if (autapses or not same or i != j) and rng.random() < p:
                src.append(i)
                tgt.append(j)
    w = rng.uniform(w_lo, w_hi, len(src))
    d = rng.integers(1, d_max_ticks + 1, len(src)) * h
    return src, tgt, w, d


# Per model: parameters, the ports with a (low, high) weight range per input, the weight unit.
MODELS = {
    "lif_delta": {
        "params": '{ tau_m = "20 ms", c_m = "250 pF", e_l = "0 mV", v_th = "20 mV", v_reset = "10 mV", t_ref = "2 ms" }',
        "ports": {None: (-6.0, 9.0)}, "unit": "mV", "rec": (-4.0, 6.0), "dc": 300.0,
    },
    "lif_exp": {
        "params": '{ tau_m = "10 ms", c_m = "250 pF", e_l = "-65 mV", v_th = "-50 mV", v_reset = "-65 mV", t_ref = "2 ms", tau_syn_ex = "2 ms", tau_syn_in = "5 ms" }',
        "ports": {"ex": (400.0, 1600.0), "in": (-500.0, -100.0)}, "unit": "pA", "rec": (100.0, 500.0), "dc": 300.0,
    },
    "lif_cond_exp": {
        "params": '{ c_m = "200 pF", g_l = "10 nS", e_l = "-70 mV", v_th = "-55 mV", v_reset = "-65 mV", t_ref = "3 ms", tau_syn_ex = "2 ms", tau_syn_in = "6 ms" }',
        "ports": {"ex": (5.0, 20.0), "in": (5.0, 30.0)}, "unit": "nS", "rec": (2.0, 10.0), "dc": 300.0,
    },
}


def neuron_network(tmp, model, seed=1, duration_ms=300.0, n_in=10, n=12, extra="", currents_on=None):
    """spike_source -> model (every port, explicit files with per-synapse weights and delays), a
    recurrent explicit projection, a bias current that makes two neurons fire on their own (B),
    and a dc window and a step current on some neurons of `currents_on`: population N (which
    receives synaptic input) or Q (same model, no synaptic input). The default is N for lif_delta
    and Q for the others, whose current changes during synaptic input memspike gets wrong (see
    test_refsim_neurons.py::test_current_change_during_synaptic_input)."""
    currents_on = currents_on or ("N" if model == "lif_delta" else "Q")
    rng = np.random.default_rng(seed)
    m = MODELS[model]
    parts = [f"""[simulation]
duration = "{duration_ms:g} ms"
resolution = "0.1 ms"
seed = 7

[[population]]
name = "in"
model = "spike_source"
spike_times = {times_toml(spike_times(rng, n_in, duration_ms, 30.0))}

[[population]]
name = "N"
model = "{model}"
size = {n}
params = {m["params"]}

[[population]]
name = "B"
model = "{model}"
size = 2
params = {m["params"][:-2]}, i_e = "{m['dc'] * 2:g} pA" }}

[[population]]
name = "Q"
model = "{model}"
size = 7
params = {m["params"]}
"""]
    for port, (lo, hi) in m["ports"].items():
        name = f"in_{port or 'v'}"
        write_csv(tmp / f"{name}.csv", *random_edges(rng, n_in, n, 0.6, lo, hi, 25))
        rec = f'receptor = "{port}"\n' if port else ""
        parts.append(f'[[projection]]\nname = "{name}"\nsource = "in"\ntarget = "N"\nrule = "explicit"\n'
                     f'file = "{name}.csv"\nweight = "0 {m["unit"]}"\ndelay = "1 ms"\n{rec}')
    lo, hi = m["rec"]
    first_port = next(iter(m["ports"]))
    rec = f'receptor = "{first_port}"\n' if first_port else ""
    write_csv(tmp / "rec.csv", *random_edges(rng, n, n, 0.2, lo, hi, 30, same=True, autapses=False))
    parts.append(f'[[projection]]\nname = "rec"\nsource = "N"\ntarget = "N"\nrule = "explicit"\n'
                 f'file = "rec.csv"\nweight = "0 {m["unit"]}"\ndelay = "1 ms"\n{rec}')
    write_csv(tmp / "bn.csv", [0, 1, 1], [2, 3, 9], [hi, hi, hi], [0.5, 1.7, 0.1])
    parts.append(f'[[projection]]\nname = "bias_to_N"\nsource = "B"\ntarget = "N"\nrule = "explicit"\n'
                 f'file = "bn.csv"\nweight = "0 {m["unit"]}"\ndelay = "1 ms"\n{rec}')
    parts.append(f"""[[stimulus]]
name = "window"
kind = "dc"
target = "{currents_on}"
neurons = [0, 1, 2, 3]
amplitude = "{m['dc']:g} pA"
start = "40 ms"
stop = "120.3 ms"

[[stimulus]]
name = "steps"
kind = "step"
target = "{currents_on}"
neurons = [4, 5, 6]
times = ["10 ms", "50.1 ms", "90 ms"]
amplitudes = ["{m['dc'] * 1.5:g} pA", "-100 pA", "{m['dc'] * 0.5:g} pA"]
""")
    parts.append(extra)
    path = tmp / f"{model}.toml"
    path.write_text("\n".join(parts))
    return path
