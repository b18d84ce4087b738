# SPDX-License-Identifier: MIT
# Scenarios from Python: the builder goes through the C++ TOML parser, so a network built in code
# is the network of the equivalent file, and every rule of the format applies.
import math
import tomllib

import numpy as np
import pytest

import memspike
from conftest import BRUNEL, SMALL, brunel_in_python


def spikes_of(sc):
    sim = memspike.Simulation(sc, threads=1)
    assert sim.run() is True
    return {pop: sim.spike_ticks(pop) for pop in sim.populations}, sim.result()


def test_python_network_equals_toml_file():
    from_file, r_file = spikes_of(memspike.load_scenario(BRUNEL, SMALL))
    from_code, r_code = spikes_of(brunel_in_python())
    assert from_file["E"][0].size > 1000  # the network is active (~40 Hz)
    for pop in ("E", "I"):
        np.testing.assert_array_equal(from_file[pop][0], from_code[pop][0])
        np.testing.assert_array_equal(from_file[pop][1], from_code[pop][1])
    assert r_file == r_code  # traces too


def test_plain_numbers_are_refused_where_a_unit_is_needed():
    # Issue 11, defect 15: tau_m=20 used to become 20 s (and weight=0.1 a 0.1 V jump) without a word.
    # Every dimensional argument of the builder is refused with its key, the dimension and an example.
    sc = memspike.Scenario().simulation(duration="50 ms", resolution="0.1 ms", seed=3)
    sc.population("N", "lif_exp", 20)
    cases = [
        (lambda: sc.population("X", "lif_delta", 2, params={"tau_m": 20}), "population.X.params.tau_m", "a time"),
        (lambda: sc.population("X", "lif_delta", 2, init={"v": -65}), "population.X.init.v", "a voltage"),
        (lambda: sc.population("X", "lif_delta", 2, init={"v": {"dist": "uniform", "low": "0 mV", "high": 20}}),
         "population.X.init.v.high", "a voltage"),
        (lambda: sc.projection("N", "N", "all_to_all", name="P", weight=0.1, delay="1 ms", receptor="ex"),
         "projection.P.weight", "a current"),
        (lambda: sc.projection("N", "N", "all_to_all", name="P", weight="1 pA", delay=1.5, receptor="ex"),
         "projection.P.delay", "a time"),
        (lambda: sc.stimulus("poisson", "N", name="S", rate=5, weight="1 pA", receptor="ex"), "stimulus.S.rate",
         "a frequency"),
        (lambda: sc.stimulus("dc", "N", name="S", amplitude=1e-10), "stimulus.S.amplitude", "a current"),
        (lambda: sc.simulation(duration=0.05), "simulation.duration", "a time"),
        (lambda: sc.record(energy_bin=0), "recording.energy_bin", "a time"),
    ]
    for call, key, dimension in cases:
        with pytest.raises(memspike.ScenarioError) as info:
            call()
        assert info.value.key == key
        assert f"expected {dimension} as a string with a unit, such as" in str(info.value), key
    assert len(sc.compile().populations) == 1  # nothing was added
    # Dimensionless values take plain numbers, numpy scalars included.
    sc.population("M", "lif_exp", np.int64(4))
    sc.projection("N", "M", "fixed_probability", probability=np.float64(0.5), weight="1 pA", delay="1 ms", receptor="ex")
    sc.simulation(seed=np.uint32(7), scale=np.float32(1.0))
    spec = sc.compile()
    assert spec.populations[1].size == 4 and spec.seed == 7 and spec.projections[0].probability == 0.5


def test_run_duration_needs_a_unit():
    sim = memspike.Simulation(memspike.Scenario().simulation(duration="1 ms").population("N", "lif_delta", 1))
    with pytest.raises(memspike.UnitError, match=r'Simulation.run: duration = 0.5 has no unit; give a time with its '
                                                 r'unit, such as "0.5 ms" \(units: s, ms'):
        sim.run(0.5)
    assert sim.now == 0
    assert sim.run("0.5 ms") is True and sim.now == 5


def test_generated_toml_is_valid_toml():
    doc = tomllib.loads(brunel_in_python().to_toml())
    assert doc["simulation"]["duration"] == "200 ms"
    assert [p["name"] for p in doc["population"]] == ["E", "I"]
    assert doc["population"][0]["init"]["v"]["dist"] == "uniform"
    assert doc["recording"]["trace"][0]["neurons"] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("value", ["-1 ms", -0.001, "0 ms"])
def test_bad_parameter_value_names_the_parameter(value):
    sc = memspike.Scenario().simulation(duration="10 ms")
    with pytest.raises((memspike.InvalidParameter, memspike.ScenarioError)) as info:
        sc.population("E", "lif_delta", 10, params={"tau_m": value})
    assert isinstance(info.value, ValueError)
    assert "tau_m" in str(info.value)


def test_wrong_dimension_and_unknown_names():
    sc = memspike.Scenario().simulation(duration="10 ms")
    with pytest.raises(memspike.ScenarioError) as info:
        sc.population("E", "lif_delta", 10, params={"tau_m": "20 mV"})
    assert info.value.key == "population.E.params.tau_m"
    assert "time" in str(info.value) and info.value.line == 0  # generated text: no line numbers
    with pytest.raises(memspike.Error) as info:
        sc.population("E", "lif_delta", 10, params={"tau_M": "20 ms"})
    assert "tau_M" in str(info.value) and "tau_m" in str(info.value)  # lists the known names
    with pytest.raises(memspike.UnknownModel) as info:
        sc.population("E", "lif", 10)
    assert "lif_delta" in str(info.value)
    with pytest.raises(memspike.ScenarioError, match="unknown_population|'X'"):
        sc.population("E", "lif_delta", 10).projection("X", "E", "all_to_all", weight="1 mV", delay="1 ms")


def test_a_failed_call_leaves_the_scenario_unchanged():
    sc = memspike.Scenario().simulation(duration="10 ms")
    sc.population("E", "lif_delta", 10)
    before = sc.to_toml()
    with pytest.raises(memspike.Error):
        sc.projection("E", "E", "fixed_indegree", indegree=5, weight="1 mV", delay="0.05 ms")  # off the tick grid
    assert sc.to_toml() == before
    sc.projection("E", "E", "fixed_indegree", indegree=5, weight="1 mV", delay="1 ms")
    assert len(sc.compile().projections) == 1


def test_overrides_on_files_and_code():
    sc = memspike.load_scenario(BRUNEL, {**SMALL, "population.E.params.tau_m": "10 ms", "simulation.seed": 7})
    spec = sc.compile()
    assert spec.seed == 7 and spec.duration_ms == 200.0
    assert [p.size for p in spec.populations] == [1000, 250]
    assert spec.populations[0].params["tau_m"] == 10.0
    assert sc.overrides["simulation.seed"] == 7
    with pytest.raises(memspike.ScenarioError) as info:
        sc.set("population.E.params.tau_m", "-1 ms")
    assert info.value.key == "population.E.params.tau_m"
    assert "--set" in str(info.value)
    assert sc.compile().populations[0].params["tau_m"] == 10.0  # the bad set() was not kept
    with pytest.raises(TypeError, match="set"):
        sc.population("X", "lif_delta", 1)

    code = brunel_in_python().set("projection.EE.weight", "0.2 mV").set("stimulus.ext_E.rate", "15 kHz")
    spec = code.compile()
    assert spec.duration_ms == 200.0
    assert memspike.Simulation(code).spec.populations[0].name == "E"


def test_load_reports_file_line_and_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[simulation]\nduration = "-20 ms"\n')
    with pytest.raises(memspike.ScenarioError) as info:
        memspike.load_scenario(bad)
    e = info.value
    assert (e.file, e.line, e.key) == (str(bad), 2, "simulation.duration")
    assert str(e).startswith(f"{bad}:2:")


def test_models_expose_their_parameters():
    lif = memspike.models["lif_delta"]
    tau_m = lif.param("tau_m")
    assert tau_m.dimension == memspike.Dimension.time and tau_m.unit == "ms" and not tau_m.required
    assert "lif_exp" in memspike.models and "nope" not in memspike.models
    assert [p.name for p in memspike.models["lif_exp"].ports] == ["ex", "in"]
    assert memspike.models["poisson_source"].param("rate").required
    with pytest.raises(memspike.UnknownParameter):
        lif.param("tau_M")
    assert memspike.parse_quantity("0.5 nA", memspike.Dimension.current) == 500.0


def test_reprs_and_docstrings():
    sc = brunel_in_python()
    assert "E (1000 x lif_delta)" in repr(sc)
    assert "brunel.toml" in repr(memspike.load_scenario(BRUNEL, SMALL))
    assert "1250 neurons" in repr(sc.compile())
    for obj in (memspike.Scenario, memspike.Simulation, memspike.Result, memspike.Simulation.run,
                memspike.Scenario.population, memspike.sweep, memspike.load, memspike.load_scenario):
        assert obj.__doc__ and len(obj.__doc__) > 40, obj


def test_same_bad_value_same_message_from_file_and_builder(tmp_path):
    # One validation pass for every scenario: the builder's error is the file's, less the line.
    bad = tmp_path / "bad.toml"
    bad.write_text('[simulation]\nduration = "-20 ms"\n')
    with pytest.raises(memspike.ScenarioError) as from_file:
        memspike.load_scenario(bad)
    with pytest.raises(memspike.ScenarioError) as from_code:
        memspike.Scenario().simulation(duration="-20 ms")
    assert from_file.value.what == from_code.value.what == '"-20 ms" is invalid (must be > 0 ms)'
    assert from_file.value.key == from_code.value.key == "simulation.duration"

    bad.write_text('[simulation]\nduration = "10 ms"\n[[population]]\nname = "E"\nmodel = "lif_delta"\nsize = 4\n'
                   '[[projection]]\nname = "EE"\nsource = "E"\ntarget = "E"\nrule = "fixed_indegree"\nindegree = 4\n'
                   'allow_autapses = false\nallow_multapses = false\nweight = "1 mV"\ndelay = "1 ms"\n'
                   'plasticity = { rule = "stdp", w_max = "0.5 mV" }\n')
    with pytest.raises(memspike.ScenarioError) as from_file:
        memspike.load_scenario(bad)
    sc = memspike.Scenario().simulation(duration="10 ms").population("E", "lif_delta", 4)
    with pytest.raises(memspike.ScenarioError) as from_code:
        sc.projection("E", "E", "fixed_indegree", name="EE", indegree=4, allow_autapses=False, allow_multapses=False,
                      weight="1 mV", delay="1 ms", plasticity={"rule": "stdp", "w_max": "0.5 mV"})
    assert from_file.value.what == from_code.value.what
    assert "exceeds the 3 available source neurons of 'E' (autapses excluded)" in from_code.value.what
    with pytest.raises(memspike.ScenarioError) as from_code:
        sc.projection("E", "E", "all_to_all", name="EE", weight="1 mV", delay="1 ms",
                      plasticity={"rule": "stdp", "w_max": "0.5 mV"})
    assert from_code.value.what == ('"1 mV" is invalid (initial weights must lie within the weight bounds '
                                    "of rule 'stdp': [0 mV, 0.5 mV])")


def test_set_refuses_plain_numbers_where_the_key_table_says_quantity():
    # Which keys of set() need a unit comes from the C++ key tables (the reader's and the doc's): a
    # key of each fixed kind, a stimulus key and a list of quantities are refused as plain numbers,
    # and accepted with units; a dimensionless key (the seed) takes a number.
    sc = brunel_in_python().record(inference="5 ms")
    sc.stimulus("step", "E", times=["10 ms", "20 ms"], amplitudes=["1 pA", "0 pA"])
    step = [s.name for s in sc.compile().stimuli if s.kind == "step"][0]
    plain = {"simulation.duration": (0.03, "30 ms"), "recording.energy_bin": (0.002, "2 ms"),
             "recording.inference": (0.004, "4 ms"), f"stimulus.{step}.times": ([0.005, 0.01], ["5 ms", "10 ms"]),
             f"stimulus.{step}.amplitudes": ([2e-12, 0.0], ["2 pA", "0 pA"]),
             "population.E.params.tau_m": (np.float64(0.01), "10 ms")}
    for key, (number, text) in plain.items():
        with pytest.raises(memspike.ScenarioError, match="with a unit, such as") as info:
            sc.set(key, number)
        assert info.value.key.startswith(key), key
        assert "--set" in str(info.value)
        sc.set(key, text)
    sc.set("simulation.seed", np.int64(7))
    spec = sc.compile()
    assert spec.duration_ms == pytest.approx(30.0) and spec.seed == 7
    assert spec.populations[0].params["tau_m"] == 10.0
    assert sc.overrides["recording.energy_bin"] == "2 ms"


def test_builder_fixed_total_number_gives_exactly_k_synapses():
    # The rule's own parameter reaches the C++ reader from the builder (not through **extra only):
    # a dropped or misspelt total_number would be refused ("needs total_number") or give another count.
    sc = memspike.Scenario()
    sc.simulation(duration="1 ms", resolution="0.1 ms", seed=3)
    lif = {"tau_m": "20 ms", "v_th": "20 mV", "v_reset": "10 mV", "e_l": "0 mV"}
    sc.population("A", "lif_delta", 40, params=lif)
    sc.population("B", "lif_delta", 30, params=lif)
    sc.projection("A", "B", "fixed_total_number", name="AB", total_number=777, weight="0.1 mV", delay="1 ms")
    w = memspike.Simulation(sc, threads=1).weights("AB")
    assert len(w["targets"]) == 777
    assert set(np.unique(w["targets"])) <= set(range(30)) and len(np.unique(w["targets"])) > 20


def test_per_neuron_parameters_from_numpy_run_and_are_recorded(tmp_path):
    # v_th from a numpy array (with its unit), tau_m drawn per neuron: each DC-driven neuron fires
    # first at the closed-form tick, and the result file holds every neuron's values.
    import h5py
    v_th = np.array([-52.0, -51.0, -50.0, -49.0])
    sc = memspike.Scenario()
    sc.simulation(duration="100 ms", resolution="0.1 ms", seed=3)
    sc.population("E", "lif_delta", 4, params={"v_th": {"values": v_th, "unit": "mV"}, "i_e": "800 pA",
                                                "tau_m": {"dist": "uniform", "low": "10 ms", "high": "20 ms"}})
    sim = memspike.Simulation(sc)
    sim.run(output=tmp_path / "out.h5")
    tau = np.asarray(sim.spec.neuron_params("E")["tau_m"])
    assert np.all((tau >= 10) & (tau < 20)) and len(set(tau)) == 4
    assert sorted(sim.spec.populations[0].per_neuron) == ["tau_m", "v_th"]
    assert "v_th" not in sim.spec.populations[0].params
    ids, ticks = sim.spike_ticks("E")
    ids, ticks = np.asarray(ids), np.asarray(ticks)
    for i in range(4):
        v_inf = -70.0 + 800.0 * tau[i] / 250.0
        first = math.ceil(tau[i] / 0.1 * math.log((v_inf + 70.0) / (v_inf - v_th[i])))
        assert ticks[ids == i][0] == first
    with h5py.File(tmp_path / "out.h5", "r") as f:
        np.testing.assert_array_equal(f["parameters/E/v_th"][:], v_th)
        np.testing.assert_array_equal(f["parameters/E/tau_m"][:], tau)
        assert f["parameters/E"].attrs["v_th.unit"] == "mV"
    # memspike.load reads them back: numpy arrays with their units, per population.
    res = memspike.load(tmp_path / "out.h5")
    p = res.parameters("E")
    assert sorted(p) == ["tau_m", "v_th"] and p["v_th"].unit == "mV" and p["tau_m"].unit == "ms"
    np.testing.assert_array_equal(p["v_th"].values, v_th)
    np.testing.assert_array_equal(p["tau_m"].values, tau)
    with pytest.raises(memspike.UnknownModel, match="unknown population 'F'"):
        res.parameters("F")


def test_per_neuron_values_need_their_unit_and_length():
    sc = memspike.Scenario()
    sc.simulation(duration="10 ms")
    with pytest.raises(memspike.ScenarioError, match=r"population\.E\.params\.v_th.*unit"):
        sc.population("E", "lif_delta", 3, params={"v_th": {"values": np.array([-50.0, -51.0, -52.0])}})
    sc = memspike.Scenario()
    sc.simulation(duration="10 ms")
    with pytest.raises(memspike.ScenarioError, match="2 per-neuron values .* population of 3 neurons"):
        sc.population("E", "lif_delta", 3, params={"v_th": ["-50 mV", "-51 mV"]})
