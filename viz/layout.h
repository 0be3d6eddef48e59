// Where each node is drawn, in the unit square. Computed once per topology: the topology's
// own picture when it has one (ring, grid, torus: Topology::coordinates()), otherwise a
// force-directed layout (Boost.Graph's Fruchterman-Reingold) up to kForceLayoutMaxNodes,
// and beyond that a cheap one (nodes along a sunflower spiral in breadth-first order, so
// neighbours land near each other) that costs O(nodes + edges).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/topology.h"

namespace meshsim::viz {

struct Point2 {
  float x = 0, y = 0;
};

struct Layout {
  std::vector<Point2> pos;  // per node, in [0,1]^2
  std::string method;       // "topology", "force-directed", "circle", "spiral (BFS order)"
};

inline constexpr uint32_t kForceLayoutMaxNodes = 3000;

Layout compute_layout(const Topology& topology);

}  // namespace meshsim::viz
