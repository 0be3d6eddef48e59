// One run partitioned over K partitions (sim/partitioned_run.h), with the in-process
// transport: the fingerprint and the metrics must equal the sequential run's for K = 1, 2, 4.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/errors.h"
#include "sim/partitioned_run.h"
#include "sim/scenario/scenario.h"
#include "sim/simulation.h"
#include "tests/unit/builtin_registry.h"

using namespace meshsim;
using meshsim::testing::builtin_registry;

namespace {

struct Sequential {
  RunResult result;
  std::map<std::string, double> scalars;
  std::map<std::string, std::vector<SeriesPoint>> series;
};

std::function<RunSpec()> builder(const std::string& path, std::vector<std::string> sets, uint64_t seed) {
  return [=] {
    Scenario sc = load_scenario(std::string(MESHSIM_SOURCE_DIR) + "/" + path, sets, builtin_registry(), seed);
    return resolve_run(sc, builtin_registry());
  };
}

Sequential run_sequential(const std::function<RunSpec()>& build, uint64_t seed) {
  Simulation sim(build());
  RunInfo info;
  info.seed = seed;
  Sequential s;
  s.result = sim.run(info);
  s.scalars = sim.metrics().scalars();
  s.series = sim.metrics().series();
  return s;
}

PartitionedOutcome run_parts(const std::function<RunSpec()>& build, uint32_t k, uint64_t seed,
                             int64_t extra_ns = 0) {
  InProcessTransport transport(k);
  RunInfo info;
  info.seed = seed;
  return run_partitioned(build, transport, info, extra_ns);
}

// Every metric the partitioned run reports equals the sequential run's, but the queue's
// peak (an upper bound there: partition_metrics.h); with `all`, it reports every one.
void check_same(const Sequential& seq, const PartitionedOutcome& part, bool all) {
  REQUIRE(part.root);
  CHECK(part.result.fingerprint == seq.result.fingerprint);
  CHECK(part.result.events == seq.result.events);
  CHECK(part.result.status == seq.result.status);
  for (const auto& [name, v] : part.metrics.scalars()) {
    if (name == "pending_events_peak") continue;
    INFO("scalar ", name);
    REQUIRE(seq.scalars.count(name));
    CHECK(v == seq.scalars.at(name));
  }
  if (all)
    for (const auto& [name, v] : seq.scalars) {
      INFO("scalar ", name);
      CHECK(part.metrics.scalars().count(name));
    }
  for (const auto& [name, points] : part.metrics.series()) {
    INFO("series ", name);
    REQUIRE(seq.series.count(name));
    const auto& want = seq.series.at(name);
    REQUIRE(points.size() == want.size());
    for (size_t i = 0; i < points.size(); ++i) {
      CHECK(points[i].sim_time_ns == want[i].sim_time_ns);
      CHECK(points[i].value == want[i].value);
    }
  }
  if (all) CHECK(part.metrics.series().size() == seq.series.size());
}

std::string refusal(const std::string& path, std::vector<std::string> sets = {}, uint32_t k = 2) {
  try {
    run_parts(builder(path, std::move(sets), 1), k, 1);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return {};
}

const std::vector<std::string> kPhold = {"topology.nodes=500", "run.max_events=0", "run.duration=100us",
                                         "metrics.interval=10us"};

}  // namespace

TEST_CASE("partitioned PHOLD equals the sequential run for K = 1, 2, 4, every metric") {
  auto build = builder("scenarios/bench/phold.toml", kPhold, 3);
  Sequential seq = run_sequential(build, 3);
  REQUIRE(seq.result.events > 100'000);
  for (uint32_t k : {1u, 2u, 4u}) {
    INFO("K = ", k);
    PartitionedOutcome part = run_parts(build, k, 3);
    check_same(seq, part, true);
    if (k > 1) {
      CHECK(part.stats.lookahead_ns == 100);
      CHECK(part.stats.remote_messages > 0);
      CHECK(part.stats.windows > 500);
    }
  }
}

TEST_CASE("partitioned flooding with crashes, a network partition and a pause equals the sequential run") {
  auto build = builder("scenarios/partition/flood_faults.toml", {}, 5);
  Sequential seq = run_sequential(build, 5);
  REQUIRE(seq.scalars.at("messages_lost_crashed") > 0);    // the crash is seen across the cut
  REQUIRE(seq.scalars.at("messages_lost_partition") > 0);  // and the network partition
  for (uint32_t k : {1u, 2u, 4u}) {
    INFO("K = ", k);
    PartitionedOutcome part = run_parts(build, k, 5);
    check_same(seq, part, false);
    if (k > 1) {
      CHECK(part.stats.lookahead_ns == 1'000'000);
      CHECK(part.stats.cut_edges > 0);
    }
  }
}

TEST_CASE("partitioned push-pull gossip (messages copied as bytes) equals the sequential run") {
  auto build = builder("scenarios/partition/gossip.toml", {}, 2);
  Sequential seq = run_sequential(build, 2);
  for (uint32_t k : {2u, 4u}) {
    INFO("K = ", k);
    PartitionedOutcome part = run_parts(build, k, 2);
    check_same(seq, part, false);
    CHECK(part.stats.remote_messages > 0);
  }
}

TEST_CASE("a window one ns longer than the lookahead is caught: the fingerprint differs") {
  // Constant latency: every message arrives exactly one lookahead after it was sent, so a
  // window that runs the instant T + L runs it before the messages other partitions send
  // at T for T + L have arrived.
  std::vector<std::string> sets = {"topology.nodes=200", "run.max_events=0", "run.duration=20us", "network.latency=100ns"};
  auto build = builder("scenarios/bench/phold.toml", sets, 3);
  Sequential seq = run_sequential(build, 3);
  CHECK(run_parts(build, 2, 3).result.fingerprint == seq.result.fingerprint);
  CHECK(run_parts(build, 2, 3, 1).result.fingerprint != seq.result.fingerprint);
}

TEST_CASE("runs that cannot be partitioned are refused with the reason") {
  CHECK(refusal("scenarios/partition/zero_lookahead.toml").find("zero latency") != std::string::npos);
  CHECK(refusal("scenarios/raft/leader_crash.toml").find("protocol raft cannot run partitioned") != std::string::npos);
  CHECK(refusal("scenarios/bench/phold.toml").find("run.max_events") != std::string::npos);
  CHECK(refusal("scenarios/quickstart.toml").find("is a protocol metric") != std::string::npos);
  CHECK(refusal("scenarios/bench/phold.toml", {"run.max_events=0", "topology.nodes=3"}, 4).find("cannot split 3 nodes") !=
        std::string::npos);
  // One partition is the sequential run: nothing to refuse.
  CHECK(refusal("scenarios/partition/zero_lookahead.toml", {}, 1).empty());
}

TEST_CASE("a stop request ends every partition at the same window, interrupted") {
  auto build = builder("scenarios/partition/flood_faults.toml", {}, 5);
  InProcessTransport transport(2);
  int windows = 0;
  PartitionedOutcome part = run_partitioned(build, transport, RunInfo{}, 0, [&] { return ++windows > 20; });
  CHECK(part.result.status == RunStatus::interrupted);
  CHECK(part.stats.windows == 20);
  CHECK(part.result.sim_time_ns < Duration::seconds(5).ns);
}
