#!/usr/bin/env bash
# The issue-11 chaos sweep of every load-balancing strategy: scenarios/lb/chaos.toml (which
# already routes 20 % of tasks by capability) over SEEDS for each strategy, with threshold
# migration, and with processor sharing. One results database per variant in OUT, the
# sweep's JSON summary beside it, the wall time in OUT/VARIANT.time and the task counts summed
# over the seeds in OUT/VARIANT.sums; the database is then deleted (10,000 seeds write ~1 GB).
# Per-node series are off: they do not change a run, only what it stores.
#   scripts/lb_chaos_sweeps.sh [MESHSIM] [SEEDS] [OUT]     (defaults: build/release/meshsim 1..500 results/lb_chaos)
set -euo pipefail
bin=${1:-build/release/meshsim}
seeds=${2:-1..500}
out=${3:-results/lb_chaos}
only=${LB_SWEEP_ONLY:-}
mkdir -p "$out"
variants=(
  "random|--set protocol.strategy=random"
  "round-robin|--set protocol.strategy=round-robin"
  "power-of-d|--set protocol.strategy=power-of-d"
  "least-loaded|--set protocol.strategy=least-loaded"
  "work-stealing|--set protocol.strategy=work-stealing"
  "auction|--set protocol.strategy=auction"
  "random-migration|--set protocol.strategy=random --set protocol.migrate_above=3 --set protocol.migrate_below=1"
  "power-of-d-ps|--set protocol.strategy=power-of-d --set protocol.service=processor-sharing"
  "work-stealing-ps|--set protocol.strategy=work-stealing --set protocol.service=processor-sharing"
  "power-of-d-on-off|--set protocol.strategy=power-of-d --set protocol.arrivals=on-off --set protocol.arrival_rate=20 --set protocol.burst_on=200ms --set protocol.burst_off=800ms"
)
for v in "${variants[@]}"; do
  name=${v%%|*}
  args=${v#*|}
  [[ -n "$only" && ! " $only " == *" $name "* ]] && continue
  rm -f "$out/$name.db"
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  "$bin" sweep scenarios/lb/chaos.toml --seeds "$seeds" --threads 1 --db "$out/$name.db" --json --set metrics.node_series=false $args >"$out/$name.json" || true
  end=$(date +%s.%N)
  echo "$end - $start" | bc >"$out/$name.time"
  python3 - "$out/$name.json" "$name" "$(cat "$out/$name.time")" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = [r["seed"] for r in d["runs"] if r["verdict"] != "ok"]
print(f'{sys.argv[2]}: passed {d["passed"]} failed {d["failed"]} errors {d["errors"]} wall {float(sys.argv[3]):.0f} s; not ok seeds: {bad[:20]}')
PY
  sqlite3 -separator ' ' "$out/$name.db" "select name, cast(sum(value) as integer) from scalars where name in
    ('faults_applied','lb_tasks_submitted','lb_tasks_completed','lb_tasks_lost','lb_tasks_lost_submitter_crash',
     'lb_tasks_in_flight_end','lb_tasks_resubmitted','lb_tasks_duplicated','lb_migrations') group by name" >"$out/$name.sums"
  [[ -n "${LB_SWEEP_KEEP_DB:-}" ]] || rm -f "$out/$name.db" "$out/$name.db-shm" "$out/$name.db-wal"
done
