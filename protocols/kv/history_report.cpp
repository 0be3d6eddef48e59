#include "protocols/kv/history_report.h"

#include <limits>

#include "protocols/kv/linearizability.h"

namespace meshsim::kv {

std::optional<int64_t> Downtime::end(SimTime at) {
  if (open_since_ns_ < 0) return std::nullopt;
  const int64_t length = at.ns - open_since_ns_;
  closed_ns_.push_back(length);
  open_since_ns_ = -1;
  return length;
}

const std::vector<MetricInfo>& workload_metrics() {
  static const std::vector<MetricInfo> kWorkload = {
      {"ops_invoked", "client operations invoked"},
      {"ops_completed", "client operations answered"},
      {"ops_indeterminate", "client operations never answered (may or may not have taken effect)"},
      {"op_latency_ns", "client invocation to answer, per completed operation (retries included)",
       MetricKind::histogram, {"raft_op_latency_ns", "pbft_request_latency_ns"}},
      {"throughput_ops_per_s", "completed operations per second since the workload started"},
      {"messages_per_op", "every message sent in the run per completed operation"},
      {"bytes_per_op", "every byte sent in the run per completed operation"},
      {"client_retries", "requests a client sent again after request_timeout without an answer", MetricKind::scalar,
       {"client_retransmissions"}},
      {"unavailable_ns", "each interval without a leader (Raft) or in a view change (pBFT); one still open counts to the end",
       MetricKind::histogram, {"raft_leaderless_ns", "pbft_view_change_ns"}},
      {"unavailable_ns_total", "the sum of those intervals"},
      {"linearizable", "1 when the clients' history passed the linearizability checker, 0 when it violated it, "
                       "NaN (NULL in SQL) when the search ran out of budget"},
      {"linearizability_unknown", "1 when the linearizability search ran out of budget (no verdict), else 0"},
      {"linearizability_states", "configurations the linearizability checker explored"},
      {"ops_completed", "operations this client completed", MetricKind::node},
  };
  return kWorkload;
}

std::optional<Violation> report_history(const std::vector<Operation>& ops, const std::string& protocol, SimTime now,
                                        const WorkloadParams& workload, const NetworkCounters& net,
                                        const ServiceCounters& service, Metrics& m) {
  uint64_t completed = 0;
  Histogram& latency = m.histogram("op_latency_ns");
  for (const Operation& op : ops)
    if (op.completed()) {
      ++completed;
      latency.add(static_cast<double>(op.completed_ns - op.invoked_ns));
    }
  m.set_scalar("ops_invoked", static_cast<double>(ops.size()));
  m.set_scalar("ops_completed", static_cast<double>(completed));
  m.set_scalar("ops_indeterminate", static_cast<double>(ops.size() - completed));
  m.set_scalar("client_retries", static_cast<double>(service.client_retries));
  const double active_s = static_cast<double>(now.ns - workload.start.ns) / 1e9;
  if (active_s > 0) m.set_scalar("throughput_ops_per_s", static_cast<double>(completed) / active_s);
  if (completed) {
    m.set_scalar("messages_per_op", static_cast<double>(net.sent) / static_cast<double>(completed));
    m.set_scalar("bytes_per_op", static_cast<double>(net.bytes_sent) / static_cast<double>(completed));
  }

  // Created even when empty, so that a run without downtime reports unavailable_ns_count = 0.
  Histogram& unavailable = m.histogram("unavailable_ns");
  double total_ns = 0;
  for (int64_t ns : service.downtime.closed_ns()) {
    unavailable.add(static_cast<double>(ns));
    total_ns += static_cast<double>(ns);
  }
  if (service.downtime.open()) {
    const int64_t ns = now.ns - service.downtime.open_since_ns();
    unavailable.add(static_cast<double>(ns));
    total_ns += static_cast<double>(ns);
  }
  m.set_scalar("unavailable_ns_total", total_ns);

  using Verdict = LinearizabilityResult::Verdict;
  LinearizabilityResult lin = check_linearizable(ops, workload.linearizability_max_states, m.check_progress());
  m.set_scalar("linearizability_states", static_cast<double>(lin.states_explored));
  // Three answers, not two: a search that ran out of budget proved nothing, and writing 0
  // would make it look like a violation to anyone counting `linearizable = 0`. NaN is
  // stored as NULL, SQL's own "unknown"; linearizability_unknown makes it countable.
  const bool unknown = lin.verdict == Verdict::unknown;
  m.set_scalar("linearizable", unknown ? std::numeric_limits<double>::quiet_NaN() : lin.verdict == Verdict::linearizable);
  m.set_scalar("linearizability_unknown", unknown ? 1 : 0);
  if (lin.verdict == Verdict::not_linearizable) return Violation{now, protocol + ".linearizability", lin.explanation};
  if (unknown) {
    const std::string why = lin.cancelled ? "search stopped on request at key " + std::to_string(lin.key)
                                          : "search budget of " + std::to_string(workload.linearizability_max_states) +
                                                " states exhausted on key " + std::to_string(lin.key) +
                                                " (protocol.linearizability_max_states)";
    m.log(now, "linearizability", why + ": verdict unknown");
    m.report_inconclusive(protocol + ".linearizability", why + "; no violation found in what was searched");
  }
  return std::nullopt;
}

}  // namespace meshsim::kv
