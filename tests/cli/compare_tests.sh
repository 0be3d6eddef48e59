#!/usr/bin/env bash
# `meshsim compare` and sweeps kept as a whole: no difference found between identical
# variants nor between two sweeps of one scenario over different seeds; a planted 20 %
# latency change found with the right sign; --json and --csv that parse; the HTML report
# with its images; bad input refused with exit 2 before anything runs.
# Usage: compare_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
DB="$WORK/cmp.db"
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3
# Small and fast: Raft, 3 s simulated, a dozen seeds; the planted change is the link
# latency's whole distribution scaled by 1.2 (uniform 1..3 ms becomes 1.2..3.6 ms).
BASE="$WORK/base.toml"
# No [expect]: its thresholds are for 10 s, and a failed expectation is not what is tested here.
sed -e 's/duration = "10s"/duration = "3s"/' -e '/^\[expect\]/,$d' scenarios/raft/quiet.toml >"$BASE"
SLOWER="$WORK/slower.toml"
sed 's/min = "1ms", max = "3ms"/min = "1.2ms", max = "3.6ms"/' "$BASE" >"$SLOWER"
grep -q '1.2ms' "$SLOWER" || fail "the planted scenario did not change"

echo "-- no difference where there is none"
expect_exit "two identical variants: no significant difference in any metric" 0 \
  "b: no significant difference in .*op_latency_ns_p99" \
  "$MESHSIM" compare --variant a="$BASE" --variant b="$BASE" --seeds 1..8 --db "$DB" --threads 2
out=$("$MESHSIM" compare --variant a="$BASE" --variant b="$BASE" --seeds 1..8 --db "$DB" --threads 2 2>&1)
grep -q '\*$' <<<"$out" && fail "identical variants marked significant" "$out" || pass "... no metric is starred"
grep -q "paired by seed" <<<"$out" && pass "... and they are paired by seed" || fail "identical variants not paired" "$out"
"$MESHSIM" sweep "$BASE" --seeds 1..12 --db "$DB" --threads 2 >/dev/null 2>&1
"$MESHSIM" sweep "$BASE" --seeds 13..24 --db "$DB" --threads 2 >/dev/null 2>&1
first=$(sqlite3 "$DB" "select max(sweep_id) - 1 from sweeps")
out=$("$MESHSIM" compare --variant early="$DB#$first" --variant late="$DB#$((first + 1))" 2>&1)
code=$?
if [[ $code == 0 ]] && grep -q "unpaired: the variants did not finish the same seeds" <<<"$out" && ! grep -q '\*$' <<<"$out"; then
  pass "two stored sweeps of one scenario over different seeds: unpaired, no significant difference"
else
  fail "stored sweeps over different seeds (exit $code)" "$out"
fi

echo "-- a planted 20 % latency change"
out=$("$MESHSIM" compare --variant base="$BASE" --variant slower="$SLOWER" --seeds 1..12 --db "$DB" --threads 2 2>&1)
if grep -qE '^  slower: op_latency_ns_p50 \+(1[5-9]|2[0-5]) % \[\+[0-9.]+ %, \+[0-9.]+ %\], p (< 0\.001|= 0\.0[0-4][0-9])$' <<<"$out"; then
  pass "the slower variant's median latency: about +20 %, interval above 0, significant"
else
  fail "the planted change is not reported as +20 %" "$out"
fi
grep -qE '^  op_latency_ns_p50 .*\*$' <<<"$out" && pass "... and starred in the table" || fail "not starred" "$out"
out=$("$MESHSIM" compare --variant slower="$SLOWER" --variant base="$BASE" --seeds 1..12 --db "$DB" --threads 2 2>&1)
grep -qE '^  base: op_latency_ns_p50 -1[0-9] % ' <<<"$out" && pass "... the other way round it is a decrease" \
  || fail "reversed comparison lacks the decrease" "$out"
expect_exit "--vary on the link latency finds the same change" 0 "max=3.6ms: op_latency_ns_p50 \+" \
  "$MESHSIM" compare "$BASE" --vary network.latency.max=3ms,3.6ms --seeds 1..12 --db "$DB" --threads 2 --metrics op_latency_ns_p50

echo "-- machine outputs"
"$MESHSIM" compare --variant base="$BASE" --variant slower="$SLOWER" --seeds 1..6 --db "$DB" --json --csv "$WORK/cmp.csv" \
  >"$WORK/cmp.json" 2>"$WORK/err"
expect_exit "--json is one JSON object with both variants, per-seed values and verdicts" 0 "^2 6 slower True" \
  $PY -c "import json; d = json.load(open('$WORK/cmp.json')); c = d['comparisons'][0]
m = {x['metric']: x for x in c['metrics']}
print(len(d['variants']), len(d['variants'][1]['values']['op_latency_ns_p50']), c['variant'], m['op_latency_ns_p50']['relative'] > 0.1)"
expect_exit "--csv has a header and a row per variant and metric" 0 "^ok$" \
  $PY -c "import csv, json; rows = list(csv.DictReader(open('$WORK/cmp.csv'))); d = json.load(open('$WORK/cmp.json'))
assert len(rows) == 2 * len(d['metrics']), len(rows)
assert {r['variant'] for r in rows} == {'base', 'slower'}
assert all(r['p_holm'] for r in rows if r['variant'] == 'slower')
print('ok')"
a=$("$MESHSIM" compare --variant base="$BASE" --variant slower="$SLOWER" --seeds 1..6 --db "$WORK/again.db" --json 2>/dev/null |
    $PY -c "import json, sys; print(json.dumps(json.load(sys.stdin)['comparisons']))")
b=$($PY -c "import json; print(json.dumps(json.load(open('$WORK/cmp.json'))['comparisons']))")
[[ -n $a && $a == "$b" ]] && pass "the same seeds give the same numbers (bootstrap included)" || fail "two compares differ"

echo "-- the report"
if $PY -c "import matplotlib, numpy" 2>/dev/null; then
  expect_exit "--report writes one HTML file" 0 "wrote $WORK/report.html" \
    env MESHSIM_PYTHON=$PY "$MESHSIM" compare --variant base="$BASE" --variant slower="$SLOWER" --seeds 1..8 --db "$DB" \
    --metrics op_latency_ns_p50,op_latency_ns_p99,throughput_ops_per_s --report "$WORK/report.html"
  n=$(grep -o 'data:image/png;base64,' "$WORK/report.html" | wc -l)
  [[ $n -ge 3 ]] && pass "... with its plots embedded ($n PNG images)" || fail "the report has $n images"
  grep -q "slower: op_latency_ns_p50 +" "$WORK/report.html" && pass "... and the verdicts" || fail "no verdict in the report"
  [[ ! -e "$WORK/report.html.json.tmp" ]] && pass "... and no temporary file left" || fail "temporary JSON left behind"
else
  echo "  SKIP  the report: $PY cannot import matplotlib and numpy (apt-get install python3-matplotlib python3-numpy)"
fi
# A Python without matplotlib: refused before any run, with the way to install it.
NOPLOT="$WORK/python-without-matplotlib"
printf '#!/bin/sh\nexit 1\n' >"$NOPLOT" && chmod +x "$NOPLOT"
expect_exit "--report with no matplotlib says how to install it, exit 2" 2 "apt-get install python3-matplotlib" \
  env MESHSIM_PYTHON="$NOPLOT" "$MESHSIM" compare --variant a="$BASE" --variant b="$BASE" --seeds 1..2 --db "$WORK/none.db" \
  --report "$WORK/none.html"
[[ ! -e "$WORK/none.db" && ! -e "$WORK/none.html" ]] && pass "... and nothing ran or was written" || fail "files written"

echo "-- bad input"
expect_exit "an unknown variant file" 2 "variant raft=$WORK/nope.toml: $WORK/nope.toml: no such file" \
  "$MESHSIM" compare --variant raft="$WORK/nope.toml" --variant b="$BASE" --db "$WORK/none.db"
expect_exit "a variant without a name" 2 "no NAME=SOURCE" "$MESHSIM" compare --variant "$BASE" --variant b="$BASE" --db "$WORK/none.db"
expect_exit "one variant only" 2 "compare needs two or more variants \(got 1\)" \
  "$MESHSIM" compare --variant a="$BASE" --db "$WORK/none.db"
expect_exit "--vary without values" 2 "--vary protocol.keys: no KEY=VALUES" "$MESHSIM" compare "$BASE" --vary protocol.keys --db "$WORK/none.db"
expect_exit "--vary with one value" 2 "give two or more values" "$MESHSIM" compare "$BASE" --vary protocol.keys=4 --db "$WORK/none.db"
expect_exit "--vary with an empty value" 2 "an empty value" "$MESHSIM" compare "$BASE" --vary protocol.keys=4,,8 --db "$WORK/none.db"
expect_exit "--vary with a key the scenario refuses names the variant and the key" 2 "variant nope=1: .*nope" \
  "$MESHSIM" compare "$BASE" --vary protocol.nope=1,2 --db "$WORK/none.db"
expect_exit "the same name twice" 2 "the name is used twice" "$MESHSIM" compare --variant a="$BASE" --variant a="$SLOWER" --db "$WORK/none.db"
expect_exit "a stored sweep that does not exist" 2 "no sweep 99" "$MESHSIM" compare --variant a="$DB#99" --variant b="$DB#1"
[[ ! -e "$WORK/none.db" ]] && pass "... none of them created a database" || fail "bad input created a database"
expect_exit "a metric not every variant has" 2 "--metrics no_such_metric: not measured in every run of a, b" \
  "$MESHSIM" compare --variant a="$DB#1" --variant b="$DB#2" --metrics no_such_metric

echo "-- sweeps kept as a whole"
expect_exit "a sweep shows a bar with an ETA while it runs" 0 "\[#+\.*\] ETA [0-9.]+ m?s, [0-9]+ of 12 done; running" \
  env MESHSIM_PROGRESS_EVERY_MS=1 "$MESHSIM" sweep "$BASE" --seeds 1..12 --db "$DB" --threads 1
expect_exit "a sweep ends with the distributions of its main metrics and its sweep id" 0 \
  "op_latency_ns_p99 +[0-9.]+ ms +IQR .*recorded as sweep [0-9]+ in" bash -c "'$MESHSIM' sweep '$BASE' --seeds 1..4 --db '$DB' | tr '\n' ' '"
last=$(sqlite3 "$DB" "select max(sweep_id) from sweeps")
expect_exit "show --sweep lists its seeds, verdicts and runs" 0 "seeds +1\.\.4 \(4 planned\).* 4: ok +run [0-9]+" \
  bash -c "'$MESHSIM' show --sweep $last --db '$DB' | tr '\n' ' '"
expect_exit "a sweep's failures are recorded with it" 0 "^4\|4\|FAILED$" \
  bash -c "'$MESHSIM' sweep '$BASE' --seeds 1..4 --db '$DB' --set 'expect.ops_completed=> 100000' >/dev/null;
           sqlite3 '$DB' \"select runs_planned, runs_failed, (select distinct verdict from sweep_runs where sweep_id = s.sweep_id)
                           from sweeps s order by sweep_id desc limit 1\""
expect_exit "sweep --json names its sweep" 0 "^[0-9]+$" bash -c \
  "'$MESHSIM' sweep '$BASE' --seeds 1..2 --db '$DB' --json | $PY -c 'import json, sys; print(json.load(sys.stdin)[\"sweep_id\"])'"
finish
