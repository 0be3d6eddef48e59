#!/usr/bin/env bash
# `mpirun -n 2 meshsim run` (app/rank_run_command.cpp): one run partitioned over 2 ranks
# gives the sequential fingerprint and engine metrics (flood at 10^5 nodes, PHOLD at 10^4);
# a run that cannot be partitioned exits 2 on every rank, with one message, without hanging.
# Registered only when MPI is built, and not in the sanitizer build (tests/CMakeLists.txt).
# Usage: mpi_run_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
MPIRUN="$ROOT/scripts/mpirun.sh"
cd "$ROOT" || exit 1

# The same run in one process and over 2 ranks: fingerprint, events and engine scalars.
same_run() {
  local name=$1
  shift
  "$MESHSIM" run "$@" --db "$WORK/$name-one.db" --no-progress >"$WORK/one.out" 2>&1
  local one_code=$?
  timeout 60 "$MPIRUN" -n 2 "$MESHSIM" run "$@" --db "$WORK/$name-mpi.db" --no-progress >"$WORK/mpi.out" 2>&1
  local mpi_code=$?
  [[ $one_code == 0 && $mpi_code == 0 ]] && pass "$name: exit 0 in one process and over 2 ranks" ||
    fail "$name: exit codes $one_code and $mpi_code" "$(tail -5 "$WORK/mpi.out")"
  local want got
  want=$(grep fingerprint "$WORK/one.out")
  got=$(grep fingerprint "$WORK/mpi.out")
  [[ -n $want && $want == "$got" ]] && pass "$name: the sequential fingerprint over 2 ranks ($want)" ||
    fail "$name: fingerprints differ" "one: $want"$'\n'"mpi: $got"
  grep -q "over 2 ranks" "$WORK/mpi.out" && grep -q "messages crossed ranks" "$WORK/mpi.out" &&
    pass "$name: the summary says it ran over 2 ranks" || fail "$name: no rank summary" "$(cat "$WORK/mpi.out")"
  # Every scalar the partitioned run stores equals the sequential one (but the queue peak).
  local query="select s.name, s.value from scalars s where s.name != 'pending_events_peak' order by s.name"
  local diffs
  diffs=$(join <(sqlite3 "$WORK/$name-mpi.db" "$query" | tr '|' ' ') <(sqlite3 "$WORK/$name-one.db" "$query" | tr '|' ' ') |
    awk '$2 != $3')
  local stored
  stored=$(sqlite3 "$WORK/$name-mpi.db" "select count(*) from scalars")
  [[ -z $diffs && $stored -gt 5 ]] && pass "$name: $stored stored scalars equal the sequential run's" ||
    fail "$name: scalars differ" "$diffs"
  [[ $(sqlite3 "$WORK/$name-mpi.db" "select fingerprint from runs") == $(sqlite3 "$WORK/$name-one.db" "select fingerprint from runs") ]] &&
    pass "$name: the database holds the same fingerprint" || fail "$name: stored fingerprints differ"
}

same_run flood scenarios/partition/flood.toml --set topology.nodes=100000 --set run.duration=2500ms
same_run phold scenarios/bench/phold.toml --set topology.nodes=10000 --set run.max_events=0 --set run.duration=20us

# Refused runs: exit 2 on both ranks, the reason printed once, and no hang.
refused() {
  local name=$1 expect=$2
  shift 2
  timeout 30 "$MPIRUN" -n 2 "$MESHSIM" run "$@" --db "$WORK/refused.db" --no-progress >"$WORK/ref.out" 2>&1
  local code=$?
  [[ $code == 2 ]] && pass "$name: exit 2" || fail "$name: exit $code (124 = hung)" "$(cat "$WORK/ref.out")"
  [[ $(grep -c "$expect" "$WORK/ref.out") == 1 ]] && pass "$name: says why, once" || fail "$name: message" "$(cat "$WORK/ref.out")"
}
refused "zero lookahead" "some message can have zero latency" scenarios/partition/zero_lookahead.toml
refused "raft" "protocol raft cannot run partitioned" scenarios/raft/leader_crash.toml
refused "an event limit" "run.max_events" scenarios/bench/phold.toml --set topology.nodes=1000
[[ ! -e $WORK/refused.db ]] && pass "refused runs leave no database" || fail "a refused run created a database"

finish
