// What both membership modes (the full list and HyParView) read and check the same way:
// the seed list, the floor of a timer, and seeds that must exist once the node count is known.
#pragma once
#include <string>
#include <vector>

#include "sim/errors.h"
#include "sim/ids.h"
#include "sim/scenario/config_section.h"
#include "sim/time.h"

namespace meshsim::membership {

// Timers far below a network's latency only make the run slow (a 1 ns period on 100 nodes
// is 10^11 events a simulated second) and model no real deployment.
inline void at_least(ConfigSection& s, const char* key, Duration value, Duration floor) {
  if (value < floor) s.fail(key, "must be at least " + format_readable(floor));
}

// `seeds` (a node set, at most 64) replaces the default list when given.
inline void read_seeds(ConfigSection& s, std::vector<NodeId>& seeds) {
  if (!s.has("seeds")) return;
  NodeSet set = s.get_nodes("seeds", kNoNode - 1);
  if (set.size() > 64) s.fail("seeds", "at most 64 seed nodes");
  seeds.clear();
  set.for_each([&](NodeId n) { seeds.push_back(n); });
}

// At attach time: every seed must be a node of the run. `seed_error` is the message with
// the scenario's file and line, when the module came from a scenario.
inline void check_seeds_exist(const std::vector<NodeId>& seeds, uint32_t node_count, const std::string& seed_error) {
  for (NodeId s : seeds)
    if (s >= node_count)
      throw ScenarioError(seed_error.empty() ? "protocol.seeds: a seed beyond the node count" : seed_error);
}

}  // namespace meshsim::membership
