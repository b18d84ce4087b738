#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `memspike report` and its "x vs" baseline: by default the cheapest conventional (dense or
# event_driven) model priced, found here independently from the JSON totals and kinds; --baseline
# NAME chooses another (priced even if --models leaves it out); a baseline that does not apply to
# the run or does not exist is refused with exit 2. The event-driven CPU baseline's total is
# recomputed by hand from the file's own counts and profile and the figures models/energy/
# cpu_event_driven.toml cites (it takes cpu_45nm's Horowitz figures).
# Usage: test_report_baseline.sh MEMSPIKE_BINARY EXAMPLES_DIR
set -u
bin=$1
examples=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
check() { if eval "$2"; then echo "PASS: $1"; else echo "FAIL: $1"; fail=1; fi; }

"$bin" run "$examples/brunel.toml" --set simulation.scale=0.1 --set 'simulation.duration="50 ms"' -o "$work/b.h5" -q
check "brunel run exits 0" "[ $? -eq 0 ]"
"$bin" report "$work/b.h5" --json > "$work/default.json"
check "report --json exits 0" "[ $? -eq 0 ]"
check "default baseline: the cheapest dense or event_driven model, x_vs_baseline = its total / each total" "/usr/bin/python3 - \"$work/default.json\" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
kinds = {m['model']: m['kind'] for m in d['models']}
assert {'cpu_event_driven', 'gpu_event_driven', 'cpu_45nm', 'gpu_h100'} <= set(kinds), kinds
conv = [m for m in d['models'] if m['kind'] in ('dense', 'event_driven')]
best = min(conv, key=lambda m: m['total_j'])
assert d['baseline'] == best['model'], (d['baseline'], best['model'])
assert 'cheapest' in d['baseline_reason'], d['baseline_reason']
for m in d['models']:
    assert abs(m['x_vs_baseline'] - best['total_j'] / m['total_j']) <= 1e-12 * m['x_vs_baseline'], m['model']
    assert ('run_time_s' in m) == (m['kind'] == 'event_driven'), m['model']
PY"
check "the table names the default baseline and why" "\"$bin\" report \"$work/b.h5\" | grep -q \"x vs $(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["baseline"])' "$work/default.json")\" && \"$bin\" report \"$work/b.h5\" | grep -q 'the cheapest conventional'"
check "cpu_event_driven total derived by hand from the file's counts" "/usr/bin/python3 - \"$work/default.json\" \"$work/b.h5\" <<'PY'
import json, sys, h5py
d = json.load(open(sys.argv[1]))
with h5py.File(sys.argv[2]) as f:
    g = f['energy']
    cats = g.attrs['categories']
    cats = (cats.decode() if isinstance(cats, bytes) else str(cats)).split(',')
    n = dict(zip(cats, g['counts'][()].sum(axis=0).tolist()))
    neurons, synapses = int(g.attrs['neurons']), int(g.attrs['synapses'])
syn, stim, spikes, upd = n['synaptic_events'], n['stimulus_events'], n['spikes'], n['neuron_updates']
# 8 B per synapse (index + weight) + 8 B row per neuron beside 12 B of neuron arrays: in the 8 MB LLC?
cached = neurons * 12 + synapses * 8 + neurons * 8 <= 8388608
syn_pj = (12.5 if cached else 162.5) * (syn * 8 + spikes * 8)
neuron_pj = 12.5 * ((syn + stim) * 2 * 4 + upd * 2 * 8)
run_s = syn * 2.6e-9 + stim * 3.15e-9 + upd * 4.2e-9
want = (syn_pj + neuron_pj + 0.9 * (syn + stim + upd) + 4.6 * upd + 23.75 * run_s * 1e12) * 1e-12
m = next(m for m in d['models'] if m['model'] == 'cpu_event_driven')
assert abs(m['total_j'] - want) <= 1e-9 * want, (m['total_j'], want)
assert abs(m['run_time_s'] - run_s) <= 1e-9 * run_s and abs(m['idle_j'] - 23.75 * run_s) <= 1e-9 * m['idle_j']
PY"
out=$("$bin" report "$work/b.h5" --baseline cpu_45nm)
check "--baseline cpu_45nm: the column and the reason" "echo \"\$out\" | grep -q 'x vs cpu_45nm' && echo \"\$out\" | grep -q 'chosen with --baseline'"
check "--baseline is priced even when --models leaves it out" "\"$bin\" report \"$work/b.h5\" --models loihi --baseline gpu_event_driven --json | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
assert [m[\"model\"] for m in d[\"models\"]] == [\"loihi\", \"gpu_event_driven\"] and d[\"baseline\"] == \"gpu_event_driven\", d
lo, g = d[\"models\"]
assert g[\"x_vs_baseline\"] == 1.0 and abs(lo[\"x_vs_baseline\"] - g[\"total_j\"] / lo[\"total_j\"]) <= 1e-12 * lo[\"x_vs_baseline\"]
'"
check "no conventional model: no x vs column, baseline null" "\"$bin\" report \"$work/b.h5\" --models loihi,truenorth | grep -q 'no \"x vs\" column' && \"$bin\" report \"$work/b.h5\" --models loihi --json | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"baseline\"] is None and \"x_vs_baseline\" not in d[\"models\"][0], d'"
out=$("$bin" report "$work/b.h5" --baseline reram_crossbar 2>&1)
rc=$?
check "--baseline of a model that does not apply: exit 2, named, with why" "[ $rc -eq 2 ] && echo \"\$out\" | grep -q 'baseline reram_crossbar: the model does not apply to this run' && echo \"\$out\" | grep -q 'crossbar'"
out=$("$bin" report "$work/b.h5" --baseline no_such 2>&1)
rc=$?
check "--baseline of an unknown model: exit 2, the known names listed" "[ $rc -eq 2 ] && echo \"\$out\" | grep -q 'no_such' && echo \"\$out\" | grep -q 'gpu_event_driven'"
exit $fail
