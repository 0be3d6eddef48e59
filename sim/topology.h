// The overlay: each node's neighbour list, stored as compressed sparse rows (CSR) so a
// million nodes with average degree 16 cost about 72 bytes a node. Generators use
// Boost.Graph where it has one; the result is copied into CSR once and the Boost graph freed.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sim/ids.h"

namespace meshsim {

class Topology {
 public:
  Topology() = default;
  // Builds an undirected overlay from an edge list (self-loops and duplicates removed).
  static Topology from_edges(uint32_t nodes, std::vector<std::pair<NodeId, NodeId>> edges);

  uint32_t node_count() const { return node_count_; }
  uint64_t edge_count() const { return targets_.size() / 2; }  // undirected edges
  std::span<const NodeId> neighbors(NodeId n) const {
    return {targets_.data() + offsets_[n], targets_.data() + offsets_[n + 1]};
  }
  // Position of the directed edge a->b in CSR order, or -1 when the pair is not an edge.
  int64_t edge_index(NodeId a, NodeId b) const;
  uint64_t directed_edge_count() const { return targets_.size(); }
  // Layout coordinates in [0,1)^2 when the generator has a natural picture (grid, ring).
  const std::vector<std::pair<float, float>>& coordinates() const { return coords_; }
  void set_coordinates(std::vector<std::pair<float, float>> c) { coords_ = std::move(c); }

 private:
  uint32_t node_count_ = 0;
  std::vector<uint64_t> offsets_;  // node_count_ + 1 entries
  std::vector<NodeId> targets_;    // sorted within each node's row
  std::vector<std::pair<float, float>> coords_;
};

}  // namespace meshsim
