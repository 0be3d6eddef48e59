// Topology generators: sizes, degrees, determinism, and edge-list errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "sim/scenario/config_section.h"
#include "sim/topology_builders.h"

using namespace meshsim;

namespace {

Topology build(const std::string& kind, uint32_t n, uint64_t seed = 1, TopologySpec spec = {}) {
  spec.kind = kind;
  spec.nodes = n;
  return build_topology(spec, seed, "t.toml", ".");
}

uint32_t min_degree(const Topology& t) {
  uint32_t d = ~0u;
  for (NodeId v = 0; v < t.node_count(); ++v) d = std::min<uint32_t>(d, static_cast<uint32_t>(t.neighbors(v).size()));
  return d;
}
uint32_t max_degree(const Topology& t) {
  uint32_t d = 0;
  for (NodeId v = 0; v < t.node_count(); ++v) d = std::max<uint32_t>(d, static_cast<uint32_t>(t.neighbors(v).size()));
  return d;
}
bool symmetric_and_simple(const Topology& t) {
  for (NodeId v = 0; v < t.node_count(); ++v)
    for (NodeId u : t.neighbors(v))
      if (u == v || t.edge_index(u, v) < 0) return false;
  return true;
}

}  // namespace

TEST_CASE("deterministic shapes") {
  Topology ring = build("ring", 10);
  CHECK(ring.edge_count() == 10);
  CHECK(min_degree(ring) == 2);
  CHECK(max_degree(ring) == 2);
  TopologySpec s;
  s.width = 4;
  Topology grid = build("grid", 16, 1, s);
  CHECK(grid.edge_count() == 24);
  CHECK(min_degree(grid) == 2);
  CHECK(max_degree(grid) == 4);
  Topology torus = build("torus", 16, 1, s);
  CHECK(torus.edge_count() == 32);
  CHECK(min_degree(torus) == 4);
  CHECK(max_degree(torus) == 4);
  CHECK(build("full", 50).edge_count() == 1225);
  CHECK(build("none", 50).edge_count() == 0);
}

TEST_CASE("random generators have the sizes their models promise") {
  TopologySpec s;
  s.degree = 6;
  Topology rr = build("random-regular", 1000, 1, s);
  CHECK(rr.edge_count() == 3000);
  CHECK(min_degree(rr) == 6);
  CHECK(max_degree(rr) == 6);
  CHECK(symmetric_and_simple(rr));

  s.p = 0.01;
  Topology er = build("erdos-renyi", 2000, 1, s);
  CHECK(er.edge_count() == doctest::Approx(0.01 * 2000 * 1999 / 2).epsilon(0.05));
  CHECK(symmetric_and_simple(er));

  s.k = 4;
  s.p = 0.1;
  Topology ws = build("watts-strogatz", 1000, 1, s);
  CHECK(ws.edge_count() == doctest::Approx(2000).epsilon(0.01));
  CHECK(symmetric_and_simple(ws));

  s.m = 2;
  Topology ba = build("barabasi-albert", 2000, 1, s);
  CHECK(ba.edge_count() == 3 + 2 * (2000 - 3));
  CHECK(min_degree(ba) == 2);
  CHECK(max_degree(ba) > 30);  // preferential attachment grows hubs

  s.degree = 8;
  Topology picks = build("random-picks", 1000, 1, s);
  CHECK(min_degree(picks) >= 8);
  CHECK(picks.edge_count() <= 8000);
  CHECK(picks.edge_count() > 7900);  // only picks of each other collide
  CHECK(symmetric_and_simple(picks));
}

TEST_CASE("a seed fixes the graph") {
  TopologySpec s;
  s.degree = 4;
  auto edges_of = [](const Topology& t) {
    std::vector<NodeId> all;
    for (NodeId v = 0; v < t.node_count(); ++v)
      for (NodeId u : t.neighbors(v)) all.push_back(v * 100000 + u);
    return all;
  };
  CHECK(edges_of(build("random-regular", 500, 3, s)) == edges_of(build("random-regular", 500, 3, s)));
  CHECK(edges_of(build("random-regular", 500, 3, s)) != edges_of(build("random-regular", 500, 4, s)));
}

TEST_CASE("edge-list files, and their errors with file and line") {
  // mkstemps creates the file, so no other process can take the name between choosing and opening it.
  std::string path = (std::filesystem::temp_directory_path() / "meshsim_edges_XXXXXX.edges").string();
  int fd = mkstemps(path.data(), 6);
  REQUIRE(fd >= 0);
  close(fd);
  {
    std::ofstream out(path);
    out << "# a triangle and a tail\n0 1\n1 2\n2 0  # closing edge\n\n2 3\n";
  }
  TopologySpec s;
  s.file = path;
  Topology t = build("edge-list", 4, 1, s);
  CHECK(t.edge_count() == 4);
  CHECK(t.neighbors(2).size() == 3);
  {
    std::ofstream out(path);
    out << "0 1\n1 9\n";
  }
  try {
    build("edge-list", 4, 1, s);
    FAIL("expected an error");
  } catch (const ScenarioError& e) {
    CHECK(std::string(e.what()) == path + ":2: node id out of range 0..3 (topology.nodes = 4)");
  }
  {
    std::ofstream out(path);
    out << "0 1 2\n";
  }
  CHECK_THROWS_WITH_AS(build("edge-list", 4, 1, s), (path + ":1: expected two node ids 'a b'").c_str(), ScenarioError);
  std::remove(path.c_str());
  s.file = "/nonexistent.edges";
  CHECK_THROWS_WITH_AS(build("edge-list", 4, 1, s), "t.toml: topology.file: cannot open edge list '/nonexistent.edges'",
                       ScenarioError);
}

TEST_CASE("impossible parameters are named") {
  TopologySpec s;
  s.degree = 3;
  CHECK_THROWS_WITH_AS(build("random-regular", 5, 1, s), "t.toml: topology.degree: nodes * degree must be even for a regular graph",
                       ScenarioError);
  s.width = 3;
  CHECK_THROWS_AS(build("grid", 10, 1, s), ScenarioError);
}
