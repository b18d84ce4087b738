#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the built tree into a temporary prefix, MOVES the prefix elsewhere (relocatability),
# builds a project of its own against it with find_package(memspike) and runs it, then checks that
# the installed CLI reads its energy presets from the installed share/ directory. Each check names
# the bug it catches.
# Usage: [PYTHON=python3] [CMAKE=cmake] test_install.sh BUILD_DIR SOURCE_DIR CXX_COMPILER GENERATOR
set -u
build=$1
src=$2
cxx=$3
generator=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
check() { if eval "$2"; then echo "PASS: $1"; else echo "FAIL: $1"; fail=1; return 1; fi; }
unset MEMSPIKE_ENERGY_DIR
cmake=${CMAKE:-cmake}  # the cmake of the build (tests/CMakeLists.txt sets CMAKE)

"$cmake" --install "$build" --prefix "$work/staging" >"$work/install.log" 2>&1
check "cmake --install succeeds" "[ $? -eq 0 ]" || { cat "$work/install.log"; exit 1; }
# A prefix that works only where it was installed (absolute paths in the package files or the
# binary) fails below: the installed tree is used only from here on.
mv "$work/staging" "$work/moved"
p=$work/moved
check "the CLI is installed (bin/memspike)" "[ -x '$p/bin/memspike' ]"
check "public headers of all three libraries are installed" \
      "[ -f '$p/include/memspike/core/simulation.hpp' ] && [ -f '$p/include/memspike/models/builtin.hpp' ] && [ -f '$p/include/memspike/backends/builtin.hpp' ]"
check "the generated version.hpp is installed" "[ -f '$p/include/memspike/core/version.hpp' ]"
check "the energy presets are installed under share/memspike/energy" "[ -f '$p/share/memspike/energy/loihi.toml' ]"
check "private model headers are not installed" "[ ! -e '$p/include/neurons' ]"
cfg=$(find "$p" -name memspikeConfig.cmake)
check "memspikeConfig.cmake and its version file are installed" "[ -n '$cfg' ] && [ -f \"\$(dirname '$cfg')/memspikeConfigVersion.cmake\" ]"
check "no installed package file names the staging prefix (relocatable)" "! grep -rl '$work/staging' '$p/lib' '$p/share' 2>/dev/null | grep -q ."

# A downstream project: find_package(memspike CONFIG REQUIRED) + memspike::{core,models,backends}.
# Catches: targets not exported or not namespaced, headers missing, a missing find_dependency
# (link errors on TBB/toml++/HDF5), include paths pointing into the source or build tree.
"$cmake" -S "$src/tests/install" -B "$work/downstream" -G "$generator" -DCMAKE_CXX_COMPILER="$cxx" \
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$p" >"$work/configure.log" 2>&1
check "downstream configures with find_package(memspike)" "[ $? -eq 0 ]" || cat "$work/configure.log"
"$cmake" --build "$work/downstream" >"$work/build.log" 2>&1
check "downstream builds and links against the installed libraries" "[ $? -eq 0 ]" || tail -40 "$work/build.log"
check "downstream used the moved prefix, not the build tree" \
      "grep -q '$p' '$work/downstream/CMakeCache.txt' && ! grep -q 'memspike_DIR:PATH=$build' '$work/downstream/CMakeCache.txt'"
out=$("$work/downstream/downstream" 2>&1)
rc=$?
echo "     downstream: $out"
check "downstream runs the two-population network" "[ $rc -eq 0 ]"
check "downstream's network spikes" "echo \"\$out\" | grep -qE ': [1-9][0-9]* spikes'"

# The installed CLI finds the presets of ITS prefix. The source tree still exists here, so make the
# installed presets differ from it: one extra preset and one removed. Catches a lookup that uses the
# compiled-in source path (or the configured prefix) before the binary's own prefix.
sed 's/^name = "truenorth"/name = "install_probe"/' "$p/share/memspike/energy/truenorth.toml" \
    >"$p/share/memspike/energy/install_probe.toml"
rm "$p/share/memspike/energy/loihi.toml"
ver=$("$p/bin/memspike" --version)
check "--version names the installed preset directory" "echo \"\$ver\" | grep -qxF 'energy presets: $p/share/memspike/energy'"
"$p/bin/memspike" run "$src/examples/single_neuron.toml" --set 'simulation.duration="50 ms"' -o "$work/single.h5" -q
check "the installed CLI runs a scenario" "[ $? -eq 0 ]"
rep=$("$p/bin/memspike" report "$work/single.h5" 2>&1)
check "report exits 0" "[ $? -eq 0 ]"
check "report lists the preset only the installed tree has" "echo \"\$rep\" | grep -q '^install_probe '"
check "report does not list the preset removed from the installed tree" "! echo \"\$rep\" | grep -q '^loihi '"

# The Python package, when built (PYTHON set by tests/CMakeLists.txt): the installed module imports
# from the moved prefix and reads the same installed presets (catches a lookup that knows only bin/).
if [ -n "${PYTHON:-}" ]; then
    mod=$(find "$p" -name '_memspike*.so' | head -n 1)
    check "the Python module is installed" "[ -n '$mod' ]"
    pkgdir=$(dirname "$(dirname "$mod")")
    names=$(cd "$work" && PYTHONPATH="$pkgdir" "$PYTHON" -c 'import memspike; print(memspike.__file__); print(" ".join(memspike.energy_models()))' 2>&1)
    echo "$names" | sed 's/^/     python: /'
    check "python imports the installed package" "echo \"\$names\" | head -n 1 | grep -qF '$p/'"
    check "the installed Python module reads the installed presets" \
          "echo \"\$names\" | grep -qw install_probe && ! echo \"\$names\" | grep -qw loihi"
fi

# MEMSPIKE_ENERGY_DIR comes first, and a wrong value is an error naming it, not a silent fallback.
mkdir "$work/custom"
cp "$src/models/energy/cpu_45nm.toml" "$work/custom/"
rep=$(MEMSPIKE_ENERGY_DIR="$work/custom" "$p/bin/memspike" report "$work/single.h5" 2>&1)
check "MEMSPIKE_ENERGY_DIR overrides the installed presets" \
      "echo \"\$rep\" | grep -q '^cpu_45nm ' && ! echo \"\$rep\" | grep -q '^install_probe '"
rep=$(MEMSPIKE_ENERGY_DIR="$work/nowhere" "$p/bin/memspike" report "$work/single.h5" 2>&1)
rc=$?
check "a MEMSPIKE_ENERGY_DIR that is not a directory exits 2" "[ $rc -eq 2 ]"
check "... and the message names it" "echo \"\$rep\" | grep -qF 'MEMSPIKE_ENERGY_DIR=\"$work/nowhere\"' || echo \"\$rep\" | grep -qF \"MEMSPIKE_ENERGY_DIR='$work/nowhere'\""


# Chip descriptions (issue 14): installed beside the energy presets and found there by the moved
# CLI (a probe that only the installed tree has).
check "the chip descriptions are installed under share/memspike/chips" "[ -f '$p/share/memspike/chips/truenorth.toml' ]"
sed 's/^name = "truenorth"/name = "chip_probe"/' "$p/share/memspike/chips/truenorth.toml" >"$p/share/memspike/chips/chip_probe.toml"
rep=$("$p/bin/memspike" report "$work/single.h5" --chips chip_probe 2>&1)
check "report --chips reads the installed chip descriptions" "echo \"\$rep\" | grep -q '^  chip_probe '"

exit $fail
