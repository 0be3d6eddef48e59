#!/usr/bin/env bash
# pBFT's durable writes (protocol.durable) and [chaos] disk_nodes from the command line: the
# scenarios run, the default mode is the run it was before the key existed, and bad values
# exit 2 naming file:line: key with nothing written.
# Usage: pbft_disk_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
DB="$WORK/runs.db"
cd "$ROOT" || exit 2

fingerprint() { "$MESHSIM" run "$@" --db "$DB" --no-progress --json | grep -oE '"fingerprint": "[0-9a-f]+"'; }

echo "-- runs"
expect_exit "slow_disk runs clean with durable writes" 0 "disk_write_latency_ns_p50" \
  "$MESHSIM" run scenarios/pbft/slow_disk.toml --seed 1 --db "$DB" --no-progress
expect_exit "disk_stall hands the view on" 0 "pbft_view_changes" \
  "$MESHSIM" run scenarios/pbft/disk_stall.toml --seed 1 --db "$DB" --no-progress
expect_exit "amnesia: f + 1 replicas restarting empty break agreement, and the checker stops the run" 0 \
  "checker pbft.agreement violated" "$MESHSIM" run scenarios/pbft/amnesia.toml --seed 1 --db "$DB" --no-progress
# The same faults with memory that survives (none) or a disk (log): no checker fires, so the
# run fails only its own demand that agreement break (exit 1).
expect_exit "amnesia's faults are safe with durable = none" 1 "the run ended without that checker firing" \
  "$MESHSIM" run scenarios/pbft/amnesia.toml --seed 1 --db "$DB" --no-progress --set 'protocol.durable="none"'
expect_exit "amnesia's faults are safe with durable = log on a 5 ms disk" 1 "the run ended without that checker firing" \
  "$MESHSIM" run scenarios/pbft/amnesia.toml --seed 1 --db "$DB" --no-progress --set 'protocol.durable="log"' \
  --set 'storage.latency="5ms"'
a=$(fingerprint scenarios/pbft/chaos.toml --seed 2)
b=$(fingerprint scenarios/pbft/chaos.toml --seed 2 --set 'protocol.durable="none"')
[[ -n "$a" && "$a" == "$b" ]] && pass "durable = none is the default run ($a)" || fail "durable none: $a vs $b"
a=$(fingerprint scenarios/pbft/slow_disk.toml --seed 1)
b=$(fingerprint scenarios/pbft/slow_disk.toml --seed 1 --set 'protocol.durable="none"')
[[ -n "$a" && "$a" != "$b" ]] && pass "durable = log changes a run with a disk" || fail "log vs none on a disk: $a vs $b"

echo "-- bad input"
bad() { expect_bad_scenario '[run]\nduration = "1s"\n[topology]\nkind = "none"\nnodes = 5\n[storage]\nlatency = "1ms"\n' "$@"; }  # bad NAME PATTERN LINES...
P='[protocol]
name = "pbft"
replicas = 4'
bad "unknown durable mode" "bad.toml:11: protocol.durable" "$P" 'durable = "fsync"'
bad "durable not a string" "bad.toml:11: protocol.durable" "$P" 'durable = true'
bad "disk_nodes beyond the node count" "bad.toml:13: chaos.disk_nodes: node 9 is beyond the node count" \
  "$P" '[chaos]' 'disk_stall_rate = 0.1' 'disk_nodes = "0..9"'
bad "disk_nodes empty" "bad.toml:13: chaos.disk_nodes: the node list is empty" "$P" '[chaos]' 'disk_stall_rate = 0.1' 'disk_nodes = []'
bad "disk_nodes without a disk-fault rate" "bad.toml:12: chaos.disk_nodes: names the disks" "$P" '[chaos]' 'disk_nodes = "0..3"'
bad "disk_nodes a node twice" "bad.toml:13: chaos.disk_nodes: node range" "$P" '[chaos]' 'slow_disk_rate = 0.1' 'disk_nodes = [1, "0..2"]'
finish
