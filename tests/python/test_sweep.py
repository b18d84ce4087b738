# SPDX-License-Identifier: MIT
# Parameter sweeps: the cartesian product of override values, run in parallel in C++; each point
# equals the same point run on its own.
import numpy as np

import memspike
from conftest import small_brunel


def test_sweep_equals_one_by_one():
    base = small_brunel(**{"simulation.duration": "100 ms"})
    grid = {"population.E.params.tau_m": ["15 ms", "20 ms"], "simulation.seed": [1, 2]}
    results = memspike.sweep(base, grid, threads=2)
    assert len(results) == 4
    assert [r.overrides for r in results] == [
        {"population.E.params.tau_m": "15 ms", "simulation.seed": 1},
        {"population.E.params.tau_m": "15 ms", "simulation.seed": 2},
        {"population.E.params.tau_m": "20 ms", "simulation.seed": 1},
        {"population.E.params.tau_m": "20 ms", "simulation.seed": 2},
    ]
    for r in results:
        assert r.complete and r.simulated_ms == 100.0
        alone = base.copy()
        for k, v in r.overrides.items():
            alone.set(k, v)
        sim = memspike.Simulation(alone, threads=1)
        sim.run()
        assert sim.result() == r, r.overrides
        assert r.attrs["seed"] == r.overrides["simulation.seed"]
    # Different points differ.
    assert results[0] != results[1] and results[0] != results[2]
    # Sweep arrays view the C++ buffers (no copy).
    ids, _ = results[0].spike_ticks("E")
    assert ids.dtype == np.uint32 and not ids.flags.owndata and ids.base is not None


def test_sweep_reports_bad_points_before_running():
    base = small_brunel(**{"simulation.duration": "10 ms"})
    try:
        memspike.sweep(base, {"population.E.params.tau_m": ["10 ms", "-1 ms"]})
    except memspike.ScenarioError as e:
        assert e.key == "population.E.params.tau_m"
    else:
        raise AssertionError("expected ScenarioError")


def test_sweep_needs_lists_of_values():
    import pytest
    with pytest.raises(TypeError, match="list of values"):
        memspike.sweep(small_brunel(), {"simulation.duration": "10 ms"})
