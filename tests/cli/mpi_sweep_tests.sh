#!/usr/bin/env bash
# `mpirun -n 2 meshsim sweep` (app/rank_sweep.cpp) against the same sweep in one process:
# seed by seed the same fingerprints, metrics, series and logs in the database, the same
# verdicts and reproduction commands, printed once; bad input exits 2 on every rank with one
# message and no hang; Ctrl-C stops the ranks and leaves a consistent database.
# Registered only when MPI is built, and not in the sanitizer build (tests/CMakeLists.txt).
# Usage: mpi_sweep_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
MPIRUN="$ROOT/scripts/mpirun.sh"
# Ranks other than 0 write each run to a file in their temporary folder, sent to rank 0 and
# removed when the run ends (rank 0 keeps each received file until it is imported): watch it.
export TMPDIR="$WORK/tmp"
mkdir -p "$TMPDIR"
ONE="$WORK/one.db"
MPI="$WORK/mpi.db"
# Seeds 14..21 of the planted Figure 8 bug: seed 17 meets its [expect], the others fail it.
SCENARIO=scenarios/raft/figure8_bug.toml
SEEDS=14..21

"$MESHSIM" sweep $SCENARIO --seeds $SEEDS --threads 2 --db "$ONE" >"$WORK/one.out" 2>&1
one_code=$?
timeout 60 "$MPIRUN" -n 2 "$MESHSIM" sweep $SCENARIO --seeds $SEEDS --threads 1 --db "$MPI" >"$WORK/mpi.out" 2>"$WORK/mpi.err"
mpi_code=$?
[[ $one_code == 1 && $mpi_code == 1 ]] && pass "one failing seed or more: exit 1 in one process and over 2 ranks" ||
  fail "exit codes: one process $one_code, 2 ranks $mpi_code" "$(cat "$WORK/mpi.out" "$WORK/mpi.err")"
grep -q "8 seeds on 2 ranks x 1 threads" "$WORK/mpi.out" && pass "the sweep says it runs on 2 ranks" || fail "no rank count" "$(cat "$WORK/mpi.out")"

# Seed by seed, every table a run has in the database (run ids aside, which depend on the
# order runs end in, and wall times).
same_table() {
  local name=$1 query=$2
  if diff <(sqlite3 "$ONE" "$query") <(sqlite3 "$MPI" "$query") >"$WORK/diff" && [[ -n $(sqlite3 "$MPI" "$query") ]]; then
    pass "$name: equal seed by seed ($(sqlite3 "$MPI" "$query" | wc -l) rows)"
  else
    fail "$name differ between one process and 2 ranks" "$(head -20 "$WORK/diff")"
  fi
}
same_table "runs (fingerprint, status, failure, events, simulated time)" \
  "select seed, fingerprint, status, failure, events, sim_time_ns, scenario_name, command_line from runs order by seed"
same_table "scalar metrics" "select r.seed, s.name, quote(s.value) from runs r join scalars s using (run_id) order by 1, 2"
same_table "time series" "select r.seed, s.name, s.sim_time_ns, quote(s.value) from runs r join series s using (run_id) order by 1, 2, 3"
same_table "event logs" "select r.seed, e.sim_time_ns, e.kind, e.detail from runs r join events_log e using (run_id) order by 1, e.rowid"
same_table "node summaries" "select r.seed, n.node, n.name, quote(n.value) from runs r join node_summaries n using (run_id) order by 1, 2, 3"
same_table "parameters" "select r.seed, p.key, p.value from runs r join parameters p using (run_id) order by 1, 2"
same_table "the sweep's verdicts" "select sr.seed, sr.verdict, r.seed from sweep_runs sr join runs r using (run_id) order by 1"
[[ $(sqlite3 "$MPI" "select count(distinct pid) from runs") == 2 ]] && pass "both ranks ran seeds (two process ids in the runs)" ||
  fail "the runs came from $(sqlite3 "$MPI" "select count(distinct pid) from runs") process(es)"
[[ $(sqlite3 "$MPI" "select status, runs_planned, runs_failed from sweeps") == "complete|8|7" ]] && pass "the sweep is recorded once, complete" ||
  fail "sweeps: $(sqlite3 "$MPI" "select * from sweeps")"
diff <(grep "reproduce:" "$WORK/one.out") <(grep "reproduce:" "$WORK/mpi.out") >/dev/null &&
  [[ $(grep -c "reproduce: meshsim run $SCENARIO --seed" "$WORK/mpi.out") == 7 ]] &&
  pass "each failure listed once with its reproduction command, as in one process" ||
  fail "failures listed differently" "$(grep -A1 FAILED "$WORK/mpi.out")"
[[ $(grep -c "^  raft-figure8-bug  *seed" "$WORK/mpi.out") == 8 && $(grep -c "^8 seeds\|passed, " "$WORK/mpi.out") == 1 ]] &&
  pass "one line per run and one summary, from rank 0 only" || fail "lines printed" "$(cat "$WORK/mpi.out")"
[[ -z $(ls -A "$TMPDIR") ]] && pass "no run database left in the temporary folder" || fail "left behind: $(ls -A "$TMPDIR")"

# --json: one object, from rank 0, with the same fingerprints.
timeout 60 "$MPIRUN" -n 2 "$MESHSIM" sweep scenarios/quickstart.toml --seeds 1..4 --threads 1 --db "$WORK/json.db" --json \
  >"$WORK/json.out" 2>"$WORK/json.err"
code=$?
json_fps=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(r["fingerprint"] for r in sorted(d["runs"], key=lambda r: r["seed"])))' "$WORK/json.out" 2>&1)
"$MESHSIM" sweep scenarios/quickstart.toml --seeds 1..4 --threads 2 --db "$WORK/json1.db" --json >"$WORK/json1.out" 2>/dev/null
one_fps=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(r["fingerprint"] for r in sorted(d["runs"], key=lambda r: r["seed"])))' "$WORK/json1.out" 2>&1)
[[ $code == 0 && $json_fps == "$one_fps" && $(grep -c '"command"' "$WORK/json.out") == 1 ]] &&
  pass "--json: one object with the fingerprints of one process ($json_fps)" || fail "--json (exit $code): $json_fps vs $one_fps" "$(cat "$WORK/json.out" "$WORK/json.err")"

# Bad input: exit 2 on every rank, the message once, no hang (timeout gives 124).
printf '[topology]\nnodes = "ten"\n[protocol]\nname = "phold"\n' >"$WORK/bad.toml"
once() {  # once NAME PATTERN CMD...: exit 2, PATTERN exactly once in the output, nothing stored
  local name=$1 pattern=$2
  shift 2
  local out code
  out=$(timeout 30 "$@" 2>&1)
  code=$?
  if [[ $code == 2 && $(grep -cE -- "$pattern" <<<"$out") == 1 ]]; then pass "$name"; else fail "$name (exit $code)" "$out"; fi
}
once "a malformed scenario: exit 2, its file:line message once" "bad.toml:2: topology.nodes" \
  "$MPIRUN" -n 2 "$MESHSIM" sweep "$WORK/bad.toml" --seeds 1..4 --db "$WORK/bad.db"
[[ ! -e "$WORK/bad.db" ]] && pass "a malformed scenario stores nothing" || fail "bad input created $WORK/bad.db"
once "bad --seeds: exit 2, the message once" "--seeds 5..1" "$MPIRUN" -n 2 "$MESHSIM" sweep scenarios/quickstart.toml --seeds 5..1
once "a command that does not run over ranks is refused once" "list does not run over MPI ranks" "$MPIRUN" -n 2 "$MESHSIM" list

# Ctrl-C (SIGINT to scripts/mpirun.sh, which passes it to the ranks): the ranks stop, rank 0
# gathers and records what ran, exit 130; the database holds whole runs only.
INT="$WORK/int.db"
timeout 60 "$MPIRUN" -n 2 "$MESHSIM" sweep scenarios/raft/chaos.toml --seeds 1..2000 --threads 1 --db "$INT" \
  >"$WORK/int.out" 2>&1 &
launcher=$!
for _ in $(seq 50); do
  [[ $(sqlite3 "$INT" "select count(*) from runs" 2>/dev/null || echo 0) -ge 4 ]] && break
  sleep 0.1
done
kill -INT "$launcher" 2>/dev/null
wait "$launcher"
code=$?
verdicts=$(sqlite3 "$INT" "select group_concat(verdict || '=' || n, ' ') from (select verdict, count(*) n from sweep_runs group by 1 order by 1)")
[[ $code == 130 ]] && pass "Ctrl-C: exit 130 ($verdicts)" || fail "Ctrl-C: exit $code" "$(tail -20 "$WORK/int.out")"
[[ $(sqlite3 "$INT" "select status from sweeps") == interrupted ]] && pass "Ctrl-C: the sweep is recorded as interrupted" ||
  fail "Ctrl-C: sweep status $(sqlite3 "$INT" "select status from sweeps")"
stored=$(sqlite3 "$INT" "select count(*) from sweep_runs where verdict in ('ok', 'FAILED', 'INTERRUPTED')")
[[ $stored -gt 0 && $(sqlite3 "$INT" "select count(*) from sweep_runs sr join runs r using (run_id) where r.seed = sr.seed and r.status != 'running'") == "$stored" ]] &&
  [[ $(sqlite3 "$INT" "select count(*) from runs r where not exists (select 1 from scalars s where s.run_id = r.run_id)") == 0 ]] &&
  pass "Ctrl-C: every run that ran is stored whole ($stored)" || fail "Ctrl-C: runs stored" "$(sqlite3 "$INT" "select * from sweep_runs limit 20")"
[[ -z $(ls -A "$TMPDIR") ]] && pass "Ctrl-C: no run database left behind" || fail "Ctrl-C left: $(ls -A "$TMPDIR")"

finish
