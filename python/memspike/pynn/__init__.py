# SPDX-License-Identifier: MIT
"""memspike as a PyNN backend: ``import memspike.pynn as sim``.

A PyNN 0.10 script runs on memspike's C++ engine with only its import line changed::

    import memspike.pynn as sim
    sim.setup(timestep=0.1, rng_seed=1)
    p = sim.Population(100, sim.IF_curr_exp(tau_m=20.0, i_offset=1.0))
    p.record(["spikes", "v"])
    sim.run(200.0)
    block = p.get_data()          # a neo.Block with PyNN's annotations
    sim.end()

The PyNN objects describe the network; it is written as one memspike.Scenario and built by
memspike.Simulation on the first run() (simulator.py says why, and what that fixes). Supported
types, the parameter mapping and the known differences from other backends: docs/pynn.md.
Beyond PyNN: ``setup(..., threads=N, backend="crossbar", backend_params={...})`` and
``simulation()``, the memspike.Simulation itself (energy ledger, ``energy("loihi")``).
"""
import pyNN  # noqa: F401  (PyNN must be installed: Debian python3-pynn)
from pyNN import common
from pyNN.common.control import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMESTEP
from pyNN.connectors import *  # noqa: F401,F403  (every PyNN connector; projections.py says which run)
from pyNN.connectors import FixedProbabilityConnector
from pyNN.random import NumpyRNG, RandomDistribution  # noqa: F401
from pyNN.recording import get_io
from pyNN.space import Space  # noqa: F401

from . import simulator
from .populations import Assembly, Population, PopulationView  # noqa: F401
from .projections import Projection
from .standardmodels import (ACSource, AdditivePotentiationMultiplicativeDepression,  # noqa: F401
                             AdditiveWeightDependence, DCSource, EIF_cond_alpha_isfa_ista, EIF_cond_exp_isfa_ista,
                             GutigWeightDependence, HH_cond_exp, IF_cond_alpha, IF_cond_exp, IF_cond_exp_gsfa_grr,
                             IF_curr_alpha, IF_curr_delta, IF_curr_exp, Izhikevich, MultiplicativeWeightDependence,
                             NoisyCurrentSource, SpikePairRule, SpikeSourceArray, SpikeSourceGamma,
                             SpikeSourcePoisson, SpikeSourcePoissonRefractory, StaticSynapse, STDPMechanism,
                             StepCurrentSource, TsodyksMarkramSynapse, Vogels2011Rule, supported_cell_types)

Projection._static_synapse_class = StaticSynapse


def list_standard_models():
    """The StandardCellType classes memspike runs."""
    return supported_cell_types()


def setup(timestep=DEFAULT_TIMESTEP, min_delay=DEFAULT_MIN_DELAY, **extra_params):
    """Starts a new network. `timestep`, `min_delay`, `max_delay` in ms as in PyNN; memspike's own
    options: ``rng_seed`` (or ``seed``, default 12345: every random draw of the engine derives from
    it), ``threads`` (0: all cores; results do not depend on it), ``backend`` ("digital", "crossbar",
    "dense") and ``backend_params`` (a dict of unit strings, as memspike.Scenario.backend)."""
    max_delay = extra_params.pop("max_delay", DEFAULT_MAX_DELAY)
    common.setup(timestep, min_delay, max_delay=max_delay, **extra_params)
    simulator.setup_state(timestep, min_delay, max_delay, extra_params)
    return rank()


def end(compatible_output=True):
    """Writes the files asked for with record(..., to_file) and releases the network."""
    for population, variables, filename in simulator.state.write_on_end:
        population.write_data(get_io(filename), variables)
    simulator.state.write_on_end = []
    simulator.state.clear()


run, run_until = common.build_run(simulator)
run_for = run
reset = common.build_reset(simulator)
initialize = common.initialize
get_current_time, get_time_step, get_min_delay, get_max_delay, num_processes, rank = \
    common.build_state_queries(simulator)
create = common.build_create(Population)
connect = common.build_connect(Projection, FixedProbabilityConnector, StaticSynapse)
record = common.build_record(simulator)


def simulation():
    """The memspike.Simulation running the network (built now if it was not yet): its energy
    ledger (``events``, ``energy("loihi")``, ``ledger``), ``result()``, counters."""
    return simulator.state.build()


__all__ = [n for n in dir() if not n.startswith("_")]
