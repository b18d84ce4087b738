# SPDX-License-Identifier: MIT
"""Recording for memspike.pynn: PyNN's Recorder (which builds the Neo objects and annotations)
reading spikes and traces from the memspike.Simulation.

What is recorded is fixed when the network is built: spikes of every population with a recorded
neuron (memspike records whole populations; the Neo block holds the recorded neurons only), and one
trace per recorded variable, sampled every `sampling_interval` (default: the time step) from t = 0.
A trace holds the samples at 0, Δ, 2Δ, ... below the current time (memspike samples a run's ticks,
not its end point).
"""
import numpy as np
from pyNN import recording

from . import simulator


class Recorder(recording.Recorder):
    _simulator = simulator

    def __init__(self, population, file=None):
        super().__init__(population, file)
        self._from_tick = 0  # data before this tick was cleared (get_data(clear=True))

    def _record(self, variable, new_ids, sampling_interval=None):
        if new_ids:
            simulator.state.require_unbuilt(f"record({variable!r})")
        if sampling_interval is not None:
            simulator.state.ticks(sampling_interval, "sampling_interval")
            self.sampling_interval = sampling_interval

    def _reset(self):
        simulator.state.require_unbuilt("record(None)")

    def _clear_simulator(self):
        sim = simulator.state.sim
        self._from_tick = sim.now if sim is not None else 0

    def _spikes(self):
        """(indices, ticks) of this population's spikes from _from_tick on."""
        sim = simulator.state.sim
        if sim is None:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        idx, ticks = sim.spike_ticks(self.population._ms_name)
        keep = ticks >= self._from_tick
        return idx[keep].astype(np.int64), ticks[keep]

    def _get_spiketimes(self, ids, clear=False):
        """{ID: spike times [ms]}: PyNN then annotates each SpikeTrain with source_population,
        source_id and source_index, as the NEST and Brian2 backends do."""
        idx, ticks = self._spikes()
        order = np.lexsort((ticks, idx))
        idx, times = idx[order], ticks[order] * simulator.state.dt
        bounds = np.searchsorted(idx, np.arange(self.population.size + 1))
        first = int(self.population.first_id)
        return {int(i): times[bounds[int(i) - first]:bounds[int(i) - first + 1]] for i in ids}

    def _get_all_signals(self, variable, ids, clear=False):
        sim = simulator.state.sim
        if sim is None or len(ids) == 0:
            return np.zeros((0, len(ids))), None
        ms_var, unit = self.population.celltype._STATE[variable]
        tr = sim.traces(self.population._ms_name, ms_var)
        keep = tr.ticks >= self._from_tick
        column = {int(n): c for c, n in enumerate(tr.neurons)}
        cols = [column[int(self.population.id_to_index(i))] for i in ids]
        values = tr.values[keep][:, cols]
        # PyNN unit -> (the engine's internal unit of that dimension, factor)
        internal, scale = {"mV": ("mV", 1.0), "uS": ("nS", 1e-3), "nA": ("pA", 1e-3), "": ("", 1.0)}[unit]
        if tr.unit != internal:
            raise AssertionError(f"memspike.pynn: trace {ms_var} has unit {tr.unit}, expected the one of {unit}")
        return values * scale, None

    def _local_count(self, variable, filter_ids=None):
        idx, _ = self._spikes()
        counts = np.bincount(idx, minlength=self.population.size)
        first = int(self.population.first_id)
        return {int(i): int(counts[int(i) - first]) for i in self.filter_recorded(variable, filter_ids)}
