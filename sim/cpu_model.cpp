#include "sim/cpu_model.h"

#include <algorithm>
#include <cmath>

namespace meshsim {

void CpuModel::enable(uint32_t node_count) {
  busy_until_.assign(node_count, 0);
  busy_ns_.assign(node_count, 0);
  epoch_.assign(node_count, 0);
}

Duration CpuModel::occupy(NodeId n, Duration work, SimTime now, SimTime end) {
  if (!enabled()) return {};
  int64_t cost = std::max<int64_t>(work.ns, 0);
  if (!speed_.empty() && speed_[n] != 1.0)
    cost = static_cast<int64_t>(std::min(std::ceil(static_cast<double>(cost) / speed_[n]), static_cast<double>(kMaxDuration.ns)));
  // Even free work waits for its turn: a message that costs nothing to receive must not
  // overtake the ones queued before it.
  const int64_t start = std::max(now.ns, busy_until_[n]);
  busy_until_[n] = std::min(saturating_add(start, cost), end.ns + 1);
  busy_ns_[n] = saturating_add(busy_ns_[n], busy_until_[n] - start);  // only what fits in the run
  return Duration{start - now.ns};
}

void CpuModel::crash(NodeId n, SimTime now) {
  if (!enabled()) return;
  ++epoch_[n];
  busy_until_[n] = now.ns;
}

void CpuModel::record_wait(Duration wait) {
  // Mean and maximum, not a histogram: a BFT run can queue tens of millions of messages.
  wait_total_ns_ += wait.ns;
  wait_max_ns_ = std::max(wait_max_ns_, wait.ns);
  ++queued_;
}

void CpuModel::report(Metrics& metrics, SimTime now) const {
  if (!enabled()) return;
  double peak = 0;
  for (NodeId n = 0; n < busy_until_.size(); ++n) {
    // Work booked past the end of the run is not part of it: the CPU is busy without a
    // break from some moment up to busy_until_, so the excess is busy_until_ - now.
    const int64_t past_end = std::max<int64_t>(busy_until_[n] - now.ns, 0);
    const int64_t busy = std::max<int64_t>(busy_ns_[n] - past_end, 0);
    const double used = now.ns > 0 ? static_cast<double>(busy) / static_cast<double>(now.ns) : 0;
    metrics.node_summary(n, "cpu_busy_ns", static_cast<double>(busy));
    metrics.node_summary(n, "cpu_utilisation", used);
    peak = std::max(peak, used);
  }
  metrics.set_scalar("cpu_utilisation_max", peak);
  if (queued_) {
    metrics.set_scalar("cpu_queue_wait_mean_ns", static_cast<double>(wait_total_ns_) / static_cast<double>(queued_));
    metrics.set_scalar("cpu_queue_wait_max_ns", static_cast<double>(wait_max_ns_));
  }
}

}  // namespace meshsim
