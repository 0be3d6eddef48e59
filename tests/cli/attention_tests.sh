#!/usr/bin/env bash
# Attention consensus from the command line: it is listed by `meshsim protocols`, its three
# variants run with their per-round metrics in the database, [expect] can demand agreement,
# and bad values of its keys exit 2 naming file:line: key with nothing written.
# Usage: attention_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
DB="$WORK/runs.db"
SMALL=(--set protocol.dim=32 --set protocol.heads=4 --set run.duration=3s --set "expect.attention_rounds=> 10")

echo "-- listed"
expect_exit "meshsim protocols lists attention with its behaviours" 0 "near-copy" "$MESHSIM" protocols
expect_exit "... and its metrics" 0 "attention_detection_recall" "$MESHSIM" protocols

echo "-- runs"
expect_exit "plain variant, honest mesh: agreement and validity demanded and met" 0 "attention_agreement " \
  "$MESHSIM" run scenarios/attention/honest.toml --db "$DB" --no-progress "${SMALL[@]}"
expect_exit "graph-rope variant" 0 "attention_detection_precision" \
  "$MESHSIM" run scenarios/attention/graph_rope.toml --db "$DB" --no-progress "${SMALL[@]}"
expect_exit "gossip variant" 0 "attention_rounds" \
  "$MESHSIM" run scenarios/attention/gossip.toml --db "$DB" --no-progress "${SMALL[@]}"
n=$(sqlite3 "$DB" "select count(*) from scalars where name = 'attention_agreement'")
[[ $n == 3 ]] && pass "agreement of each run is in the database" || fail "agreement rows: $n"
n=$(sqlite3 "$DB" "select count(distinct run_id) from series where name = 'attention_round_agreement'" 2>/dev/null || echo 0)
[[ $n == 3 ]] && pass "per-round agreement series of each run is in the database" || fail "series runs: $n"
expect_exit "[expect] agreement fails the run when a partition splits the decisions" 1 "attention_agreement" \
  "$MESHSIM" run scenarios/attention/partition.toml --db "$DB" --no-progress --set protocol.dim=32 --set protocol.heads=4 \
  --set 'expect.attention_agreement=== 1'

echo "-- bad input: exit 2, file:line: key, nothing written"
bad() { expect_bad_scenario '[run]\nduration = "1s"\n[topology]\nkind = "full"\nnodes = 5\n[protocol]\nname = "attention"\n' "$@"; }  # bad NAME PATTERN KEY=VALUE-LINES...
bad "unknown variant" "bad.toml:8: protocol.variant" 'variant = "transformer"'
bad "dim of zero" "bad.toml:8: protocol.dim" 'dim = 0'
bad "heads that do not divide dim" "bad.toml:9: protocol.heads: 5 does not divide dim = 384" 'dim = 384' 'heads = 5'
bad "unknown projection" "bad.toml:8: protocol.projection" 'projection = "learned"'
bad "options without discrete workload" "bad.toml:8: protocol.options: has no effect unless workload" 'options = 3'
bad "one option only" "bad.toml:9: protocol.options" 'workload = "discrete"' 'options = 1'
bad "discrete noise above 1" "bad.toml:9: protocol.noise" 'workload = "discrete"' 'noise = 1.5'
bad "gossip steps without gossip" "bad.toml:8: protocol.gossip_steps: has no effect unless variant" 'gossip_steps = 2'
bad "deadline beyond the round" "bad.toml:9: protocol.round_deadline: times the 1 attention step" 'round_interval = "100ms"' 'round_deadline = "150ms"'
bad "gossip steps beyond the round" "bad.toml:10: protocol.round_deadline: times the 4 attention step" \
  'variant = "gossip"' 'round_interval = "100ms"' 'round_deadline = "30ms"'
bad "outlier cap above 1" "bad.toml:8: protocol.outlier_cap" 'outlier_cap = 1.5'
bad "negative sigma" "bad.toml:8: protocol.outlier_sigma" 'outlier_sigma = -1.0'
bad "unknown outlier side" "bad.toml:8: protocol.outlier_side" 'outlier_side = "high"'
bad "rope_scale without graph-rope" "bad.toml:8: protocol.rope_scale: has no effect unless variant" 'rope_scale = 2.0'
bad "exclude_below without reputation" "bad.toml:9: protocol.exclude_below: has no effect unless reputation" 'reputation = false' 'exclude_below = 0.3'
bad "negative CPU cost" "bad.toml:8: protocol.cost_per_mac_ns" 'cost_per_mac_ns = -1.0'
bad "typo in a key" "bad.toml:8: protocol.hedas" 'hedas = 4'
bad "unknown Byzantine behaviour" "behavior" '[[faults]]' 'at = "0s"' 'kind = "byzantine"' 'nodes = "0"' 'module = "attention"' 'behavior = "far-away"'
finish
