#!/usr/bin/env bash
# Issue 19's Raft keys and [chaos] disk faults from the command line: they run, the legacy
# election-timer rule reproduces the old fingerprint, and bad values exit 2 naming
# file:line: key with nothing written.
# Usage: raft_timing_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
DB="$WORK/runs.db"

echo "-- runs"
expect_exit "per-follower heartbeats run clean on the chaos scenario" 0 "linearizable +1" \
  "$MESHSIM" run scenarios/raft/chaos.toml --db "$DB" --no-progress --set protocol.heartbeat=per-follower
expect_exit "the legacy election-timer rule reproduces leader_crash's fingerprint from before it" 0 "319b3d2270ee341d" \
  "$MESHSIM" run scenarios/raft/leader_crash.toml --seed 1 --db "$DB" --no-progress --set protocol.election_timer_reset=any-higher-term
expect_exit "chaos_disk_faults runs clean" 0 "disk_stalled_ns" \
  "$MESHSIM" run scenarios/raft/chaos_disk_faults.toml --seed 1 --db "$DB" --no-progress
for kind in slow-disk disk-stall; do
  n=$(sqlite3 "$DB" "select count(*) from events_log where kind = '$kind' and detail like '%(chaos)'")
  (( n > 0 )) && pass "chaos drew $n $kind faults" || fail "no $kind drawn by chaos"
done

echo "-- bad input"
bad() { expect_bad_scenario '[run]\nduration = "1s"\n[topology]\nkind = "none"\nnodes = 5\n[storage]\nlatency = "1ms"\n' "$@"; }  # bad NAME PATTERN LINES...: a Raft scenario with a disk, plus LINES
P='[protocol]
name = "raft"
servers = 3'
bad "unknown election_timer_reset" "bad.toml:11: protocol.election_timer_reset" "$P" 'election_timer_reset = "never"'
bad "election_timer_reset not a string" "bad.toml:11: protocol.election_timer_reset" "$P" 'election_timer_reset = 1'
bad "unknown heartbeat timing" "bad.toml:11: protocol.heartbeat" "$P" 'heartbeat = "per-peer"'
bad "negative slow_disk_rate" "bad.toml:12: chaos.slow_disk_rate" "$P" '[chaos]' 'slow_disk_rate = -1.0'
bad "negative disk_stall_rate" "bad.toml:12: chaos.disk_stall_rate" "$P" '[chaos]' 'disk_stall_rate = -0.5'
bad "zero slow_disk_factor" "bad.toml:12: chaos.slow_disk_factor" "$P" '[chaos]' 'slow_disk_factor = 0'
bad "mean_disk_stall without a unit" "bad.toml:12: chaos.mean_disk_stall" "$P" '[chaos]' 'mean_disk_stall = 5'
bad "zero mean_slow_disk" "bad.toml:12: chaos.mean_slow_disk" "$P" '[chaos]' 'mean_slow_disk = "0s"'
bad "too many drawn disk faults" "bad.toml:12: chaos.disk_stall_rate: would draw" "$P" '[chaos]' 'disk_stall_rate = 1000000.0'
# Without [storage]: a disk-fault rate names the key and asks for a disk.
f="$WORK/nodisk.toml"
printf '[run]\nduration = "1s"\n[topology]\nkind = "none"\nnodes = 5\n[protocol]\nname = "raft"\nservers = 3\n[chaos]\nslow_disk_rate = 0.1\n' >"$f"
expect_exit "a disk-fault rate without [storage]" 2 "nodisk.toml:10: chaos.slow_disk_rate: disk faults need a disk: add a \[storage\] section" \
  "$MESHSIM" run "$f" --db "$DB" --no-progress
finish
