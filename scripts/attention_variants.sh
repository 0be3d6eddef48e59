#!/usr/bin/env bash
# The "Variants, reputation and crashes" tables of protocols/attention/README.md, each from
# `meshsim compare` (paired by seed; '*' = significant against the first variant, Holm-corrected).
# Usage: scripts/attention_variants.sh [SEEDS] [MESHSIM] [PARTS]   (SEEDS default 20, PARTS default 1234)
#   1. plain vs graph-rope vs gossip under each Byzantine behaviour (scenarios/attention/variants_ba30.toml)
#   2. the learning store on vs off (protocol.reputation) under the scenarios it could matter in
#   3. protocol.exclude_below = 0, 0.3, 0.6, 0.9
#   4. graph-rope's rope_scale = 1, 0.25, 4 under far-embedding and near-copy
set -euo pipefail
SEEDS=${1:-20}
MESHSIM=${2:-build/release/meshsim}
PARTS=${3:-1234}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
BASIC=attention_agreement,attention_validity,attention_distance_mean,attention_decide_ns_p50,attention_messages_per_decision
BYZANTINE=$BASIC,attention_detection_recall   # recall is not measured in runs without Byzantine nodes
cmp() { # METRICS CSV SCENARIO --vary ... [--set ...]
  local metrics=$1 csv=$2; shift 2
  nice -n 10 "$MESHSIM" compare "$@" --seeds "1..$SEEDS" --threads 1 --db "$TMP/compare.db" \
    --metrics "$metrics" --csv "$csv" >/dev/null
}
metrics_for() { case $1 in crash|partition|loss) echo "$BASIC" ;; *) echo "$BYZANTINE" ;; esac; }
if [[ $PARTS == *1* ]]; then
echo "### Variants under Byzantine faults (30-node BA mesh, nodes 0..3 Byzantine, seeds 1..$SEEDS)"
args=()
for b in far-embedding near-copy collude equivocate; do
  cmp "$BYZANTINE" "$TMP/v_$b.csv" scenarios/attention/variants_ba30.toml --vary protocol.variant=plain,graph-rope,gossip \
    --set "faults[0].behavior=\"$b\""
  args+=("$b=$TMP/v_$b.csv")
done
/usr/bin/python3 "$HERE/attention_tables.py" compare "${args[@]}"
echo
fi
if [[ $PARTS == *2* ]]; then
echo "### Learning store on (baseline) vs off (seeds 1..$SEEDS)"
args=()
for s in crash partition loss near-copy_33 collude_25 far-embedding_25 equivocate_10; do
  cmp "$(metrics_for "$s")" "$TMP/r_$s.csv" "scenarios/attention/$s.toml" --vary protocol.reputation=true,false
  args+=("$s=$TMP/r_$s.csv")
done
/usr/bin/python3 "$HERE/attention_tables.py" compare "${args[@]}"
echo
fi
if [[ $PARTS == *3* ]]; then
echo "### exclude_below (seeds 1..$SEEDS)"
args=()
for s in far-embedding_10 far-embedding_25 near-copy_33 crash; do
  cmp "$(metrics_for "$s")" "$TMP/e_$s.csv" "scenarios/attention/$s.toml" --vary protocol.exclude_below=0,0.3,0.6,0.9
  args+=("$s=$TMP/e_$s.csv")
done
/usr/bin/python3 "$HERE/attention_tables.py" compare "${args[@]}"
fi
if [[ $PARTS == *4* ]]; then
echo
echo "### graph-rope's rope_scale (variants_ba30.toml, seeds 1..$SEEDS)"
args=()
for b in far-embedding near-copy; do
  cmp attention_agreement,attention_validity,attention_distance_mean,attention_detection_recall "$TMP/g_$b.csv" \
    scenarios/attention/variants_ba30.toml --set 'protocol.variant="graph-rope"' --set "faults[0].behavior=\"$b\"" \
    --vary protocol.rope_scale=1,0.25,4
  args+=("$b=$TMP/g_$b.csv")
done
/usr/bin/python3 "$HERE/attention_tables.py" compare "${args[@]}"
fi
