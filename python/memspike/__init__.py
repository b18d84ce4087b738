# SPDX-License-Identifier: MIT
"""memspike: an event-driven spiking-network simulator, from Python.

    import memspike
    sc = memspike.load_scenario("examples/brunel.toml", {"simulation.scale": 0.1, "simulation.duration": "200 ms"})
    sim = memspike.Simulation(sc)
    sim.run()
    ids, times_ms = sim.spikes("E")
    memspike.plot.raster(sim.result()).figure.savefig("raster.png")

Scenarios are built in code with memspike.Scenario or read from TOML files; both go through the same
C++ parser (see memspike.scenario). The user guide is docs/python.md. This package holds Python
conveniences only; the simulator is the C++ extension module memspike._memspike.
"""
from . import _memspike
from ._memspike import (BackendUnavailable, Dimension, Error, InternalError, InvalidParameter, IOError,
                        ScenarioError, ScenarioSpec, UnitError, UnknownModel, UnknownParameter, format_quantity,
                        parse_quantity)
from . import plot
from .chips import chip_models, chip_report
from .energy import energy_baseline, energy_frame, energy_report
from .results import Ledger, NeuronParameter, Result, Trace, load
from .scenario import Scenario, load_scenario
from .simulation import Simulation, sweep

__version__ = _memspike.__version__

#: The built-in neuron and source models: ``memspike.models["lif_delta"].params``.
models = _memspike.builtin_models()


def energy_models(backend=None):
    """Names of the shipped hardware energy presets (models/energy/*.toml), for Simulation.energy,
    Result.energy and memspike.plot.energy: e.g. ['cpu_45nm', 'gpu_h100', 'loihi', ...]. With
    `backend` ("digital", "crossbar", ...), only those that apply to a run of that backend: a preset
    that prices one backend's counts (reram_crossbar) is left out for the others."""
    if backend is not None and not isinstance(backend, str):
        raise TypeError(f"energy_models: backend must be a backend name such as \"digital\" or None, "
                        f"not {type(backend).__name__}")
    return list(_memspike.energy_models(backend))

# memspike.IOError stays out of __all__: `from memspike import *` must not shadow the built-in IOError.
__all__ = ["BackendUnavailable", "Dimension", "Error", "InternalError", "InvalidParameter", "Ledger", "NeuronParameter", "Result",
           "Scenario", "ScenarioError", "ScenarioSpec", "Simulation", "Trace", "UnitError", "UnknownModel",
           "UnknownParameter", "chip_models", "chip_report", "energy_baseline", "energy_frame", "energy_models", "energy_report", "format_quantity", "load", "load_scenario", "models", "parse_quantity", "plot",
           "sweep"]
