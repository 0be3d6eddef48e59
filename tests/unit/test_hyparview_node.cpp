// Step-level tests of the HyParView state machine (protocols/membership/hyparview.h), with
// no engine: build a node, feed it messages and timers, read the outbox. One case per
// handler, each small enough to check by hand against the paper (Leitão et al., DSN 2007).
#include <doctest/doctest.h>

#include <algorithm>

#include "protocols/membership/hyparview.h"

using namespace meshsim;
using namespace meshsim::membership::hyparview;

namespace {

struct Env {
  Rng rng{11};
  HvOutbox out;
  NodeView view(NodeId self, SimTime now = {}) {
    out.clear();
    NodeView v;
    v.self = self;
    v.now = now;
    v.node_count = 100;
    v.rng = &rng;
    return v;
  }
};

SimTime at_ms(int64_t ms) { return SimTime{} + Duration::millis(ms); }

template <class T>
std::vector<std::pair<NodeId, T>> sent(const HvOutbox& out) {
  std::vector<std::pair<NodeId, T>> r;
  for (const auto& s : out.sends())
    if (const T* m = std::get_if<T>(&s.msg)) r.push_back({s.to, *m});
  return r;
}

std::vector<NodeId> active_ids(const HyParViewNode& n) {
  std::vector<NodeId> ids;
  for (const auto& a : n.active()) ids.push_back(a.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<NodeId> sorted(std::vector<NodeId> v) {
  std::sort(v.begin(), v.end());
  return v;
}

Params small_params() {
  Params p;
  p.seeds = {0};
  p.active_size = 3;
  p.passive_size = 4;
  p.arwl = 4;
  p.prwl = 2;
  p.shuffle_ka = 1;
  p.shuffle_kp = 2;
  return p;
}

// Node `self`, started (a Join to seed 0 sent), with `active` accepted (JoinAccept from
// each) and `passive` received in a ShuffleReply.
HyParViewNode node_with(const Params& p, Env& env, NodeId self, std::vector<NodeId> active, std::vector<NodeId> passive) {
  HyParViewNode node;
  node.start(p, env.view(self), env.out);
  for (NodeId a : active) node.on_message(p, env.view(self), a, JoinAccept{}, env.out);
  node.on_message(p, env.view(self), 99, ShuffleReply{passive}, env.out);
  env.out.clear();
  return node;
}

}  // namespace

TEST_CASE("hyparview: a node joins through its first seed, and the only seed is the mesh's first member") {
  Env env;
  Params p = small_params();
  p.seeds = {0, 1};
  HyParViewNode node;
  node.start(p, env.view(5), env.out);
  auto joins = sent<Join>(env.out);
  REQUIRE(joins.size() == 1);
  CHECK(joins[0].first == 0);
  CHECK_FALSE(node.joined());
  // No JoinAccept within join_timeout: the next seed.
  node.on_timer(p, env.view(5, at_ms(1000)), kJoinTimer, env.out);
  REQUIRE(sent<Join>(env.out).size() == 1);
  CHECK(sent<Join>(env.out)[0].first == 1);
  node.on_message(p, env.view(5, at_ms(1010)), 1, JoinAccept{}, env.out);
  CHECK(node.joined());
  CHECK(active_ids(node) == std::vector<NodeId>{1});

  p.seeds = {0};
  HyParViewNode first;
  first.start(p, env.view(0), env.out);
  CHECK(sent<Join>(env.out).empty());
  CHECK(first.joined());
}

TEST_CASE("hyparview §4.2: the contact takes the newcomer and sends a ForwardJoin walk to its other active peers") {
  Env env;
  Params p = small_params();
  HyParViewNode contact = node_with(p, env, 0, {1, 2}, {});
  contact.on_message(p, env.view(0), 7, Join{}, env.out);
  CHECK(active_ids(contact) == std::vector<NodeId>{1, 2, 7});
  auto accepts = sent<JoinAccept>(env.out);
  REQUIRE(accepts.size() == 1);
  CHECK(accepts[0].first == 7);
  auto walks = sent<ForwardJoin>(env.out);
  REQUIRE(walks.size() == 2);
  for (const auto& [to, fj] : walks) {
    CHECK((to == 1 || to == 2));
    CHECK(fj.node == 7);
    CHECK(fj.ttl == p.arwl);
  }
}

TEST_CASE("hyparview §4.2: ForwardJoin ends at TTL 0 or at a node with one active peer, leaves a passive copy at PRWL") {
  Env env;
  Params p = small_params();
  SUBCASE("TTL 0: the node takes the newcomer and tells it") {
    HyParViewNode n = node_with(p, env, 3, {1, 2}, {});
    n.on_message(p, env.view(3), 1, ForwardJoin{7, 0}, env.out);
    CHECK(n.in_active(7));
    REQUIRE(sent<JoinAccept>(env.out).size() == 1);
    CHECK(sent<JoinAccept>(env.out)[0].first == 7);
    CHECK(sent<ForwardJoin>(env.out).empty());
  }
  SUBCASE("one active peer: the walk cannot go on, the node takes the newcomer") {
    HyParViewNode n = node_with(p, env, 3, {1}, {});
    n.on_message(p, env.view(3), 1, ForwardJoin{7, 3}, env.out);
    CHECK(n.in_active(7));
    CHECK(sent<ForwardJoin>(env.out).empty());
  }
  SUBCASE("TTL = PRWL: a passive copy, and the walk goes on to a peer other than the sender") {
    HyParViewNode n = node_with(p, env, 3, {1, 2}, {});
    n.on_message(p, env.view(3), 1, ForwardJoin{7, p.prwl}, env.out);
    CHECK_FALSE(n.in_active(7));
    CHECK(n.in_passive(7));
    auto walks = sent<ForwardJoin>(env.out);
    REQUIRE(walks.size() == 1);
    CHECK(walks[0].first == 2);
    CHECK(walks[0].second.ttl == p.prwl - 1);
  }
  SUBCASE("TTL above PRWL: no passive copy") {
    HyParViewNode n = node_with(p, env, 3, {1, 2}, {});
    n.on_message(p, env.view(3), 2, ForwardJoin{7, p.prwl + 1}, env.out);
    CHECK_FALSE(n.in_passive(7));
    REQUIRE(sent<ForwardJoin>(env.out).size() == 1);
    CHECK(sent<ForwardJoin>(env.out)[0].first == 1);
  }
}

TEST_CASE("hyparview §4.3: a full active view drops a random member, tells it, keeps it as passive") {
  Env env;
  Params p = small_params();
  HyParViewNode n = node_with(p, env, 0, {1, 2, 3}, {});
  n.on_message(p, env.view(0), 4, JoinAccept{}, env.out);
  CHECK(n.active().size() == 3);
  CHECK(n.in_active(4));
  auto disconnects = sent<Disconnect>(env.out);
  REQUIRE(disconnects.size() == 1);
  const NodeId dropped = disconnects[0].first;
  CHECK((dropped >= 1 && dropped <= 3));
  CHECK_FALSE(n.in_active(dropped));
  CHECK(n.in_passive(dropped));

  // The planted bug keeps the member: the view grows past active_size.
  p.bug = Bug::no_drop_when_full;
  HyParViewNode buggy = node_with(p, env, 0, {1, 2, 3}, {});
  buggy.on_message(p, env.view(0), 4, JoinAccept{}, env.out);
  CHECK(buggy.active().size() == 4);
  CHECK(sent<Disconnect>(env.out).empty());
}

TEST_CASE("hyparview §4.3: Neighbor: low priority only with room, high priority always") {
  Env env;
  Params p = small_params();
  HyParViewNode room = node_with(p, env, 0, {1}, {});
  room.on_message(p, env.view(0), 5, Neighbor{false}, env.out);
  REQUIRE(sent<NeighborReply>(env.out).size() == 1);
  CHECK(sent<NeighborReply>(env.out)[0].second.accepted);
  CHECK(room.in_active(5));

  HyParViewNode full = node_with(p, env, 0, {1, 2, 3}, {});
  full.on_message(p, env.view(0), 5, Neighbor{false}, env.out);
  CHECK_FALSE(sent<NeighborReply>(env.out)[0].second.accepted);
  CHECK_FALSE(full.in_active(5));
  full.on_message(p, env.view(0), 5, Neighbor{true}, env.out);
  CHECK(sent<NeighborReply>(env.out)[0].second.accepted);
  CHECK(full.in_active(5));
  CHECK(full.active().size() == 3);
  CHECK(sent<Disconnect>(env.out).size() == 1);
}

TEST_CASE("hyparview: Disconnect moves the sender to the passive view, and a heartbeat on a closed link draws a reset") {
  Env env;
  Params p = small_params();
  HyParViewNode n = node_with(p, env, 0, {1, 2}, {});
  n.on_message(p, env.view(0), 1, Disconnect{}, env.out);
  CHECK(active_ids(n) == std::vector<NodeId>{2});
  CHECK(n.in_passive(1));
  n.on_message(p, env.view(0), 9, Heartbeat{}, env.out);
  REQUIRE(sent<Disconnect>(env.out).size() == 1);
  CHECK(sent<Disconnect>(env.out)[0].first == 9);
  n.on_message(p, env.view(0), 2, Heartbeat{}, env.out);
  CHECK(sent<Disconnect>(env.out).empty());

  p.bug = Bug::ignore_disconnect;
  HyParViewNode buggy = node_with(p, env, 0, {1, 2}, {});
  buggy.on_message(p, env.view(0), 1, Disconnect{}, env.out);
  CHECK(active_ids(buggy) == std::vector<NodeId>{1, 2});
}

TEST_CASE("hyparview §4.3: a silent active link fails, and the emptied view asks a passive node with high priority") {
  Env env;
  Params p = small_params();
  HyParViewNode n = node_with(p, env, 0, {1}, {6});
  // 1 s: link fresh, heartbeat to it, a low-priority Neighbor to fill the view.
  n.on_timer(p, env.view(0, at_ms(1000)), kHeartbeatTimer, env.out);
  REQUIRE(sent<Heartbeat>(env.out).size() == 1);
  REQUIRE(sent<Neighbor>(env.out).size() == 1);
  CHECK_FALSE(sent<Neighbor>(env.out)[0].second.high_priority);
  CHECK(n.pending_neighbor() == 6);
  // 6 is down: the neighbor timeout drops it from the passive view, nobody left to ask.
  n.on_timer(p, env.view(0, at_ms(2000)), kNeighborTimer, env.out);
  CHECK_FALSE(n.in_passive(6));
  CHECK(n.pending_neighbor() == kNoNode);
  // 1 never spoke again: past link_timeout (3 s) the watchdog closes the link.
  n.on_message(p, env.view(0, at_ms(3500)), 99, ShuffleReply{{7}}, env.out);
  n.on_timer(p, env.view(0, at_ms(3500)), kHeartbeatTimer, env.out);
  CHECK(n.active().empty());
  CHECK(std::any_of(env.out.notes().begin(), env.out.notes().end(),
                    [](const auto& note) { return note.what == kNoteLinkFailed && note.value == 1; }));
  REQUIRE(sent<Neighbor>(env.out).size() == 1);
  CHECK(sent<Neighbor>(env.out)[0].first == 7);
  CHECK(sent<Neighbor>(env.out)[0].second.high_priority);
  n.on_message(p, env.view(0, at_ms(3510)), 7, NeighborReply{true}, env.out);
  CHECK(active_ids(n) == std::vector<NodeId>{7});
  CHECK_FALSE(n.in_passive(7));
  CHECK(n.pending_neighbor() == kNoNode);
}

TEST_CASE("hyparview §4.4: a Shuffle walks on, then the last node answers the origin and keeps what it got") {
  Env env;
  Params p = small_params();
  SUBCASE("TTL left and another active peer: forwarded, TTL down by one") {
    HyParViewNode n = node_with(p, env, 3, {1, 2}, {});
    n.on_message(p, env.view(3), 1, Shuffle{8, 3, {8, 20, 21}}, env.out);
    auto fwd = sent<Shuffle>(env.out);
    REQUIRE(fwd.size() == 1);
    CHECK(fwd[0].first == 2);
    CHECK(fwd[0].second.ttl == 2);
    CHECK(sent<ShuffleReply>(env.out).empty());
  }
  SUBCASE("TTL out: reply with as many passive nodes, integrate, evicting first those sent") {
    HyParViewNode n = node_with(p, env, 3, {1, 2}, {30, 31, 32, 33});
    n.on_message(p, env.view(3), 1, Shuffle{8, 1, {8, 20, 2}}, env.out);
    auto reply = sent<ShuffleReply>(env.out);
    REQUIRE(reply.size() == 1);
    CHECK(reply[0].first == 8);
    CHECK(reply[0].second.nodes.size() == 3);
    // 2 is active, so only 8 and 20 enter, each replacing one of the nodes sent back.
    CHECK(n.in_passive(8));
    CHECK(n.in_passive(20));
    CHECK(n.passive().size() == 4);
    uint32_t kept_of_sent = 0;
    for (NodeId s : reply[0].second.nodes) kept_of_sent += n.in_passive(s);
    CHECK(kept_of_sent == 1);
  }
  SUBCASE("the origin's timer: itself, ka active and kp passive nodes to a random active peer") {
    HyParViewNode n = node_with(p, env, 3, {1, 2}, {30, 31, 32});
    n.on_timer(p, env.view(3), kShuffleTimer, env.out);
    auto s = sent<Shuffle>(env.out);
    REQUIRE(s.size() == 1);
    CHECK((s[0].first == 1 || s[0].first == 2));
    CHECK(s[0].second.origin == 3);
    CHECK(s[0].second.nodes.size() == 1 + p.shuffle_ka + p.shuffle_kp);
    CHECK(s[0].second.nodes[0] == 3);
    // The reply replaces what was sent first.
    n.on_message(p, env.view(3), 1, ShuffleReply{{40, 41}}, env.out);
    CHECK(n.in_passive(40));
    CHECK(n.in_passive(41));
    CHECK(n.passive().size() == 4);
  }
}

TEST_CASE("hyparview: a graceful leave disconnects every active peer, and a crash forgets everything") {
  Env env;
  Params p = small_params();
  HyParViewNode n = node_with(p, env, 0, {1, 2}, {5});
  n.announce_leave(env.out);
  CHECK(sorted({sent<Disconnect>(env.out)[0].first, sent<Disconnect>(env.out)[1].first}) == std::vector<NodeId>{1, 2});
  CHECK(n.active().empty());
  n.crash();
  CHECK(n.passive().empty());
  CHECK_FALSE(n.joined());
}

TEST_CASE("hyparview: an accepted Neighbor asks the next passive node at once, and no backup left means a seed again") {
  Env env;
  Params p = small_params();
  p.seeds = {0};
  HyParViewNode n = node_with(p, env, 4, {1}, {6, 7});
  n.on_timer(p, env.view(4, at_ms(1000)), kHeartbeatTimer, env.out);
  const NodeId first = n.pending_neighbor();
  REQUIRE((first == 6 || first == 7));
  n.on_message(p, env.view(4, at_ms(1020)), first, NeighborReply{true}, env.out);
  // Still below active_size (3): the other passive node is asked in the same step.
  REQUIRE(sent<Neighbor>(env.out).size() == 1);
  CHECK(sent<Neighbor>(env.out)[0].first == (first == 6 ? 7u : 6u));
  // It does not answer: dropped after neighbor_timeout; the passive view is now empty, so the
  // next heartbeat tick joins again through the seed although two links are up.
  n.on_timer(p, env.view(4, at_ms(1020) + p.neighbor_timeout), kNeighborTimer, env.out);
  CHECK(n.passive().empty());
  n.on_timer(p, env.view(4, at_ms(2000)), kHeartbeatTimer, env.out);
  CHECK(n.active().size() == 2);
  REQUIRE(sent<Join>(env.out).size() == 1);
  CHECK(sent<Join>(env.out)[0].first == 0);
}

TEST_CASE("hyparview: a view at most half full that keeps being refused joins again through a seed") {
  Env env;
  Params p = small_params();
  p.active_size = 4;
  HyParViewNode n = node_with(p, env, 4, {1}, {6, 7});
  for (int tick = 1; tick <= 3; ++tick) {
    n.on_timer(p, env.view(4, at_ms(1000 * tick)), kHeartbeatTimer, env.out);
    REQUIRE(sent<Neighbor>(env.out).size() == 1);
    CHECK(sent<Join>(env.out).empty());
    n.on_message(p, env.view(4, at_ms(1000 * tick + 20)), n.pending_neighbor(), NeighborReply{false}, env.out);
  }
  // Three refusals with one link of four: the next tick asks the seed, not the passive view.
  n.on_timer(p, env.view(4, at_ms(4000)), kHeartbeatTimer, env.out);
  CHECK(sent<Neighbor>(env.out).empty());
  REQUIRE(sent<Join>(env.out).size() == 1);
  CHECK(sent<Join>(env.out)[0].first == 0);
  CHECK(n.passive().size() == 2);  // refusers stay as backups
}
