# SPDX-License-Identifier: MIT
"""memspike.pynn: FixedTotalNumberConnector on the engine's fixed_total_number rule. Checked
against what the rule promises (NEST's semantics): exactly K synapses, each on a (source, target)
pair drawn uniformly with replacement, so the in-degrees are multinomial(K; 1/N_post each) and
pairs repeat; the same network for a seed whatever the thread count."""
import numpy as np
import pytest
from pyNN.random import RandomDistribution

import memspike.pynn as sim


@pytest.fixture(autouse=True)
def fresh():
    sim.setup(timestep=0.1)
    yield
    sim.end()


def _pairs(prj):
    rows = np.asarray(prj.get("weight", format="list"), dtype=float)
    return rows[:, 0].astype(int), rows[:, 1].astype(int), rows[:, 2]


def test_total_number_is_exact_and_spread_multinomially():
    n_pre, n_post, k = 60, 50, 3000
    a = sim.Population(n_pre, sim.IF_cond_exp())
    b = sim.Population(n_post, sim.IF_cond_exp())
    prj = sim.Projection(a, b, sim.FixedTotalNumberConnector(k), sim.StaticSynapse(weight=0.002, delay=1.0))
    pre, post, w = _pairs(prj)
    assert len(prj.get("weight", format="list")) == k and len(prj) == k
    np.testing.assert_allclose(w, 0.002, rtol=1e-9)
    assert pre.min() >= 0 and pre.max() < n_pre and post.min() >= 0 and post.max() < n_post
    # Pearson's statistic of the in-degrees (and out-degrees) against uniform cells is chi-square
    # with N - 1 degrees of freedom: mean N - 1, sd sqrt(2 (N - 1)). A fixed in-degree (K/N each,
    # statistic 0) fails the lower bound; a bias towards some targets fails the upper one.
    for counts, n in ((np.bincount(post, minlength=n_post), n_post), (np.bincount(pre, minlength=n_pre), n_pre)):
        e = k / n
        chi2 = float(((counts - e) ** 2 / e).sum())
        sd = np.sqrt(2.0 * (n - 1))
        assert (n - 1) - 4 * sd < chi2 < (n - 1) + 6 * sd, (n, chi2)
    # with replacement: K = 3000 draws over 3000 pairs repeat a pair ~ K - 3000 (1 - e^-1) ≈ 1100 times
    repeats = k - len(set(zip(pre.tolist(), post.tolist())))
    assert 900 < repeats < 1300


def test_without_self_connections_no_pair_is_an_autapse():
    p = sim.Population(20, sim.IF_curr_exp())
    syn = sim.StaticSynapse(weight=0.1, delay=0.5)
    no_self = sim.Projection(p, p, sim.FixedTotalNumberConnector(400, allow_self_connections=False), syn)
    with_self = sim.Projection(p, p, sim.FixedTotalNumberConnector(400), syn)
    empty = sim.Projection(p, p, sim.FixedTotalNumberConnector(0), syn)
    pre, post, _ = _pairs(no_self)  # (builds the network: no Projection after this)
    assert len(pre) == 400 and not (pre == post).any()  # expected 20 autapses if they were allowed
    pre, post, _ = _pairs(with_self)
    assert len(pre) == 400 and (pre == post).any()  # P(no autapse in 400 draws) = 0.95^400 ~ 1e-9
    assert len(empty) == 0


def test_views_go_through_pynn_connector_code():
    a = sim.Population(30, sim.IF_cond_exp())
    b = sim.Population(20, sim.IF_cond_exp())
    prj = sim.Projection(a[5:15], b[[2, 4, 6]], sim.FixedTotalNumberConnector(50),
                         sim.StaticSynapse(weight=0.001, delay=1.0))
    pre, post, _ = _pairs(prj)
    assert len(pre) == 50 and set(pre.tolist()) <= set(range(10)) and set(post.tolist()) <= {0, 1, 2}


def test_same_seed_same_network_whatever_the_threads():
    def once(seed, threads):
        sim.end()
        sim.setup(timestep=0.1, rng_seed=seed, threads=threads)
        a = sim.Population(40, sim.SpikeSourcePoisson(rate=10.0))
        b = sim.Population(30, sim.IF_curr_exp())
        prj = sim.Projection(a, b, sim.FixedTotalNumberConnector(500),
                             sim.StaticSynapse(weight=RandomDistribution("uniform", (0.1, 0.2)), delay=1.0))
        rows = np.asarray(prj.get("weight", format="list"), dtype=float)
        return rows[np.lexsort(rows.T[::-1])]
    x, y, z = once(3, 1), once(3, 2), once(4, 1)
    assert x.shape == (500, 3) and np.array_equal(x, y)
    assert not np.array_equal(x, z)


def test_what_the_rule_cannot_do_is_refused_by_name():
    a = sim.Population(4, sim.IF_curr_exp())
    syn = sim.StaticSynapse(weight=0.1, delay=1.0)
    with pytest.raises(NotImplementedError, match=r"with_replacement=False.*with replacement"):
        sim.Projection(a, a, sim.FixedTotalNumberConnector(4, with_replacement=False), syn)
    with pytest.raises(NotImplementedError, match=r"FixedTotalNumberConnector with n = .*one whole number"):
        sim.Projection(a, a, sim.FixedTotalNumberConnector(RandomDistribution("uniform", (1, 5))), syn)
    # on a view PyNN's own code (which ignores allow_self_connections) would draw: refused
    with pytest.raises(NotImplementedError, match=r"allow_self_connections=False.*whole populations"):
        sim.Projection(a[0:2], a[0:3], sim.FixedTotalNumberConnector(4, allow_self_connections=False), syn)
