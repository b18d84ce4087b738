# SPDX-License-Identifier: MIT
# Simulation.run(output=...): an existing file is replaced only with overwrite=True, the scenario
# file never, and the file appears under its name only once closed (issue 11, defect 10).
import os
import shutil

import h5py
import pytest

import memspike
from memspike import _memspike
from conftest import EXAMPLES


def short(path=None):
    sc = memspike.load_scenario(path or EXAMPLES / "single_neuron.toml", {"simulation.duration": "20 ms"})
    return memspike.Simulation(sc)


def leftovers(directory):
    return sorted(n for n in os.listdir(directory) if ".partial-" in n)


def test_an_existing_output_is_refused_without_overwrite(tmp_path):
    out = tmp_path / "run.h5"
    out.write_bytes(b"keep me")
    with pytest.raises(memspike.IOError, match=rf"output file '{out}' already exists; .*overwrite=True \(Python\)"):
        short().run(output=out)
    assert out.read_bytes() == b"keep me" and leftovers(tmp_path) == []


def test_overwrite_true_replaces_it_and_leaves_no_partial_file(tmp_path):
    out = tmp_path / "run.h5"
    out.write_bytes(b"old")
    sim = short()
    assert sim.run(output=out, overwrite=True) is True
    with h5py.File(out, "r") as f:
        assert f.attrs["complete"] == 1 and f["spikes/n/ticks"].shape[0] == sim.spikes("n")[0].size
    assert leftovers(tmp_path) == []


def test_a_new_output_leaves_no_partial_file(tmp_path):
    out = tmp_path / "new.h5"
    short().run(output=str(out))
    assert out.is_file() and leftovers(tmp_path) == []


def test_the_scenario_file_is_never_the_output(tmp_path):
    toml = tmp_path / "sc.toml"
    shutil.copy(EXAMPLES / "single_neuron.toml", toml)
    before = toml.read_bytes()
    with pytest.raises(memspike.IOError, match=r"is the scenario file"):
        short(toml).run(output=toml, overwrite=True)
    assert toml.read_bytes() == before and leftovers(tmp_path) == []


def test_overwrite_must_be_a_bool(tmp_path):
    with pytest.raises(TypeError, match=r"Simulation.run: overwrite must be True or False, not int"):
        short().run(output=tmp_path / "x.h5", overwrite=1)


def test_a_whole_run_into_a_file_checks_the_disk(tmp_path, monkeypatch):
    sim = short()
    calls = []
    monkeypatch.setattr(_memspike, "check_resources", lambda *a, **k: calls.append((a[2:], k)))
    sim.run("1 ms", output=tmp_path / "part.h5")  # a part of the run: the estimate does not describe it
    assert calls == []
    sim.reset()
    sim.run(output=tmp_path / "whole.h5")
    assert calls == [((str(tmp_path / "whole.h5"),), {"memory_bytes": -1})]
