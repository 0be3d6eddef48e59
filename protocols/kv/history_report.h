// The metrics of the shared key-value workload, under one name whatever protocol replicates
// the store, so that Raft and pBFT runs compare column for column: operation counts and
// latency, throughput, messages and bytes per completed operation, client retries, the
// service's downtime, and the verdict of the linearizability checker (a violation named
// `<protocol>.linearizability`). workload_metrics() declares them; report_history() is the
// only place that writes them, so the two cannot drift apart.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocols/kv/history.h"
#include "protocols/kv/workload.h"
#include "sim/metric_info.h"
#include "sim/metrics.h"
#include "sim/module.h"
#include "sim/network.h"

namespace meshsim::kv {

// Intervals during which the service could not order requests: for Raft from losing the
// leader to electing the next, for pBFT from a correct replica starting a view change to
// the new view. An interval still open at the end of the run counts up to the end.
class Downtime {
 public:
  void begin(SimTime at) {
    if (open_since_ns_ < 0) open_since_ns_ = at.ns;
  }
  // Closes the open interval, if any; returns its length.
  std::optional<int64_t> end(SimTime at);
  bool open() const { return open_since_ns_ >= 0; }
  const std::vector<int64_t>& closed_ns() const { return closed_ns_; }
  int64_t open_since_ns() const { return open_since_ns_; }

 private:
  std::vector<int64_t> closed_ns_;
  int64_t open_since_ns_ = -1;
};

// What the protocol knows about its service beyond the clients' records.
struct ServiceCounters {
  uint64_t client_retries = 0;  // requests sent again after request_timeout without an answer
  Downtime downtime;
};

const std::vector<MetricInfo>& workload_metrics();

// Records the workload's metrics and runs the linearizability checker: a violation is
// returned; a search out of budget sets `linearizable` to NaN (NULL in SQL: unknown) and
// `linearizability_unknown` to 1, and reports the run inconclusive.
std::optional<Violation> report_history(const std::vector<Operation>& ops, const std::string& protocol, SimTime now,
                                        const WorkloadParams& workload, const NetworkCounters& net,
                                        const ServiceCounters& service, Metrics& m);

}  // namespace meshsim::kv
