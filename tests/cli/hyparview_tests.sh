#!/usr/bin/env bash
# The membership module's HyParView mode (view = "hyparview") from the command line: bad
# values of its keys are refused with file:line: key and exit 2 before anything is written;
# a run writes its overlay metrics and series into SQLite; the planted bugs fire their
# checkers.
# Usage: hyparview_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
DB="$WORK/runs.db"

# A 20-node HyParView scenario; the key under test is line 9.
HEAD='[run]\nduration = "5s"\n[topology]\nkind = "none"\nnodes = 20\n[protocol]\nname = "membership"\nview = "hyparview"\n'

echo "-- bad input: exit 2, file:line: key, nothing written"
expect_bad_scenario '[run]\nduration = "5s"\n[topology]\nkind = "none"\nnodes = 20\n[protocol]\nname = "membership"\n' \
  "an unknown view lists the known ones" "bad.toml:8: protocol.view: .*full.*hyparview" 'view = "partial"'
expect_bad_scenario "$HEAD" "an active view of 0" "bad.toml:9: protocol.active_size" 'active_size = 0'
expect_bad_scenario "$HEAD" "an active view beyond 64" "bad.toml:9: protocol.active_size" 'active_size = 65'
expect_bad_scenario "$HEAD" "a passive view that is not a number" "bad.toml:9: protocol.passive_size" 'passive_size = "thirty"'
expect_bad_scenario "$HEAD" "an ARWL of 0" "bad.toml:9: protocol.arwl" 'arwl = 0'
expect_bad_scenario "$HEAD" "a PRWL longer than the ARWL" "bad.toml:10: protocol.prwl: is 7 but the walk starts at arwl = 6" \
  'arwl = 6' 'prwl = 7'
expect_bad_scenario "$HEAD" "a shuffle period without a unit" "bad.toml:9: protocol.shuffle_period" 'shuffle_period = "often"'
expect_bad_scenario "$HEAD" "a shuffle period below 10 ms" "bad.toml:9: protocol.shuffle_period: must be at least 10 ms" \
  'shuffle_period = "1ms"'
expect_bad_scenario "$HEAD" "shuffle_ka above the active view" "bad.toml:10: protocol.shuffle_ka: is 6 but the active view holds at most active_size = 4" \
  'active_size = 4' 'shuffle_ka = 6'
expect_bad_scenario "$HEAD" "shuffle_kp above the passive view" "bad.toml:10: protocol.shuffle_kp: is 11 but the passive view holds at most passive_size = 10" \
  'passive_size = 10' 'shuffle_kp = 11'
expect_bad_scenario "$HEAD" "a negative shuffle_kp" "bad.toml:9: protocol.shuffle_kp" 'shuffle_kp = -1'
expect_bad_scenario "$HEAD" "a link timeout not longer than the heartbeat" \
  "bad.toml:10: protocol.link_timeout: must be longer than heartbeat_period" 'heartbeat_period = "2s"' 'link_timeout = "2s"'
expect_bad_scenario "$HEAD" "a heartbeat period of zero" "bad.toml:9: protocol.heartbeat_period" 'heartbeat_period = "0s"'
expect_bad_scenario "$HEAD" "check_symmetry that is not a boolean" "bad.toml:9: protocol.check_symmetry" 'check_symmetry = "yes"'
expect_bad_scenario "$HEAD" "a neighbor timeout below 1 ms" "bad.toml:9: protocol.neighbor_timeout: must be at least 1 ms" \
  'neighbor_timeout = "10us"'
expect_bad_scenario "$HEAD" "a SWIM key in HyParView mode" "bad.toml:9: protocol.detector: belongs to view = \"full\"" \
  'detector = "phi"'
expect_bad_scenario '[run]\nduration = "5s"\n[topology]\nkind = "none"\nnodes = 20\n[protocol]\nname = "membership"\n' \
  "a HyParView key in full mode" "bad.toml:8: protocol.active_size: belongs to view = \"hyparview\"" 'active_size = 5'
expect_bad_scenario "$HEAD" "an unknown planted bug" "bad.toml:9: protocol.bug: .*ignore-disconnect.*no-drop-when-full" \
  'bug = "quorum-of-one"'
expect_bad_scenario "$HEAD" "a misspelt key" "bad.toml:9: protocol.shufle_period" 'shufle_period = "5s"'
expect_bad_scenario "$HEAD" "a seed beyond the node count" "bad.toml:9: protocol.seeds: seed node 25 does not exist" \
  'seeds = [0, 25]'

echo "-- a run writes the overlay metrics and series"
expect_exit "the small HyParView scenario passes" 0 "hyparview_largest_component_share +1" \
  "$MESHSIM" run scenarios/membership/hyparview.toml --db "$DB" --no-progress
got=$(sqlite3 "$DB" "select count(*) from series where name = 'hyparview_largest_component_share'")
[[ "$got" -ge 50 ]] && pass "the connectivity series is in SQLite ($got points)" || fail "connectivity series: $got points"
got=$(sqlite3 "$DB" "select value from scalars where name = 'hyparview_join_time_ns_count'")
[[ "$got" == "1000.0" || "$got" == "1000" ]] && pass "join times of all 1,000 nodes" || fail "join time count: $got"

echo "-- planted bugs"
expect_exit "ignore-disconnect is caught by hyparview.symmetry" 0 "expected +checker hyparview.symmetry violated" \
  "$MESHSIM" run scenarios/membership/hyparview_symmetry_bug.toml --db "$DB" --no-progress
expect_exit "without the bug the symmetry checker stays silent" 1 "without that checker firing" \
  "$MESHSIM" run scenarios/membership/hyparview_symmetry_bug.toml --db "$DB" --no-progress --set 'protocol.bug="none"'
expect_exit "no-drop-when-full is caught by hyparview.view_bounds" 0 "expected +checker hyparview.view_bounds violated" \
  "$MESHSIM" run scenarios/membership/hyparview_bounds_bug.toml --db "$DB" --no-progress
finish
