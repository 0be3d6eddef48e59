#!/usr/bin/env bash
# The live window (`meshsim view`), headless under Xvfb: bad input is exit 2 before any
# window opens; screenshots are not blank; a crash changes the crashed node's colour; a
# partition shades the groups; a replayed run draws like the live one; faults applied
# from the window, saved as a scenario, give `meshsim run` the window's fingerprint.
# Skipped (with a line saying so) when the viewer is not built or xvfb-run is missing.
# Usage: viz_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
PROBE="python3 $ROOT/tests/cli/png_probe.py"
SCEN=tests/cli/viz/ring_crash.toml

if "$MESHSIM" view "$SCEN" --until banana 2>&1 | grep -q "this build has no viewer"; then
  expect_exit "without the viewer, view says how to enable it" 2 "apt-get install libimgui-dev" "$MESHSIM" view "$SCEN"
  echo "skipped: no viewer built (the rest of the viewer tests need it)"
  finish
  exit $?
fi

# Bad input: clear messages and exit 2, with or without a display.
expect_exit "a missing scenario is exit 2" 2 "cannot read the scenario file" "$MESHSIM" view "$WORK/none.toml"
expect_exit "no scenario and no --run is exit 2" 2 "give a scenario file" "$MESHSIM" view
expect_exit "a missing database is exit 2" 2 "no results database" "$MESHSIM" view --run 1 --db "$WORK/none.db"
expect_exit "a bad --until is exit 2" 2 "--until \"3 parsecs\"" "$MESHSIM" view "$SCEN" --until "3 parsecs"
expect_exit "a bad --apply is exit 2" 2 "unknown kind \"explode\"" "$MESHSIM" view "$SCEN" --apply "explode 3 at 1s"
expect_exit "an --apply node beyond the mesh is exit 2" 2 "node 40 is beyond the node count" "$MESHSIM" view "$SCEN" --apply "crash 40 at 1s"
expect_exit "--apply out of time order is exit 2" 2 "time order" "$MESHSIM" view "$SCEN" --apply "crash 1 at 2s" --apply "recover 1 at 1s"

if ! command -v xvfb-run >/dev/null; then
  echo "skipped: xvfb-run is missing (apt-get install xvfb xauth) - no window tests"
  finish
  exit $?
fi
# Mesa's software GL and X libraries keep allocations to exit; under ASan only those
# libraries' leaks are suppressed (tests/cli/viz_lsan.supp), never ours.
export LSAN_OPTIONS="suppressions=$ROOT/tests/cli/viz_lsan.supp:print_suppressions=0"
# The window process alone runs without leak detection under ASan: Mesa's llvmpipe driver,
# loaded with dlopen and unloaded before exit, leaves allocations whose stacks end in an
# unloaded module (no frame pointers), which no suppression can name. Full unwinding would
# name them but makes the test take many minutes. Memory errors are still checked, and the
# engine code the window drives is leak-checked by every other test.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0"
view() { xvfb-run -a -s "-screen 0 1280x800x24" "$MESHSIM" view "$@"; }

# pixel_of LAYOUT NODE: "x y" a little above the node's centre (clear of its id label and
# of the cross a crashed node gets), from --dump-layout.
pixel_of() { awk -v n="$2" 'NR==1 {r=$8} $1==n {printf "%d %d", $2, $3 - 0.7*r}' "$1"; }

out=$(view "$SCEN" --until 1s --screenshot "$WORK/t1.png" --dump-layout "$WORK/t1.txt" 2>&1)
[[ $? == 0 && -s "$WORK/t1.png" ]] && pass "--screenshot writes a PNG and exits 0" || fail "--screenshot failed" "$out"
# The canvas (from the layout dump's header) holds more than its background.
busy=$($PROBE busy "$WORK/t1.png" $(awk 'NR==1 {print $3+2, $4+2, $5-4, $6-4}' "$WORK/t1.txt"))
awk -v b="$busy" 'BEGIN {exit !(b > 0.02)}' && pass "the mesh is drawn, not blank ($busy of the canvas)" || fail "the canvas looks blank ($busy)"
grep -q "^3 " "$WORK/t1.txt" && pass "--dump-layout lists node positions" || fail "no layout dump" "$(cat "$WORK/t1.txt")"

# Node 3 crashes at 2 s: its colour at 1 s and at 3 s differ, and at 3 s it is crash red.
view "$SCEN" --until 3s --screenshot "$WORK/t3.png" --dump-layout "$WORK/t3.txt" >/dev/null 2>&1
before=$($PROBE pixel "$WORK/t1.png" $(pixel_of "$WORK/t1.txt" 3))
after=$($PROBE pixel "$WORK/t3.png" $(pixel_of "$WORK/t3.txt" 3))
[[ "$before" != "$after" && "$after" == "200 50 50" ]] && pass "the crashed node turns red after its crash ($before -> $after)" \
  || fail "node 3's colour: $before at 1 s, $after at 3 s (wanted 200 50 50)"
other_before=$($PROBE pixel "$WORK/t1.png" $(pixel_of "$WORK/t1.txt" 9))
[[ "$other_before" != "200 50 50" ]] && pass "a node that does not crash is not red ($other_before)" || fail "node 9 is red at 1 s"

CANVAS=$(awk 'NR==1 {print $3, $4, $5, $6}' "$WORK/t1.txt")
# A partition shades each group: the point just outside node 0 (away from the ring's
# edges and messages) is background without it and group-coloured with it.
view "$SCEN" --until 1500ms --screenshot "$WORK/np.png" --dump-layout "$WORK/np.txt" >/dev/null 2>&1
view "$SCEN" --apply "partition 0..5 | 6..11 at 1s" --until 1500ms --screenshot "$WORK/p.png" >/dev/null 2>&1
read -r x y r < <(awk 'NR==1 {r=$8; cx=$3+$5/2; cy=$4+$6/2} $1==0 {dx=$2-cx; dy=$3-cy; d=sqrt(dx*dx+dy*dy); printf "%d %d %d", $2+dx/d*1.6*r, $3+dy/d*1.6*r, r}' "$WORK/np.txt")
plain=$($PROBE pixel "$WORK/np.png" "$x" "$y")
cut=$($PROBE pixel "$WORK/p.png" "$x" "$y")
[[ "$plain" != "$cut" ]] && pass "a partition changes the drawing (shading: $plain -> $cut)" || fail "no shading at $x,$y: $plain vs $cut"
diff=$($PROBE diff "$WORK/np.png" "$WORK/p.png" $CANVAS)
awk -v d="$diff" 'BEGIN {exit !(d > 0.01)}' && pass "the partitioned mesh looks different ($diff of the canvas)" || fail "partition barely visible ($diff)"

# Replay: a stored run re-opened with --run draws exactly like the live one.
"$MESHSIM" run "$SCEN" --db "$WORK/runs.db" --quiet >/dev/null 2>&1
view --run 1 --db "$WORK/runs.db" --until 3s --screenshot "$WORK/r3.png" >/dev/null 2>&1
d=$($PROBE diff "$WORK/t3.png" "$WORK/r3.png" $CANVAS)
[[ "$d" == "0.0000" ]] && pass "a replayed run looks the same as the live one at 3 s" || fail "replay differs from live ($d of the canvas)"
expect_exit "an unknown run id is exit 2" 2 "run 99" "$MESHSIM" view --run 99 --db "$WORK/runs.db"

# Round trip: faults applied from the window, saved, reproduced by `meshsim run`.
out=$(view "$SCEN" --apply "crash 5 at 1200ms" --apply "partition 0..3 | 4..11 at 1.5s" --apply "recover 5 at 2500ms" \
           --apply "heal at 3s" --until end --save "$WORK/saved.toml" --screenshot "$WORK/end.png" 2>&1)
fp_view=$(awk '/^  fingerprint  /{print $2}' <<<"$out")
fp_run=$("$MESHSIM" run "$WORK/saved.toml" --seed 7 --db "$WORK/runs.db" 2>&1 | awk '/^  fingerprint  /{print $2}')
fp_plain=$("$MESHSIM" run "$SCEN" --db "$WORK/runs.db" 2>&1 | awk '/^  fingerprint  /{print $2}')
[[ -n "$fp_view" && "$fp_view" == "$fp_run" ]] && pass "meshsim run on the saved scenario has the window's fingerprint ($fp_view)" \
  || fail "fingerprints: window '$fp_view', saved scenario '$fp_run'" "$out"
[[ "$fp_view" != "$fp_plain" ]] && pass "the applied faults changed the run ($fp_plain -> $fp_view)" || fail "the faults changed nothing"
grep -q 'at = "1200000000ns"' "$WORK/saved.toml" && pass "saved fault times are integer nanoseconds" || fail "saved times" "$(cat "$WORK/saved.toml")"

# A big mesh (30,000 nodes): nodes are painted into one image, not drawn one by one. A
# crashed row turns crash red there too; a row that does not crash does not.
BIG=tests/cli/viz/torus_big.toml
out=$(view "$BIG" --until 500ms --screenshot "$WORK/b1.png" --dump-layout "$WORK/b1.txt" 2>&1)
[[ $? == 0 ]] && grep -q "coarse drawing" <<<"$out" && pass "a 30,000-node mesh draws coarse" || fail "big mesh" "$out"
view "$BIG" --until 2500ms --screenshot "$WORK/b3.png" --dump-layout "$WORK/b3.txt" >/dev/null 2>&1
big_before=$($PROBE pixel "$WORK/b1.png" $(awk '$1==2100 {print $2, $3}' "$WORK/b1.txt"))
big_after=$($PROBE pixel "$WORK/b3.png" $(awk '$1==2100 {print $2, $3}' "$WORK/b3.txt"))
big_alive=$($PROBE pixel "$WORK/b3.png" $(awk '$1==20100 {print $2, $3}' "$WORK/b3.txt"))
[[ "$big_before" != "200 50 50" && "$big_after" == "200 50 50" ]] && pass "on the big mesh a crashed node turns red ($big_before -> $big_after)" \
  || fail "big mesh node 2100: $big_before at 0.5 s, $big_after at 2.5 s (wanted 200 50 50)"
[[ "$big_alive" != "200 50 50" ]] && pass "on the big mesh a live node is not red ($big_alive)" || fail "node 20100 is red"

# Seeking: going back re-runs from the start, so the picture at 1 s is the same again.
expect_exit "--frames draws N frames and reports the frame rate" 0 "^frames: 5 in" view "$SCEN" --frames 5
if ! sanitized; then
  out=$(view scenarios/examples/partition_heal.toml --until 3s --screenshot "$WORK/ph.png" 2>&1)
  [[ $? == 0 ]] && pass "partition_heal.toml draws (400-node torus)" || fail "partition_heal" "$out"
  out=$(view scenarios/raft/leader_crash.toml --until 2500ms --screenshot "$WORK/lc.png" 2>&1)
  [[ $? == 0 ]] && pass "leader_crash.toml draws (Raft)" || fail "leader_crash" "$out"
fi
finish
