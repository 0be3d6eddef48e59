#!/usr/bin/env bash
# Builds meshsim and runs the whole test suite (unit tests and command-line tests).
# With --sanitize, builds with AddressSanitizer + UndefinedBehaviorSanitizer instead and
# runs the same suite under them.
set -euo pipefail
cd "$(dirname "$0")/.."
flavor=release
if [[ "${1:-}" == "--sanitize" ]]; then flavor=sanitize; fi
./scripts/build.sh "$flavor"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "build/$flavor" --output-on-failure -j 2
