// [nodes] (absent nodes, attributes), join/leave faults and generic role targets, read from
// scenario files: what they give the run, and how bad input is named.
#include <doctest/doctest.h>

#include <string>

#include "sim/scenario/scenario.h"
#include "sim/simulation.h"
#include "tests/unit/builtin_registry.h"
#include "tests/unit/scenario_runner.h"

using namespace meshsim;

namespace {

const ModuleRegistry& registry() { return testing::builtin_registry(); }

const std::string kBase = R"([topology]
kind = "ring"
nodes = 10
[protocol]
name = "gossip"
)";

std::string error_of(const std::string& text) {
  try {
    parse_scenario(text, "t.toml", {}, registry());
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("[[nodes.attributes]] give nodes capacity, speed, zone and capabilities") {
  Scenario sc = parse_scenario(kBase + R"(
[nodes]
absent = "8..9"
[[nodes.attributes]]
nodes = "0..4"
capacity = 4
zone = "eu"
capabilities = ["gpu", "ssd"]
[[nodes.attributes]]
nodes = "4..5"
speed = 2.5
zone = "us"
capabilities = "fpga"
[[faults]]
kind = "join"
nodes = "8..9"
at = "1s"
)",
                               "t.toml", {}, registry());
  RunSpec run = resolve_run(sc, registry());
  const NodeAttributes& a = run.attributes;
  CHECK(a.capacity(0) == 4);
  CHECK(a.capacity(5) == 1);
  CHECK(a.zone(3) == "eu");
  CHECK(a.zone(4) == "us");  // later entries win, node by node
  CHECK(a.zone(7).empty());
  CHECK(a.speed(5) == 2.5);
  CHECK(a.speed(0) == 1);
  CHECK(a.has_capability(4, "gpu"));
  CHECK(a.has_capability(4, "fpga"));  // capabilities add up
  CHECK(!a.has_capability(6, "gpu"));
  CHECK(run.absent.contains(8));
  CHECK(!run.absent.contains(7));
}

TEST_CASE("bad [nodes] input is named with file, line and key") {
  CHECK(error_of(kBase + "[nodes]\nabsent = \"0..9\"\n").find("nodes.absent: names every node") != std::string::npos);
  CHECK(error_of(kBase + "[nodes]\nsize = 3\n").find("t.toml:7: nodes.size: unknown key") != std::string::npos);
  CHECK(error_of(kBase + "[[nodes.attributes]]\ncapacity = 2\n").find("nodes.attributes[0].nodes: required") != std::string::npos);
  CHECK(error_of(kBase + "[[nodes.attributes]]\nnodes = 1\nspeed = 0\n").find("nodes.attributes[0].speed") != std::string::npos);
  CHECK(error_of(kBase + "[[nodes.attributes]]\nnodes = 1\ncapabilities = [1]\n").find("list of non-empty strings") !=
        std::string::npos);
  CHECK(error_of(kBase + "[[faults]]\nkind = \"join\"\nnodes = 3\nat = \"1s\"\n").find("node 3 is in the mesh") !=
        std::string::npos);
  // A leave listed before it makes the join valid.
  CHECK(error_of(kBase + "[[faults]]\nkind = \"leave\"\nnodes = 3\nat = \"1s\"\n[[faults]]\nkind = \"join\"\nnodes = 3\nat = \"2s\"\n")
            .empty());
}

TEST_CASE("role targets are generic: the target's side takes k nodes of any role") {
  const std::string raft = R"([run]
duration = "6s"
[topology]
kind = "none"
nodes = 7
[protocol]
name = "raft"
servers = 5
[[faults]]
kind = "partition"
target = "leader"
at = "3s"
until = "5s"
)";
  CHECK(error_of(raft + "with_followers = 1\n").find("with_followers: renamed: write with_role") != std::string::npos);
  CHECK(error_of(raft + "with_count = 1\n").find("with_count: needs with_role") != std::string::npos);
  CHECK(error_of(raft + "with_role = \"king\"\nwith_count = 1\n").find("unknown role 'king'") != std::string::npos);
  // Leader plus two clients: a side of three nodes, named in the log.
  Scenario sc = parse_scenario(raft + "with_role = \"client\"\nwith_count = 2\n", "t.toml", {}, registry(), 1);
  Simulation sim(resolve_run(sc, registry()));
  sim.run(RunInfo{});
  std::string side;
  for (const LogEntry& e : sim.metrics().log_entries())
    if (e.kind == "partition") side = e.detail;
  INFO(side);
  REQUIRE(!side.empty());
  // "leader=2,5..6 (leader 2)": clients are nodes 5 and 6.
  CHECK(side.find("5..6") != std::string::npos);
  // Each node in one line, for a live view or a trace.
  const Module& raft_module = *sim.modules()[0];
  CHECK(raft_module.describe_node(6) == "client");
  int leaders = 0;
  for (NodeId n = 0; n < 5; ++n) {
    const std::string d = raft_module.describe_node(n);
    CHECK(d.find(" term ") != std::string::npos);
    leaders += d.rfind("leader", 0) == 0;
  }
  CHECK(leaders >= 1);
}
