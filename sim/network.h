// The network model: decides each message's fate (lost, or delivered after a delay, maybe
// twice). Partitions, isolation and link overrides live here. Addressing is any-to-any like
// IP under an overlay; a pair that is not an overlay edge gets its properties on the fly
// from (seed, pair), so nothing quadratic is ever stored.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/ids.h"
#include "sim/link_model.h"
#include "sim/scenario.h"
#include "sim/topology.h"

namespace meshsim {

enum class DropReason : uint8_t { none, loss, partition, queue_full, crashed };

struct MessageFate {
  DropReason dropped = DropReason::none;
  uint8_t copies = 1;        // 2 when duplicated
  Duration delay[2] = {};    // per copy, from now to delivery
};

struct NetworkCounters {
  uint64_t sent = 0, delivered = 0, duplicated = 0;
  uint64_t lost_loss = 0, lost_partition = 0, lost_queue = 0, lost_crashed = 0;
  uint64_t bytes_sent = 0;
};

class Network {
 public:
  Network(const Scenario& scenario, const Topology& topology, uint64_t seed);

  // `message_key` identifies the message uniquely and independently of processing order
  // (derived from sender and sender's sequence number): the message's random fate is drawn
  // from it, so results do not depend on how events interleave.
  MessageFate route(NodeId from, NodeId to, uint32_t bytes, SimTime now, uint64_t message_key);

  // Partition into groups; nodes not named form one more group. One-way: only traffic
  // leaving the first group is cut (the classic asymmetric partition).
  void partition(const std::vector<std::pair<std::string, NodeSet>>& groups, bool one_way);
  void heal();
  void isolate(const NodeSet& nodes, bool on);
  // True when a message from a to b is not cut by a partition or isolation right now.
  bool can_reach(NodeId a, NodeId b) const;
  bool partitioned() const { return !group_.empty() || any_isolated_; }

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
  std::vector<uint16_t> group_;  // empty when not partitioned
  bool one_way_ = false;
  std::vector<uint8_t> isolated_;
  bool any_isolated_ = false;
  bool bandwidth_model_ = false;
  std::vector<int64_t> edge_free_at_;    // per directed overlay edge: when its FIFO drains
  std::vector<int64_t> uplink_free_at_;  // per node, for off-overlay traffic
  NetworkCounters counters_;
};

}  // namespace meshsim
