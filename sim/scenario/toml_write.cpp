#include "sim/scenario/toml_write.h"

#include <algorithm>

namespace meshsim {

std::string toml_node_list(std::vector<NodeId> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::string out = "[";
  for (size_t i = 0; i < ids.size();) {
    size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) ++j;
    if (i) out += ", ";
    out += j == i ? std::to_string(ids[i]) : "\"" + std::to_string(ids[i]) + ".." + std::to_string(ids[j]) + "\"";
    i = j + 1;
  }
  return out + "]";
}

std::string toml_node_list(const NodeSet& nodes) {
  std::vector<NodeId> ids;
  nodes.for_each([&](NodeId n) { ids.push_back(n); });
  return toml_node_list(std::move(ids));
}

// format_duration picks the largest unit that divides the value, so it is exact.
std::string toml_duration(Duration d) { return "\"" + format_duration(d) + "\""; }

}  // namespace meshsim
