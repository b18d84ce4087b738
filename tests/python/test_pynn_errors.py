# SPDX-License-Identifier: MIT
"""memspike.pynn: what memspike cannot run, or what is wrong, raises PyNN's own exceptions
(NotImplementedError, pyNN.errors.*) naming the type, parameter or value; nothing is silently
approximated."""
import numpy as np
import pytest
from pyNN import errors

import memspike.pynn as sim


@pytest.fixture(autouse=True)
def fresh():
    sim.setup(timestep=0.1)
    yield
    sim.end()


@pytest.mark.parametrize("name", ["IF_cond_alpha", "EIF_cond_alpha_isfa_ista", "HH_cond_exp", "IF_cond_exp_gsfa_grr",
                                  "SpikeSourceGamma"])
def test_unsupported_cell_types_name_themselves(name):
    with pytest.raises(NotImplementedError, match=name):
        getattr(sim, name)()


def test_unsupported_sources_and_synapses():
    with pytest.raises(NotImplementedError, match="ACSource needs a finite stop"):  # PyNN's default stop
        p = sim.Population(1, sim.IF_curr_exp())
        sim.ACSource(amplitude=0.1).inject_into(p)
        sim.run(1.0)
    sim.end()
    sim.setup(timestep=0.1)
    with pytest.raises(NotImplementedError, match="TsodyksMarkramSynapse is not supported: memspike has no short-term"):
        sim.TsodyksMarkramSynapse()
    with pytest.raises(NotImplementedError, match="Vogels2011Rule is not supported: memspike has no inhibitory STDP"):
        sim.Vogels2011Rule()
    with pytest.raises(NotImplementedError, match="supports AdditiveWeightDependence.*not str"):
        sim.STDPMechanism(timing_dependence=sim.SpikePairRule(), weight_dependence="additive")


def test_heterogeneous_parameters_are_checked_per_neuron_and_refused_for_sources():
    p = sim.Population(4, sim.IF_curr_exp())
    p.set(tau_m=np.array([10.0, 20.0, 20.0, 20.0]))  # LIF models take per-neuron values
    p[1:3].set(v_thresh=-55.0)
    # A per-neuron rule broken by one neuron names it, and the values stay as they were.
    with pytest.raises(errors.InvalidParameterValueError, match="neuron 3.*v_th = -75 mV"):
        p.set(v_thresh=np.array([-50.0, -50.0, -50.0, -75.0]))
    assert list(p.get("tau_m")) == [10.0, 20.0, 20.0, 20.0]
    assert list(p.get("v_thresh")) == [-50.0, -55.0, -55.0, -50.0]
    # Sources take one value per population.
    with pytest.raises(NotImplementedError, match="rate differs between neurons"):
        sim.Population(3, sim.SpikeSourcePoisson(rate=np.array([1.0, 2.0, 3.0])))
    # Many distinct i_offset values: no limit now (the ≤64 dc-stimulus workaround is gone).
    sim.Population(100, sim.IF_curr_exp(i_offset=sim.RandomDistribution("uniform", low=0.0, high=1.0)))
    with pytest.raises(NotImplementedError, match="initialize"):
        p[0:2].initialize(v=-60.0)
    with pytest.raises(NotImplementedError, match="gamma"):
        p.initialize(v=sim.RandomDistribution("gamma", k=2.0, theta=1.0))


def test_bad_values_name_the_parameter_and_the_rule():
    with pytest.raises(errors.InvalidParameterValueError, match="tau_m.*must be"):
        sim.Population(2, sim.IF_curr_exp(tau_m=-1.0))
    p = sim.Population(2, sim.IF_curr_exp())
    with pytest.raises(errors.InvalidParameterValueError, match="v_reset"):
        p.set(v_reset=-40.0)          # above v_thresh = -50 mV
    assert p.get("v_reset") == -65.0  # restored
    with pytest.raises(errors.InvalidParameterValueError, match="spike_times of neuron 0 = 1.05 ms is not a whole"):
        sim.Population(1, sim.SpikeSourceArray(spike_times=[1.05]))


def test_bad_projections():
    a = sim.Population(3, sim.SpikeSourcePoisson(rate=1.0))
    b = sim.Population(3, sim.IF_cond_exp())
    with pytest.raises(errors.InvalidParameterValueError, match="delay = 1.05 ms is not a whole number of time steps"):
        sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=1.05))
    with pytest.raises(errors.ConnectionError, match="weight"):
        sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=-0.01, delay=1.0),
                       receptor_type="excitatory")  # a negative conductance
    with pytest.raises(NotImplementedError, match="FixedTotalNumberConnector.with_replacement=False"):
        sim.Projection(a, b, sim.FixedTotalNumberConnector(4, with_replacement=False), sim.StaticSynapse(weight=0.01))
    with pytest.raises(NotImplementedError, match="SmallWorldConnector is not supported"):
        sim.Projection(a, b, sim.SmallWorldConnector(degree=2.0, rewiring=0.1), sim.StaticSynapse(weight=0.01))
    c = sim.Population(2, sim.IF_curr_exp())
    with pytest.raises(errors.ConnectionError, match="homogeneous synapses"):  # PyNN's own check
        sim.Projection(a, b + c, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01))
    with pytest.raises(errors.ConnectionError, match="receptor_type"):
        sim.Projection(a, b, sim.AllToAllConnector(), receptor_type="gaba")


def test_recording_what_the_cell_cannot_record():
    p = sim.Population(2, sim.IF_curr_exp())
    with pytest.raises(errors.RecordingError):
        p.record("gsyn_exc")
    with pytest.raises(errors.InvalidParameterValueError, match="sampling_interval"):
        p.record("v", sampling_interval=0.15)


def test_the_network_is_fixed_during_a_run():
    # After t = 0 a change is refused, naming it and the way out (reset(); test_pynn_api.py checks
    # that a change after reset() takes effect).
    p = sim.Population(2, sim.IF_curr_exp())
    sim.run(1.0)
    for what, call in [("creating a Population", lambda: sim.Population(1, sim.IF_curr_exp())),
                       ("creating a Projection", lambda: sim.Projection(p, p, sim.OneToOneConnector())),
                       ("changing parameters", lambda: p.set(tau_m=10.0)),
                       ("record", lambda: p.record("v")),
                       ("creating a current source", lambda: sim.DCSource(amplitude=1.0).inject_into(p))]:
        with pytest.raises(NotImplementedError, match=what + r".* at t = 1.0 ms is not supported.*call reset\(\) first"):
            call()
    with pytest.raises(errors.InvalidParameterValueError, match="run_until"):
        sim.run(0.05)


def test_setup_options():
    with pytest.raises(errors.InvalidParameterValueError, match="rng_seed"):
        sim.setup(timestep=0.1, rng_seed=-1)
    with pytest.raises(errors.InvalidParameterValueError, match="threads"):
        sim.setup(timestep=0.1, threads=1.5)
    with pytest.warns(UserWarning, match="spike_precision"):
        sim.setup(timestep=0.1, spike_precision="on_grid")
    sim.setup(timestep=0.1, backend="dense")
    sim.Population(2, sim.IF_curr_exp(i_offset=1.0))
    sim.run(10.0)
    assert sim.simulation().spec.backend == "dense"
