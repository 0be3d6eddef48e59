#include "protocols/lb/hash_ring.h"

#include <algorithm>

#include "sim/rng.h"

namespace meshsim::lb {

namespace {
// Domain tags, so a key and a node point with equal numbers hash apart ("key", "node").
constexpr uint64_t kKeyDomain = 0x6b6579;
constexpr uint64_t kNodeDomain = 0x6e6f6465;
}  // namespace

uint64_t key_position(uint64_t key) { return splitmix64_mix(splitmix64_mix(kKeyDomain) ^ key); }

uint64_t node_position(NodeId node, uint32_t vnode) {
  return splitmix64_mix(splitmix64_mix(splitmix64_mix(kNodeDomain) ^ node) ^ vnode);
}

void HashRing::add(NodeId node) {
  if (contains(node)) return;
  for (uint32_t i = 0; i < virtual_nodes_; ++i) points_.push_back({node_position(node, i), node});
  std::sort(points_.begin(), points_.end());
  ++members_;
}

void HashRing::remove(NodeId node) {
  const size_t before = points_.size();
  std::erase_if(points_, [&](const Point& p) { return p.node == node; });
  if (points_.size() != before) --members_;
}

bool HashRing::contains(NodeId node) const {
  // A member's first point is where node_position says; one binary search finds it.
  const Point probe{node_position(node, 0), node};
  auto it = std::lower_bound(points_.begin(), points_.end(), probe);
  return it != points_.end() && it->position == probe.position && it->node == node;
}

std::vector<NodeId> HashRing::successors(uint64_t position, uint32_t count) const {
  std::vector<NodeId> out;
  count = std::min(count, members_);
  if (count == 0) return out;
  auto it = std::lower_bound(points_.begin(), points_.end(), Point{position, 0});
  // Walk clockwise, wrapping once, skipping further points of nodes already taken.
  for (size_t step = 0; step < points_.size() && out.size() < count; ++step, ++it) {
    if (it == points_.end()) it = points_.begin();
    if (std::find(out.begin(), out.end(), it->node) == out.end()) out.push_back(it->node);
  }
  return out;
}

NodeId HashRing::owner(uint64_t position) const {
  auto s = successors(position, 1);
  return s.empty() ? kNoNode : s.front();
}

}  // namespace meshsim::lb
