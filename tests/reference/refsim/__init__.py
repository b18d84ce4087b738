# SPDX-License-Identifier: MIT
"""refsim: an independent, clock-driven reference simulator for memspike's tests.

It shares nothing with memspike but the scenario file: it parses the TOML itself (scenario.py),
builds seed-independent connectivity itself, and integrates the documented equations one tick at
a time (neurons.py, plasticity.py, crossbar.py, sim.py). Slow and obvious on purpose; for
networks of tens of neurons. docs/testing.md ("The reference simulator") says what it covers.
"""
from .scenario import NotReproducible, load
from .sim import simulate

__all__ = ["load", "simulate", "run", "NotReproducible"]


def run(path, synapses=None, seed=0):
    """Loads and simulates the scenario at `path` (see sim.simulate)."""
    return simulate(load(path), synapses=synapses, seed=seed)
