// meshsim shrink: ddmin on synthetic predicates (the subset found, 1-minimality, a spent
// budget), the text edits, the explicit fault schedule replaying the chaos draw event for
// event, and whole shrinks of shipped scenarios.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "sim/errors.h"
#include "sim/rng.h"
#include "sim/shrink/candidate.h"
#include "sim/shrink/ddmin.h"
#include "sim/shrink/probe.h"
#include "sim/shrink/scenario_edit.h"
#include "sim/shrink/schedule.h"
#include "sim/shrink/shrinker.h"
#include "tests/unit/builtin_registry.h"
#include "tests/unit/scenario_runner.h"

using namespace meshsim;
using namespace meshsim::shrink;

namespace {

bool contains_all(const std::vector<size_t>& subset, const std::vector<size_t>& needed) {
  return std::all_of(needed.begin(), needed.end(),
                     [&](size_t n) { return std::find(subset.begin(), subset.end(), n) != subset.end(); });
}

// Removing any one element of `kept` makes `fails` false.
bool one_minimal(const std::vector<size_t>& kept, const std::function<bool(const std::vector<size_t>&)>& fails) {
  for (size_t i = 0; i < kept.size(); ++i) {
    std::vector<size_t> fewer = kept;
    fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(i));
    if (fails(fewer)) return false;
  }
  return true;
}

std::string source_file(const std::string& path) {
  std::ifstream in(std::string(MESHSIM_SOURCE_DIR) + "/" + path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("shrink: ddmin finds the three planted causes among 40, far apart") {
  // Causes spread over the list, so no chunk at any granularity holds all three: only the
  // complement steps and the refinement of granularity can find them.
  const std::vector<size_t> causes = {3, 17, 38};
  size_t calls = 0;
  bool asked_whole = false;
  auto fails = [&](const std::vector<size_t>& s) {
    ++calls;
    asked_whole |= s.size() == 40;
    CHECK(std::is_sorted(s.begin(), s.end()));
    return contains_all(s, causes);
  };
  std::vector<size_t> kept = ddmin(40, fails);
  CHECK(kept == causes);
  CHECK_FALSE(asked_whole);
  CHECK(calls < 200);  // ddmin's worst case is quadratic; this one is far from it
}

TEST_CASE("shrink: ddmin keeps nothing when the failure needs nothing, and one element at the far end") {
  CHECK(ddmin(25, [](const std::vector<size_t>&) { return true; }).empty());
  CHECK(ddmin(25, [](const std::vector<size_t>& s) { return contains_all(s, {24}); }) == std::vector<size_t>{24});
  CHECK(ddmin(1, [](const std::vector<size_t>& s) { return !s.empty(); }) == std::vector<size_t>{0});
  CHECK(ddmin(0, [](const std::vector<size_t>&) { return true; }).empty());
}

TEST_CASE("shrink: ddmin's result is 1-minimal for non-monotone failures") {
  // Random failures of the kind schedules have: a cause set must all be present, and some
  // element must be absent (a fault that would mask the failure). 200 planted instances.
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    Rng rng(seed);
    const size_t n = 2 + rng.below(60);
    std::vector<size_t> causes, maskers;
    for (size_t i = 0; i < n; ++i) {
      uint64_t r = rng.below(10);
      if (r == 0) causes.push_back(i);
      else if (r == 1) maskers.push_back(i);
    }
    auto fails = [&](const std::vector<size_t>& s) {
      if (!contains_all(s, causes)) return false;
      for (size_t m : maskers)
        if (std::find(s.begin(), s.end(), m) != s.end() && s.size() % 2 == 0) return false;  // masks on even sizes only
      return true;
    };
    std::vector<size_t> all(n);
    for (size_t i = 0; i < n; ++i) all[i] = i;
    if (!fails(all)) continue;  // ddmin's precondition
    std::vector<size_t> kept = ddmin(n, fails);
    INFO("seed " << seed << ", n " << n);
    CHECK(fails(kept));
    CHECK(one_minimal(kept, fails));
  }
}

TEST_CASE("shrink: a predicate that stops answering (budget spent) leaves a list that still fails") {
  size_t budget = 5;
  std::vector<size_t> kept = ddmin(30, [&](const std::vector<size_t>& s) {
    if (budget == 0) return false;
    --budget;
    return contains_all(s, {1, 2});
  });
  CHECK(contains_all(kept, {1, 2}));
  CHECK(kept.size() > 2);
}

TEST_CASE("shrink: text edits change only the lines they must") {
  const std::string text =
      "# top comment\n[run]\nname = \"x\"\nduration = \"30s\"  # long\n\n[chaos]\ncrash_rate = 1\n\n"
      "[[faults]]\nkind = \"crash\"\n[faults.groups]\na = 1\n\n[expect]\nfailure = \"raft.x\"\nops = \"> 1\"\n";
  const std::string stripped = remove_tables(remove_tables(text, "chaos"), "faults");
  CHECK(stripped == "# top comment\n[run]\nname = \"x\"\nduration = \"30s\"  # long\n\n[expect]\nfailure = \"raft.x\"\nops = \"> 1\"\n");
  CHECK(set_key(stripped, "run", "duration", "\"2s\"").find("duration = \"2s\"\n\n[expect]") != std::string::npos);
  CHECK(set_key(stripped, "run", "seed", "15").find("[run]\nseed = 15\nname") != std::string::npos);
  CHECK(set_key(stripped, "protocol", "keys", "1").ends_with("\n\n[protocol]\nkeys = 1\n"));
  CHECK(remove_key(stripped, "expect", "failure").ends_with("[expect]\nops = \"> 1\"\n"));
  CHECK(remove_key(stripped, "run", "failure") == stripped);
}

TEST_CASE("shrink: the chaos draw written out as [[faults]] replays the run event for event") {
  // figure8_bug draws 171 faults from seed 15. Written out with [chaos] removed, the run
  // must have the same fingerprint: the draw consumes only its own stream (sim/rng.h).
  const ModuleRegistry& registry = testing::builtin_registry();
  const std::string path = std::string(MESHSIM_SOURCE_DIR) + "/scenarios/raft/figure8_bug.toml";
  Scenario sc = load_scenario(path, {}, registry, 15);
  Candidate explicit_schedule;
  explicit_schedule.base = remove_tables(remove_tables(sc.text, "chaos"), "faults");
  explicit_schedule.faults = schedule_of(sc);
  explicit_schedule.end_ns = sc.end.ns;
  REQUIRE(explicit_schedule.faults.size() > 100);
  Scenario rewritten = parse_scenario(render(explicit_schedule), path, {}, registry, 15);
  CHECK(rewritten.chaos.crash_rate_per_s == 0);
  REQUIRE(rewritten.faults.size() == explicit_schedule.faults.size());
  for (size_t i = 0; i < rewritten.faults.size(); ++i) {
    const FaultSpec& a = rewritten.faults[i];
    const FaultSpec& b = explicit_schedule.faults[i].spec;
    CHECK(a.kind == b.kind);
    CHECK(a.at == b.at);
    CHECK(a.until == b.until);
    CHECK(a.nodes.to_string() == b.nodes.to_string());
    CHECK(a.one_way == b.one_way);
    CHECK(a.groups.size() == b.groups.size());
  }
  Simulation drawn(resolve_run(sc, registry));
  Simulation written(resolve_run(rewritten, registry));
  RunInfo info;
  RunResult r1 = drawn.run(info), r2 = written.run(info);
  CHECK(r1.events == r2.events);
  CHECK(r1.fingerprint == r2.fingerprint);
}

TEST_CASE("shrink: failure classes name the checker or the expectation, not the details") {
  CHECK(failure_class_of("checker raft.leader_completeness violated at 25.6 s: server 3 ...") ==
        "checker raft.leader_completeness");
  CHECK(failure_class_of("checker pbft.agreement violated at 1 s: x (expected checker raft.y instead)") ==
        "checker pbft.agreement");
  CHECK(failure_class_of("a/b.toml:31: expect.linearizable == 1: got 0\na/b.toml:32: expect.ops > 5: got 1") ==
        "expect.linearizable");
  CHECK(failure_class_of("").empty());
}

TEST_CASE("shrink: the pBFT colluders shrink to a shorter run that still breaks agreement, deterministically") {
  const ModuleRegistry& registry = testing::builtin_registry();
  ShrinkOptions o;
  o.path = std::string(MESHSIM_SOURCE_DIR) + "/scenarios/pbft/colluders.toml";
  o.seed = 1;
  o.max_runs = 200;
  o.size_keys = {{"topology", "nodes", 1, false}, {"protocol", "replicas", 1, true}, {"protocol", "keys", 1, false}};
  const std::string text = source_file("scenarios/pbft/colluders.toml");
  ShrinkReport a = shrink_scenario(text, o, registry);
  CHECK(a.failure_class == "checker pbft.agreement");
  CHECK(a.original_expected);
  CHECK(a.duration_after_ns < a.duration_before_ns / 5);
  CHECK(a.faults_after == 1);  // f + 1 colluders are needed: the fork cannot go
  CHECK(a.runs <= 200);
  Probe check(registry, o.path, 1, 1);
  CHECK(check.run(a.text).failure_class == "checker pbft.agreement");
  ShrinkReport b = shrink_scenario(text, o, registry);
  CHECK(a.text == b.text);
  CHECK(a.runs == b.runs);
}

TEST_CASE("shrink: a seed that passes has nothing to shrink") {
  ShrinkOptions o;
  o.path = "scenarios/raft/quiet.toml";
  o.seed = 1;
  CHECK_THROWS_WITH_AS(shrink_scenario(source_file("scenarios/raft/quiet.toml"), o, testing::builtin_registry()),
                       doctest::Contains("nothing to shrink: seed 1 passes"), ScenarioError);
}

TEST_CASE("shrink: a planted culprit among decoy faults is found exactly, on one node") {
  // Only a crash with no end leaves a node down when the run ends; the decoys all heal.
  // Whatever shrink keeps must be that crash, on one of its two nodes.
  const std::string text = R"([run]
name = "planted"
duration = "4s"

[topology]
kind = "none"
nodes = 8

[network]
latency = { kind = "uniform", min = "1ms", max = "3ms" }

[protocol]
name = "raft"
servers = 5
keys = 2
think_time = "20ms"

[[faults]]
kind = "crash"
at = "500ms"
until = "700ms"
nodes = 5

[[faults]]
kind = "pause"
at = "1s"
until = "1200ms"
nodes = [1, 2]

[[faults]]
kind = "crash"
at = "2s"
nodes = [6, 7]

[[faults]]
kind = "partition"
at = "2500ms"
until = "3s"
groups = { a = "0..1", b = "2..7" }

[[faults]]
kind = "isolate"
at = "1500ms"
every = "500ms"
lasting = "100ms"
nodes = 3

[expect]
nodes_up_final = "== 8"
)";
  ShrinkOptions o;
  o.path = "planted.toml";
  o.seed = 3;
  // topology.nodes is pinned (as --keep topology.nodes does): a mesh of one node fails
  // nodes_up_final == 8 too, an answer of the same class for another reason (slippage,
  // checked at the end of this test).
  o.size_keys = {{"protocol", "keys", 1, false}};
  ShrinkReport r = shrink_scenario(text, o, testing::builtin_registry());
  CHECK(r.failure_class == "expect.nodes_up_final");
  CHECK(r.file_faults_before == 9);  // the isolation repeats 5 times
  CHECK(r.chaos_faults_before == 0);
  REQUIRE(r.faults_after == 1);
  Scenario shrunk = parse_scenario(r.text, o.path, {}, testing::builtin_registry(), 3);
  REQUIRE(shrunk.faults.size() == 1);
  CHECK(shrunk.faults[0].kind == FaultKind::crash);
  CHECK(shrunk.faults[0].nodes.size() == 1);
  CHECK((shrunk.faults[0].nodes.contains(6) || shrunk.faults[0].nodes.contains(7)));
  CHECK_FALSE(shrunk.faults[0].until.has_value());
  // The run ends just after the crash: nothing after it matters to the verdict.
  CHECK(shrunk.end.ns < Duration::seconds(4).ns);
  CHECK(shrunk.end.ns - shrunk.faults[0].at.ns <= Duration::millis(2).ns);
  CHECK(!r.budget_spent);

  o.size_keys = {{"topology", "nodes", 1, false}};
  ShrinkReport slipped = shrink_scenario(text, o, testing::builtin_registry());
  CHECK(slipped.failure_class == "expect.nodes_up_final");
  CHECK(slipped.faults_after == 0);
  CHECK(slipped.sizes.at(0).after < 8);
}

TEST_CASE("shrink: every shipped scenario's faults, written out, replay it with the same fingerprint") {
  // The first step of every shrink, on each kind of fault the scenarios use: role targets,
  // `every`, one-way partitions, Byzantine behaviours, membership actions, joins, chaos.
  const char* files[] = {"raft/chaos.toml",        "raft/flapping.toml",         "raft/leader_crash.toml",
                         "raft/membership.toml",   "raft/minority_leader.toml",  "pbft/chaos.toml",
                         "pbft/equivocating_primary.toml", "pbft/partition_primary.toml", "pbft/primary_crash.toml",
                         "pbft/silent_backups.toml", "pbft/slow_primary.toml",   "gossip/chaos.toml",
                         "examples/partition_heal.toml", "quickstart.toml"};
  const ModuleRegistry& registry = testing::builtin_registry();
  for (const char* file : files) {
    INFO(file);
    const std::string path = std::string(MESHSIM_SOURCE_DIR) + "/scenarios/" + file;
    Scenario sc = load_scenario(path, {}, registry, 7);
    Candidate c;
    c.base = remove_tables(remove_tables(sc.text, "chaos"), "faults");
    c.faults = schedule_of(sc);
    c.end_ns = sc.end.ns;
    Scenario rewritten = parse_scenario(render(c), path, {}, registry, 7);
    CHECK(rewritten.faults.size() == c.faults.size());
    Simulation drawn(resolve_run(sc, registry)), written(resolve_run(rewritten, registry));
    RunInfo info;
    CHECK(drawn.run(info).fingerprint == written.run(info).fingerprint);
  }
}
