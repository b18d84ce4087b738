# SPDX-License-Identifier: MIT
# The public Python API called wrongly: wrong types, shapes, counts and units (issue 11, defects 4,
# 14 and 15). Each probe must raise the project's error or a TypeError / ValueError whose message
# names the argument and what was expected, never pybind11's "Unable to cast Python instance",
# "incompatible function arguments ... Invoked with", nor a bare "not enough values to unpack".

import numpy as np
import pytest

import memspike
from conftest import BRUNEL

UNCLEAR = ("Unable to cast", "Invoked with", "incompatible function arguments", "not enough values to unpack",
           "object is not iterable", "unhashable", "maximum recursion")


def scenario():
    sc = memspike.Scenario().simulation(duration="2 ms", resolution="0.1 ms", seed=1)
    sc.population("N", "lif_delta", 4)
    sc.projection("N", "N", "all_to_all", name="P", weight="0.1 mV", delay="1 ms")
    return sc


@pytest.fixture(scope="module")
def sim():
    s = memspike.Simulation(scenario(), threads=1)
    s.run()
    return s


def _sc(call):
    return lambda sim, tmp: call(scenario())


# (id, call(sim, tmp_path), accepted exception types, substrings the message must hold)
PROBES = [
    # -- Scenario builder: names -------------------------------------------------------------------------
    ("population name int", _sc(lambda s: s.population(5, "lif_delta", 2)), TypeError, ["name", "str"]),
    ("population model int", _sc(lambda s: s.population("X", 5, 2)), TypeError, ["model", "str"]),
    ("population model unknown", _sc(lambda s: s.population("X", "lif", 2)), memspike.UnknownModel,
     ["'lif'", "lif_delta"]),
    ("projection source int", _sc(lambda s: s.projection(1, "N", "all_to_all")), TypeError, ["source", "str"]),
    ("projection rule None", _sc(lambda s: s.projection("N", "N", None)), TypeError, ["rule", "str"]),
    ("projection file int", _sc(lambda s: s.projection("N", "N", "explicit", file=3)), TypeError, ["file", "path"]),
    ("stimulus kind int", _sc(lambda s: s.stimulus(3, "N")), TypeError, ["kind", "str"]),
    ("backend kind int", _sc(lambda s: s.backend(5)), TypeError, ["kind", "str"]),
    ("backend unknown", _sc(lambda s: s.backend("memristor")), memspike.UnknownModel, ["memristor", "crossbar"]),
    # -- Scenario builder: counts and dimensionless values ----------------------------------------------
    ("size string", _sc(lambda s: s.population("X", "lif_delta", "ten")), memspike.ScenarioError,
     ["population.X.size", "integer"]),
    ("size negative", _sc(lambda s: s.population("X", "lif_delta", -1)), memspike.ScenarioError,
     ["population.X.size", "-1"]),
    ("size 2**70", _sc(lambda s: s.population("X", "lif_delta", 2 ** 70)), ValueError,
     ["size", str(2 ** 70), "out of range"]),
    ("size fraction", _sc(lambda s: s.population("X", "lif_delta", 2.5)), memspike.ScenarioError,
     ["population.X.size", "2.5"]),
    ("params a list", _sc(lambda s: s.population("X", "lif_delta", 2, params=[1, 2])), memspike.ScenarioError,
     ["population.X.params", "table"]),
    ("param object", _sc(lambda s: s.population("X", "lif_delta", 2, params={"tau_m": object()})), TypeError,
     ["tau_m", "unit string"]),
    ("probability string", _sc(lambda s: s.projection("N", "N", "fixed_probability", probability="high",
                                                      weight="1 mV", delay="1 ms")), memspike.ScenarioError,
     ["probability", "number"]),
    ("indegree negative", _sc(lambda s: s.projection("N", "N", "fixed_indegree", name="Q", indegree=-3,
                                                     weight="1 mV", delay="1 ms")), memspike.ScenarioError,
     ["projection.Q.indegree", "-3"]),
    ("seed string", _sc(lambda s: s.simulation(seed="x")), memspike.ScenarioError, ["simulation.seed", "integer"]),
    ("threads negative in scenario", _sc(lambda s: s.simulation(threads=-1)), memspike.ScenarioError,
     ["simulation.threads", ">= 0"]),
    ("spikes int", _sc(lambda s: s.record(spikes=5)), memspike.ScenarioError, ["recording.spikes", "all"]),
    ("traces int", _sc(lambda s: s.record(traces=5)), memspike.ScenarioError, ["recording.trace", "array"]),
    ("neurons string", _sc(lambda s: s.stimulus("dc", "N", name="S", neurons="all", amplitude="1 pA")),
     memspike.ScenarioError, ["stimulus.S.neurons", "array"]),
    ("levels string", _sc(lambda s: s.backend("crossbar", levels="many")), memspike.ScenarioError,
     ["backend.levels", "number"]),
    # -- Scenario builder: quantities (defect 15) -------------------------------------------------------
    ("tau_m plain", _sc(lambda s: s.population("X", "lif_delta", 2, params={"tau_m": 20})), memspike.ScenarioError,
     ["population.X.params.tau_m", "a time", '"20 ms"', "got 20"]),
    ("weight plain", _sc(lambda s: s.projection("N", "N", "all_to_all", name="Q", weight=0.1, delay="1 ms")),
     memspike.ScenarioError, ["projection.Q.weight", "a voltage", "mV", "got 0.1"]),
    ("delay plain", _sc(lambda s: s.projection("N", "N", "all_to_all", name="Q", weight="1 mV", delay=1.5)),
     memspike.ScenarioError, ["projection.Q.delay", "a time", "got 1.5"]),
    ("rate plain", _sc(lambda s: s.stimulus("poisson", "N", name="S", rate=5, weight="1 mV")),
     memspike.ScenarioError, ["stimulus.S.rate", "a frequency", "Hz", "got 5"]),
    ("duration plain", _sc(lambda s: s.simulation(duration=0.1)), memspike.ScenarioError,
     ["simulation.duration", "a time"]),
    ("resolution wrong unit", _sc(lambda s: s.simulation(resolution="0.1 mV")), memspike.ScenarioError,
     ["simulation.resolution", "time"]),
    ("g_min plain", _sc(lambda s: s.backend("crossbar", g_min=1e-6)), memspike.ScenarioError,
     ["backend.g_min", "a conductance"]),
    ("tau_m numpy plain", _sc(lambda s: s.population("X", "lif_delta", 2, params={"tau_m": np.float64(20)})),
     memspike.ScenarioError, ["population.X.params.tau_m", "a time"]),
    ("spike_times plain", _sc(lambda s: s.population("X", "spike_source", 1, spike_times=[[0.001]])),
     memspike.ScenarioError, ["population.X.spike_times", "a time"]),
    # -- set() and overrides -------------------------------------------------------------------------------
    ("set key int", _sc(lambda s: s.set(5, "1 ms")), TypeError, ["key", "simulation.duration"]),
    ("set plain", _sc(lambda s: s.set("simulation.duration", 0.1)), memspike.ScenarioError,
     ["simulation.duration", "a time"]),
    ("set object", _sc(lambda s: s.set("simulation.duration", object())), TypeError,
     ["simulation.duration", "unit string"]),
    ("overrides a string", lambda sim, tmp: memspike.load_scenario(BRUNEL, "simulation.seed=1"), TypeError,
     ["overrides", "dict"]),
    ("override pair too short", lambda sim, tmp: memspike.load_scenario(BRUNEL, [("simulation.seed",)]), TypeError,
     ["overrides", "(key, value) pair"]),
    ("load_scenario path int", lambda sim, tmp: memspike.load_scenario(5), TypeError, ["path", "str"]),
    ("load_scenario missing", lambda sim, tmp: memspike.load_scenario(tmp / "none.toml"), memspike.IOError,
     ["none.toml"]),
    # -- Simulation ---------------------------------------------------------------------------------------
    ("Simulation of an int", lambda sim, tmp: memspike.Simulation(5), TypeError, ["memspike.Scenario", "int"]),
    ("threads negative", lambda sim, tmp: memspike.Simulation(scenario(), threads=-1), memspike.InvalidParameter,
     ["threads", "-1", ">= 0"]),
    ("threads 65537", lambda sim, tmp: memspike.Simulation(scenario(), threads=65537), memspike.InvalidParameter,
     ["threads", "65537", "<= 65536"]),
    ("threads 2**70", lambda sim, tmp: memspike.Simulation(scenario(), threads=2 ** 70), memspike.InvalidParameter,
     ["threads", str(2 ** 70), "<= 65536"]),
    ("threads string", lambda sim, tmp: memspike.Simulation(scenario(), threads="2"), TypeError,
     ["threads", "whole number"]),
    ("threads float", lambda sim, tmp: memspike.Simulation(scenario(), threads=1.5), TypeError,
     ["threads", "whole number"]),
    ("run plain", lambda sim, tmp: sim.run(0.5), memspike.UnitError, ["duration", "no unit", '"0.5 ms"']),
    ("run nan", lambda sim, tmp: sim.run(float("nan")), memspike.UnitError, ["duration", "no unit", '"1 ms"']),
    ("run wrong unit", lambda sim, tmp: sim.run("5 mV"), memspike.InvalidParameter, ["duration", "time"]),
    ("run list", lambda sim, tmp: sim.run([1]), TypeError, ["duration", "time with its unit"]),
    ("run progress int", lambda sim, tmp: sim.run("0.1 ms", progress=5), TypeError, ["progress", "callable"]),
    ("run output int", lambda sim, tmp: sim.run("0.1 ms", output=5), TypeError, ["output", "path"]),
    ("spikes int", lambda sim, tmp: sim.spikes(5), TypeError, ["population", "str"]),
    ("spikes unknown", lambda sim, tmp: sim.spikes("nope"), memspike.UnknownModel, ["nope", "N"]),
    ("state neuron string", lambda sim, tmp: sim.state("N", "v", neuron="0"), TypeError, ["neuron", "int"]),
    ("state neuron negative", lambda sim, tmp: sim.state("N", "v", neuron=-1), memspike.InvalidParameter,
     ["neuron", "-1", "0 to 3"]),
    ("state neuron too large", lambda sim, tmp: sim.state("N", "v", neuron=4), memspike.InvalidParameter,
     ["neuron", "4", "0 to 3"]),
    ("state var unknown", lambda sim, tmp: sim.state("N", "w"), memspike.Error, ["'w'", "v"]),
    ("weights int", lambda sim, tmp: sim.weights(3), TypeError, ["projection", "str"]),
    ("set_weights strings", lambda sim, tmp: sim.set_weights("P", ["a"] * 16), TypeError, ["weights", "numbers"]),
    ("set_weights count", lambda sim, tmp: sim.set_weights("P", [0.1]), memspike.InvalidParameter,
     ["weights", "1", "16"]),
    ("set_weights 2-d", lambda sim, tmp: sim.set_weights("P", np.zeros((4, 4))), memspike.InvalidParameter,
     ["weights", "2-d", "1-d"]),
    ("set_modulator string", lambda sim, tmp: sim.set_modulator("P", "x"), TypeError, ["value", "number"]),
    ("set_modulator static", lambda sim, tmp: sim.set_modulator("P", 1.0), memspike.InvalidParameter,
     ["projection", "plastic"]),
    ("save_state int", lambda sim, tmp: sim.save_state(5), TypeError, ["path", "str"]),
    ("load_state missing", lambda sim, tmp: sim.load_state(tmp / "none.bin"), memspike.IOError, ["none.bin"]),
    ("energy int", lambda sim, tmp: sim.energy(5), TypeError, ["model", "path"]),
    ("energy unknown", lambda sim, tmp: sim.energy("nope"), memspike.Error, ["nope", "loihi"]),
    ("traces var int", lambda sim, tmp: sim.traces("N", 5), TypeError, ["var", "str"]),
    ("Simulation models int", lambda sim, tmp: memspike.Simulation(scenario(), models=5), TypeError,
     ["models", "ModelRegistry"]),
    ("Scenario models int", lambda sim, tmp: memspike.Scenario(models=5), TypeError, ["models", "ModelRegistry"]),
    ("reset keep_weights string", lambda sim, tmp: sim.reset(keep_weights="no"), TypeError,
     ["keep_weights", "True or False"]),
    # -- sweep ---------------------------------------------------------------------------------------------
    ("sweep grid value scalar", lambda sim, tmp: memspike.sweep(scenario(), {"simulation.seed": 1}), TypeError,
     ["simulation.seed", "list of values"]),
    ("sweep grid a list", lambda sim, tmp: memspike.sweep(scenario(), [1, 2]), TypeError, ["grid", "dict"]),
    ("sweep threads negative", lambda sim, tmp: memspike.sweep(scenario(), {"simulation.seed": [1]}, threads=-1),
     memspike.InvalidParameter, ["threads", "-1", ">= 0"]),
    ("sweep threads string", lambda sim, tmp: memspike.sweep(scenario(), {"simulation.seed": [1]}, threads="2"),
     TypeError, ["threads", "whole number"]),
    ("sweep plain", lambda sim, tmp: memspike.sweep(scenario(), {"simulation.duration": [0.001]}),
     memspike.ScenarioError, ["simulation.duration", "a time"]),
    ("sweep of an int", lambda sim, tmp: memspike.sweep(5, {}), TypeError, ["memspike.Scenario", "int"]),
    ("sweep models int", lambda sim, tmp: memspike.sweep(scenario(), {"simulation.seed": [1]}, models=5), TypeError,
     ["models", "ModelRegistry"]),
    # -- units, models, results ----------------------------------------------------------------------------
    ("parse_quantity number", lambda sim, tmp: memspike.parse_quantity(5, memspike.Dimension.time), TypeError,
     ["text", '"20 ms"']),
    ("parse_quantity dimension", lambda sim, tmp: memspike.parse_quantity("5 ms", 5), TypeError,
     ["dimension", "time"]),
    ("format_quantity string", lambda sim, tmp: memspike.format_quantity("20", "time"), TypeError,
     ["value", "number"]),
    ("models int", lambda sim, tmp: memspike.models[5], TypeError, ["name", "str"]),
    ("param int", lambda sim, tmp: memspike.models["lif_delta"].param(5), TypeError, ["name", "str"]),
    ("energy_models int", lambda sim, tmp: memspike.energy_models(5), TypeError, ["backend", "digital"]),
    ("load int", lambda sim, tmp: memspike.load(5), TypeError, ["path", "str"]),
    ("load missing", lambda sim, tmp: memspike.load(tmp / "none.h5"), memspike.IOError, ["none.h5", "HDF5"]),
    ("result energy int", lambda sim, tmp: sim.result().energy(5), TypeError, ["model", "loihi"]),
    ("spikes_frame populations int", lambda sim, tmp: sim.result().spikes_frame(populations=5), TypeError,
     ["populations", "list of names"]),
    ("energy_report of an int", lambda sim, tmp: memspike.energy_report(5), TypeError, ["Simulation", "int"]),
    ("plot raster of an int", lambda sim, tmp: memspike.plot.raster(5), TypeError, ["Simulation", "int"]),
    ("plot rate bin string", lambda sim, tmp: memspike.plot.rate(sim, bin_ms="5"), TypeError,
     ["bin_ms", "milliseconds"]),
    ("load not hdf5", lambda sim, tmp: memspike.load(BRUNEL), memspike.IOError, ["brunel.toml", "HDF5"]),
]


@pytest.mark.parametrize("name, call, kinds, expected", PROBES, ids=[p[0] for p in PROBES])
def test_wrong_call_is_refused_clearly(name, call, kinds, expected, sim, tmp_path):
    with pytest.raises(Exception) as info:
        call(sim, tmp_path)
    err = info.value
    assert isinstance(err, kinds), f"{name}: {type(err).__name__}: {err}"
    assert isinstance(err, (memspike.Error, TypeError, ValueError)), f"{name}: {type(err).__name__}: {err}"
    message = str(err)
    for text in expected:
        assert text in message, f"{name}: {text!r} not in {message!r}"
    for text in UNCLEAR:
        assert text not in message, f"{name}: {message!r}"
    assert len(message) < 600, name  # nothing echoed back at length


def test_the_probes_cover_the_public_api():
    assert len(PROBES) >= 50
