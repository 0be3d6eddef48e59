#!/usr/bin/env bash
# The chaos sweeps of protocols/membership/README.md: scenarios/membership/chaos.toml under
# each detector and quorum (SEEDS seeds each, default 1..500, one thread, niced), printed as
# a Markdown table row per variant: seeds passed, failed, and the sweep's wall time. A
# results database under a temporary folder, deleted at the end (a sweep writes ~250 kB a
# seed).
# Usage: scripts/membership_sweeps.sh [MESHSIM] [SEEDS] [VARIANT...]
#   VARIANT is one of the names below (default: all of them).
set -euo pipefail
MESHSIM=${1:-build/release/meshsim}
SEEDS=${2:-1..500}
shift $(( $# >= 2 ? 2 : $# ))
SCENARIO=${SCENARIO:-scenarios/membership/chaos.toml}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

declare -A SETS=(
  [swim-q1]='protocol.quorum=1'
  [swim-q2]=''
  [swim-q3]='protocol.quorum=3'
  [fixed-timeout-q1]='protocol.detector="fixed-timeout" protocol.quorum=1'
  [fixed-timeout-q2]='protocol.detector="fixed-timeout"'
  [phi-q1]='protocol.detector="phi" protocol.quorum=1'
  [phi-q2]='protocol.detector="phi"'
  [phi-q3]='protocol.detector="phi" protocol.quorum=3'
)
ORDER=(fixed-timeout-q1 fixed-timeout-q2 phi-q1 phi-q2 phi-q3 swim-q1 swim-q2 swim-q3)
(( $# > 0 )) && ORDER=("$@")

echo "| variant | --set | seeds | passed | failed | wall (one thread) |"
echo "|---|---|---|---|---|---|"
for v in "${ORDER[@]}"; do
  args=()
  for s in ${SETS[$v]}; do args+=(--set "$s"); done
  start=$(date +%s)
  nice -n 10 "$MESHSIM" sweep "$SCENARIO" --seeds "$SEEDS" --threads 1 --db "$DIR/$v.db" --json "${args[@]}" \
    >"$DIR/$v.json" 2>/dev/null || true
  wall=$(( $(date +%s) - start ))
  read -r passed failed <<<"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["passed"], d["failed"] + d["errors"] + d["inconclusive"])' "$DIR/$v.json")"
  echo "| $v | ${SETS[$v]:-(none: chaos.toml as written)} | $SEEDS | $passed | $failed | ${wall} s |"
  python3 -c 'import json,sys; [print("    failed:", r["reproduce"]) for r in json.load(open(sys.argv[1]))["runs"] if r["verdict"] != "ok"]' "$DIR/$v.json"
  rm -f "$DIR/$v.db"*
done
