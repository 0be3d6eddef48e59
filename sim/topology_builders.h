// Topology generators: turn a TopologySpec into an overlay.
#pragma once
#include <cstdint>
#include <string>

#include "sim/errors.h"
#include "sim/topology.h"

namespace meshsim {

struct TopologySpec {
  std::string kind = "full";  // full grid torus ring random-regular erdos-renyi
                              // watts-strogatz barabasi-albert edge-list none random-picks
  uint32_t nodes = 0;
  uint32_t degree = 4;    // random-regular; random-picks (d distinct picks per node)
  double p = 0.01;        // erdos-renyi edge probability; watts-strogatz rewiring
  uint32_t k = 4;         // watts-strogatz neighbours (even)
  uint32_t m = 2;         // barabasi-albert edges per new node
  uint32_t width = 0;     // grid/torus; 0 = square root of nodes
  std::string file;       // edge-list path (relative to the scenario)
};

// Throws ScenarioError for impossible parameters (odd n*d for random-regular, a missing
// or malformed edge-list file) naming the scenario file and key.
Topology build_topology(const TopologySpec& spec, uint64_t seed, const std::string& scenario_file,
                        const std::string& scenario_dir);

}  // namespace meshsim
