// Topology generators: turn a TopologySpec into an overlay.
#pragma once
#include "sim/scenario.h"
#include "sim/topology.h"

namespace meshsim {

// Throws ScenarioError for impossible parameters (odd n*d for random-regular, a missing
// or malformed edge-list file) naming the scenario file and key.
Topology build_topology(const TopologySpec& spec, uint64_t seed, const std::string& scenario_file,
                        const std::string& scenario_dir);

}  // namespace meshsim
