// The network model: decides each message's fate (lost, or delivered after a delay, maybe
// twice). Partitions, isolations and link overrides live here. Cuts compose: every
// partition and every isolation is a layer that only its own end removes, and a message
// crosses only if no active layer blocks it. Addressing is any-to-any like
// IP under an overlay; a pair that is not an overlay edge gets its properties on the fly
// from (seed, pair), so nothing quadratic is ever stored.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/ids.h"
#include "sim/link_model.h"
#include "sim/message_record.h"
#include "sim/fault_schedule.h"
#include "sim/topology.h"

namespace meshsim {


struct MessageFate {
  DropReason dropped = DropReason::none;
  uint8_t copies = 1;        // 2 when duplicated
  Duration delay[2] = {};    // per copy, from now to delivery
};

struct NetworkCounters {
  uint64_t sent = 0, delivered = 0, duplicated = 0;
  uint64_t lost_loss = 0, lost_partition = 0, lost_queue = 0, lost_crashed = 0, lost_absent = 0;
  uint64_t bytes_sent = 0;
};

class Network {
 public:
  // `overrides` are static link rules and degrade windows, later entries winning.
  Network(const Topology& topology, uint64_t seed, LinkSpec link, std::vector<LinkOverride> overrides);

  // `message_key` identifies the message uniquely and independently of processing order
  // (derived from sender and sender's sequence number): the message's random fate is drawn
  // from it, so results do not depend on how events interleave.
  MessageFate route(NodeId from, NodeId to, uint32_t bytes, SimTime now, uint64_t message_key);

  // Partition layer `layer` (a fault's index): nodes in the same group talk, nodes in
  // different groups do not; nodes not named form one more group. One-way: only traffic
  // leaving the first group is cut (the classic asymmetric partition).
  void add_partition(uint32_t layer, const std::vector<std::pair<std::string, NodeSet>>& groups, bool one_way);
  void remove_partition(uint32_t layer);
  void remove_all_partitions();  // an explicit `heal` fault
  // Isolation layers count per node: a node is cut off while any isolation holds it.
  void isolate(const NodeSet& nodes);
  void end_isolation(const NodeSet& nodes);
  // True when a message from a to b is not cut by any partition or isolation right now.
  bool can_reach(NodeId a, NodeId b) const {
    if (!cut_) return true;
    return can_reach_through_cuts(a, b);
  }
  bool partitioned() const { return cut_; }
  // The cuts in force, for a live view: each partition layer's groups and every isolated node.
  struct PartitionView {
    uint32_t layer;
    bool one_way;
    const std::vector<uint16_t>* group;  // per node; 0 = the unnamed rest
  };
  std::vector<PartitionView> partitions() const;
  bool isolated(NodeId n) const { return !isolation_count_.empty() && isolation_count_[n] > 0; }
  // The link rule that applies to a message from `from` to `to` sent at `now`.
  const LinkSpec& link_spec(NodeId from, NodeId to, SimTime now) const { return spec_for(from, to, now); }

  NetworkCounters& counters() { return counters_; }
  const NetworkCounters& counters() const { return counters_; }
  void count_crashed_drop() { ++counters_.lost_crashed; }

 private:
  const LinkSpec& spec_for(NodeId from, NodeId to, SimTime now) const;
  Duration link_latency(const LinkSpec& spec, NodeId from, NodeId to, Rng& message_rng) const;

  const Topology& topology_;
  uint64_t seed_;
  LinkSpec default_;
  std::vector<LinkOverride> overrides_;
  bool can_reach_through_cuts(NodeId a, NodeId b) const;
  void update_cut() { cut_ = !partitions_.empty() || isolated_nodes_ > 0; }

  struct PartitionLayer {
    uint32_t layer;
    bool one_way;
    std::vector<uint16_t> group;  // per node; 0 = the unnamed rest, 1 = the first group
  };
  std::vector<PartitionLayer> partitions_;  // in the order they started
  std::vector<uint32_t> isolation_count_;  // per node: isolation layers holding it
  uint32_t isolated_nodes_ = 0;
  bool cut_ = false;  // any partition or isolation in force: the per-message fast path
  bool bandwidth_model_ = false;
  std::vector<int64_t> edge_free_at_;    // per directed overlay edge: when its FIFO drains
  std::vector<int64_t> uplink_free_at_;  // per node, for off-overlay traffic
  NetworkCounters counters_;
};

}  // namespace meshsim
