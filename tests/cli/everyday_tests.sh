#!/usr/bin/env bash
# What a person sees every day: readable summaries (no raw nanosecond counts), progress on
# stderr that never goes silent, failed runs that keep their metrics, sweeps that report a
# bad --set once. Usage: everyday_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
DB="$WORK/runs.db"

out=$("$MESHSIM" run scenarios/quickstart.toml --db "$DB" 2>&1)
if grep -qE '[0-9]{5,}ns|[0-9]e\+0[6-9]' <<<"$(grep -vE '^\s+(bytes_sent|messages|events|handled|redundant|deliveries)' <<<"$out")"; then
  fail "the summary prints raw nanoseconds" "$out"
else pass "the summary prints no raw nanosecond count"; fi
expect_exit "duration metrics are in time units" 0 "coverage_time_100_ns_max +[0-9.]+ s$" "$MESHSIM" run scenarios/quickstart.toml --db "$DB"
expect_exit "the event log shows readable times" 0 "^ +2 s  crash  nodes 100..119" "$MESHSIM" run scenarios/quickstart.toml --db "$DB"
expect_exit "a failure's time is readable" 0 "expected +checker pbft.agreement violated at [0-9.]+ (s|ms):" \
  "$MESHSIM" run scenarios/pbft/colluders.toml --db "$DB"
expect_exit "--json keeps integer nanoseconds" 0 '"sim_time_ns": 10000000000,' "$MESHSIM" run scenarios/quickstart.toml --db "$DB" --json

expect_exit "piped, progress is a plain line on stderr" 0 "^quickstart  simulated [0-9.]+ (s|ms) of 10 s \([0-9]+ %\)" \
  env MESHSIM_PROGRESS_EVERY_MS=1 "$MESHSIM" run scenarios/quickstart.toml --db "$DB"
quiet=$(MESHSIM_PROGRESS_EVERY_MS=1 "$MESHSIM" run scenarios/quickstart.toml --db "$DB" --quiet 2>&1 >/dev/null)
[[ -z "$quiet" ]] && pass "--quiet shows no progress" || fail "--quiet still printed" "$quiet"
expect_exit "end-of-run checks have their own progress line" 0 "simulation done in [0-9.]+ s; end-of-run checks \(history, linearizability\) running" \
  env MESHSIM_PROGRESS_EVERY_MS=1 "$MESHSIM" run scenarios/raft/quiet.toml --db "$DB"

# A failed run keeps every metric a complete one has.
"$MESHSIM" run scenarios/pbft/colluders.toml --db "$DB" --set 'expect.failure="pbft.validity"' >/dev/null 2>&1
nscalars=$(sqlite3 "$DB" "select count(*) from scalars where run_id = (select max(run_id) from runs)")
status=$(sqlite3 "$DB" "select status from runs where run_id = (select max(run_id) from runs)")
has=$(sqlite3 "$DB" "select count(*) from scalars where run_id = (select max(run_id) from runs) and name in ('throughput_ops_per_s', 'linearizable')")
[[ $status == failed && $has == 2 && $nscalars -gt 40 ]] && pass "a failed run stores all its scalars ($nscalars)" \
  || fail "failed run: status $status, $nscalars scalars, throughput/linearizable present: $has"

out=$("$MESHSIM" sweep scenarios/quickstart.toml --seeds 1..20 --db "$DB" --set topology.nodes=0 2>&1)
[[ $? == 2 && $(grep -c "out of range" <<<"$out") == 1 ]] && pass "a sweep reports a bad --set once" \
  || fail "a sweep with a bad --set" "$out"
expect_exit "check names the slow runs while they run" 0 "done; running: leader_crash \(" \
  env MESHSIM_PROGRESS_EVERY_MS=1 bash -c "mkdir -p '$WORK/one' && cp scenarios/raft/leader_crash.toml '$WORK/one/' && '$MESHSIM' check '$WORK/one' --db '$DB'"
expect_exit "--db creates the database's own folder" 0 "results +run 1 in" "$MESHSIM" run scenarios/raft/quiet.toml --db "$WORK/new/r.db"
expect_exit "--db does not create a whole missing tree" 2 "folder .*/a does not exist \(meshsim creates only the database's own folder\)" \
  "$MESHSIM" run scenarios/raft/quiet.toml --db "$WORK/a/b/r.db"
[[ ! -e "$WORK/a" ]] && pass "... and creates nothing" || fail "a missing tree was partly created"
expect_exit "--set reaches a [[faults]] table" 0 "^ +3 s  crash" "$MESHSIM" run scenarios/raft/leader_crash.toml --db "$DB" --set 'faults[0].at=3s'
expect_exit "--set of a [[faults]] key is checked as one" 2 "leader_crash.toml \(--set\): faults\[0\].target: unknown role 'primary'" \
  "$MESHSIM" run scenarios/raft/leader_crash.toml --db "$DB" --set 'faults[0].target=primary'
expect_exit "--set of a missing [[faults]] table says how many there are" 2 "faults\[5\] does not exist \(the scenario has 1 \[\[faults\]\] table" \
  "$MESHSIM" run scenarios/raft/leader_crash.toml --db "$DB" --set 'faults[5].at=3s'
er='[topology]\nkind = "erdos-renyi"\nnodes = 50\n[protocol]\nname = "gossip"\n'
for p in 0 1; do
  printf "$er"'[run]\nduration = "1s"\n' >"$WORK/er$p.toml" && sed -i "3a p = $p" "$WORK/er$p.toml"
  expect_exit "erdos-renyi with p = $p runs" 0 "status +complete" "$MESHSIM" run "$WORK/er$p.toml" --db "$DB"
done
printf "$er" >"$WORK/er_tiny.toml" && sed -i '3a p = 1e-300' "$WORK/er_tiny.toml"
expect_exit "erdos-renyi with p = 1e-300 is refused with its line" 2 "er_tiny.toml:4: topology.p: must be 0 or at least 1e-12" "$MESHSIM" run "$WORK/er_tiny.toml" --db "$DB"
# Per-node time series: Raft's term and commit index per server, gossip's coverage per node.
NS="$WORK/node_series.db"
"$MESHSIM" run scenarios/raft/leader_crash.toml --db "$NS" >/dev/null
expect_exit "show lists the per-node series" 0 "raft_term +5 +[0-9]+" "$MESHSIM" show 1 --db "$NS"
terms=$(sqlite3 "$NS" "select count(distinct value) from node_series where name = 'raft_term' and node = 0")
[[ $terms -gt 3 ]] && pass "a server's term moves through the leader crashes ($terms values)" || fail "raft_term of server 0 took $terms values"
expect_exit "export writes node_series.csv" 0 "node_series" bash -c "'$MESHSIM' export 1 --db '$NS' --csv '$WORK/nscsv' && head -1 '$WORK/nscsv/node_series.csv'"
printf '[run]\nduration = "1s"\n[topology]\nkind = "ring"\nnodes = 3000\n[protocol]\nname = "gossip"\n[metrics]\nnode_series = true\n' >"$WORK/big.toml"
"$MESHSIM" run "$WORK/big.toml" --db "$NS" >/dev/null
expect_exit "a big mesh samples 1000 nodes, and says so" 0 "^1000(\.0)?\|1000$" \
  sqlite3 "$NS" "select (select value from scalars where run_id = 2 and name = 'node_series_nodes'), (select count(distinct node) from node_series where run_id = 2)"
"$MESHSIM" run scenarios/quickstart.toml --db "$NS" >/dev/null
expect_exit "above 100 nodes per-node series are off unless asked for" 0 "^0$" \
  sqlite3 "$NS" "select count(*) from node_series where run_id = 3"
# Gossip's per-node summaries: every node up to 10,000, an even sample of 10,000 above.
printf '[run]\nduration = "500ms"\n[topology]\nkind = "ring"\nnodes = 30000\n[protocol]\nname = "gossip"\n' >"$WORK/huge.toml"
"$MESHSIM" run "$WORK/huge.toml" --db "$NS" --quiet >/dev/null
expect_exit "a 30,000-node gossip run summarises 10,000 nodes spread over all ids, and says so" 0 "^10000\|10000(\.0)?\|0\|2999[0-9]\|1$" \
  sqlite3 "$NS" "select count(distinct node), (select value from scalars where run_id = 4 and name = 'node_summary_nodes'), min(node), max(node),
                         max(node) - min(node) > 29000 and count(*) = count(distinct node) from node_summaries where run_id = 4 and name = 'messages_sent'"
expect_exit "a small gossip run summarises every node" 0 "^60\|60(\.0)?$" bash -c \
  "printf '[topology]\nkind = \"ring\"\nnodes = 60\n[protocol]\nname = \"gossip\"\n' >'$WORK/sixty.toml' && '$MESHSIM' run '$WORK/sixty.toml' --db '$NS' --quiet >/dev/null &&
   sqlite3 '$NS' \"select count(distinct node), (select value from scalars where run_id = 5 and name = 'node_summary_nodes') from node_summaries where run_id = 5\""
# Older databases are migrated in place, their runs kept. They are made from today's schema
# with the later changes taken out: version 4 lacks the sweeps tables, version 3 also the
# trace table, version 2 also the statuses 'inconclusive' and 'interrupted', version 1
# also node_series.
old_schema() {
  python3 -c "
import re, sys
t = open('results/schema.sql').read()
t = re.sub(r'CREATE TABLE IF NOT EXISTS sweeps .*?;\n\nCREATE TABLE IF NOT EXISTS sweep_runs .*?;\n.*?;\n', '', t, flags=re.S)
if sys.argv[1] != '4':
    t = re.sub(r'CREATE TABLE IF NOT EXISTS trace .*?;\n.*?;\n', '', t, flags=re.S)
if sys.argv[1] not in ('3', '4'):
    t = t.replace(\"'failed', 'inconclusive', 'interrupted', 'incomplete'\", \"'failed', 'incomplete'\")
if sys.argv[1] == '1':
    t = re.sub(r'CREATE TABLE IF NOT EXISTS node_series.*?;\n.*?;\n', '', t, flags=re.S)
print(t.replace('user_version = 5', 'user_version = ' + sys.argv[1]))" "$1"
}
old_run="insert into runs (scenario_name, scenario_path, scenario_text, seed, build_id, command_line, status, started_at, pid, host) values ('old', 'old.toml', '', 1, 'x', 'x', 'complete', 'then', 1, 'h')"
V1="$WORK/v1.db"
old_schema 1 | sqlite3 "$V1"
sqlite3 "$V1" "$old_run"
"$MESHSIM" run scenarios/raft/quiet.toml --db "$V1" >/dev/null
expect_exit "a version-1 database is migrated to version 5 and keeps its runs" 0 "^5\|2\|1$" \
  sqlite3 "$V1" "select (select user_version from pragma_user_version), (select count(*) from runs), (select count(*) > 0 from node_series)"
V2="$WORK/v2.db"
old_schema 2 | sqlite3 "$V2"
sqlite3 "$V2" "$old_run; $old_run; $old_run; insert into scalars values (1, 'x', 1.5); insert into scalars values (2, 'y', 2.5); delete from runs where run_id = 3"
if sqlite3 "$V2" "update runs set status = 'inconclusive' where run_id = 1" 2>/dev/null; then fail "the version-2 test schema accepts 'inconclusive'"; fi
"$MESHSIM" run scenarios/raft/quiet.toml --db "$V2" --set protocol.linearizability_max_states=10 >/dev/null
expect_exit "a version-2 database is migrated to version 5: runs, their rows and retired ids kept, new statuses taken" 0 "^5\|3\|4\|inconclusive\|2\|2$" \
  sqlite3 "$V2" "select (select user_version from pragma_user_version), (select count(*) from runs), (select max(run_id) from runs),
                         (select status from runs where run_id = 4), (select count(*) from scalars where run_id in (1, 2)),
                         (select count(*) from runs where run_id < 3 and scenario_name = 'old')"
V3="$WORK/v3.db"
old_schema 3 | sqlite3 "$V3"
sqlite3 "$V3" "$old_run"
if sqlite3 "$V3" "select count(*) from trace" 2>/dev/null; then fail "the version-3 test schema has a trace table"; fi
"$MESHSIM" run scenarios/raft/quiet.toml --db "$V3" --trace "max=10" >/dev/null
expect_exit "a version-3 database is migrated to version 5 and takes a trace" 0 "^5\|2\|10$" \
  sqlite3 "$V3" "select (select user_version from pragma_user_version), (select count(*) from runs), (select count(*) from trace where run_id = 2)"
V4="$WORK/v4.db"
old_schema 4 | sqlite3 "$V4"
sqlite3 "$V4" "$old_run"
if sqlite3 "$V4" "select count(*) from sweeps" 2>/dev/null; then fail "the version-4 test schema has a sweeps table"; fi
"$MESHSIM" sweep scenarios/raft/quiet.toml --seeds 1..2 --threads 1 --db "$V4" >/dev/null
expect_exit "a version-4 database is migrated to version 5 and records a sweep with its runs" 0 "^5\|3\|1\|complete\|2,3$" \
  sqlite3 "$V4" "select (select user_version from pragma_user_version), (select count(*) from runs), (select count(*) from sweeps),
                         (select status from sweeps), (select group_concat(run_id) from sweep_runs where sweep_id = 1)"
finish
