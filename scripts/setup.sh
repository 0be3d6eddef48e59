#!/usr/bin/env bash
# Installs meshsim's build dependencies from Debian packages. Idempotent: packages already
# present are skipped, so it is cheap to run before every build.
set -euo pipefail
packages=(build-essential cmake ninja-build git pkg-config python3
          libboost-graph-dev libboost-random-dev libeigen3-dev libsqlite3-dev sqlite3
          libtomlplusplus-dev libcli11-dev doctest-dev
          python3   # tests/fuzz (the scenario fuzzer) is a Python 3 program, standard library only
          libxml2-utils   # xmllint: tests/cli validate --junit output against tests/cli/junit.xsd
          python3-matplotlib python3-numpy)  # meshsim compare --report (results/report/compare_report.py)
# The live window (viz/, `meshsim view`) and its headless tests need these: installed by
# default so CI builds and tests the viewer; MESHSIM_WITH_VIEWER=0 leaves them out (the
# build then succeeds without the viewer). libgl1-mesa-dri is the software OpenGL Xvfb uses.
if [[ "${MESHSIM_WITH_VIEWER:-1}" != 0 ]]; then
  packages+=(libimgui-dev libglfw3-dev libgl-dev libstb-dev libgl1-mesa-dri xvfb xauth fonts-dejavu-core)
fi
# MPI (app/mpi/, `mpirun -n K meshsim sweep`): Open MPI, installed by default so CI builds
# and tests the MPI commands; MESHSIM_WITH_MPI=0 leaves it out (the build then succeeds
# without them, and they say how to enable them).
if [[ "${MESHSIM_WITH_MPI:-1}" != 0 ]]; then
  packages+=(libopenmpi-dev openmpi-bin)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi
echo "setup: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) != 0 ]]; then SUDO=sudo; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
