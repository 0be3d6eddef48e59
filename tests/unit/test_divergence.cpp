// The divergence locator (app/divergence/, meshsim diverge): two runs that differ in one
// planted respect are located at the right event, checked against a brute-force comparison
// of every event; stepping for checkpoints reproduces the fingerprint of an ordinary run.
#include <doctest/doctest.h>

#include "app/divergence/locate.h"
#include "app/divergence/scenario_run.h"
#include "tests/unit/kernel_fixture.h"
#include "tests/unit/scenario_runner.h"

using namespace meshsim;
using namespace meshsim::testing;
using namespace meshsim::divergence;

namespace {

// A ring of 8 chatty nodes; with `planted`, the link from node 3 to node 4 gets slower
// (1.5 ms instead of 1 ms) from 2.5 s on: the runs agree for thousands of events first.
RunSpec ring(bool planted, uint64_t max_events = 0) {
  RunSpec spec = chatty_run(8);
  spec.max_events = max_events;
  if (planted) {
    LinkOverride slow;
    slow.from = nodes(3, 3);
    slow.to = nodes(4, 4);
    slow.both_ways = false;
    slow.spec = spec.link;
    slow.spec.latency.a_ns = 1.5e6;
    slow.active_from = at_s(2.5);
    spec.overrides.push_back(slow);
  }
  return spec;
}

LocalRun ring_side(bool planted, uint64_t max_events = 0) {
  return LocalRun(planted ? "planted" : "plain", [=] { return std::make_unique<Simulation>(ring(planted, max_events)); });
}

// The brute-force answer: every event of both runs, compared field by field; the index of
// the first that differs, or of the first one the shorter run lacks; 0 when identical.
uint64_t first_difference_by_brute_force(RunSide& a, RunSide& b) {
  const auto ea = a.events(1, UINT64_MAX), eb = b.events(1, UINT64_MAX);
  for (size_t i = 0; i < std::max(ea.size(), eb.size()); ++i) {
    if (i >= ea.size() || i >= eb.size()) return i + 1;
    const EventRecord &x = ea[i], &y = eb[i];
    if (x.time_ns != y.time_ns || x.node != y.node || x.kind != y.kind || x.module != y.module || x.type != y.type) return i + 1;
  }
  return 0;
}

}  // namespace

TEST_CASE("diverge: stepping for checkpoints gives the fingerprint an ordinary run gives") {
  Simulation plain(ring(false));
  const RunResult r = plain.run(RunInfo{});
  Simulation stepped(ring(false));
  const Checkpoints c = record_checkpoints(stepped, 100);
  CHECK(c.fingerprint == r.fingerprint);
  CHECK(c.hashes.size() == c.events / 100);

  const ScenarioOutcome raft = run_scenario_file("scenarios/raft/leader_crash.toml", 3);
  RunRecipe recipe{std::string(MESHSIM_SOURCE_DIR) + "/scenarios/raft/leader_crash.toml", "", {}, 3};
  CHECK(record_checkpoints(*build_simulation(recipe, builtin_registry()), 1024).fingerprint == raft.result.fingerprint);
}

TEST_CASE("diverge: a planted link latency change is located at the first differing event") {
  LocalRun a = ring_side(false), b = ring_side(true);
  const uint64_t expected = first_difference_by_brute_force(a, b);
  REQUIRE(expected > 1000);  // the change starts at 2.5 s, deep into the run
  for (uint64_t every : {uint64_t{1}, uint64_t{7}, uint64_t{64}, uint64_t{1024}, uint64_t{1} << 20}) {
    CAPTURE(every);
    const Divergence d = locate_divergence(a, b, every, 3);
    CHECK(d.outcome == Outcome::differ);
    CHECK(d.index == expected);
    REQUIRE(d.a_events.size() == 4);  // three before, then the divergent event
    REQUIRE(d.b_events.size() == 4);
    CHECK(d.a_events.back().index == expected);
    // The context agrees; the last event is where they part.
    for (size_t i = 0; i < 3; ++i) CHECK(d.a_events[i].hash == d.b_events[i].hash);
    CHECK(d.a_events.back().hash != d.b_events.back().hash);
  }
  // From B's side the same place.
  const Divergence reversed = locate_divergence(b, a, 64, 3);
  CHECK(reversed.index == expected);
  // And the divergent event is the first delivery over the slowed link, or the event that
  // took its place: at or after 2.5 s, at node 4 on one side.
  const Divergence d = locate_divergence(a, b, 64, 0);
  CHECK(d.a_events.back().time_ns >= at_s(2.5).ns);
  CHECK((d.a_events.back().node == 4 || d.b_events.back().node == 4));
}

TEST_CASE("diverge: a run cut short is a prefix of the other, identical runs say so") {
  LocalRun full = ring_side(false), cut = ring_side(false, 3000);
  const uint64_t expected = first_difference_by_brute_force(cut, full);
  const Divergence d = locate_divergence(cut, full, 256, 2);
  CHECK(d.outcome == Outcome::a_ended);
  CHECK(d.index == expected);
  CHECK(d.index == d.a.events + 1);
  CHECK(d.a_events.back().index == d.index - 1);  // A has only the events before
  CHECK(d.b_events.back().index == d.index);
  CHECK(locate_divergence(full, cut, 256, 2).outcome == Outcome::b_ended);

  LocalRun again = ring_side(false);
  const Divergence same = locate_divergence(full, again, 256, 2);
  CHECK(same.outcome == Outcome::identical);
  CHECK(format_divergence(same, "a", "b").rfind("identical", 0) == 0);
}

TEST_CASE("diverge: a --set change in a scenario is located at the first differing event") {
  const std::string path = std::string(MESHSIM_SOURCE_DIR) + "/scenarios/raft/leader_crash.toml";
  // Leaders crash every 2 s for 1 s; lasting 1.5 s changes nothing before the first recovery.
  RunRecipe ra{path, "", {}, 2}, rb{path, "", {"faults[0].lasting=\"1.5s\""}, 2};
  LocalRun a("a", [&] { return build_simulation(ra, builtin_registry()); });
  LocalRun b("b", [&] { return build_simulation(rb, builtin_registry()); });
  const uint64_t expected = first_difference_by_brute_force(a, b);
  REQUIRE(expected > 100);
  const Divergence d = locate_divergence(a, b, 512, 4);
  CHECK(d.outcome == Outcome::differ);
  CHECK(d.index == expected);
  CHECK(d.a_events.size() == 5);
}
