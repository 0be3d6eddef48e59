// pBFT replicas stepped by hand (tests/unit/pbft_harness.h): each phase's step function,
// the certificate checks, and golden transcripts of a view change and of checkpointing with
// state transfer. Regenerate the transcripts after an intended change with
//   MESHSIM_REWRITE_TRANSCRIPTS=1 build/release/tests/meshsim_tests -tc='pbft transcript*'
// and review `git diff tests/unit/pbft_transcripts`.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "protocols/pbft/certificates.h"
#include "tests/unit/pbft_harness.h"

using namespace meshsim;
using namespace meshsim::pbft;
using meshsim::pbft::testing::Harness;

namespace {

Params four(uint32_t batch = 1) {
  Params p;
  p.replicas = 4;
  p.batch_size = batch;
  p.workload.think = Duration::millis(1);
  return p;
}

void compare_with_golden(const std::string& name, const Harness& h) {
  std::string text;
  for (const auto& line : h.transcript) text += line + "\n";
  text += "----\n" + h.status();
  const std::string path = std::string(MESHSIM_SOURCE_DIR) + "/tests/unit/pbft_transcripts/" + name;
  if (std::getenv("MESHSIM_REWRITE_TRANSCRIPTS")) {
    std::ofstream(path) << text;
    return;
  }
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "missing " << path << " (run with MESHSIM_REWRITE_TRANSCRIPTS=1)");
  std::stringstream golden;
  golden << in.rdbuf();
  CHECK(golden.str() == text);
}

}  // namespace

TEST_CASE("pbft step: the normal case sends 1 request, n-1 pre-prepares, (n-1)^2 prepares, n(n-1) commits, n replies") {
  Harness h(four());
  h.issue(4);
  h.deliver_all();
  CHECK(h.client(4).workload().completed() == 1);
  CHECK(h.count("-> r0 Request") == 1);
  CHECK(h.count("PrePrepare v0 n1") == 3);
  CHECK(h.count("Prepare v0 n1") - h.count("PrePrepare v0 n1") == 9);
  CHECK(h.count("Commit v0 n1") == 12);
  CHECK(h.count("-> c4 Reply") == 4);
  for (NodeId r = 0; r < 4; ++r) CHECK(h.replica(r).last_executed() == 1);
}

TEST_CASE("pbft step: a backup prepares only after 2f matching prepares, and commits after 2f+1 commits") {
  Harness h(four());
  h.issue(4);
  // Replica 3 hears nothing from replicas 1 and 2: it has the pre-prepare and its own prepare.
  h.deliver_all([](const Harness::Envelope& e) { return !(e.to == 3 && (e.from == 1 || e.from == 2)); });
  CHECK(h.replica(3).last_executed() == 0);
  CHECK(h.replica(1).last_executed() == 1);  // 1 and 2 had each other, 3 and the primary
  CHECK(h.client(4).workload().completed() == 1);  // f+1 = 2 matching replies are enough
}

TEST_CASE("pbft step: the primary batches up to batch_size and sends the rest on the batch timeout") {
  Params p = four(2);
  Harness h(p, 3);
  for (NodeId c = 4; c < 7; ++c) h.issue(c);
  h.deliver_all();
  CHECK(h.count("PrePrepare v0 n1 batch 2") == 3);
  CHECK(h.count("PrePrepare v0 n2") == 0);
  h.fire(0, kBatchTimer);
  h.deliver_all();
  CHECK(h.count("PrePrepare v0 n2 batch 1") == 3);
  for (NodeId c = 4; c < 7; ++c) CHECK(h.client(c).workload().completed() == 1);
}

TEST_CASE("pbft step: backups reject a pre-prepare with a wrong digest or a forged request") {
  Harness h(four());
  h.issue(4);
  h.deliver_all([](const Harness::Envelope& e) { return e.to == 0; });  // the request reaches the primary only
  h.wire.clear();
  Request r;
  r.cmd.client = 4;
  r.cmd.kind = kv::OpKind::put;
  r.cmd.value = 99;
  r.client_sig = sign(4, request_statement(r.cmd));
  PrePrepare good{0, 1, 0, {r}, {}, kMacBytes};
  good.digest = batch_digest(good.batch);
  good.sig = sign(0, pre_prepare_statement(0, 1, good.digest));
  PrePrepare wrong = good;
  wrong.digest ^= 1;
  wrong.sig = sign(0, pre_prepare_statement(0, 1, wrong.digest));
  PrePrepare forged = good;
  forged.batch[0].cmd.value = 100;  // the client never asked for this
  forged.digest = batch_digest(forged.batch);
  forged.sig = sign(0, pre_prepare_statement(0, 1, forged.digest));
  PrePrepare not_primary = good;  // from a backup: the engine stamps the true sender
  for (auto [from, pp] : {std::pair<NodeId, PrePrepare>{0, wrong}, {0, forged}, {2, not_primary}}) {
    h.step(1, [&](const NodeView& v, Outbox<Message>& out) { h.replica(1).on_message(h.p, v, from, pp, out); });
    CHECK(h.wire.empty());
  }
  h.step(1, [&](const NodeView& v, Outbox<Message>& out) { h.replica(1).on_message(h.p, v, 0, good, out); });
  CHECK(h.wire.size() == 3);  // its prepare to the three others
}

TEST_CASE("pbft certificates: forged signatures and a tampered O are rejected, O takes the highest view") {
  Params p = four();
  Request r;
  r.cmd.client = 4;
  r.cmd.kind = kv::OpKind::put;
  r.client_sig = sign(4, request_statement(r.cmd));
  auto proof = [&](View view, Seq seq, std::vector<Request> batch) {
    PreparedProof pr{view, seq, batch_digest(batch), batch, sign(p.primary(view), pre_prepare_statement(view, seq, batch_digest(batch))), {}};
    for (NodeId b = 0; b < 4 && pr.prepares.size() < 2; ++b)
      if (b != p.primary(view)) pr.prepares.push_back({b, sign(b, vote_statement(Stmt::prepare, view, seq, pr.digest))});
    return pr;
  };
  auto vc = [&](NodeId from, std::vector<PreparedProof> prepared) {
    ViewChange x;
    x.new_view = 3;
    x.replica = from;
    x.stable_state = genesis_state();
    x.prepared = std::move(prepared);
    x.sig = sign(from, view_change_statement(x));
    return x;
  };
  std::vector<ViewChange> V = {vc(0, {proof(1, 2, {r})}), vc(1, {proof(2, 2, {})}), vc(2, {})};
  for (const auto& x : V) CHECK(valid_view_change(p, x));
  std::vector<PrePrepare> O = compute_new_view(p, 3, 3, V);
  REQUIRE(O.size() == 2);
  CHECK(O[0].seq == 1);
  CHECK(O[0].batch.empty());  // nothing prepared at 1: the null request
  CHECK(O[1].seq == 2);
  CHECK(O[1].batch.empty());  // view 2's (null) beats view 1's request
  NewView nv{3, V, O, {}};
  nv.sig = sign(3, new_view_statement(nv));
  CHECK(valid_new_view(p, nv));

  NewView tampered = nv;
  tampered.pre_prepares[1].batch = {r};
  CHECK_FALSE(valid_new_view(p, tampered));
  NewView wrong_primary = nv;
  wrong_primary.sig = sign(2, new_view_statement(nv));
  CHECK_FALSE(valid_new_view(p, wrong_primary));
  NewView short_v = nv;
  short_v.view_changes.pop_back();
  short_v.sig = sign(3, new_view_statement(short_v));
  CHECK_FALSE(valid_new_view(p, short_v));

  ViewChange forged = vc(0, {proof(1, 2, {r})});
  forged.prepared[0].prepares[1].sig = sign(0, vote_statement(Stmt::prepare, 1, 2, forged.prepared[0].digest));  // 0 signs for 2
  forged.sig = sign(0, view_change_statement(forged));
  CHECK_FALSE(valid_view_change(p, forged));
  ViewChange lying = V[2];
  lying.stable_seq = 64;  // a checkpoint it cannot prove
  lying.sig = sign(2, view_change_statement(lying));
  CHECK_FALSE(valid_view_change(p, lying));
}

TEST_CASE("pbft transcript: view change after the primary crashes") {
  Harness h(four());
  h.issue(4);
  h.deliver_all();
  h.crash(0);
  h.issue(4);
  h.deliver_all();                            // the request dies with the primary
  h.now = h.now + Duration::seconds(1);
  h.fire(4, kClientRetryTimer);               // the client tells every replica
  h.deliver_all();                            // backups relay to the dead primary, start timers
  h.now = h.now + Duration::seconds(1);
  for (NodeId r = 1; r < 4; ++r) h.fire(r, kViewChangeTimer);
  h.deliver_all();
  CHECK(h.replica(1).view() == 1);
  CHECK_FALSE(h.replica(1).in_view_change());
  CHECK(h.client(4).workload().completed() == 2);
  h.recover(0);
  h.issue(4);
  h.deliver_all();
  CHECK(h.client(4).workload().completed() == 3);
  compare_with_golden("view_change.txt", h);
}

TEST_CASE("pbft transcript: checkpoints become stable, the log is collected, a replica behind fetches the state") {
  Params p = four();
  p.checkpoint_interval = 2;
  p.log_window = 4;
  Harness h(p);
  h.crash(3);
  for (int i = 0; i < 4; ++i) {
    h.issue(4);
    h.deliver_all();
  }
  CHECK(h.replica(0).stable_seq() == 4);
  CHECK(h.replica(0).log_size() == 0);
  h.recover(3);
  for (int i = 0; i < 2; ++i) {
    h.issue(4);
    h.deliver_all();
  }
  CHECK(h.replica(3).last_executed() == 6);
  CHECK(h.count("StateReply") >= 1);
  CHECK(h.replica(3).store().digest() == h.replica(0).store().digest());
  compare_with_golden("checkpoint.txt", h);
}

// Issue 9 (chaos seed 1383): a replica learns that a checkpoint is stable before it has
// executed that far, and crashes before the state arrives. The fetch is volatile, the
// stable checkpoint durable, and the slots below it are collected everywhere: on recovery
// it must fetch the state again, or it never executes another request.
TEST_CASE("pbft step: a replica that crashed while fetching a checkpoint's state fetches it again on recovery") {
  Params p = four();
  p.checkpoint_interval = 2;
  p.log_window = 4;
  Harness h(p);
  // r3 sees nothing of requests 1 and 2 but the checkpoint at 2, and its fetch is lost.
  for (int i = 0; i < 2; ++i) {
    h.issue(4);
    h.deliver_all([](const Harness::Envelope& e) {
      if (e.to == 3) return std::holds_alternative<Checkpoint>(e.msg);
      return !(e.from == 3 && std::holds_alternative<FetchState>(e.msg));
    });
  }
  REQUIRE(h.replica(3).stable_seq() == 2);
  REQUIRE(h.replica(3).last_executed() == 0);
  h.crash(3);
  h.recover(3);
  h.deliver_all();
  CHECK(h.replica(3).last_executed() == 2);
  CHECK(h.replica(3).store().digest() == h.replica(0).store().digest());
  h.issue(4);
  h.deliver_all();
  CHECK(h.replica(3).last_executed() == 3);
}

// Issue 9 (chaos seed 3540): r1, the primary of view 1, is down; r0, r2 and r3 change to
// view 1 and each VIEW-CHANGE is lost on one link, so that r0 holds r3's, r3 r2's and r2
// r0's. Each replica re-sends its own to the one it has not heard from, which holds it
// already; only asking the replicas it has not heard from gets each the one it lacks, and
// with it the 2f+1 that start the view-change timer (§4.5.2).
TEST_CASE("pbft step: a replica asks for the VIEW-CHANGEs it lacks, not only re-sends its own") {
  Harness h(four());
  h.crash(1);
  h.issue(4);
  h.deliver_all([](const Harness::Envelope& e) { return !std::holds_alternative<PrePrepare>(e.msg); });
  h.now = h.now + Duration::seconds(1);
  h.fire(4, kClientRetryTimer);  // every replica now waits for the request
  h.deliver_all();
  for (NodeId r : {0, 2, 3}) h.fire(r, kViewChangeTimer);
  h.deliver_all([](const Harness::Envelope& e) {
    const bool lost = (e.from == 2 && e.to == 0) || (e.from == 0 && e.to == 3) || (e.from == 3 && e.to == 2);
    return !(lost && std::holds_alternative<ViewChange>(e.msg));
  });
  REQUIRE(h.count("r2 -> r0 ViewChange to v1") == 0);
  // One view-change timeout of status ticks (T = 500 ms, one tick per 100 ms).
  for (int tick = 0; tick < 5; ++tick)
    for (NodeId r : {0, 2, 3}) h.fire(r, kStatusTimer);
  h.deliver_all();
  CHECK(h.count("r2 -> r0 ViewChange to v1") == 1);
  CHECK(h.count("r0 -> r3 ViewChange to v1") == 1);
  CHECK(h.count("r3 -> r2 ViewChange to v1") == 1);
  // View 1 never starts; its timer moves everyone to view 2, whose primary r2 is correct.
  for (NodeId r : {0, 2, 3}) h.fire(r, kViewChangeTimer);
  h.deliver_all();
  CHECK(h.replica(2).view() == 2);
  CHECK_FALSE(h.replica(2).in_view_change());
  CHECK(h.client(4).workload().completed() == 1);
}
