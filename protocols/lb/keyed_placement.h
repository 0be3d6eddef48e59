// Keyed tasks and their placement by consistent hashing (strategy "consistent-hash"): the key
// space, the Zipf popularity of keys, and the ring with its replica table. One object per run,
// shared by the module (which changes the ring when a node joins or leaves) and every node
// (which reads it). The ring is thus an oracle of membership: every node sees a join or leave
// at once, as with a configuration service (ZooKeeper, or Dynamo's seed nodes once gossip has
// converged). Crashes do not change the ring: a crashed node stays a member whose keys its
// replicas serve, as in Dynamo, where a transient failure is not a departure.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include <boost/random/discrete_distribution.hpp>

#include "protocols/lb/hash_ring.h"

namespace meshsim::lb {

struct KeyedConfig {
  uint32_t keys = 0;         // size of the key space
  double zipf = 0;           // popularity of the i-th key ∝ 1 / i^zipf (0: uniform)
  uint32_t virtual_nodes = 64;
  uint32_t replicas = 3;     // r: the owner and r - 1 successors hold a key's data
  int64_t repair_interval_ns = 200'000'000;
};

// What one join or leave moved, against the ideal of consistent hashing.
struct RingChange {
  uint32_t members_after = 0;
  uint64_t owners_moved = 0;   // keys whose owner changed
  uint64_t copies_moved = 0;   // (key, node) replica assignments that are new
  double owners_ideal = 0;     // K / N, N the larger of the two memberships
};

class KeyedPlacement {
 public:
  explicit KeyedPlacement(KeyedConfig config);

  const KeyedConfig& config() const { return config_; }
  uint32_t keys() const { return config_.keys; }

  // At the start of the run: the seed (for key draws) and the initial members.
  void start(uint64_t seed, uint32_t node_count);
  RingChange join(NodeId node);
  RingChange leave(NodeId node);
  bool is_member(NodeId node) const { return ring_.contains(node); }
  uint32_t members() const { return ring_.members(); }
  const HashRing& ring() const { return ring_; }

  // The key of submitter `node`'s task `seq`: a Zipf draw from its own stream (StreamKind
  // ring_keys), so keyed and unkeyed runs of a seed see the same sizes and arrivals.
  uint32_t draw_key(NodeId node, uint32_t seq) const;

  // The key's replicas, owner first: min(r, members) nodes.
  std::span<const NodeId> replicas(uint32_t key) const {
    return {replicas_.data() + size_t{key} * config_.replicas, replica_count_};
  }
  // 0 for the owner, 1.. for the successors; replica_count() if `node` is not a replica.
  uint32_t rank(uint32_t key, NodeId node) const;
  uint32_t replica_count() const { return replica_count_; }
  // The keys `node` is a replica of, ascending.
  std::span<const uint32_t> keys_of(NodeId node) const;

 private:
  void rebuild();
  RingChange diff(const std::vector<NodeId>& before, uint32_t before_count, uint32_t members_before);

  KeyedConfig config_;
  HashRing ring_;
  boost::random::discrete_distribution<uint32_t, double> popularity_;
  uint64_t seed_ = 0;
  uint32_t replica_count_ = 0;
  std::vector<NodeId> replicas_;  // keys × r, rows padded with kNoNode past replica_count_
  std::vector<uint32_t> keys_of_flat_;
  std::vector<uint32_t> keys_of_begin_;  // node -> offset into keys_of_flat_ (node_count + 1)
};

}  // namespace meshsim::lb
