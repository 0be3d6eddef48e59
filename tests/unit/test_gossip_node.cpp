// Step-level tests of the gossip state machines, without the engine: build a node, call a
// step, read the outbox (the etcd-raft way).
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "protocols/gossip/gossip_node.h"

using namespace meshsim;
using namespace meshsim::gossip;

namespace {

constexpr Duration kInterval = Duration::millis(100);

Params make_params(Strategy strategy, Mode mode, std::vector<Rumor> rumors) {
  Params p;
  p.strategy = strategy;
  p.mode = mode;
  p.interval = kInterval;
  p.rumors = std::make_shared<RumorSchedule>(std::move(rumors));
  return p;
}

// A node's inputs: who it is, when, how many nodes exist, its neighbours, its stream.
struct Env {
  Rng rng{7};
  std::vector<NodeId> neighbors;
  GossipOutbox out;
  FloodOutbox flood_out;
  NodeView view(NodeId self, SimTime now = {}, uint32_t node_count = 100) {
    out.clear();
    flood_out.clear();
    NodeView v;
    v.self = self;
    v.now = now;
    v.node_count = node_count;
    v.neighbors = neighbors;
    v.rng = &rng;
    return v;
  }
};

template <class T, class Box>
std::vector<std::pair<NodeId, T>> sent(const Box& out) {
  std::vector<std::pair<NodeId, T>> r;
  for (const auto& s : out.sends())
    if (const T* m = std::get_if<T>(&s.msg)) r.push_back({s.to, *m});
  return r;
}

template <class Box>
std::vector<int64_t> notes(const Box& out, NoteKind kind) {
  std::vector<int64_t> r;
  for (const auto& n : out.notes())
    if (n.what == kind) r.push_back(n.value);
  return r;
}

std::optional<Duration> timer_set(const GossipOutbox& out, TimerId id) {
  std::optional<Duration> d;
  for (const auto& t : out.timers())
    if (t.id == id) d = t.after;
  return d;
}

// A node that knows and spreads rumor 0 (the origin, after start at time 0).
GossipNode infected_origin(const Params& p, Env& env) {
  GossipNode node;
  node.start(p, env.view(0), env.out);
  REQUIRE(node.is_infective(0));
  return node;
}

}  // namespace

TEST_CASE("choose_peers: distinct, never self, within the candidate set") {
  Env env;
  std::array<NodeId, kMaxFanout> peers;
  std::vector<int> hits(10, 0);
  for (int trial = 0; trial < 5000; ++trial) {
    NodeView v = env.view(3, {}, 10);
    uint32_t n = choose_peers(PeerChoice::uniform, 4, v, peers);
    REQUIRE(n == 4);
    std::set<NodeId> distinct(peers.begin(), peers.begin() + n);
    REQUIRE(distinct.size() == 4);
    REQUIRE_FALSE(distinct.count(3));
    for (NodeId p : distinct) ++hits[p];
  }
  // 5000 * 4 picks over 9 candidates: about 2222 each.
  for (NodeId p = 0; p < 10; ++p) {
    if (p == 3) CHECK(hits[p] == 0);
    else CHECK(std::abs(hits[p] - 2222) < 200);
  }

  env.neighbors = {11, 22, 33};
  NodeView v = env.view(0);
  CHECK(choose_peers(PeerChoice::neighbors, 2, v, peers) == 2);
  CHECK(std::set<NodeId>(peers.begin(), peers.begin() + 2).size() == 2);
  CHECK(std::count(env.neighbors.begin(), env.neighbors.end(), peers[0]) == 1);
  CHECK(choose_peers(PeerChoice::neighbors, 8, v, peers) == 3);  // fanout above the degree
  env.neighbors.clear();
  v = env.view(0);
  CHECK(choose_peers(PeerChoice::neighbors, 2, v, peers) == 0);
  v = env.view(0, {}, 1);
  CHECK(choose_peers(PeerChoice::uniform, 2, v, peers) == 0);  // alone in the mesh
}

TEST_CASE("push rumor mongering: origin injects, then pushes to fanout peers each round") {
  Params p = make_params(Strategy::rumor_mongering, Mode::push, {{0, SimTime{}}});
  p.fanout = 3;
  Env env;
  GossipNode node;
  node.start(p, env.view(0), env.out);
  CHECK(notes(env.out, kNoteInjected) == std::vector<int64_t>{0});
  CHECK(node.knows(0));
  auto phase = timer_set(env.out, kRoundTimer);
  REQUIRE(phase);
  CHECK(*phase >= Duration{});
  CHECK(*phase < kInterval);

  node.on_timer(p, env.view(0, SimTime{} + *phase), kRoundTimer, env.out);
  auto pushes = sent<Push>(env.out);
  REQUIRE(pushes.size() == 3);
  std::set<NodeId> to;
  for (const auto& [peer, m] : pushes) {
    to.insert(peer);
    CHECK(peer != 0);
    CHECK(m.rumors == RumorSet{0});
    CHECK(m.want_feedback);  // default loss of interest: feedback
  }
  CHECK(to.size() == 3);
  CHECK(timer_set(env.out, kRoundTimer) == kInterval);  // keeps its phase
}

TEST_CASE("push receiver learns, becomes infective, and gives feedback on old news") {
  Params p = make_params(Strategy::rumor_mongering, Mode::push, {{0, SimTime{}}});
  Env env;
  GossipNode node;
  node.start(p, env.view(5), env.out);
  CHECK_FALSE(timer_set(env.out, kRoundTimer));  // push mongering idles until infected

  node.on_message(p, env.view(5), 0, Push{RumorSet{0}, 32, true}, env.out);
  CHECK(node.knows(0));
  CHECK(node.is_infective(0));
  CHECK(notes(env.out, kNoteInformed) == std::vector<int64_t>{0});
  CHECK(timer_set(env.out, kRoundTimer));
  CHECK(env.out.sends().empty());  // nothing was old news: no reply

  node.on_message(p, env.view(5), 9, Push{RumorSet{0}, 32, true}, env.out);
  CHECK(notes(env.out, kNoteRedundant) == std::vector<int64_t>{1});
  auto replies = sent<Reply>(env.out);
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].first == 9);
  CHECK(replies[0].second.already_known == RumorSet{0});
  CHECK(replies[0].second.rumors.empty());

  // Blind pushers ask for no feedback.
  node.on_message(p, env.view(5), 9, Push{RumorSet{0}, 32, false}, env.out);
  CHECK(env.out.sends().empty());
}

TEST_CASE("feedback + counter: interest is lost after exactly k contacts that knew the rumor") {
  Params p = make_params(Strategy::rumor_mongering, Mode::push, {{0, SimTime{}}});
  p.k = 3;
  Env env;
  GossipNode node = infected_origin(p, env);

  // A reply with nothing old and one about an unknown rumor do not count.
  node.on_message(p, env.view(0), 4, Reply{RumorSet{}, RumorSet{}, 32}, env.out);
  CHECK(node.interest_events(0) == 0);
  for (uint32_t i = 1; i < p.k; ++i) {
    node.on_message(p, env.view(0), 4, Reply{RumorSet{}, RumorSet{0}, 32}, env.out);
    CHECK(node.is_infective(0));
    CHECK(node.interest_events(0) == i);
  }
  node.on_message(p, env.view(0), 4, Reply{RumorSet{}, RumorSet{0}, 32}, env.out);
  CHECK_FALSE(node.is_infective(0));
  CHECK(notes(env.out, kNoteLostInterest) == std::vector<int64_t>{0});
  CHECK(node.knows(0));  // removed, not forgotten

  // The next round finds nothing to spread: no message, no next round.
  node.on_timer(p, env.view(0, SimTime{50}), kRoundTimer, env.out);
  CHECK(env.out.sends().empty());
  CHECK_FALSE(timer_set(env.out, kRoundTimer));
  CHECK_FALSE(node.round_armed());
}

TEST_CASE("blind + counter: every transmission counts, whatever the peer knew") {
  Params p = make_params(Strategy::rumor_mongering, Mode::push, {{0, SimTime{}}});
  p.loss_of_interest = LossOfInterest::blind;
  p.k = 4;
  p.fanout = 2;
  Env env;
  GossipNode node = infected_origin(p, env);
  node.on_timer(p, env.view(0), kRoundTimer, env.out);
  REQUIRE(sent<Push>(env.out).size() == 2);
  CHECK_FALSE(sent<Push>(env.out)[0].second.want_feedback);
  CHECK(node.interest_events(0) == 2);
  CHECK(node.is_infective(0));
  node.on_timer(p, env.view(0), kRoundTimer, env.out);
  CHECK(sent<Push>(env.out).size() == 2);  // this round still carries it
  CHECK_FALSE(node.is_infective(0));       // 2 rounds x fanout 2 = k
  CHECK_FALSE(timer_set(env.out, kRoundTimer));
}

TEST_CASE("coin: interest is lost with probability 1/k per event") {
  Params p = make_params(Strategy::rumor_mongering, Mode::push, {{0, SimTime{}}});
  p.stop = Stop::coin;
  p.k = 4;
  Env env;
  const int trials = 20000;
  int lost_at_first = 0;
  double events_total = 0;
  for (int t = 0; t < trials; ++t) {
    GossipNode node = infected_origin(p, env);
    int events = 0;
    while (node.is_infective(0)) {
      node.on_message(p, env.view(0), 1, Reply{RumorSet{}, RumorSet{0}, 32}, env.out);
      ++events;
    }
    lost_at_first += events == 1;
    events_total += events;
  }
  // Bernoulli(1/4) over 20000 trials: sd ~ 0.003; the number of events is geometric, mean k.
  CHECK(std::abs(lost_at_first / double(trials) - 0.25) < 0.015);
  CHECK(std::abs(events_total / trials - 4.0) < 0.15);
}

TEST_CASE("pull anti-entropy: ask with a digest, answer with exactly what the asker misses") {
  Params p = make_params(Strategy::anti_entropy, Mode::pull, {{0, SimTime{}}, {0, SimTime{}}, {0, SimTime{}}});
  p.fanout = 2;
  Env env;
  GossipNode asker;
  asker.start(p, env.view(7), env.out);
  REQUIRE(timer_set(env.out, kRoundTimer));  // anti-entropy rounds run from the start
  asker.on_timer(p, env.view(7), kRoundTimer, env.out);
  auto requests = sent<PullRequest>(env.out);
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].second.digest.empty());
  CHECK(timer_set(env.out, kRoundTimer) == kInterval);

  GossipNode origin;
  origin.start(p, env.view(0), env.out);
  REQUIRE(origin.known() == RumorSet{0, 1, 2});
  origin.on_message(p, env.view(0), 7, PullRequest{RumorSet{1}}, env.out);
  auto replies = sent<Reply>(env.out);
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].first == 7);
  CHECK(replies[0].second.rumors == RumorSet{0, 2});

  asker.on_message(p, env.view(7), 0, replies[0].second, env.out);
  CHECK(asker.known() == RumorSet{0, 2});
  CHECK(notes(env.out, kNoteInformed) == std::vector<int64_t>{0, 2});
  CHECK_FALSE(asker.is_infective(0));  // anti-entropy has no hot rumors

  origin.on_message(p, env.view(0), 7, PullRequest{RumorSet{0, 1, 2}}, env.out);
  CHECK(env.out.sends().empty());  // nothing to give: no empty reply
}

TEST_CASE("pull rumor mongering: only hot rumors are offered, a digest that has them is feedback") {
  Params p = make_params(Strategy::rumor_mongering, Mode::pull, {{0, SimTime{}}});
  p.k = 2;
  Env env;
  GossipNode node = infected_origin(p, env);
  CHECK(timer_set(env.out, kRoundTimer));
  node.on_message(p, env.view(0), 3, PullRequest{RumorSet{}}, env.out);
  CHECK(sent<Reply>(env.out).size() == 1);
  CHECK(node.interest_events(0) == 0);
  node.on_message(p, env.view(0), 3, PullRequest{RumorSet{0}}, env.out);
  CHECK(env.out.sends().empty());
  CHECK(node.interest_events(0) == 1);
  node.on_message(p, env.view(0), 4, PullRequest{RumorSet{0}}, env.out);
  CHECK_FALSE(node.is_infective(0));
  node.on_message(p, env.view(0), 5, PullRequest{RumorSet{}}, env.out);
  CHECK(env.out.sends().empty());  // known but no longer hot: not offered
  // Pull rounds go on after interest is lost: a node cannot know what it misses.
  node.on_timer(p, env.view(0), kRoundTimer, env.out);
  CHECK(sent<PullRequest>(env.out).size() == 1);
  CHECK(timer_set(env.out, kRoundTimer) == kInterval);
}

TEST_CASE("push-pull: both directions in one exchange") {
  Params p = make_params(Strategy::anti_entropy, Mode::push_pull, {{0, SimTime{}}, {1, SimTime{}}});
  Env env;
  GossipNode a, b;
  a.start(p, env.view(0, {}, 2), env.out);
  b.start(p, env.view(1, {}, 2), env.out);
  a.on_timer(p, env.view(0, {}, 2), kRoundTimer, env.out);
  auto msgs = sent<PushPull>(env.out);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].first == 1);
  CHECK(msgs[0].second.rumors == RumorSet{0});
  b.on_message(p, env.view(1, {}, 2), 0, msgs[0].second, env.out);
  CHECK(b.known() == RumorSet{0, 1});
  auto replies = sent<Reply>(env.out);
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].second.rumors == RumorSet{1});
  CHECK(replies[0].second.already_known.empty());
  a.on_message(p, env.view(0, {}, 2), 1, replies[0].second, env.out);
  CHECK(a.known() == RumorSet{0, 1});
  // In sync now: the pushed set is the asker's digest, so there is nothing to answer.
  b.on_message(p, env.view(1, {}, 2), 0, PushPull{RumorSet{0, 1}, RumorSet{}, 32}, env.out);
  CHECK(env.out.sends().empty());
  CHECK(notes(env.out, kNoteRedundant) == std::vector<int64_t>{2});
}

TEST_CASE("push-pull rumor mongering with feedback: both sides count old news") {
  Params p = make_params(Strategy::rumor_mongering, Mode::push_pull, {{0, SimTime{}}, {1, SimTime{}}});
  p.k = 5;
  Env env;
  GossipNode a, b;
  a.start(p, env.view(0, {}, 2), env.out);
  b.start(p, env.view(1, {}, 2), env.out);
  b.on_message(p, env.view(1, {}, 2), 0, PushPull{RumorSet{0}, RumorSet{0}, 32}, env.out);
  REQUIRE(b.is_infective(0));
  a.on_timer(p, env.view(0, {}, 2), kRoundTimer, env.out);
  auto msgs = sent<PushPull>(env.out);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].second.rumors == RumorSet{0});       // hot
  CHECK(msgs[0].second.digest == RumorSet{0});       // known
  b.on_message(p, env.view(1, {}, 2), 0, msgs[0].second, env.out);
  CHECK(b.interest_events(0) == 1);  // the asker already had b's hot rumor 0
  CHECK(b.interest_events(1) == 0);
  auto replies = sent<Reply>(env.out);
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].second.rumors == RumorSet{1});
  CHECK(replies[0].second.already_known == RumorSet{0});
  a.on_message(p, env.view(0, {}, 2), 1, replies[0].second, env.out);
  CHECK(a.interest_events(0) == 1);
  CHECK(a.knows(1));
  CHECK(a.is_infective(1));
}

TEST_CASE("flooding: forward once to all neighbours but the sender") {
  Params p = make_params(Strategy::flooding, Mode::push, {{0, SimTime{}}, {9, SimTime{}}});
  p.rumor_bytes = 100;
  Env env;
  env.neighbors = {1, 2, 3};
  FloodNode origin;
  origin.start(p, env.view(0), env.flood_out);
  auto floods = sent<Flood>(env.flood_out);
  REQUIRE(floods.size() == 3);
  CHECK(floods[0].second.rumor == 0);
  CHECK(floods[0].second.wire_bytes() == kHeaderBytes + 4 + 100);
  CHECK(env.flood_out.timers().empty());  // no rounds

  FloodNode node;
  node.start(p, env.view(5), env.flood_out);
  CHECK(env.flood_out.empty());  // not an origin: nothing at all
  node.on_message(p, env.view(5), 2, Flood{0, 100}, env.flood_out);
  floods = sent<Flood>(env.flood_out);
  REQUIRE(floods.size() == 2);
  CHECK(floods[0].first == 1);
  CHECK(floods[1].first == 3);
  CHECK(notes(env.flood_out, kNoteInformed) == std::vector<int64_t>{0});

  node.on_message(p, env.view(5), 3, Flood{0, 100}, env.flood_out);
  CHECK(env.flood_out.sends().empty());
  CHECK(notes(env.flood_out, kNoteRedundant) == std::vector<int64_t>{1});
  node.on_message(p, env.view(5), 3, Flood{77, 100}, env.flood_out);  // no such rumor
  CHECK(env.flood_out.empty());
  CHECK_FALSE(node.knows(77));

  node.crash();
  node.start(p, env.view(5), env.flood_out);
  node.on_message(p, env.view(5), 1, Flood{0, 100}, env.flood_out);
  CHECK(env.flood_out.sends().empty());  // the store is durable: still no second forward
}

TEST_CASE("injection: on time, skipped while crashed, late after a pause") {
  Params p = make_params(Strategy::rumor_mongering, Mode::push,
                         {{0, SimTime{5'000}}, {0, SimTime{8'000}}, {1, SimTime{5'000}}});
  Env env;
  GossipNode node;
  node.start(p, env.view(0), env.out);
  CHECK(env.out.notes().empty());
  CHECK(timer_set(env.out, kInjectTimer) == Duration{5'000});
  node.on_timer(p, env.view(0, SimTime{5'000}), kInjectTimer, env.out);
  CHECK(notes(env.out, kNoteInjected) == std::vector<int64_t>{0});
  CHECK(timer_set(env.out, kInjectTimer) == Duration{3'000});

  // Crashed over rumor 1's time: recovering afterwards does not inject it.
  node.crash();
  node.start(p, env.view(0, SimTime{9'000}), env.out);
  CHECK(notes(env.out, kNoteInjected).empty());
  CHECK_FALSE(timer_set(env.out, kInjectTimer));
  CHECK_FALSE(node.knows(1));

  // A paused origin's timer fires late: the rumor goes out then.
  GossipNode paused;
  paused.start(p, env.view(0), env.out);
  paused.on_timer(p, env.view(0, SimTime{9'500}), kInjectTimer, env.out);
  CHECK(notes(env.out, kNoteInjected) == std::vector<int64_t>{0, 1});
}

TEST_CASE("crash forgets the mongering state and the timers, keeps the store") {
  Params p = make_params(Strategy::rumor_mongering, Mode::push, {{0, SimTime{}}, {0, SimTime{}}});
  p.k = 3;
  Env env;
  GossipNode node = infected_origin(p, env);
  node.on_message(p, env.view(0), 1, Reply{RumorSet{}, RumorSet{0}, 32}, env.out);
  REQUIRE(node.interest_events(0) == 1);
  node.crash();
  CHECK(node.known() == RumorSet{0, 1});
  CHECK(node.infective().empty());
  CHECK(node.interest_events(0) == 0);
  CHECK_FALSE(node.round_armed());
  node.start(p, env.view(0, SimTime{1'000}), env.out);
  CHECK(env.out.cancels().size() == 2);  // the chain from before the crash must not survive
  CHECK_FALSE(timer_set(env.out, kRoundTimer));  // nothing hot: push mongering stays idle
  CHECK(notes(env.out, kNoteInjected).empty());

  Params ae = make_params(Strategy::anti_entropy, Mode::push, {{0, SimTime{}}});
  GossipNode a;
  a.start(ae, env.view(0), env.out);
  a.crash();
  a.start(ae, env.view(0, SimTime{1'000}), env.out);
  CHECK(timer_set(env.out, kRoundTimer));  // anti-entropy resumes its rounds
  CHECK(a.knows(0));
}

TEST_CASE("messages naming rumors beyond the schedule are not learned") {
  Params p = make_params(Strategy::anti_entropy, Mode::push, {{0, SimTime{}}});
  Env env;
  GossipNode node;
  node.start(p, env.view(3), env.out);
  node.on_message(p, env.view(3), 0, Push{RumorSet{0, 5, 300}, 32, false}, env.out);
  CHECK(node.known() == RumorSet{0});
  CHECK(notes(env.out, kNoteInformed) == std::vector<int64_t>{0});
}

TEST_CASE("many rumors: ids beyond 64 travel and are learned") {
  std::vector<Rumor> rumors(150, Rumor{0, SimTime{}});
  Params p = make_params(Strategy::anti_entropy, Mode::push, rumors);
  Env env;
  GossipNode origin, other;
  origin.start(p, env.view(0, {}, 2), env.out);
  CHECK(origin.known().count() == 150);
  other.start(p, env.view(1, {}, 2), env.out);
  origin.on_timer(p, env.view(0, {}, 2), kRoundTimer, env.out);
  auto pushes = sent<Push>(env.out);
  REQUIRE(pushes.size() == 1);
  CHECK(pushes[0].second.wire_bytes() == kHeaderBytes + 1 + 150 * (4 + 32));
  other.on_message(p, env.view(1, {}, 2), 0, pushes[0].second, env.out);
  CHECK(other.known() == origin.known());
  CHECK(notes(env.out, kNoteInformed).size() == 150);
}

TEST_CASE("same stream, same steps: identical outboxes") {
  Params p = make_params(Strategy::rumor_mongering, Mode::push, {{0, SimTime{}}});
  p.fanout = 5;
  auto run = [&](uint64_t seed) {
    Env env;
    env.rng = Rng(seed);
    GossipNode node = infected_origin(p, env);
    std::vector<NodeId> to;
    for (int round = 0; round < 5; ++round) {
      node.on_timer(p, env.view(0), kRoundTimer, env.out);
      for (const auto& s : env.out.sends()) to.push_back(s.to);
    }
    return to;
  };
  CHECK(run(1) == run(1));
  CHECK(run(1) != run(2));
}
