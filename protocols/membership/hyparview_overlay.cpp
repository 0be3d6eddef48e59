// Overlay statistics of HyParView's active views: view sizes, in-degrees, and the share of
// up nodes in the largest connected component (Boost.Graph connected_components over the
// active links between up nodes, taken as undirected: a link lets either end reach the other).
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>

#include <algorithm>
#include <cmath>

#include "protocols/membership/hyparview_module.h"

namespace meshsim::membership::hyparview {

OverlaySnapshot snapshot_overlay(const std::vector<HyParViewNode>& nodes, const std::vector<uint8_t>& up) {
  OverlaySnapshot s;
  const uint32_t n = static_cast<uint32_t>(nodes.size());
  std::vector<uint32_t> index(n, 0);
  for (NodeId v = 0; v < n; ++v)
    if (up[v]) index[v] = s.up++;
  if (s.up == 0) return s;
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;
  Graph g(s.up);
  std::vector<uint32_t> indegree(n, 0);
  uint64_t active_total = 0, passive_total = 0;
  s.active_min = UINT32_MAX;
  for (NodeId v = 0; v < n; ++v) {
    if (!up[v]) continue;
    const auto& active = nodes[v].active();
    const uint32_t size = static_cast<uint32_t>(active.size());
    active_total += size;
    passive_total += nodes[v].passive().size();
    s.active_min = std::min(s.active_min, size);
    s.active_max = std::max(s.active_max, size);
    for (const auto& a : active) {
      if (a.id >= n || !up[a.id]) continue;
      ++indegree[a.id];
      // Each symmetric link appears from both ends: add it once.
      if (v < a.id || !nodes[a.id].in_active(v)) boost::add_edge(index[v], index[a.id], g);
    }
  }
  s.active_mean = static_cast<double>(active_total) / s.up;
  s.passive_mean = static_cast<double>(passive_total) / s.up;
  std::vector<uint32_t> component(s.up);
  const uint32_t count = static_cast<uint32_t>(boost::connected_components(g, component.data()));
  std::vector<uint32_t> sizes(count, 0);
  for (uint32_t c : component) ++sizes[c];
  s.largest_component_share = static_cast<double>(*std::max_element(sizes.begin(), sizes.end())) / s.up;
  double sum = 0, sum2 = 0;
  s.indegree_min = UINT32_MAX;
  for (NodeId v = 0; v < n; ++v) {
    if (!up[v]) continue;
    s.indegree_min = std::min(s.indegree_min, indegree[v]);
    s.indegree_max = std::max(s.indegree_max, indegree[v]);
    sum += indegree[v];
    sum2 += static_cast<double>(indegree[v]) * indegree[v];
  }
  const double mean = sum / s.up;
  s.indegree_std = std::sqrt(std::max(0.0, sum2 / s.up - mean * mean));
  return s;
}

}  // namespace meshsim::membership::hyparview
