// Bad input gets "file:line: key: what is wrong" (the CLI maps it to exit code 2).
#include <doctest/doctest.h>

#include <string>

#include "tests/unit/builtin_registry.h"
#include "sim/scenario.h"

using namespace meshsim;

namespace {

const ModuleRegistry& registry() { return testing::builtin_registry(); }

const std::string kBase = R"([topology]
kind = "ring"
nodes = 10
[protocol]
name = "phold"
)";

// Returns the error message, or "" if the scenario loaded.
std::string error_of(const std::string& text, std::vector<std::string> sets = {}) {
  try {
    parse_scenario(text, "t.toml", sets, registry());
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a valid scenario loads, and --set overrides it") {
  CHECK(error_of(kBase) == "");
  Scenario s = parse_scenario(kBase, "t.toml", {"topology.nodes=20", "run.duration=\"3s\""}, registry());
  CHECK(s.topology.nodes == 20);
  CHECK(s.end.ns == 3'000'000'000);
  Scenario bare = parse_scenario(kBase, "t.toml", {"topology.kind=torus", "topology.nodes=16"}, registry());
  CHECK(bare.topology.kind == "torus");  // unquoted strings are accepted from the shell
}

TEST_CASE("unknown keys and sections are named with their line") {
  CHECK(error_of(kBase + "[network]\nlatnecy = \"5ms\"\n") == "t.toml:7: network.latnecy: unknown key");
  CHECK(error_of(kBase + "[netwrok]\nloss = 0.1\n").rfind("t.toml:6: netwrok: unknown section", 0) == 0);
  CHECK(error_of(kBase + "bogus = 1\n") == "t.toml:6: protocol.bogus: unknown key");
}

TEST_CASE("wrong types") {
  CHECK(error_of("[topology]\nnodes = \"ten\"\n[protocol]\nname = \"phold\"\n") ==
        "t.toml:2: topology.nodes: expected an integer, got a string");
  CHECK(error_of(kBase + "[network]\nloss = \"high\"\n") == "t.toml:7: network.loss: expected a number, got a string");
  CHECK(error_of(kBase + "[run]\nduration = 10\n") ==
        "t.toml:7: run.duration: a duration needs a unit, e.g. \"150ms\" or \"2s\"");
}

TEST_CASE("negative or zero durations") {
  CHECK(error_of(kBase + "[run]\nduration = \"-5s\"\n") == "t.toml:7: run.duration: duration must not be negative");
  CHECK(error_of(kBase + "[run]\nduration = \"0s\"\n") == "t.toml:7: run.duration: duration must be greater than zero");
  CHECK(error_of(kBase + "[metrics]\ninterval = \"0ms\"\n") ==
        "t.toml:7: metrics.interval: duration must be greater than zero");
}

TEST_CASE("probabilities outside [0, 1]") {
  CHECK(error_of(kBase + "[network]\nloss = 1.5\n") == "t.toml:7: network.loss: probability 1.5 is outside [0, 1]");
  CHECK(error_of(kBase + "[network]\nduplicate = -0.1\n") ==
        "t.toml:7: network.duplicate: probability -0.1 is outside [0, 1]");
}

TEST_CASE("node ids beyond the node count, and duplicated nodes in a partition") {
  CHECK(error_of(kBase + "[[faults]]\nkind = \"crash\"\nat = \"1s\"\nnodes = \"0..20\"\n") ==
        "t.toml:9: faults[0].nodes: node 20 is beyond the node count (topology.nodes = 10, ids 0..9)");
  CHECK(error_of(kBase + "[[faults]]\nkind = \"partition\"\nat = \"1s\"\ngroups = { a = \"0..5\", b = \"5..9\" }\n") ==
        "t.toml:9: faults[0].groups.b: names a node that is already in another group (5..9)");
  CHECK(error_of(kBase + "[[faults]]\nkind = \"crash\"\nat = \"1s\"\nnodes = [3, \"2..4\"]\n") ==
        "t.toml:9: faults[0].nodes: node range 2..4 names a node twice");
}

TEST_CASE("impossible faults") {
  CHECK(error_of(kBase + "[[faults]]\nkind = \"crash\"\nat = \"20s\"\nnodes = 1\n") ==
        "t.toml:8: faults[0].at: 20s is not before the end of the run (run.duration = 10s)");
  CHECK(error_of(kBase + "[[faults]]\nkind = \"crash\"\nat = \"2s\"\nuntil = \"1s\"\nnodes = 1\n") ==
        "t.toml:9: faults[0].until: must be after at");
  CHECK(error_of(kBase + "[[faults]]\nkind = \"byzantine\"\nat = \"2s\"\nnodes = 1\nbehavior = \"evil\"\n")
            .find("faults[0].behavior: unknown behaviour 'evil' for phold; known: silent, delay, drop, replay") !=
        std::string::npos);
  CHECK(error_of(kBase + "[[faults]]\nkind = \"explode\"\nat = \"2s\"\n").find("faults[0].kind: 'explode' is not one of") !=
        std::string::npos);
}

TEST_CASE("impossible topologies are named with their line") {
  CHECK(error_of("[topology]\nkind = \"random-regular\"\nnodes = 5\ndegree = 3\n[protocol]\nname = \"phold\"\n") ==
        "t.toml:4: topology.degree: nodes * degree must be even for a regular graph");
  CHECK(error_of("[topology]\nkind = \"grid\"\nnodes = 10\nwidth = 3\n[protocol]\nname = \"phold\"\n") ==
        "t.toml:4: topology.width: a grid needs nodes to be a multiple of width (nodes 10, width 3); set topology.width");
  CHECK(error_of("[topology]\nkind = \"edge-list\"\nnodes = 10\nfile = \"nope.txt\"\n[protocol]\nname = \"phold\"\n") ==
        "t.toml:4: topology.file: no such edge-list file './nope.txt'");
}

TEST_CASE("empty, binary, missing and unparsable files") {
  CHECK(error_of("") == "t.toml: the file is empty; a scenario needs at least [topology] and [protocol]");
  CHECK(error_of("  \n\n") == "t.toml: the file is empty; a scenario needs at least [topology] and [protocol]");
  CHECK(error_of(std::string("\x7f" "ELF\0\0\x01", 7)) == "t.toml: this is a binary file, not a TOML scenario");
  CHECK(error_of("[topology\nnodes = 3\n").rfind("t.toml:1: syntax error:", 0) == 0);
  try {
    load_scenario("/nonexistent/x.toml", {}, registry());
    FAIL("expected an error");
  } catch (const ScenarioError& e) {
    CHECK(std::string(e.what()) == "/nonexistent/x.toml: no such file");
  }
}

TEST_CASE("missing sections and unknown protocols") {
  CHECK(error_of("[protocol]\nname = \"phold\"\n") == "t.toml: topology: required section [topology] with nodes = N");
  CHECK(error_of("[topology]\nnodes = 3\n[protocol]\nname = \"paxos\"\n").rfind(
            "t.toml:4: protocol.name: unknown protocol 'paxos'; known:", 0) == 0);
  CHECK(error_of(kBase, {"topology.nodes=0"}) ==
        "t.toml (--set): topology.nodes: 0 is out of range [1, 16000000]");
  CHECK(error_of(kBase, {"nodes"}) == "--set nodes: expected key=value, e.g. --set protocol.fanout=4");
}
