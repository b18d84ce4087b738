#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The unit tests under sanitizers, each in a build directory of its own (docs/fuzzing.md):
#   asan  AddressSanitizer + UndefinedBehaviorSanitizer (-fno-sanitize-recover=all: the first
#         report fails the test), LeakSanitizer on, in build-fuzz (clang++; the libFuzzer harnesses'
#         build, scripts/fuzz.sh). Runs every ctest test there except the
#         install and Python tests (the Python module is not built there) and the resource-estimate
#         accuracy test (RSS under ASan is not the program's): the Catch2 unit and
#         reference tests, and the CLI tests (bad scenarios, runs, exit codes) on a sanitized memspike.
#   tsan  ThreadSanitizer (g++, build-tsan) over the threaded tests: every Catch2 test whose name mentions threads
#         (results compared across 1, 2 and 4 threads) and the [threads] tag, which checks that
#         threads = 2 really runs two partitions at the same moment (test_parallel.cpp).
#         tests/sanitizers/tsan.supp silences oneTBB's own internals only (why: in that file).
# Usage: scripts/sanitizers.sh [asan|tsan]...   (default: both). Exits non-zero on any report.
# .ci/run calls `scripts/sanitizers.sh asan` after the README's test command. tsan is not in CI
# yet: with Debian's libtbb (not built with TSan) it reports the fork/join of every
# tbb::parallel_for as a race, because the synchronisation happens inside libtbb where TSan cannot
# see it (docs/fuzzing.md). It becomes meaningful with a oneTBB built with -fsanitize=thread.
set -euo pipefail
cd "$(dirname "$0")/.."

what=("$@")
[ ${#what[@]} -gt 0 ] || what=(asan tsan)
jobs=$(nproc)
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

# configure <dir> <sanitizer flags> (g++): the libraries and the unit tests; no Python, no benchmarks.
configure() {
  local dir=$1 flags=$2
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=g++ "${launcher[@]}" \
      -DCMAKE_CXX_FLAGS="$flags -fno-omit-frame-pointer" -DCMAKE_EXE_LINKER_FLAGS="$flags" \
      -DCMAKE_SHARED_LINKER_FLAGS="$flags" -DMEMSPIKE_WITH_PYTHON=OFF -DMEMSPIKE_BUILD_BENCH=OFF >/dev/null
  fi
}

run_asan() {
  # The fuzzing build (scripts/fuzz.sh: clang++, every library compiled with ASan+UBSan) serves
  # here too, so that CI compiles the libraries with AddressSanitizer once, not twice.
  local dir=${FUZZ_BUILD:-build-fuzz}
  echo "== ASan+UBSan: building $dir"
  scripts/fuzz.sh build
  cmake --build "$dir" --parallel "$jobs" --target memspike_tests memspike
  echo "== ASan+UBSan: unit, reference and CLI tests"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    # Not cli.resource_estimate either: it compares the estimate with the measured peak RSS, and
    # AddressSanitizer's shadow memory and quarantine make that 2-3x larger (51 MiB for 21).
    ctest --test-dir "$dir" --output-on-failure --parallel "$jobs" -E '^(install|python)\.|^cli\.resource_estimate$'
}

run_tsan() {
  local dir=build-tsan
  echo "== TSan: building $dir"
  configure "$dir" "-fsanitize=thread"
  cmake --build "$dir" --parallel "$jobs" --target memspike_tests
  echo "== TSan: threaded tests"
  # Catch2 v2: comma-separated test specs are alternatives (separate arguments are ANDed).
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/sanitizers/tsan.supp" \
    "$dir/tests/memspike_tests" "[threads],*thread*" --durations yes
}

for w in "${what[@]}"; do
  case $w in
    asan) run_asan ;;
    tsan) run_tsan ;;
    *) echo "sanitizers.sh: unknown '$w' (asan, tsan)" >&2; exit 2 ;;
  esac
done
