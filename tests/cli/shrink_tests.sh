#!/usr/bin/env bash
# meshsim shrink: a failing run reduced to a smaller scenario that `meshsim run` still fails
# with the same checker (or expectation), deterministically; a seed that passes and bad
# input refused with exit 2 and nothing written.
# Usage: shrink_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
DB="$WORK/runs.db"
faults_in() { grep -c '^\[\[faults\]\]' "$1"; }

echo "-- the Figure 8 bug: 164 chaos faults, leader completeness at 20.7 s"
F8="$WORK/figure8_small.toml"
expect_exit "shrink exits 0 and says what it removed" 0 "faults +164 \(0 written, 164 drawn by \[chaos\]\) -> [0-9]+ explicit" \
  "$MESHSIM" shrink scenarios/raft/figure8_bug.toml --seed 17 --out "$F8" --max-runs 300 --quiet
[[ -s "$F8" ]] && pass "... the output exists" || fail "no $F8"
expect_exit "meshsim run OUT --seed 17 fails (exit 1) with the same checker" 1 "FAILED +checker raft.leader_completeness violated" \
  "$MESHSIM" run "$F8" --seed 17 --db "$DB" --no-progress
n=$(faults_in "$F8")
(( n < 164 )) && pass "... with fewer faults: $n explicit [[faults]] instead of 164 drawn" || fail "$n faults"
! grep -q '^\[chaos\]' "$F8" && pass "... and [chaos] off" || fail "[chaos] still in $F8"
! grep -q '^failure *=' "$F8" && pass "... and [expect] failure removed, so the failure fails the run" || fail "failure key kept"
grep -qE '^# [0-9]+ re-runs \(budget 300\)' "$F8" && pass "... the header counts the re-runs" || fail "header" "$(head -20 "$F8")"
d=$(sed -n 's/^duration = "\(.*\)"$/\1/p' "$F8")
[[ -n "$d" && "$d" != 30s ]] && pass "... and a shorter run ($d instead of 30s)" || fail "duration '$d'"

echo "-- the pBFT colluders: agreement broken at 1 s"
COL="$WORK/colluders_small.toml"
expect_exit "shrink exits 0" 0 "run.duration +10 s -> 1.0[0-9]* s" "$MESHSIM" shrink scenarios/pbft/colluders.toml --out "$COL" --quiet
expect_exit "meshsim run OUT --seed 1 fails with pbft.agreement" 1 "FAILED +checker pbft.agreement violated" \
  "$MESHSIM" run "$COL" --seed 1 --db "$DB" --no-progress
grep -q '^nodes = [1-7]$' "$COL" && pass "... with fewer clients (topology.nodes below 8)" || fail "nodes" "$(grep '^nodes' "$COL")"
(( $(faults_in "$COL") == 1 )) && pass "... and the fork fault kept (f + 1 colluders are needed)" || fail "faults $(faults_in "$COL")"
"$MESHSIM" shrink scenarios/pbft/colluders.toml --out "$WORK/again.toml" --quiet >/dev/null 2>&1
body() { sed '1,/^# Below:/d' "$1"; }  # the scenario, without the header (paths, wall time)
diff <(body "$COL") <(body "$WORK/again.toml") >/dev/null \
  && pass "the same shrink twice writes the same scenario" || fail "two shrinks differ" "$(diff "$COL" "$WORK/again.toml")"

echo "-- Ctrl-C: the smallest scenario found so far is written"
INT="$WORK/interrupted.toml"
"$MESHSIM" shrink scenarios/raft/figure8_bug.toml --seed 17 --out "$INT" --quiet >"$WORK/int.out" 2>&1 &
pid=$!
sleep 1
kill -INT $pid
wait $pid
code=$?
[[ $code == 130 ]] && grep -q "interrupted: the result may not be 1-minimal" "$WORK/int.out" \
  && pass "exit 130, and the summary says the result may not be minimal" || fail "exit $code" "$(cat "$WORK/int.out")"
expect_exit "... the file written still fails with the same checker" 1 "FAILED +checker raft.leader_completeness" \
  "$MESHSIM" run "$INT" --db "$DB" --no-progress

echo "-- an expectation, not a checker"
sed 's/^linearizable = "== 1"$/linearizable = "== 1"\nmessages_sent = "< 100"/' scenarios/raft/quiet.toml >"$WORK/strict.toml"
expect_exit "a failed expectation shrinks too" 0 "failure +expect.messages_sent" \
  "$MESHSIM" shrink "$WORK/strict.toml" --out "$WORK/strict_small.toml" --quiet
expect_exit "... and the output fails with that expectation" 1 "FAILED .*expect.messages_sent < 100: got" \
  "$MESHSIM" run "$WORK/strict_small.toml" --db "$DB" --no-progress

echo "-- a failed expectation can slip; --keep pins what must stay"
# Only the crash without an end leaves nodes down at the end; the decoys all heal. A mesh
# of one node fails nodes_up_final == 8 too, for another reason.
cat >"$WORK/planted.toml" <<'TOML'
[run]
duration = "4s"
[topology]
kind = "none"
nodes = 8
[protocol]
name = "raft"
servers = 5
[[faults]]
kind = "crash"
at = "500ms"
until = "700ms"
nodes = 5
[[faults]]
kind = "crash"
at = "2s"
nodes = [6, 7]
[[faults]]
kind = "partition"
at = "2500ms"
until = "3s"
groups = { a = "0..1", b = "2..7" }
[expect]
nodes_up_final = "== 8"
TOML
expect_exit "without --keep the mesh shrinks to fewer nodes (slippage)" 0 "topology.nodes 8 -> [1-7]$" \
  "$MESHSIM" shrink "$WORK/planted.toml" --out "$WORK/slipped.toml" --quiet
expect_exit "with --keep topology.nodes the culprit is kept, on one node" 0 "faults +3 \(3 written, 0 drawn by \[chaos\]\) -> 1 explicit" \
  "$MESHSIM" shrink "$WORK/planted.toml" --out "$WORK/pinned.toml" --keep topology.nodes --quiet
grep -A3 '^\[\[faults' "$WORK/pinned.toml" | grep -qE '^nodes = \[[67]\]$' && grep -q '^nodes = 8$' "$WORK/pinned.toml" \
  && pass "... crash of node 6 or 7 in a mesh of 8" || fail "pinned" "$(sed '1,/^# Below:/d' "$WORK/pinned.toml")"
expect_exit "--keep of a value shrink does not change" 2 "--keep nodes: not a value shrink changes" \
  "$MESHSIM" shrink "$WORK/planted.toml" --out "$WORK/none.toml" --keep nodes

echo "-- --set as for run, written into the output"
expect_exit "shrink --set protocol.think_time=4ms" 0 "failure +checker pbft.agreement" \
  "$MESHSIM" shrink scenarios/pbft/colluders.toml --set protocol.think_time=4ms --out "$WORK/set.toml" --quiet
grep -q "^think_time = '4ms'$" "$WORK/set.toml" && head -1 "$WORK/set.toml" | grep -q -- "--set protocol.think_time=4ms" \
  && pass "... the value is in the file, and the header names the override" || fail "set" "$(cat "$WORK/set.toml")"
expect_exit "--set of an array element is refused" 2 "shrink takes section.key=value" \
  "$MESHSIM" shrink scenarios/pbft/colluders.toml --set 'faults[0].at=2s' --out "$WORK/none.toml"
expect_exit "--set of a bad value names the key" 2 "colluders.toml:[0-9]+: protocol.keys: 0 is out of range" \
  "$MESHSIM" shrink scenarios/pbft/colluders.toml --set protocol.keys=0 --out "$WORK/none.toml"

echo "-- nothing to shrink, bad input: exit 2, nothing written"
expect_exit "a seed that passes" 2 "nothing to shrink: seed 1 passes" \
  "$MESHSIM" shrink scenarios/raft/quiet.toml --seed 1 --out "$WORK/none.toml"
expect_exit "a seed whose expected failure does not happen" 2 "nothing to shrink: seed 1 passes.*\[expect\] failure is set aside" \
  "$MESHSIM" shrink scenarios/raft/figure8_bug.toml --seed 1 --out "$WORK/none.toml"
[[ ! -e "$WORK/none.toml" ]] && pass "... nothing written" || fail "$WORK/none.toml written"
expect_exit "a missing scenario" 2 "nope.toml: no such file" "$MESHSIM" shrink "$WORK/nope.toml" --out "$WORK/none.toml"
printf '[run]\nduration = \n' >"$WORK/broken.toml"
expect_exit "a scenario with a syntax error names its line" 2 "broken.toml:2: syntax error" \
  "$MESHSIM" shrink "$WORK/broken.toml" --out "$WORK/none.toml"
expect_exit "an --out in a missing folder" 2 "cannot write $WORK/no/such/out.toml: folder .* does not exist" \
  "$MESHSIM" shrink scenarios/pbft/colluders.toml --out "$WORK/no/such/out.toml"
cp scenarios/pbft/colluders.toml "$WORK/self.toml"
expect_exit "an --out that is the scenario itself" 2 "that is the scenario being shrunk" \
  "$MESHSIM" shrink "$WORK/self.toml" --out "$WORK/self.toml"
cmp -s "$WORK/self.toml" scenarios/pbft/colluders.toml && pass "... left untouched" || fail "self.toml changed"
expect_exit "--max-runs 0" 2 "max-runs" "$MESHSIM" shrink scenarios/pbft/colluders.toml --out "$WORK/none.toml" --max-runs 0
expect_exit "no --out" 2 "--out is required" "$MESHSIM" shrink scenarios/pbft/colluders.toml
[[ ! -e "$WORK/none.toml" ]] && pass "... nothing written by any of them" || fail "$WORK/none.toml written"

finish
