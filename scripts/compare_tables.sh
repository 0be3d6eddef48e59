#!/usr/bin/env bash
# Regenerates the comparison tables of README.md ("Compare two protocols") and its figure:
# Raft against pBFT under four conditions, and gossip variants against each other, 40 seeds
# each. Usage: scripts/compare_tables.sh [BUILD_DIR] (default build/release). Writes the
# tables to stdout and docs/images/compare_raft_pbft_crash.png (needs matplotlib).
set -euo pipefail
cd "$(dirname "$0")/.."
MESHSIM=${1:-build/release}/meshsim
DB=$(mktemp -d)/compare.db
SEEDS=1..40
METRICS_CONSENSUS=op_latency_ns_p50,op_latency_ns_p99,throughput_ops_per_s,unavailable_ns_total,messages_per_op,linearizable
METRICS_GOSSIP=coverage_time_100_ns_p50,coverage_time_100_ns_p99,residue,messages_sent,bytes_sent
# Rumor mongering leaves some nodes out (residue > 0), so its runs have no time to 100 %
# coverage: that pair is compared on the time to half coverage, coverage and residue.
METRICS_STRATEGY=coverage_time_50_ns_p50,coverage_final,residue,messages_sent,bytes_sent
for condition in quiet crash lossy_wan byzantine; do
  echo "### Raft against pBFT: $condition"
  echo '```'
  extra=()
  if [[ $condition == crash ]]; then
    extra=(--report "$(dirname "$DB")/crash.html")
  fi
  "$MESHSIM" compare --variant raft=scenarios/compare/raft_$condition.toml --variant pbft=scenarios/compare/pbft_$condition.toml \
    --seeds $SEEDS --db "$DB" --metrics $METRICS_CONSENSUS "${extra[@]}" | grep -v '^wrote '
  echo '```'
done
"$MESHSIM" compare --variant raft=scenarios/compare/raft_crash.toml --variant pbft=scenarios/compare/pbft_crash.toml \
  --seeds $SEEDS --db "$DB" --metrics $METRICS_CONSENSUS --json >"$(dirname "$DB")/crash.json"
/usr/bin/python3 results/report/compare_report.py "$(dirname "$DB")/crash.json" "$(dirname "$DB")/crash.html" --png-dir "$(dirname "$DB")/png"
cp "$(dirname "$DB")/png/boxes.png" docs/images/compare_raft_pbft_crash.png
echo "### Gossip anti-entropy: push, pull, push-pull"
echo '```'
"$MESHSIM" compare scenarios/compare/gossip.toml --vary protocol.mode=push,pull,push-pull --seeds $SEEDS --db "$DB" --metrics $METRICS_GOSSIP
echo '```'
echo "### Gossip push-pull: anti-entropy against rumor mongering"
echo '```'
"$MESHSIM" compare scenarios/compare/gossip.toml --vary protocol.strategy=anti-entropy,rumor-mongering --seeds $SEEDS --db "$DB" \
  --metrics $METRICS_STRATEGY
echo '```'

