// Step-level tests of the membership state machine, without the engine: build a node, call
// a step, read the outbox (the etcd-raft way). One block per detector rule, each citing the
// SWIM section it checks.
#include <doctest/doctest.h>

#include <algorithm>

#include "protocols/membership/member_node.h"

using namespace meshsim;
using namespace meshsim::membership;

namespace {

struct Env {
  Rng rng{7};
  MemberOutbox out;
  uint32_t node_count = 10;
  NodeView view(NodeId self, SimTime now = {}) {
    out.clear();
    NodeView v;
    v.self = self;
    v.now = now;
    v.node_count = node_count;
    v.rng = &rng;
    return v;
  }
};

SimTime at_ms(int64_t ms) { return SimTime{} + Duration::millis(ms); }

template <class T>
std::vector<std::pair<NodeId, T>> sent(const MemberOutbox& out) {
  std::vector<std::pair<NodeId, T>> r;
  for (const auto& s : out.sends())
    if (const T* m = std::get_if<T>(&s.msg)) r.push_back({s.to, *m});
  return r;
}

bool noted(const MemberOutbox& out, uint16_t what, int64_t value) {
  return std::any_of(out.notes().begin(), out.notes().end(), [&](const auto& n) { return n.what == what && n.value == value; });
}

Params params(Detector d, uint32_t quorum = 1) {
  Params p;
  p.seeds = {0};
  p.detector = d;
  p.quorum = quorum;
  return p;
}

// Node `self` started and handed a member list naming `members` alive at incarnation 0.
MemberNode joined_node(const Params& p, Env& env, NodeId self, std::vector<NodeId> members) {
  MemberNode node;
  node.start(p, env.view(self), env.out);
  MemberList list;
  list.reply = true;
  for (NodeId m : members) list.entries.push_back({m, 0, EntryStatus::alive});
  node.on_message(p, env.view(self), 0, list, env.out);
  return node;
}

}  // namespace

TEST_CASE("membership node: a node starts knowing only the seeds and joins through one") {
  Env env;
  Params p = params(Detector::swim);
  p.seeds = {0, 1};
  MemberNode node;
  node.start(p, env.view(5), env.out);
  auto joins = sent<Join>(env.out);
  REQUIRE(joins.size() == 1);
  CHECK(joins[0].first == 0);
  CHECK(node.status_of(0) == Status::alive);
  CHECK(node.status_of(1) == Status::alive);
  CHECK(node.status_of(2) == Status::unknown);
  CHECK_FALSE(node.joined());
  // No answer: the join timer tries the next seed.
  node.on_timer(p, env.view(5, at_ms(1000)), kJoinTimer, env.out);
  REQUIRE(sent<Join>(env.out).size() == 1);
  CHECK(sent<Join>(env.out)[0].first == 1);
  // The seed's list makes it a member that knows everyone on it.
  MemberList list{{{0, 0, EntryStatus::alive}, {3, 0, EntryStatus::alive}, {4, 2, EntryStatus::alive}}, {}, true};
  node.on_message(p, env.view(5, at_ms(1100)), 1, list, env.out);
  CHECK(node.joined());
  CHECK(node.status_of(4) == Status::alive);
  CHECK(node.incarnation_of(4) == 2);
  CHECK(noted(env.out, kNoteLearned, 3));
}

TEST_CASE("membership node: a seed answers a join with its list and spreads the newcomer") {
  Env env;
  Params p = params(Detector::swim);
  MemberNode seed;
  seed.start(p, env.view(0), env.out);
  CHECK(seed.joined());
  seed.on_message(p, env.view(0), 7, Join{3}, env.out);
  auto lists = sent<MemberList>(env.out);
  REQUIRE(lists.size() == 1);
  CHECK(lists[0].first == 7);
  CHECK(lists[0].second.reply);
  CHECK(seed.status_of(7) == Status::alive);
  CHECK(seed.incarnation_of(7) == 3);
  CHECK(seed.pending_updates() == 1);  // Alive(7, 3), to piggyback
}

TEST_CASE("membership node: fixed-timeout accuses on the first missed ack (SWIM §3.1 basic)") {
  Env env;
  Params p = params(Detector::fixed_timeout);
  MemberNode node = joined_node(p, env, 1, {0, 2});
  node.on_timer(p, env.view(1, at_ms(200)), kProbeTimer, env.out);
  auto pings = sent<Ping>(env.out);
  REQUIRE(pings.size() == 1);
  const NodeId target = pings[0].first;
  node.on_timer(p, env.view(1, at_ms(250)), kPingTimeout, env.out);
  CHECK(sent<PingReq>(env.out).empty());  // no indirect probes
  CHECK(noted(env.out, kNoteAccused, target));
  CHECK(noted(env.out, kNoteFailed, target));  // no suspicion phase
  CHECK(node.status_of(target) == Status::failed);
}

TEST_CASE("membership node: SWIM probes indirectly, then suspects, then confirms after the timeout") {
  Env env;
  Params p = params(Detector::swim);
  p.indirect_k = 2;
  MemberNode node = joined_node(p, env, 1, {0, 2, 3, 4});
  node.on_timer(p, env.view(1, at_ms(200)), kProbeTimer, env.out);
  const NodeId target = sent<Ping>(env.out).at(0).first;
  node.on_timer(p, env.view(1, at_ms(250)), kPingTimeout, env.out);
  auto reqs = sent<PingReq>(env.out);
  CHECK(reqs.size() == 2);  // SWIM §3.1: k helpers
  for (auto& [helper, req] : reqs) {
    CHECK(helper != target);
    CHECK(req.target == target);
  }
  CHECK(node.status_of(target) == Status::alive);
  // The period ends without an ack: suspicion, not failure (§4.2).
  node.on_timer(p, env.view(1, at_ms(400)), kProbeTimer, env.out);
  CHECK(node.status_of(target) == Status::suspect);
  CHECK(noted(env.out, kNoteAccused, target));
  // Suspicion timeout (1 s) elapsed at the next probe tick after it.
  node.on_timer(p, env.view(1, at_ms(1500)), kProbeTimer, env.out);
  CHECK(node.status_of(target) == Status::failed);
  CHECK(noted(env.out, kNoteFailed, target));
}

TEST_CASE("membership node: an ack through a helper clears the probe (SWIM §3.1)") {
  Env env;
  Params p = params(Detector::swim);
  MemberNode node = joined_node(p, env, 1, {0, 2, 3});
  node.on_timer(p, env.view(1, at_ms(200)), kProbeTimer, env.out);
  const uint32_t seq = sent<Ping>(env.out).at(0).second.seq;
  const NodeId target = sent<Ping>(env.out).at(0).first;
  node.on_timer(p, env.view(1, at_ms(250)), kPingTimeout, env.out);
  const NodeId helper = sent<PingReq>(env.out).at(0).first;
  node.on_message(p, env.view(1, at_ms(300)), helper, Ack{seq, kNoNode, {}}, env.out);
  node.on_timer(p, env.view(1, at_ms(400)), kProbeTimer, env.out);
  CHECK(node.status_of(target) == Status::alive);
  // And the helper's side: it probes for the asker and forwards the target's ack.
  MemberNode h = joined_node(p, env, 2, {0, 1, 3});
  h.on_message(p, env.view(2), 1, PingReq{9, 3, {}}, env.out);
  auto pings = sent<Ping>(env.out);
  REQUIRE(pings.size() == 1);
  CHECK(pings[0].first == 3);
  CHECK(pings[0].second.origin == 1);
  h.on_message(p, env.view(2), 3, Ack{9, 1, {}}, env.out);
  auto acks = sent<Ack>(env.out);
  REQUIRE(acks.size() == 1);
  CHECK(acks[0].first == 1);
  CHECK(acks[0].second.seq == 9);
}

TEST_CASE("membership node: a suspected member refutes with a higher incarnation (SWIM §4.2)") {
  Env env;
  Params p = params(Detector::swim);
  MemberNode node = joined_node(p, env, 3, {0, 1});
  node.on_message(p, env.view(3), 1, Ping{1, kNoNode, {Update{3, 0, UpdateKind::suspect, 1}}}, env.out);
  CHECK(node.incarnation() == 1);
  CHECK(noted(env.out, kNoteRefuted, 1));
  // The ack carries the refutation.
  auto acks = sent<Ack>(env.out);
  REQUIRE(acks.size() == 1);
  CHECK(std::find(acks[0].second.updates.begin(), acks[0].second.updates.end(), Update{3, 1, UpdateKind::alive, kNoNode}) !=
        acks[0].second.updates.end());
  // Elsewhere, Alive(1) overrides Suspect(0); a stale suspicion of incarnation 0 is ignored.
  MemberNode other = joined_node(p, env, 4, {0, 3});
  other.on_message(p, env.view(4), 0, Ping{1, kNoNode, {Update{3, 0, UpdateKind::suspect, 0}}}, env.out);
  CHECK(other.status_of(3) == Status::suspect);
  other.on_message(p, env.view(4), 0, Ping{2, kNoNode, {Update{3, 1, UpdateKind::alive, kNoNode}}}, env.out);
  CHECK(other.status_of(3) == Status::alive);
  other.on_message(p, env.view(4), 0, Ping{3, kNoNode, {Update{3, 0, UpdateKind::suspect, 0}}}, env.out);
  CHECK(other.status_of(3) == Status::alive);
}

TEST_CASE("membership node: quorum confirmation needs q distinct accusers") {
  Env env;
  Params p = params(Detector::swim, 3);
  p.suspicion_timeout = Duration{};
  MemberNode node = joined_node(p, env, 1, {0, 2, 3, 4, 5});
  auto accuse = [&](NodeId accuser, int64_t ms) {
    node.on_message(p, env.view(1, at_ms(ms)), accuser, Ping{1, kNoNode, {Update{5, 0, UpdateKind::suspect, accuser}}}, env.out);
  };
  accuse(2, 10);
  accuse(2, 20);  // the same liar twice is still one accuser
  CHECK(node.status_of(5) == Status::suspect);
  CHECK(node.accusers_of(5) == 1);
  accuse(3, 30);
  CHECK(node.status_of(5) == Status::suspect);
  accuse(4, 40);
  CHECK(node.status_of(5) == Status::failed);

  // The planted bug confirms on the first accusation.
  Params buggy = p;
  buggy.bug = Bug::quorum_of_one;
  MemberNode b = joined_node(buggy, env, 1, {0, 2, 5});
  b.on_message(buggy, env.view(1), 2, Ping{1, kNoNode, {Update{5, 0, UpdateKind::suspect, 2}}}, env.out);
  CHECK(b.status_of(5) == Status::failed);
}

TEST_CASE("membership node: a failure certificate in a member list convinces a node that missed the accusations") {
  Env env;
  Params p = params(Detector::swim, 2);
  p.suspicion_timeout = Duration{};
  MemberNode node = joined_node(p, env, 1, {0, 2, 3, 5});
  MemberList list{{{5, 0, EntryStatus::failed}}, {Certificate{5, 0, {2, 3}}}, false};
  node.on_message(p, env.view(1, at_ms(10)), 2, list, env.out);
  CHECK(node.status_of(5) == Status::failed);
  // A bare "failed" entry without a certificate is not taken on trust.
  MemberNode other = joined_node(p, env, 4, {0, 2, 5});
  other.on_message(p, env.view(4), 2, MemberList{{{5, 0, EntryStatus::failed}}, {}, false}, env.out);
  CHECK(other.status_of(5) == Status::alive);
  // The buried member itself refutes when it sees the list.
  MemberNode five = joined_node(p, env, 5, {0, 2});
  five.on_message(p, env.view(5), 2, list, env.out);
  CHECK(five.incarnation() == 1);
}

TEST_CASE("membership node: the never-expiring-suspicion bug keeps a crashed member suspect") {
  Env env;
  Params p = params(Detector::swim);
  p.bug = Bug::suspicion_never_expires;
  MemberNode node = joined_node(p, env, 1, {0, 2});
  node.on_message(p, env.view(1), 2, Ping{1, kNoNode, {Update{0, 0, UpdateKind::suspect, 2}}}, env.out);
  node.on_timer(p, env.view(1, at_ms(60'000)), kProbeTimer, env.out);
  CHECK(node.status_of(0) == Status::suspect);
}

TEST_CASE("membership node: a crash keeps only the incarnation, raised") {
  Env env;
  Params p = params(Detector::swim);
  MemberNode node = joined_node(p, env, 1, {0, 2});
  node.crash();
  CHECK(node.incarnation() == 1);
  CHECK(node.status_of(2) == Status::unknown);
  CHECK_FALSE(node.joined());
}

TEST_CASE("membership node: phi grows with the silence after a regular heartbeat (Hayashibara §4)") {
  PhiWindow w;
  for (int64_t t = 0; t <= 2000; t += 200) w.heartbeat(t * 1'000'000);  // every 200 ms
  const double expected = 200e6, min_std = 50e6;
  const double early = w.phi(2'100'000'000, expected, min_std);
  const double due = w.phi(2'200'000'000, expected, min_std);
  const double late = w.phi(2'600'000'000, expected, min_std);
  CHECK(early < 1.0);
  CHECK(due == doctest::Approx(0.30103).epsilon(0.05));  // at the mean: P(later) = 1/2
  CHECK(late > 8.0);
  CHECK(early < due);
  CHECK(due < late);
}

TEST_CASE("membership node: phi monitors its ring successors and accuses a silent one") {
  Env env;
  Params p = params(Detector::phi);
  p.monitors = 2;
  p.suspicion_timeout = Duration{};
  MemberNode node = joined_node(p, env, 8, {0, 2, 3, 9});
  node.on_timer(p, env.view(8, at_ms(200)), kProbeTimer, env.out);
  CHECK(node.watched() == std::vector<NodeId>{0, 9});  // after 8: 9, then wrap to 0
  CHECK(sent<Ping>(env.out).size() == 2);
  // Node 9 answers every period, node 0 never does.
  for (int64_t t = 400; t <= 2000; t += 200) {
    node.on_message(p, env.view(8, at_ms(t - 190)), 9, Ack{0, kNoNode, {}}, env.out);
    node.on_timer(p, env.view(8, at_ms(t)), kProbeTimer, env.out);
  }
  CHECK(node.status_of(9) == Status::alive);
  CHECK(node.status_of(0) == Status::failed);
}

TEST_CASE("membership node: a node holding less than a majority of its agreed membership is read-only") {
  Env env;
  Params p = params(Detector::swim, 1);
  p.suspicion_timeout = Duration{};
  // Node 1 agrees on {0..5}: six members.
  MemberNode node = joined_node(p, env, 1, {0, 2, 3, 4, 5});
  CHECK(node.agreed_count() == 6);
  CHECK_FALSE(node.read_only());
  auto fail = [&](NodeId member, int64_t ms) {
    node.on_message(p, env.view(1, at_ms(ms)), 0, Ping{1, kNoNode, {Update{member, 0, UpdateKind::suspect, 0}}}, env.out);
  };
  fail(3, 10);
  fail(4, 20);
  CHECK_FALSE(node.read_only());  // 4 of 6 alive
  fail(5, 30);
  CHECK(node.read_only());  // 3 of 6: not a majority
  CHECK(std::any_of(env.out.notes().begin(), env.out.notes().end(),
                    [](const auto& n) { return n.what == kNoteReadOnly && n.value == 1; }));
  // A minority never shrinks its agreed membership, so it stays read-only...
  node.on_timer(p, env.view(1, at_ms(400)), kProbeTimer, env.out);
  CHECK(node.agreed_count() == 6);
  CHECK(node.read_only());
  // ...until the members come back with a higher incarnation.
  node.on_message(p, env.view(1, at_ms(500)), 0, Ping{2, kNoNode, {Update{5, 1, UpdateKind::alive, kNoNode}}}, env.out);
  CHECK_FALSE(node.read_only());
  // A majority commits the smaller membership once the view is quiet.
  node.on_timer(p, env.view(1, at_ms(600)), kProbeTimer, env.out);
  CHECK(node.agreed_count() == 4);
}

TEST_CASE("membership node: accusations by a member held failed do not count") {
  Env env;
  Params p = params(Detector::swim, 1);
  p.suspicion_timeout = Duration{};
  MemberNode node = joined_node(p, env, 1, {0, 2, 3});
  node.on_message(p, env.view(1), 0, Ping{1, kNoNode, {Update{3, 0, UpdateKind::suspect, 0}}}, env.out);
  REQUIRE(node.status_of(3) == Status::failed);
  node.on_message(p, env.view(1), 0, Ping{2, kNoNode, {Update{2, 0, UpdateKind::suspect, 3}}}, env.out);
  CHECK(node.status_of(2) == Status::alive);
}

TEST_CASE("membership node: a graceful leave tells leave_fanout distinct live members, who hold the node left") {
  Env env;
  Params p = params(Detector::swim);
  p.leave_fanout = 3;
  MemberNode leaving = joined_node(p, env, 4, {0, 1, 2, 3, 4, 5, 6, 7});
  leaving.announce_leave(p, env.view(4, at_ms(100)), env.out);
  auto pings = sent<Ping>(env.out);
  REQUIRE(pings.size() == 3);
  std::vector<NodeId> told;
  for (const auto& [to, ping] : pings) {
    CHECK(to != 4);
    told.push_back(to);
    REQUIRE(ping.updates.size() == 1);
    CHECK(ping.updates[0].kind == UpdateKind::leave);
    CHECK(ping.updates[0].member == 4);
  }
  std::sort(told.begin(), told.end());
  CHECK(std::unique(told.begin(), told.end()) == told.end());
  // A receiver holds it left at once, with no suspicion.
  MemberNode receiver = joined_node(p, env, 0, {0, 1, 2, 3, 4, 5, 6, 7});
  receiver.on_message(p, env.view(0, at_ms(110)), 4, pings[0].second, env.out);
  CHECK(receiver.status_of(4) == Status::left);
  // leave_fanout = 0: silent, as a crash.
  p.leave_fanout = 0;
  leaving.announce_leave(p, env.view(4, at_ms(120)), env.out);
  CHECK(sent<Ping>(env.out).empty());
}
