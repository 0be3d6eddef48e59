#!/usr/bin/env bash
# HyParView under massive failures (protocols/membership/README.md, "HyParView partial
# views"): 10,000 nodes (scenarios/membership/hyparview_scale.toml scaled down), a fraction
# of them crashing at once at 20 s. Per fraction and seed: the largest component's share of
# the survivors one second after the crash, its lowest value, and the time from the crash
# until the survivors' overlay is one component for good (hyparview_connected_since_ns).
# Usage: scripts/hyparview_failures.sh [MESHSIM] [SEEDS...]   (about 1 minute of CPU per seed)
set -euo pipefail
MESHSIM=${1:-build/release/meshsim}
shift || true
SEEDS=${*:-1 2 3}
DB=$(mktemp -d)/failures.db
N=10000
printf '| crashed | seed | share at +1 s | lowest share | crash to connected | link failures |\n|---|---|---|---|---|---|\n'
for percent in 10 30 50 70 90; do
  first=$((N - N * percent / 100))
  for seed in $SEEDS; do
    "$MESHSIM" run scenarios/membership/hyparview_scale.toml --seed "$seed" --db "$DB" --no-progress \
      --set topology.nodes=$N --set "faults[0].nodes=\"$first..$((N - 1))\"" >/dev/null || true
    run=$(sqlite3 "$DB" "select max(run_id) from runs")
    q() { sqlite3 "$DB" "$1"; }
    at1=$(q "select round(value, 4) from series where run_id = $run and name = 'hyparview_largest_component_share' and sim_time_ns = 21000000000")
    low=$(q "select round(min(value), 4) from series where run_id = $run and name = 'hyparview_largest_component_share' and sim_time_ns >= 20000000000")
    since=$(q "select value from scalars where run_id = $run and name = 'hyparview_connected_since_ns'")
    # Connected since before the crash: the survivors never came apart (at sample resolution).
    heal=$([[ -n "$since" ]] && awk -v s="$since" 'BEGIN { d = s / 1e9 - 20; if (d <= 0) print "stayed connected"; else printf "%.1f s", d }' || echo "not by the end")
    lf=$(q "select cast(value as integer) from scalars where run_id = $run and name = 'hyparview_link_failures'")
    printf '| %d %% | %s | %s | %s | %s | %s |\n' "$percent" "$seed" "$at1" "$low" "$heal" "$lf"
  done
done
