#include "sim/disk_model.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "sim/rng.h"

namespace meshsim {

void DiskModel::enable(uint64_t seed, uint32_t node_count, StorageSpec spec) {
  spec_ = std::move(spec);
  seed_ = seed;
  queue_.assign(node_count, {});
  started_ns_.assign(node_count, 0);
  generation_.assign(node_count, 0);
  writes_issued_.assign(node_count, 0);
  stalled_ns_.assign(node_count, 0);
  depth_max_.assign(node_count, 0);
  latency_.assign(node_count, {});
}

bool DiskModel::submit(NodeId n, ModuleId m, uint32_t bytes, uint64_t token, SimTime now) {
  assert(enabled());
  auto& q = queue_[n];
  q.push_back(Write{token, m, bytes, now.ns, -1});
  ++total_queued_;
  depth_max_[n] = std::max(depth_max_[n], q.size());
  return q.size() == 1;
}

// Latency drawn from the write's own stream (seed, disk, node, write number), so one
// write's draw does not depend on any other node's activity.
Duration DiskModel::draw_service(NodeId n, uint32_t bytes) {
  Rng rng(derive_stream(seed_, StreamKind::disk, n, writes_issued_[n]++));
  const DiskSpec& d = spec_.for_node(n);
  const SlowDisk* slow = slow_layers_.empty() || slow_layers_[n].empty() ? nullptr : &slow_layers_[n].back().second;
  Duration latency = slow && slow->latency ? slow->latency->draw(rng) : d.latency.draw(rng);
  if (slow && slow->factor != 1)
    latency = Duration{static_cast<int64_t>(std::min(static_cast<double>(latency.ns) * slow->factor, static_cast<double>(kMaxDuration.ns)))};
  int64_t transfer = d.bandwidth_bps > 0 ? static_cast<int64_t>(std::ceil(bytes * 8e9 / d.bandwidth_bps)) : 0;
  return Duration{saturating_add(latency.ns, transfer)};
}

std::optional<int64_t> DiskModel::start_head(NodeId n, SimTime now) {
  auto& q = queue_[n];
  if (q.empty() || stalled(n)) return std::nullopt;
  Write& w = q.front();
  if (w.remaining_ns < 0) w.remaining_ns = draw_service(n, w.bytes).ns;
  started_ns_[n] = now.ns;
  return saturating_add(now.ns, w.remaining_ns);
}

DiskModel::Write DiskModel::complete_head(NodeId n, SimTime now) {
  auto& q = queue_[n];
  assert(!q.empty());
  Write w = q.front();
  q.pop_front();
  --total_queued_;
  ++generation_[n];
  latency_[n].add(static_cast<double>(now.ns - w.issued_ns));
  all_latency_.add(static_cast<double>(now.ns - w.issued_ns));
  return w;
}

size_t DiskModel::crash(NodeId n) {
  if (!enabled()) return 0;
  const size_t lost = queue_[n].size();
  writes_lost_ += lost;
  total_queued_ -= lost;
  queue_[n].clear();
  ++generation_[n];
  return lost;
}

void DiskModel::stall(NodeId n, uint32_t layer, bool begin, SimTime now) {
  if (stall_layers_.empty()) {
    stall_layers_.assign(queue_.size(), {});
    stall_began_ns_.assign(queue_.size(), 0);
  }
  auto& layers = stall_layers_[n];
  const bool was = !layers.empty();
  if (begin) layers.push_back(layer);
  else std::erase(layers, layer);
  if (!was && !layers.empty()) {
    // The write in service freezes with what it has left; its completion event dies.
    stall_began_ns_[n] = now.ns;
    auto& q = queue_[n];
    if (!q.empty() && q.front().remaining_ns >= 0)
      q.front().remaining_ns = std::max<int64_t>(0, q.front().remaining_ns - (now.ns - started_ns_[n]));
    ++generation_[n];
  } else if (was && layers.empty()) {
    stalled_ns_[n] += now.ns - stall_began_ns_[n];
  }
}

void DiskModel::slow(NodeId n, uint32_t layer, const SlowDisk& s, bool begin) {
  if (slow_layers_.empty()) slow_layers_.assign(queue_.size(), {});
  auto& layers = slow_layers_[n];
  if (begin) layers.push_back({layer, s});
  else std::erase_if(layers, [&](const auto& l) { return l.first == layer; });
}

void DiskModel::report(Metrics& metrics, SimTime now) const {
  if (!enabled()) return;
  metrics.histogram("disk_write_latency_ns") = all_latency_;  // folded into _p50, _p99, _max
  double stalled_total = 0;
  size_t depth_peak = 0;
  for (NodeId n = 0; n < queue_.size(); ++n) {
    const Histogram& h = latency_[n];
    int64_t stalled_for = stalled_ns_[n];
    if (stalled(n)) stalled_for += now.ns - stall_began_ns_[n];
    stalled_total += static_cast<double>(stalled_for);
    depth_peak = std::max(depth_peak, depth_max_[n]);
    if (h.count() == 0 && stalled_for == 0) continue;
    metrics.node_summary(n, "disk_writes", static_cast<double>(h.count()));
    metrics.node_summary(n, "disk_write_latency_ns_p50", h.percentile(50));
    metrics.node_summary(n, "disk_write_latency_ns_p99", h.percentile(99));
    metrics.node_summary(n, "disk_write_latency_ns_max", h.max());
    metrics.node_summary(n, "disk_queue_depth_max", static_cast<double>(depth_max_[n]));
    metrics.node_summary(n, "disk_stalled_ns", static_cast<double>(stalled_for));
  }
  metrics.set_scalar("disk_queue_depth_max", static_cast<double>(depth_peak));
  metrics.set_scalar("disk_stalled_ns", stalled_total);
  metrics.set_scalar("disk_writes_lost", static_cast<double>(writes_lost_));
  metrics.set_scalar("disk_writes_pending_final", static_cast<double>(total_queued_));
}

}  // namespace meshsim
