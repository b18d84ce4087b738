# SPDX-License-Identifier: MIT
# Scenarios from Python: the builder goes through the C++ TOML parser, so a network built in code
# is the network of the equivalent file, and every rule of the format applies.
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


def test_si_numbers_equal_unit_strings():
    sc = memspike.Scenario().simulation(duration=0.05, resolution=1e-4, seed=3)
    sc.population("N", "lif_exp", 20, params={"tau_m": 0.02, "v_th": -0.05, "e_l": -0.065, "v_reset": -0.065,
                                               "c_m": 250e-12, "tau_syn_ex": 5e-4},
                  init={"v": {"dist": "uniform", "low": -0.065, "high": -0.05}})
    sc.stimulus("poisson", "N", rate=8000.0, weight=50e-12, receptor="ex")
    sc.stimulus("dc", "N", amplitude=100e-12, start=0.01)
    text = sc.to_toml()
    assert '"0.02 s"' in text and '"-0.065 V"' in text and '"5e-11 A"' in text

    ref = memspike.Scenario().simulation(duration="50 ms", resolution="0.1 ms", seed=3)
    ref.population("N", "lif_exp", 20, params={"tau_m": "20 ms", "v_th": "-50 mV", "e_l": "-65 mV", "v_reset": "-65 mV",
                                                "c_m": "250 pF", "tau_syn_ex": "0.5 ms"},
                   init={"v": {"dist": "uniform", "low": "-65 mV", "high": "-50 mV"}})
    ref.stimulus("poisson", "N", rate="8 kHz", weight="50 pA", receptor="ex")
    ref.stimulus("dc", "N", amplitude="100 pA", start="10 ms")
    a, b = spikes_of(sc)[1], spikes_of(ref)[1]
    assert a.spike_ticks("N")[0].size > 0
    assert a == b
    spec = sc.compile()
    assert spec.populations[0].params["tau_m"] == 20.0
    assert spec.populations[0].params["c_m"] == pytest.approx(250.0)


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
    sc = memspike.load_scenario(BRUNEL, {**SMALL, "population.E.params.tau_m": 0.01, "simulation.seed": 7})
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

    code = brunel_in_python().set("projection.EE.weight", 2e-4).set("stimulus.ext_E.rate", 1.5e4)
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


def test_set_numbers_are_si_where_the_key_table_says_quantity():
    # Which keys of set() take SI numbers comes from the C++ key tables (the reader's and the doc's):
    # a key of each fixed kind, a stimulus key, a list of quantities, and keys that are plain numbers.
    sc = brunel_in_python().record(inference="5 ms")
    sc.stimulus("step", "E", times=["10 ms", "20 ms"], amplitudes=["1 pA", "0 pA"])
    step = [s.name for s in sc.compile().stimuli if s.kind == "step"][0]
    sc.set("simulation.duration", 0.03).set("recording.energy_bin", 0.002).set("recording.inference", 0.004)
    sc.set(f"stimulus.{step}.times", [0.005, 0.01]).set(f"stimulus.{step}.amplitudes", [2e-12, 0.0])
    sc.set("simulation.seed", 7)
    # A key taken for a plain number would reach the reader unitless and be refused ("with its
    # unit"), and one taken for a quantity (the seed) would be refused as a string: set() checks
    # each at once, so getting here means every key got its kind.
    spec = sc.compile()
    assert spec.duration_ms == pytest.approx(30.0) and spec.seed == 7
    assert sc.overrides["recording.energy_bin"] == 0.002
