// Raft's server state machine step by step, with no engine (tests/unit/raft_harness.h):
// elections and votes (§5.2, §5.4.1), replication and the consistency check (§5.3), the
// commit rule (§5.4.2) with the paper's Figure 8, PreVote and CheckQuorum (thesis §9.6).
#include <doctest/doctest.h>

#include "tests/unit/raft_harness.h"

using namespace meshsim;
using namespace meshsim::raft;
using testing::Harness;

namespace {

Params five() { return testing::five_servers(); }

// Makes `n` leader with the votes of `voters` (n included).
void elect(Harness& h, NodeId n, std::vector<NodeId> voters) {
  h.timeout(n);
  h.deliver_among(voters);
}

}  // namespace

TEST_CASE("raft: a timeout starts an election in a new term and a majority of votes makes a leader") {
  Harness h(five());
  h.timeout(0);
  CHECK(h.server(0).role() == Role::candidate);
  CHECK(h.server(0).term() == 1);
  CHECK(h.server(0).voted_for() == 0);
  h.deliver_among({0, 1});  // one vote besides its own: not a majority of five
  CHECK(h.server(0).role() == Role::candidate);
  h.deliver_among({0, 1, 2});
  CHECK(h.server(0).role() == Role::leader);
  CHECK(h.server(1).voted_for() == 0);
  CHECK(!h.violation());
}

TEST_CASE("raft: a vote is cast once per term and survives a crash (Figure 2 persistent state)") {
  Harness h(five());
  h.timeout(0);
  h.deliver_among({0, 1});
  CHECK(h.server(1).voted_for() == 0);
  h.crash(1);
  h.recover(1);
  CHECK(h.server(1).term() == 1);
  CHECK(h.server(1).voted_for() == 0);
  // Server 2 campaigns in the same term 1 (it never heard of term 1): 1 must refuse.
  h.timeout(2);
  REQUIRE(h.server(2).term() == 1);
  h.deliver_among({1, 2});
  CHECK(h.server(2).role() == Role::candidate);
}

TEST_CASE("raft: §5.4.1 a server refuses a candidate whose log is less up to date") {
  Harness h(five());
  elect(h, 0, {0, 1, 2, 3, 4});
  h.client_put(0, 1, 10);
  h.deliver_among({0, 1, 2});  // servers 1 and 2 hold the entry; 3 and 4 do not
  REQUIRE(h.server(1).log().last_index() == 1);
  h.crash(0);
  h.timeout(3);  // log empty: 1 and 2 refuse, 4 grants: 2 of 5 votes
  h.deliver_among({1, 2, 3, 4});
  CHECK(h.server(3).role() != Role::leader);
  h.timeout(1);
  h.deliver_among({1, 2, 3, 4});
  CHECK(h.server(1).role() == Role::leader);
}

TEST_CASE("raft: entries replicate, commit on a majority, and apply in order everywhere") {
  Harness h(five());
  elect(h, 0, {0, 1, 2, 3, 4});
  for (int i = 0; i < 5; ++i) h.client_put(0, static_cast<uint32_t>(i % 2), 100 + i);
  h.deliver_among({0, 1, 2});
  CHECK(h.server(0).commit_index() == 5);
  CHECK(h.server(0).store().get(0) == 104);
  CHECK(h.server(0).store().get(1) == 103);
  h.heartbeat(0);
  h.deliver_among({0, 1, 2, 3, 4});
  for (NodeId n = 0; n < 5; ++n) {
    CHECK(h.server(n).log().last_index() == 5);
    CHECK(h.server(n).commit_index() == 5);
    CHECK(h.server(n).store() == h.server(0).store());
  }
  CHECK(!h.violation());
}

TEST_CASE("raft: §5.3 a follower's conflicting entries are truncated and replaced") {
  Harness h(five());
  elect(h, 0, {0, 1, 2, 3, 4});
  h.client_put(0, 1, 1);
  h.client_put(0, 1, 2);
  h.deliver_among({0, 4});  // only 4 gets these term-1 entries: uncommitted
  REQUIRE(h.server(4).log().last_index() == 2);
  h.crash(0);
  h.drop_all();
  elect(h, 1, {1, 2, 3});  // term 2, without 0 and 4
  REQUIRE(h.server(1).role() == Role::leader);
  h.client_put(1, 1, 3);
  h.deliver_among({1, 2, 3});
  REQUIRE(h.server(1).commit_index() == 1);
  h.heartbeat(1);
  h.deliver_among({1, 2, 3, 4});
  CHECK(h.server(4).log().last_index() == 1);
  CHECK(h.server(4).log().term_at(1) == 2);
  CHECK(h.server(4).store().get(1) == 3);
  CHECK(!h.violation());
}

TEST_CASE("raft: §5.4.2 a leader does not commit an earlier term's entry by counting replicas") {
  Harness h(five());
  elect(h, 0, {0, 1, 2, 3, 4});
  h.client_put(0, 1, 1);
  h.deliver_among({0, 1});  // on 0 and 1 only
  h.crash(0);
  h.drop_all();
  h.recover(0);
  h.timeout(0);
  h.timeout(0);  // term 3; 1 and 2 grant
  h.deliver_among({0, 1, 2});
  REQUIRE(h.server(0).role() == Role::leader);
  // The term-1 entry is now on 0, 1 and 2 (a majority) but is not of term 3: not committed.
  CHECK(h.server(2).log().last_index() == 1);
  CHECK(h.server(0).commit_index() == 0);
  // An entry of the current term commits it, and the one before it.
  h.client_put(0, 2, 7);
  h.deliver_among({0, 1, 2});
  CHECK(h.server(0).commit_index() == 2);
}

// The paper's Figure 8, scripted. Correct Raft must get through it with no violation; with
// the commit-old-terms bug the checkers must see a committed entry lost.
void figure_8(Harness& h) {
  // (a) S0 leads term 1 (the figure's term 2) and replicates index 1 to S1 only.
  elect(h, 0, {0, 1, 2, 3, 4});
  h.client_put(0, 1, 1);
  h.deliver_among({0, 1});
  // (b) S0 crashes; S4 is elected by S2, S3 and itself and takes a different index 1.
  h.crash(0);
  h.drop_all();
  h.timeout(4);
  h.timeout(4);
  h.deliver_among({2, 3, 4});
  REQUIRE(h.server(4).role() == Role::leader);
  h.client_put(4, 1, 2);
  h.drop_all();
  // (c) S4 crashes; S0 recovers, is elected by S1 and S2, and replicates its index 1 to S2:
  // it is on a majority now, though not of S0's term.
  h.crash(4);
  h.recover(0);
  for (int i = 0; i < 3; ++i) h.timeout(0);
  h.deliver_among({0, 1, 2});
  REQUIRE(h.server(0).role() == Role::leader);
  REQUIRE(h.server(2).log().last_index() == 1);
  // (d) S0 crashes before replicating anything of its own term; S4 recovers and is elected
  // by S1, S2, S3 (its last term is higher than theirs), overwriting index 1 everywhere.
  h.crash(0);
  h.drop_all();
  h.recover(4);
  for (int i = 0; i < 4 && h.server(4).role() != Role::leader; ++i) {
    h.timeout(4);
    h.deliver_among({1, 2, 3, 4});
  }
  REQUIRE(h.server(4).role() == Role::leader);
  h.heartbeat(4);
  h.deliver_among({1, 2, 3, 4});
}

TEST_CASE("raft: Figure 8 with correct commit rules loses nothing") {
  Harness h(five());
  figure_8(h);
  CHECK(!h.violation());
  CHECK(h.server(2).log().term_at(1) == h.server(4).log().term_at(1));
}

TEST_CASE("raft: Figure 8 with the commit-old-terms bug is caught by the checkers") {
  Params p = five();
  p.bug = Bug::commit_old_terms;
  Harness h(p);
  figure_8(h);
  REQUIRE(h.violation());
  CHECK(h.violation()->find("leader completeness") != std::string::npos);
  MESSAGE(*h.violation());
}

TEST_CASE("raft: PreVote keeps a returning server from raising its term (thesis §9.6)") {
  for (bool pre_vote : {false, true}) {
    Params p = five();
    p.pre_vote = pre_vote;
    Harness h(p);
    elect(h, 0, {0, 1, 2, 3, 4});
    if (pre_vote) h.deliver_among({0, 1, 2, 3, 4});  // pre-votes, then votes
    REQUIRE(h.server(0).role() == Role::leader);
    // Server 4 is cut off and times out three times.
    for (int i = 0; i < 3; ++i) h.timeout(4);
    h.drop_all();
    CHECK(h.server(4).term() == (pre_vote ? h.server(0).term() : h.server(0).term() + 3));
  }
}

TEST_CASE("raft: with CheckQuorum a leader that hears from no majority steps down") {
  Params p = five();
  p.check_quorum = true;
  Harness h(p);
  elect(h, 0, {0, 1, 2, 3, 4});
  REQUIRE(h.server(0).role() == Role::leader);
  h.heartbeat(0);
  h.deliver_among({0, 1, 2});
  h.timeout(0);  // the quorum check: 1 and 2 answered
  CHECK(h.server(0).role() == Role::leader);
  h.heartbeat(0);
  h.deliver_among({0, 1});
  h.timeout(0);  // only 1 answered
  CHECK(h.server(0).role() == Role::follower);
}

TEST_CASE("raft: snapshots compact the log, survive a crash, and catch up a follower that fell behind (thesis ch. 5)") {
  Params p = five();
  p.snapshot_threshold = 3;
  Harness h(p);
  elect(h, 0, {0, 1, 2, 3, 4});
  for (int i = 0; i < 10; ++i) {
    h.client_put(0, static_cast<uint32_t>(i % 3), 200 + i);
    h.deliver_among({0, 1, 2});  // 3 and 4 hear nothing
  }
  h.heartbeat(0);
  h.deliver_among({0, 1, 2});
  REQUIRE(h.server(0).commit_index() == 10);
  CHECK(h.server(0).log().snapshot_index() >= 9);
  CHECK(h.server(0).log().entries_held() <= 3);
  CHECK(h.server(1).log().snapshot_index() >= 9);
  // A crash keeps the snapshot: the state machine restarts from it.
  h.crash(1);
  h.recover(1);
  CHECK(h.server(1).store() == h.server(1).snapshot());
  CHECK(h.server(1).commit_index() == h.server(1).log().snapshot_index());
  // Server 4 needs compacted entries: it gets the snapshot, then the rest.
  h.heartbeat(0);
  h.deliver_among({0, 1, 2, 3, 4});
  h.heartbeat(0);
  h.deliver_among({0, 1, 2, 3, 4});
  CHECK(h.server(4).log().last_index() == 10);
  CHECK(h.server(4).commit_index() == 10);
  CHECK(h.server(4).store() == h.server(0).store());
  CHECK(h.server(4).store().get(0) == 209);
  CHECK(!h.violation());
}

TEST_CASE("raft: single-server membership changes — one at a time, after a commit in the term, removed leader steps down (thesis ch. 4)") {
  Params p = five();
  p.initial_servers = 3;  // 0..2 members; 3 and 4 wait
  p.noop_on_election = true;
  Harness h(p);
  h.timeout(3);  // a non-member never campaigns
  CHECK(h.server(3).role() == Role::follower);
  CHECK(h.server(3).term() == 0);
  h.timeout(0);
  h.deliver_among({0, 1, 2});
  REQUIRE(h.server(0).role() == Role::leader);
  CHECK(h.server(0).majority() == 2);
  h.change_config(0, ConfigOp::add, 3);
  CHECK(h.server(0).is_member(3));  // in effect as soon as it is in the log
  CHECK(h.server(0).majority() == 3);
  h.change_config(0, ConfigOp::add, 4);  // refused: the first change is not committed yet
  CHECK(!h.server(0).is_member(4));
  h.deliver_among({0, 1, 2, 3});
  CHECK(h.server(3).is_member(3));
  CHECK(h.server(3).log().last_index() == h.server(0).log().last_index());
  h.change_config(0, ConfigOp::add, 4);
  h.deliver_among({0, 1, 2, 3, 4});
  CHECK(h.server(0).majority() == 3);  // five members
  h.change_config(0, ConfigOp::remove, 0);  // the leader removes itself
  h.deliver_among({0, 1, 2, 3, 4});
  CHECK(h.server(0).role() == Role::follower);
  CHECK(!h.server(1).is_member(0));
  h.timeout(0);  // no longer a member: stays quiet
  CHECK(h.server(0).role() == Role::follower);
  h.timeout(4);
  h.deliver_among({1, 2, 3, 4});
  CHECK(h.server(4).role() == Role::leader);
  CHECK(!h.violation());
}
