// Attention consensus: one node's state machine driven by hand, then whole scenarios through
// the engine (determinism, agreement on an honest mesh, detection of far-off embeddings,
// what a partition and crashes do to agreement).
#include <doctest/doctest.h>

#include "protocols/attention/node.h"
#include "protocols/attention/workload.h"
#include "tests/unit/scenario_runner.h"

using namespace meshsim;
using namespace meshsim::attention;
using meshsim::testing::run_scenario_file;

namespace {

Params small_params() {
  Params p;
  p.dim = 16;
  p.heads = 2;
  return p;
}

std::shared_ptr<const Context> small_context(const Params& p, uint64_t seed) {
  return std::make_shared<Context>(
      Context{seed, Embedder(seed, p.dim, p.lengthscale), make_projections(seed, p.dim, p.heads, p.projection), {}});
}

NodeView view_of(NodeId self, int64_t now_ns, uint32_t n) {
  NodeView v;
  v.self = self;
  v.now = SimTime{now_ns};
  v.node_count = n;
  return v;
}

}  // namespace

TEST_CASE("attention node: proposes to every peer, decides early once all proposals are in, keeps reputation over a crash") {
  const Params p = small_params();
  auto ctx = small_context(p, 11);
  Node node(ctx, 3), peer1(ctx, 3), peer2(ctx, 3);
  Outbox<Message> out, out1, out2;
  const int64_t t = p.round_interval.ns;  // round 1 starts here
  node.on_timer(p, view_of(0, t, 3), kRoundTimer, out);
  peer1.on_timer(p, view_of(1, t, 3), kRoundTimer, out1);
  peer2.on_timer(p, view_of(2, t, 3), kRoundTimer, out2);
  REQUIRE(out.sends().size() == 2);
  CHECK(std::get<Proposal>(out.sends()[0].msg).value == honest_proposal(11, p, 1, 0));
  CHECK(std::get<Proposal>(out.sends()[0].msg).wire_bytes() == 16 + 4 * 16);
  out.clear();
  node.on_message(p, view_of(0, t + 1000, 3), 1, out1.sends()[0].msg, out);
  CHECK(out.notes().empty());  // two of three proposals: waits
  node.on_message(p, view_of(0, t + 2000, 3), 2, out2.sends()[0].msg, out);
  REQUIRE(out.notes().size() == 1);
  CHECK(out.notes()[0].what == kNoteDecided);
  const Decision& d = node.last_decision();
  CHECK(d.round == 1);
  CHECK(d.latency_ns == 2000);
  CHECK(d.held == std::vector<NodeId>{0, 1, 2});
  CHECK(node.reputation()[1].seen == 1);
  // A late proposal of the decided round is counted, not used.
  out.clear();
  node.on_message(p, view_of(0, t + 3000, 3), 1, out1.sends()[0].msg, out);
  CHECK(out.notes()[0].what == kNoteLate);
  node.crash();
  CHECK(node.reputation()[1].seen == 1);
  CHECK(node.reputation()[2].seen == 1);
}

TEST_CASE("attention node: at the deadline it decides on what it holds") {
  const Params p = small_params();
  auto ctx = small_context(p, 12);
  Node node(ctx, 4);
  Outbox<Message> out;
  node.on_timer(p, view_of(0, p.round_interval.ns, 4), kRoundTimer, out);
  out.clear();
  node.on_timer(p, view_of(0, p.round_interval.ns + p.round_deadline.ns, 4), kStepTimer, out);
  REQUIRE(out.notes().size() == 1);
  CHECK(node.last_decision().held == std::vector<NodeId>{0});
  CHECK(node.last_decision().value == honest_proposal(12, p, 1, 0));
}

TEST_CASE("attention scenario: same seed, same fingerprint, honest mesh agrees and is valid every round") {
  const std::vector<std::string> small{"protocol.dim=32", "protocol.heads=4", "run.duration=3s", "expect.attention_rounds=> 10"};
  auto a = run_scenario_file("scenarios/attention/honest.toml", 5, small);
  auto b = run_scenario_file("scenarios/attention/honest.toml", 5, small);
  CHECK(a.result.fingerprint == b.result.fingerprint);
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    auto o = run_scenario_file("scenarios/attention/honest.toml", seed, small);
    INFO("seed " << seed << ": " << o.result.failure);
    CHECK(o.result.status == RunStatus::complete);
    CHECK(o.scalars["attention_agreement"] == 1.0);
    CHECK(o.scalars["attention_validity"] == 1.0);
    CHECK(o.scalars["attention_rounds"] >= 13);
  }
}

TEST_CASE("attention scenario: one far-off embedding is flagged, three are not, yet never win, a partition splits the decisions") {
  auto far = run_scenario_file("scenarios/attention/far-embedding_10.toml", 1, {"run.duration=3s", "expect.attention_rounds=> 10"});
  CHECK(far.scalars["attention_detection_recall"] > 0.9);
  CHECK(far.scalars["attention_validity"] == 1.0);
  // Three near-zero weights among 13 pull the mean and the deviation down with them: none is
  // beyond 2 sigma. They get no weight in the vote either, so validity holds.
  auto three = run_scenario_file("scenarios/attention/far-embedding_25.toml", 1, {"run.duration=3s", "expect.attention_rounds=> 10"});
  CHECK(three.scalars["attention_detection_recall"] < 0.1);
  CHECK(three.scalars["attention_validity"] == 1.0);
  auto split = run_scenario_file("scenarios/attention/partition.toml", 1, {"protocol.dim=32", "protocol.heads=4"});
  CHECK(split.scalars["attention_agreement"] < 1.0);
}

TEST_CASE("attention scenario: the three variants and the Byzantine behaviours run clean") {
  for (const char* f : {"graph_rope", "gossip", "discrete", "collude_33", "equivocate_33", "near-copy_33", "silent_33",
                        "variants_ba30", "exclude_below"}) {
    auto o = run_scenario_file(std::string("scenarios/attention/") + f + ".toml", 2, {"run.duration=2s", "expect.attention_rounds=> 5"});
    INFO(f << ": " << o.result.failure);
    CHECK(o.result.status == RunStatus::complete);
    CHECK(o.scalars["attention_decisions"] > 0);
  }
}

TEST_CASE("attention scenario: crashes and recoveries cost agreement only through the durable learning store") {
  // Nodes 0..3 and then 4..7 crash for 2 s each. Every live node holds the same proposals, so
  // without the learning store every round agrees; with it, a recovered node's store missed
  // the rounds it was down, weighs the same embeddings differently and sometimes picks
  // another winner (measured over 20 seeds in protocols/attention/README.md).
  const std::vector<std::string> small{"protocol.dim=32", "protocol.heads=4"};
  auto off = small;
  off.push_back("protocol.reputation=false");
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    auto with_store = run_scenario_file("scenarios/attention/crash.toml", seed, small);
    auto without = run_scenario_file("scenarios/attention/crash.toml", seed, off);
    INFO("seed " << seed << ": " << with_store.result.failure << without.result.failure);
    CHECK(with_store.result.status == RunStatus::complete);
    CHECK(without.result.status == RunStatus::complete);
    CHECK(without.scalars["attention_agreement"] == 1.0);
    CHECK(with_store.scalars["attention_agreement"] < 1.0);
    CHECK(with_store.scalars["attention_validity"] == 1.0);
  }
}

TEST_CASE("attention scenario: exclude_below above one half does not lock every node on its own proposal") {
  // Regression: a fresh peer's factor is 1/2, so exclude_below = 0.6 used to exclude every
  // peer (the node itself too) in the first round; each node fell back on its own proposal,
  // and the win bonus kept it there: agreement 0 in every round. Exclusion now needs a record.
  for (const char* f : {"far-embedding_10", "honest"}) {
    auto o = run_scenario_file(std::string("scenarios/attention/") + f + ".toml", 1,
                               {"protocol.dim=32", "protocol.heads=4", "run.duration=3s", "expect.attention_rounds=> 10",
                                "protocol.exclude_below=0.6"});
    INFO(f << ": " << o.result.failure);
    CHECK(o.result.status == RunStatus::complete);
    CHECK(o.scalars["attention_agreement"] == 1.0);
  }
}
