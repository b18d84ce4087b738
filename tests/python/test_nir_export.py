# SPDX-License-Identifier: MIT
"""NIR export (issue 18): a memspike network written with memspike.nir.save and read back with
memspike.nir.load gives the same spikes, tick for tick; what NIR cannot hold is refused."""
import numpy as np
import pytest

import memspike
import memspike.nir

from nir_support import spike_times

H = 0.1
TICKS = 500


def network(tmp_path, delay_b="0.4 ms", t_ref="0 ms"):
    """spike_source(6) -> A (lif_delta, 5, with a DC current) -> B (lif_exp, 4, recurrent) -> C (li_delta)."""
    rng = np.random.default_rng(21)
    raster = rng.random((TICKS, 6)) < 0.1
    sc = memspike.Scenario()
    sc.simulation(duration=f"{TICKS * H} ms", resolution=f"{H} ms", seed=3)
    sc.population("input", "spike_source", spike_times=spike_times(raster, H))
    sc.population("A", "lif_delta", 5, params={"tau_m": "15 ms", "c_m": "200 pF", "e_l": "0.5 mV", "v_th": "1 mV",
                                               "v_reset": "-0.25 mV", "t_ref": t_ref}, init={"v": "0 mV"})
    sc.population("B", "lif_exp", 4, params={"tau_m": "10 ms", "c_m": "50 pF", "e_l": "0 mV", "v_th": "1 mV",
                                             "v_reset": "0 mV", "t_ref": "0 ms", "tau_syn_ex": "3 ms",
                                             "tau_syn_in": "3 ms"}, init={"v": "0 mV"})
    sc.population("C", "li_delta", 2, params={"tau_m": "5 ms", "c_m": "100 pF", "e_l": "0 mV"}, init={"v": "0 mV"})
    sc.projection("input", "A", "all_to_all", weight={"dist": "uniform", "low": "0 mV", "high": "0.7 mV"}, delay="0.1 ms")
    sc.projection("A", "B", "fixed_indegree", indegree=3, weight={"dist": "uniform", "low": "-5 pA", "high": "40 pA"},
                  delay=delay_b, receptor="ex")
    sc.projection("B", "B", "all_to_all", weight={"dist": "uniform", "low": "-20 pA", "high": "10 pA"}, delay="0.1 ms",
                  receptor="in", allow_autapses=False)
    sc.projection("B", "C", "all_to_all", weight={"dist": "uniform", "low": "0 mV", "high": "1 mV"}, delay="0.1 ms")
    sc.stimulus("dc", "A", amplitude="3 pA", neurons=[0, 2])
    sc.record(spikes="all", traces=[{"population": "C", "variables": ["v"], "interval": f"{H} ms"}])
    return sc, raster


def spikes_of(sim, pops=("A", "B")):
    return {p: sorted(zip(*(a.tolist() for a in sim.spike_ticks(p)))) for p in pops}


def test_export_then_import_gives_the_same_spikes(tmp_path):
    sc, raster = network(tmp_path)
    original = memspike.Simulation(sc)
    original.run()
    memspike.nir.save(original, tmp_path / "net.nir")

    back = memspike.nir.load(tmp_path / "net.nir", resolution=f"{H} ms", workdir=tmp_path / "w")
    back.simulation(duration=f"{TICKS * H} ms")
    back.set("population.input.spike_times", spike_times(raster, H))
    back.record(spikes="all", traces=[{"population": "C", "variables": ["v"], "interval": f"{H} ms"}])
    again = memspike.Simulation(back)
    again.run()
    a, b = spikes_of(original), spikes_of(again)
    for p in a:
        assert len(a[p]) >= 10, f"{p}: only {len(a[p])} spikes, the comparison would prove little"
        assert a[p] == b[p], f"{p}: {len(a[p])} spikes before export, {len(b[p])} after"
    np.testing.assert_allclose(again.traces("C", "v")[1], original.traces("C", "v")[1], rtol=1e-9, atol=1e-12)
    # The graph holds what it should: one node per population and projection, a Delay for A -> B.
    types = {p["node"]: p["type"] for p in back.nir["populations"]}
    assert types == {"A": "LIF", "B": "CubaLIF", "C": "LI"}


def test_export_refuses_what_nir_cannot_hold(tmp_path):
    sc, _ = network(tmp_path, t_ref="2 ms")
    with pytest.raises(ValueError, match="population 'A' .*t_ref = 2 ms.*no refractory period"):
        memspike.nir.save(memspike.Simulation(sc), tmp_path / "x.nir")
    sc, _ = network(tmp_path, delay_b={"dist": "uniform", "low": "0.1 ms", "high": "0.9 ms"})
    with pytest.raises(ValueError, match="projection 'A->B'.*different delays"):
        memspike.nir.save(memspike.Simulation(sc), tmp_path / "y.nir")
    assert not (tmp_path / "x.nir").exists() and not (tmp_path / "y.nir").exists()
