// Per-node attributes a scenario gives its nodes ([[nodes.attributes]]): capacity, CPU
// speed, zone and capabilities. Any module may read them; the engine itself uses speed
// (processing costs are divided by it). Stored only when a scenario sets them, so a
// million-node run that sets none pays nothing.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/ids.h"
#include "sim/node_set.h"

namespace meshsim {

class NodeAttributes {
 public:
  static constexpr size_t kMaxCapabilities = 64;  // one bit each in a per-node mask

  double capacity(NodeId n) const { return capacity_.empty() ? 1.0 : capacity_[n]; }
  double speed(NodeId n) const { return speed_.empty() ? 1.0 : speed_[n]; }
  std::string_view zone(NodeId n) const { return zone_.empty() ? std::string_view{} : zone_names_[zone_[n]]; }
  // Zones as small integers (0 = none) for modules that compare them per message.
  uint16_t zone_id(NodeId n) const { return zone_.empty() ? 0 : zone_[n]; }
  bool has_capability(NodeId n, std::string_view capability) const;
  uint64_t capability_mask(NodeId n) const { return capabilities_.empty() ? 0 : capabilities_[n]; }
  // Bit of a capability name in capability_mask, or -1 when no node has it.
  int capability_bit(std::string_view capability) const;
  const std::vector<std::string>& capability_names() const { return capability_names_; }
  bool any() const { return !capacity_.empty() || !speed_.empty() || !zone_.empty() || !capabilities_.empty(); }

  // Building (the scenario layer, or a test): later calls override earlier ones node by node.
  void set_capacity(const NodeSet& nodes, double value, uint32_t node_count);
  void set_speed(const NodeSet& nodes, double value, uint32_t node_count);
  // Returns false when the scenario already names 65,535 other zones.
  bool set_zone(const NodeSet& nodes, const std::string& zone, uint32_t node_count);
  // Returns false when the scenario already uses kMaxCapabilities other names.
  bool add_capability(const NodeSet& nodes, const std::string& capability, uint32_t node_count);

 private:
  std::vector<double> capacity_, speed_;
  std::vector<uint16_t> zone_;
  std::vector<std::string> zone_names_{""};
  std::vector<uint64_t> capabilities_;
  std::vector<std::string> capability_names_;
};

}  // namespace meshsim
