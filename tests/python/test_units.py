# SPDX-License-Identifier: MIT
# Unit-safe Python (issue 11, defect 15): unit objects of quantities and Brian2 are converted through
# their own API and give the values of the equivalent unit strings; objects of other dimensions are
# refused by name; the TOML written for the C++ reader (tomli_w) round-trips strings, tables, arrays.
import tomllib
import warnings

import numpy as np
import pytest

import memspike
from memspike import _values

pq = pytest.importorskip("quantities")
with warnings.catch_warnings():  # Debian's Brian2 imports pythran, which warns under numpy 1.24
    warnings.simplefilter("ignore")
    b2 = pytest.importorskip("brian2")

LIF = {"tau_m": "20 ms", "c_m": "250 pF", "e_l": "-65 mV", "v_th": "-50 mV", "v_reset": "-65 mV", "t_ref": "2 ms",
       "tau_syn_ex": "0.5 ms", "i_e": "0 pA"}


def network(params, rate, weight, delay, amplitude, start, spike_times):
    sc = memspike.Scenario().simulation(duration="40 ms", resolution="0.1 ms", seed=3)
    sc.population("N", "lif_exp", 20, params=params, init={"v": {"dist": "uniform", "low": params["e_l"],
                                                                  "high": params["v_th"]}})
    sc.population("S", "spike_source", 2, spike_times=spike_times)
    sc.projection("S", "N", "all_to_all", weight=weight, delay=delay, receptor="ex")
    sc.stimulus("poisson", "N", rate=rate, weight=weight, receptor="ex")
    sc.stimulus("dc", "N", amplitude=amplitude, start=start)
    return sc


def reference():
    return network(LIF, "8 kHz", "50 pA", "1.5 ms", "100 pA", "10 ms", [["1 ms", "2 ms"], ["3 ms"]])


def with_units(u):
    """The reference network with every quantity a unit object of package u (quantities or brian2)."""
    ms, mV, pA, pF, kHz = ((pq.ms, pq.mV, pq.pA, pq.pF, pq.kHz) if u is pq
                           else (b2.ms, b2.mV, b2.pA, b2.pF, b2.kHz))
    params = {"tau_m": 20 * ms, "c_m": 250 * pF, "e_l": -65 * mV, "v_th": -50 * mV, "v_reset": -65 * mV,
              "t_ref": 2 * ms, "tau_syn_ex": 0.5 * ms, "i_e": 0 * pA}
    return network(params, 8 * kHz, 50 * pA, 1.5 * ms, 100 * pA, 10 * ms, [np.array([1.0, 2.0]) * ms, [3 * ms]])


def run(sc):
    sim = memspike.Simulation(sc, threads=1)
    sim.run()
    return sim.result()


@pytest.mark.parametrize("package", ["quantities", "brian2"])
def test_unit_objects_equal_unit_strings(package):
    u = pq if package == "quantities" else b2
    sc, ref = with_units(u), reference()
    a, b = sc.compile(), ref.compile()
    for name in LIF:  # converted to SI by the package, to the internal unit by memspike: equal to 1e-12
        assert a.populations[0].params[name] == pytest.approx(b.populations[0].params[name], rel=1e-12, abs=1e-12), name
    assert '"0.02 s"' in sc.to_toml() and '"-0.065 V"' in sc.to_toml()
    res, res_ref = run(sc), run(ref)
    assert res_ref.spike_ticks("N")[0].size > 0
    assert res == res_ref  # same network, same spikes


_D = memspike.Dimension


@pytest.mark.parametrize("value, dimension, internal", [
    (lambda: 20 * pq.ms, _D.time, 20.0), (lambda: 20 * b2.ms, _D.time, 20.0),
    (lambda: -65 * pq.mV, _D.voltage, -65.0), (lambda: -65 * b2.mV, _D.voltage, -65.0),
    (lambda: 0.5 * pq.nA, _D.current, 500.0), (lambda: 0.5 * b2.nA, _D.current, 500.0),
    (lambda: 1 * pq.nS, _D.conductance, 1.0), (lambda: 1 * b2.nS, _D.conductance, 1.0),
    (lambda: 250 * pq.pF, _D.capacitance, 250.0), (lambda: 250 * b2.pF, _D.capacitance, 250.0),
    (lambda: 100 * pq.MOhm, _D.resistance, 100.0), (lambda: 100 * b2.Mohm, _D.resistance, 100.0),
    (lambda: 5 * pq.Hz, _D.frequency, 5.0), (lambda: 5 * b2.Hz, _D.frequency, 5.0),
    (lambda: 1 / pq.ms, _D.frequency, 1000.0), (lambda: 1 / b2.ms, _D.frequency, 1000.0),
])
def test_each_dimension_converts_to_the_memspike_unit(value, dimension, internal):
    # The object's own conversion to SI, then memspike's parser: the value in the internal unit.
    assert memspike.parse_quantity(_values.plain(value(), "x"), dimension) == pytest.approx(internal, rel=1e-12)


def test_unit_objects_of_the_wrong_dimension_are_refused_by_name():
    sc = memspike.Scenario().simulation(duration="10 ms")
    for v in (20 * pq.mV, 20 * b2.mV):
        with pytest.raises(memspike.ScenarioError) as info:
            sc.population("X", "lif_delta", 2, params={"tau_m": v})
        assert info.value.key == "population.X.params.tau_m" and "a time" in str(info.value)
    for v in (3 * pq.m, 3 * b2.metre, 2 * pq.kg):  # no memspike dimension at all
        with pytest.raises(memspike.UnitError) as info:
            sc.population("X", "lif_delta", 2, params={"tau_m": v})
        assert "tau_m" in str(info.value) and "none of memspike's dimensions" in str(info.value)
    # Dimensionless objects are plain numbers.
    sc.population("X", "lif_delta", 2)
    sc.projection("X", "X", "fixed_probability", probability=0.5 * pq.dimensionless, weight=0.1 * pq.mV,
                  delay=b2.ms)
    assert sc.compile().projections[0].probability == 0.5


def test_run_duration_and_overrides_take_unit_objects():
    sc = memspike.Scenario().simulation(duration="1 ms").population("N", "lif_delta", 1)
    sc.set("simulation.duration", 2 * pq.ms)
    sim = memspike.Simulation(sc)
    assert sim.run(0.5 * pq.ms) is True and sim.now == 5
    assert sim.run(1.5 * b2.ms) is True and sim.now == 20
    with pytest.raises(memspike.InvalidParameter, match="duration"):
        sim.run(1 * pq.mV)
    with pytest.raises(TypeError, match="one quantity"):
        sim.run([1, 2] * pq.ms)


def test_toml_round_trip_through_the_cpp_reader(tmp_path):
    # Strings with quotes, backslashes, unicode and a tab, inline tables nested in tables, arrays of
    # arrays and arrays of tables: written by tomli_w, read back by Python's tomllib and by the C++ reader.
    odd = tmp_path / 'q"uote \\back é ✓\ttab'
    odd.mkdir()
    weights = odd / "w.csv"
    weights.write_text("source,target,weight\n0,1,0.25\n1,0,0.5\n")
    sc = memspike.Scenario().simulation(duration="5 ms", resolution="0.1 ms", seed=np.int64(9))
    sc.population("S", "spike_source", 2, spike_times=[["1 ms", "2.5 ms"], []])
    sc.population("N", "lif_delta", 2, params={"tau_m": "15 ms"},
                  init={"v": {"dist": "normal", "mean": "1 mV", "sd": "0.5 mV", "min": "0 mV"}})
    sc.projection("S", "N", "explicit", name="w", file=weights, weight="0 mV", delay="1 ms")
    sc.projection("N", "N", "all_to_all", name="plastic", allow_autapses=False, weight="0.1 mV", delay="1 ms",
                  plasticity={"rule": "stdp", "w_max": "0.5 mV"})
    sc.record(spikes="all", traces=[{"population": "N", "variables": ["v"], "neurons": np.array([0, 1]),
                                     "interval": "0.5 ms"}])
    text = sc.to_toml()
    doc = tomllib.loads(text)
    assert doc["projection"][0]["file"] == str(weights)
    assert doc["projection"][1]["plasticity"] == {"rule": "stdp", "w_max": "0.5 mV"}
    assert doc["population"][0]["spike_times"] == [["1 ms", "2.5 ms"], []]
    assert doc["population"][1]["init"]["v"]["sd"] == "0.5 mV"
    spec = sc.compile()  # the C++ reader: it opened the odd path and read the nested values
    assert spec.text == text and spec.seed == 9
    assert [p.name for p in spec.projections] == ["w", "plastic"]
    assert spec.populations[1].params["tau_m"] == 15.0
    assert spec.traces[0].neurons == [0, 1] and spec.traces[0].interval_ms == 0.5
    sim = memspike.Simulation(sc, threads=1)
    sim.run()
    assert list(sim.weights("w")["weights"]) == [0.25, 0.5]
    # The same as an override: an inline table and a string that needs escaping.
    sc.set("population.N.init.v", {"dist": "uniform", "low": "0 mV", "high": "2 mV"})
    sc.set("projection.w.file", str(weights))
    assert sc.compile().populations[1].name == "N"
    with pytest.raises(memspike.ScenarioError, match="low"):
        sc.set("population.N.init.v", {"dist": "uniform", "low": 0, "high": "2 mV"})
