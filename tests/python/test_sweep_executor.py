# SPDX-License-Identifier: MIT
# memspike.sweep on an executor (issue 17, item 5): each point a task writing its own file, a
# summary table at the end, failing points reported with their parameters while the others run.
# Checked against the in-process sweep (a different code path: C++ run_sweep, results in memory).
import concurrent.futures
import multiprocessing
import os

import numpy as np
import pandas as pd
import pytest

import memspike
from conftest import BRUNEL, small_brunel

GRID = {"population.E.params.tau_m": ["15 ms", "20 ms"], "simulation.seed": [1, 2]}


def spawn_pool(n=2):
    # "spawn", as docs/python.md advises: a forked child gets the parent's memory but not its
    # threads (oneTBB's workers).
    return concurrent.futures.ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn"))


def same_spikes(result_a, result_b):
    for pop in result_a.populations:
        ids_a, t_a = result_a.spike_ticks(pop)
        ids_b, t_b = result_b.spike_ticks(pop)
        if not (np.array_equal(ids_a, ids_b) and np.array_equal(t_a, t_b)):
            return False
    return True


def test_process_pool_points_equal_the_in_process_sweep(tmp_path):
    base = small_brunel(**{"simulation.duration": "100 ms"})
    in_memory = memspike.sweep(base, GRID, threads=2)
    with spawn_pool() as pool:
        table = memspike.sweep(base, GRID, executor=pool, output_dir=tmp_path)
    assert isinstance(table, pd.DataFrame) and len(table) == 4
    assert list(table["status"]) == ["done"] * 4 and list(table["error"]) == [""] * 4
    assert list(table["population.E.params.tau_m"]) == ["15 ms", "15 ms", "20 ms", "20 ms"]
    assert list(table["simulation.seed"]) == [1, 2, 1, 2]
    for row, mine in zip(table.to_dict("records"), in_memory):
        on_disk = memspike.load(row["file"])
        assert os.path.dirname(row["file"]) == str(tmp_path) and on_disk.complete
        assert same_spikes(on_disk, mine), row
        # The summary's figures are the file's.
        assert row["spikes.E"] == mine.spike_ticks("E")[0].size
        assert row["rate_hz.I"] == pytest.approx(mine.mean_rate_hz("I"), rel=1e-12)
    on_file = pd.read_csv(tmp_path / "summary.csv")
    assert list(on_file["spikes.E"]) == list(table["spikes.E"])
    assert table["spikes.E"].nunique() > 1  # the points differ


def test_a_failing_point_is_reported_with_its_parameters_and_the_others_run(tmp_path):
    # scale 80000 (1e9 neurons) passes validation but its worker refuses it: not enough memory.
    base = memspike.load_scenario(BRUNEL, {"simulation.duration": "20 ms"})
    grid = {"simulation.scale": [0.1, 80000, 0.2]}
    with spawn_pool() as pool, pytest.warns(RuntimeWarning, match=r"1 of 3 points failed; the others ran:\n"
                                                                  r"  point 1 \(simulation.scale=80000\): "
                                                                  r"\w*Error: not enough memory"):
        table = memspike.sweep(base, grid, executor=pool, output_dir=tmp_path)
    assert list(table["status"]) == ["done", "failed", "done"]
    assert "not enough memory" in table["error"][1]
    assert os.path.exists(table["file"][0]) and not os.path.exists(table["file"][1]) and os.path.exists(table["file"][2])
    assert table["spikes.E"][2] > table["spikes.E"][0] > 0  # twice the neurons, the same rates


def test_existing_files_are_refused_per_point_unless_overwrite(tmp_path):
    base = small_brunel(**{"simulation.duration": "20 ms"})
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        first = memspike.sweep(base, {"simulation.seed": [1, 2]}, executor=pool, output_dir=tmp_path)
        with pytest.warns(RuntimeWarning, match="2 of 2 points failed"):
            again = memspike.sweep(base, {"simulation.seed": [1, 2]}, executor=pool, output_dir=tmp_path)
        assert list(again["status"]) == ["failed"] * 2 and "already exists" in again["error"][0]
        replaced = memspike.sweep(base, {"simulation.seed": [1, 2]}, executor=pool, output_dir=tmp_path, overwrite=True)
    assert list(replaced["status"]) == ["done"] * 2
    assert list(replaced["spikes.E"]) == list(first["spikes.E"])


def test_dask_local_cluster_runs_the_sweep(tmp_path):
    import distributed  # Debian's python3-distributed (scripts/bootstrap.sh)
    base = small_brunel(**{"simulation.duration": "50 ms"})
    grid = {"simulation.seed": [3, 4, 5]}
    expected = memspike.sweep(base, grid, threads=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        table = memspike.sweep(base, grid, executor=client, output_dir=tmp_path)
    assert list(table["status"]) == ["done"] * 3
    for path, mine in zip(table["file"], expected):
        assert same_spikes(memspike.load(path), mine)


def test_bad_executor_arguments(tmp_path):
    base = small_brunel(**{"simulation.duration": "10 ms"})
    grid = {"simulation.seed": [1]}
    with pytest.raises(TypeError, match="executor and output_dir go together"):
        memspike.sweep(base, grid, output_dir=tmp_path)
    with pytest.raises(TypeError, match="executor and output_dir go together"):
        memspike.sweep(base, grid, executor=concurrent.futures.ThreadPoolExecutor(1))
    with pytest.raises(TypeError, match=r"executor must have submit\(fn, \*args\).*not list"):
        memspike.sweep(base, grid, executor=[], output_dir=tmp_path)
    with pytest.raises(TypeError, match="threads is for a sweep in this process"):
        memspike.sweep(base, grid, threads=2, executor=concurrent.futures.ThreadPoolExecutor(1), output_dir=tmp_path)
    with pytest.raises(TypeError, match="overwrite applies to the files of a sweep on an executor"):
        memspike.sweep(base, grid, overwrite=True)
    with pytest.raises(TypeError, match="sweep: overwrite must be True or False"):
        memspike.sweep(base, grid, executor=concurrent.futures.ThreadPoolExecutor(1), output_dir=tmp_path, overwrite=1)
    # A bad point is reported before anything is submitted.
    with pytest.raises(memspike.ScenarioError):
        memspike.sweep(base, {"population.E.params.tau_m": ["-1 ms"]}, executor=concurrent.futures.ThreadPoolExecutor(1),
                       output_dir=tmp_path)
    assert not any(tmp_path.iterdir())
