// Whole membership scenarios through the engine, with the checkers on: the shipped files
// pass, the planted bugs are caught, and quorum confirmation limits a Byzantine accuser.
#include <doctest/doctest.h>

#include "tests/unit/scenario_runner.h"

using namespace meshsim;
using meshsim::testing::check_planted_bug_caught;
using meshsim::testing::run_scenario_file;

TEST_CASE("membership scenarios: a crash under 5 % loss is detected by every live node") {
  auto o = run_scenario_file("scenarios/membership/crash_lossy.toml", 1);
  INFO(o.result.failure);
  CHECK(o.result.status == RunStatus::complete);
  CHECK(o.scalars["membership_detect_all_ns_count"] == 1);
  CHECK(o.scalars["membership_undetected_pairs"] == 0);
  CHECK(o.scalars["membership_detect_all_ns_max"] < o.scalars["membership_completeness_bound_ns"]);
}

TEST_CASE("membership scenarios: every detector finds the crash under loss") {
  for (const char* detector : {"\"fixed-timeout\"", "\"swim\"", "\"phi\""}) {
    std::vector<std::string> sets{std::string("protocol.detector=") + detector, "protocol.quorum=2"};
    if (std::string(detector) == "\"fixed-timeout\"") sets.push_back("protocol.ping_timeout=\"150ms\"");
    auto o = run_scenario_file("scenarios/membership/crash_lossy.toml", 2, sets);
    INFO(detector, ": ", o.result.failure);
    CHECK(o.scalars["membership_detect_all_ns_count"] == 1);
    CHECK(o.scalars["membership_undetected_pairs"] == 0);
  }
}

TEST_CASE("membership scenarios: the planted bugs are caught by their checkers") {
  // The files expect their checker to fire (expect.failure): the run is then complete and
  // names it; without the bug the expected failure does not happen and the run fails.
  check_planted_bug_caught("scenarios/membership/quorum_bug.toml", "membership.quorum_accuracy");
  check_planted_bug_caught("scenarios/membership/completeness_bug.toml", "membership.completeness");
}

TEST_CASE("membership scenarios: quorum confirmation stops Byzantine accusers that plain SWIM lets through") {
  for (uint64_t seed : {1, 2, 3}) {
    auto q3 = run_scenario_file("scenarios/membership/byzantine_accuser.toml", seed);
    INFO("seed ", seed, ": ", q3.result.failure);
    CHECK(q3.result.status == RunStatus::complete);
    CHECK(q3.scalars["membership_false_positives"] == 0);
    auto q1 = run_scenario_file("scenarios/membership/byzantine_accuser_q1.toml", seed);
    CHECK(q1.scalars["membership_false_positives"] > 0);
  }
}

TEST_CASE("membership scenarios: the chaos sweep's checkers hold over seeds") {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    auto o = run_scenario_file("scenarios/membership/chaos.toml", seed);
    INFO("seed ", seed, ": ", o.result.failure);
    CHECK(o.result.status == RunStatus::complete);
    CHECK(o.scalars["membership_undetected_pairs"] == 0);
  }
}

TEST_CASE("membership scenarios: same seed, same fingerprint, another seed, another") {
  auto a = run_scenario_file("scenarios/membership/churn.toml", 4);
  auto b = run_scenario_file("scenarios/membership/churn.toml", 4);
  auto c = run_scenario_file("scenarios/membership/churn.toml", 5);
  CHECK(a.result.fingerprint == b.result.fingerprint);
  CHECK(a.result.fingerprint != c.result.fingerprint);
}

TEST_CASE("membership scenarios: the read-only minority refuses writes, serves possibly stale reads, and recovers") {
  for (uint64_t seed : {1, 2, 3}) {
    auto o = run_scenario_file("scenarios/membership/kv_partition.toml", seed);
    INFO("seed ", seed, ": ", o.result.failure);
    CHECK(o.result.status == RunStatus::complete);
    CHECK(o.scalars["kv_writes_refused_read_only"] > 0);
    CHECK(o.scalars["kv_reads_possibly_stale"] > 0);
    CHECK(o.scalars["kv_writes_accepted_read_only"] == 0);
    CHECK(o.scalars["linearizable"] == 1);
    CHECK(o.scalars["membership_read_only_at_end"] == 0);
  }
}

TEST_CASE("membership scenarios: a server that writes while read-only is caught by raft.no_write_while_read_only") {
  auto buggy = run_scenario_file("scenarios/membership/kv_read_only_bug.toml", 1);
  INFO(buggy.result.failure);
  CHECK(buggy.result.status == RunStatus::complete);
  CHECK(buggy.result.note.find("raft.no_write_while_read_only") != std::string::npos);
  auto fixed = run_scenario_file("scenarios/membership/kv_read_only_bug.toml", 1, {"protocol.bug=\"none\""});
  CHECK(fixed.result.status == RunStatus::failed);
  CHECK(fixed.result.failure.find("without that checker firing") != std::string::npos);
}

TEST_CASE("membership scenarios: a graceful leave is known sooner and confirmed as no failure") {
  auto graceful = run_scenario_file("scenarios/membership/churn.toml", 1);
  auto silent = run_scenario_file("scenarios/membership/churn.toml", 1, {"protocol.leave_fanout=0"});
  INFO(graceful.result.failure, silent.result.failure);
  CHECK(graceful.result.status == RunStatus::complete);
  CHECK(silent.result.status == RunStatus::complete);
  CHECK(graceful.scalars["membership_graceful_leaves"] == 5);
  CHECK(silent.scalars["membership_graceful_leaves"] == 0);
  CHECK(graceful.scalars["membership_failures_confirmed"] < silent.scalars["membership_failures_confirmed"]);
  CHECK(graceful.scalars["membership_detect_all_ns_p50"] < silent.scalars["membership_detect_all_ns_p50"]);
}
