// Degree and betweenness centrality of every node of the mesh, for GraphRoPE. Betweenness is
// Boost.Graph's brandes_betweenness_centrality (Brandes 2001, O(nm) on unweighted graphs),
// on the undirected overlay; each unordered pair's shortest paths count once.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

namespace meshsim::attention {

struct Centralities {
  std::vector<double> degree;
  std::vector<double> betweenness;
};

// `edges` may list each undirected edge once or twice (both directions): duplicates are ignored.
Centralities compute_centralities(uint32_t node_count, const std::vector<std::pair<uint32_t, uint32_t>>& edges);

}  // namespace meshsim::attention
