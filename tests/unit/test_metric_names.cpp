// Metric declarations (Module::metrics(), engine_metrics()) against what runs report: every
// scalar, series and per-node summary a run of each protocol produces must be declared, or
// `meshsim protocols` would omit it and the [expect] check before the run would refuse it.
// Also the [expect] check itself, and the shared names Raft and pBFT report alike.
#include <doctest/doctest.h>

#include "protocols/kv/history_report.h"
#include "tests/unit/scenario_runner.h"

using namespace meshsim;

namespace {

// What a run reported that `declared` does not cover, as "kind name" lines.
std::vector<std::string> undeclared(const Metrics& m, const std::vector<MetricInfo>& declared) {
  std::vector<std::string> out;
  for (const auto& [name, v] : m.scalars())
    if (!declares_scalar(declared, name)) out.push_back("scalar " + name);
  for (const auto& [name, points] : m.series())
    if (!declares(declared, MetricKind::series, name)) out.push_back("series " + name);
  for (const NodeSummary& s : m.node_summaries())
    if (!declares(declared, MetricKind::node, s.name)) out.push_back("node " + s.name);
  for (const std::string& name : m.node_series_names())
    if (!declares(declared, MetricKind::node_series, name)) out.push_back("node series " + name);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

struct Reported {
  Metrics metrics;
  std::vector<MetricInfo> declared;  // the engine's and every module's
};

Reported run(const std::string& path, uint64_t seed, std::vector<std::string> sets = {}) {
  const ModuleRegistry& registry = testing::builtin_registry();
  Scenario sc = load_scenario(std::string(MESHSIM_SOURCE_DIR) + "/" + path, sets, registry, seed);
  Simulation sim(resolve_run(sc, registry));
  RunInfo info;
  info.seed = seed;
  sim.run(info);
  Reported r{sim.metrics(), engine_metrics()};
  for (const auto& module : sim.modules()) {
    std::vector<MetricInfo> own = module->metrics();
    r.declared.insert(r.declared.end(), own.begin(), own.end());
  }
  return r;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += n + "; ";
  return out;
}

void check_all_declared(const std::string& path, uint64_t seed, std::vector<std::string> sets = {}) {
  Reported r = run(path, seed, std::move(sets));
  INFO(path, ": undeclared ", joined(undeclared(r.metrics, r.declared)));
  CHECK(undeclared(r.metrics, r.declared).empty());
}

std::string load_error(const std::string& path, std::vector<std::string> sets) {
  try {
    load_scenario(std::string(MESHSIM_SOURCE_DIR) + "/" + path, sets, testing::builtin_registry(), 1);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("metric names: every metric a run of each protocol reports is declared") {
  check_all_declared("scenarios/raft/quiet.toml", 3, {"run.duration=3s"});
  check_all_declared("scenarios/membership/churn.toml", 1);
  check_all_declared("scenarios/membership/partition_heal.toml", 1);
  check_all_declared("scenarios/membership/hyparview_churn.toml", 1);
  // Leader crashes (downtime), membership changes and snapshots, and the processing model.
  check_all_declared("scenarios/raft/leader_crash.toml", 3, {"run.duration=5s"});
  check_all_declared("scenarios/raft/membership.toml", 1, {"protocol.snapshot_threshold=50"});
  check_all_declared("scenarios/raft/quiet.toml", 3, {"run.duration=2s", "protocol.cost_receive=\"20us\""});
  check_all_declared("scenarios/pbft/quiet.toml", 1, {"run.duration=3s"});
  check_all_declared("scenarios/pbft/primary_crash.toml", 1);
  check_all_declared("scenarios/quickstart.toml", 7, {"topology.nodes=200", "run.duration=3s", "metrics.node_series=true"});
  check_all_declared("scenarios/examples/partition_heal.toml", 1);
  check_all_declared("scenarios/bench/flood.toml", 1, {"topology.nodes=300", "run.duration=2s"});
  check_all_declared("scenarios/bench/phold.toml", 1, {"topology.nodes=100", "run.max_events=20000"});
}

TEST_CASE("metric names: the check finds a metric left undeclared") {
  // The test above can fail: drop one declaration and the same run reports it.
  Reported r = run("scenarios/raft/quiet.toml", 3, {"run.duration=2s"});
  CHECK(undeclared(r.metrics, r.declared).empty());
  std::erase_if(r.declared, [](const MetricInfo& m) { return m.name == "raft_terms" || m.name == "op_latency_ns"; });
  std::vector<std::string> missing = undeclared(r.metrics, r.declared);
  CHECK(std::find(missing.begin(), missing.end(), "scalar raft_terms") != missing.end());
  CHECK(std::find(missing.begin(), missing.end(), "scalar op_latency_ns_p99") != missing.end());
}

TEST_CASE("metric names: Raft and pBFT report the workload's metrics under the same names") {
  Reported raft = run("scenarios/raft/leader_crash.toml", 3, {"run.duration=5s"});
  Reported pbft = run("scenarios/pbft/primary_crash.toml", 1);
  for (const char* name : {"op_latency_ns_p50", "op_latency_ns_p99", "op_latency_ns_mean", "op_latency_ns_max",
                           "op_latency_ns_count", "throughput_ops_per_s", "messages_per_op", "bytes_per_op",
                           "client_retries", "unavailable_ns_count", "unavailable_ns_p50", "unavailable_ns_max",
                           "unavailable_ns_total", "linearizable"}) {
    INFO(name);
    CHECK(raft.metrics.scalars().contains(name));
    CHECK(pbft.metrics.scalars().contains(name));
  }
  // Both scenarios kill the leader or primary: the service was down at least once.
  CHECK(raft.metrics.scalars().at("unavailable_ns_count") >= 1);
  CHECK(pbft.metrics.scalars().at("unavailable_ns_count") >= 1);
  CHECK(pbft.metrics.scalars().at("unavailable_ns_total") >= pbft.metrics.scalars().at("unavailable_ns_max"));
  for (const char* old : {"raft_op_latency_ns_p99", "pbft_request_latency_ns_p99", "raft_leaderless_ns_count",
                          "pbft_view_change_ns_count", "client_retransmissions"}) {
    INFO(old);
    CHECK_FALSE(raft.metrics.scalars().contains(old));
    CHECK_FALSE(pbft.metrics.scalars().contains(old));
  }
}

TEST_CASE("metric names: an [expect] key nothing in the scenario reports is refused while loading") {
  std::string e = load_error("scenarios/raft/quiet.toml", {"expect.raft_op_latency_ns_p99=\"< 1s\""});
  CHECK(e.find("expect.raft_op_latency_ns_p99: no protocol in this scenario reports a metric of that name") !=
        std::string::npos);
  CHECK(e.find("did you mean op_latency_ns_p99") != std::string::npos);
  CHECK(e.find("op_latency_ns_p99, op_latency_ns_p99") == std::string::npos);  // each name once
  // A pBFT metric in a Raft scenario: declared by a protocol, but not by this scenario's.
  CHECK(load_error("scenarios/raft/quiet.toml", {"expect.pbft_view_changes=0"}).find("no protocol in this scenario") !=
        std::string::npos);
  // Declared names load: exact, folded histograms, globs, the engine's, and the checker key.
  CHECK(load_error("scenarios/pbft/quiet.toml", {"expect.pbft_sent_prepare=\"> 0\"", "expect.cpu_utilisation_max=\"< 1\"",
                                                  "expect.unavailable_ns_p99=\"< 1s\"", "expect.events=\"> 0\""}) == "");
  CHECK(load_error("scenarios/raft/figure8_bug.toml", {}) == "");
}
