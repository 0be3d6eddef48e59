#include "viz/layout.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/fruchterman_reingold.hpp>
#include <boost/graph/random_layout.hpp>
#include <boost/graph/topology.hpp>
#include <boost/random/linear_congruential.hpp>
#include <cmath>
#include <deque>
#include <numbers>

namespace meshsim::viz {

namespace {

// Scales positions into [margin, 1 - margin]^2, keeping the aspect ratio.
void normalise(std::vector<Point2>& pos) {
  if (pos.empty()) return;
  float x0 = pos[0].x, x1 = x0, y0 = pos[0].y, y1 = y0;
  for (const auto& p : pos) {
    x0 = std::min(x0, p.x), x1 = std::max(x1, p.x), y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
  }
  const float span = std::max({x1 - x0, y1 - y0, 1e-6f}), margin = 0.04f, scale = (1 - 2 * margin) / span;
  const float ox = margin + ((1 - 2 * margin) - (x1 - x0) * scale) / 2;
  const float oy = margin + ((1 - 2 * margin) - (y1 - y0) * scale) / 2;
  for (auto& p : pos) p = {ox + (p.x - x0) * scale, oy + (p.y - y0) * scale};
}

bool has_edges(const Topology& t) {
  for (NodeId n = 0; n < t.node_count(); ++n)
    if (!t.neighbors(n).empty()) return true;
  return false;
}

std::vector<Point2> circle(uint32_t n) {
  std::vector<Point2> pos(n);
  for (uint32_t i = 0; i < n; ++i) {
    // Node 0 at the top, clockwise: how people draw a ring of servers.
    const double a = 2 * std::numbers::pi * i / std::max(1u, n) - std::numbers::pi / 2;
    pos[i] = {static_cast<float>(std::cos(a)), static_cast<float>(std::sin(a))};
  }
  return pos;
}

std::vector<Point2> force_directed(const Topology& t) {
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;
  using Topo = boost::square_topology<boost::minstd_rand>;
  const uint32_t n = t.node_count();
  Graph g(n);
  for (NodeId a = 0; a < n; ++a)
    for (NodeId b : t.neighbors(a))
      if (a < b) boost::add_edge(a, b, g);
  // A fixed generator: the same topology always gets the same picture, so a replayed run
  // and a live one line up pixel for pixel.
  boost::minstd_rand gen(20240611u);
  Topo square(gen, 1.0);
  std::vector<Topo::point_type> points(n);
  auto pm = boost::make_iterator_property_map(points.begin(), boost::get(boost::vertex_index, g));
  boost::random_graph_layout(g, pm, square);
  boost::fruchterman_reingold_force_directed_layout(
      g, pm, square, boost::cooling(boost::linear_cooling<double>(n > 1000 ? 60 : 150)));
  std::vector<Point2> pos(n);
  for (uint32_t i = 0; i < n; ++i) pos[i] = {static_cast<float>(points[i][0]), static_cast<float>(points[i][1])};
  return pos;
}

std::vector<Point2> bfs_spiral(const Topology& t) {
  const uint32_t n = t.node_count();
  std::vector<uint32_t> order;
  order.reserve(n);
  std::vector<uint8_t> seen(n, 0);
  for (NodeId root = 0; root < n; ++root) {
    if (seen[root]) continue;
    std::deque<NodeId> q{root};
    seen[root] = 1;
    while (!q.empty()) {
      NodeId a = q.front();
      q.pop_front();
      order.push_back(a);
      for (NodeId b : t.neighbors(a))
        if (!seen[b]) seen[b] = 1, q.push_back(b);
    }
  }
  // Vogel's sunflower: equal area per point, so the disc is evenly filled.
  const double golden = std::numbers::pi * (3 - std::sqrt(5.0));
  std::vector<Point2> pos(n);
  for (uint32_t k = 0; k < n; ++k) {
    const double r = std::sqrt((k + 0.5) / n), a = k * golden;
    pos[order[k]] = {static_cast<float>(r * std::cos(a)), static_cast<float>(r * std::sin(a))};
  }
  return pos;
}

}  // namespace

Layout compute_layout(const Topology& t) {
  Layout out;
  const auto& coords = t.coordinates();
  if (coords.size() == t.node_count() && !coords.empty()) {
    out.pos.resize(coords.size());
    for (size_t i = 0; i < coords.size(); ++i) out.pos[i] = {coords[i].first, coords[i].second};
    out.method = "topology";
  } else if (!has_edges(t)) {
    out.pos = circle(t.node_count());
    out.method = "circle (no overlay edges)";
  } else if (t.node_count() <= kForceLayoutMaxNodes) {
    out.pos = force_directed(t);
    out.method = "force-directed";
  } else {
    out.pos = bfs_spiral(t);
    out.method = "spiral (BFS order)";
  }
  normalise(out.pos);
  return out;
}

}  // namespace meshsim::viz
