#include "sim/topology_builders.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/erdos_renyi_generator.hpp>
#include <boost/graph/grid_graph.hpp>
#include <boost/graph/small_world_generator.hpp>
#include <cmath>
#include <fstream>
#include <unordered_set>
#include <sstream>

#include "sim/rng.h"

namespace meshsim {

namespace {

using Edges = std::vector<std::pair<NodeId, NodeId>>;
// Boost generators yield edges of an abstract graph type; only its vertex count matters.
using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;

[[noreturn]] void fail(const std::string& file, const std::string& key, const std::string& what) {
  throw ScenarioError(file + ": topology." + key + ": " + what);
}

void add_layout_ring(Topology& t) {
  std::vector<std::pair<float, float>> xy(t.node_count());
  for (uint32_t i = 0; i < t.node_count(); ++i) {
    double a = 2 * M_PI * i / std::max<uint32_t>(1, t.node_count());
    xy[i] = {static_cast<float>(0.5 + 0.45 * std::cos(a)), static_cast<float>(0.5 + 0.45 * std::sin(a))};
  }
  t.set_coordinates(std::move(xy));
}

// Row-major, as boost::grid_graph numbers its vertices (dimension 0 varies fastest): the
// picture a live view draws for a grid or torus.
void add_layout_grid(Topology& t, uint32_t width) {
  const uint32_t height = std::max<uint32_t>(1, t.node_count() / width);
  const float cell = 1.0f / static_cast<float>(std::max(width, height));
  std::vector<std::pair<float, float>> xy(t.node_count());
  for (uint32_t i = 0; i < t.node_count(); ++i) xy[i] = {(0.5f + i % width) * cell, (0.5f + i / width) * cell};
  t.set_coordinates(std::move(xy));
}

Edges grid_edges(uint32_t n, uint32_t width, bool wrap) {
  uint32_t height = n / width;
  boost::array<std::size_t, 2> lengths = {{width, height}};
  boost::grid_graph<2> grid(lengths, wrap);
  Edges result;
  // grid_graph's functions are friends found by argument-dependent lookup only.
  auto [begin, end] = edges(grid);
  for (auto it = begin; it != end; ++it) {
    auto from = source(*it, grid);
    auto to = target(*it, grid);
    NodeId a = static_cast<NodeId>(get(boost::vertex_index, grid, from));
    NodeId b = static_cast<NodeId>(get(boost::vertex_index, grid, to));
    if (a < b) result.push_back({a, b});  // grid_graph lists both directions
  }
  return result;
}

// Random d-regular graph by the pairing model with local rejection (Steger & Wormald
// 1999): pair random free stubs, rejecting only a pair that would make a loop or a double
// edge, and restart only when stuck. Plain pairing restarts on any defect and almost never
// succeeds past d = 4 (success probability ~ exp(-(d^2-1)/4)). Boost.Graph has no
// random-regular generator.
Edges random_regular(uint32_t n, uint32_t d, Rng& rng, const std::string& file) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    std::vector<NodeId> stubs;
    stubs.reserve(static_cast<size_t>(n) * d);
    for (NodeId v = 0; v < n; ++v)
      for (uint32_t k = 0; k < d; ++k) stubs.push_back(v);
    // Membership only: no result depends on this set's iteration order.
    std::unordered_set<uint64_t> present;
    present.reserve(stubs.size());
    Edges edges;
    edges.reserve(stubs.size() / 2);
    size_t free = stubs.size();
    bool stuck = false;
    while (free > 0 && !stuck) {
      stuck = true;
      for (int tries = 0; tries < 200; ++tries) {
        size_t i = rng.below(free), j = rng.below(free);
        NodeId a = std::min(stubs[i], stubs[j]), b = std::max(stubs[i], stubs[j]);
        uint64_t key = static_cast<uint64_t>(a) << 32 | b;
        if (i == j || a == b || present.count(key)) continue;
        present.insert(key);
        edges.push_back({a, b});
        // Remove both stubs by swapping them to the end, higher index first.
        if (i < j) std::swap(i, j);
        std::swap(stubs[i], stubs[free - 1]);
        std::swap(stubs[j], stubs[free - 2]);
        free -= 2;
        stuck = false;
        break;
      }
    }
    if (!stuck) return edges;
  }
  fail(file, "degree", "could not draw a simple random regular graph after 50 tries; lower degree");
}

// Barabási–Albert preferential attachment in linear time (Batagelj & Brandes 2005): pick
// targets uniformly from the list of edge endpoints. Boost.Graph has only PLOD, which
// matches the degree law but not the growth process users expect from "BA".
Edges barabasi_albert(uint32_t n, uint32_t m, Rng& rng) {
  Edges edges;
  std::vector<NodeId> endpoints;
  for (NodeId a = 0; a <= m && a < n; ++a)  // seed clique of m + 1 nodes
    for (NodeId b = a + 1; b <= m && b < n; ++b) {
      edges.push_back({a, b});
      endpoints.push_back(a);
      endpoints.push_back(b);
    }
  std::vector<NodeId> chosen;
  for (NodeId v = m + 1; v < n; ++v) {
    chosen.clear();
    while (chosen.size() < m) {
      NodeId t = endpoints[rng.below(endpoints.size())];
      if (std::find(chosen.begin(), chosen.end(), t) == chosen.end()) chosen.push_back(t);
    }
    for (NodeId t : chosen) {
      edges.push_back({t, v});
      endpoints.push_back(t);
      endpoints.push_back(v);
    }
  }
  return edges;
}

// docs/benchmarks.md's flood overlay: each node picks d distinct other nodes uniformly; every
// pick becomes an undirected link (so average degree is about 2d).
Edges random_picks(uint32_t n, uint32_t d, Rng& rng) {
  Edges edges;
  edges.reserve(static_cast<size_t>(n) * d);
  NodeId picks[64];
  for (NodeId v = 0; v < n; ++v) {
    uint32_t got = 0;
    while (got < d) {
      NodeId t = static_cast<NodeId>(rng.below(n));
      if (t == v || std::find(picks, picks + got, t) != picks + got) continue;
      picks[got++] = t;
      edges.push_back({std::min(v, t), std::max(v, t)});
    }
  }
  return edges;
}

Edges edge_list_file(const std::string& path, uint32_t n, const std::string& file) {
  std::ifstream in(path);
  if (!in) fail(file, "file", "cannot open edge list '" + path + "'");
  Edges edges;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    auto hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::istringstream fields(line);
    long long a = -1, b = -1;
    std::string extra;
    if (!(fields >> a >> b) || (fields >> extra))
      throw ScenarioError(path + ":" + std::to_string(line_no) + ": expected two node ids 'a b'");
    if (a < 0 || b < 0 || a >= n || b >= n)
      throw ScenarioError(path + ":" + std::to_string(line_no) + ": node id out of range 0.." +
                          std::to_string(n - 1) + " (topology.nodes = " + std::to_string(n) + ")");
    edges.push_back({static_cast<NodeId>(a), static_cast<NodeId>(b)});
  }
  return edges;
}

}  // namespace

Topology build_topology(const TopologySpec& spec, uint64_t seed, const std::string& file,
                        const std::string& dir) {
  const uint32_t n = spec.nodes;
  Rng rng(derive_stream(seed, static_cast<uint64_t>(StreamKind::topology)));
  Edges edges;
  Topology t;
  if (spec.kind == "none") {
    // Any-to-any addressing with no overlay (PHOLD).
  } else if (spec.kind == "full") {
    if (n > 20000) fail(file, "nodes", "a full mesh of more than 20000 nodes would need " +
                                           std::to_string(uint64_t(n) * (n - 1) / 2) + " edges");
    for (NodeId a = 0; a < n; ++a)
      for (NodeId b = a + 1; b < n; ++b) edges.push_back({a, b});
  } else if (spec.kind == "ring") {
    for (NodeId a = 0; n > 1 && a < n; ++a) edges.push_back({a, (a + 1) % n});
  } else if (spec.kind == "grid" || spec.kind == "torus") {
    uint32_t width = spec.width ? spec.width : static_cast<uint32_t>(std::lround(std::sqrt(n)));
    if (width == 0 || n % width != 0)
      fail(file, spec.width ? "width" : "nodes",
           "a grid needs nodes to be a multiple of width (nodes " + std::to_string(n) +
               ", width " + std::to_string(width) + "); set topology.width");
    edges = grid_edges(n, width, spec.kind == "torus");
  } else if (spec.kind == "random-regular") {
    if (spec.degree >= n) fail(file, "degree", "must be below the node count");
    if ((static_cast<uint64_t>(n) * spec.degree) % 2 != 0)
      fail(file, "degree", "nodes * degree must be even for a regular graph");
    edges = random_regular(n, spec.degree, rng, file);
  } else if (spec.kind == "erdos-renyi") {
    // Boost's sorted generator skips geometrically: O(edges), not O(n^2). Its geometric
    // draw asserts 0 < p < 1, so the ends are handled here (read_topology refuses p
    // values too small for it, and graphs too large to hold).
    if (spec.p >= 1) {
      for (NodeId a = 0; a < n; ++a)
        for (NodeId b = a + 1; b < n; ++b) edges.push_back({a, b});
    } else if (spec.p > 0) {
      boost::sorted_erdos_renyi_iterator<Rng, BoostGraph> it(rng, n, spec.p), end;
      for (; it != end; ++it) edges.push_back({static_cast<NodeId>(it->first), static_cast<NodeId>(it->second)});
    }
  } else if (spec.kind == "watts-strogatz") {
    if (spec.k % 2 != 0 || spec.k >= n) fail(file, "k", "must be even and below the node count");
    boost::small_world_iterator<Rng, BoostGraph> it(rng, n, spec.k, spec.p), end;
    for (; it != end; ++it) edges.push_back({static_cast<NodeId>(it->first), static_cast<NodeId>(it->second)});
  } else if (spec.kind == "barabasi-albert") {
    if (spec.m == 0 || spec.m >= n) fail(file, "m", "must be at least 1 and below the node count");
    edges = barabasi_albert(n, spec.m, rng);
  } else if (spec.kind == "random-picks") {
    if (spec.degree >= n || spec.degree > 64) fail(file, "degree", "must be below the node count and at most 64");
    edges = random_picks(n, spec.degree, rng);
  } else if (spec.kind == "edge-list") {
    std::string path = spec.file.empty() || spec.file[0] == '/' ? spec.file : dir + "/" + spec.file;
    edges = edge_list_file(path, n, file);
  } else {
    fail(file, "kind", "unknown topology '" + spec.kind + "'");
  }
  t = Topology::from_edges(n, std::move(edges));
  if (spec.kind == "ring" || spec.kind == "full") add_layout_ring(t);
  if (spec.kind == "grid" || spec.kind == "torus")
    add_layout_grid(t, spec.width ? spec.width : static_cast<uint32_t>(std::lround(std::sqrt(n))));
  return t;
}

}  // namespace meshsim
