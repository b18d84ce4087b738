# SPDX-License-Identifier: MIT
"""The PyNN "simulator" module of memspike.pynn: the global state PyNN's common code expects, and
the translation of the PyNN network into one memspike.Scenario.

Why the network is built lazily
-------------------------------
memspike builds a network once, from a whole scenario (all populations, projections, stimuli and
what to record), and then runs it in as many steps as wanted. PyNN creates objects one by one. So
every PyNN object only records what it is, and the scenario is written and handed to
memspike.Simulation when something needs the engine: the first run(), or Projection.get/set. A
change at t = 0 (before the first run or after reset()) drops the engine, to be built again with
the change and the current weights; during a run (t > 0) creating populations or projections,
recording new variables or changing cell parameters raises NotImplementedError saying so, instead
of being ignored.

Each PyNN population becomes one memspike population (``p0``, ``p1``, ... : PyNN labels need not
be identifiers), each projection one or more memspike projections (``prj0``, ...), each current
source one [[stimulus]] per target population. Random connectivity, initial values and
distributed weights are drawn by the engine from its own streams, keyed by the seed of setup()
(``rng_seed``/``seed``), never by PyNN's NumpyRNG: results are reproducible for a seed and do not
depend on the thread count, but they are not the draws another PyNN backend makes.
"""
import atexit
import math
import shutil
import tempfile
import warnings

import numpy as np
from pyNN import common, errors

name = "memspike"


class ID(int, common.IDMixin):
    def __init__(self, n):
        int.__init__(n)
        common.IDMixin.__init__(self)


class State(common.control.BaseState):

    def __init__(self):
        super().__init__()
        self.mpi_rank = 0
        self.num_processes = 1
        self.dt = 0.1
        self.min_delay = "auto"
        self.max_delay = "auto"
        self.seed = 12345
        self.threads = 0
        self.backend = None   # (kind, params) for Scenario.backend
        self._tmpdir = None
        self.clear()

    # -- PyNN's state interface ----------------------------------------------------------------------

    def clear(self):
        self.recorders = set()
        self.populations = []
        self.projections = []
        self.current_sources = []
        self.id_counter = 0
        self.segment_counter = -1
        self.sim = None
        self.scenario = None
        self._initial_weights = None
        self._carried_weights = None
        self.write_on_end = []
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None
        self.reset()

    def reset(self):
        """Back to t = 0: states and sources as at the start, weights as at the start of the first
        run (PyNN's reset), and a new recording segment."""
        if self.sim is not None:
            self.sim.reset(keep_weights=True)
            for prj, w in (self._initial_weights or {}).items():
                self.sim.set_weights(prj, w)
        for r in self.recorders:
            r._from_tick = 0
        self.running = False
        self.t_start = 0
        self.segment_counter += 1

    @property
    def t(self):
        return 0.0 if self.sim is None else self.sim.now * self.dt

    @property
    def min_delay_ms(self):
        return self.dt if self.min_delay == "auto" else float(self.min_delay)

    def run(self, simtime):
        self.run_until(self.t + simtime)

    def run_until(self, tstop):
        sim = self.build()
        ticks = self.ticks(tstop, "run_until: time") - sim.now
        if self._initial_weights is None:
            self._initial_weights = {n: sim.weights(n)["weights"] for n in self.plastic_projection_names()}
        if ticks > 0:
            sim.run(f"{ticks * self.dt!r} ms")
        self.running = True

    # -- time grid -----------------------------------------------------------------------------------

    def ticks(self, t_ms, where):
        """A time in ms as a whole number of ticks; InvalidParameterValueError off the grid."""
        t_ms = float(t_ms)
        n = t_ms / self.dt
        k = round(n)
        if not math.isfinite(n) or abs(n - k) > 1e-6 * max(1.0, abs(n)):
            raise errors.InvalidParameterValueError(
                f"{where} = {t_ms!r} ms is not a whole number of time steps of {self.dt!r} ms (memspike does not "
                f"round times: put it on the grid)")
        return int(k)

    def grid_time(self, t_ms, where):
        """A time on the grid as a unit string; InvalidParameterValueError when off the grid or < 0."""
        k = self.ticks(t_ms, where)
        if k < 0:
            raise errors.InvalidParameterValueError(f"{where} = {float(t_ms)!r} ms is negative")
        return f"{k * self.dt!r} ms"

    # -- building ------------------------------------------------------------------------------------

    def require_unbuilt(self, what):
        """Allows a change of the network (`what`) at t = 0, before the first run or after reset():
        the built engine, if any, is dropped and rebuilt with the change on next use, keeping every
        synapse's current weight. Later, NotImplementedError: memspike cannot change a network
        halfway through a run, and PyNN's reset() is the way back to t = 0."""
        if self.sim is None:
            return
        if self.sim.now != 0:
            raise NotImplementedError(f"memspike.pynn: {what} at t = {self.t!r} ms is not supported: memspike "
                                      f"builds the whole network once and cannot change it during a run; call "
                                      f"reset() first (the network is then rebuilt with the change, keeping its "
                                      f"weights)")
        self._carried_weights = {n: self.sim.weights(n)["weights"] for p in self.projections for n in p._names}
        self.sim = None
        self.scenario = None
        self._initial_weights = None  # captured again by the next run, from the carried weights

    def tmpdir(self):
        if self._tmpdir is None:
            self._tmpdir = tempfile.mkdtemp(prefix="memspike-pynn-")
        return self._tmpdir

    def plastic_projection_names(self):
        return [n for p in self.projections if p._plastic for n in p._names]

    def scenario_for(self):
        """The memspike.Scenario of the PyNN network as it is now."""
        import memspike
        sc = memspike.Scenario()
        # The duration only bounds a run without a duration; every PyNN run gives one.
        sc.simulation(duration=f"{self.dt!r} ms", resolution=f"{self.dt!r} ms", seed=int(self.seed),
                      threads=int(self.threads))
        if self.backend is not None:
            sc.backend(self.backend[0], **self.backend[1])
        for p in self.populations:
            p._add_to(sc)
        for prj in self.projections:
            prj._add_to(sc)
        for k, src in enumerate(self.current_sources):
            for entry in src.memspike_stimuli():
                for j, (pop, idx) in enumerate(src.targets):
                    sc.stimulus(target=pop._ms_name, name=f"cs{k}_{j}_{entry['kind']}",
                                neurons=None if len(idx) == pop.size else idx, **entry)
        spikes, traces = [], []
        for p in self.populations:
            rec = p.recorder.recorded
            if rec.get("spikes"):
                spikes.append(p._ms_name)
            interval = p.recorder.sampling_interval
            for var, ids in rec.items():
                if var == "spikes" or not ids:
                    continue
                ms_var = p.celltype._STATE[var][0]
                traces.append({"population": p._ms_name, "variables": [ms_var],
                               "neurons": sorted(int(p.id_to_index(i)) for i in ids),
                               "interval": f"{self.ticks(interval, 'sampling_interval') * self.dt!r} ms"})
        sc.record(spikes=spikes, traces=traces)
        return sc

    def build(self):
        """The memspike.Simulation of the network, built on first use."""
        if self.sim is None:
            import memspike
            self.scenario = self.scenario_for()
            self.sim = memspike.Simulation(self.scenario, threads=int(self.threads))
            for name, w in (self._carried_weights or {}).items():  # a rebuild at t = 0 (require_unbuilt)
                self.sim.set_weights(name, w)
            self._carried_weights = None
        return self.sim


state = State()


@atexit.register
def _remove_connection_files():
    """The explicit connection lists live in a temporary directory until end() or setup(); a
    script that ends without end() still leaves nothing behind."""
    if state._tmpdir is not None:
        shutil.rmtree(state._tmpdir, ignore_errors=True)


def setup_state(timestep, min_delay, max_delay, extra):
    """setup()'s options: timestep, min_delay, max_delay, and memspike's own: rng_seed (or seed),
    threads, backend ("digital", "crossbar", "dense") with backend_params. PyNN options meant for
    other simulators are ignored with a warning naming them."""
    state.clear()
    if not (isinstance(timestep, (int, float)) and timestep > 0 and math.isfinite(timestep)):
        raise errors.InvalidParameterValueError(f"setup: timestep = {timestep!r} ms is invalid (must be > 0 ms)")
    state.dt = float(timestep)
    state.min_delay, state.max_delay = min_delay, max_delay
    extra = dict(extra)
    seed = extra.pop("rng_seed", extra.pop("seed", 12345))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise errors.InvalidParameterValueError(f"setup: rng_seed = {seed!r} is invalid (must be a whole number >= 0)")
    state.seed = int(seed)
    threads = extra.pop("threads", 0)
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 0:
        raise errors.InvalidParameterValueError(f"setup: threads = {threads!r} is invalid (a whole number >= 0; "
                                                f"0: all cores)")
    state.threads = int(threads)
    backend = extra.pop("backend", None)
    backend_params = extra.pop("backend_params", {}) or {}
    if backend is not None:
        state.backend = (backend, dict(backend_params))
    elif backend_params:
        raise errors.InvalidParameterValueError("setup: backend_params needs backend=\"crossbar\" (or another kind)")
    for k in ("rank", "num_processes"):
        extra.pop(k, None)
    if extra:
        warnings.warn(f"memspike.pynn.setup: ignoring options for other simulators: {', '.join(sorted(extra))}",
                      stacklevel=3)
