#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Brian2 cpp_standalone peer runs for issue 13: CUBA (Brette et al. 2007 #2) and bench4 (#4, voltage
# jumps), the networks of memspike's examples/cuba.toml and examples/bench4_delta.toml.
# Usage: /usr/bin/python3 bench/brian2_peer.py cuba|bench4 SECONDS OUTDIR ; prints run-loop seconds and spikes.
import sys, time
from brian2 import *  # noqa: F401,F403  (Brian2's own examples are written this way)

which, secs, outdir = sys.argv[1], float(sys.argv[2]), sys.argv[3]
set_device('cpp_standalone', directory=outdir, build_on_run=False)
prefs.devices.cpp_standalone.openmp_threads = 0
defaultclock.dt = 0.1 * ms
seed(12345)
taum, Vt, Vr, El = 20 * ms, -50 * mV, -60 * mV, -49 * mV
if which == 'cuba':
    taue, taui = 5 * ms, 10 * ms
    eqs = '''dv/dt = (ge + gi - (v - El)) / taum : volt (unless refractory)
             dge/dt = -ge / taue : volt
             dgi/dt = -gi / taui : volt'''
    we, wi = (60 * 0.27 / 10) * mV, (-20 * 4.5 / 10) * mV
    P = NeuronGroup(4000, eqs, threshold='v > Vt', reset='v = Vr', refractory=5 * ms, method='exact')
    Ce = Synapses(P, P, on_pre='ge += we')
    Ci = Synapses(P, P, on_pre='gi += wi')
else:
    eqs = 'dv/dt = -(v - El) / taum : volt (unless refractory)'
    P = NeuronGroup(4000, eqs, threshold='v > Vt', reset='v = Vr', refractory=5 * ms, method='exact')
    Ce = Synapses(P, P, on_pre='v += 0.25 * mV')
    Ci = Synapses(P, P, on_pre='v -= 2.25 * mV')
P.v = 'Vr + rand() * (Vt - Vr)'
Ce.connect('i < 3200', p=0.02)
Ci.connect('i >= 3200', p=0.02)
M = SpikeMonitor(P, record=False)
run(secs * second)
t0 = time.time()
device.build(directory=outdir, compile=True, run=True)
total = time.time() - t0
print(f"brian2 {which} sim_s={secs} run_loop_s={device._last_run_time:.3f} spikes={M.num_spikes} build_and_run_s={total:.1f}")
