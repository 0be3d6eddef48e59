#!/usr/bin/env bash
# The shipped scenarios as a regression suite: `meshsim check scenarios` must be green on a
# clean checkout, including the scenarios that prove a checker fires ([expect] failure).
# Usage: suite_tests.sh MESHSIM_BINARY REPO_ROOT
MESHSIM=$1
ROOT=$2
source "$(dirname "$0")/lib.sh"
DB="$WORK/suite.db"

if sanitized; then
  # The whole suite takes minutes under ASan (pBFT at n = 100, the Raft open loop); the
  # scenarios that fail on purpose and a few quick ones still run here.
  mkdir -p "$WORK/suite"
  cp --parents scenarios/pbft/colluders.toml scenarios/raft/figure8_bug.toml scenarios/raft/quiet.toml \
     scenarios/pbft/quiet.toml scenarios/quickstart.toml "$WORK/suite/"
  expect_exit "check: the expected-failure scenarios and quick ones pass" 0 "^5 passed, 0 failed" \
    "$MESHSIM" check "$WORK/suite" --db "$DB" --threads 2
else
  count=$(find scenarios -name '*.toml' | wc -l)
  expect_exit "meshsim check scenarios is green out of the box" 0 "^$count passed, 0 failed" \
    "$MESHSIM" check scenarios --db "$DB" --threads 2
fi

# expect.failure, as a user meets it.
expect_exit "a run that fails as expected exits 0 and names the checker" 0 "expected +checker pbft.agreement violated" \
  "$MESHSIM" run scenarios/pbft/colluders.toml --db "$DB"
expect_exit "another checker than the expected one exits 1" 1 "expected checker pbft.validity instead" \
  "$MESHSIM" run scenarios/pbft/colluders.toml --db "$DB" --set 'expect.failure="pbft.validity"'
expect_exit "an expected failure that does not happen exits 1" 1 "the run ended without that checker firing" \
  "$MESHSIM" run scenarios/raft/figure8_bug.toml --db "$DB" --set 'protocol.bug="none"'
expect_exit "--json reports the expected failure" 0 '"status": "complete".*"expected_failure": "checker raft.leader_completeness' \
  "$MESHSIM" run scenarios/raft/figure8_bug.toml --db "$DB" --json
printf '[topology]\nnodes = 4\n[protocol]\nname = "phold"\n[expect]\nfailure = 3\n' >"$WORK/bad_failure.toml"
expect_exit "expect.failure must name a checker" 2 "bad_failure.toml:6: expect.failure: expected the name of the checker" \
  "$MESHSIM" run "$WORK/bad_failure.toml" --db "$WORK/none.db"
finish
