#!/usr/bin/env bash
# The lb workload keys from the command line: bursts, batches, trace files, processor
# sharing, drawn node speeds and the never-finish / bid-and-drop Byzantine behaviours run;
# bad values exit 2 naming file:line: key (for a trace: also the trace file and its line) with
# nothing written.
# Usage: lb_workload_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
DB="$WORK/runs.db"

echo "-- runs"
for f in bursts batch trace heterogeneous_dist; do
  expect_exit "scenarios/lb/$f.toml runs clean" 0 "lb_tasks_completed" "$MESHSIM" run scenarios/lb/$f.toml --db "$DB" --no-progress
done
expect_exit "processor sharing under chaos runs clean" 0 "lb_tasks_completed" \
  "$MESHSIM" run scenarios/lb/chaos.toml --db "$DB" --no-progress --set protocol.service=processor-sharing
expect_exit "meshsim protocols lists never-finish" 0 "never-finish" "$MESHSIM" protocols
expect_exit "... and bid-and-drop" 0 "bid-and-drop" "$MESHSIM" protocols
# A trace path is relative to the scenario file, wherever meshsim runs from.
mkdir -p "$WORK/sub"
cp scenarios/lb/trace.toml scenarios/lb/trace_small.csv "$WORK/sub/"
expect_exit "a trace path is relative to the scenario file" 0 "lb_tasks_completed +10" \
  bash -c "cd / && '$MESHSIM' run '$WORK/sub/trace.toml' --db '$DB' --no-progress"

echo "-- bad input: exit 2, file:line: key, nothing written"
bad() { expect_bad_scenario '[run]\nduration = "1s"\n[topology]\nkind = "none"\nnodes = 10\n[protocol]\nname = "lb"\n' "$@"; }  # bad NAME PATTERN KEY=VALUE-LINES...
bad "unknown arrival process" "bad.toml:8: protocol.arrivals" 'arrivals = "storm"'
bad "burst_on without on-off" "bad.toml:8: protocol.burst_on: has no effect unless arrivals" 'burst_on = "1s"'
bad "burst_off of zero" "bad.toml:9: protocol.burst_off" 'arrivals = "on-off"' 'burst_off = "0s"'
bad "on-off with no rate" "bad.toml:9: protocol.arrival_rate: must be > 0" 'arrivals = "on-off"' 'arrival_rate = 0.0'
bad "batch_size without batch" "bad.toml:8: protocol.batch_size: has no effect" 'batch_size = 4'
bad "batch_size of zero" "bad.toml:9: protocol.batch_size" 'arrivals = "batch"' 'batch_size = 0'
bad "batch_interval not a duration" "bad.toml:9: protocol.batch_interval" 'arrivals = "batch"' 'batch_interval = 5'
bad "arrival_rate with batch" "bad.toml:9: protocol.arrival_rate: has no effect with arrivals" 'arrivals = "batch"' 'arrival_rate = 3.0'
bad "trace_file without trace" "bad.toml:8: protocol.trace_file: has no effect" 'trace_file = "t.csv"'
bad "trace without trace_file" "bad.toml.*protocol.trace_file: is required" 'arrivals = "trace"'
bad "a trace file that does not exist" "bad.toml:9: protocol.trace_file: cannot open the trace file .*nope.csv" 'arrivals = "trace"' 'trace_file = "nope.csv"'
bad "task_size with a trace" "bad.toml:9: protocol.task_size: has no effect with arrivals = \"trace\"" \
  'arrivals = "trace"' 'task_size = "constant"' 'trace_file = "t.csv"'
bad "unknown service discipline" "bad.toml:8: protocol.service" 'service = "lifo"'
bad "node_speed not a table" "bad.toml:8: protocol.node_speed: expected a table" 'node_speed = 2.0'
bad "node_speed without dist" "protocol.node_speed.dist: is required" 'node_speed = { min = 1.0 }'
bad "unknown speed distribution" "bad.toml:8: protocol.node_speed.dist" 'node_speed = { dist = "normal" }'
bad "uniform max below min" "bad.toml:8: protocol.node_speed.max: must be at least min" 'node_speed = { dist = "uniform", min = 2.0, max = 1.0 }'
bad "lognormal sigma out of range" "bad.toml:8: protocol.node_speed.sigma" 'node_speed = { dist = "lognormal", median = 1.0, sigma = 9.0 }'
bad "pareto shape without a mean" "bad.toml:8: protocol.node_speed.shape" 'node_speed = { dist = "pareto", min = 1.0, shape = 1.0 }'
bad "a key of another distribution" "bad.toml:8: protocol.node_speed.sigma" 'node_speed = { dist = "uniform", sigma = 1.0 }'

echo "-- bad trace lines: exit 2 naming the trace file and line"
trace_bad() {  # trace_bad NAME PATTERN CSV-LINES...
  local name=$1 pattern=$2
  shift 2
  printf '%s\n' "$@" >"$WORK/t.csv"
  local f="$WORK/bad.toml"
  printf '[run]\nduration = "1s"\n[topology]\nkind = "none"\nnodes = 10\n[protocol]\nname = "lb"\narrivals = "trace"\ntrace_file = "t.csv"\n' >"$f"
  local before
  before=$(rows "$DB" runs)
  expect_exit "$name" 2 "$pattern" "$MESHSIM" run "$f" --db "$DB" --no-progress
  [[ $(rows "$DB" runs) == "$before" ]] || fail "$name wrote a run"
}
trace_bad "too few fields" "bad.toml:9: protocol.trace_file: .*t.csv:2: expected time,node,size" 'time,node,size' '1s,2'
trace_bad "a time without units" "bad.toml:9: protocol.trace_file: .*t.csv:1: time \"5\"" '5,1,10ms'
trace_bad "a negative time" "bad.toml:9: protocol.trace_file: .*t.csv:1: time" '-1s,1,10ms'
trace_bad "a node that is not a number" "bad.toml:9: protocol.trace_file: .*t.csv:3: node \"x\"" '# comment' '' '1s,x,10ms'
trace_bad "a node beyond the topology" "bad.toml:9: protocol.trace_file: .*t.csv:1: node 10 does not exist" '1s,10,10ms'
trace_bad "a size of zero" "bad.toml:9: protocol.trace_file: .*t.csv:1: size \"0s\"" '1s,1,0s'
trace_bad "a key that is not a number" "bad.toml:9: protocol.trace_file: .*t.csv:1: key \"k\"" '1s,1,10ms,k'
trace_bad "a capability no node has" "bad.toml:9: protocol.trace_file: .*t.csv:2: no node has capability \"gpu\"" '1s,1,10ms' '2s,1,10ms,,gpu'
trace_bad "an empty trace" "bad.toml:9: protocol.trace_file: .*t.csv: the trace has no tasks" '# nothing'
trace_bad "six fields" "bad.toml:9: protocol.trace_file: .*t.csv:1: expected" '1s,1,10ms,1,gpu,extra'
finish
