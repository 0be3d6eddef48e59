#!/usr/bin/env bash
# The parameter tables of protocols/attention/README.md ("How the metrics move with n, d, h,
# the Byzantine share, loss and latency spread"): one `meshsim sweep` per setting, each table
# "median [q1, q3]" over the seeds (scripts/attention_tables.py).
# Usage: scripts/attention_sweeps.sh [SEEDS] [MESHSIM] [OUT_DIR]   (SEEDS default 10)
#        scripts/attention_sweeps.sh n1000 [MESHSIM] [OUT_DIR]     n = 1,000, one seed, one round
# OUT_DIR (default a temporary directory) keeps the databases, for the plot
# (scripts/attention_tables.py plot OUT_DIR attention_sweeps.png).
# Heavy settings run fewer seeds: n = 200 three, n = 400 one (two rounds).
set -euo pipefail
SEEDS=${1:-10}
MESHSIM=${2:-build/release/meshsim}
OUT=${3:-$(mktemp -d)}
HERE=$(cd "$(dirname "$0")" && pwd)
TABLE="/usr/bin/python3 $HERE/attention_tables.py sweep"
N_METRICS=--metrics=attention_agreement,attention_validity,attention_distance_mean,attention_decide_ns_p50,attention_messages_per_decision,attention_multiply_adds_per_decision
sw() { # DB SCENARIO SEEDS [--set k=v ...]
  local db=$1 scenario=$2 seeds=$3; shift 3
  nice -n 10 "$MESHSIM" sweep "$scenario" --seeds "1..$seeds" --threads 1 --db "$OUT/$db.db" "$@" >/dev/null || true
}
if [ "$SEEDS" = n1000 ]; then
  # 1,000 nodes all-to-all: 999,000 proposals of 1.5 kB and 3.8e8 multiply-adds per node per round.
  sw n1000 scenarios/attention/honest.toml 1 --set topology.nodes=1000 --set protocol.rounds=1 \
    --set run.duration=390ms --set 'expect.attention_rounds=>= 1'
  $TABLE "$OUT/n1000.db" "$N_METRICS"
  exit 0
fi
SHORT=(--set run.duration=2s --set 'expect.attention_rounds=> 5')   # 9 rounds a run
echo "### n (honest.toml, 2 s = 9 rounds; n = 200: 3 seeds, n = 400: 1 seed)"
for n in 4 7 13 25 50 100 200 400; do
  s=$SEEDS; [ "$n" -ge 200 ] && s=3; [ "$n" -ge 400 ] && s=1
  sw n "scenarios/attention/honest.toml" "$s" --set topology.nodes=$n "${SHORT[@]}"
done
$TABLE "$OUT/n.db" "$N_METRICS"
echo
echo "### n under 1 % loss (honest.toml + network.loss = 0.01, 2 s; n = 200: 3 seeds)"
for n in 4 7 13 25 50 100 200; do
  s=$SEEDS; [ "$n" -ge 200 ] && s=3
  sw n_loss "scenarios/attention/honest.toml" "$s" --set topology.nodes=$n --set network.loss=0.01 "${SHORT[@]}" \
    --set 'expect.attention_agreement=>= 0'
done
$TABLE "$OUT/n_loss.db" "$N_METRICS"
echo
echo "### d (far-embedding_10.toml: 13 nodes, 1 far-off)"
for d in 8 32 128 384 1024; do sw d scenarios/attention/far-embedding_10.toml "$SEEDS" --set protocol.dim=$d; done
$TABLE "$OUT/d.db" --metrics=attention_agreement,attention_validity,attention_distance_mean,attention_detection_precision,attention_detection_recall,attention_decide_ns_p50,attention_multiply_adds_per_decision,attention_bytes_per_decision
echo
echo "### h (far-embedding_10.toml, d = 384; identity and random projections)"
for proj in identity random; do
  for h in 1 2 4 8 16 32; do sw h scenarios/attention/far-embedding_10.toml "$SEEDS" --set protocol.heads=$h --set "protocol.projection=\"$proj\""; done
done
$TABLE "$OUT/h.db" --metrics=attention_agreement,attention_validity,attention_distance_mean,attention_detection_precision,attention_detection_recall,attention_multiply_adds_per_decision
echo
echo "### Byzantine share (20 nodes; k of them Byzantine from the start)"
sw share scenarios/attention/honest.toml "$SEEDS" --set topology.nodes=20
for b in far-embedding near-copy collude equivocate; do
  for k in 2 4 6 8 9; do   # 10, 20, 30, 40, 45 %
    sw share "scenarios/attention/${b}_10.toml" "$SEEDS" --set topology.nodes=20 --set "faults[0].nodes=\"0..$((k - 1))\""
  done
done
$TABLE "$OUT/share.db" --metrics=attention_agreement,attention_validity,attention_distance_mean,attention_detection_precision,attention_detection_recall
echo
echo "### Loss (honest.toml, 13 nodes)"
for l in 0 0.001 0.005 0.01 0.02 0.05 0.1; do
  sw loss scenarios/attention/honest.toml "$SEEDS" --set network.loss=$l --set 'expect.attention_agreement=>= 0'
done
$TABLE "$OUT/loss.db" --metrics=attention_agreement,attention_validity,attention_distance_mean,attention_decided_share,attention_decide_ns_p50
echo
echo "### Latency spread (honest.toml, 13 nodes, uniform 1 ms … max; deadline 50 ms)"
for m in 3ms 10ms 30ms 45ms 60ms 100ms; do
  sw latency scenarios/attention/honest.toml "$SEEDS" --set "network.latency.max=\"$m\"" --set 'expect.attention_agreement=>= 0'
done
$TABLE "$OUT/latency.db" --metrics=attention_agreement,attention_validity,attention_distance_mean,attention_decided_share,attention_decide_ns_p50
