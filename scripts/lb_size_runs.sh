#!/usr/bin/env bash
# Size runs of the informed load-balancing strategies (issue 11: 100,000 nodes, 10^7 tasks):
# the common workload of scenarios/lb/random.toml at 100,000 nodes, TASKS tasks per node,
# measured with /usr/bin/time -v (wall time, peak RSS). Output: OUT/STRATEGY-TASKS.{out,time}.
#   scripts/lb_size_runs.sh [MESHSIM] [TASKS_PER_NODE] [OUT] [STRATEGIES...]
set -euo pipefail
bin=${1:-build/release/meshsim}
tasks=${2:-100}
out=${3:-results/lb_size}
shift 3 || true
strategies=("$@")
[[ ${#strategies[@]} -gt 0 ]] || strategies=(least-loaded work-stealing power-of-d)
mkdir -p "$out"
# 8 tasks/s per node for tasks_per_node / 8 s, then 4 s to drain (the queues are short at ρ = 0.8).
stop_s=$(( (tasks + 7) / 8 + 1 ))
for s in "${strategies[@]}"; do
  /usr/bin/time -v "$bin" run scenarios/lb/random.toml --db "$out/size.db" \
    --set protocol.strategy="$s" --set topology.nodes=100000 --set protocol.tasks_per_node="$tasks" \
    --set protocol.arrivals_stop="${stop_s}s" --set run.duration="$((stop_s + 4))s" \
    --set metrics.node_series=false >"$out/$s-$tasks.out" 2>"$out/$s-$tasks.time" || true
  wall=$(grep "Elapsed (wall" "$out/$s-$tasks.time" | awk '{print $NF}')
  rss=$(grep "Maximum resident" "$out/$s-$tasks.time" | awk '{print $NF}')
  echo "$s tasks_per_node=$tasks wall=$wall max_rss_kb=$rss"
done
