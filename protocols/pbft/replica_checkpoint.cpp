// Checkpoints, water marks, garbage collection (OSDI 1999 §4.3) and state transfer for a
// replica that fell behind.
#include <algorithm>

#include "protocols/pbft/certificates.h"
#include "protocols/pbft/replica.h"

namespace meshsim::pbft {

void Replica::take_checkpoint(const Params& p, const NodeView& v, Outbox<Message>& out) {
  Checkpoint c;
  c.seq = last_executed_;
  c.state = store_.digest();
  c.sig = sign(v.self, checkpoint_statement(c.seq, c.state));
  c.auth = auth_bytes(p);
  out.busy(p.costs.sign);  // checkpoints are signed in either mode: they prove stable state
  out.busy(Duration{p.costs.digest_per_kib.ns * static_cast<int64_t>(store_.wire_bytes()) / 1024});
  snapshots_.insert_or_assign(c.seq, store_);
  out.note(kNoteCheckpointTaken, static_cast<int64_t>(c.seq));
  must_persist(static_cast<uint32_t>(store_.wire_bytes()) + c.wire_bytes());
  multicast_durable(p, v, c, out);
  on_checkpoint(p, v, v.self, c, out);
}

void Replica::on_checkpoint(const Params& p, const NodeView& v, NodeId from, const Checkpoint& c,
                            Outbox<Message>& out) {
  if (c.seq <= low_ || c.seq % p.checkpoint_interval != 0) return;
  if (!verify(from, checkpoint_statement(c.seq, c.state), c.sig)) return;
  auto& votes = checkpoints_[c.seq];
  votes[from] = c;
  std::vector<Signer> proof;
  for (const auto& [r, vote] : votes)
    if (vote.state == c.state) proof.push_back(Signer{r, vote.sig});
  if (proof.size() >= p.quorum()) make_stable(p, v, c.seq, c.state, std::move(proof), out);
}

// A checkpoint with 2f+1 matching signatures is stable: the log up to it is discarded and
// the window moves. A replica that has not executed that far fetches the state.
void Replica::make_stable(const Params& p, const NodeView& v, Seq seq, Digest state, std::vector<Signer> proof,
                          Outbox<Message>& out) {
  if (seq <= low_) return;
  low_ = seq;
  stable_state_ = state;
  stable_proof_ = std::move(proof);
  for (auto it = log_.begin(); it != log_.end() && it->first <= seq; it = log_.erase(it)) {
    Retired r{it->first, {}};
    for (const auto& [replica, vote] : it->second.commits)
      if (vote.digest == it->second.committed_digest) r.committers.push_back(replica);
    if (it->second.committed) retired_.push_back(std::move(r));
  }
  checkpoints_.erase(checkpoints_.begin(), checkpoints_.upper_bound(seq));
  snapshots_.erase(snapshots_.begin(), snapshots_.lower_bound(seq));
  out.note(kNoteCheckpointStable, static_cast<int64_t>(seq));
  if (next_seq_ <= seq) next_seq_ = seq + 1;
  if (last_executed_ < seq) start_state_transfer(p, v, out);
  maybe_propose(p, v, false, out);
}

// Fetches the state of the stable checkpoint low_ from the replicas that signed it: the
// slots up to low_ are gone from every log (ours and the others'), so nothing but the state
// can take us past it (§4.3; Castro's thesis §5.3.2). Started by make_stable, and again by
// start() after a crash, which loses the fetch but not low_.
void Replica::start_state_transfer(const Params& p, const NodeView& v, Outbox<Message>& out) {
  fetching_ = low_;
  fetch_from_.clear();
  for (const Signer& s : stable_proof_)
    if (s.replica != v.self) fetch_from_.push_back(s.replica);
  fetch_next_ = static_cast<size_t>(v.rng->below(std::max<size_t>(fetch_from_.size(), 1)));
  request_state(p, out);
  arm_status(p, out);
}

// Asks one replica that signed the checkpoint at a time, rotating on each retry.
void Replica::request_state(const Params&, Outbox<Message>& out) {
  if (fetch_from_.empty()) return;
  out.send(fetch_from_[fetch_next_++ % fetch_from_.size()], FetchState{fetching_});
}

void Replica::on_fetch_state(const Params&, NodeId from, const FetchState& f, Outbox<Message>& out) {
  // Answer with our stable checkpoint if it is at least as new as asked for.
  if (low_ < f.seq || low_ == 0) return;
  auto it = snapshots_.find(low_);
  if (it == snapshots_.end()) return;
  out.send(from, StateReply{low_, it->second, stable_proof_});
}

void Replica::on_state_reply(const Params& p, const NodeView& v, const StateReply& r, Outbox<Message>& out) {
  if (r.seq <= last_executed_) return;
  const Digest state = r.store.digest();
  if (!valid_checkpoint_proof(p, r.seq, state, r.proof)) return;  // a lying replica's state
  store_ = r.store;
  last_executed_ = r.seq;
  snapshots_.insert_or_assign(r.seq, store_);
  must_persist(static_cast<uint32_t>(store_.wire_bytes()));
  out.note(kNoteStateTransferred, static_cast<int64_t>(r.seq));
  if (r.seq > low_) make_stable(p, v, r.seq, state, r.proof, out);
  if (fetching_ <= r.seq) fetching_ = 0;
  // Slots committed beyond the transferred state may now run.
  execute_ready(p, v, out);
  std::erase_if(waiting_, [&](const auto& e) { return store_.seen(e.first.first, e.first.second); });
  restart_request_timer(p, out);
}

}  // namespace meshsim::pbft
