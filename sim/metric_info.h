// The metric names a run can report, declared up front by the engine and by every module
// (Module::metrics()). Declarations let `meshsim protocols` document each name, let the
// scenario loader reject an [expect] key nothing reports before the run starts, and let a
// test compare them with what runs actually report, so the three cannot drift apart.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace meshsim {

enum class MetricKind {
  scalar,     // one number per run: what [expect] compares
  histogram,  // folded into scalars name_count, name_mean, name_p50, name_p99, name_max
  series,     // a time series sampled at [metrics] interval
  node,       // a per-node summary
  node_series,  // a per-node time series ([metrics] node_series)
};

struct MetricInfo {
  std::string name;  // exact, or a glob with '*' ("pbft_sent_*")
  std::string meaning;
  MetricKind kind = MetricKind::scalar;
  // Names it had before a rename ("raft_leaderless_ns"), so that an old [expect] key is
  // pointed at the new name.
  std::vector<std::string> formerly = {};
};

// What the engine itself reports for every run (events, messages_*, cpu_*, ...).
const std::vector<MetricInfo>& engine_metrics();

// True when `name` (a scalar of the run) is declared by one of `declared`: a scalar whose
// name or glob matches, or a histogram's folded scalar.
bool declares_scalar(const std::vector<MetricInfo>& declared, std::string_view name);
// The same for a series or a node summary.
bool declares(const std::vector<MetricInfo>& declared, MetricKind kind, std::string_view name);

// The declared scalar names closest to `name` (edit distance), for "did you mean".
std::vector<std::string> closest_scalars(const std::vector<MetricInfo>& declared, std::string_view name, size_t max = 3);

// "op_latency_ns_{count,mean,p50,p99,max}" for a histogram, the name otherwise.
std::string display_name(const MetricInfo& m);
std::string_view kind_label(MetricKind k);

}  // namespace meshsim
