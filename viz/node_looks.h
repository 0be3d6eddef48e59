// What each node looks like right now, read from the run between steps: its engine state,
// its protocol role (the first word of Module::describe_node: "leader", "backup",
// "informed"...), whether it is Byzantine or isolated, and its partition group. Computed
// at most once per frame, never per event, so drawing cost does not grow with the event
// rate; on very large meshes the protocol text is re-read less often (it allocates a
// string per node).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/simulation.h"

namespace meshsim::viz {

struct NodeLook {
  NodeState state = NodeState::up;
  int16_t role = -1;     // index into NodeLooks::role_names(), -1: none
  uint16_t group = 0;    // partition group (0 when no partition is in force)
  bool byzantine = false;
  bool isolated = false;
};

class NodeLooks {
 public:
  // Re-reads the run. `describe` asks the protocol for roles too (costly on big meshes).
  void refresh(const Simulation& sim, bool describe);
  const std::vector<NodeLook>& looks() const { return looks_; }
  const std::vector<std::string>& role_names() const { return role_names_; }
  const std::vector<uint32_t>& role_counts() const { return role_counts_; }
  uint32_t role_colour(int16_t role) const;
  uint32_t fill(const NodeLook& l) const;
  uint32_t group_count() const { return group_count_; }
  // The module whose describe_node gives the roles (the first one that says anything).
  int describing_module() const { return describing_; }
  void reset() { *this = NodeLooks{}; }

 private:
  int16_t role_index(const std::string& word);

  std::vector<NodeLook> looks_;
  std::vector<std::string> role_names_;
  std::vector<uint32_t> role_counts_;
  uint32_t group_count_ = 0;
  int describing_ = -2;  // -2: not looked for yet, -1: no module describes nodes
  bool roles_seeded_ = false;
};

}  // namespace meshsim::viz
