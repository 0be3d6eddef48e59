// Raft's write path under membership's read-only state (issue 13), step by step with no
// engine: a read-only server refuses writes (nothing enters its log) and answers gets from
// its own state machine flagged possibly stale; the planted bug appends anyway. The
// engine-level checker and scenario are in test_membership_scenarios.cpp.
#include <doctest/doctest.h>

#include "tests/unit/raft_harness.h"

using namespace meshsim;
using namespace meshsim::raft;
using testing::Harness;

namespace {

Params five(Bug bug = Bug::none) {
  Params p = testing::five_servers();
  p.bug = bug;
  return p;
}

kv::Command command(kv::OpKind kind, uint64_t seq, uint32_t key, int64_t value) {
  kv::Command c;
  c.client = 5;
  c.seq = seq;
  c.first_outstanding = seq;
  c.kind = kind;
  c.key = key;
  c.value = value;
  return c;
}

// Hands `c` from client node 5 to server n and returns what the server sent back to it.
std::vector<ClientReply> request(Harness& h, const Params& p, NodeId n, const kv::Command& c) {
  Rng rng(7);
  NodeView v;
  v.self = n;
  v.now = SimTime{1'000'000'000};
  v.node_count = 6;
  v.rng = &rng;
  Outbox<Message> out;
  h.server(n).on_message(p, v, 5, ClientRequest{c}, out);
  std::vector<ClientReply> replies;
  for (auto& s : out.sends())
    if (s.to == 5)
      if (const auto* r = std::get_if<ClientReply>(&s.msg)) replies.push_back(*r);
  return replies;
}

// Leader 0 elected by 0..2, with one put (key 1 = 11) committed and applied everywhere.
Harness cluster_with_one_write(const Params& p) {
  Harness h(p);
  h.timeout(0);
  h.deliver_among({0, 1, 2});
  REQUIRE(h.server(0).role() == Role::leader);
  h.client_put(0, 1, 11);
  h.deliver_among({0, 1, 2, 3, 4});
  h.heartbeat(0);
  h.deliver_among({0, 1, 2, 3, 4});
  REQUIRE(h.server(0).store().get(1) == 11);
  return h;
}

}  // namespace

TEST_CASE("raft read-only: a read-only leader refuses a write and its log does not grow") {
  Params p = five();
  Harness h = cluster_with_one_write(p);
  Index before = h.server(0).log().last_index();
  h.server(0).set_read_only(true);
  for (kv::OpKind kind : {kv::OpKind::put, kv::OpKind::cas}) {
    auto replies = request(h, p, 0, command(kind, 10 + static_cast<uint64_t>(kind), 1, 99));
    REQUIRE(replies.size() == 1);
    CHECK(replies[0].refused_read_only);
    CHECK(!replies[0].possibly_stale);
    CHECK(!replies[0].redirect);
  }
  CHECK(h.server(0).log().last_index() == before);
  // Back to writable: the same write is appended.
  h.server(0).set_read_only(false);
  CHECK(request(h, p, 0, command(kv::OpKind::put, 20, 1, 99)).empty());  // answered at commit
  CHECK(h.server(0).log().last_index() == before + 1);
}

TEST_CASE("raft read-only: any read-only server answers a get from its own store, flagged possibly stale") {
  Params p = five();
  Harness h = cluster_with_one_write(p);
  for (NodeId n : {NodeId{0}, NodeId{3}}) {  // the leader and a follower
    h.server(n).set_read_only(true);
    Index before = h.server(n).log().last_index();
    auto replies = request(h, p, n, command(kv::OpKind::get, 30 + n, 1, 0));
    REQUIRE(replies.size() == 1);
    CHECK(replies[0].possibly_stale);
    CHECK(!replies[0].redirect);
    CHECK(replies[0].outcome.value == 11);
    CHECK(h.server(n).log().last_index() == before);  // a stale read is not logged
  }
  // A writable follower still redirects, as before.
  auto replies = request(h, p, 4, command(kv::OpKind::get, 40, 1, 0));
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].redirect);
  CHECK(!replies[0].possibly_stale);
}

TEST_CASE("raft read-only: the planted bug appends writes while read-only, and still serves stale reads") {
  Params p = five(Bug::ignore_read_only);
  Harness h = cluster_with_one_write(p);
  Index before = h.server(0).log().last_index();
  h.server(0).set_read_only(true);
  CHECK(request(h, p, 0, command(kv::OpKind::put, 50, 2, 7)).empty());
  CHECK(h.server(0).log().last_index() == before + 1);
  auto replies = request(h, p, 0, command(kv::OpKind::get, 51, 1, 0));
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].possibly_stale);
}

TEST_CASE("kv workload: a possibly stale answer and a given-up write both leave the record indeterminate") {
  kv::WorkloadParams wp;
  wp.get_share = 1.0;
  kv::ClientWorkload w;
  Rng rng(3);
  kv::Command get = w.next(wp, 5, rng, SimTime{10});
  CHECK(w.complete_possibly_stale(get.seq, kv::Outcome{42, true}));
  CHECK(!w.complete_possibly_stale(get.seq, kv::Outcome{42, true}));  // no longer pending
  CHECK(w.possibly_stale() == 1);
  CHECK(w.completed() == 0);
  CHECK(!w.records()[0].completed());
  CHECK(w.records()[0].possibly_stale);
  wp.get_share = 0.0;
  wp.cas_share = 0.0;
  kv::Command put = w.next(wp, 5, rng, SimTime{20});
  CHECK(w.give_up(put.seq));
  CHECK(w.pending().empty());
  CHECK(!w.records()[1].completed());
  CHECK(!w.give_up(put.seq));
}
