#!/usr/bin/env bash
# meshsim under hostile input and a hostile results database: every case ends in a message
# and a documented exit code (never a signal), and a finished run's results are never lost.
# Usage: robustness_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
export TMPDIR="$WORK/tmp"  # side files that miss their own folder land here, not in /tmp
mkdir -p "$TMPDIR"

cat >"$WORK/tiny.toml" <<'TOML'
[run]
duration = "1s"
[topology]
kind = "random-regular"
nodes = 40
degree = 4
[network]
latency = { kind = "uniform", min = "1ms", max = "5ms" }
[protocol]
name = "gossip"
rumors = 1
[metrics]
interval = "1ms"
node_series = false
TOML
TINY="$WORK/tiny.toml"
DB="$WORK/runs.db"

# As another user: root reads and writes whatever the permission bits say.
as_nobody() { if [[ $(id -u) == 0 ]]; then setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; else "$@"; fi; }
chmod 755 "$WORK"

echo "-- overrides, seeds, threads, folders"
expect_exit "--set with an invalid TOML value is a plain string, named in the message" 2 \
  "\(--set\): protocol.name: unknown protocol '\\\\q'" "$MESHSIM" run "$TINY" --db "$DB" --set 'protocol.name=\q'
expect_exit "--set with triple quotes in a string value runs" 0 'meshsim run a"""b' \
  "$MESHSIM" run "$TINY" --db "$DB" --set 'run.name=a"""b'
expect_exit "--threads far above the cores is clamped, with a note" 0 "--threads 100000 is more than 4 per core on this machine; using [0-9]+" \
  "$MESHSIM" sweep "$TINY" --db "$DB" --seeds 1..2 --threads 100000
expect_exit "--threads 0 is refused" 2 "--threads 0: give at least 1" "$MESHSIM" sweep "$TINY" --db "$DB" --threads 0
expect_exit "the two largest seeds sweep and end" 0 "2 passed, 0 failed" \
  timeout 60 "$MESHSIM" sweep "$TINY" --db "$DB" --seeds 18446744073709551614..18446744073709551615
expect_exit "negative seeds are refused" 2 "'-3..-1' is not a range of seeds" "$MESHSIM" sweep "$TINY" --db "$DB" --seeds=-3..-1
expect_exit "a reversed range is refused" 2 "'9..3' runs backwards" "$MESHSIM" sweep "$TINY" --db "$DB" --seeds 9..3
expect_exit "a seed past 2^64 is refused" 2 "'18446744073709551616' is not a seed" "$MESHSIM" sweep "$TINY" --db "$DB" --seeds 18446744073709551616
expect_exit "a sweep of too many seeds is refused" 2 "more than 1000000 seeds" "$MESHSIM" sweep "$TINY" --db "$DB" --seeds 1..2000000
mkdir -p "$WORK/suite/locked" && cp "$TINY" "$WORK/suite/" && chmod 000 "$WORK/suite/locked"
expect_exit "check stops on a folder it cannot read, naming it" 2 "suite/locked: cannot read the folder: Permission denied" \
  as_nobody "$MESHSIM" check "$WORK/suite" --db "$WORK/check.db"
chmod 755 "$WORK/suite/locked"

echo "-- concurrent writers"
CONC="$WORK/concurrent.db"
pids=()
for i in $(seq 1 32); do "$MESHSIM" run "$TINY" --seed "$i" --db "$CONC" --no-progress >"$WORK/conc$i.out" 2>&1 & pids+=($!); done
codes=""; for pid in "${pids[@]}"; do wait "$pid"; codes+="$? "; done
if [[ $(echo $codes | tr ' ' '\n' | sort -u) == 0 && $(sqlite3 "$CONC" "select count(*) from runs where status = 'complete'") == 32 ]]; then
  pass "32 concurrent runs on one database all land complete"
else fail "32 concurrent runs: exit codes $codes; $(sqlite3 "$CONC" "select status, count(*) from runs group by status")"; fi

echo "-- a database that cannot take the results"
LOCKED="$WORK/locked.db"
"$MESHSIM" run "$TINY" --db "$LOCKED" >/dev/null
# Another program holds the write lock for longer than this run will wait.
(echo "BEGIN EXCLUSIVE;"; sleep 6; echo "COMMIT;") | sqlite3 "$LOCKED" &
holder=$!
sleep 0.5
expect_exit "a database locked past --db-wait: exit 4, results saved aside" 4 "results saved to .*locked.db.unsaved-.*\.db" \
  "$MESHSIM" run "$TINY" --db "$LOCKED" --db-wait 1
expect_exit "... and the message says what held it" 4 "database is locked \(another process held the database too long; --db-wait" \
  "$MESHSIM" run "$TINY" --db "$LOCKED" --db-wait 0
wait $holder
side=$(ls "$WORK"/locked.db.unsaved-*.db 2>/dev/null | head -1)
expect_exit "the side file holds the complete run" 0 "complete" "$MESHSIM" list --db "$side"
expect_exit "import loads it into the database it was meant for" 0 "imported 1 run\(s\) into .*locked.db" "$MESHSIM" import "$side"
expect_exit "importing again skips the run" 0 "imported 0 run\(s\).*skipped 1 already there" "$MESHSIM" import "$side"
expect_exit "the imported run is complete in the database" 0 "complete" sqlite3 "$LOCKED" "select status from runs where run_id = 2"

if mkdir -p "$WORK/full" && mount -t tmpfs -o size=400k tmpfs "$WORK/full" 2>/dev/null; then
  expect_exit "a full disk: exit 4, and the message says so" 4 "database or disk is full \(free some space" \
    "$MESHSIM" run "$TINY" --db "$WORK/full/r.db" --set 'metrics.interval="20us"'
  side=$(ls "$TMPDIR"/r.db.unsaved-*.db 2>/dev/null | head -1)
  [[ -n "$side" ]] && pass "the results were saved in the temp folder" || fail "no side file in $TMPDIR"
  mount -o remount,size=50m "$WORK/full"  # space freed
  expect_exit "once there is space, import loads them where they were meant to go" 0 "imported 1 run" "$MESHSIM" import "$side"
  expect_exit "the original row says where its results went" 0 "disk is full.*saved to .*; results imported as run 2" \
    sqlite3 "$WORK/full/r.db" "select failure from runs where run_id = 1"
  umount "$WORK/full"
else
  echo "  skip  full disk (cannot mount a tmpfs here)"
fi

CORRUPT="$WORK/corrupt.db"
for s in 1 2 3; do "$MESHSIM" run "$TINY" --seed "$s" --db "$CORRUPT" >/dev/null; done
python3 - "$CORRUPT" <<'PY'
import os, sys, random
random.seed(7)
path = sys.argv[1]
with open(path, "r+b") as f:
    for offset in range(8192, os.path.getsize(path), 4096 * 3):
        f.seek(offset + 100)
        f.write(bytes(random.randrange(256) for _ in range(400)))
PY
expect_exit "a damaged database: exit 4, integrity_check advised" 4 "malformed \(the file is damaged: check it with sqlite3 .*PRAGMA integrity_check" \
  "$MESHSIM" run "$TINY" --db "$CORRUPT"
[[ -n $(ls "$WORK"/corrupt.db.unsaved-*.db 2>/dev/null) ]] && pass "the damaged database's results were saved aside" \
  || fail "no side file next to the damaged database"

echo "-- databases that are not ours to change"
RO="$WORK/ro"
mkdir -p "$RO" && "$MESHSIM" run "$TINY" --db "$RO/r.db" >/dev/null && chmod 444 "$RO/r.db" && chmod 555 "$RO"
expect_exit "list reads a read-only database in a read-only folder" 0 "complete" as_nobody "$MESHSIM" list --db "$RO/r.db"
expect_exit "show reads it too" 0 "status +complete" as_nobody "$MESHSIM" show 1 --db "$RO/r.db"
expect_exit "run on it is refused at once, nothing run" 2 "cannot be written \(read-only" as_nobody "$MESHSIM" run "$TINY" --db "$RO/r.db"
chmod 755 "$RO"

FOREIGN="$WORK/foreign.db"
sqlite3 "$FOREIGN" "create table mine (a); insert into mine values (42);"
expect_exit "a foreign SQLite file is refused" 2 "not a meshsim results database.*nothing was changed" "$MESHSIM" run "$TINY" --db "$FOREIGN"
[[ $(sqlite3 "$FOREIGN" "pragma journal_mode") == delete && $(sqlite3 "$FOREIGN" "select a from mine") == 42 ]] \
  && pass "the foreign file keeps its journal mode and contents" || fail "the foreign file was changed"

: >"$WORK/empty.db"
expect_exit "list of a database still being created (no schema yet) shows no runs" 0 "no runs in" "$MESHSIM" list --db "$WORK/empty.db"
expect_exit "show of a run in it says there is none" 2 "no run 1 in .*no runs yet" "$MESHSIM" show 1 --db "$WORK/empty.db"

mkdir -p "$WORK/export" && echo secret >"$WORK/outside.txt" && ln -s ../outside.txt "$WORK/export/run.csv"
expect_exit "export refuses a symlink planted in the target folder" 2 "refusing to write .*run.csv: it is a symbolic link" \
  "$MESHSIM" export 1 --db "$DB" --csv "$WORK/export"
[[ $(cat "$WORK/outside.txt") == secret ]] && pass "the symlink's target is untouched" || fail "export wrote through the symlink"
expect_exit "export into a clean folder still works" 0 "wrote run 1" "$MESHSIM" export 1 --db "$DB" --csv "$WORK/export2"
[[ -z $(ls -A "$WORK/export2" | grep '^\.') ]] && pass "export leaves no temporary files" || fail "temporary files left: $(ls -A "$WORK/export2")"

finish
