# SPDX-License-Identifier: MIT
"""The simple network's rate over many seeds, with the input side varied (docs/pynn.md, "Proof").

The "simple network" of tests/python/pynn_scripts.py (20 SpikeSourcePoisson at 20 Hz -> 50
IF_cond_exp, FixedProbabilityConnector(0.5), weights U(0.01, 0.03) uS, 2 s) fired 7.1 % lower on
memspike than on pyNN.brian2 over seeds 1-32. This script runs it for a range of seeds, unchanged
or with one part of the input side replaced, so that each part can be compared on its own:

    /usr/bin/python3 scripts/pynn_rate_gap.py <memspike|brian2> <variant> FIRST LAST [method] > out.txt

variant
  poisson       the script as it is (memspike: the engine's poisson_source and fixed_probability)
  array         the SpikeSourcePoisson replaced by Poisson trains drawn here with numpy (continuous
                exponential intervals, each spike put on the tick after it, as memspike does), fed
                through SpikeSourceArray: memspike's Poisson streams taken out
  pynn_conn     the projection made by PyNN's own connector code from the script's NumpyRNG (the
                pre side passed as a PopulationView sends memspike.pynn down its explicit path):
                for a seed, the very synapses and weights pyNN.brian2 makes
`method` (brian2 only: euler, rk4, ...) replaces Brian2's own choice of integrator (forward Euler
for IF_cond_exp). Prints one line per seed (seed, rate [Hz], CV, synapses, mean weight [uS]) and, on stderr, the
mean rate +- its standard error over the seeds. Brian2 renames its objects in every run of one
process and then misses its code cache: run it in batches of about a dozen seeds per process.
"""
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests" / "python"))
import pynn_scripts  # noqa: E402


class Variant:
    """The backend module, with SpikeSourcePoisson or Projection replaced as the variant says."""

    def __init__(self, sim, variant, seed):
        self._sim, self._variant, self._seed, self.synapses = sim, variant, seed, None

    def __getattr__(self, name):
        return getattr(self._sim, name)

    def SpikeSourcePoisson(self, rate):
        if self._variant != "array":
            return self._sim.SpikeSourcePoisson(rate=rate)
        from pyNN.parameters import Sequence
        rng = np.random.default_rng([7, self._seed])
        trains = []
        for _ in range(20):
            t = np.cumsum(rng.exponential(1000.0 / rate, 200))
            t = t[t < 2000.0]
            trains.append(Sequence(np.unique(np.maximum(np.ceil(t / 0.1 - 1e-9) * 0.1, 0.1).round(1))))
        return self._sim.SpikeSourceArray(spike_times=trains)

    def Projection(self, pre, post, *args, **kwargs):
        self._prj = self._sim.Projection(pre[:] if self._variant == "pynn_conn" else pre, post, *args, **kwargs)
        return self._prj

    def end(self):
        w = self._prj.get("weight", format="list", with_address=False)
        self.synapses = (len(w), float(np.mean(w)))
        self._sim.end()


def main():
    backend, variant, first, last = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if variant not in ("poisson", "array", "pynn_conn"):
        sys.exit(f"variant {variant!r}: expected poisson, array or pynn_conn")
    if backend == "brian2":
        import pyNN.brian2 as sim
        if len(sys.argv) > 5:  # replace Brian2's default integrator choice
            import importlib
            b2cells = importlib.import_module("pyNN.brian2.cells")  # the module, not pyNN.brian2's `cells` name
            original = b2cells.ThresholdNeuronGroup.__init__

            def init(self, *args, method=None, _method=sys.argv[5], **kwargs):
                original(self, *args, method=_method, **kwargs)
            b2cells.ThresholdNeuronGroup.__init__ = init
    else:
        import memspike.pynn as sim
    rates = []
    for seed in range(first, last + 1):
        v = Variant(sim, variant, seed)
        out = pynn_scripts.simple_network(v, seed)
        rates.append(out["rate_hz"])
        print(seed, out["rate_hz"], out["cv"], *v.synapses, flush=True)
    r = np.asarray(rates)
    print(f"# {backend} {variant} seeds {first}-{last}: rate {r.mean():.3f} +- {r.std(ddof=1) / np.sqrt(r.size):.3f} Hz",
          file=sys.stderr)


if __name__ == "__main__":
    main()
