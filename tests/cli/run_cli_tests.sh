#!/usr/bin/env bash
# Command-line tests: the meshsim binary as a user runs it. Checks exit codes, messages,
# that bad input writes nothing, JSON fields, list/show/export, and determinism through
# the CLI. Usage: run_cli_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"

cat >"$WORK/small.toml" <<'TOML'
[run]
duration = "2s"
[topology]
kind = "random-regular"
nodes = 60
degree = 4
[network]
latency = { kind = "uniform", min = "1ms", max = "5ms" }
[protocol]
name = "gossip"
strategy = "anti-entropy"
mode = "push-pull"
rumors = 2
rumor_interval = "200ms"
[expect]
residue = "== 0"
TOML

DB="$WORK/runs.db"
expect_exit "run a scenario: exit 0 and a summary" 0 "status +complete" "$MESHSIM" run "$WORK/small.toml" --seed 7 --db "$DB"
expect_exit "the run is in the database as complete" 0 "complete" sqlite3 "$DB" "select status from runs where run_id = 1"
expect_exit "--json prints the documented fields" 0 '"scenario": "small".*"seed": 7.*"status": "complete".*"events": [0-9]+.*"sim_time_ns": [0-9]+.*"wall_s".*"fingerprint": "[0-9a-f]{16}".*"run_id": 2.*"metrics": \{' \
  "$MESHSIM" run "$WORK/small.toml" --seed 7 --db "$DB" --json
fp1=$("$MESHSIM" run "$WORK/small.toml" --seed 7 --db "$DB" --json | grep -oE '"fingerprint": "[0-9a-f]+"')
fp2=$("$MESHSIM" run "$WORK/small.toml" --seed 7 --db "$DB" --json | grep -oE '"fingerprint": "[0-9a-f]+"')
fp3=$("$MESHSIM" run "$WORK/small.toml" --seed 8 --db "$DB" --json | grep -oE '"fingerprint": "[0-9a-f]+"')
if [[ -n "$fp1" && "$fp1" == "$fp2" && "$fp1" != "$fp3" ]]; then pass "same seed, same fingerprint; other seed, other fingerprint"
else fail "fingerprints: $fp1 / $fp2 / $fp3"; fi

expect_exit "a failed expectation exits 1 and says how to reproduce" 1 "reproduce +meshsim run .*small.toml --seed 7 --set 'expect.residue=\"> 0.5\"'" \
  "$MESHSIM" run "$WORK/small.toml" --seed 7 --db "$DB" --set 'expect.residue="> 0.5"'
expect_exit "list shows the runs" 0 "complete" "$MESHSIM" list --db "$DB"
expect_exit "show prints a run's metrics" 0 "residue" "$MESHSIM" show 1 --db "$DB"
expect_exit "export writes CSV files" 0 "wrote run 1" "$MESHSIM" export 1 --db "$DB" --csv "$WORK/csv"
expect_exit "the exported scalars are CSV" 0 "^1,residue," grep -E "^1,residue," "$WORK/csv/scalars.csv"
expect_exit "show of a missing run is exit 2" 2 "" "$MESHSIM" show 999 --db "$DB"
expect_exit "list of a missing database is exit 2, and creates nothing" 2 "" "$MESHSIM" list --db "$WORK/none.db"
[[ ! -e "$WORK/none.db" ]] && pass "no database file was created by list" || fail "list created a database"

# Bad input: exit 2, file:line: key, and nothing written.
BAD_DB="$WORK/bad.db"
bad() {
  local name=$1 pattern=$2 file=$3
  shift 3
  expect_exit "bad input: $name" 2 "$pattern" "$MESHSIM" run "$file" --db "$BAD_DB" "$@"
}
printf '[topology]\nnodes = 10\nbogus = 1\n[protocol]\nname = "phold"\n' >"$WORK/unknown.toml"
bad "unknown key" "unknown.toml:3: topology.bogus: unknown key" "$WORK/unknown.toml"
printf '[topology]\nnodes = "ten"\n[protocol]\nname = "phold"\n' >"$WORK/type.toml"
bad "wrong type" "type.toml:2: topology.nodes: expected an integer, got a string" "$WORK/type.toml"
printf '[run]\nduration = "-1s"\n[topology]\nnodes = 10\n[protocol]\nname = "phold"\n' >"$WORK/neg.toml"
bad "negative duration" "neg.toml:2: run.duration: duration must not be negative" "$WORK/neg.toml"
printf '[topology]\nnodes = 10\n[network]\nloss = 2\n[protocol]\nname = "phold"\n' >"$WORK/prob.toml"
bad "probability outside [0,1]" "prob.toml:4: network.loss: probability 2 is outside \[0, 1\]" "$WORK/prob.toml"
printf '[topology]\nnodes = 10\n[protocol]\nname = "phold"\n[[faults]]\nkind = "crash"\nat = "1s"\nnodes = "5..12"\n' >"$WORK/range.toml"
bad "node range beyond the node count" "range.toml:8: faults\[0\].nodes: node 12 is beyond the node count" "$WORK/range.toml"
printf '[topology]\nnodes = 10\n[protocol]\nname = "phold"\n[[faults]]\nkind = "partition"\nat = "1s"\ngroups = { a = "0..4", b = [4, 5] }\n' >"$WORK/twice.toml"
bad "partition names a node twice" "twice.toml:8: faults\[0\].groups.b: names a node that is already in another group" "$WORK/twice.toml"
: >"$WORK/empty.toml"
bad "empty file" "empty.toml: the file is empty" "$WORK/empty.toml"
head -c 300 "$MESHSIM" >"$WORK/binary.toml"
bad "binary file" "binary.toml: this is a binary file" "$WORK/binary.toml"
pbft='[topology]\nkind = "none"\nnodes = 8\n[protocol]\nname = "pbft"\n'
printf "$pbft"'replicas = 5\n' >"$WORK/pbft_n.toml"
bad "pbft replicas not 3f+1" "pbft_n.toml:6: protocol.replicas: must be 3f \+ 1" "$WORK/pbft_n.toml"
printf '[topology]\nkind = "none"\nnodes = 7\n[protocol]\nname = "pbft"\nreplicas = 7\n' >"$WORK/pbft_small.toml"
bad "pbft without a client node" "pbft_small.toml:6: protocol.replicas: 7 replicas need at least one more node" "$WORK/pbft_small.toml"
printf "$pbft"'[[faults]]\nkind = "byzantine"\nat = "1s"\nnodes = 1\nbehavior = "lie"\n' >"$WORK/pbft_byz.toml"
bad "unknown pbft behaviour" "pbft_byz.toml:10: faults\[0\].behavior: unknown behaviour 'lie' for pbft; known: .*equivocate" "$WORK/pbft_byz.toml"
printf "$pbft"'checkpoint_interval = 64\nlog_window = 32\n' >"$WORK/pbft_window.toml"
bad "pbft window below K" "pbft_window.toml:7: protocol.log_window: must be at least checkpoint_interval" "$WORK/pbft_window.toml"
bad "missing file" "nowhere.toml: no such file" "$WORK/nowhere.toml"
bad "bad --set" "--set nodes: expected key=value" "$WORK/small.toml" --set nodes
bad "--set out of range" "small.toml \(--set\): topology.nodes: 0 is out of range" "$WORK/small.toml" --set topology.nodes=0
raft='[topology]\nkind = "none"\nnodes = 6\n[protocol]\nname = "raft"\nservers = 5\n[[faults]]\nkind = "crash"\nat = "1s"\n'
printf "$raft"'target = "boss"\n' >"$WORK/role.toml"
bad "unknown fault target role" "role.toml:10: faults\[0\].target: unknown role 'boss' for raft; known: leader, follower" "$WORK/role.toml"
printf "$raft"'target = "leader"\nevery = "1s"\n' >"$WORK/every.toml"
bad "every without lasting" "every.toml:7: faults\[0\].lasting: required with every" "$WORK/every.toml"
printf "$raft"'target = "leader"\nnodes = 1\n' >"$WORK/both.toml"
bad "nodes and target together" "both.toml:11: faults\[0\].nodes: give either nodes or target" "$WORK/both.toml"
printf '[topology]\nnodes = 4\n[protocol]\nname = "raft"\nservers = 5\n' >"$WORK/servers.toml"
bad "more servers than nodes" "servers.toml:5: protocol.servers: 5 servers need at least that many nodes" "$WORK/servers.toml"
printf '[topology]\nnodes = 6\n[protocol]\nname = "raft"\nheartbeat_interval = "200ms"\n' >"$WORK/hb.toml"
bad "heartbeat slower than the election timeout" "hb.toml:5: protocol.heartbeat_interval: must be below election_timeout_min" "$WORK/hb.toml"
expect_exit "usage error is exit 2" 2 "" "$MESHSIM" run
expect_exit "unknown command is exit 2" 2 "" "$MESHSIM" frobnicate
[[ ! -e "$BAD_DB" ]] && pass "bad input wrote no database" || fail "bad input created $BAD_DB"

# A folder of scenarios as a regression suite, and a seed sweep.
mkdir -p "$WORK/suite" && cp "$WORK/small.toml" "$WORK/suite/"
expect_exit "check runs a folder of scenarios" 0 "1 passed, 0 failed" "$MESHSIM" check "$WORK/suite" --db "$DB" --threads 2
expect_exit "sweep runs seeds in parallel" 0 "5 passed, 0 failed" "$MESHSIM" sweep "$WORK/small.toml" --seeds 1..5 --db "$DB" --threads 2

# ---- input-fuzz: bad input found by tests/fuzz (or known before it). Each is exit 2 with
# file:line: key, never a signal, a sanitizer report or exit 3, and writes nothing. ----
FUZZ_DB="$WORK/fuzz.db"
phold='[topology]\nkind = "ring"\nnodes = 10\n[protocol]\nname = "phold"\n'
fuzz_bad() {
  local name=$1 pattern=$2 file=$3
  shift 3
  expect_exit "fuzz: $name" 2 "$pattern" "$MESHSIM" run "$file" --db "$FUZZ_DB" --no-progress "$@"
}
printf "$phold"'[[faults]]\nkind = "crash"\nat = "1000000000000s"\nnodes = 1\n' >"$WORK/f_at.toml"
fuzz_bad "fault at past int64" "f_at.toml:8: faults\[0\].at: duration out of range" "$WORK/f_at.toml"
printf '[topology]\nnodes = 6\n[protocol]\nname = "raft"\nelection_timeout_min = "999999999999999h"\n' >"$WORK/f_raft.toml"
fuzz_bad "raft timeout past int64" "f_raft.toml:5: protocol.election_timeout_min: duration out of range" "$WORK/f_raft.toml"
printf "$phold" >"$WORK/f_base.toml"
fuzz_bad "run.duration past the maximum" "f_base.toml \(--set\): run.duration: duration out of range" "$WORK/f_base.toml" --set 'run.duration="2562048h"'
printf "$phold"'[metrics]\ninterval = "9999999999h"\n' >"$WORK/f_interval.toml"
fuzz_bad "metrics.interval past the maximum" "f_interval.toml:7: metrics.interval: duration out of range" "$WORK/f_interval.toml"
printf "$phold"'[network]\nlatency = "9223372036854775808ns"\n' >"$WORK/f_latency.toml"
fuzz_bad "latency of 2^63 ns" "f_latency.toml:7: network.latency: duration out of range" "$WORK/f_latency.toml"
printf "$phold"'[[faults]]\nkind = "crash"\nat = "1s"\nuntil = "9223372036854775807ns"\nnodes = 1\n' >"$WORK/f_until.toml"
fuzz_bad "fault until at int64 max" "f_until.toml:9: faults\[0\].until: duration out of range" "$WORK/f_until.toml"
printf "$phold"'[[faults]]\nkind = "crash"\nat = "1s"\nnodes = "4294967297"\n' >"$WORK/f_node.toml"
fuzz_bad "node id string past 32 bits" "f_node.toml:9: faults\[0\].nodes: '4294967297': node id too large" "$WORK/f_node.toml"
python3 -c "print('[' + '.'.join(['t'] * 50000) + ']')" >"$WORK/f_deep.toml"
fuzz_bad "a 50,000-component table header" "f_deep.toml:1: line too long" "$WORK/f_deep.toml"
python3 -c "print('[' + '.'.join(['t'] * 20000) + ']')" >"$WORK/f_deep20k.toml"
fuzz_bad "a 20,000-component table header" "f_deep20k.toml:1: nested too deep" "$WORK/f_deep20k.toml"
printf "$phold"'[[faults]]\nkind = "crash"\nat = "1s"\nnodes = 1\nevery = "1ns"\nlasting = "1ns"\n' >"$WORK/f_every.toml"
fuzz_bad "every = 1ns (billions of windows)" "f_every.toml:10: faults\[0\].every: 1ns repeats the fault" "$WORK/f_every.toml"
fuzz_bad "a --set value that is not TOML is a string, and a new section has no line" "f_base.toml \(--set\): a: unknown section" "$WORK/f_base.toml" --set 'a=x"""'
[[ ! -e "$FUZZ_DB" ]] && pass "fuzz: bad input wrote no database" || fail "fuzz: bad input created $FUZZ_DB"
printf "$phold"'[run]\nduration = "1s"\n[network]\nbandwidth_mbps = 1e-300\nlatency = { kind = "pareto", scale = "1ms", shape = 0.01 }\n' >"$WORK/f_tail.toml"
expect_exit "fuzz: tiny bandwidth and a heavy tail run to the end, delivering nothing" 0 "messages_delivered +0$" \
  "$MESHSIM" run "$WORK/f_tail.toml" --db "$WORK/f_tail.db" --no-progress
# ---- end of input-fuzz ----

finish
