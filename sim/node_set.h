// A set of node ids written as ranges in scenarios ("0..99", [3, "10..19"]). Stored as
// sorted, merged inclusive ranges so "0..999999" costs two integers, not a million.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/ids.h"

namespace meshsim {

class NodeSet {
 public:
  NodeSet() = default;
  static NodeSet all(uint32_t node_count) {
    NodeSet s;
    if (node_count > 0) s.add_range(0, node_count - 1);
    return s;
  }
  // Returns false if the range overlaps one already present (callers report duplicates).
  bool add_range(NodeId first, NodeId last);
  bool contains(NodeId n) const;
  uint64_t size() const;
  bool empty() const { return ranges_.empty(); }
  bool intersects(const NodeSet& other) const;
  const std::vector<std::pair<NodeId, NodeId>>& ranges() const { return ranges_; }
  std::string to_string() const;  // "0..9,12"
  template <class F>
  void for_each(F&& f) const {
    for (auto [a, b] : ranges_)
      for (uint64_t n = a; n <= b; ++n) f(static_cast<NodeId>(n));
  }

 private:
  std::vector<std::pair<NodeId, NodeId>> ranges_;
};

}  // namespace meshsim
