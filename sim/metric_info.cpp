#include "sim/metric_info.h"

#include <algorithm>

namespace meshsim {

const std::vector<MetricInfo>& engine_metrics() {
  // What Simulation::run, the fault injector and the processing model report; the test
  // "every reported metric is declared" (tests/unit/test_metric_names.cpp) keeps this list
  // in step with them.
  static const std::vector<MetricInfo> kEngine = {
      {"events", "events popped from the queue, stale timers included"},
      {"handled_events", "messages and timers handed to protocols (what run.max_events limits)"},
      {"messages_sent", "messages protocols sent, before the network's verdict"},
      {"messages_delivered", "messages that reached their destination's node"},
      {"messages_duplicated", "extra copies the link model made"},
      {"messages_lost_loss", "messages the link model's loss probability dropped"},
      {"messages_lost_partition", "messages a partition or isolation dropped"},
      {"messages_lost_queue", "messages a full bandwidth queue dropped"},
      {"messages_lost_crashed", "messages that arrived at a crashed node"},
      {"messages_lost_absent", "messages that arrived at a node not in the mesh (before its join, after its leave); only when some were"},
      {"bytes_sent", "wire bytes of every message sent"},
      {"nodes", "nodes in the topology"},
      {"nodes_up_final", "nodes up at the end of the run"},
      {"pending_events_peak", "largest number of events queued at once"},
      {"faults_applied", "fault events applied (scenario and chaos)"},
      {"node_series_nodes", "nodes whose per-node series were recorded ([metrics] node_series)"},
      {"cpu_utilisation_max", "processing model: the busiest node's CPU time over the run's time"},
      {"cpu_queue_wait_mean_ns", "processing model: mean time a message waited for its node's CPU"},
      {"cpu_queue_wait_max_ns", "processing model: longest time a message waited for its node's CPU"},
      {"disk_write_latency_ns", "storage: time from issuing a durable write to its completion (queueing, stalls included), all nodes", MetricKind::histogram},
      {"disk_queue_depth_max", "storage: most writes queued on one node's disk at once"},
      {"disk_stalled_ns", "storage: time disks spent stalled (disk-stall faults), summed over nodes"},
      {"disk_writes_lost", "storage: writes a crash lost before they completed"},
      {"disk_writes_pending_final", "storage: writes still queued when the run ended"},
      {"nodes_up", "nodes up at each sample", MetricKind::series},
      {"disk_queue_depth", "storage: writes queued on all disks, at each sample", MetricKind::series},
      {"pending_events", "events queued at each sample", MetricKind::series},
      {"messages_delivered", "messages delivered so far, at each sample", MetricKind::series},
      {"cpu_busy_ns", "processing model: CPU time the node used", MetricKind::node},
      {"disk_writes", "storage: durable writes the node completed", MetricKind::node},
      {"disk_write_latency_ns_p50", "storage: the node's median write latency", MetricKind::node},
      {"disk_write_latency_ns_p99", "storage: the node's 99th percentile write latency", MetricKind::node},
      {"disk_write_latency_ns_max", "storage: the node's longest write", MetricKind::node},
      {"disk_queue_depth_max", "storage: most writes queued on the node's disk at once", MetricKind::node},
      {"disk_stalled_ns", "storage: time the node's disk spent stalled", MetricKind::node},
      {"cpu_utilisation", "processing model: the node's CPU time over the run's time", MetricKind::node},
  };
  return kEngine;
}

namespace {

// '*' matches any run of characters; everything else matches itself.
bool glob_match(std::string_view pattern, std::string_view name) {
  const size_t star = pattern.find('*');
  if (star == std::string_view::npos) return pattern == name;
  if (!name.starts_with(pattern.substr(0, star))) return false;
  std::string_view rest = pattern.substr(star + 1);
  for (size_t i = star; i <= name.size(); ++i)
    if (glob_match(rest, name.substr(i))) return true;
  return false;
}

constexpr const char* kFolds[] = {"_count", "_mean", "_p50", "_p99", "_max"};

// The scalar names (or globs) one declaration stands for.
std::vector<std::string> scalar_names(const MetricInfo& m) {
  if (m.kind == MetricKind::scalar) return {m.name};
  if (m.kind != MetricKind::histogram) return {};
  std::vector<std::string> out;
  for (const char* f : kFolds) out.push_back(m.name + f);
  return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

bool declares_scalar(const std::vector<MetricInfo>& declared, std::string_view name) {
  for (const MetricInfo& m : declared)
    for (const std::string& s : scalar_names(m))
      if (glob_match(s, name)) return true;
  return false;
}

bool declares(const std::vector<MetricInfo>& declared, MetricKind kind, std::string_view name) {
  if (kind == MetricKind::scalar || kind == MetricKind::histogram) return declares_scalar(declared, name);
  for (const MetricInfo& m : declared)
    if (m.kind == kind && glob_match(m.name, name)) return true;
  return false;
}

std::vector<std::string> closest_scalars(const std::vector<MetricInfo>& declared, std::string_view name, size_t max) {
  std::vector<std::pair<size_t, std::string>> scored;
  for (const MetricInfo& m : declared)
    for (const std::string& old : m.formerly) {
      // A renamed metric: the same fold under the new name, ranked first.
      MetricInfo before{old, "", m.kind};
      std::vector<std::string> olds = scalar_names(before), news = scalar_names(m);
      for (size_t i = 0; i < olds.size(); ++i)
        if (olds[i] == name) scored.emplace_back(0, news[i]);
    }
  for (const MetricInfo& m : declared)
    for (const std::string& s : scalar_names(m)) {
      const size_t d = edit_distance(s, name);
      // A renamed metric usually differs by a prefix ("raft_op_latency_ns_p99"): allow up
      // to half the name to change.
      if (d <= std::max<size_t>(3, name.size() / 2)) scored.emplace_back(d, s);
    }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (const auto& [d, s] : scored)
    if (out.size() < max && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  return out;
}

std::string display_name(const MetricInfo& m) {
  return m.kind == MetricKind::histogram ? m.name + "_{count,mean,p50,p99,max}" : m.name;
}

std::string_view kind_label(MetricKind k) {
  switch (k) {
    case MetricKind::scalar: return "scalar";
    case MetricKind::histogram: return "histogram";
    case MetricKind::series: return "series";
    case MetricKind::node: return "per node";
    case MetricKind::node_series: return "per-node series";
  }
  return "";
}

}  // namespace meshsim
