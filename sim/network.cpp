#include "sim/network.h"

#include <algorithm>
#include <cassert>

namespace meshsim {

const char* to_string(DropReason r) {
  switch (r) {
    case DropReason::none: return "none";
    case DropReason::loss: return "loss";
    case DropReason::partition: return "partition";
    case DropReason::queue_full: return "queue_full";
    case DropReason::crashed: return "crashed";
    case DropReason::absent: return "absent";
  }
  return "?";
}

Network::Network(const Topology& topology, uint64_t seed, LinkSpec link, std::vector<LinkOverride> overrides)
    : topology_(topology), seed_(seed), default_(std::move(link)), overrides_(std::move(overrides)) {
  bandwidth_model_ = default_.bandwidth_bps > 0;
  for (const auto& o : overrides_) bandwidth_model_ |= o.spec.bandwidth_bps > 0;
  if (bandwidth_model_) {
    edge_free_at_.assign(topology.directed_edge_count(), 0);
    uplink_free_at_.assign(topology.node_count(), 0);
  }
}

const LinkSpec& Network::spec_for(NodeId from, NodeId to, SimTime now) const {
  // Later overrides win, like later rules in a firewall table read bottom-up.
  for (auto it = overrides_.rbegin(); it != overrides_.rend(); ++it) {
    if (it->active_from && now < *it->active_from) continue;
    if (it->active_until && now >= *it->active_until) continue;
    bool forward = it->from.contains(from) && it->to.contains(to);
    bool backward = it->both_ways && it->from.contains(to) && it->to.contains(from);
    if (forward || backward) return it->spec;
  }
  return default_;
}

Duration Network::link_latency(const LinkSpec& spec, NodeId from, NodeId to,
                               Rng& message_rng) const {
  if (!spec.latency.per_link) return spec.latency.draw(message_rng);
  // One draw per unordered pair, recomputed from (seed, pair) on every use: a million-node
  // overlay pays no memory for it, and the pair's latency is the same both ways.
  NodeId lo = std::min(from, to), hi = std::max(from, to);
  Rng pair_rng(derive_stream(seed_, static_cast<uint64_t>(StreamKind::link), lo, hi));
  return spec.latency.draw(pair_rng);
}

bool Network::can_reach_through_cuts(NodeId a, NodeId b) const {
  if (a == b) return true;  // a node always reaches itself
  if (isolated_nodes_ > 0 && (isolation_count_[a] > 0 || isolation_count_[b] > 0)) return false;
  for (const PartitionLayer& p : partitions_) {
    if (p.group[a] == p.group[b]) continue;
    if (!p.one_way || p.group[a] == 1) return false;  // one-way: only traffic leaving group 1 is cut
  }
  return true;
}

MessageFate Network::route(NodeId from, NodeId to, uint32_t bytes, SimTime now,
                           uint64_t message_key) {
  MessageFate fate;
  ++counters_.sent;
  counters_.bytes_sent += bytes;
  if (!can_reach(from, to)) {
    ++counters_.lost_partition;
    fate.dropped = DropReason::partition;
    return fate;
  }
  const LinkSpec& spec = spec_for(from, to, now);
  Rng rng(message_key);
  if (spec.loss > 0 && rng.chance(spec.loss)) {
    ++counters_.lost_loss;
    fate.dropped = DropReason::loss;
    return fate;
  }
  Duration serialization{};
  if (spec.bandwidth_bps > 0) {
    // FIFO per directed overlay edge (or the sender's uplink off the overlay): the message
    // waits for the bytes ahead of it, then takes bytes*8/bandwidth to serialize. The queue
    // is bounded in bytes; a message that does not fit is tail-dropped.
    int64_t edge = topology_.edge_index(from, to);
    int64_t& free_at = edge >= 0 ? edge_free_at_[edge] : uplink_free_at_[from];
    int64_t start = std::max(free_at, now.ns);
    double backlog_bytes = static_cast<double>(start - now.ns) * spec.bandwidth_bps / 8e9;
    if (spec.queue_bytes > 0 && backlog_bytes + bytes > static_cast<double>(spec.queue_bytes)) {
      ++counters_.lost_queue;
      fate.dropped = DropReason::queue_full;
      return fate;
    }
    // Clamped, like latency draws: a tiny bandwidth gives an infinite serialization time, and
    // a long backlog must not grow free_at past the int64 range. A message that would start
    // transmitting after now + kMaxDuration arrives after the end of any run either way.
    const double tx = static_cast<double>(bytes) * 8e9 / spec.bandwidth_bps;
    const int64_t tx_ns = tx < static_cast<double>(kMaxDuration.ns) ? static_cast<int64_t>(tx) : kMaxDuration.ns;
    free_at = std::min(start, now.ns + kMaxDuration.ns) + tx_ns;
    serialization = Duration{free_at - now.ns};
  }
  fate.delay[0] = serialization + link_latency(spec, from, to, rng);
  if (spec.reorder > 0 && rng.chance(spec.reorder))
    fate.delay[0] = fate.delay[0] + Duration{static_cast<int64_t>(rng.below(
                                        static_cast<uint64_t>(spec.reorder_delay.ns) + 1))};
  if (spec.duplicate > 0 && rng.chance(spec.duplicate)) {
    fate.copies = 2;
    // The copy takes its own path through the network: a fresh latency draw.
    fate.delay[1] = serialization + spec.latency.draw(rng);
    ++counters_.duplicated;
  }
  return fate;
}

void Network::add_partition(uint32_t layer, const std::vector<std::pair<std::string, NodeSet>>& groups,
                            bool one_way) {
  PartitionLayer p{layer, one_way, std::vector<uint16_t>(topology_.node_count(), 0)};
  uint16_t id = 1;
  for (const auto& [name, nodes] : groups) {
    nodes.for_each([&](NodeId n) { p.group[n] = id; });
    ++id;
  }
  partitions_.push_back(std::move(p));
  update_cut();
}

void Network::remove_partition(uint32_t layer) {
  std::erase_if(partitions_, [&](const PartitionLayer& p) { return p.layer == layer; });
  update_cut();
}

void Network::remove_all_partitions() {
  partitions_.clear();
  update_cut();
}

void Network::isolate(const NodeSet& nodes) {
  if (isolation_count_.empty()) isolation_count_.assign(topology_.node_count(), 0);
  nodes.for_each([&](NodeId n) {
    if (isolation_count_[n]++ == 0) ++isolated_nodes_;
  });
  update_cut();
}

void Network::end_isolation(const NodeSet& nodes) {
  if (isolation_count_.empty()) return;
  nodes.for_each([&](NodeId n) {
    if (isolation_count_[n] > 0 && --isolation_count_[n] == 0) --isolated_nodes_;
  });
  update_cut();
}

std::vector<Network::PartitionView> Network::partitions() const {
  std::vector<PartitionView> out;
  for (const PartitionLayer& p : partitions_) out.push_back({p.layer, p.one_way, &p.group});
  return out;
}

}  // namespace meshsim
