#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `memspike inspect --chip` and `memspike report --chips` (issue 14, docs/chips.md): the mapping
# and the per-tick chip section are printed, a network that does not fit is named with its limit,
# a chip for another backend is left out with the reason, and --chips with --json is refused.
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
"$bin" report "$work/single.h5" --chips loihi --json > /dev/null 2>&1
check "--chips with --json is refused (exit 1)" "[ $? -eq 1 ]"
exit $fail
