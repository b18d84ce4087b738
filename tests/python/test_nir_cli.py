# SPDX-License-Identifier: MIT
"""`memspike run graph.nir --input FILE` (issue 18): the input section's spikes drive the lowered
graph, the outputs are recorded, and the result is the one memspike.nir.load gives in Python."""
import pathlib
import subprocess

import h5py
import numpy as np
import pytest

import memspike
import memspike.nir

from nir_support import write_graph

CLI = pathlib.Path(memspike.__file__).resolve().parents[2] / "cli" / "memspike"
pytestmark = pytest.mark.skipif(not CLI.exists(), reason="no memspike executable beside the module")

INPUT = """[simulation]
duration = "20 ms"
resolution = "0.1 ms"

[[population]]
name = "input"
model = "spike_source"
spike_times = [["1 ms", "1.5 ms", "2 ms", "9 ms"], ["1 ms", "4 ms"], []]
"""


def graph(path):
    n = 2
    write_graph(path, {"input": {"type": "Input", "shape": np.array([3])},
                       "fc": {"type": "Affine", "weight": np.array([[0.6, 0.5, 0.1], [0.2, 0.9, 0.3]]),
                              "bias": np.array([10.0, 0.0])},
                       "lif": {"type": "LIF", "tau": np.full(n, 0.02), "r": np.full(n, 0.02), "v_leak": np.zeros(n),
                               "v_threshold": np.ones(n), "v_reset": np.zeros(n)},
                       "li": {"type": "LI", "tau": np.full(n, 0.01), "r": np.full(n, 0.01), "v_leak": np.zeros(n)},
                       "out": {"type": "Output", "shape": np.array([n])},
                       "out2": {"type": "Output", "shape": np.array([n])}},
                [("input", "fc"), ("fc", "lif"), ("lif", "out"), ("lif", "li"), ("li", "out2")])


def test_run_a_graph_with_an_input_section(tmp_path):
    graph(tmp_path / "net.nir")
    (tmp_path / "in.toml").write_text(INPUT)
    r = subprocess.run([str(CLI), "run", "net.nir", "--input", "in.toml", "-q"], cwd=tmp_path, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    with h5py.File(tmp_path / "net.h5") as f:  # the default output: <graph name>.h5
        ticks, ids = f["spikes/lif/ticks"][()], f["spikes/lif/ids"][()]
        assert "input" not in f["spikes"]  # only the outputs are recorded
        assert "li" in f["traces"]
    # The same graph and input through Python.
    sc = memspike.nir.load(tmp_path / "net.nir", workdir=tmp_path / "py")
    sc.simulation(duration="20 ms")
    sc.set("population.input.spike_times", [["1 ms", "1.5 ms", "2 ms", "9 ms"], ["1 ms", "4 ms"], []])
    sim = memspike.Simulation(sc)
    sim.run()
    want_ids, want_ticks = sim.spike_ticks("lif")
    assert len(want_ticks) >= 2
    assert sorted(zip(ticks.tolist(), ids.tolist())) == sorted(zip(want_ticks.tolist(), want_ids.tolist()))
    # The lowered scenario keeps the input file's lines first, so its errors name the right line.
    text = (tmp_path / "net_nir" / "scenario.toml").read_text()
    assert text.startswith(INPUT)


def test_input_section_errors_keep_their_line(tmp_path):
    graph(tmp_path / "net.nir")
    (tmp_path / "in.toml").write_text(INPUT.replace('duration = "20 ms"', 'duration = "20 mV"'))
    r = subprocess.run([str(CLI), "validate", "net.nir", "--input", "in.toml"], cwd=tmp_path, capture_output=True,
                       text=True)
    assert r.returncode == 2
    assert "scenario.toml:2:12: key 'simulation.duration'" in r.stderr, r.stderr


def test_a_foreign_directory_is_not_overwritten(tmp_path):
    graph(tmp_path / "net.nir")
    (tmp_path / "in.toml").write_text(INPUT)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    r = subprocess.run([str(CLI), "run", "net.nir", "--input", "in.toml", "--nir-dir", "mine"], cwd=tmp_path,
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert "'mine' exists and was not written by memspike from a NIR graph" in r.stderr
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep"
    assert not (tmp_path / "net.h5").exists()


def test_an_input_population_of_the_wrong_size_is_refused(tmp_path):
    graph(tmp_path / "net.nir")
    (tmp_path / "in.toml").write_text(INPUT.replace('["1 ms", "4 ms"], []]', '["1 ms", "4 ms"]]'))
    r = subprocess.run([str(CLI), "run", "net.nir", "--input", "in.toml"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 2
    assert "in.toml:5:1: key 'population.input': the NIR Input node \"input\" has 3 elements, but this population " \
           "has 2 neurons" in r.stderr, r.stderr
    # The refused run left a directory a corrected rerun may use.
    (tmp_path / "in.toml").write_text(INPUT)
    r = subprocess.run([str(CLI), "run", "net.nir", "--input", "in.toml", "-q"], cwd=tmp_path, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr


def test_nir_options_with_a_scenario_file_are_refused(tmp_path):
    (tmp_path / "in.toml").write_text(INPUT)
    r = subprocess.run([str(CLI), "validate", "in.toml", "--input", "in.toml"], cwd=tmp_path, capture_output=True,
                       text=True)
    assert r.returncode == 2
    assert "--input, --nir-dir and --nir-time-unit are for NIR graphs (a .nir file), not for 'in.toml'" in r.stderr


def test_time_unit_option(tmp_path):
    # tau = r = 0.02 in seconds is 20 ms; read as milliseconds it is 20 us: the same weights (r / tau = 1)
    # but a membrane that forgets between the input spikes, so fewer spikes.
    graph(tmp_path / "net.nir")
    (tmp_path / "in.toml").write_text(INPUT)
    counts = {}
    for unit in ("1 s", "1 ms"):
        r = subprocess.run([str(CLI), "run", "net.nir", "--input", "in.toml", "-q", "--overwrite", "--nir-time-unit", unit],
                           cwd=tmp_path, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        text = (tmp_path / "net_nir" / "scenario.toml").read_text()
        assert ('tau_m = "20 ms"' if unit == "1 s" else 'tau_m = "0.02 ms"') in text
        with h5py.File(tmp_path / "net.h5") as f:
            counts[unit] = len(f["spikes/lif/ticks"])
    assert counts["1 ms"] < counts["1 s"]
    r = subprocess.run([str(CLI), "validate", "net.nir", "--nir-time-unit", "1 mV"], cwd=tmp_path, capture_output=True,
                       text=True)
    assert r.returncode == 2 and "--nir-time-unit: \"1 mV\"" in r.stderr, r.stderr
