// pBFT's durable writes step by step (tests/unit/pbft_harness.h with a disk whose writes
// complete only when the test says so): which messages wait for which write, what a stalled
// disk holds back and what it does not, and what a crash keeps in each Params::durable mode.
// replica_durable.cpp implements it.
#include <doctest/doctest.h>

#include "tests/unit/pbft_harness.h"

using namespace meshsim;
using namespace meshsim::pbft;
using meshsim::pbft::testing::Harness;

namespace {

Params four(Durability d, uint32_t checkpoint_interval = 64) {
  Params p;
  p.replicas = 4;
  p.batch_size = 1;
  p.checkpoint_interval = checkpoint_interval;
  p.log_window = 2 * checkpoint_interval;
  p.workload.think = Duration::millis(1);
  p.durable = d;
  return p;
}

// Delivers everything and completes the writes of `group` until nothing moves.
void settle(Harness& h, const std::vector<NodeId>& group) {
  for (bool moved = true; moved;) {
    moved = h.deliver_all() > 0;
    for (NodeId n : group)
      while (!h.writes[n].empty()) {
        h.complete_write(n);
        moved = true;
      }
  }
}

// Deliveries of messages from `from` whose description contains `what`.
size_t sent_by(const Harness& h, NodeId from, const std::string& what) {
  size_t k = 0;
  for (const auto& line : h.transcript)
    if (line.starts_with(h.name(from) + " -> ") && line.find(what) != std::string::npos) ++k;
  return k;
}

}  // namespace

TEST_CASE("pbft durable: the primary multicasts its pre-prepare only once it is written") {
  Harness h(four(Durability::log), 1, true);
  h.issue(4);
  h.deliver_all();
  CHECK(h.writes[0].size() == 1);
  CHECK(h.replica(0).write_in_flight());
  CHECK(h.count("PrePrepare") == 0);
  h.complete_write(0);
  h.deliver_all();
  CHECK(h.count("r0 -> r1 PrePrepare v0 n1") == 1);
  // Each backup accepted it and waits for its own write before its PREPARE leaves.
  for (NodeId r = 1; r <= 3; ++r) {
    CHECK(h.writes[r].size() == 1);
    CHECK(sent_by(h, r, "Prepare") == 0);
  }
}

TEST_CASE("pbft durable: a stalled disk holds back exactly that replica's PREPARE, COMMIT and reply") {
  Harness h(four(Durability::log), 1, true);
  h.issue(4);
  settle(h, {0, 1, 2});  // r3's disk never completes a write
  // f + 1 = 2 matching replies complete the request without r3.
  CHECK(h.client(4).workload().completed() == 1);
  for (NodeId r = 0; r <= 2; ++r) CHECK(h.replica(r).last_executed() == 1);
  // r3 accepted, prepared, committed and executed in memory, from the others' votes...
  CHECK(h.replica(3).last_executed() == 1);
  // ...but said nothing: its first write (pre-prepare and PREPARE) is still in service,
  // and everything after it waits in the next write.
  CHECK(h.count("r3 -> ") == 0);
  CHECK(h.writes[3].size() == 1);
  h.complete_write(3);
  h.deliver_all();
  CHECK(sent_by(h, 3, "Prepare v0 n1") == 3);
  CHECK(sent_by(h, 3, "Commit") == 0);
  CHECK(sent_by(h, 3, "Reply") == 0);
  REQUIRE(h.writes[3].size() == 1);  // the group of everything since: certificate, COMMIT
  h.complete_write(3);
  h.deliver_all();
  CHECK(sent_by(h, 3, "Commit v0 n1") == 3);
  CHECK(sent_by(h, 3, "Reply") == 1);
  CHECK(h.writes[3].empty());
}

TEST_CASE("pbft durable: a checkpoint leaves only once the service state is written") {
  Harness h(four(Durability::log, 1), 1, true);
  h.issue(4);
  settle(h, {0, 1, 2});
  CHECK(sent_by(h, 0, "Checkpoint n1") == 3);
  CHECK(sent_by(h, 3, "Checkpoint") == 0);
  for (NodeId r = 0; r <= 2; ++r) CHECK(h.replica(r).stable_seq() == 1);
}

TEST_CASE("pbft durable: a crash loses the pre-prepare whose write had not completed, and keeps a written one") {
  SUBCASE("incomplete write") {
    Harness h(four(Durability::log), 1, true);
    h.issue(4);
    h.deliver_all();
    h.complete_write(0);
    h.deliver_all();
    REQUIRE(h.replica(1).log_size() == 1);
    h.crash(1);
    h.recover(1);
    CHECK(h.replica(1).log_size() == 0);
    CHECK(!h.replica(1).write_in_flight());
    h.deliver_all();
    CHECK(sent_by(h, 1, "Prepare") == 0);  // what waited for the lost write never leaves
  }
  SUBCASE("completed write") {
    Harness h(four(Durability::log), 1, true);
    h.issue(4);
    h.deliver_all();
    h.complete_write(0);
    h.deliver_all();
    h.complete_write(1);
    h.crash(1);
    h.recover(1);
    CHECK(h.replica(1).log_size() == 1);
  }
}

TEST_CASE("pbft durable: a VIEW-CHANGE leaves once the new view is written, and a crash before that forgets the view change") {
  for (bool complete : {false, true}) {
    CAPTURE(complete);
    Harness h(four(Durability::log), 1, true);
    h.issue(4);
    h.deliver_all();  // r0 holds its pre-prepare: its disk never completes the write
    // The client retransmits its request to every replica, so r1 waits for it too.
    h.now = h.now + h.p.workload.request_timeout;
    h.fire(4, kClientRetryTimer);
    h.deliver_all();
    h.fire(1, kViewChangeTimer);
    CHECK(h.replica(1).in_view_change());
    CHECK(h.replica(1).view() == 1);
    CHECK(sent_by(h, 1, "ViewChange") == 0);
    REQUIRE(h.writes[1].size() == 1);
    if (complete) {
      h.complete_write(1);
      h.deliver_all();
      CHECK(sent_by(h, 1, "ViewChange to v1") == 3);
    }
    h.crash(1);
    h.recover(1);
    CHECK(h.replica(1).in_view_change() == complete);
    CHECK(h.replica(1).view() == (complete ? 1u : 0u));
  }
}

TEST_CASE("pbft durable: with none a crash keeps the log for free, with amnesia it keeps nothing") {
  for (Durability d : {Durability::none, Durability::amnesia}) {
    Harness h(four(d), 1, true);  // a disk on the run changes nothing for these modes
    h.issue(4);
    h.deliver_all();
    CHECK(h.writes[0].empty());
    CHECK(h.client(4).workload().completed() == 1);
    h.crash(1);
    h.recover(1);
    CHECK(h.replica(1).log_size() == (d == Durability::none ? 1u : 0u));
    CHECK(h.replica(1).last_executed() == (d == Durability::none ? 1u : 0u));
  }
}

TEST_CASE("pbft durable: a replica restored from disk executes again the committed slots above its checkpoint") {
  Harness h(four(Durability::log), 1, true);
  h.issue(4);
  settle(h, {0, 1, 2, 3});
  REQUIRE(h.replica(2).last_executed() == 1);
  // The commit certificate reached the disk with a later write (group commit takes the
  // whole state): issue a second request so r2 writes again after executing the first.
  h.issue(4);
  settle(h, {0, 1, 2, 3});
  REQUIRE(h.replica(2).last_executed() == 2);
  h.crash(2);
  h.recover(2);
  CHECK(h.replica(2).last_executed() >= 1);
  CHECK(h.replica(2).store().digest() != kv::Store{}.digest());
}
