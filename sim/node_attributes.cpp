#include "sim/node_attributes.h"

#include <algorithm>

namespace meshsim {

namespace {
template <class T>
void assign(std::vector<T>& values, const NodeSet& nodes, T value, T fallback, uint32_t node_count) {
  if (values.empty()) values.assign(node_count, fallback);
  nodes.for_each([&](NodeId n) { values[n] = value; });
}
}  // namespace

bool NodeAttributes::has_capability(NodeId n, std::string_view capability) const {
  int bit = capability_bit(capability);
  return bit >= 0 && (capability_mask(n) >> bit & 1);
}

int NodeAttributes::capability_bit(std::string_view capability) const {
  auto it = std::find(capability_names_.begin(), capability_names_.end(), capability);
  return it == capability_names_.end() ? -1 : static_cast<int>(it - capability_names_.begin());
}

void NodeAttributes::set_capacity(const NodeSet& nodes, double value, uint32_t node_count) {
  assign(capacity_, nodes, value, 1.0, node_count);
}

void NodeAttributes::set_speed(const NodeSet& nodes, double value, uint32_t node_count) {
  assign(speed_, nodes, value, 1.0, node_count);
}

bool NodeAttributes::set_zone(const NodeSet& nodes, const std::string& zone, uint32_t node_count) {
  auto it = std::find(zone_names_.begin(), zone_names_.end(), zone);
  if (it == zone_names_.end() && zone_names_.size() > UINT16_MAX) return false;
  uint16_t id = static_cast<uint16_t>(it - zone_names_.begin());
  if (it == zone_names_.end()) zone_names_.push_back(zone);
  assign<uint16_t>(zone_, nodes, id, 0, node_count);
  return true;
}

bool NodeAttributes::add_capability(const NodeSet& nodes, const std::string& capability, uint32_t node_count) {
  int bit = capability_bit(capability);
  if (bit < 0) {
    if (capability_names_.size() == kMaxCapabilities) return false;
    capability_names_.push_back(capability);
    bit = static_cast<int>(capability_names_.size() - 1);
  }
  if (capabilities_.empty()) capabilities_.assign(node_count, 0);
  nodes.for_each([&](NodeId n) { capabilities_[n] |= uint64_t{1} << bit; });
  return true;
}

}  // namespace meshsim
