#include "protocols/lb/keyed_placement.h"

#include <algorithm>
#include <cmath>

#include "sim/rng.h"

namespace meshsim::lb {

namespace {
std::vector<double> zipf_weights(uint32_t keys, double exponent) {
  std::vector<double> w(std::max<uint32_t>(keys, 1));
  for (uint32_t i = 0; i < w.size(); ++i) w[i] = 1.0 / std::pow(static_cast<double>(i + 1), exponent);
  return w;
}
}  // namespace

// Boost's discrete_distribution samples by Walker's alias method: O(1) per key after O(K)
// set-up, and its algorithm is fixed across platforms (docs/determinism.md).
KeyedPlacement::KeyedPlacement(KeyedConfig config)
    : config_(config), ring_(config.virtual_nodes), popularity_(zipf_weights(config.keys, config.zipf)) {}

void KeyedPlacement::start(uint64_t seed, uint32_t node_count) {
  seed_ = seed;
  ring_ = HashRing(config_.virtual_nodes);
  for (NodeId n = 0; n < node_count; ++n) ring_.add(n);
  keys_of_begin_.assign(node_count + 1, 0);
  rebuild();
}

uint32_t KeyedPlacement::draw_key(NodeId node, uint32_t seq) const {
  Rng rng(derive_stream(seed_, StreamKind::ring_keys, node, seq));
  return popularity_(rng);
}

uint32_t KeyedPlacement::rank(uint32_t key, NodeId node) const {
  auto reps = replicas(key);
  return static_cast<uint32_t>(std::find(reps.begin(), reps.end(), node) - reps.begin());
}

std::span<const uint32_t> KeyedPlacement::keys_of(NodeId node) const {
  if (node + 1 >= keys_of_begin_.size()) return {};
  return {keys_of_flat_.data() + keys_of_begin_[node], keys_of_begin_[node + 1] - keys_of_begin_[node]};
}

void KeyedPlacement::rebuild() {
  const uint32_t r = config_.replicas;
  replica_count_ = std::min(r, ring_.members());
  replicas_.assign(size_t{config_.keys} * r, kNoNode);
  const uint32_t nodes = static_cast<uint32_t>(keys_of_begin_.size() - 1);
  std::vector<uint32_t> per_node(nodes + 1, 0);
  for (uint32_t k = 0; k < config_.keys; ++k) {
    auto succ = ring_.successors(key_position(k), r);
    for (size_t i = 0; i < succ.size(); ++i) {
      replicas_[size_t{k} * r + i] = succ[i];
      ++per_node[succ[i]];
    }
  }
  // Counting sort of (node, key) pairs: each node's keys ascending, in one flat array.
  keys_of_begin_[0] = 0;
  for (uint32_t n = 0; n < nodes; ++n) keys_of_begin_[n + 1] = keys_of_begin_[n] + per_node[n];
  keys_of_flat_.assign(keys_of_begin_[nodes], 0);
  std::vector<uint32_t> fill(keys_of_begin_.begin(), keys_of_begin_.end() - 1);
  for (uint32_t k = 0; k < config_.keys; ++k)
    for (uint32_t i = 0; i < replica_count_; ++i) keys_of_flat_[fill[replicas_[size_t{k} * r + i]]++] = k;
}

RingChange KeyedPlacement::diff(const std::vector<NodeId>& before, uint32_t before_count, uint32_t members_before) {
  RingChange c;
  c.members_after = ring_.members();
  const uint32_t r = config_.replicas;
  for (uint32_t k = 0; k < config_.keys; ++k) {
    const NodeId* old_row = before.data() + size_t{k} * r;
    auto now = replicas(k);
    if (!now.empty() && (before_count == 0 || old_row[0] != now[0])) ++c.owners_moved;
    for (NodeId n : now)
      if (std::find(old_row, old_row + before_count, n) == old_row + before_count) ++c.copies_moved;
  }
  const uint32_t larger = std::max(members_before, c.members_after);
  c.owners_ideal = larger ? static_cast<double>(config_.keys) / larger : 0.0;
  return c;
}

RingChange KeyedPlacement::join(NodeId node) {
  const std::vector<NodeId> before = replicas_;
  const uint32_t before_count = replica_count_, members_before = ring_.members();
  ring_.add(node);
  rebuild();
  return diff(before, before_count, members_before);
}

RingChange KeyedPlacement::leave(NodeId node) {
  const std::vector<NodeId> before = replicas_;
  const uint32_t before_count = replica_count_, members_before = ring_.members();
  ring_.remove(node);
  rebuild();
  return diff(before, before_count, members_before);
}

}  // namespace meshsim::lb
