// pBFT's durable writes through the whole engine (replica_durable.cpp on the disk model):
// a stalled disk under the primary hands the view on only when the replicas write, and
// every checker holds with durable writes on.
#include <doctest/doctest.h>

#include "tests/unit/scenario_runner.h"

using namespace meshsim;

namespace {

testing::ScenarioOutcome run_pbft(const std::string& name, uint64_t seed, std::vector<std::string> sets = {}) {
  return testing::run_scenario_file("scenarios/pbft/" + name, seed, std::move(sets));
}

}  // namespace

TEST_CASE("pbft disk scenario: the primary's stalled disk forces view changes with durable = log, none without") {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    CAPTURE(seed);
    auto log = run_pbft("disk_stall.toml", seed);
    INFO(log.result.failure);
    REQUIRE(log.result.status == RunStatus::complete);
    CHECK(log.scalars["pbft_view_changes"] >= 2);
    CHECK(log.scalars["disk_stalled_ns"] >= 2e9);
    // No replica writes: the same stalls change nothing (the expectation of view changes
    // is the scenario's, so it is lifted here).
    auto none = run_pbft("disk_stall.toml", seed, {"protocol.durable=\"none\"", "expect.pbft_view_changes=\">= 0\""});
    REQUIRE(none.result.status == RunStatus::complete);
    CHECK(none.scalars["pbft_view_changes"] == 0);
    CHECK(none.scalars["op_latency_ns_p99"] < log.scalars["op_latency_ns_p99"]);
  }
}

TEST_CASE("pbft disk scenario: writes on every replica's 5 ms disk slow each decision, and every checker holds") {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    CAPTURE(seed);
    auto log = run_pbft("slow_disk.toml", seed);
    INFO(log.result.failure);
    REQUIRE(log.result.status == RunStatus::complete);
    CHECK(log.scalars["linearizable"] == 1);
    auto none = run_pbft("slow_disk.toml", seed, {"protocol.durable=\"none\""});
    REQUIRE(none.result.status == RunStatus::complete);
    // Three 4-6 ms writes lie on every request's path (the primary's pre-prepare, a
    // backup's PREPARE, the COMMIT): at least 8 ms more than with free writes (17 ms measured).
    CHECK(log.scalars["op_latency_ns_p50"] > none.scalars["op_latency_ns_p50"] + 8e6);
  }
}
