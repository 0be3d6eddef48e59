#include "protocols/attention/centrality.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/betweenness_centrality.hpp>
#include <boost/property_map/property_map.hpp>

namespace meshsim::attention {

Centralities compute_centralities(uint32_t node_count, const std::vector<std::pair<uint32_t, uint32_t>>& edges) {
  // setS for out-edges drops the second copy of an edge given in both directions.
  using Graph = boost::adjacency_list<boost::setS, boost::vecS, boost::undirectedS>;
  Graph g(node_count);
  for (auto [a, b] : edges)
    if (a != b) boost::add_edge(a, b, g);
  Centralities c;
  c.degree.resize(node_count);
  for (uint32_t v = 0; v < node_count; ++v) c.degree[v] = static_cast<double>(boost::degree(v, g));
  c.betweenness.assign(node_count, 0.0);
  auto centrality = boost::make_iterator_property_map(c.betweenness.begin(), boost::get(boost::vertex_index, g));
  boost::brandes_betweenness_centrality(g, boost::centrality_map(centrality));
  // On undirected graphs Boost already counts each unordered pair once (the textbook
  // definition: a path's middle node of three has betweenness 1), so no halving.
  return c;
}

}  // namespace meshsim::attention
