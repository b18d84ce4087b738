#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `memspike inspect --chip` and `memspike report --chips` (issue 14, docs/chips.md): the mapping
# and the per-tick chip section are printed, a network that does not fit is named with its limit,
# a chip for another backend is left out with the reason, and --chips --json gives the same
# figures as the text, complete and valid, with a total that matches one derived by hand.
# Usage: test_chips.sh MEMSPIKE_BINARY EXAMPLES_DIR
set -u
bin=$1
examples=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
check() { if eval "$2"; then echo "PASS: $1"; else echo "FAIL: $1"; fail=1; fi; }

out=$("$bin" inspect "$examples/brunel.toml" --set simulation.scale=0.2 --chip truenorth,loihi 2>&1)
check "inspect --chip exits 0" "[ $? -eq 0 ]"
check "truenorth refuses Brunel's fan-in" "echo \"\$out\" | grep -q 'fan-in 1,250 > 256 per truenorth neuron: needs neuron splitting, not modelled'"
check "loihi maps Brunel" "echo \"\$out\" | grep -q 'cores used'"

"$bin" run "$examples/single_neuron.toml" -o "$work/single.h5" -q
out=$("$bin" report "$work/single.h5" --chips all 2>&1)
check "report --chips exits 0" "[ $? -eq 0 ]"
check "report --chips prints the chip section" "echo \"\$out\" | grep -q 'chips (per-tick model'"
check "report --chips prices loihi and truenorth" "echo \"\$out\" | grep -q '^  loihi ' && echo \"\$out\" | grep -q '^  truenorth '"
check "report --chips leaves out the crossbar chip on a digital run" "echo \"\$out\" | grep -q 'not applicable: reram_isaac: it prices crossbar counts; the run used the digital backend'"
out=$("$bin" report "$work/single.h5" --chips no_such_chip 2>&1)
check "an unknown chip exits 2 and lists the known ones" "[ $? -eq 2 ] && echo \"\$out\" | grep -q 'truenorth'"

# --chips --json: the chip section inside the report's JSON object (docs/chips.md, "JSON").
py=/usr/bin/python3
"$bin" report "$work/single.h5" --chips all > "$work/single.txt" 2>&1
"$bin" report "$work/single.h5" --chips all --json > "$work/single.json" 2> "$work/err.txt"
check "report --chips all --json exits 0, nothing on stderr" "[ $? -eq 0 ] && [ ! -s \"$work/err.txt\" ]"
# Valid JSON; every priced chip has every key; every chip asked for is in exactly one place.
check "the JSON is valid and complete" "$py - \"$work/single.json\" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
keys = {'dynamic_j', 'static_j', 'total_j', 'paced_static_j', 'paced_total_j', 'static_mw', 'tick_latency_us',
        'tick_latency_max_us', 'chip_time_s', 'model_time_s', 'real_time_factor', 'cores', 'tiles', 'chips',
        'synaptic_events', 'energy_per_event_pj', 'edp_js', 'noc_messages', 'hops', 'placement',
        'messages_per_spike', 'hops_per_message', 'lines', 'notes'}
assert 'models' in r and r['models'], 'the energy models are still there'
for name, c in r['chips'].items():
    assert set(c) == keys, (name, set(c) ^ keys)
    assert c['lines'] and all(set(l) == {'activity', 'count', 'pj_each', 'total_j', 'source'} for l in c['lines'])
    assert abs(sum(l['total_j'] for l in c['lines']) - c['dynamic_j']) <= 1e-9 * c['dynamic_j'], name
    assert abs(c['dynamic_j'] + c['static_j'] - c['total_j']) <= 1e-12 * c['total_j'], name
names = list(r['chips']) + [x['chip'] for x in r['chips_not_applicable'] + r['chips_does_not_fit']]
assert sorted(names) == ['loihi', 'loihi_sanafe', 'reram_isaac', 'truenorth'], names
assert r['chips_not_applicable'] == [{'chip': 'reram_isaac', 'reason': 'it prices crossbar counts; the run used the digital backend'}]
assert r['chips_does_not_fit'] == [] and r['chips_note'] is None
EOF"
# The JSON's figures are the text table's (printed to 4 significant digits).
check "the JSON's figures match the text table" "$py - \"$work/single.json\" \"$work/single.txt\" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
rows = {}
text = open(sys.argv[2]).read().split('chips (per-tick model')[1]
for line in text.splitlines()[2:]:
    f = line.split()
    if len(f) == 11 and f[0] in r['chips']:
        rows[f[0]] = [float(x) for x in f[1:]]
assert set(rows) == set(r['chips']) == {'loihi', 'loihi_sanafe', 'truenorth'}, rows
cols = ['dynamic_j', 'static_j', 'total_j', 'tick_latency_us', 'chip_time_s', 'real_time_factor', 'cores', 'chips',
        'energy_per_event_pj', 'edp_js']
for name, row in rows.items():
    for col, t in zip(cols, row):
        j = r['chips'][name][col]
        assert abs(j - t) <= 5e-4 * abs(j), (name, col, j, t)
EOF"
# By hand, from TrueNorth's figures (models/chips/truenorth.toml: 34.9 mW of leakage per chip,
# 13 pJ per synaptic or input event, one 1 ms hardware step per model tick of 0.1 ms) and the
# run's own totals: total = 34.9 mW x (simulated time x 10) + 13 pJ x events.
check "truenorth's total matches the hand-derived one" "$py - \"$work/single.json\" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
t = r['chips']['truenorth']
chip_time = r['simulated_s'] * 1.0 / 0.1
expected = 34.9e-3 * chip_time + 13e-12 * r['synaptic_events']
assert r['synaptic_events'] > 0 and abs(t['chip_time_s'] - chip_time) <= 1e-9 * chip_time, t
assert abs(t['total_j'] - expected) <= 1e-9 * expected, (t['total_j'], expected)
assert abs(t['real_time_factor'] - 10) <= 1e-9 and t['cores'] == 1 and t['chips'] == 1, t
EOF"
"$bin" run "$examples/brunel.toml" --set simulation.scale=0.1 --set simulation.duration=20ms -o "$work/brunel.h5" -q
"$bin" report "$work/brunel.h5" --chips truenorth,loihi --json > "$work/brunel.json" 2>&1
check "report --json names the chip that does not fit, with its limit, and no overrides note" "$py - \"$work/brunel.json\" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert list(r['chips']) == ['loihi'] and r['chips']['loihi']['noc_messages'] > 0, r['chips'].keys()
assert r['chips_does_not_fit'] == [{'chip': 'truenorth', 'reason': \"population 'E': fan-in 1,250 > 256 per truenorth neuron: needs neuron splitting, not modelled\"}], r['chips_does_not_fit']
assert r['chips_note'] is None, r['chips_note']
EOF"
# The run's --set overrides are stored (root attribute scenario_overrides) and re-applied: the
# report maps the network that ran (scale 0.1), the one inspect maps with the same --set, not the
# full-scale Brunel of the stored text (the bug: the full-scale core count).
cores_of() { echo "$1" | sed -n 's/^  cores used \([0-9]*\),.*/\1/p'; }
small=$(cores_of "$("$bin" inspect "$examples/brunel.toml" --set simulation.scale=0.1 --chip loihi 2>&1)")
full=$(cores_of "$("$bin" inspect "$examples/brunel.toml" --chip loihi 2>&1)")
reported=$("$py" -c "import json, sys; print(json.load(open(sys.argv[1]))['chips']['loihi']['cores'])" "$work/brunel.json")
check "report --chips maps the run's --set network (cores $reported = inspect's $small, full scale $full)" \
    "[ -n \"$small\" ] && [ -n \"$full\" ] && [ \"$reported\" = \"$small\" ] && [ \"$small\" != \"$full\" ]"
# A file written before scenario_overrides still reports, with the note; a stored override that
# does not apply is an error naming the file.
cp "$work/brunel.h5" "$work/old.h5"
cp "$work/brunel.h5" "$work/bad.h5"
"$py" - "$work/old.h5" "$work/bad.h5" <<'EOF'
import sys, h5py
with h5py.File(sys.argv[1], 'r+') as f:
    del f.attrs['scenario_overrides']
with h5py.File(sys.argv[2], 'r+') as f:
    f.attrs['scenario_overrides'] = 'overrides = [["simulation.scale", "-1"]]\n'
EOF
out=$("$bin" report "$work/old.h5" --chips loihi 2>&1)
check "a file without scenario_overrides reports, with the note" "[ $? -eq 0 ] && echo \"\$out\" | grep -q 'note: .*--set.* are not in the file'"
out=$("$bin" report "$work/bad.h5" --chips loihi 2>&1)
check "a stored override that does not apply is an error naming the file and the key" \
    "[ $? -ne 0 ] && echo \"\$out\" | grep -q \"bad.h5'\" && echo \"\$out\" | grep -q 'simulation.scale'"
out=$("$bin" report "$work/single.h5" --chips no_such_chip --json 2>/dev/null)
check "an unknown chip with --json exits 2 and prints no half report" "[ $? -eq 2 ] && [ -z \"\$out\" ]"
exit $fail
