// Run metrics: named scalars, histograms, time series and per-node summaries.
// Protocol modules and the engine record into one Metrics object per Simulation; sinks
// (SQLite, JSON) read it through the RunObserver interface. Names follow the TigerBeetle
// habit of units last: "latency_ns_p99", "messages_sent".
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sim/time.h"

namespace meshsim {

struct CheckProgress;  // sim/check_progress.h

// Exact percentiles over recorded samples. Samples are kept (not bucketed) because runs
// are bounded and exact p99 is what users compare across protocols.
class Histogram {
 public:
  void add(double v) { values_.push_back(v); sorted_ = false; }
  size_t count() const { return values_.size(); }
  double percentile(double p) const;  // p in [0,100]; 0 when empty
  double mean() const;
  double max() const;
  double min() const;

 private:
  mutable std::vector<double> values_;
  mutable bool sorted_ = true;
};

struct SeriesPoint {
  int64_t sim_time_ns;
  double value;
};

struct NodeSummary {
  uint32_t node;
  std::string name;  // metric name, e.g. "messages_sent"
  double value;
};

// One sample of one node's state ("raft_term" of server 2 at 1.5 s).
struct NodeSeriesPoint {
  uint32_t node;
  uint32_t name;  // index into Metrics::node_series_names()
  int64_t sim_time_ns;
  double value;
};

// A line of the run's event log: faults, heals, checker violations, protocol milestones.
struct LogEntry {
  int64_t sim_time_ns;
  std::string kind;    // "crash", "partition", "violation", ...
  std::string detail;  // human readable, e.g. "nodes 0..9 | 10..19"
};

class Metrics {
 public:
  // Scalars: a single number per run ("messages_delivered", "coverage_time_ns_p99").
  void set_scalar(const std::string& name, double v) { scalars_[name] = v; }
  void add_scalar(const std::string& name, double v) { scalars_[name] += v; }
  const std::map<std::string, double>& scalars() const { return scalars_; }

  Histogram& histogram(const std::string& name) { return histograms_[name]; }
  const std::map<std::string, Histogram>& histograms() const { return histograms_; }

  // Time series sampled at the configured interval in simulated time.
  void sample(const std::string& name, SimTime t, double v) { series_[name].push_back({t.ns, v}); }
  const std::map<std::string, std::vector<SeriesPoint>>& series() const { return series_; }

  // Per-node time series, for protocols with per-node state (a Raft server's term, a gossip
  // node's coverage). Bounded for large meshes: only the nodes node_series_sampled(n)
  // picks are recorded, and the scalar node_series_nodes says how many.
  static constexpr uint32_t kNodeSeriesMaxNodes = 1000;
  // The nodes to sample out of n: all of them up to kNodeSeriesMaxNodes, else that many
  // spread evenly over the ids (deterministic, the same for every seed).
  static bool node_series_sampled(uint32_t node, uint32_t n) { return evenly_sampled(node, n, kNodeSeriesMaxNodes); }
  // Whether `node` is among `max` nodes spread evenly over n ids (all of them when n <= max).
  // Deterministic and the same for every seed, so sampled runs compare node for node.
  static bool evenly_sampled(uint32_t node, uint32_t n, uint32_t max) {
    if (n <= max) return true;
    // Node ceil(i * n / max) for each i in [0, max): the first node of each of max slices.
    const uint64_t i = static_cast<uint64_t>(node) * max / n;
    return (i * n + max - 1) / max == node;
  }
  // Whether the scenario asked for per-node series ([metrics] node_series); modules skip
  // their per-node sampling when not.
  bool node_series_enabled() const { return node_series_enabled_; }
  void enable_node_series(bool on) { node_series_enabled_ = on; }
  // The id of a per-node series, for node_sample in a loop over nodes (no name lookup).
  uint32_t node_series_id(const std::string& name);
  void node_sample(uint32_t node, uint32_t series_id, SimTime t, double v) { node_series_.push_back({node, series_id, t.ns, v}); }
  const std::vector<NodeSeriesPoint>& node_series() const { return node_series_; }
  const std::vector<std::string>& node_series_names() const { return node_series_names_; }

  void node_summary(uint32_t node, const std::string& name, double v) {
    node_summaries_.push_back({node, name, v});
  }
  const std::vector<NodeSummary>& node_summaries() const { return node_summaries_; }

  void log(SimTime t, std::string kind, std::string detail) {
    log_.push_back({t.ns, std::move(kind), std::move(detail)});
    if (log_listener_) log_listener_(log_.back());
  }
  // Called with every log line as it is written (the engine forwards them to observers).
  void set_log_listener(std::function<void(const LogEntry&)> f) { log_listener_ = std::move(f); }
  const std::vector<LogEntry>& log_entries() const { return log_; }

  // A checker that ran but could not decide (a search out of budget) says so here, instead
  // of passing or failing the run: the run's status becomes inconclusive (expectations.h).
  void report_inconclusive(std::string checker, std::string reason) {
    inconclusive_.push_back(checker + ": " + reason);
  }
  const std::vector<std::string>& inconclusive() const { return inconclusive_; }

  // Where long end-of-run checks publish how far they got; null when nobody watches.
  // Set by the caller that shows progress; the check_progress.h object must outlive the run.
  void watch_checks(CheckProgress* progress) { check_progress_ = progress; }
  CheckProgress* check_progress() const { return check_progress_; }

  // Folds histograms into scalars: name_count, name_mean, name_p50, name_p99, name_max.
  void summarize_histograms();

 private:
  std::map<std::string, double> scalars_;
  std::map<std::string, Histogram> histograms_;
  std::map<std::string, std::vector<SeriesPoint>> series_;
  std::vector<NodeSummary> node_summaries_;
  bool node_series_enabled_ = false;
  std::vector<NodeSeriesPoint> node_series_;
  std::vector<std::string> node_series_names_;
  std::map<std::string, uint32_t> node_series_index_;
  std::vector<LogEntry> log_;
  std::function<void(const LogEntry&)> log_listener_;
  std::vector<std::string> inconclusive_;
  CheckProgress* check_progress_ = nullptr;
};

}  // namespace meshsim
