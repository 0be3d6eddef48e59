#include "viz/node_looks.h"

#include <map>

#include "viz/palette.h"

namespace meshsim::viz {

int16_t NodeLooks::role_index(const std::string& word) {
  for (size_t i = 0; i < role_names_.size(); ++i)
    if (role_names_[i] == word) return static_cast<int16_t>(i);
  role_names_.push_back(word);
  role_counts_.push_back(0);
  return static_cast<int16_t>(role_names_.size() - 1);
}

uint32_t NodeLooks::role_colour(int16_t role) const {
  if (role < 0) return colour::up_default;
  return viz::role_colour(role_names_[role], static_cast<size_t>(role));
}

uint32_t NodeLooks::fill(const NodeLook& l) const {
  switch (l.state) {
    case NodeState::crashed: return colour::crashed;
    case NodeState::paused: return colour::paused;
    case NodeState::absent: return colour::absent;
    case NodeState::up: break;
  }
  return role_colour(l.role);
}

void NodeLooks::refresh(const Simulation& sim, bool describe) {
  const uint32_t n = sim.node_count();
  looks_.resize(n);
  if (describing_ == -2) {
    describing_ = -1;
    for (size_t m = 0; m < sim.modules().size() && describing_ < 0; ++m)
      for (NodeId i = 0; i < std::min(n, 16u); ++i)
        if (!sim.modules()[m]->describe_node(i).empty()) {
          describing_ = static_cast<int>(m);
          break;
        }
  }
  if (!roles_seeded_ && describing_ >= 0) {
    // The protocol's declared roles first, so their colours do not depend on which role
    // happens to appear first in this run.
    for (const auto& r : sim.modules()[describing_]->roles()) role_index(r);
    roles_seeded_ = true;
  }
  for (NodeId i = 0; i < n; ++i) {
    NodeLook& l = looks_[i];
    l.state = sim.node_state(i);
    l.isolated = sim.network().isolated(i);
    l.byzantine = false;
    l.group = 0;
  }
  if (describe && describing_ >= 0) {
    std::fill(role_counts_.begin(), role_counts_.end(), 0);
    const Module& m = *sim.modules()[describing_];
    for (NodeId i = 0; i < n; ++i) {
      std::string line = m.describe_node(i);
      std::string word = line.substr(0, line.find(' '));
      looks_[i].role = word.empty() ? -1 : role_index(word);
      if (looks_[i].role >= 0 && looks_[i].state == NodeState::up) ++role_counts_[looks_[i].role];
    }
  }
  for (uint32_t idx : sim.active_faults()) {
    const FaultSpec& f = sim.faults()[idx];
    if (f.kind == FaultKind::byzantine) f.nodes.for_each([&](NodeId v) {
        if (v < n) looks_[v].byzantine = true;
      });
  }
  // Partition groups across every layer in force: nodes that no cut separates share a
  // group (a node's tuple of group ids, numbered in order of first appearance).
  group_count_ = 0;
  auto cuts = sim.network().partitions();
  if (cuts.empty()) return;
  std::map<std::vector<uint16_t>, uint16_t> ids;
  std::vector<uint16_t> key(cuts.size());
  for (NodeId i = 0; i < n; ++i) {
    for (size_t c = 0; c < cuts.size(); ++c) key[c] = (*cuts[c].group)[i];
    auto it = ids.try_emplace(key, static_cast<uint16_t>(ids.size() + 1)).first;
    looks_[i].group = it->second;
  }
  group_count_ = static_cast<uint32_t>(ids.size());
}

}  // namespace meshsim::viz
