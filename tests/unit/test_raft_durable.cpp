// Raft's durable writes step by step (tests/unit/raft_harness.h with a disk whose writes
// complete only when the test says so): what waits for which write, and what a crash
// before a write completes loses. Figure 2 lists the state that must be on stable storage
// before a server answers; server_durable.cpp implements it.
#include <doctest/doctest.h>

#include "tests/unit/raft_harness.h"

using namespace meshsim;
using namespace meshsim::raft;
using testing::Harness;

namespace {

Params five() { return testing::five_servers(); }

// Delivers among `group` and completes every write there until nothing moves.
void settle(Harness& h, const std::vector<NodeId>& group) {
  for (bool moved = true; moved;) {
    moved = h.deliver_among(group) > 0;
    for (NodeId n : group)
      if (h.pending_writes(n) > 0) {
        h.complete_writes(n);
        moved = true;
      }
  }
}

// Makes 0 leader with the votes of 1 and 2; what is on its way to 3 and 4 is dropped.
void elect_zero(Harness& h) {
  h.timeout(0);
  settle(h, {0, 1, 2});
  REQUIRE(h.server(0).role() == Role::leader);
  h.drop_all();
}

const VoteReply* vote_reply_from(Harness& h, NodeId from) {
  for (const testing::InFlight& m : h.inflight())
    if (m.from == from)
      if (const auto* r = std::get_if<VoteReply>(&m.msg)) return r;
  return nullptr;
}

size_t appends_carrying_entries(Harness& h, NodeId from) {
  size_t n = 0;
  for (const testing::InFlight& m : h.inflight())
    if (const auto* a = std::get_if<AppendEntries>(&m.msg); a && m.from == from && !a->entries.empty()) ++n;
  return n;
}

}  // namespace

TEST_CASE("raft durable: a candidate sends RequestVote only once its new term and self-vote are written") {
  Harness h(five(), true);
  h.timeout(0);
  CHECK(h.server(0).role() == Role::candidate);
  CHECK(h.server(0).term() == 1);
  CHECK(h.pending_writes(0) == 1);
  CHECK(h.waiting_from<RequestVote>(0) == 0);
  h.complete_write(0);
  CHECK(h.waiting_from<RequestVote>(0) == 4);
}

TEST_CASE("raft durable: a candidate that crashes before its write completes restarts in the old term with no vote") {
  Harness h(five(), true);
  h.timeout(0);
  h.crash(0);
  h.recover(0);
  CHECK(h.server(0).term() == 0);
  CHECK(h.server(0).voted_for() == kNoNode);
  CHECK(h.inflight().empty());
}

TEST_CASE("raft durable: a voter grants only once its vote is written, and a crash before that forgets the vote") {
  Harness h(five(), true);
  h.timeout(0);
  h.complete_write(0);
  REQUIRE(h.deliver_one(0, 1));
  CHECK(h.server(1).voted_for() == 0);  // decided in memory...
  CHECK(h.pending_writes(1) == 1);
  CHECK(vote_reply_from(h, 1) == nullptr);  // ...but not answered
  h.crash(1);
  h.recover(1);
  CHECK(h.server(1).term() == 0);
  CHECK(h.server(1).voted_for() == kNoNode);
  CHECK(vote_reply_from(h, 1) == nullptr);

  REQUIRE(h.deliver_one(0, 2));
  CHECK(vote_reply_from(h, 2) == nullptr);
  h.complete_write(2);
  const VoteReply* r = vote_reply_from(h, 2);
  REQUIRE(r != nullptr);
  CHECK(r->granted);
  h.crash(2);  // after the write: the vote survives
  h.recover(2);
  CHECK(h.server(2).term() == 1);
  CHECK(h.server(2).voted_for() == 0);
}

TEST_CASE("raft durable: a follower acknowledges entries only once they are written, a crash before loses them") {
  Harness h(five(), true);
  elect_zero(h);
  h.client_put(0, 1, 42);
  REQUIRE(h.deliver_one(0, 1));
  CHECK(h.server(1).log().last_index() == 1);
  CHECK(h.waiting_from<AppendReply>(1) == 0);
  h.complete_write(1);
  REQUIRE(h.waiting_from<AppendReply>(1) == 1);
  const auto& reply = std::get<AppendReply>(h.inflight().back().msg);
  CHECK(reply.success);
  CHECK(reply.match_index == 1);

  REQUIRE(h.deliver_one(0, 2));
  CHECK(h.server(2).log().last_index() == 1);
  h.crash(2);
  h.recover(2);
  CHECK(h.server(2).log().last_index() == 0);  // the entry was never durable
  CHECK(h.server(2).term() == 1);              // the vote's write was
  CHECK(h.server(2).voted_for() == 0);
  CHECK(h.waiting_from<AppendReply>(2) == 0);
  CHECK(!h.violation());
}

TEST_CASE("raft durable: leader_parallel_write — the leader ships entries while writing them, but counts itself only once durable") {
  Harness h(five(), true);
  elect_zero(h);
  h.client_put(0, 1, 42);
  CHECK(h.pending_writes(0) == 1);
  CHECK(appends_carrying_entries(h, 0) == 4);  // sent before the leader's own write completes
  // Two followers acknowledge: with the leader that is a majority of five, but the leader's
  // own copy is not durable yet.
  for (NodeId f : {1, 2}) {
    REQUIRE(h.deliver_one(0, f));
    h.complete_writes(f);
    REQUIRE(h.deliver_one(f, 0));
  }
  CHECK(h.server(0).commit_index() == 0);
  h.complete_write(0);
  CHECK(h.server(0).commit_index() == 1);
  CHECK(!h.violation());
}

TEST_CASE("raft durable: without leader_parallel_write the leader's entries leave only once written") {
  Params p = five();
  p.leader_parallel_write = false;
  Harness h(p, true);
  elect_zero(h);
  h.client_put(0, 1, 42);
  CHECK(h.pending_writes(0) == 1);
  CHECK(appends_carrying_entries(h, 0) == 0);
  CHECK(h.server(0).commit_index() == 0);
  h.complete_write(0);
  CHECK(appends_carrying_entries(h, 0) == 4);
  settle(h, {0, 1, 2});
  CHECK(h.server(0).commit_index() == 1);
  CHECK(!h.violation());
}
