#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every broken scenario in a directory must be rejected by `memspike validate` with a located message.
#
# Usage: test_bad_scenarios.sh <memspike binary> <directory of *.toml files>
# Each file starts with a line "# expect: <text>": the error message must contain <text>. The run must
# exit non-zero (and not by a signal), and stderr must name the file and a line (":<line>:").
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 <memspike binary> <directory of bad scenarios>" >&2
    exit 2
fi
bin=$1
dir=$2
if [ ! -x "$bin" ]; then
    echo "not an executable: $bin" >&2
    exit 2
fi

shopt -s nullglob
files=("$dir"/*.toml)
if [ ${#files[@]} -eq 0 ]; then
    echo "no *.toml files in $dir" >&2
    exit 2
fi

errfile=$(mktemp)
trap 'rm -f "$errfile"' EXIT
failures=0
for f in "${files[@]}"; do
    name=$(basename "$f")
    first=$(head -n 1 "$f")
    expect=${first#"# expect: "}
    problems=()
    if [ "$expect" = "$first" ] || [ -z "$expect" ]; then
        problems+=("first line is not '# expect: <text>'")
    fi
    "$bin" validate "$f" >/dev/null 2>"$errfile"
    rc=$?
    if [ $rc -eq 0 ]; then
        problems+=("exit code 0 (the file was accepted)")
    elif [ $rc -ge 128 ]; then
        problems+=("exit code $rc (killed by a signal: a crash, not an error message)")
    fi
    grep -qF -- "$name" "$errfile" || problems+=("stderr does not name the file")
    grep -qE -- ':[0-9]+:' "$errfile" || problems+=("stderr has no ':<line>:'")
    [ -n "$expect" ] && { grep -qF -- "$expect" "$errfile" || problems+=("stderr does not contain: $expect"); }
    if [ ${#problems[@]} -eq 0 ]; then
        echo "PASS $name"
    else
        failures=$((failures + 1))
        echo "FAIL $name"
        for p in "${problems[@]}"; do echo "     - $p"; done
        echo "     stderr (exit $rc):"
        sed 's/^/       | /' "$errfile"
    fi
done

echo "${#files[@]} files, $failures failed"
[ $failures -eq 0 ]
