# SPDX-License-Identifier: MIT
"""memspike.chip_report (issue 14, docs/chips.md): a run priced per tick on chips from Python gives
exactly what `memspike report --chips --json` gives, for a path and for memspike.load(path); a
file written by Simulation.run(output=...) is priced too, checked against TrueNorth's figures by
hand; and what gives no number (another backend, a network that does not fit, an unknown chip, a
run in memory) says why."""
import concurrent.futures
import json
import math
import pathlib
import subprocess

import pytest

import memspike

from conftest import EXAMPLES

MODELS = EXAMPLES.parent / "models"

pd = pytest.importorskip("pandas")
CLI = pathlib.Path(memspike.__file__).resolve().parents[2] / "cli" / "memspike"
needs_cli = pytest.mark.skipif(not CLI.exists(), reason="no memspike executable beside the module")


def cli_json(path, chips):
    out = subprocess.run([str(CLI), "report", str(path), "--chips", chips, "--json"], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def same(a, b):
    """Equal exactly: both sides parse the same %.17g text (NaN, which the JSON never holds, equals NaN)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


@needs_cli
@pytest.mark.parametrize("example,overrides", [("single_neuron.toml", []),
                                               ("brunel.toml", ["--set", "simulation.scale=0.1",
                                                                "--set", "simulation.duration=20ms"])])
def test_chip_report_is_the_cli_json(tmp_path, example, overrides):
    out = tmp_path / "run.h5"
    subprocess.run([str(CLI), "run", str(EXAMPLES / example), "-o", str(out), "-q", *overrides], check=True)
    ref = cli_json(out, "all")
    for run in (out, str(out), memspike.load(out)):
        frame = memspike.chip_report(run, "all")
        assert list(frame.index) == list(ref["chips"]) and len(frame) > 0
        assert list(frame.columns) == list(next(iter(ref["chips"].values())))  # same columns, same order
        for chip, row in ref["chips"].items():
            for col, value in row.items():
                assert same(frame.loc[chip, col], value), (chip, col, frame.loc[chip, col], value)
        assert frame.attrs["not_applicable"] == {x["chip"]: x["reason"] for x in ref["chips_not_applicable"]}
        assert frame.attrs["does_not_fit"] == {x["chip"]: x["reason"] for x in ref["chips_does_not_fit"]}
        assert frame.attrs["note"] == ref["chips_note"]
    # Every shipped chip is accounted for, and a subset asked for is what comes back.
    assert sorted(list(ref["chips"]) + [x["chip"] for x in ref["chips_not_applicable"] + ref["chips_does_not_fit"]]) == \
        sorted(memspike.chip_models())
    assert list(memspike.chip_report(out, ["loihi"]).index) == ["loihi"]


def test_chip_report_of_a_python_run_by_hand(tmp_path):
    # TrueNorth (models/chips/truenorth.toml): 34.9 mW of leakage per chip, 13 pJ per synaptic or
    # input event, and one 1 ms hardware step per model tick (0.1 ms here): 10x slower than real time.
    out = tmp_path / "single.h5"
    sim = memspike.Simulation(memspike.load_scenario(EXAMPLES / "single_neuron.toml"))
    sim.run(output=out)
    result = memspike.load(out)
    totals = result.ledger.totals
    events = totals["synaptic_events"] + totals["stimulus_events"]
    chip_time = result.simulated_ms * 1e-3 * 10
    t = memspike.chip_report(out, "truenorth,loihi").loc["truenorth"]
    assert events > 0
    assert t.chip_time_s == pytest.approx(chip_time, rel=1e-12)
    assert t.total_j == pytest.approx(34.9e-3 * chip_time + 13e-12 * events, rel=1e-12)
    assert t.real_time_factor == pytest.approx(10, rel=1e-12) and t.cores == 1 and t.chips == 1
    assert sum(line["total_j"] for line in t.lines) == pytest.approx(t.dynamic_j, rel=1e-12)


def test_chip_report_refusals(tmp_path):
    out = tmp_path / "single.h5"
    sim = memspike.Simulation(memspike.load_scenario(EXAMPLES / "single_neuron.toml"))
    sim.run(output=out)
    frame = memspike.chip_report(out, ["reram_isaac"])
    assert len(frame) == 0
    assert frame.attrs["not_applicable"] == {"reram_isaac": "it prices crossbar counts; the run used the digital backend"}
    with pytest.raises(memspike.UnknownModel, match="unknown chip 'no_such_chip'.*truenorth"):
        memspike.chip_report(out, "no_such_chip")
    with pytest.raises(TypeError, match="a run in memory has no file"):
        memspike.chip_report(sim.result())
    with pytest.raises(TypeError, match="chips must be"):
        memspike.chip_report(out, 3)


def inspect_cores(scale):
    out = subprocess.run([str(CLI), "inspect", str(EXAMPLES / "brunel.toml"), "--set", f"simulation.scale={scale}",
                          "--chip", "loihi"], check=True, capture_output=True, text=True).stdout
    return int(out.split("cores used ")[1].split(",")[0])


@needs_cli
def test_chip_report_applies_python_overrides(tmp_path):
    # The file stores the run's set() overrides (root attribute scenario_overrides) and the report
    # re-applies them: a Brunel run at scale 0.1 maps to the cores the CLI maps for the same --set,
    # not the full-scale Brunel of the stored text (the bug), and without a note.
    sc = memspike.load_scenario(EXAMPLES / "brunel.toml").set("simulation.scale", 0.1).set("simulation.duration", "10 ms")
    out = tmp_path / "brunel.h5"
    memspike.Simulation(sc).run(output=out)
    assert memspike.load(out).attrs["scenario_overrides"] == \
        'overrides = [\n  ["simulation.scale", "0.1"],\n  ["simulation.duration", "\\"10 ms\\""],\n]\n'
    frame = memspike.chip_report(out, "loihi")
    assert frame.attrs["note"] is None
    assert frame.loc["loihi"].cores == inspect_cores(0.1) != inspect_cores(1)
    # Sweep points written to files: each file holds its own point's value.
    base = memspike.load_scenario(EXAMPLES / "brunel.toml").set("simulation.duration", "5 ms")
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        table = memspike.sweep(base, {"simulation.scale": [0.05, 0.1]}, executor=pool, output_dir=tmp_path / "sweep")
    assert list(table["status"]) == ["done", "done"]
    for scale, path in zip((0.05, 0.1), table["file"]):
        assert memspike.chip_report(path, "loihi").loc["loihi"].cores == inspect_cores(scale)


def test_run_stores_the_chip_figures_with_the_description_text(tmp_path, brunel):
    # The bug this catches: figures stored at the end of a run that are not what `report --chips`
    # computes from the same file (a bin or a population's spikes lost by the capture, another
    # scenario), or a stored description that is not the chip file priced.
    h5py = pytest.importorskip("h5py")
    out = tmp_path / "b.h5"
    memspike.Simulation(brunel, threads=1).run("60 ms", output=out)
    frame = memspike.chip_report(out, "all")
    with h5py.File(out, "r") as f:
        chips = f["energy/chips"]
        assert sorted(chips) == sorted(frame.index)
        for chip in frame.index:
            g = chips[chip]
            for key in ("dynamic_j", "static_j", "total_j", "tick_latency_us", "chip_time_s", "real_time_factor", "cores", "hops"):
                assert g.attrs[key] == frame.loc[chip, key], (chip, key)
            text = g.attrs["description"]
            assert (text.decode() if isinstance(text, bytes) else text) == (MODELS / "chips" / f"{chip}.toml").read_text()
        not_priced = chips.attrs["not_priced"]
        not_priced = not_priced.decode() if isinstance(not_priced, bytes) else not_priced
        for chip, why in {**frame.attrs["not_applicable"], **frame.attrs["does_not_fit"]}.items():
            assert f"{chip}: " in not_priced and why in not_priced
