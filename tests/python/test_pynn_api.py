# SPDX-License-Identifier: MIT
"""memspike.pynn: PyNN's API on memspike's engine. Units, connectors, weights in list and array
format, recording into Neo, reset, seeds. Numbers are checked against closed forms or against what
the script itself asked for."""
import math

import numpy as np
import pytest

import memspike
import memspike.pynn as sim


@pytest.fixture(autouse=True)
def fresh():
    sim.setup(timestep=0.1)
    yield
    sim.end()


def _v(pop):
    sig = pop.get_data("v").segments[-1].filter(name="v")[0]
    return np.asarray(sig.times.rescale("ms").magnitude), np.asarray(sig.magnitude)


@pytest.mark.parametrize("celltype", ["IF_curr_delta", "IF_curr_exp", "IF_cond_exp"])
def test_i_offset_relaxes_as_the_closed_form(celltype):
    # V(t) = v_rest + i_offset·tau_m/cm·(1 − e^{−t/tau_m}) from V(0) = v_rest: pins nA, nF and ms
    # (and, for IF_cond_exp, g_l = cm / tau_m). A factor of 1000 anywhere moves V by volts.
    params = dict(tau_m=10.0, cm=0.25, v_rest=-65.0, v_thresh=-40.0, v_reset=-70.0, i_offset=0.5)
    p = sim.Population(2, getattr(sim, celltype)(**params))
    p.record("v")
    sim.run(50.0)
    t, v = _v(p)
    expected = -65.0 + 0.5 * 10.0 / 0.25 * (1.0 - np.exp(-t / 10.0))
    # the exact models agree to rounding; lif_cond_exp takes RK4 steps (docs/models.md: < 1e-5 mV)
    tol = 1e-5 if celltype == "IF_cond_exp" else 1e-9
    np.testing.assert_allclose(v[:, 0], expected, atol=tol)
    assert v.shape == (500, 2) and t[0] == 0.0 and math.isclose(t[-1], 49.9)


@pytest.mark.parametrize("celltype", ["IF_curr_delta", "IF_curr_exp", "IF_cond_exp"])
def test_per_neuron_i_offset_runs_per_neuron(celltype):
    # i_offset set on a view and by array: each neuron relaxes to its own v_rest + i_offset·tau_m/cm.
    p = sim.Population(4, getattr(sim, celltype)(tau_m=10.0, cm=0.25, v_rest=-65.0, v_thresh=-40.0))
    p[1:3].set(i_offset=0.5)
    p[3:].set(i_offset=np.array([0.25]))
    p.record("v")
    sim.run(50.0)
    t, v = _v(p)
    tol = 1e-5 if celltype == "IF_cond_exp" else 1e-9
    for i, amp in enumerate([0.0, 0.5, 0.5, 0.25]):
        np.testing.assert_allclose(v[:, i], -65.0 + amp * 40.0 * (1.0 - np.exp(-t / 10.0)), atol=tol)
    assert list(p.get("i_offset")) == [0.0, 0.5, 0.5, 0.25]


@pytest.mark.parametrize("celltype", ["IF_curr_delta", "IF_curr_exp", "IF_cond_exp"])
def test_per_neuron_v_thresh_and_tau_m_give_the_closed_form_interval(celltype):
    # A DC-driven LIF fires every tau_refrac + tau_m·ln((V_inf − v_reset)/(V_inf − v_thresh)), rounded
    # up to the grid; each neuron with its own v_thresh and tau_m (200 ms: the later intervals).
    v_thresh = np.array([-60.0, -55.0, -52.0, -50.0])
    tau_m = np.array([10.0, 12.0, 15.0, 20.0])
    p = sim.Population(4, getattr(sim, celltype)(cm=0.25, v_rest=-65.0, v_reset=-70.0, tau_refrac=2.0, i_offset=1.0,
                                                 v_thresh=v_thresh, tau_m=tau_m))
    p.record("spikes")
    sim.run(200.0)
    trains = p.get_data("spikes").segments[-1].spiketrains
    for i in range(4):
        v_inf = -65.0 + 1.0 * tau_m[i] / 0.25
        steps = math.ceil(tau_m[i] / 0.1 * math.log((v_inf + 70.0) / (v_inf - v_thresh[i])))
        isi = np.diff(np.asarray(trains[i].rescale("ms").magnitude))
        # lif_cond_exp integrates with RK4 while synaptic input is active only; without input it is exact too
        np.testing.assert_allclose(isi, (20 + steps) * 0.1, atol=1e-9)
    assert list(p.get("v_thresh")) == list(v_thresh)


def test_random_cell_parameters_do_not_depend_on_the_thread_count():
    # A RandomDistribution is evaluated per neuron by PyNN's RNG: the same seed, the same network,
    # whatever memspike's thread count.
    runs = []
    for threads in (1, 3):
        sim.setup(timestep=0.1, threads=threads)
        rng = sim.NumpyRNG(seed=42)
        p = sim.Population(200, sim.IF_curr_exp(i_offset=sim.RandomDistribution("uniform", low=0.5, high=1.5, rng=rng),
                                                v_thresh=sim.RandomDistribution("normal", mu=-52.0, sigma=1.0, rng=rng)))
        p.record("spikes")
        sim.run(100.0)
        trains = p.get_data("spikes").segments[-1].spiketrains
        runs.append([np.asarray(t.magnitude).tolist() for t in trains])
        counts = [len(t) for t in trains]
        assert len(set(counts)) > 3  # the neurons differ
        sim.end()
    assert runs[0] == runs[1]


def test_delta_weights_are_voltage_jumps_in_mV():
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
    p = sim.Population(1, sim.IF_curr_delta(tau_m=20.0, v_rest=-65.0, v_thresh=-50.0, v_reset=-65.0))
    sim.Projection(src, p, sim.AllToAllConnector(), sim.StaticSynapse(weight=2.5, delay=1.0))
    p.record("v")
    sim.run(20.0)
    t, v = _v(p)
    k = int(round(11.0 / 0.1))  # arrival at 11 ms: v = -65 + 2.5 there, then decays with tau_m
    assert v[k - 1, 0] == pytest.approx(-65.0)
    assert v[k, 0] == pytest.approx(-62.5)
    assert v[k + 50, 0] == pytest.approx(-65.0 + 2.5 * math.exp(-5.0 / 20.0))


def test_weights_and_delays_in_list_and_array_format():
    pre = sim.Population(3, sim.SpikeSourcePoisson(rate=10.0))
    post = sim.Population(2, sim.IF_curr_exp())
    conns = [(0, 0, 0.1, 1.0), (2, 0, 0.2, 1.5), (1, 1, -0.3, 0.7)]
    prj = sim.Projection(pre, post, sim.FromListConnector(conns, column_names=["weight", "delay"]),
                         receptor_type="excitatory")
    got = sorted(prj.get(["weight", "delay"], format="list"))
    assert [(i, j) for i, j, _, _ in got] == [(0, 0), (1, 1), (2, 0)]
    np.testing.assert_allclose([w for _, _, w, _ in got], [0.1, -0.3, 0.2], rtol=1e-6)  # nA (float32 inside)
    np.testing.assert_allclose([d for _, _, _, d in got], [1.0, 0.7, 1.5])
    w = prj.get("weight", format="array")
    assert w.shape == (3, 2) and np.isnan(w).sum() == 3
    assert w[2, 0] == pytest.approx(0.2)
    # the engine holds pA: 0.2 nA is 200 pA
    assert sorted(sim.simulation().weights("prj0")["weights"].tolist()) == pytest.approx([-300.0, 100.0, 200.0])
    prj.set(weight=0.05)
    assert np.nanmax(prj.get("weight", format="array")) == pytest.approx(0.05)
    new = np.arange(6, dtype=float).reshape(3, 2) / 100.0
    prj.set(weight=new)
    got = prj.get("weight", format="array")
    mask = ~np.isnan(got)
    np.testing.assert_allclose(got[mask], new[mask], rtol=1e-6)
    assert len(prj) == 3 and prj.size() == 3


def test_connectors_give_the_structure_they_promise():
    a = sim.Population(40, sim.IF_cond_exp())
    b = sim.Population(30, sim.IF_cond_exp())
    syn = sim.StaticSynapse(weight=0.001, delay=1.0)
    pre_n = sim.Projection(a, b, sim.FixedNumberPreConnector(7), syn)
    post_n = sim.Projection(a, b, sim.FixedNumberPostConnector(5), syn)
    one = sim.Projection(a, a, sim.OneToOneConnector(), syn)
    full = sim.Projection(b, b, sim.AllToAllConnector(allow_self_connections=False), syn)
    prob = sim.Projection(a, b, sim.FixedProbabilityConnector(0.25), syn)
    view = sim.Projection(a[10:20], b[[0, 5]], sim.AllToAllConnector(), syn)
    counts = lambda prj: (~np.isnan(prj.get("weight", format="array"))).astype(int)
    assert (counts(pre_n).sum(axis=0) == 7).all()          # every target has 7 sources
    assert (counts(post_n).sum(axis=1) == 5).all()         # every source has 5 targets
    assert (counts(one) == np.eye(40, dtype=int)).all()
    assert (counts(full) == 1 - np.eye(30, dtype=int)).all()
    n = counts(prob).sum()                                  # Binomial(1200, 0.25): mean 300, sd 15
    assert 300 - 5 * 15 < n < 300 + 5 * 15
    assert counts(view).shape == (10, 2) and counts(view).sum() == 20
    # the view's synapses land on the right neurons of the parents
    d = sim.simulation().weights("prj5")
    assert sorted(set(d["sources"].tolist())) == list(range(10, 20)) and sorted(set(d["targets"].tolist())) == [0, 5]


def test_assembly_projections_split_by_population():
    a = sim.Population(4, sim.IF_cond_exp(), label="a")
    b = sim.Population(3, sim.IF_cond_exp(), label="b")
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[[5.0], [6.0]]))
    prj = sim.Projection(src, a + b[1:], sim.AllToAllConnector(), sim.StaticSynapse(weight=0.002, delay=1.0))
    assert len(prj) == 2 * 6 and sorted(prj._names) == ["prj0_0_0", "prj0_0_1"]
    w = prj.get("weight", format="array")
    assert w.shape == (2, 6) and not np.isnan(w).any()
    # the assembly's columns 4 and 5 are b's neurons 1 and 2
    assert sorted(set(sim.simulation().weights("prj0_0_1")["targets"].tolist())) == [1, 2]
    new = np.arange(12, dtype=float).reshape(2, 6) * 1e-3
    prj.set(weight=new)
    np.testing.assert_allclose(prj.get("weight", format="array"), new, rtol=1e-6)


def test_random_distributions_are_drawn_by_the_engine():
    a = sim.Population(100, sim.SpikeSourcePoisson(rate=5.0))
    b = sim.Population(100, sim.IF_cond_exp())
    w = sim.RandomDistribution("uniform", low=0.002, high=0.004)
    d = sim.RandomDistribution("normal_clipped", mu=1.5, sigma=0.5, low=0.5, high=3.0)
    prj = sim.Projection(a, b, sim.FixedProbabilityConnector(0.2), sim.StaticSynapse(weight=w, delay=d))
    b.initialize(v=sim.RandomDistribution("uniform", low=-70.0, high=-60.0))
    weights, delays = prj.get(["weight", "delay"], format="array")
    weights, delays = weights[~np.isnan(weights)], delays[~np.isnan(delays)]
    assert 0.002 <= weights.min() and weights.max() < 0.004 and abs(weights.mean() - 0.003) < 1e-4
    assert 0.5 <= delays.min() and delays.max() <= 3.0
    np.testing.assert_allclose(delays * 10, np.rint(delays * 10), atol=1e-9)  # on the grid
    v0 = sim.simulation().state("p1", "v")
    assert -70.0 <= v0.min() and v0.max() < -60.0 and v0.std() > 2.0


def test_get_data_is_neo_with_pynn_annotations_and_reset_starts_a_segment():
    p = sim.Population(5, sim.IF_curr_exp(i_offset=1.0, tau_refrac=2.0), label="driven")
    p[0:2].record("v")
    p.record("spikes")
    sim.run(100.0)
    assert sim.get_current_time() == pytest.approx(100.0)
    block = p.get_data()
    seg = block.segments[0]
    assert block.annotations["simulator"] == "memspike" and block.annotations["size"] == 5
    assert len(seg.spiketrains) == 5
    st = seg.spiketrains[3]
    assert st.annotations["source_population"] == "driven" and st.annotations["source_index"] == 3
    assert float(st.t_stop.rescale("ms")) == pytest.approx(100.0) and len(st) > 0
    sig = seg.filter(name="v")[0]
    assert str(sig.units.dimensionality) == "mV" and sig.shape == (1000, 2)
    assert list(sig.array_annotations["channel_index"]) == [0, 1]
    first = [np.asarray(s.magnitude).copy() for s in seg.spiketrains]
    sim.reset()
    assert sim.get_current_time() == 0.0
    sim.run(100.0)
    block = p.get_data()
    assert len(block.segments) == 2
    # same seed, no noise: the second segment repeats the first exactly
    for a, b in zip(first, block.segments[1].spiketrains):
        np.testing.assert_array_equal(a, np.asarray(b.magnitude))
    counts = p.get_spike_counts()
    assert sum(counts.values()) == sum(len(s) for s in block.segments[1].spiketrains)


def test_write_data_and_result_to_neo(tmp_path):
    import neo
    p = sim.Population(3, sim.IF_curr_exp(i_offset=1.0), label="cells")
    p.record(["spikes", "v"])
    sim.run(50.0)
    path = tmp_path / "cells.pkl"
    p.write_data(str(path))
    block = neo.io.PickleIO(str(path)).read_block()
    assert len(block.segments[0].spiketrains) == 3
    # memspike's own result file, converted: the same spikes as PyNN's block
    out = tmp_path / "run.h5"
    sim.simulation().run("10 ms", output=str(out))
    res = memspike.load(out).to_neo()
    live = sim.simulation().result().to_neo()
    assert [len(s) for s in live.segments[0].spiketrains] == [len(s) for s in p.get_data().segments[0].spiketrains]
    assert res.annotations["resolution_ms"] == 0.1
    sig = live.segments[0].filter(name="v")[0]
    assert str(sig.units.dimensionality) == "mV" and sig.shape[1] == 3


def test_seed_and_threads():
    def once(seed, threads):
        sim.setup(timestep=0.1, rng_seed=seed, threads=threads)
        src = sim.Population(50, sim.SpikeSourcePoisson(rate=50.0))
        p = sim.Population(50, sim.IF_curr_exp())
        sim.Projection(src, p, sim.FixedProbabilityConnector(0.3), sim.StaticSynapse(weight=1.0, delay=1.0))
        p.record("spikes")
        sim.run(200.0)
        trains = [np.asarray(s.magnitude) for s in p.get_data().segments[0].spiketrains]
        sim.end()
        return trains
    a, b, c = once(7, 1), once(7, 2), once(8, 1)
    assert sum(map(len, a)) > 50
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))


def test_reset_restores_the_weights_of_the_first_run():
    # PyNN's reset(): "synaptic weights to their initial values". A plastic weight learnt in the
    # first segment is back at its start value, and the second segment repeats the first.
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=np.arange(5.0, 200.0, 20.0)))
    drive = sim.Population(1, sim.SpikeSourceArray(spike_times=np.arange(10.0, 200.0, 20.0)))
    post = sim.Population(1, sim.IF_curr_exp(tau_refrac=10.0))
    sim.Projection(drive, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=20.0, delay=1.0))
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(A_plus=0.01, A_minus=0.005),
                             weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=1.0),
                             weight=0.5, delay=1.0)
    prj = sim.Projection(pre, post, sim.OneToOneConnector(), stdp)
    sim.run(200.0)
    learnt = prj.get("weight", format="list", with_address=False)[0]
    assert learnt > 0.55  # ten pairs at Δt ≈ +5 ms potentiate
    sim.reset()
    assert prj.get("weight", format="list", with_address=False)[0] == pytest.approx(0.5)
    sim.run(200.0)
    assert prj.get("weight", format="list", with_address=False)[0] == learnt


def _spike_times(pop):
    return [np.asarray(st.magnitude).tolist() for st in pop.get_data().segments[-1].spiketrains]


def test_a_change_after_reset_rebuilds_the_network_as_if_it_had_been_made_so():
    # PyNN scripts change parameters, add recordings or sources between reset() and the next run.
    # The second segment must equal a fresh script that had the changed network from the start,
    # and the weights set before (and learnt, then reset) must survive the rebuild.
    def network(i_offset):
        src = sim.Population(5, sim.SpikeSourcePoisson(rate=50.0))
        cells = sim.Population(4, sim.IF_curr_exp(i_offset=i_offset))
        prj = sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=1.0))
        cells.record("spikes")
        return cells, prj

    cells, prj = network(0.0)
    prj.set(weight=np.linspace(0.05, 0.4, 20).reshape(5, 4))
    sim.run(300.0)
    quiet = _spike_times(cells)
    sim.reset()
    cells.set(i_offset=0.5)
    cells.record("v")
    sim.DCSource(amplitude=0.1, start=100.0, stop=200.0).inject_into(cells[0:2])
    sim.run(300.0)
    changed = _spike_times(cells)
    changed_v = cells.get_data().segments[-1].filter(name="v")[0]
    weights = prj.get("weight", format="array")

    sim.setup(timestep=0.1)  # the reference: built once (prj.set builds, so it comes last)
    cells, prj = network(0.5)
    cells.record("v")
    sim.DCSource(amplitude=0.1, start=100.0, stop=200.0).inject_into(cells[0:2])
    prj.set(weight=np.linspace(0.05, 0.4, 20).reshape(5, 4))
    sim.run(300.0)
    assert changed == _spike_times(cells)  # same spikes: the change took effect, nothing else moved
    assert sum(map(len, changed)) > sum(map(len, quiet))  # i_offset 0.5 nA drives the cells
    np.testing.assert_array_equal(np.asarray(changed_v), np.asarray(cells.get_data().segments[-1].filter(name="v")[0]))
    np.testing.assert_allclose(weights, np.linspace(0.05, 0.4, 20).reshape(5, 4), rtol=1e-6)
