# SPDX-License-Identifier: MIT
# The [backend] section from Python: a crossbar built with Scenario.backend runs, reproduces the
# digital backend when its device is ideal, rejects bad parameters by name, and fills the crossbar
# counts of the events ledger consistently.
import pytest

import memspike
from conftest import EXAMPLES, brunel_in_python

# The exactness oracle of docs/crossbar.md: g_max - g_min = 16,384 nS and dyadic weights make every
# conductance pair and every column sum exact in float / double, so an ideal device (continuous
# levels, no noise, ideal ADC, no wire resistance) must give the digital spikes exactly.
IDEAL = dict(levels=float("inf"), sigma_read=0, sigma_c2c=0, adc_bits=float("inf"), r_wire="0 Ohm",
             g_min="1000 nS", g_max="17384 nS")
G_MIN_NS, G_MAX_NS = 1000.0, 17384.0
DYADIC = {"projection.EE.weight": "0.125 mV", "projection.EI.weight": "0.125 mV",
          "projection.IE.weight": "-0.625 mV", "projection.II.weight": "-0.625 mV"}


def dyadic_brunel(duration="200 ms"):
    sc = brunel_in_python(duration=duration)
    for k, v in DYADIC.items():
        sc.set(k, v)
    return sc


@pytest.fixture(scope="module")
def runs():
    """The same network on the digital backend and on the ideal crossbar."""
    digital = memspike.Simulation(dyadic_brunel(), threads=1)
    digital.run()
    crossbar = memspike.Simulation(dyadic_brunel().backend("crossbar", **IDEAL), threads=1)
    crossbar.run()
    return digital, crossbar


def test_ideal_crossbar_from_python_compiles_runs_and_matches_digital(runs):
    digital, crossbar = runs
    sc = dyadic_brunel().backend("crossbar", **IDEAL)
    toml = sc.to_toml()
    assert 'kind = "crossbar"' in toml and "levels = inf" in toml and "adc_bits = inf" in toml
    spec = sc.compile()
    assert spec is not None
    assert crossbar.result().complete and crossbar.time_ms == 200.0
    ids, _ = crossbar.spikes("E")
    assert ids.size > 1000  # the network is active (about 10 Hz or more over 1,000 E neurons)
    assert crossbar.result() == digital.result()
    assert crossbar.events["synaptic_events"] == digital.events["synaptic_events"]


@pytest.mark.parametrize("params, key", [
    (dict(levels=1), "backend.levels"),
    (dict(levels=2.5), "backend.levels"),
    (dict(adc_bits=0), "backend.adc_bits"),
    (dict(g_min="20 uS", g_max="10 uS"), "backend.g_max"),
    (dict(sigma_read=-0.1), "backend.sigma_read"),
])
def test_bad_backend_parameters_are_rejected_by_name(params, key):
    # The C++ check throws invalid_parameter; the scenario parser reports it as a ScenarioError
    # (a ValueError) whose key is the offending [backend] entry.
    sc = brunel_in_python()
    before = sc.to_toml()
    with pytest.raises(memspike.ScenarioError) as err:
        sc.backend("crossbar", **params)
    name = key.split(".")[1]
    assert err.value.key == key
    assert f"{name} = " in str(err.value) and "is invalid" in str(err.value)
    assert isinstance(err.value, ValueError)
    assert sc.to_toml() == before  # a failed builder call leaves the scenario unchanged


def test_bad_backend_parameter_as_override():
    with pytest.raises(memspike.ScenarioError) as err:
        memspike.load_scenario(EXAMPLES / "crossbar_brunel.toml", {"backend.levels": 1})
    assert err.value.key == "backend.levels"


def test_unknown_backend_kind():
    with pytest.raises(memspike.UnknownModel) as err:
        brunel_in_python().backend("memristor")
    assert err.value.name == "memristor"
    assert {"digital", "crossbar"} <= set(err.value.known)
    assert isinstance(err.value, KeyError)


def test_crossbar_ledger_counts(runs):
    digital, crossbar = runs
    e = crossbar.events
    assert e["crossbar_tiles_woken"] > 0
    assert e["crossbar_adc_conversions"] > 0
    # Identities of the read path (crossbar.cpp read_tile): each woken tile converts each used
    # column once (1 .. tile_cols = 128 columns) and reads both devices of every cell on each
    # driven row, so conversions lie in [tiles, 128 tiles] and cell reads are 2 x rows x columns.
    assert e["crossbar_tiles_woken"] <= e["crossbar_adc_conversions"] <= 128 * e["crossbar_tiles_woken"]
    assert e["crossbar_row_drives"] >= e["crossbar_tiles_woken"]
    assert e["crossbar_cell_reads"] % 2 == 0 and e["crossbar_cell_reads"] >= 2 * e["crossbar_row_drives"]
    # Every cell read sums a conductance within [g_min, g_max] (nS in the ledger, rounded).
    mean_g = e["crossbar_read_conductance"] / e["crossbar_cell_reads"]
    assert G_MIN_NS - 1e-6 <= mean_g <= G_MAX_NS + 1e-6
    # An ideal ADC never clips; static weights are never reprogrammed.
    assert e["crossbar_adc_clipped"] == 0
    assert e["crossbar_set_pulses"] == 0 and e["crossbar_reset_pulses"] == 0
    # The digital backend leaves every crossbar count at 0.
    assert all(v == 0 for k, v in digital.events.items() if k.startswith("crossbar_"))


def test_crossbar_energy_preset_applies_only_at_the_parameters_it_was_derived_at(tmp_path):
    """reram_crossbar's figures assume v_read = 0.2 V (among others): a run at 0.5 V is refused,
    live and from its file, naming the parameter; at the defaults it is priced."""
    def small(**backend):
        sc = brunel_in_python(duration="5 ms").backend("crossbar", **backend)
        sim = memspike.Simulation(sc, threads=1)
        out = tmp_path / f"run{len(backend)}.h5"
        sim.run(output=str(out))
        return sim, memspike.load(str(out))

    sim, loaded = small()
    assert sim.energy("reram_crossbar")["total_j"] > 0
    assert loaded.energy("reram_crossbar")["total_j"] == sim.energy("reram_crossbar")["total_j"]
    sim, loaded = small(v_read="0.5 V")
    for run in (sim, loaded):
        with pytest.raises(memspike.Error, match="v_read"):
            run.energy("reram_crossbar")
        assert run.energy("loihi")["total_j"] > 0  # other models still apply
