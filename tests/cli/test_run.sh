#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end checks of `memspike run`: a finished run writes a complete HDF5 file; an interrupted
# run (SIGINT) exits 130 and leaves a valid file marked complete = 0; --set and --seed work.
# Usage: test_run.sh MEMSPIKE_BINARY EXAMPLES_DIR
set -u
bin=$1
examples=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
check() { if eval "$2"; then echo "PASS: $1"; else echo "FAIL: $1"; fail=1; fi; }
attr() { h5dump -a "/$2" "$1" 2>/dev/null | awk '/\(0\)/ {print $2}'; }

"$bin" run "$examples/single_neuron.toml" -o "$work/single.h5" -q
check "single_neuron exits 0" "[ $? -eq 0 ]"
check "single_neuron complete = 1" "[ \"$(attr "$work/single.h5" complete)\" = 1 ]"
check "single_neuron has spikes" "h5dump -d /spikes/n/ticks \"$work/single.h5\" | grep -q DATASPACE"
check "single_neuron has a v trace" "h5dump -H \"$work/single.h5\" | grep -q 'GROUP \"v\"'"

# --set is validated like the file: a bad value fails with the key named.
out=$("$bin" run "$examples/single_neuron.toml" -o "$work/bad.h5" --set 'simulation.duration="-1 s"' 2>&1)
rc=$?
check "--set with a bad value exits 2" "[ $rc -eq 2 ]"
check "--set error names the key" "echo \"\$out\" | grep -q 'simulation.duration'"

# An output path that cannot be written fails at once, before the network is built.
out=$("$bin" run "$examples/brunel.toml" -o /nonexistent/dir/out.h5 2>&1)
rc=$?
check "unwritable output exits 2" "[ $rc -eq 2 ]"
check "unwritable output is named" "echo \"\$out\" | grep -q '/nonexistent/dir/out.h5'"
check "unwritable output fails before building" "! echo \"\$out\" | grep -q 'built in'"

# Interrupt a long run: exit 130, file valid and marked incomplete.
"$bin" run "$examples/brunel.toml" --set simulation.scale=0.2 --set 'simulation.duration="100 s"' -o "$work/int.h5" -q &
pid=$!
# Wait for the output file: the CLI creates it (as int.h5.partial-<pid>, renamed onto int.h5 when
# closed) after installing its SIGINT handler, just before the tick loop. A bounded poll (at most
# 120 s), not a fixed sleep that a slow, busy machine can outrun.
for _ in $(seq 1200); do
    [ -s "$work/int.h5.partial-$pid" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
done
check "the long run creates its output before it is interrupted" "[ -s \"$work/int.h5.partial-$pid\" ]"
kill -INT $pid
wait $pid
rc=$?
check "interrupted run exits 130" "[ $rc -eq 130 ]"
check "interrupted file says complete = 0" "[ \"$(attr "$work/int.h5" complete)\" = 0 ]"
check "interrupted file holds spikes" "h5dump -H \"$work/int.h5\" | grep -q '\"ticks\"'"
check "interrupted file records how far it got" "[ -n \"$(attr "$work/int.h5" ticks_simulated)\" ]"

# Same seed, same spikes, any thread count (through the CLI).
"$bin" run "$examples/brunel.toml" --set simulation.scale=0.1 --set 'simulation.duration="200 ms"' --threads 1 -o "$work/t1.h5" -q
"$bin" run "$examples/brunel.toml" --set simulation.scale=0.1 --set 'simulation.duration="200 ms"' --threads 2 -o "$work/t2.h5" -q
d1=$(h5dump -d /spikes/E/ids -d /spikes/E/ticks "$work/t1.h5" | tail -n +2 | md5sum)
d2=$(h5dump -d /spikes/E/ids -d /spikes/E/ticks "$work/t2.h5" | tail -n +2 | md5sum)
check "1 and 2 threads write identical spikes" "[ \"$d1\" = \"$d2\" ]"
"$bin" run "$examples/brunel.toml" --set simulation.scale=0.1 --set 'simulation.duration="200 ms"' --seed 7 -o "$work/s7.h5" -q
d3=$(h5dump -d /spikes/E/ids -d /spikes/E/ticks "$work/s7.h5" | tail -n +2 | md5sum)
check "another seed writes other spikes" "[ \"$d1\" != \"$d3\" ]"

# Plastic projection: weight snapshots and plasticity counters in /weights.
"$bin" run "$examples/stdp_song.toml" --set 'simulation.duration="2 s"' -o "$work/song.h5" -q
check "stdp_song exits 0" "[ $? -eq 0 ]"
check "stdp_song writes weight snapshots" "h5dump -H \"$work/song.h5\" | grep -q 'DATASET \"values\"'"
check "stdp_song writes bound-hit counters" "h5dump -a /weights/plastic/hits_max \"$work/song.h5\" | grep -q DATA"

check "run stores per-model energy totals and preset text" "h5dump -a /energy/models/loihi/preset \"$work/single.h5\" | grep -q 'Davies'"

# Energy report on a finished run: every shipped model, and JSON.
out=$("$bin" report "$work/single.h5" 2>&1)
check "report exits 0" "[ $? -eq 0 ]"
for m in loihi truenorth cpu_45nm gpu_h100; do
  check "report lists $m" "echo \"\$out\" | grep -q '^$m '"
done
check "report --json is JSON" "\"$bin\" report \"$work/single.h5\" --models truenorth --json | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"models\"][0][\"model\"]==\"truenorth\"'"
# The report's totals against a hand computation from the file's own counts: TrueNorth is
# 26 pJ x (synaptic + stimulus events); Loihi's synaptic line is 23.6 pJ x synaptic events.
check "report totals equal counts x published cost, computed by hand" "\"$bin\" report \"$work/single.h5\" --json | /usr/bin/python3 -c '
import json, sys, h5py
d = json.load(sys.stdin)
with h5py.File(sys.argv[1]) as f:
    cats = f[\"energy\"].attrs[\"categories\"]
    cats = (cats.decode() if isinstance(cats, bytes) else str(cats)).split(\",\")
    total = f[\"energy/counts\"][()].sum(axis=0)
n = dict(zip(cats, total.tolist()))
assert n[\"synaptic_events\"] + n[\"stimulus_events\"] > 0, n
tn = next(m for m in d[\"models\"] if m[\"model\"] == \"truenorth\")
want = 26e-12 * (n[\"synaptic_events\"] + n[\"stimulus_events\"])
assert abs(tn[\"total_j\"] - want) <= 1e-12 * want, (tn[\"total_j\"], want)
lo = next(m for m in d[\"models\"] if m[\"model\"] == \"loihi\")
line = next(l for l in lo[\"lines\"] if l[\"category\"] == \"synaptic_events\")
assert line[\"count\"] == n[\"synaptic_events\"] and abs(line[\"total_j\"] - 23.6e-12 * line[\"count\"]) <= 1e-15 + 1e-12 * line[\"total_j\"]
' \"$work/single.h5\""
check "report on the interrupted file works" "\"$bin\" report \"$work/int.h5\" | grep -q INCOMPLETE"

# Energy per inference: [recording] inference = 25 ms on a 500 ms run is 20 inferences; the
# report's per_inference_j must be total_j x 25 ms / 500 ms for every model (relative 1e-12:
# both are printed with 17 significant digits).
"$bin" run "$examples/single_neuron.toml" --set 'recording.inference="25 ms"' -o "$work/inf.h5" -q
check "run with recording.inference exits 0" "[ $? -eq 0 ]"
check "/energy stores inference_ms" "[ \"$(attr "$work/inf.h5" energy/inference_ms)\" = 25 ]"
check "report prints a per-inference column" "\"$bin\" report \"$work/inf.h5\" | grep -q 'per inference'"
check "report --json: per_inference_j = total_j x inference / duration" "\"$bin\" report \"$work/inf.h5\" --json | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d[\"inference_ms\"] == 25.0 and d[\"simulated_s\"] == 0.5, d
assert len(d[\"models\"]) >= 4
for m in d[\"models\"]:
    want = m[\"total_j\"] * 25e-3 / d[\"simulated_s\"]
    assert m[\"total_j\"] > 0 and abs(m[\"per_inference_j\"] - want) <= 1e-12 * want, m
'"
check "report without recording.inference has no per-inference column" "! \"$bin\" report \"$work/single.h5\" | grep -q 'per inference'"
# reram_crossbar prices crossbar counts: not applied to a digital run, applied to a crossbar one.
check "report: reram_crossbar not applicable on a digital run" "echo \"\$out\" | grep -q '^not applicable: reram_crossbar'"
check "a digital run stores no reram_crossbar total" "! h5dump -a /energy/models/reram_crossbar/total_j \"$work/single.h5\" >/dev/null 2>&1"
"$bin" run "$examples/crossbar_brunel.toml" --set 'simulation.scale=0.2' --set 'simulation.duration="20 ms"' -o "$work/xbar.h5" -q
check "crossbar run exits 0" "[ $? -eq 0 ]"
check "a crossbar run stores the reram_crossbar total" "h5dump -a /energy/models/reram_crossbar/total_j \"$work/xbar.h5\" | grep -q DATA"
check "report lists reram_crossbar for a crossbar run" "\"$bin\" report \"$work/xbar.h5\" | grep -q '^reram_crossbar '"

exit $fail
