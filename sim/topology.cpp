#include "sim/topology.h"

#include <algorithm>
#include <cassert>

namespace meshsim {

Topology Topology::from_edges(uint32_t nodes, std::vector<std::pair<NodeId, NodeId>> edges) {
  Topology t;
  t.node_count_ = nodes;
  t.offsets_.assign(static_cast<size_t>(nodes) + 1, 0);
  // Counting sort into CSR: two passes over the edge list and no per-node vectors, so a
  // million-node overlay never holds more than the edge list plus the final arrays.
  for (auto [a, b] : edges) {
    assert(a < nodes && b < nodes);
    if (a == b) continue;
    ++t.offsets_[a + 1];
    ++t.offsets_[b + 1];
  }
  for (size_t i = 1; i < t.offsets_.size(); ++i) t.offsets_[i] += t.offsets_[i - 1];
  t.targets_.resize(t.offsets_.back());
  std::vector<uint64_t> fill(t.offsets_.begin(), t.offsets_.end() - 1);
  for (auto [a, b] : edges) {
    if (a == b) continue;
    t.targets_[fill[a]++] = b;
    t.targets_[fill[b]++] = a;
  }
  edges.clear();
  edges.shrink_to_fit();
  fill.clear();
  fill.shrink_to_fit();
  // Sort each row and drop duplicate edges, compacting in place.
  uint64_t write = 0;
  for (uint32_t n = 0; n < nodes; ++n) {
    uint64_t begin = t.offsets_[n], end = t.offsets_[n + 1];
    std::sort(t.targets_.begin() + static_cast<int64_t>(begin), t.targets_.begin() + static_cast<int64_t>(end));
    t.offsets_[n] = write;
    for (uint64_t i = begin; i < end; ++i)
      if (i == begin || t.targets_[i] != t.targets_[i - 1]) t.targets_[write++] = t.targets_[i];
  }
  t.offsets_[nodes] = write;
  t.targets_.resize(write);
  t.targets_.shrink_to_fit();
  return t;
}

int64_t Topology::edge_index(NodeId a, NodeId b) const {
  auto row = neighbors(a);
  auto it = std::lower_bound(row.begin(), row.end(), b);
  if (it == row.end() || *it != b) return -1;
  return static_cast<int64_t>(offsets_[a] + static_cast<uint64_t>(it - row.begin()));
}

}  // namespace meshsim
