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
#         threads = 2 really runs two partitions at the same moment (test_parallel.cpp), then the
#         threaded CLI runs. TSan must see every synchronisation, including oneTBB's own: Debian's
#         libtbb is not built with -fsanitize=thread, so this builds Debian's own oneTBB source
#         (apt-get source onetbb, the same version as libtbb-dev) with TBB_SANITIZE=thread into
#         build-tsan/tbb first (about 30 CPU seconds) and links the tests against it. No
#         suppressions: any report fails.
# Usage: scripts/sanitizers.sh [asan|tsan]...   (default: both). Exits non-zero on any report.
# .ci/run calls `scripts/sanitizers.sh asan tsan` after the README's test command.
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
  shift 2
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S . -B "$dir" -G Ninja "$@" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=g++ "${launcher[@]}" \
      -DCMAKE_CXX_FLAGS="$flags -fno-omit-frame-pointer" -DCMAKE_EXE_LINKER_FLAGS="$flags" \
      -DCMAKE_SHARED_LINKER_FLAGS="$flags" -DMEMSPIKE_WITH_PYTHON=OFF -DMEMSPIKE_BUILD_BENCH=OFF -DMEMSPIKE_WITH_MPI=OFF >/dev/null  # mpi.* run in the plain build
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

# tsan_onetbb <dir>: Debian's oneTBB source (the version libtbb-dev has) built with
# -fsanitize=thread and installed under <dir>; skipped when already there.
tsan_onetbb() {
  local prefix=$1
  [ -f "$prefix/lib/cmake/TBB/TBBConfig.cmake" ] && return 0
  local work
  work=$(mktemp -d)
  # bookworm's deb-src entries, in a list of our own so that the system's apt sources stay as they are.
  cat >"$work/src.sources" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  local apt=(-o Dir::Etc::sourcelist="$work/src.sources" -o Dir::Etc::sourceparts=/nonexistent
             -o Dir::State::Lists="$work/lists" -o APT::Sandbox::User=root)
  mkdir -p "$work/lists/partial"
  command -v dpkg-source >/dev/null || apt-get install -y -qq dpkg-dev >/dev/null
  apt-get "${apt[@]}" update -qq
  local version
  version=$(dpkg-query -W -f '${source:Version}' libtbb-dev)
  # dpkg-source cannot check the .dsc's signature (no Debian keyring for it here) and says so;
  # apt has already checked the files' hashes against the signed Release file.
  (cd "$work" && apt-get "${apt[@]}" source -qq --download-only "onetbb=$version" &&
    { dpkg-source -x ./*.dsc src >dpkg-source.log 2>&1 || { cat dpkg-source.log >&2; exit 1; }; })
  cmake -S "$work/src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" \
    -DTBB_SANITIZE=thread -DTBB_TEST=OFF -DTBBMALLOC_BUILD=OFF -DTBB_STRICT=OFF \
    -DCMAKE_INSTALL_PREFIX="$prefix" >/dev/null
  cmake --build "$work/build" --parallel "$jobs" >/dev/null
  cmake --install "$work/build" >/dev/null
  rm -rf "$work"
}

run_tsan() {
  local dir=build-tsan
  echo "== TSan: oneTBB $(dpkg-query -W -f '${Version}' libtbb-dev) built with ThreadSanitizer"
  tsan_onetbb "$PWD/$dir/tbb"
  echo "== TSan: building $dir"
  configure "$dir" "-fsanitize=thread" -DTBB_DIR="$PWD/$dir/tbb/lib/cmake/TBB"
  cmake --build "$dir" --parallel "$jobs" --target memspike_tests memspike
  # A test binary that picked up the system's libtbb would report oneTBB's own synchronisation as races.
  ldd "$dir/tests/memspike_tests" | grep -q "$dir/tbb/lib/libtbb" ||
    { echo "sanitizers.sh: $dir/tests/memspike_tests is not linked against $dir/tbb" >&2; exit 1; }
  echo "== TSan: threaded tests"
  # Catch2 v2: comma-separated test specs are alternatives (separate arguments are ANDed).
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" \
    "$dir/tests/memspike_tests" "[threads],*thread*" --durations yes
  echo "== TSan: threaded CLI runs (examples on 2 threads, briefly)"
  local out
  out=$(mktemp -d)
  local d="--set simulation.duration=20ms"
  local -a runs=("brunel $d --set simulation.scale=0.2" "coba $d" "cuba $d" "stdp_song $d"
                 "crossbar_brunel --set simulation.duration=5ms")
  for r in "${runs[@]}"; do
    read -r -a args <<<"$r"
    TSAN_OPTIONS="halt_on_error=1:exitcode=66" "$dir/cli/memspike" run "examples/${args[0]}.toml" \
      -o "$out/${args[0]}.h5" --threads 2 --quiet "${args[@]:1}"
  done
  rm -rf "$out"
}

for w in "${what[@]}"; do
  case $w in
    asan) run_asan ;;
    tsan) run_tsan ;;
    *) echo "sanitizers.sh: unknown '$w' (asan, tsan)" >&2; exit 2 ;;
  esac
done
