// Consistent hashing (Karger et al., STOC 1997): every node sits on a 64-bit ring at
// `virtual_nodes` points; a key belongs to the first point clockwise from the key's own
// position, and its r replicas are the first r *distinct* nodes clockwise (Dynamo's
// "preference list", DeCandia et al. 2007). A join or leave moves only the keys whose
// successors change: about K/N owners for K keys and N nodes.
//
// Positions come from SplitMix64's finaliser (splitmix64_mix, sim/rng.h; Steele, Lea & Flood,
// OOPSLA 2014), not boost::hash or std::hash: those map an integer to itself (or nearly), so
// node 3's points would cluster next to node 4's, and std::hash differs between standard
// libraries. The finaliser is a bijection of 64-bit words with full avalanche, part of the
// determinism contract already, and costs three multiplies. The ring does not depend on the
// seed: like a deployed ring hashing node addresses, node n's points are the same in every run.
#pragma once
#include <cstdint>
#include <vector>

#include "sim/ids.h"

namespace meshsim::lb {

// The ring position of a key and of a node's v-th point (separate domains, so key 5 and
// node 5 do not land together).
uint64_t key_position(uint64_t key);
uint64_t node_position(NodeId node, uint32_t vnode);

class HashRing {
 public:
  explicit HashRing(uint32_t virtual_nodes) : virtual_nodes_(virtual_nodes) {}

  void add(NodeId node);     // no-op if already a member
  void remove(NodeId node);  // no-op if not a member
  bool contains(NodeId node) const;
  uint32_t members() const { return members_; }
  uint32_t virtual_nodes() const { return virtual_nodes_; }

  // The first `count` distinct nodes clockwise from `position` (fewer if the ring has fewer
  // members), the owner first.
  std::vector<NodeId> successors(uint64_t position, uint32_t count) const;
  NodeId owner(uint64_t position) const;

 private:
  struct Point {
    uint64_t position;
    NodeId node;
    bool operator<(const Point& o) const { return position != o.position ? position < o.position : node < o.node; }
  };
  uint32_t virtual_nodes_;
  uint32_t members_ = 0;
  std::vector<Point> points_;  // sorted by position
};

}  // namespace meshsim::lb
