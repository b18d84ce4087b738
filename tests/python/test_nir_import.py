# SPDX-License-Identifier: MIT
"""NIR import (issue 18): one graph per primitive and small convolutional networks, written with
h5py in the layout of the NIR specification, run by memspike, and compared with an independent
numpy evaluation of the NIR ODEs at the same resolution (nir_support.simulate)."""
import numpy as np
import pytest

import memspike
import memspike.nir

from nir_support import simulate, spike_times, write_graph

H = 0.1        # resolution [ms]
TICKS = 400    # 40 ms


def run_both(tmp_path, nodes, edges, seed=1, rate=0.15, byte_edges=False, ticks=TICKS):
    """Writes the graph, drives every Input with random spikes, runs memspike and the reference.
    Returns (memspike spikes, reference spikes, memspike v of read-outs, reference v)."""
    path = tmp_path / "g.nir"
    write_graph(path, nodes, edges, byte_edges)
    rng = np.random.default_rng(seed)
    inputs = {n: rng.random((ticks, int(np.prod(p["shape"])))) < rate for n, p in nodes.items() if p["type"] == "Input"}
    ref_spikes, ref_v = simulate(nodes, edges, inputs, ticks, H)

    sc = memspike.nir.load(path, resolution=f"{H} ms", workdir=tmp_path / "lowered")
    sc.simulation(duration=f"{ticks * H} ms")
    for n, raster in inputs.items():
        sc.set(f"population.{n}.spike_times", spike_times(raster, H))
    readouts = [p["population"] for p in sc.nir["populations"] if not p["spiking"]]
    sc.record(spikes="all", traces=[{"population": p, "variables": ["v"], "interval": f"{H} ms"} for p in readouts])
    sim = memspike.Simulation(sc)
    sim.run()
    got_spikes, got_v = {}, {}
    for p in sc.nir["populations"]:  # a node whose parameters differ is several populations: reassembled
        n = ref_spikes[p["node"]].shape[1]
        cols = p["indices"] or list(range(n))
        raster = got_spikes.setdefault(p["node"], np.zeros((ticks, n), bool))
        ids, tk = sim.spike_ticks(p["population"])
        raster[np.asarray(tk), np.asarray(cols, dtype=np.int64)[np.asarray(ids, dtype=np.int64)]] = True
        if not p["spiking"]:
            ticks_v, values = sim.traces(p["population"], "v")
            v = got_v.setdefault(p["node"], np.full((ticks, n), np.nan))
            v[np.ix_(np.asarray(ticks_v), cols)] = values
    return got_spikes, ref_spikes, got_v, ref_v


def assert_same_spikes(got, ref, at_least=5):
    for n in ref:
        if n not in got:
            continue
        diff = np.argwhere(got[n] != ref[n])
        assert diff.size == 0, f"node {n}: first differing (tick, neuron) {diff[:5].tolist()}; " \
                               f"memspike {got[n].sum()} spikes, reference {ref[n].sum()}"
        assert ref[n].sum() >= at_least, f"node {n}: only {ref[n].sum()} spikes, the test would prove little"


def dense(kind, n_in=6, n_out=4, seed=0):
    """Input -> Affine or Linear -> "cell" (filled in by the test) -> Output."""
    rng = np.random.default_rng(seed)
    nodes = {"input": {"type": "Input", "shape": np.array([n_in])},
             "fc": {"type": kind, "weight": rng.uniform(-0.2, 0.6, (n_out, n_in))},
             "cell": None,
             "output": {"type": "Output", "shape": np.array([n_out])}}
    if kind == "Affine":
        nodes["fc"]["bias"] = rng.uniform(-2, 8, n_out)
    return nodes, [("input", "fc"), ("fc", "cell"), ("cell", "output")]


def full(n, v):
    return np.full(n, v, float)


def test_lif_affine_matches_reference(tmp_path):
    # r = tau: a unit of weight is a 1 mV jump; the bias is a constant current r * b.
    nodes, edges = dense("Affine")
    nodes["cell"] = {"type": "LIF", "tau": full(4, 0.02), "r": full(4, 0.02), "v_leak": full(4, 0.1),
                     "v_threshold": full(4, 1.0), "v_reset": full(4, -0.2)}
    got, ref, _, _ = run_both(tmp_path, nodes, edges)
    assert_same_spikes(got, ref)


def test_cubalif_matches_reference(tmp_path):
    nodes, edges = dense("Affine", seed=3)
    nodes["fc"]["bias"] = np.array([40.0, 0.0, -20.0, 55.0])  # w_in * r * b: 0.32, 0, -0.16, 0.44 mV at rest
    nodes["cell"] = {"type": "CubaLIF", "tau_mem": full(4, 0.01), "tau_syn": full(4, 0.004), "r": full(4, 0.01),
                     "v_leak": full(4, 0.0), "v_threshold": full(4, 0.5), "v_reset": full(4, 0.0), "w_in": full(4, 0.8)}
    got, ref, _, _ = run_both(tmp_path, nodes, edges, byte_edges=True)
    assert_same_spikes(got, ref)


def test_if_with_bias_matches_reference(tmp_path):
    # The bias alone drives some neurons over threshold (the grid-stepped active list).
    nodes, edges = dense("Affine", seed=4)
    nodes["fc"]["bias"] = np.array([300.0, 0.0, -100.0, 50.0])
    nodes["cell"] = {"type": "IF", "r": full(4, 1.0), "v_threshold": full(4, 1.0), "v_reset": full(4, 0.0)}
    got, ref, _, _ = run_both(tmp_path, nodes, edges, rate=0.05)
    assert_same_spikes(got, ref)


@pytest.mark.parametrize("kind", ["LI", "I"])
def test_readouts_record_the_reference_membrane(tmp_path, kind):
    nodes, edges = dense("Affine", seed=5)
    nodes["cell"] = ({"type": "LI", "tau": full(4, 0.005), "r": full(4, 0.005), "v_leak": full(4, 0.3)} if kind == "LI"
                     else {"type": "I", "r": full(4, 0.5)})
    _, _, got_v, ref_v = run_both(tmp_path, nodes, edges)
    v, r = got_v["cell"], ref_v["cell"]
    assert np.all(np.isfinite(v)), "a tick without a sample"
    np.testing.assert_allclose(v, r, rtol=1e-6, atol=1e-6 * np.abs(r).max())
    assert np.ptp(r) > 0.5  # the membrane moved: the comparison is not of constants


def test_linear_scale_delay_matches_reference(tmp_path):
    rng = np.random.default_rng(7)
    nodes = {"input": {"type": "Input", "shape": np.array([5])},
             "fc": {"type": "Linear", "weight": rng.uniform(0, 0.7, (3, 5))},
             "scale": {"type": "Scale", "scale": np.array([1.0, 2.0, 0.5])},
             "delay": {"type": "Delay", "delay": np.array([0.0, 0.0005, 0.0012])},  # 0, 5 and 12 ticks
             "cell": {"type": "LIF", "tau": full(3, 0.01), "r": full(3, 0.01), "v_leak": full(3, 0.0),
                      "v_threshold": full(3, 1.0), "v_reset": full(3, 0.0)},
             "output": {"type": "Output", "shape": np.array([3])}}
    edges = [("input", "fc"), ("fc", "scale"), ("scale", "delay"), ("delay", "cell"), ("cell", "output")]
    got, ref, _, _ = run_both(tmp_path, nodes, edges)
    assert_same_spikes(got, ref)


@pytest.mark.parametrize("pool", ["SumPool2d", "AvgPool2d"])
def test_conv_pool_network_matches_reference(tmp_path, pool):
    rng = np.random.default_rng(11)
    lif = lambda shape, th: {"type": "LIF", "tau": np.full(shape, 0.01), "r": np.full(shape, 0.01),
                             "v_leak": np.zeros(shape), "v_threshold": np.full(shape, th), "v_reset": np.zeros(shape)}
    nodes = {"input": {"type": "Input", "shape": np.array([2, 6, 6])},
             "conv": {"type": "Conv2d", "weight": rng.uniform(-0.1, 0.5, (3, 2, 3, 3)), "bias": np.array([5.0, 0.0, -5.0]),
                      "stride": np.array([1, 1]), "padding": np.array([1, 1]), "dilation": np.array([1, 1]),
                      "groups": np.array(1), "input_shape": np.array([6, 6])},
             "lif1": lif((3, 6, 6), 1.0),
             "pool": {"type": pool, "kernel_size": np.array([2, 2]), "stride": np.array([2, 2]), "padding": np.array([0, 0])},
             "flat": {"type": "Flatten", "start_dim": np.array(0), "end_dim": np.array(-1), "input_type": np.array([3, 3, 3])},
             "fc": {"type": "Affine", "weight": rng.uniform(-0.2, 0.8, (4, 27)), "bias": np.zeros(4)},
             "lif2": lif((4,), 1.0 if pool == "SumPool2d" else 0.4),
             "output": {"type": "Output", "shape": np.array([4])}}
    edges = [("input", "conv"), ("conv", "lif1"), ("lif1", "pool"), ("pool", "flat"), ("flat", "fc"), ("fc", "lif2"),
             ("lif2", "output")]
    got, ref, _, _ = run_both(tmp_path, nodes, edges, rate=0.2)
    assert_same_spikes(got, ref)


def test_conv1d_strided_grouped_matches_reference(tmp_path):
    rng = np.random.default_rng(12)
    nodes = {"input": {"type": "Input", "shape": np.array([2, 9])},
             "conv": {"type": "Conv1d", "weight": rng.uniform(0, 0.6, (4, 1, 3)), "bias": np.zeros(4),
                      "stride": np.array(2), "padding": np.array(1), "dilation": np.array(1), "groups": np.array(2),
                      "input_shape": np.array(9)},
             "cell": {"type": "IF", "r": np.ones((4, 5)), "v_threshold": np.ones((4, 5)), "v_reset": np.zeros((4, 5))},
             "output": {"type": "Output", "shape": np.array([4, 5])}}
    edges = [("input", "conv"), ("conv", "cell"), ("cell", "output")]
    got, ref, _, _ = run_both(tmp_path, nodes, edges, rate=0.2)
    assert_same_spikes(got, ref)


def test_recurrent_lif_matches_reference(tmp_path):
    # A cycle through a neuron node: the recurrent weights are a projection of the population onto itself.
    nodes, edges = dense("Linear", seed=8)
    nodes["cell"] = {"type": "LIF", "tau": full(4, 0.02), "r": full(4, 0.02), "v_leak": full(4, 0.0),
                     "v_threshold": full(4, 1.0), "v_reset": full(4, 0.0)}
    nodes["rec"] = {"type": "Linear", "weight": np.random.default_rng(9).uniform(-0.5, 0.5, (4, 4))}
    edges += [("cell", "rec"), ("rec", "cell")]
    got, ref, _, _ = run_both(tmp_path, nodes, edges)
    assert_same_spikes(got, ref)


def test_threshold_matches_reference(tmp_path):
    # Threshold on the tick's mean current: sum(w) / h + b >= threshold; its spikes drive a LIF.
    nodes, edges = dense("Affine", seed=13)
    nodes["fc"]["bias"] = np.array([9000.0, 0.0, -2000.0, 1000.0])  # the first alone crosses every tick
    nodes["cell"] = {"type": "Threshold", "threshold": full(4, 5000.0)}  # per NIR time unit (s): 0.5 per tick
    nodes["fc2"] = {"type": "Linear", "weight": np.random.default_rng(14).uniform(0, 0.3, (2, 4))}
    nodes["lif"] = {"type": "LIF", "tau": full(2, 0.01), "r": full(2, 0.01), "v_leak": full(2, 0.0),
                    "v_threshold": full(2, 1.0), "v_reset": full(2, 0.0)}
    edges += [("cell", "fc2"), ("fc2", "lif")]
    got, ref, _, _ = run_both(tmp_path, nodes, edges)
    assert_same_spikes(got, ref)
    assert 0 < ref["cell"][:, 1:].sum() < ref["cell"][:, 1:].size  # neither silent nor always on


def test_heterogeneous_lif_parameters_become_per_neuron_parameters(tmp_path):
    # Per-neuron tau, threshold and reset (as trained networks with learnt time constants have):
    # one population with per-neuron parameters, the weights scaled per target neuron (r / tau).
    nodes, edges = dense("Affine", n_out=5, seed=15)
    nodes["cell"] = {"type": "LIF", "tau": np.array([0.01, 0.02, 0.01, 0.02, 0.04]), "r": np.full(5, 0.01),
                     "v_leak": np.zeros(5), "v_threshold": np.array([1.0, 0.8, 1.0, 0.8, 1.2]), "v_reset": np.zeros(5)}
    nodes["output"]["shape"] = np.array([5])
    got, ref, _, _ = run_both(tmp_path, nodes, edges)
    assert_same_spikes(got, ref)


def test_more_than_64_distinct_lif_and_cubalif_neurons_match_reference(tmp_path):
    # 80 neurons, each with its own tau, r, threshold and leak (one population per set was limited to
    # 64 sets): the weights and biases are scaled per neuron. Checked against the numpy reference.
    n = 80
    rng = np.random.default_rng(21)
    nodes, edges = dense("Affine", n_out=n, seed=17)
    nodes["fc"]["bias"] = rng.uniform(-1, 20, n)
    nodes["cell"] = {"type": "LIF", "tau": rng.uniform(0.005, 0.03, n), "r": rng.uniform(0.005, 0.02, n),
                     "v_leak": rng.uniform(-0.2, 0.2, n), "v_threshold": rng.uniform(0.8, 1.2, n), "v_reset": np.zeros(n)}
    nodes["output"]["shape"] = np.array([n])
    got, ref, _, _ = run_both(tmp_path, nodes, edges)
    assert_same_spikes(got, ref, at_least=50)
    nodes["fc"]["bias"] = rng.uniform(-20, 50, n)
    nodes["cell"] = {"type": "CubaLIF", "tau_mem": rng.uniform(0.008, 0.015, n), "tau_syn": rng.uniform(0.003, 0.006, n),
                     "r": rng.uniform(0.008, 0.012, n), "v_leak": np.zeros(n), "v_threshold": rng.uniform(0.4, 0.6, n),
                     "v_reset": np.zeros(n), "w_in": rng.uniform(0.6, 1.0, n)}
    (tmp_path / "cuba").mkdir()
    got, ref, _, _ = run_both(tmp_path / "cuba", nodes, edges)
    assert_same_spikes(got, ref, at_least=50)
    sc = memspike.nir.load(tmp_path / "g.nir", resolution=f"{H} ms", workdir=tmp_path / "check")
    assert [p["population"] for p in sc.nir["populations"] if p["node"] == "cell"] == ["cell"]


def test_heterogeneous_readout_membranes(tmp_path):
    nodes, edges = dense("Linear", seed=16)
    nodes["cell"] = {"type": "LI", "tau": np.array([0.005, 0.01, 0.005, 0.02]), "r": np.full(4, 0.005),
                     "v_leak": np.array([0.0, 0.3, 0.0, -0.2])}
    _, _, got_v, ref_v = run_both(tmp_path, nodes, edges)
    np.testing.assert_allclose(got_v["cell"], ref_v["cell"], rtol=1e-6, atol=1e-6 * np.abs(ref_v["cell"]).max())
