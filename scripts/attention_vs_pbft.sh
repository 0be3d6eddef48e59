#!/usr/bin/env bash
# The comparison table of protocols/attention/README.md: every scenario of
# scenarios/attention/ and its pBFT twin in scenarios/attention/pbft/, each over SEEDS seeds,
# medians per scenario. Usage: scripts/attention_vs_pbft.sh [SEEDS] [MESHSIM] [NAME ...]
#   (NAME ...: only these scenarios, e.g. `crash`; default every twin)
#   agreement  attention: share of rounds whose correct decisions agree; pBFT: 1 when the run
#              passed its agreement checker (no two correct replicas executed different batches)
#   validity   attention: share of rounds whose decisions are correct nodes' proposals;
#              pBFT: linearizable (validity checker and the clients' history)
#   latency    attention: round start to decision, p50; pBFT: op_latency_ns_p50
#   msgs       attention: messages per correct decision; pBFT: messages per completed operation
set -euo pipefail
SEEDS=${1:-5}
MESHSIM=${2:-build/release/meshsim}
shift $(( $# < 2 ? $# : 2 ))
ONLY=("$@")
DB=$(mktemp -d)/compare.db
trap 'rm -rf "$(dirname "$DB")"' EXIT
median() { sqlite3 "$DB" "with v as (select s.value x from scalars s join runs r using (run_id)
  where r.scenario_name = '$1' and s.name = '$2' and s.value is not null order by x),
  c as (select count(*) n from v) select printf('%.3g', x) from v, c limit 1 offset (select (n - 1) / 2 from c)"; }
count_failed() { sqlite3 "$DB" "select count(*) from runs where scenario_name = '$1' and status = 'failed'"; }
printf '| scenario | attention agreement | validity | latency p50 | msgs/decision | pBFT agreement | linearizable | op latency p50 | msgs/op | pBFT runs failed |\n'
printf '|---|---|---|---|---|---|---|---|---|---|\n'
for f in scenarios/attention/pbft/*.toml; do
  name=$(basename "$f" .toml)
  if [ ${#ONLY[@]} -gt 0 ] && [[ ! " ${ONLY[*]} " == *" $name "* ]]; then continue; fi
  "$MESHSIM" sweep "scenarios/attention/$name.toml" --seeds "1..$SEEDS" --db "$DB" --threads 1 >/dev/null 2>&1 || true
  "$MESHSIM" sweep "$f" --seeds "1..$SEEDS" --db "$DB" --threads 1 >/dev/null 2>&1 || true
  a="attention-$name" p="attention-vs-pbft-$name"
  pbft_agree=$(sqlite3 "$DB" "select printf('%.3g', 1.0 - avg(coalesce(failure, '') like '%pbft.agreement%')) from runs where scenario_name = '$p'")
  printf '| %s | %s | %s | %s ms | %s | %s | %s | %s ms | %s | %s/%s |\n' "$name" \
    "$(median "$a" attention_agreement)" "$(median "$a" attention_validity)" \
    "$(sqlite3 "$DB" "select printf('%.3g', $(median "$a" attention_decide_ns_p50) / 1e6)")" \
    "$(median "$a" attention_messages_per_decision)" \
    "$pbft_agree" "$(median "$p" linearizable)" \
    "$(sqlite3 "$DB" "select printf('%.3g', $(median "$p" op_latency_ns_p50 || echo 0) / 1e6)")" \
    "$(median "$p" messages_per_op)" "$(count_failed "$p")" "$SEEDS"
done
