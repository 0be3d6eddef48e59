// Whole scenarios of the load-balancing module through the engine: every strategy runs
// clean with its checkers on, each planted bug is caught by its checker, and runs are
// deterministic.
#include <doctest/doctest.h>

#include "tests/unit/scenario_runner.h"

using namespace meshsim;
using meshsim::testing::run_scenario_file;

namespace {

const char* const kStrategies[] = {"random", "round-robin", "power-of-d", "least-loaded", "work-stealing", "auction"};

}  // namespace

TEST_CASE("lb scenario: every strategy completes every task of the chaos scenario exactly once over 10 seeds") {
  for (const char* strategy : kStrategies)
    for (uint64_t seed = 1; seed <= 10; ++seed) {
      auto o = run_scenario_file("scenarios/lb/chaos.toml", seed, {std::string("protocol.strategy=") + strategy});
      INFO(strategy << " seed " << seed << ": " << o.result.failure);
      CHECK(o.result.status == RunStatus::complete);
      CHECK(o.scalars["lb_tasks_completed"] > 0);
    }
}

TEST_CASE("lb scenario: churn (leave, join afresh) and replaying Byzantine nodes never break exactly-once over 10 seeds") {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    auto o = run_scenario_file("scenarios/lb/churn_replay.toml", seed);
    INFO("seed " << seed << ": " << o.result.failure);
    CHECK(o.result.status == RunStatus::complete);
    CHECK(o.scalars["lb_tasks_duplicated"] > 0);
  }
}

TEST_CASE("lb scenario: threshold migration under chaos keeps every task exactly once over 10 seeds") {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    auto o = run_scenario_file("scenarios/lb/chaos.toml", seed,
                               {"protocol.strategy=random", "protocol.migrate_above=3", "protocol.migrate_below=1"});
    INFO("seed " << seed << ": " << o.result.failure);
    CHECK(o.result.status == RunStatus::complete);
  }
  auto random = run_scenario_file("scenarios/lb/random.toml", 1);
  auto migration = run_scenario_file("scenarios/lb/migration.toml", 1);
  REQUIRE(migration.result.status == RunStatus::complete);
  CHECK(migration.scalars["lb_migrations"] > 100);
  CHECK(migration.scalars["lb_sojourn_ns_p99"] < 0.7 * random.scalars["lb_sojourn_ns_p99"]);
}

TEST_CASE("lb scenario: on heterogeneous speeds an auction's finish-time bids beat power-of-d's queue lengths") {
  auto two = run_scenario_file("scenarios/lb/heterogeneous.toml", 1);
  auto auction = run_scenario_file("scenarios/lb/auction.toml", 1);
  REQUIRE(auction.result.status == RunStatus::complete);
  CHECK(auction.scalars["lb_sojourn_ns_p99"] < 0.9 * two.scalars["lb_sojourn_ns_p99"]);
}

TEST_CASE("lb scenario: power of two choices beats random placement on sojourn p99 and load CV") {
  auto random = run_scenario_file("scenarios/lb/random.toml", 1);
  auto two = run_scenario_file("scenarios/lb/power_of_d.toml", 1);
  REQUIRE(random.result.status == RunStatus::complete);
  REQUIRE(two.result.status == RunStatus::complete);
  CHECK(two.scalars["lb_sojourn_ns_p99"] < 0.5 * random.scalars["lb_sojourn_ns_p99"]);
  CHECK(two.scalars["lb_load_cv_mean"] < random.scalars["lb_load_cv_mean"]);
  CHECK(two.scalars["lb_messages_per_task"] > random.scalars["lb_messages_per_task"]);
  auto stealing = run_scenario_file("scenarios/lb/work_stealing.toml", 1);
  REQUIRE(stealing.result.status == RunStatus::complete);
  CHECK(stealing.scalars["lb_sojourn_ns_p99"] < 0.5 * random.scalars["lb_sojourn_ns_p99"]);
  CHECK(stealing.scalars["lb_migrations"] > 0);
  CHECK(random.scalars["lb_migrations"] == 0);
}

TEST_CASE("lb scenario: each planted bug is caught by its checker, and the same run without it is clean") {
  struct Case {
    const char* file;
    const char* checker;
  };
  for (Case c : {Case{"scenarios/lb/planted_commit_duplicates.toml", "lb.exactly_once"},
                 Case{"scenarios/lb/planted_forget_timed_out.toml", "lb.exactly_once"},
                 Case{"scenarios/lb/planted_ignore_capabilities.toml", "lb.capability"}}) {
    INFO(c.file);
    auto bug = run_scenario_file(c.file, 1);
    // [expect] failure = checker: the run is complete because the checker fired.
    CHECK(bug.result.status == RunStatus::complete);
    CHECK(bug.result.note.find(c.checker) != std::string::npos);
    auto clean = run_scenario_file(c.file, 1, {"protocol.bug=none"});
    CHECK(clean.result.status == RunStatus::failed);  // expected failure did not happen
    CHECK(clean.result.failure.find(c.checker) != std::string::npos);
    CHECK(clean.scalars["lb_tasks_completed"] > 0);
  }
}

TEST_CASE("lb scenario: same scenario and seed give the same fingerprint, another seed another") {
  for (const char* file : {"scenarios/lb/power_of_d.toml", "scenarios/lb/least_loaded.toml", "scenarios/lb/work_stealing.toml", "scenarios/lb/chaos.toml"}) {
    INFO(file);
    auto a = run_scenario_file(file, 3), b = run_scenario_file(file, 3), c = run_scenario_file(file, 4);
    CHECK(a.result.fingerprint == b.result.fingerprint);
    CHECK(a.scalars == b.scalars);
    CHECK(a.result.fingerprint != c.result.fingerprint);
  }
}
