# SPDX-License-Identifier: MIT
"""NIR graphs (Neuromorphic Intermediate Representation, Pedersen et al. 2024) as memspike scenarios.

    sc = memspike.nir.load("net.nir", resolution="0.1 ms")
    sc.simulation(duration="100 ms")
    sc.set("population.input.spike_times", [[1.0, 2.0], [], ...])   # or replace the input population
    sim = memspike.Simulation(sc); sim.run()

``load`` lowers the graph with memspike's C++ reader (the one ``memspike run graph.nir`` uses) into
scenario text plus one CSV file of explicit synapses per projection, written into `workdir`, and
returns the scenario as a ``memspike.Scenario`` built in code, so every builder call and ``set`` works
on it. Each NIR Input node becomes a ``spike_source`` population of that name with no spikes; give it
spikes with ``set("population.<name>.spike_times", ...)``. The mapping, the discretisation and what
is not supported are in docs/nir.md.
"""
import os
import tempfile
import tomllib

from . import _memspike
from .scenario import Scenario


def load(path, resolution="0.1 ms", time_unit="1 s", workdir=None, models=None):
    """Reads the NIR graph `path` and returns a Scenario (without [simulation] duration: call
    ``simulation(duration=...)``). `resolution` is the run's tick: each synaptic hop takes one tick
    and Delay nodes must be whole ticks. `time_unit` is what one NIR time unit is ("1 s": the
    convention of the libraries that export NIR). The connection files go into `workdir` (a new
    temporary directory when None; it is not removed, as the scenario refers to it). The returned
    scenario's ``nir`` attribute describes the mapping: inputs, populations, outputs, files."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"memspike.nir.load: path must be a file path (str or os.PathLike), not {type(path).__name__}")
    res_ms = _memspike.parse_quantity(resolution, _memspike.Dimension.time)
    unit_ms = _memspike.parse_quantity(time_unit, _memspike.Dimension.time)
    if workdir is None:
        workdir = tempfile.mkdtemp(prefix="memspike-nir-")
    lowered = _memspike.nir_lower(os.fspath(path), os.fspath(workdir), res_ms, unit_ms)
    sc = Scenario(models)
    doc = tomllib.loads(lowered.pop("scenario"))
    doc = {"simulation": {"resolution": resolution}, **doc}
    sc._doc = doc
    sc.nir = dict(lowered, workdir=os.fspath(workdir))
    return sc
