#!/usr/bin/env bash
# Verdicts that mean what they say, and runs that can be stopped: a linearizability search
# out of budget is 'inconclusive' (exit 5), never a failure; a proven violation still
# fails (exit 1); Ctrl-C / SIGTERM store what was measured as 'interrupted' (exit 130 /
# 143); a sweep with a bad --set says so once, before any seed runs.
# Usage: verdict_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
DB="$WORK/runs.db"
last() { sqlite3 "$DB" "select $1 from runs where run_id = (select max(run_id) from runs)"; }
last_scalar() { sqlite3 "$DB" "select quote(value) from scalars where name = '$1' and run_id = (select max(run_id) from runs)"; }

echo "-- three verdicts"
TINY=(--set protocol.linearizability_max_states=10)
expect_exit "a search out of budget exits 5 and says why" 5 \
  "INCONCLUSIVE raft.linearizability: search budget of 10 states exhausted on key 0" \
  "$MESHSIM" run scenarios/raft/quiet.toml --db "$DB" --no-progress "${TINY[@]}"
expect_exit "... with the command that reproduces it" 5 \
  "reproduce +meshsim run scenarios/raft/quiet.toml --seed 1 --set protocol.linearizability_max_states=10" \
  "$MESHSIM" run scenarios/raft/quiet.toml --db "$DB" --no-progress "${TINY[@]}"
[[ $(last status) == inconclusive ]] && pass "... stored as 'inconclusive'" || fail "status $(last status)"
[[ $(last_scalar linearizable) == NULL && $(last_scalar linearizability_unknown) == 1.0 ]] \
  && pass "... linearizable is NULL (unknown) and linearizability_unknown = 1" \
  || fail "linearizable $(last_scalar linearizable), linearizability_unknown $(last_scalar linearizability_unknown)"
expect_exit "... the summary shows the metric as unknown" 5 "linearizable +unknown$" \
  "$MESHSIM" run scenarios/raft/quiet.toml --db "$DB" --no-progress "${TINY[@]}"
expect_exit "--json says inconclusive" 5 '"status": "inconclusive".*"linearizable": null' \
  "$MESHSIM" run scenarios/raft/quiet.toml --db "$DB" --json "${TINY[@]}"
expect_exit "the same run with its usual budget passes" 0 "status +complete" "$MESHSIM" run scenarios/raft/quiet.toml --db "$DB" --no-progress
[[ $(last_scalar linearizable) == 1.0 && $(last_scalar linearizability_unknown) == 0.0 ]] \
  && pass "... linearizable = 1, linearizability_unknown = 0" || fail "linearizable $(last_scalar linearizable)"
expect_exit "a proven violation with a tiny budget still exits 1" 1 "FAILED +checker pbft.agreement violated" \
  "$MESHSIM" run scenarios/pbft/colluders.toml --db "$DB" --no-progress "${TINY[@]}" --set 'expect.failure="pbft.validity"'
[[ $(last status) == failed ]] && pass "... stored as 'failed'" || fail "status $(last status)"
expect_exit "a budget of 0 is bad input" 2 "protocol.linearizability_max_states: 0 is out of range" \
  "$MESHSIM" run scenarios/raft/quiet.toml --db "$DB" --set protocol.linearizability_max_states=0
mkdir -p "$WORK/mixed"
cp scenarios/raft/quiet.toml "$WORK/mixed/a_pass.toml"
sed 's/^servers = 5$/servers = 5\nlinearizability_max_states = 10/' scenarios/raft/quiet.toml >"$WORK/mixed/b_unknown.toml"
grep -q linearizability_max_states "$WORK/mixed/b_unknown.toml" || fail "could not plant the budget in b_unknown.toml"
expect_exit "check counts inconclusive runs apart and exits 5" 5 "^1 passed, 0 failed, 1 inconclusive$" \
  "$MESHSIM" check "$WORK/mixed" --db "$DB" --threads 2
expect_exit "... and lists them with their reproduction" 5 "^ +reproduce: meshsim run .*/b_unknown.toml --seed 1$" \
  "$MESHSIM" check "$WORK/mixed" --db "$DB" --threads 2
expect_exit "sweep counts them too" 5 "^0 passed, 0 failed, 3 inconclusive$" \
  "$MESHSIM" sweep scenarios/raft/quiet.toml --seeds 1..3 --db "$DB" --threads 2 "${TINY[@]}"
expect_exit "a failure outranks inconclusive in a batch's exit code" 1 "1 passed, 1 failed, 1 inconclusive" \
  bash -c "cp scenarios/pbft/colluders.toml '$WORK/mixed/c_fail.toml' && sed -i 's/failure = \"pbft.agreement\"/failure = \"pbft.validity\"/' '$WORK/mixed/c_fail.toml' && '$MESHSIM' check '$WORK/mixed' --db '$DB' --threads 2"
rm -f "$WORK/mixed/c_fail.toml"

echo "-- the search shows how far it got"
expect_exit "a long search prints its keys and states while it runs" 5 \
  "end-of-run checks \(history, linearizability\) running for [0-9.]+ s: linearizability [0-9]+ of 8 keys done; the current key at [0-9.]+ (k |M )?states \(gives up at 300.0 k\)" \
  env MESHSIM_PROGRESS_EVERY_MS=200 timeout 120 "$MESHSIM" run scenarios/raft/open_loop.toml --db "$DB" --set protocol.rate=2000 \
  --set run.duration=1s --set protocol.linearizability_max_states=300000

echo "-- Ctrl-C and SIGTERM"
# signal_run SIGNAL SECONDS CMD...: starts CMD, sends SIGNAL after SECONDS, waits; sets
# code (the exit code) and out (stdout and stderr).
signal_run() {
  local sig=$1 after=$2
  shift 2
  "$@" >"$WORK/signal.out" 2>&1 &
  local pid=$!
  sleep "$after"
  kill -s "$sig" "$pid"
  wait "$pid"
  code=$?
  out=$(cat "$WORK/signal.out")
}
LONG=(--set run.duration=36000s)
signal_run INT 2 "$MESHSIM" run scenarios/quickstart.toml --db "$DB" "${LONG[@]}"
[[ $code == 130 ]] && pass "SIGINT ends a run with exit 130" || fail "SIGINT: exit $code" "$out"
grep -qE "INTERRUPTED +interrupted by SIGINT at .* of 10 h simulated" <<<"$out" && pass "... and says where it stopped" || fail "no INTERRUPTED line" "$out"
[[ $(last status) == interrupted ]] && pass "... the run is stored as 'interrupted'" || fail "status $(last status)"
series=$(sqlite3 "$DB" "select count(*) from series where run_id = (select max(run_id) from runs)")
scalars=$(sqlite3 "$DB" "select count(*) from scalars where run_id = (select max(run_id) from runs) and name in ('messages_sent', 'coverage')")
sim_ns=$(last sim_time_ns)
[[ $series -gt 100 && $scalars -ge 1 && $sim_ns -gt 0 && $sim_ns -lt 36000000000000 ]] \
  && pass "... with its series ($series points) and scalars up to where it stopped ($sim_ns ns)" \
  || fail "interrupted run: $series series points, $scalars scalars, sim_time_ns $sim_ns"
signal_run TERM 2 "$MESHSIM" run scenarios/quickstart.toml --db "$DB" "${LONG[@]}" --quiet
[[ $code == 143 && $(last status) == interrupted ]] && pass "SIGTERM: exit 143, stored as 'interrupted'" || fail "SIGTERM: exit $code, $(last status)" "$out"
# Into the search itself: the signal goes once the progress line says the checks began.
MESHSIM_PROGRESS_EVERY_MS=100 "$MESHSIM" run scenarios/raft/open_loop.toml --db "$DB" --set protocol.rate=2000 --set run.duration=1s \
  >"$WORK/signal.out" 2>&1 &
pid=$!
for _ in $(seq 1 600); do grep -q "end-of-run checks" "$WORK/signal.out" && break; sleep 0.2; done
sleep 0.5
kill -INT $pid
wait $pid
code=$?
out=$(cat "$WORK/signal.out")
[[ $code == 130 && $(last status) == interrupted ]] && pass "SIGINT during a long linearizability search stops it" \
  || fail "SIGINT in the search: exit $code, $(last status)" "$out"
grep -qE "interrupted by SIGINT during the end-of-run checks" <<<"$out" && pass "... and says it was in the checks" || fail "no mention of the checks" "$out"

before=$(sqlite3 "$DB" "select count(*) from runs")
signal_run INT 2 "$MESHSIM" sweep scenarios/quickstart.toml --seeds 1..10 --threads 2 --db "$DB" "${LONG[@]}"
after=$(sqlite3 "$DB" "select count(*) from runs")
stored=$(sqlite3 "$DB" "select count(*) from runs where run_id > $before and status = 'interrupted'")
[[ $code == 130 && $((after - before)) == 2 && $stored == 2 ]] && pass "a sweep stops its 2 running seeds as 'interrupted' and starts no other" \
  || fail "sweep after SIGINT: exit $code, $((after - before)) new runs, $stored interrupted" "$out"
grep -qE "^0 passed, 0 failed, 2 interrupted, 8 not run$" <<<"$out" && grep -q "interrupted by SIGINT: 2 runs stopped early and stored as 'interrupted'; 8 not run" <<<"$out" \
  && pass "... and says so" || fail "sweep summary after SIGINT" "$out"
"$MESHSIM" run scenarios/quickstart.toml --db "$DB" "${LONG[@]}" >/dev/null 2>&1 &
pid=$!
sleep 2
kill -INT $pid; kill -INT $pid
wait $pid
code=$?
[[ $code == 130 ]] && pass "a second SIGINT quits at once with exit 130" || fail "second SIGINT: exit $code"

echo "-- a sweep with a bad --set"
out=$("$MESHSIM" sweep scenarios/quickstart.toml --seeds 1..20 --db "$WORK/bad_set.db" --set topology.nodes=0 2>&1)
code=$?
if [[ $code == 2 && $(grep -c "out of range" <<<"$out") == 1 && $(wc -l <<<"$out") == 1 && ! -e "$WORK/bad_set.db" ]]; then
  pass "a bad --set is reported once, before any seed runs (one line, no database)"
else fail "sweep with a bad --set: exit $code" "$out"; fi
finish
