#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Pins every documented exit code of the CLI (README "Exit codes", cli/main.cpp) and the messages
# of usage errors: 0 success, --help and --version; 1 usage error (unknown command or option,
# missing or malformed argument: CLI11's own codes 100-114 must not leak out); 2 bad input;
# 3 internal error. 130 (interrupted) is pinned by test_run.sh.
# Usage: test_exit_codes.sh MEMSPIKE_BINARY EXAMPLES_DIR
set -u
bin=$1
examples=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
# expect CODE TEXT NAME -- ARGS...: exit code CODE, and TEXT (if not empty) in stdout+stderr.
expect() {
    local code=$1 text=$2 name=$3
    shift 4
    "$bin" "$@" >"$work/out" 2>&1
    local rc=$?
    if [ $rc -ne "$code" ]; then
        echo "FAIL: $name: exit $rc, expected $code"; sed 's/^/     | /' "$work/out"; fail=1
    elif [ -n "$text" ] && ! grep -qF -- "$text" "$work/out"; then
        echo "FAIL: $name: output lacks '$text'"; sed 's/^/     | /' "$work/out"; fail=1
    else
        echo "PASS: $name (exit $code)"
    fi
}
ok="$examples/single_neuron.toml"

expect 0 "memspike 0." "--version prints the version" -- --version
expect 0 "energy presets: /" "--version names the preset directory" -- --version
expect 0 "Subcommands:" "--help lists the commands" -- --help
for c in run validate inspect report; do
    expect 0 "Usage:" "$c --help" -- "$c" --help
done
expect 0 "--threads" "run --help lists run's options" -- run --help
expect 0 "valid" "validate a good scenario" -- validate "$ok"

expect 1 "a command is required" "no command" --
expect 1 "unknown command 'rnu'" "mistyped command" -- rnu "$ok"
expect 1 "did you mean 'run'" "mistyped command gets a suggestion" -- rnu "$ok"
expect 1 "unknown command 'frobnicate'" "unknown command, no near match" -- frobnicate
expect 1 "unexpected argument: --thread 2" "unknown option names it, as typed" -- run "$ok" --thread 2
expect 1 "unexpected argument: extra" "extra positional argument" -- validate "$ok" extra
expect 1 "memspike run --help" "unknown option points at the command's help" -- run "$ok" --thread 2
expect 1 "--bogus" "unknown top-level option" -- --bogus
expect 1 "scenario" "missing required argument" -- validate
expect 1 "threads" "malformed number" -- run "$ok" --threads many
expect 1 "seed" "value rejected by a check" -- run "$ok" --seed -3

expect 2 "nonexistent.toml" "missing scenario file" -- validate "$work/nonexistent.toml"
expect 2 "simulation.duration" "bad --set value" -- validate "$ok" --set 'simulation.duration="-1 s"'
# Issue 11: a directory used to run as an empty scenario (exit 0), /dev/zero to read forever.
expect 2 "is a directory; give a .toml file" "a directory is not a scenario" -- run "$work" -q -o "$work/dir.h5"
expect 2 "is a device or socket, not a file" "a device is not a scenario" -- validate /dev/zero
cp "$ok" "$work/self.toml"
expect 2 "is the scenario file" "the output can never be the scenario itself" -- run "$work/self.toml" -q -o "$work/self.toml"
check_scenario_intact() { cmp -s "$ok" "$work/self.toml"; }
check_scenario_intact || { echo "FAIL: the scenario file was changed by a refused run"; fail=1; }
# Issue 11, defect 10: an existing output is refused before anything is built, unless --overwrite;
# --overwrite never makes the scenario (or a directory) a valid output.
short=(--set 'simulation.duration="5 ms"' -q)
echo "old contents" >"$work/old.h5"
expect 2 "already exists; choose another path, or replace it with --overwrite" "an existing output is refused" -- run "$ok" "${short[@]}" -o "$work/old.h5"
check_old_intact() { [ "$(cat "$work/old.h5")" = "old contents" ]; }
check_old_intact || { echo "FAIL: a refused run changed the existing output"; fail=1; }
expect 0 "" "--overwrite replaces an existing output" -- run "$ok" "${short[@]}" -o "$work/old.h5" --overwrite
check_replaced() { h5dump -A "$work/old.h5" >/dev/null 2>&1; }
check_replaced || { echo "FAIL: --overwrite did not leave a readable HDF5 file"; fail=1; }
check_no_partial() { ! ls "$work"/*.partial-* >/dev/null 2>&1; }
check_no_partial || { echo "FAIL: a finished run left a partial file"; fail=1; }
expect 2 "is the scenario file" "--overwrite does not make the scenario an output" -- run "$work/self.toml" -q -o "$work/self.toml" --overwrite
check_scenario_intact || { echo "FAIL: the scenario file was changed by a refused --overwrite run"; fail=1; }
# Issue 11, defect 11: a directory or a missing directory is refused before the build (no "built in").
expect 2 "is a directory; give a file name" "a directory as output is refused" -- run "$ok" --set 'simulation.duration="5 ms"' -o "$work" --overwrite
check_not_built() { ! grep -q "built in" "$work/out"; }
check_not_built || { echo "FAIL: a directory output was refused only after the build"; fail=1; }
expect 2 "directory '$work/none' does not exist" "an output in a missing directory is refused" -- run "$ok" "${short[@]}" -o "$work/none/x.h5"
expect 2 "is a device, pipe or socket" "a device as output is refused" -- run "$ok" "${short[@]}" -o /dev/null --overwrite
# Issue 11, defect 14: a 100 kB key, value or option is echoed as 80 bytes and its length.
big=$(head -c 100000 /dev/zero | tr '\0' k)
expect 2 "... (100000 characters)" "a huge --set key is cut in the message" -- validate "$ok" --set "simulation.$big=1"
check_short() { [ "$(wc -c <"$work/out")" -lt 1000 ]; }
check_short || { echo "FAIL: the message for a huge --set key is $(wc -c <"$work/out") bytes"; fail=1; }
expect 2 "... (100000 characters)" "a huge --set value is cut in the message" -- validate "$ok" --set "simulation.duration=\"$big\""
check_short || { echo "FAIL: the message for a huge --set value is $(wc -c <"$work/out") bytes"; fail=1; }
expect 1 "... (100002 characters)" "a huge unknown option is cut in the message" -- run "$ok" "--$big"
check_short || { echo "FAIL: the message for a huge option is $(wc -c <"$work/out") bytes"; fail=1; }
expect 2 "_test_throw" "bad-input error from inside a command" -- _test_throw input
expect 3 "internal error" "internal error" -- _test_throw internal
check_hidden() { ! "$bin" --help 2>&1 | grep -q _test_throw; }
if check_hidden; then echo "PASS: _test_throw is hidden from --help"; else echo "FAIL: _test_throw shows in --help"; fail=1; fi

exit $fail
