#!/usr/bin/env bash
# Metric names as a user meets them: `meshsim protocols` lists each protocol's roles,
# actions, Byzantine behaviours and metrics; an [expect] key that nothing in the scenario
# reports is bad input (exit 2, file:line, the closest names), found before anything runs
# or is written; Raft and pBFT report the shared workload under the same names.
# Usage: metric_names_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
DB="$WORK/runs.db"

expect_exit "protocols lists Raft's roles" 0 "roles \(fault targets\): leader, follower, candidate, server, client" \
  "$MESHSIM" protocols
expect_exit "protocols lists Raft's actions" 0 "actions: add-server, remove-server" "$MESHSIM" protocols
expect_exit "protocols lists pBFT's Byzantine behaviours" 0 "byzantine behaviours: silent, delay, drop, replay, equivocate" \
  "$MESHSIM" protocols
expect_exit "protocols lists metrics with their meaning" 0 "op_latency_ns_\{count,mean,p50,p99,max\} +client invocation to answer" \
  "$MESHSIM" protocols
expect_exit "protocols lists glob metrics" 0 "pbft_sent_\* +messages sent per type" "$MESHSIM" protocols
expect_exit "protocols lists the engine's metrics" 0 "cpu_queue_wait_mean_ns +processing model" "$MESHSIM" protocols

# A renamed metric in a scenario file: the line of the key, the new name suggested.
sed 's/^linearizable = "== 1"/raft_op_latency_ns_p99 = "< 1s"/' scenarios/raft/quiet.toml >"$WORK/old_name.toml"
line=$(grep -n '^raft_op_latency_ns_p99' "$WORK/old_name.toml" | cut -d: -f1)
expect_exit "an [expect] key nobody reports: exit 2 with file:line and the new name" 2 \
  "old_name.toml:$line: expect.raft_op_latency_ns_p99: no protocol in this scenario reports a metric of that name \(did you mean op_latency_ns_p99" \
  "$MESHSIM" run "$WORK/old_name.toml" --db "$DB"
[[ ! -e "$DB" ]] && pass "... and nothing was written" || fail "... the database was created"
start=$(date +%s%N)
timeout 10 "$MESHSIM" run "$WORK/old_name.toml" --db "$DB" --set run.duration=1h >/dev/null 2>&1
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
[[ $elapsed_ms -lt 1000 ]] && pass "... found before the run (${elapsed_ms} ms for a 1 h scenario)" \
  || fail "the check took ${elapsed_ms} ms: did the run start?"
expect_exit "the old view-change name points at unavailable_ns" 2 "did you mean unavailable_ns_max" \
  "$MESHSIM" run scenarios/pbft/quiet.toml --db "$DB" --set 'expect.pbft_view_change_ns_max="< 1s"'
expect_exit "a metric of another protocol is not reported by this scenario" 2 "expect.pbft_view_changes: no protocol in this scenario" \
  "$MESHSIM" run scenarios/raft/quiet.toml --db "$DB" --set 'expect.pbft_view_changes=0'
expect_exit "sweep refuses it too, before any run" 2 "expect.zzz_nothing: no protocol in this scenario reports" \
  "$MESHSIM" sweep scenarios/raft/quiet.toml --seeds 1..2 --db "$DB" --set 'expect.zzz_nothing=0'
expect_exit "declared names pass: engine, glob, histogram fold, workload" 0 "status +complete" \
  "$MESHSIM" run scenarios/pbft/quiet.toml --db "$DB" --set run.duration=2s --set 'expect.ops_completed="> 0"' \
  --set 'expect.events="> 0"' --set 'expect.pbft_sent_prepare="> 0"' --set 'expect.op_latency_ns_p99="< 1s"' \
  --set 'expect.cpu_utilisation_max="< 1"' --set 'expect.unavailable_ns_count=0'

# One name whatever the protocol.
for p in raft pbft; do
  out=$("$MESHSIM" run scenarios/$p/quiet.toml --db "$DB" --set run.duration=2s --set 'expect.ops_completed="> 0"' --json)
  missing=""
  for name in op_latency_ns_p50 op_latency_ns_p99 throughput_ops_per_s messages_per_op bytes_per_op client_retries \
              unavailable_ns_count unavailable_ns_total; do
    grep -q "\"$name\"" <<<"$out" || missing+=" $name"
  done
  [[ -z "$missing" ]] && pass "$p reports the shared workload metrics" || fail "$p lacks:$missing"
done
finish
