#!/usr/bin/env bash
# The membership protocol from the command line: bad [protocol] input is refused with
# file:line: key and exit 2 before anything is written; a run reports its metrics into
# SQLite; the planted bugs make their checkers fire (exit 0 with expect.failure, exit 1
# once the expectation is removed by fixing the bug); `meshsim protocols` lists the module.
# Usage: membership_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
DB="$WORK/runs.db"

write() {  # write FILE PROTOCOL_LINES...: a 20-node membership scenario
  local file=$1
  shift
  {
    printf '[run]\nduration = "5s"\n[topology]\nkind = "none"\nnodes = 20\n[protocol]\nname = "membership"\n'
    printf '%s\n' "$@"
  } >"$file"
}

echo "-- bad input: exit 2, file:line: key, nothing written"
write "$WORK/seed.toml" 'seeds = [0, 25]'
expect_exit "a seed beyond the node count" 2 "seed.toml:8: protocol.seeds: seed node 25 does not exist" \
  "$MESHSIM" run "$WORK/seed.toml" --db "$DB"
write "$WORK/detector.toml" 'detector = "heartbeat"'
expect_exit "an unknown detector lists the known ones" 2 "detector.toml:8: protocol.detector: .*swim.*fixed-timeout" \
  "$MESHSIM" run "$WORK/detector.toml" --db "$DB"
write "$WORK/timeout.toml" 'period = "100ms"' 'ping_timeout = "150ms"'
expect_exit "a ping timeout longer than the period" 2 "timeout.toml:9: protocol.ping_timeout: must be shorter than the period" \
  "$MESHSIM" run "$WORK/timeout.toml" --db "$DB"
write "$WORK/quorum.toml" 'quorum = 0'
expect_exit "a quorum of 0" 2 "quorum.toml:8: protocol.quorum" "$MESHSIM" run "$WORK/quorum.toml" --db "$DB"
write "$WORK/unused.toml" 'detector = "fixed-timeout"' 'suspicion_timeout = "1s"'
expect_exit "a SWIM key with the fixed-timeout detector" 2 "unused.toml:9: protocol.suspicion_timeout: has no effect with detector = \"fixed-timeout\"" \
  "$MESHSIM" run "$WORK/unused.toml" --db "$DB"
write "$WORK/typo.toml" 'suspicion_timout = "1s"'
expect_exit "a misspelt key" 2 "typo.toml:8: protocol.suspicion_timout" "$MESHSIM" run "$WORK/typo.toml" --db "$DB"
write "$WORK/bug.toml" 'bug = "off-by-one"'
expect_exit "an unknown planted bug" 2 "bug.toml:8: protocol.bug" "$MESHSIM" run "$WORK/bug.toml" --db "$DB"
write "$WORK/period.toml" 'period = "fast"'
expect_exit "a duration without a unit" 2 "period.toml:8: protocol.period" "$MESHSIM" run "$WORK/period.toml" --db "$DB"
write "$WORK/behaviour.toml" 'quorum = 2' '[[faults]]' 'kind = "byzantine"' 'at = "1s"' 'nodes = 3' 'module = "membership"' 'behavior = "slander"'
expect_exit "an unknown Byzantine behaviour lists the module's own" 2 "behaviour.toml.*slander.*accuse.*eternal-refuter" \
  "$MESHSIM" run "$WORK/behaviour.toml" --db "$DB"
write "$WORK/expect.toml" '[expect]' 'membership_detection_ns_p99 = "< 1s"'
expect_exit "an [expect] key the module does not report" 2 "expect.toml:9: expect.membership_detection_ns_p99: no protocol" \
  "$MESHSIM" run "$WORK/expect.toml" --db "$DB"
write "$WORK/monitors.toml" 'detector = "phi"' 'monitors = 3' 'quorum = 4'
expect_exit "phi: a quorum larger than the monitors" 2 "monitors.toml:10: protocol.quorum: is 4 but each member has only 3 monitors" \
  "$MESHSIM" run "$WORK/monitors.toml" --db "$DB"
write "$WORK/fanout.toml" 'leave_fanout = 65'
expect_exit "a leave fanout beyond 64" 2 "fanout.toml:8: protocol.leave_fanout" "$MESHSIM" run "$WORK/fanout.toml" --db "$DB"
write "$WORK/fanout2.toml" 'leave_fanout = "three"'
expect_exit "a leave fanout that is not a number" 2 "fanout2.toml:8: protocol.leave_fanout" "$MESHSIM" run "$WORK/fanout2.toml" --db "$DB"
write "$WORK/phikey.toml" 'phi_threshold = 8'
expect_exit "a phi key with the SWIM detector" 2 "phikey.toml:8: protocol.phi_threshold: belongs to detector = \"phi\"" \
  "$MESHSIM" run "$WORK/phikey.toml" --db "$DB"
printf '[run]\nduration = "2s"\n[topology]\nkind = "none"\nnodes = 8\n[protocol]\nname = "raft"\nbug = "ignore-read-only"\n' >"$WORK/robug.toml"
expect_exit "raft's ignore-read-only bug without a read-only provider" 2 "robug.toml:8: protocol.bug: ignore-read-only needs a module that provides read-only state" \
  "$MESHSIM" run "$WORK/robug.toml" --db "$DB"
printf '[run]\nduration = "2s"\n[topology]\nkind = "none"\nnodes = 8\n[protocol]\nname = "raft"\nbug = "ignore-read-onyl"\n' >"$WORK/robug2.toml"
expect_exit "a misspelt raft bug lists ignore-read-only" 2 "robug2.toml:8: protocol.bug: .*ignore-read-only" \
  "$MESHSIM" run "$WORK/robug2.toml" --db "$DB"
[[ $(rows "$DB" runs) == none || $(rows "$DB" runs) == 0 ]] && pass "bad input wrote nothing" || fail "bad input wrote runs"

echo "-- a run and its metrics in SQLite"
expect_exit "the crash under loss is detected" 0 "membership_detect_all_ns_max" \
  "$MESHSIM" run scenarios/membership/crash_lossy.toml --db "$DB"
got=$(sqlite3 "$DB" "select count(*) from scalars where name like 'membership_detect_%_ns_p99'")
[[ $got == 3 ]] && pass "detection times are in the scalars table" || fail "detection scalars: $got"
got=$(sqlite3 "$DB" "select count(*) from series where name = 'membership_converged'")
[[ $got -gt 0 ]] && pass "the convergence series is recorded" || fail "no convergence series"

echo "-- planted bugs"
expect_exit "quorum-of-one is caught by quorum accuracy" 0 "expected +checker membership.quorum_accuracy violated" \
  "$MESHSIM" run scenarios/membership/quorum_bug.toml --db "$DB"
expect_exit "without the bug the accuracy checker stays quiet" 1 "the run ended without that checker firing" \
  "$MESHSIM" run scenarios/membership/quorum_bug.toml --db "$DB" --set 'protocol.bug="none"'
expect_exit "never-expiring suspicions are caught by completeness" 0 "expected +checker membership.completeness violated" \
  "$MESHSIM" run scenarios/membership/completeness_bug.toml --db "$DB"
expect_exit "the completeness checker fails a run that expects nothing" 1 "membership.completeness" \
  "$MESHSIM" run scenarios/membership/completeness_bug.toml --db "$DB" --set 'expect.failure="membership.quorum_accuracy"'

expect_exit "a read-only server that accepts writes is caught" 0 "expected +checker raft.no_write_while_read_only violated" \
  "$MESHSIM" run scenarios/membership/kv_read_only_bug.toml --db "$DB"
out=$("$MESHSIM" run scenarios/membership/kv_read_only_bug.toml --db "$DB" --set 'expect.failure="membership.completeness"' 2>&1)
code=$?
if [[ $code == 1 ]] && grep -q "raft.no_write_while_read_only: server" <<<"$out" && grep -qE "reproduce +meshsim run scenarios/membership/kv_read_only_bug.toml --seed 1" <<<"$out"; then
  pass "the read-only checker fails a run that expects nothing: exit 1 and the reproduction command"
else
  fail "the read-only checker fails a run that expects nothing (exit $code)" "$out"
fi
expect_exit "the read-only partition passes its expectations" 0 "kv_writes_refused_read_only" \
  "$MESHSIM" run scenarios/membership/kv_partition.toml --db "$DB"
got=$(sqlite3 "$DB" "select value from scalars where name = 'kv_writes_refused_read_only' order by run_id desc limit 1")
[[ -n $got ]] && pass "writes refused on the read-only side are in SQLite ($got)" || fail "no kv_writes_refused_read_only scalar"

echo "-- listed"
expect_exit "meshsim protocols lists roles, behaviours and metrics" 0 "membership.*roles \(fault targets\): seed, member.*accuse, eternal-refuter" \
  bash -c "'$MESHSIM' protocols | tr '\n' ' '"
finish
