#include "protocols/kv/history_report.h"

#include "protocols/kv/linearizability.h"

namespace meshsim::kv {

std::optional<Violation> report_history(const std::vector<Operation>& ops, const std::string& protocol, SimTime now,
                                        Duration workload_start, const NetworkCounters& net, Metrics& m) {
  uint64_t completed = 0;
  for (const Operation& op : ops) completed += op.completed() ? 1 : 0;
  m.set_scalar("ops_invoked", static_cast<double>(ops.size()));
  m.set_scalar("ops_completed", static_cast<double>(completed));
  m.set_scalar("ops_indeterminate", static_cast<double>(ops.size() - completed));
  const double active_s = static_cast<double>(now.ns - workload_start.ns) / 1e9;
  if (active_s > 0) m.set_scalar("throughput_ops_per_s", static_cast<double>(completed) / active_s);
  if (completed) {
    m.set_scalar("messages_per_op", static_cast<double>(net.sent) / static_cast<double>(completed));
    m.set_scalar("bytes_per_op", static_cast<double>(net.bytes_sent) / static_cast<double>(completed));
  }
  LinearizabilityResult lin = check_linearizable(ops);
  m.set_scalar("linearizability_states", static_cast<double>(lin.states_explored));
  m.set_scalar("linearizable", lin.verdict == LinearizabilityResult::Verdict::linearizable ? 1 : 0);
  if (lin.verdict == LinearizabilityResult::Verdict::not_linearizable)
    return Violation{now, protocol + ".linearizability", lin.explanation};
  if (lin.verdict == LinearizabilityResult::Verdict::unknown)
    m.log(now, "linearizability", "search budget exhausted on key " + std::to_string(lin.key) + ": verdict unknown");
  return std::nullopt;
}

}  // namespace meshsim::kv
