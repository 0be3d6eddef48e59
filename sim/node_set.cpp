#include "sim/node_set.h"

#include <algorithm>

namespace meshsim {

bool NodeSet::add_range(NodeId first, NodeId last) {
  if (first > last) std::swap(first, last);
  for (auto [a, b] : ranges_)
    if (first <= b && a <= last) return false;
  ranges_.push_back({first, last});
  std::sort(ranges_.begin(), ranges_.end());
  // Merge adjacent ranges so lookups stay short ("0..4" and "5..9" become "0..9").
  std::vector<std::pair<NodeId, NodeId>> merged;
  for (auto r : ranges_) {
    if (!merged.empty() && static_cast<uint64_t>(merged.back().second) + 1 == r.first)
      merged.back().second = r.second;
    else
      merged.push_back(r);
  }
  ranges_ = std::move(merged);
  return true;
}

bool NodeSet::contains(NodeId n) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), n,
                             [](NodeId v, const std::pair<NodeId, NodeId>& r) { return v < r.first; });
  if (it == ranges_.begin()) return false;
  --it;
  return n <= it->second;
}

uint64_t NodeSet::size() const {
  uint64_t total = 0;
  for (auto [a, b] : ranges_) total += static_cast<uint64_t>(b) - a + 1;
  return total;
}

bool NodeSet::intersects(const NodeSet& other) const {
  for (auto [a, b] : ranges_)
    for (auto [c, d] : other.ranges_)
      if (a <= d && c <= b) return true;
  return false;
}

std::string NodeSet::to_string() const {
  std::string out;
  for (auto [a, b] : ranges_) {
    if (!out.empty()) out += ",";
    out += a == b ? std::to_string(a) : std::to_string(a) + ".." + std::to_string(b);
  }
  return out.empty() ? "(none)" : out;
}

}  // namespace meshsim
