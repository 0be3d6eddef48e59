// Durable writes on the engine's disk model (sim/disk_model.h) with `durable = "log"`, and
// what a crash keeps in each mode (Params::durable; README.md, "Durable state").
//
// A replica writes before it speaks for its state: the primary its pre-prepare before
// multicasting it; a backup the pre-prepare it accepted and its own PREPARE before sending
// that PREPARE; the prepared certificate and its own COMMIT before sending that COMMIT; its
// checkpoint (the service state) before sending CHECKPOINT; the new view number and its
// VIEW-CHANGE before sending it; a NEW-VIEW before sending or acting on it. Those are the
// statements other replicas count in quorums: a replica that forgot one after a crash could
// make a conflicting one, and quorum intersection (OSDI 1999 §4.2, §4.4) would no longer
// hold. Replies wait for the writes before them too (a reply reflects the prepared
// certificate its COMMIT stands for), but executing and collecting others' votes need no
// write of their own: they are re-learned from the others (commit certificates, state
// transfer) after a crash.
//
// Group commit: one write at a time per replica; what changes while it is in flight goes
// out as the next write when it completes (one fsync covers every step that waited). A
// write stores the replica's durable fields as they are when it is issued; a crash restores
// those of the last completed write, with the service state of the newest checkpoint among
// them (execution is not written; committed slots above it are executed again).
#include <cassert>

#include "protocols/pbft/replica.h"

namespace meshsim::pbft {

void Replica::send_durable(NodeId to, const Message& m, Outbox<Message>& out) {
  if (open_.bytes > 0) open_.sends.emplace_back(to, m);
  else if (in_flight_) in_flight_->sends.emplace_back(to, m);
  else out.send(to, m);
}

void Replica::multicast_durable(const Params& p, const NodeView& v, const Message& m, Outbox<Message>& out) {
  for (NodeId r = 0; r < p.replicas; ++r)
    if (r != v.self) send_durable(r, m, out);
}

void Replica::end_step(const Params&, const NodeView&, Outbox<Message>& out) {
  if (uses_disk_ && open_.bytes > 0 && !in_flight_) issue_write(out);
}

void Replica::issue_write(Outbox<Message>& out) {
  Write w = std::move(open_);
  open_ = Write{};
  w.token = next_token_++;
  w.image = capture();
  out.persist(w.bytes, w.token);
  in_flight_ = std::move(w);
}

void Replica::on_persisted(const Params& p, const NodeView& v, uint64_t token, Outbox<Message>& out) {
  recent_.clear();
  retired_.clear();
  // One write at a time, and a crash forgets it (the engine never reports a lost one).
  assert(in_flight_ && in_flight_->token == token);
  (void)token;
  Write done = std::move(*in_flight_);
  in_flight_.reset();
  durable_ = std::move(done.image);
  for (auto& [to, m] : done.sends) out.send(to, std::move(m));
  end_step(p, v, out);
}

Replica::DurableState Replica::capture() const {
  return DurableState{view_,   in_view_change_, active_view_, failed_views_,  log_,           low_,          stable_state_,
                      stable_proof_, snapshots_,      checkpoints_, view_changes_, last_new_view_, next_seq_};
}

void Replica::restore(DurableState s) {
  view_ = s.view;
  in_view_change_ = s.in_view_change;
  active_view_ = s.active_view;
  failed_views_ = s.failed_views;
  log_ = std::move(s.log);
  low_ = s.low;
  stable_state_ = s.stable_state;
  stable_proof_ = std::move(s.stable_proof);
  snapshots_ = std::move(s.snapshots);
  checkpoints_ = std::move(s.checkpoints);
  view_changes_ = std::move(s.view_changes);
  last_new_view_ = std::move(s.last_new_view);
  next_seq_ = s.next_seq;
  // The service state is written only with checkpoints: the newest one we took (none: the
  // empty store, and start() fetches the stable checkpoint's state if there is one).
  if (snapshots_.empty()) {
    store_ = kv::Store{};
    last_executed_ = 0;
  } else {
    last_executed_ = snapshots_.rbegin()->first;
    store_ = snapshots_.rbegin()->second;
  }
  early_pre_prepares_.clear();
  gap_asked_ = 0;
  stalled_seq_ = 0;
}

}  // namespace meshsim::pbft
