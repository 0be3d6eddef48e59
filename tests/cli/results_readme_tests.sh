#!/usr/bin/env bash
# Every query in results/README.md runs against a database of real runs and returns rows
# (unless documented as empty when all is well): the examples users copy first must work.
# Run ids matter to the examples: 3 is a Raft run, 17 a quickstart run.
# Usage: results_readme_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
DB="$WORK/results.db"
q() { "$MESHSIM" run "$@" --db "$DB" --quiet >/dev/null 2>&1; }
q scenarios/raft/quiet.toml                                                    # 1: complete, linearizable
q scenarios/raft/quiet.toml --set protocol.linearizability_max_states=10       # 2: inconclusive
q scenarios/raft/leader_crash.toml                                             # 3: Raft, per-node series
"$MESHSIM" sweep scenarios/quickstart.toml --seeds 1..13 --threads 1 --db "$DB" >/dev/null 2>&1   # 4..16
q scenarios/quickstart.toml --seed 7                                           # 17: quickstart again
q scenarios/quickstart.toml --set topology.nodes=500                           # 18: another size
q scenarios/quickstart.toml --set 'expect.messages_sent="< 0"'                 # 19: failed
layout=$(sqlite3 "$DB" "select group_concat(run_id || ':' || scenario_name || ':' || status, ' ') from runs where run_id in (2, 3, 17, 19)")
[[ $layout == "2:raft-quiet:inconclusive 3:raft-leader-crash:complete 17:quickstart:complete 19:quickstart:failed" ]] \
  && pass "the example database has the runs the README names" || fail "example database: $layout"

out=$(python3 "$ROOT/tests/cli/readme_queries.py" "$ROOT/results/README.md" "$DB" 2>&1)
code=$?
echo "$out" | sed 's/^/    /'
[[ $code == 0 ]] && pass "every query in results/README.md runs and returns what it says" || fail "results/README.md queries"
count=$(grep -c "^  ok" <<<"$out")
[[ $count -ge 14 ]] && pass "all the documented statements were found ($count)" || fail "only $count statements found"

# The checker itself can fail: a query on a key no run has returns nothing.
sed "s/p.key = 'topology.nodes'/p.key = 'network.nodes'/" "$ROOT/results/README.md" >"$WORK/README.md"
expect_exit "a documented query on a missing key fails the check" 1 "FAIL .*no rows" python3 "$ROOT/tests/cli/readme_queries.py" "$WORK/README.md" "$DB"
sed "s/FROM runs ORDER BY run_id DESC LIMIT 10/FROM runz ORDER BY run_id DESC LIMIT 10/" "$ROOT/results/README.md" >"$WORK/README.md"
expect_exit "a documented query SQLite refuses fails the check" 1 "FAIL .*no such table: runz" python3 "$ROOT/tests/cli/readme_queries.py" "$WORK/README.md" "$DB"
finish
