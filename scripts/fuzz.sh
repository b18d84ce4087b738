#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer harnesses (tests/fuzz, clang++ with ASan+UBSan, into ./build-fuzz) and runs
# each for the given time, one after the other, starting from the committed seed corpus
# (tests/fuzz/corpus/<harness>). Prints executions and findings per harness; exits 1 on any finding.
#
# Usage: scripts/fuzz.sh [TIME] [HARNESS...]
#   TIME: per harness, in minutes ("10") or seconds ("20s"); default 1 minute. "build": only
#         configure and build (scripts/sanitizers.sh uses the same build directory).
#   HARNESS: scenario energy_preset result_file checkpoint chip (default: these five), or result_file_raw:
#         fuzz_result_file on whole-file bytes (MEMSPIKE_FUZZ_RAW_HDF5=1), which mostly tests libhdf5
#         itself and finds crashes inside HDF5 1.10.8 (docs/fuzzing.md); not in the default set.
# Environment: FUZZ_JOBS=N runs N fuzzing processes per harness (default 1); FUZZ_BUILD=dir.
#
# What counts as a finding: a crash or sanitizer report, an input running longer than 2 s (-timeout,
# a hang), a leak (-detect_leaks=1, on by default with ASan), more than 2 GB of memory
# (-rss_limit_mb), or an exception other than memspike::error (tests/fuzz/fuzz_support.hpp). Each
# finding is saved as build-fuzz/findings/<harness>/crash-*|timeout-*|leak-*|oom-*: reproduce with
#   build-fuzz/tests/fuzz/fuzz_<harness> <that file>
# New inputs the fuzzer finds interesting go to build-fuzz/corpus/<harness> (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."

time_arg=${1:-1}
[ $# -gt 0 ] && shift
build_only=0
case $time_arg in
  build) build_only=1; seconds=1 ;;
  *s) seconds=${time_arg%s} ;;
  *)  seconds=$(awk -v m="$time_arg" 'BEGIN { printf "%d", m * 60 }') ;;
esac
if ! [[ $seconds =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "fuzz.sh: TIME must be minutes (10) or seconds (20s), got '$time_arg'" >&2
  exit 2
fi
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(scenario energy_preset result_file checkpoint chip)
build=${FUZZ_BUILD:-build-fuzz}
jobs=${FUZZ_JOBS:-1}

# The longest input each harness gets: above its largest seed, small enough that one input stays fast.
max_len() {
  case $1 in
    scenario) echo 16384 ;;
    energy_preset) echo 8192 ;;
    chip) echo 8192 ;;
    result_file) echo 4096 ;;
    result_file_raw) echo 65536 ;;
    checkpoint) echo 16384 ;;
    *) echo "fuzz.sh: unknown harness '$1' (scenario energy_preset result_file checkpoint chip result_file_raw)" >&2; exit 2 ;;
  esac
}
for h in "${harnesses[@]}"; do max_len "$h" >/dev/null; done
# Keys, sections and units of the TOML formats, for the two TOML harnesses.
dict_for() {
  case $1 in
    scenario|energy_preset|chip) echo "-dict=tests/fuzz/toml.dict" ;;
  esac
}

if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: clang++ not found (Debian: apt-get install clang libclang-rt-14-dev; scripts/bootstrap.sh installs them)" >&2
  exit 2
fi
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [ ! -f "$build/build.ninja" ]; then
  # Tests on as well: scripts/sanitizers.sh runs the unit tests of this build (ASan+UBSan).
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    "${launcher[@]}" -DMEMSPIKE_FUZZ=ON -DMEMSPIKE_BUILD_TESTS=ON -DMEMSPIKE_BUILD_BENCH=OFF -DMEMSPIKE_WITH_PYTHON=OFF \
    -DMEMSPIKE_WITH_MPI=OFF >/dev/null  # MPI runs are tested in the plain build (docs/mpi.md)
fi
targets=()
for h in "${harnesses[@]}"; do targets+=("fuzz_${h%_raw}"); done
cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]}"
[ $build_only -eq 0 ] || exit 0

summary=()
total_findings=0
for h in "${harnesses[@]}"; do
  work="$build/corpus/$h"
  findings="$build/findings/$h"
  log="$build/fuzz_$h.log"
  mkdir -p "$work" "$findings"
  before=$(find "$findings" -type f | wc -l)
  echo "== fuzz_$h: ${seconds} s, max_len $(max_len "$h"), seeds tests/fuzz/corpus/$h ($(find "tests/fuzz/corpus/$h" -type f | wc -l) files)"
  fork=()
  [ "$jobs" -gt 1 ] && fork=(-fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  # The first corpus directory receives new inputs; the committed seeds are only read.
  set +e
  env=()
  [ "$h" = result_file_raw ] && env=(MEMSPIKE_FUZZ_RAW_HDF5=1)
  env "${env[@]}" "$build/tests/fuzz/fuzz_${h%_raw}" "$work" "tests/fuzz/corpus/$h" "${fork[@]}" \
    $(dict_for "$h") -max_total_time="$seconds" -max_len="$(max_len "$h")" -timeout=2 -rss_limit_mb=2048 -detect_leaks=1 \
    -artifact_prefix="$findings/" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  # -fork prints per-job stats; sum them. Otherwise one "stat::number_of_executed_units".
  execs=$(awk '/stat::number_of_executed_units/ { n += $2 } END { print n + 0 }' "$log")
  if [ "$execs" -eq 0 ]; then  # fork mode: the last "#<n>" status line is the total
    execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
    execs=${execs:-0}
  fi
  found=$(( $(find "$findings" -type f | wc -l) - before ))
  [ $rc -ne 0 ] && [ $found -eq 0 ] && found=1  # stopped on something that left no artifact
  total_findings=$((total_findings + found))
  summary+=("$(printf '%-14s %12s executions in %5s s  %d findings  (exit %d, log %s)' "$h" "$execs" "$seconds" "$found" "$rc" "$log")")
  if [ $found -gt 0 ]; then
    grep -E 'ERROR|FINDING|SUMMARY|Test unit written' "$log" | head -20 || true
  fi
done
echo
echo "fuzzing summary (seconds per harness: $seconds, jobs: $jobs)"
printf '  %s\n' "${summary[@]}"
[ $total_findings -eq 0 ]
