#!/usr/bin/env bash
# The "Variants, reputation and crashes" tables of protocols/attention/README.md, each from
# `meshsim compare` (paired by seed; '*' = significant against the first variant, Holm-corrected).
# Usage: scripts/attention_variants.sh [SEEDS] [MESHSIM]        (SEEDS default 20)
#   1. plain vs graph-rope vs gossip under each Byzantine behaviour (scenarios/attention/variants_ba30.toml)
#   2. the learning store on vs off (protocol.reputation) under the scenarios it could matter in
#   3. protocol.exclude_below = 0, 0.3, 0.6
set -euo pipefail
SEEDS=${1:-20}
MESHSIM=${2:-build/release/meshsim}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
METRICS=attention_agreement,attention_validity,attention_distance_mean,attention_detection_recall,attention_decide_ns_p50,attention_messages_per_decision
cmp() { # CSV SCENARIO --vary ... [--set ...]
  local csv=$1; shift
  nice -n 10 "$MESHSIM" compare "$@" --seeds "1..$SEEDS" --threads 1 --db "$TMP/compare.db" \
    --metrics "$METRICS" --csv "$csv" >/dev/null
}
echo "### Variants under Byzantine faults (30-node BA mesh, nodes 0..3 Byzantine, seeds 1..$SEEDS)"
args=()
for b in far-embedding near-copy collude equivocate; do
  cmp "$TMP/v_$b.csv" scenarios/attention/variants_ba30.toml --vary protocol.variant=plain,graph-rope,gossip \
    --set "faults[0].behavior=\"$b\""
  args+=("$b=$TMP/v_$b.csv")
done
/usr/bin/python3 "$HERE/attention_tables.py" compare "${args[@]}"
echo
echo "### Learning store on (baseline) vs off (seeds 1..$SEEDS)"
args=()
for s in crash partition loss near-copy_33 collude_25 far-embedding_25 equivocate_10; do
  cmp "$TMP/r_$s.csv" "scenarios/attention/$s.toml" --vary protocol.reputation=true,false
  args+=("$s=$TMP/r_$s.csv")
done
/usr/bin/python3 "$HERE/attention_tables.py" compare "${args[@]}"
echo
echo "### exclude_below (seeds 1..$SEEDS)"
args=()
for s in far-embedding_10 far-embedding_25 near-copy_33 crash; do
  cmp "$TMP/e_$s.csv" "scenarios/attention/$s.toml" --vary protocol.exclude_below=0,0.3,0.6
  args+=("$s=$TMP/e_$s.csv")
done
/usr/bin/python3 "$HERE/attention_tables.py" compare "${args[@]}"
