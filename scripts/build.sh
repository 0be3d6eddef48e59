#!/usr/bin/env bash
# Configures and builds meshsim. Usage: scripts/build.sh [release|sanitize]
set -euo pipefail
cd "$(dirname "$0")/.."
flavor=${1:-release}
case "$flavor" in
  release) cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null ;;
  sanitize) cmake -S . -B build/sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMESHSIM_SANITIZE=ON >/dev/null ;;
  *) echo "usage: $0 [release|sanitize]" >&2; exit 2 ;;
esac
# Two jobs: the machines this project targets have two cores.
cmake --build "build/$flavor" -j "${MESHSIM_JOBS:-2}"
