// Bad input gets "file:line: key: what is wrong" (the CLI maps it to exit code 2).
#include <doctest/doctest.h>

#include <string>

#include "tests/unit/builtin_registry.h"
#include "sim/scenario/scenario.h"
#include "sim/simulation.h"

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

// ---- Found by the scenario fuzzer (tests/fuzz), or known before it: each case below
// failed (or crashed, or was undefined behaviour) before its fix.

TEST_CASE("durations beyond kMaxDuration are refused by the one parser, not wrapped") {
  const std::string beyond = "duration out of range: '";
  CHECK(parse_duration("100000h")->ns == kMaxDuration.ns);
  std::string error;
  CHECK_FALSE(parse_duration("100001h", &error));
  CHECK(error == "duration out of range: '100001h' is beyond 100000h (the longest a scenario may simulate)");
  CHECK_FALSE(parse_duration("99999999999999999999999999999999999999999999ns", &error));
  CHECK(error.rfind(beyond, 0) == 0);
  CHECK_FALSE(parse_duration("5parsecs", &error));
  CHECK(error.empty());  // malformed, not out of range
  CHECK(parse_duration("-1.5s")->ns == -1'500'000'000);
  CHECK(error_of(kBase + "[[faults]]\nkind = \"crash\"\nat = \"1000000000000s\"\nnodes = 1\n")
            .rfind("t.toml:8: faults[0].at: " + beyond + "1000000000000s'", 0) == 0);
  CHECK(error_of("[topology]\nnodes = 6\n[protocol]\nname = \"raft\"\nelection_timeout_min = \"999999999999999h\"\n")
            .rfind("t.toml:5: protocol.election_timeout_min: " + beyond, 0) == 0);
  CHECK(error_of(kBase, {"run.duration=\"2562048h\""}).rfind("t.toml (--set): run.duration: " + beyond, 0) == 0);
  CHECK(error_of(kBase + "[metrics]\ninterval = \"9999999999h\"\n").rfind("t.toml:7: metrics.interval: " + beyond, 0) == 0);
  CHECK(error_of(kBase + "[network]\nlatency = \"9223372036854775808ns\"\n").rfind("t.toml:7: network.latency: " + beyond, 0) == 0);
  CHECK(error_of(kBase + "[[faults]]\nkind = \"crash\"\nat = \"1s\"\nuntil = \"9223372036854775807ns\"\nnodes = 1\n")
            .rfind("t.toml:9: faults[0].until: " + beyond, 0) == 0);
  CHECK(error_of(kBase + "[expect]\nx = \"< 2562048h\"\n").rfind("t.toml:7: expect.x: " + beyond, 0) == 0);
}

TEST_CASE("a node id written as a string is range-checked before the cast to 32 bits") {
  const std::string crash = kBase + "[[faults]]\nkind = \"crash\"\nat = \"1s\"\nnodes = ";
  CHECK(error_of(crash + "\"4294967297\"\n") == "t.toml:9: faults[0].nodes: '4294967297': node id too large");
  CHECK(error_of(crash + "\"0..4294967297\"\n") == "t.toml:9: faults[0].nodes: '0..4294967297': node id too large");
  CHECK(error_of(crash + "[\"99999999999999999999999\"]\n") ==
        "t.toml:9: faults[0].nodes: '99999999999999999999999': node id too large");
  CHECK(error_of(crash + "\"5..3\"\n") == "t.toml:9: faults[0].nodes: '5..3' is an empty range (it ends before it starts)");
  CHECK(error_of(crash + "\"+3\"\n") == "t.toml:9: faults[0].nodes: '+3' is not a node id or range like \"0..9\"");
  CHECK(error_of(crash + "\"2..4\"\n") == "");
}

TEST_CASE("deep nesting, long lines and huge files are refused before toml++ parses them") {
  std::string components = "t";
  for (int i = 0; i < 50'000; ++i) components += ".t";
  // This crashed with a stack overflow inside toml++ (a signal instead of exit code 2).
  CHECK(error_of("[" + components + "]\n").rfind("t.toml:1: line too long", 0) == 0);
  CHECK(error_of(kBase + "[" + components.substr(0, 2001) + "]\n").rfind("t.toml:6: nested too deep (1001 levels", 0) == 0);
  CHECK(error_of(kBase + "x = " + std::string(200, '[') + "\n").rfind("t.toml:6: nested too deep", 0) == 0);
  // Dots in strings, comments and numbers are not nesting.
  CHECK(error_of(kBase + "[run]\nname = \"" + std::string(500, '.') + "\" # " + std::string(500, '.') + "\n") == "");
  CHECK(error_of(kBase + "[expect]\nx = [" + std::string(300, '1') + ".5]\n").find("nested") == std::string::npos);
  CHECK(error_of(kBase + "# " + std::string(9u << 20, 'x') + "\n").rfind("t.toml: the file is too large", 0) == 0);
  CHECK(error_of(kBase, {"run.name=" + std::string(200, '[')}).rfind("--set run.name:1: nested too deep", 0) == 0);
}

TEST_CASE("work that would exhaust memory or time before the run is refused") {
  CHECK(error_of(kBase + "[metrics]\ninterval = \"1ns\"\n") ==
        "t.toml:7: metrics.interval: metrics.interval = 1ns over run.duration = 10s is 10000000000 samples; at most 1000000");
  // Found by the fuzzer: with the default interval the message had no line; it names run.duration.
  CHECK(error_of(kBase + "[run]\nduration = \"2562047s\"\n") ==
        "t.toml:7: run.duration: metrics.interval = 100ms over run.duration = 2562047s is 25620470 samples; at most 1000000");
  CHECK(error_of(kBase + "[[faults]]\nkind = \"crash\"\nat = \"1s\"\nnodes = 1\nevery = \"1ns\"\nlasting = \"1ns\"\n") ==
        "t.toml:10: faults[0].every: 1ns repeats the fault 9000000000 times; a scenario may hold at most 100000 faults");
  CHECK(error_of(kBase + "[chaos]\ncrash_rate = 1e6\n") ==
        "t.toml:7: chaos.crash_rate: would draw about 100000000 faults over the run; a scenario may hold at most 100000");
  CHECK(error_of(kBase + "[expect]\nx = \"< nan\"\n") == "t.toml:7: expect.x: 'nan' is not a finite number");
  CHECK(error_of(kBase + "[expect]\nx = inf\n") == "t.toml:7: expect.x: 'inf' is not a finite number");
  // Not TOML: taken as the string it is, and a key only --set wrote is named as such.
  CHECK(error_of(kBase, {"a=x\"\"\""}).find("t.toml (--set): a: unknown section") == 0);
  CHECK(error_of(kBase, {"run.name=a\"\"\"b"}).empty());
}

TEST_CASE("heavy-tailed latency draws and tiny bandwidths stay within the run, not past int64") {
  LatencySpec pareto;
  pareto.kind = LatencySpec::Kind::pareto;
  pareto.a_ns = 1e6;
  pareto.shape = 0.01;  // allowed by the scenario parser; most draws exceed 2^63 ns
  Rng rng(7);
  for (int i = 0; i < 1000; ++i) {
    Duration d = pareto.draw(rng);
    REQUIRE(d.ns >= 0);
    REQUIRE(d.ns <= kMaxDuration.ns);
  }
  // Before the fix the serialization time (inf) and the draws converted to INT64_MIN:
  // messages arrived before they were sent.
  Scenario sc = parse_scenario(kBase + "[run]\nduration = \"1s\"\n[network]\nbandwidth_mbps = 1e-300\n"
                                       "latency = { kind = \"pareto\", scale = \"1ms\", shape = 0.01 }\n",
                               "t.toml", {}, registry());
  Simulation sim(resolve_run(sc, registry()));
  RunResult r = sim.run(RunInfo{});
  CHECK(r.sim_time_ns == 1'000'000'000);
  CHECK(sim.metrics().scalars().at("messages_delivered") == 0);
}

TEST_CASE("pBFT costs and view-change timeouts that its arithmetic would overflow are refused") {
  const std::string pbft = "[topology]\nkind = \"none\"\nnodes = 8\n[protocol]\nname = \"pbft\"\n";
  CHECK(error_of(pbft + "cost_verify = \"100000h\"\n") ==
        "t.toml:6: protocol.cost_verify: 100000h is more than 1s for one operation");
  CHECK(error_of(pbft + "cost_digest_per_kib = \"2s\"\n") ==
        "t.toml:6: protocol.cost_digest_per_kib: 2s is more than 1s for one operation");
  CHECK(error_of(pbft + "view_change_timeout = \"3h\"\n") ==
        "t.toml:6: protocol.view_change_timeout: 3h is more than 1h (it doubles on every failed view)");
  CHECK(error_of(pbft + "cost_verify = \"1s\"\nview_change_timeout = \"1h\"\nliveness_window = \"2h\"\n") == "");
}

TEST_CASE("a protocol that is not a table is named with its line") {
  CHECK(error_of("\nprotocol = 5\n[topology]\nnodes = 3\n") == "t.toml:2: protocol: expected a table [protocol]");
}
