#!/usr/bin/env bash
# CI integration: `check` and `sweep` write JUnit XML (--junit FILE) that validates against
# tests/cli/junit.xsd (the format CI servers read), with one test case per scenario and
# seed, failures carrying their reproduction command, inconclusive runs as <skipped> and
# bad input as <error>; the file is replaced atomically; --json gives the same as one object.
# Usage: junit_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
DB="$WORK/runs.db"
XSD="$ROOT/tests/cli/junit.xsd"
command -v xmllint >/dev/null || { fail "xmllint is missing (scripts/setup.sh installs libxml2-utils)"; finish; exit 1; }
xpath() { xmllint --xpath "$2" "$1" 2>/dev/null; }

# A suite with one of each outcome: pass, failure, inconclusive, bad input.
mkdir -p "$WORK/suite"
cp scenarios/raft/quiet.toml "$WORK/suite/a_pass.toml"
sed 's/failure = "pbft.agreement"/failure = "pbft.validity"/' scenarios/pbft/colluders.toml >"$WORK/suite/b_fail.toml"
sed 's/^servers = 5$/servers = 5\nlinearizability_max_states = 10/' scenarios/raft/quiet.toml >"$WORK/suite/c_unknown.toml"
printf '[topology]\nnodes = "ten"\n[protocol]\nname = "phold"\n' >"$WORK/suite/d_bad.toml"
REPORT="$WORK/report.xml"
expect_exit "check --junit exits with the most serious code (bad input: 2)" 2 "1 passed, 1 failed, 1 inconclusive, 1 errors" \
  "$MESHSIM" check "$WORK/suite" --db "$DB" --threads 2 --junit "$REPORT"
expect_exit "the report validates against the JUnit schema" 0 "validates" xmllint --noout --schema "$XSD" "$REPORT"
counts=$(xpath "$REPORT" "concat(count(//testcase), ' ', count(//testcase/failure), ' ', count(//testcase/skipped), ' ', count(//testcase/error), ' ', /testsuites/@tests, ' ', /testsuites/@failures, ' ', /testsuites/@skipped, ' ', /testsuites/@errors, ' ', count(//testsuite))")
[[ $counts == "4 1 1 1 4 1 1 1 4" ]] && pass "one test case per scenario and seed, and the counts agree" || fail "counts: $counts" "$(cat "$REPORT")"
expect_exit "a failure names the checker and carries the reproduction command" 0 "checker pbft.agreement violated.*reproduce: meshsim run .*b_fail.toml --seed" \
  bash -c "xmllint --xpath 'string(//testcase[failure]/failure)' '$REPORT' | tr '\n' ' '"
expect_exit "an inconclusive run is <skipped> with the reason" 0 "^inconclusive: raft.linearizability: search budget of 10 states" \
  xmllint --xpath "string(//testcase/skipped/@message)" "$REPORT"
expect_exit "bad input is an <error> of type bad-input" 0 "^bad-input$" xmllint --xpath "string(//error/@type)" "$REPORT"
expect_exit "... naming the file and line" 0 "d_bad.toml:2: topology.nodes: expected an integer" xmllint --xpath "string(//error/@message)" "$REPORT"
expect_exit "test cases are named by seed, classed by scenario" 0 "^seed 1 raft-quiet$" \
  xmllint --xpath "concat(//testsuite[1]/testcase/@name, ' ', //testsuite[1]/testcase/@classname)" "$REPORT"
ls -a "$WORK" | grep -q '^\.report\.xml\.' && fail "a temporary report file was left behind" || pass "no temporary file is left behind"

# The schema is strict enough to catch a broken report.
sed 's/ classname="[^"]*"//' "$REPORT" >"$WORK/broken.xml"
expect_exit "a report without classname fails validation" 3 "" xmllint --noout --schema "$XSD" "$WORK/broken.xml"
sed '0,/<skipped /s//<skipped reason="x" /' "$REPORT" >"$WORK/broken2.xml"
expect_exit "an unknown attribute fails validation" 3 "" xmllint --noout --schema "$XSD" "$WORK/broken2.xml"

# Failure text with markup, quotes and control characters stays well-formed.
expect_exit "a failure text with markup and control characters stays valid XML" 0 "validates" bash -c \
  "'$MESHSIM' sweep scenarios/raft/quiet.toml --seeds 1..2 --db '$DB' --threads 2 --set \$'run.name=a<b>&\"c\x01' --set 'expect.ops_completed=\"> 1e9\"' --junit '$WORK/markup.xml' >/dev/null; xmllint --noout --schema '$XSD' '$WORK/markup.xml' 2>&1"
expect_exit "sweep --junit: one case per seed, both failed" 0 "^2 2$" \
  xmllint --xpath "concat(count(//testcase), ' ', count(//failure))" "$WORK/markup.xml"

echo "-- atomic replacement and bad paths"
echo "old" >"$WORK/replace.xml"
expect_exit "an existing report is replaced" 0 "passed" "$MESHSIM" sweep scenarios/raft/quiet.toml --seeds 1 --db "$DB" --junit "$WORK/replace.xml"
expect_exit "... by a valid one" 0 "validates" xmllint --noout --schema "$XSD" "$WORK/replace.xml"
expect_exit "--junit into a missing folder is refused before any run" 2 "cannot write .*/nowhere/r.xml: folder .*/nowhere does not exist" \
  "$MESHSIM" sweep scenarios/raft/quiet.toml --seeds 1..3 --db "$WORK/never.db" --junit "$WORK/nowhere/r.xml"
[[ ! -e "$WORK/never.db" ]] && pass "... and nothing ran" || fail "a run happened before the bad --junit path was refused"
ln -s /etc/passwd "$WORK/link.xml"
expect_exit "--junit onto a symbolic link is refused" 2 "link.xml: it is a symbolic link" \
  "$MESHSIM" check "$WORK/suite" --db "$WORK/never.db" --junit "$WORK/link.xml"
expect_exit "--junit onto a folder is refused" 2 "it exists and is not a regular file" \
  "$MESHSIM" sweep scenarios/raft/quiet.toml --db "$WORK/never.db" --junit "$WORK/suite"

echo "-- --json"
json=$("$MESHSIM" check "$WORK/suite" --db "$DB" --threads 2 --json 2>/dev/null)
code=$?
summary=$(python3 -c "
import json, sys
j = json.loads(sys.stdin.read())
print(j['command'], j['passed'], j['failed'], j['inconclusive'], j['errors'], j['exit_code'], len(j['runs']),
      sorted(r['verdict'] for r in j['runs']), [r.get('reproduce', '')[:11] for r in j['runs'] if r['verdict'] == 'FAILED'])
" <<<"$json" 2>&1)
[[ $code == 2 && $summary == "check 1 1 1 1 2 4 ['ERROR', 'FAILED', 'INCONCLUSIVE', 'ok'] ['meshsim run']" ]] \
  && pass "check --json is one object with every run and the counts" || fail "check --json: exit $code, $summary" "$json"
json=$("$MESHSIM" sweep scenarios/raft/quiet.toml --seeds 1..3 --db "$DB" --threads 2 --json 2>/dev/null)
summary=$(python3 -c "
import json, sys
j = json.loads(sys.stdin.read())
print(j['passed'], j['exit_code'], [r['seed'] for r in j['runs']], [r['status'] for r in j['runs']])" <<<"$json" 2>&1)
[[ $summary == "3 0 [1, 2, 3] ['complete', 'complete', 'complete']" ]] && pass "sweep --json lists every seed" || fail "sweep --json: $summary" "$json"
finish
