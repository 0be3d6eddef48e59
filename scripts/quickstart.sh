#!/usr/bin/env bash
# For a newcomer on a fresh Debian machine: install the packages, build, run the default
# scenario, and show where its results went.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh release
build/release/meshsim run scenarios/quickstart.toml --seed 7 --db results/meshsim.db
echo
echo "Open the results with: sqlite3 results/meshsim.db 'select * from scalars where run_id = (select max(run_id) from runs)'"
