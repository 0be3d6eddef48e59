#!/usr/bin/env bash
# Debugging a failing seed: `meshsim run --trace` stores a run's messages in the database,
# `meshsim export --shiviz / --lamport` turns them into ShiViz input or a space-time
# diagram, and a failure's summary suggests the --trace command for the second before it.
# Usage: trace_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
DB="$WORK/runs.db"
q() { sqlite3 "$DB" "$1"; }

echo "-- recording"
expect_exit "a traced run says how many rows it stored and how to export them" 0 \
  "trace +[0-9]+ rows \(meshsim export 1 --db .* --lamport trace.svg" \
  "$MESHSIM" run scenarios/raft/quiet.toml --db "$DB" --no-progress --trace "time=0s..0.6s nodes=0..4"
[[ $(q "select count(*) from trace where run_id = 1 and event = 'send' and type = 'RequestVote'") -gt 0 ]] \
  && pass "... the election's RequestVotes are in the trace table" || fail "no RequestVote rows"
[[ $(q "select count(*) from trace where run_id = 1 and event = 'note' and type = 'became-leader'") -ge 1 ]] \
  && pass "... and the new leader's note" || fail "no became-leader note"
[[ $(q "select count(*) from trace where run_id = 1 and sim_time_ns >= 600000000") == 0 ]] \
  && pass "... nothing outside the time window" || fail "rows past 0.6 s"
[[ $(q "select count(*) from trace d where run_id = 1 and event = 'deliver' and not exists
        (select 1 from trace s where s.run_id = 1 and s.event = 'send' and s.message_id = d.message_id)") == 0 ]] \
  && pass "... every delivery joins its send by message_id" || fail "deliveries without their send"
expect_exit "the bound cuts the trace and says so" 0 "trace +50 rows" \
  "$MESHSIM" run scenarios/raft/quiet.toml --db "$DB" --no-progress --trace "max=50"
[[ $(q "select event from trace where run_id = 2 order by seq desc limit 1") == truncated ]] \
  && pass "... its last row is 'truncated'" || fail "no truncated row"
expect_exit "an untraced run has the same fingerprint" 0 \
  "fingerprint +$(q "select fingerprint from runs where run_id = 1")" \
  "$MESHSIM" run scenarios/raft/quiet.toml --db "$DB" --no-progress

echo "-- exports"
expect_exit "ShiViz and Lamport exports of a traced run" 0 "wrote a space-time diagram of run 1" \
  "$MESHSIM" export 1 --db "$DB" --shiviz "$WORK/run1.log" --lamport "$WORK/run1.svg"
[[ $(head -1 "$WORK/run1.log") == '(?<date>\d+) (?<event>.*)\n(?<host>\S*) (?<clock>{.*})' ]] \
  && pass "... the ShiViz file starts with its parsing expression" || fail "ShiViz header: $(head -1 "$WORK/run1.log")"
grep -q "<svg" "$WORK/run1.svg" && grep -q "RequestVote" "$WORK/run1.svg" \
  && pass "... the diagram is an SVG naming the messages" || fail "not an SVG"
expect_exit "an HTML diagram" 0 "" "$MESHSIM" export 1 --db "$DB" --lamport "$WORK/run1.html"
grep -q "<!DOCTYPE html>" "$WORK/run1.html" && pass "... is a page" || fail "no HTML"

echo "-- bad input: exit 2, nothing written"
expect_exit "a bad filter is refused before the database is touched" 2 "--trace: unknown key 'colour'" \
  "$MESHSIM" run scenarios/raft/quiet.toml --db "$WORK/none.db" --trace "colour=red"
[[ ! -e "$WORK/none.db" ]] && pass "... and no database was created" || fail "a database was created"
expect_exit "a node beyond the mesh" 2 "--trace nodes: node 99 is beyond the node count" \
  "$MESHSIM" run scenarios/raft/quiet.toml --db "$WORK/none.db" --trace "nodes=99"
expect_exit "exporting a run recorded without --trace says how to record one" 2 "has no trace: record one with" \
  "$MESHSIM" export 3 --db "$DB" --shiviz "$WORK/x.log"
expect_exit "a diagram must be .svg or .html" 2 "name the file .svg or .html" \
  "$MESHSIM" export 1 --db "$DB" --lamport "$WORK/x.png"
expect_exit "export with nothing to write" 2 "say what to write" "$MESHSIM" export 1 --db "$DB"
"$MESHSIM" run scenarios/raft/quiet.toml --db "$DB" --no-progress --trace all >/dev/null
expect_exit "a diagram of a whole run asks for a narrower trace" 2 "readable up to 64 nodes and 1500 messages" \
  "$MESHSIM" export 4 --db "$DB" --lamport "$WORK/big.svg"

echo "-- a failure suggests the trace"
expect_exit "a checker failure prints the --trace command for the second before it" 1 \
  "trace it +meshsim run scenarios/raft/figure8_bug.toml --seed 17 .*--trace 'time=[0-9]+ms\.\.[0-9]+ms'" \
  "$MESHSIM" run scenarios/raft/figure8_bug.toml --db "$DB" --no-progress --set 'expect.failure="raft.election_safety"'

finish
