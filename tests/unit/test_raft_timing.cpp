// Raft's timers step by step (tests/unit/raft_harness.h): when a follower restarts its
// election timer (Figure 2, and the legacy any-higher-term rule), and per-follower
// heartbeat timing against the broadcast timer.
#include <doctest/doctest.h>

#include "tests/unit/raft_harness.h"

using namespace meshsim;
using namespace meshsim::raft;
using testing::Harness;

namespace {

Params five(ElectionTimerReset reset = ElectionTimerReset::paper) {
  Params p = testing::five_servers();
  p.election_timer_reset = reset;
  return p;
}

// 0 leads term 1 with the votes of 1 and 2 and has committed one entry on 0, 1, 2; server
// 3 has an empty log and campaigns in term 2 (two timeouts), so its RequestVote carries a
// higher term and a log that 1 must refuse and 4 (also empty) may grant.
void setup(Harness& h) {
  h.timeout(0);
  h.deliver_among({0, 1, 2});
  REQUIRE(h.server(0).role() == Role::leader);
  h.client_put(0, 1, 7);
  h.deliver_among({0, 1, 2});
  REQUIRE(h.server(1).log().last_index() == 1);
  h.drop_all();
  h.timeout(3);
  h.drop_all();
  h.timeout(3);
  REQUIRE(h.server(3).term() == 2);
}

}  // namespace

TEST_CASE("raft timing: Figure 2 — a higher term alone does not restart a follower's election timer") {
  Harness h(five());
  setup(h);
  REQUIRE(h.deliver_one(3, 1));
  CHECK(h.server(1).term() == 2);                 // the term is adopted...
  CHECK(h.server(1).voted_for() == kNoNode);      // ...the vote refused (1's log is longer)...
  CHECK_FALSE(h.restarted_election_timer(1));     // ...and 1 campaigns on its old schedule
  REQUIRE(h.deliver_one(3, 4));
  CHECK(h.server(4).voted_for() == 3);
  CHECK(h.restarted_election_timer(4));           // granting a vote restarts it
}

TEST_CASE("raft timing: any-higher-term (the behaviour before issue 19) restarts the timer on a refused higher-term vote") {
  Harness h(five(ElectionTimerReset::any_higher_term));
  setup(h);
  REQUIRE(h.deliver_one(3, 1));
  CHECK(h.server(1).term() == 2);
  CHECK(h.server(1).voted_for() == kNoNode);
  CHECK(h.restarted_election_timer(1));
}

TEST_CASE("raft timing: a vote reply with a higher term does not restart a candidate's timer, a current leader's append does") {
  Harness h(five());
  h.timeout(0);
  h.deliver_among({0, 1, 2});
  REQUIRE(h.server(0).role() == Role::leader);
  h.drop_all();
  // Server 4 never heard of term 1; it campaigns in term 1 and 1 answers with a refusal.
  h.timeout(4);
  REQUIRE(h.server(4).term() == 1);
  h.timeout(4);  // term 2 now; 0..3 are at term 1
  h.drop_all();
  h.timeout(1);  // 1 campaigns in term 2 and asks 4
  REQUIRE(h.server(1).term() == 2);
  REQUIRE(h.deliver_one(1, 4));  // 4 already voted for itself in term 2: refused
  REQUIRE(h.deliver_one(4, 1));
  CHECK(h.server(1).role() == Role::candidate);
  CHECK_FALSE(h.restarted_election_timer(1));
  // The leader of term 1 hears term 2 and steps down: a former leader needs a timer.
  h.drop_all();
  h.timeout(1);  // term 3
  REQUIRE(h.deliver_one(1, 0));
  CHECK(h.server(0).role() == Role::follower);
  CHECK(h.restarted_election_timer(0));
  // An append of the current term's leader restarts the timer.
  h.deliver_among({0, 1, 2});
  REQUIRE(h.server(1).role() == Role::leader);
  h.drop_all();
  h.heartbeat(1);
  REQUIRE(h.deliver_one(1, 2));
  CHECK(h.restarted_election_timer(2));
}

TEST_CASE("raft timing: per-follower heartbeats go only to followers sent nothing for a heartbeat interval") {
  for (HeartbeatTiming timing : {HeartbeatTiming::broadcast, HeartbeatTiming::per_follower}) {
    CAPTURE(static_cast<int>(timing));
    Params p = five();
    p.heartbeat = timing;
    Harness h(p);
    h.timeout(0);
    h.deliver_among({0, 1, 2, 3, 4});
    REQUIRE(h.server(0).role() == Role::leader);
    h.client_put(0, 1, 1);  // time tA: an append to every follower
    // Only 1 acknowledges; with max_inflight 1 the next entry goes to 1 alone (time tB).
    REQUIRE(h.deliver_one(0, 1));
    REQUIRE(h.deliver_one(1, 0));
    h.drop_all();
    h.client_put(0, 1, 2);
    REQUIRE(h.waiting_from<AppendEntries>(0) == 1);
    h.drop_all();
    // Now 2, 3, 4 were last sent something at tA, 1 at tB > tA. The timer fires at tB + 49 ms:
    // at least 50 ms after tA, less than 50 ms after tB.
    h.advance(Duration::millis(48));
    h.heartbeat(0);
    size_t to_one = 0;
    for (const testing::InFlight& m : h.inflight()) to_one += m.to == 1;
    CHECK(h.waiting_from<AppendEntries>(0) == (timing == HeartbeatTiming::broadcast ? 4u : 3u));
    CHECK(to_one == (timing == HeartbeatTiming::broadcast ? 1u : 0u));
    REQUIRE(h.timers_set(0).size() == 1);
    CHECK(h.timers_set(0)[0] == kHeartbeatTimer);
  }
}

TEST_CASE("raft timing: a per-follower heartbeat timer that wakes before anyone is due sends nothing") {
  Params p = five();
  p.heartbeat = HeartbeatTiming::per_follower;
  Harness h(p);
  h.timeout(0);
  h.deliver_among({0, 1, 2, 3, 4});
  REQUIRE(h.server(0).role() == Role::leader);
  h.drop_all();
  h.heartbeat(0);
  CHECK(h.inflight().empty());
  CHECK(h.timers_set(0) == std::vector<TimerId>{kHeartbeatTimer});
}
