#!/usr/bin/env bash
# Churn in [chaos] and pBFT's read-only write path from the command line: bad churn keys
# and a pBFT planted bug without a read-only provider are refused with file:line: key and
# exit 2 before anything is written; a churn run logs its drawn joins and leaves; pBFT's
# planted bug ignore-read-only is caught by pbft.no_write_while_read_only.
# Usage: churn_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
DB="$WORK/runs.db"

echo "-- bad churn keys: exit 2, file:line: key, nothing written"
HEAD='[run]\nduration = "5s"\n[topology]\nkind = "none"\nnodes = 20\n[nodes]\nabsent = "15..19"\n[protocol]\nname = "membership"\n[chaos]\n'
bad() { expect_bad_scenario "$HEAD" "$@"; }  # bad NAME PATTERN LINES...: a membership scenario with 5 absent nodes, plus [chaos] LINES
bad "negative join_rate" "bad.toml:11: chaos.join_rate" 'join_rate = -1.0'
bad "join_rate not a number" "bad.toml:11: chaos.join_rate" 'join_rate = "fast"'
bad "negative leave_rate" "bad.toml:11: chaos.leave_rate" 'leave_rate = -0.1'
bad "negative fail_rate" "bad.toml:11: chaos.fail_rate" 'fail_rate = -0.1'
bad "mean_absence without a unit" "bad.toml:12: chaos.mean_absence" 'leave_rate = 0.1' 'mean_absence = 5'
bad "zero mean_absence" "bad.toml:12: chaos.mean_absence" 'leave_rate = 0.1' 'mean_absence = "0s"'
bad "mean_absence without leave_rate" "bad.toml:11: chaos.mean_absence: has no effect without leave_rate" 'mean_absence = "2s"'
bad "too many drawn leaves" "bad.toml:11: chaos.leave_rate: would draw" 'leave_rate = 1000000.0'
bad "too many drawn failures" "bad.toml:11: chaos.fail_rate: would draw" 'fail_rate = 1000000.0'
bad "a misspelt churn key" "bad.toml:11: chaos.leave_rte" 'leave_rte = 0.1'
expect_bad_scenario '[run]\nduration = "5s"\n[topology]\nkind = "none"\nnodes = 20\n[protocol]\nname = "membership"\n[chaos]\n' \
  "join_rate without absent nodes" "bad.toml:9: chaos.join_rate: no node to join: list the nodes that start outside the mesh in \[nodes\] absent" \
  'join_rate = 1.0'

echo "-- bad pBFT read-only input"
printf '[run]\nduration = "2s"\n[topology]\nkind = "none"\nnodes = 8\n[protocol]\nname = "pbft"\nbug = "ignore-read-only"\n' >"$WORK/pbug.toml"
expect_exit "pbft's ignore-read-only bug without a read-only provider" 2 "pbug.toml:8: protocol.bug: ignore-read-only needs a module that provides read-only state" \
  "$MESHSIM" run "$WORK/pbug.toml" --db "$DB"
printf '[run]\nduration = "2s"\n[topology]\nkind = "none"\nnodes = 8\n[protocol]\nname = "pbft"\nbug = "ignore-read-onyl"\n' >"$WORK/pbug2.toml"
expect_exit "a misspelt pbft bug lists ignore-read-only" 2 "pbug2.toml:8: protocol.bug: .*ignore-read-only" \
  "$MESHSIM" run "$WORK/pbug2.toml" --db "$DB"
[[ $(rows "$DB" runs) == none || $(rows "$DB" runs) == 0 ]] && pass "bad input wrote nothing" || fail "bad input wrote runs"

echo "-- a churn run: drawn joins and leaves in the event log, the same fingerprint twice"
expect_exit "churn_chaos runs clean" 0 "membership_graceful_leaves" \
  "$MESHSIM" run scenarios/membership/churn_chaos.toml --seed 3 --db "$DB" --no-progress
for kind in join leave end-leave; do
  n=$(sqlite3 "$DB" "select count(*) from events_log where kind = '$kind' and detail like '%(chaos)'")
  (( n > 0 )) && pass "chaos drew $n $kind events" || fail "no $kind drawn by chaos"
done
a=$("$MESHSIM" run scenarios/membership/churn_chaos.toml --seed 3 --json --db "$DB" --quiet | python3 -c 'import json,sys; print(json.load(sys.stdin)["fingerprint"])')
b=$("$MESHSIM" run scenarios/membership/churn_chaos.toml --seed 3 --json --db "$DB" --quiet | python3 -c 'import json,sys; print(json.load(sys.stdin)["fingerprint"])')
[[ -n "$a" && "$a" == "$b" ]] && pass "same seed, same fingerprint ($a)" || fail "fingerprints differ: $a vs $b"

echo "-- pBFT beside membership: the read-only minority refuses writes; the planted bug is caught"
expect_exit "pbft_partition passes its expectations" 0 "kv_writes_refused_read_only" \
  "$MESHSIM" run scenarios/membership/pbft_partition.toml --db "$DB" --no-progress
expect_exit "ignore-read-only is caught by pbft.no_write_while_read_only" 0 "expected +checker pbft.no_write_while_read_only violated" \
  "$MESHSIM" run scenarios/membership/pbft_read_only_bug.toml --db "$DB" --no-progress
expect_exit "without the bug the checker stays quiet" 1 "the run ended without that checker firing" \
  "$MESHSIM" run scenarios/membership/pbft_read_only_bug.toml --db "$DB" --no-progress --set 'protocol.bug="none"'

finish
