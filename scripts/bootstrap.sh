#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing (Debian 12 packages, as root), then configures and builds memspike in
# Release into ./build. Repeat runs install nothing and rebuild incrementally.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake g++ ninja-build pkg-config
          libboost-graph-dev libeigen3-dev libtbb-dev libhdf5-dev hdf5-tools libtomlplusplus-dev libcli11-dev
          catch2 libbenchmark-dev pybind11-dev python3-dev
          python3-numpy python3-h5py python3-pytest python3-matplotlib python3-pandas python3-sklearn python3-scipy
          python3-tomli-w python3-quantities python3-brian python3-distributed
          python3-pynn python3-neo  # memspike.pynn (docs/pynn.md) and its tests
          dpkg-dev  # dpkg-source: Debian's oneTBB source rebuilt with TSan (scripts/sanitizers.sh tsan)
          clang libclang-rt-14-dev  # libFuzzer and the sanitizer runtimes (scripts/fuzz.sh, sanitizers.sh)
          libopenmpi-dev openmpi-bin)  # one network over MPI ranks (docs/mpi.md) and its tests (mpi.*)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  apt_get="apt-get"
  [ "$(id -u)" -eq 0 ] || apt_get="sudo apt-get"
  $apt_get update -qq
  DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build build --parallel "$(nproc)"

# Make `import memspike` work for Debian's /usr/bin/python3 (which reads .pth files in
# /usr/lib/python3/dist-packages): point it at the package assembled in build/python.
if [ "$(id -u)" -eq 0 ] && [ -d build/python/memspike ] && [ -d /usr/lib/python3/dist-packages ]; then
  pth=/usr/lib/python3/dist-packages/memspike-build.pth
  want="$(pwd -P)/build/python"
  if [ ! -f "$pth" ] || [ "$(cat "$pth")" != "$want" ]; then
    echo "$want" > "$pth"
    echo "bootstrap: /usr/bin/python3 now imports memspike from $want ($pth)"
  fi
fi
