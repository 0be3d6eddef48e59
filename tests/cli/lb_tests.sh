#!/usr/bin/env bash
# The load-balancing module from the command line: it is listed by `meshsim protocols`,
# its strategies run with their metrics in the database, planted bugs fail the run (exit 1)
# with the reproduction command, and bad values of its keys exit 2 naming file:line: key
# with nothing written.
# Usage: lb_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
DB="$WORK/runs.db"

echo "-- listed"
expect_exit "meshsim protocols lists lb with its behaviours and metrics" 0 "lie-load" "$MESHSIM" protocols
expect_exit "... and its sojourn histogram" 0 "lb_sojourn_ns" "$MESHSIM" protocols

echo "-- runs"
for s in random round-robin power-of-d least-loaded work-stealing auction; do
  expect_exit "strategy $s runs clean on the chaos scenario" 0 "lb_tasks_completed" \
    "$MESHSIM" run scenarios/lb/chaos.toml --db "$DB" --no-progress --set protocol.strategy=$s
done
n=$(sqlite3 "$DB" "select count(*) from scalars where name = 'lb_sojourn_ns_p99'")
[[ $n == 6 ]] && pass "sojourn p99 of each run is in the database" || fail "sojourn rows: $n"
n=$(sqlite3 "$DB" "select count(distinct run_id) from series where name = 'lb_load_cv'" 2>/dev/null || echo 0)
[[ $n == 6 ]] && pass "load CV time series of each run is in the database" || fail "series runs: $n"
expect_exit "balls into bins reports its max load" 0 "lb_bins_max_load " \
  "$MESHSIM" run scenarios/lb/balls_into_bins_d2.toml --db "$DB" --no-progress --set topology.nodes=10000

echo "-- planted bugs fail the run with the reproduction command"
# The shipped files demand the failure ([expect] failure); without that line it fails the run.
for f in planted_commit_duplicates planted_forget_timed_out planted_ignore_capabilities; do
  sed '/^failure = /d' scenarios/lb/$f.toml >"$WORK/$f.toml"
done
expect_exit "commit-duplicates: lb.exactly_once" 1 "lb.exactly_once.*executed twice" \
  "$MESHSIM" run "$WORK/planted_commit_duplicates.toml" --db "$DB" --no-progress
expect_exit "... with the reproduction command" 1 "meshsim run .*planted_commit_duplicates.toml --seed 1" \
  "$MESHSIM" run "$WORK/planted_commit_duplicates.toml" --db "$DB" --no-progress
expect_exit "forget-timed-out: lb.exactly_once (vanished)" 1 "lb.exactly_once.*vanished" \
  "$MESHSIM" run "$WORK/planted_forget_timed_out.toml" --db "$DB" --no-progress
expect_exit "ignore-capabilities: lb.capability" 1 "lb.capability" \
  "$MESHSIM" run "$WORK/planted_ignore_capabilities.toml" --db "$DB" --no-progress
expect_exit "the shipped planted file passes: its checker fired as [expect] demands" 0 "" \
  "$MESHSIM" run scenarios/lb/planted_commit_duplicates.toml --db "$DB" --no-progress
expect_exit "... and fails with the bug removed" 1 "lb.exactly_once" \
  "$MESHSIM" run scenarios/lb/planted_commit_duplicates.toml --db "$DB" --no-progress --set protocol.bug=none

echo "-- bad input: exit 2, file:line: key, nothing written"
bad() { expect_bad_scenario '[run]\nduration = "1s"\n[topology]\nkind = "none"\nnodes = 10\n[protocol]\nname = "lb"\n' "$@"; }  # bad NAME PATTERN KEY=VALUE-LINES...
bad "unknown strategy" "bad.toml:8: protocol.strategy" 'strategy = "fastest"'
bad "d out of range" "bad.toml:9: protocol.d" 'strategy = "power-of-d"' 'd = 0'
bad "d without power-of-d" "bad.toml:8: protocol.d: has no effect unless strategy" 'd = 3'
bad "view_size without least-loaded" "bad.toml:8: protocol.view_size" 'view_size = 3'
bad "negative arrival rate" "bad.toml:8: protocol.arrival_rate" 'arrival_rate = -1.0'
bad "unknown task size" "bad.toml:8: protocol.task_size" 'task_size = "uniform"'
bad "pareto shape without a mean" "bad.toml:9: protocol.pareto_shape" 'task_size = "pareto"' 'pareto_shape = 1.0'
bad "capability share above 1" "bad.toml:8: protocol.capability_share" 'capability_share = 1.5'
bad "capability share without a capability" "bad.toml:8: protocol.capability_share: needs required_capability" 'capability_share = 0.5'
bad "a capability no node has" "bad.toml:8: protocol.required_capability: no node has capability \"gpu\"" \
  'required_capability = "gpu"' 'capability_share = 0.5'
bad "task timeout of zero" "bad.toml:8: protocol.task_timeout" 'task_timeout = "0s"'
bad "balls without balls-into-bins" "bad.toml:8: protocol.balls" 'balls = 100'
bad "balls-into-bins with round-robin" "bad.toml:9: protocol.strategy" 'mode = "balls-into-bins"' 'strategy = "round-robin"'
bad "steal without work-stealing" "bad.toml:8: protocol.steal: has no effect unless strategy" 'steal = "one"'
bad "unknown steal amount" "bad.toml:9: protocol.steal" 'strategy = "work-stealing"' 'steal = "all"'
bad "unknown victim set" "bad.toml:9: protocol.steal_from" 'strategy = "work-stealing"' 'steal_from = "friends"'
bad "migrate_below without migration" "bad.toml:8: protocol.migrate_below: has no effect unless migrate_above" 'migrate_below = 1'
bad "migrate_below not below migrate_above" "bad.toml:9: protocol.migrate_below: must be below migrate_above" 'migrate_above = 2' 'migrate_below = 2'
bad "unknown planted bug" "bad.toml:8: protocol.bug" 'bug = "everything"'
bad "typo in a key" "bad.toml:8: protocol.stratgy" 'stratgy = "random"'
bad "unknown Byzantine behaviour" "behavior" '[[faults]]' 'at = "0s"' 'kind = "byzantine"' 'nodes = "0"' 'module = "lb"' 'behavior = "lie-loud"'
bad "keys without consistent-hash" "bad.toml:8: protocol.keys: has no effect unless strategy" 'keys = 100'
bad "replicas without consistent-hash" "bad.toml:8: protocol.replicas: has no effect unless strategy" 'replicas = 2'
bad "consistent-hash without keys" "bad.toml:.*protocol.keys: strategy = \"consistent-hash\" needs" 'strategy = "consistent-hash"'
bad "zero keys" "bad.toml:9: protocol.keys" 'strategy = "consistent-hash"' 'keys = 0'
bad "negative Zipf exponent" "bad.toml:10: protocol.key_zipf" 'strategy = "consistent-hash"' 'keys = 10' 'key_zipf = -1.0'
bad "zero virtual nodes" "bad.toml:10: protocol.virtual_nodes" 'strategy = "consistent-hash"' 'keys = 10' 'virtual_nodes = 0'
bad "zero replicas" "bad.toml:10: protocol.replicas" 'strategy = "consistent-hash"' 'keys = 10' 'replicas = 0'
bad "repair interval of zero" "bad.toml:10: protocol.repair_interval" 'strategy = "consistent-hash"' 'keys = 10' 'repair_interval = "0s"'
bad "consistent-hash with capability routing" "bad.toml:.*protocol.capability_share: cannot be combined" \
  'strategy = "consistent-hash"' 'keys = 10' 'capability_share = 0.5' 'required_capability = "gpu"'
bad "consistent-hash with migration" "bad.toml:.*protocol.migrate_above: cannot be combined" 'strategy = "consistent-hash"' 'keys = 10' 'migrate_above = 3'
bad "ring bug without consistent-hash" "bad.toml:8: protocol.bug: \"ring-replicas-short\" needs" 'bug = "ring-replicas-short"'
bad "ring bug with one replica" "bad.toml:.*protocol.bug: \"ring-replicas-short\" needs replicas" \
  'strategy = "consistent-hash"' 'keys = 10' 'replicas = 1' 'bug = "ring-replicas-short"'

echo "-- consistent hashing: the planted bug fails the run, the shipped file demands it"
sed '/^failure = /d' scenarios/lb/planted_ring_replicas_short.toml >"$WORK/planted_ring.toml"
expect_exit "ring-replicas-short: lb.replicas (durability)" 1 "lb.replicas.*after only 1 failure" \
  "$MESHSIM" run "$WORK/planted_ring.toml" --db "$DB" --no-progress
expect_exit "ring-replicas-short with r = 3: lb.replicas (placement)" 1 "lb.replicas.*holds none on the settled ring" \
  "$MESHSIM" run "$WORK/planted_ring.toml" --db "$DB" --no-progress --set protocol.replicas=3
expect_exit "... and the shipped file fails with the bug removed" 1 "lb.replicas" \
  "$MESHSIM" run scenarios/lb/planted_ring_replicas_short.toml --db "$DB" --no-progress --set protocol.bug=none
expect_exit "ring churn runs clean and reports keys moved" 0 "lb_ring_keys_moved_over_ideal" \
  "$MESHSIM" run scenarios/lb/ring_churn.toml --db "$DB" --no-progress
finish
