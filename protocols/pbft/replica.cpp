// The normal case (OSDI 1999 §4.2): requests, batching, pre-prepare, prepare, commit,
// in-order execution and replies.
#include "protocols/pbft/replica.h"

#include <algorithm>

#include "protocols/pbft/certificates.h"

namespace meshsim::pbft {

namespace {
size_t matching(const std::map<NodeId, Vote>& votes, View view, Digest digest) {
  return static_cast<size_t>(std::count_if(votes.begin(), votes.end(), [&](const auto& e) {
    return e.second.view == view && e.second.digest == digest;
  }));
}
}  // namespace

void Replica::start(const Params& p, const NodeView& v, Outbox<Message>& out) {
  uses_disk_ = p.durable == Durability::log && v.durable_writes_take_time;
  amnesia_ = p.durable == Durability::amnesia;
  recent_.clear();
  retired_.clear();
  if (stable_state_ == 0) stable_state_ = genesis_state();
  if (snapshots_.empty() && low_ == 0) snapshots_.emplace(0, store_);
  // A replica that crashed while fetching a stable checkpoint's state lost the fetch
  // (volatile) but kept the checkpoint (durable): low_ is past what it executed. The slots
  // up to low_ are garbage-collected everywhere, so neither retransmissions nor commit
  // certificates (in_window starts above low_) can fill them, and make_stable will not run
  // for low_ again. Without a new fetch it never executes another request, and with f
  // others faulty no checkpoint above low_ becomes stable: the whole system stops at the
  // high water mark (chaos seed 1383).
  if (last_executed_ < low_) {
    out.note(kNoteStateTransferResumed, static_cast<int64_t>(low_));
    start_state_transfer(p, v, out);
  }
  // Restored from disk, the service state is that of the newest checkpoint: run again the
  // committed slots the log still holds above it.
  if (uses_disk_) execute_ready(p, v, out);
  // A recovered replica that was changing views asks again (its VIEW-CHANGE may have been
  // lost with it); otherwise it waits for work.
  if (!in_view_change_) return;
  auto own = view_changes_[view_].find(v.self);
  if (own != view_changes_[view_].end()) multicast_durable(p, v, own->second, out);
  arm_view_change_timer(p, out);
}

void Replica::crash() {
  queue_.clear();
  proposed_.clear();
  waiting_.clear();
  request_timer_running_ = batch_timer_running_ = status_timer_running_ = false;
  vc_timer_view_ = 0;
  fetching_ = 0;
  fetch_from_.clear();
  higher_views_.clear();
  fetching_view_ = 0;
  // A write not completed is not durable, and what waited for it never leaves.
  in_flight_.reset();
  open_ = Write{};
  if (uses_disk_) restore(durable_);
  if (amnesia_) restore(DurableState{});
}

void Replica::on_message(const Params& p, const NodeView& v, NodeId from, const Message& m, Outbox<Message>& out) {
  recent_.clear();
  retired_.clear();
  const bool from_replica = p.is_replica(from) && from != v.self;
  if (const auto* r = std::get_if<Request>(&m)) return on_request(p, v, from, *r, out);
  if (!from_replica) return;
  std::visit(
      [&](const auto& msg) {
        using T = std::decay_t<decltype(msg)>;
        if constexpr (std::is_same_v<T, PrePrepare>) on_pre_prepare(p, v, from, msg, out);
        else if constexpr (std::is_same_v<T, Prepare>) on_vote(p, v, from, msg, false, out);
        else if constexpr (std::is_same_v<T, Commit>) on_vote(p, v, from, msg, true, out);
        else if constexpr (std::is_same_v<T, Checkpoint>) on_checkpoint(p, v, from, msg, out);
        else if constexpr (std::is_same_v<T, ViewChange>) on_view_change(p, v, from, msg, out);
        else if constexpr (std::is_same_v<T, NewView>) on_new_view(p, v, msg, out);
        else if constexpr (std::is_same_v<T, FetchState>) on_fetch_state(p, from, msg, out);
        else if constexpr (std::is_same_v<T, StateReply>) on_state_reply(p, v, msg, out);
        else if constexpr (std::is_same_v<T, FetchCommitted>) on_fetch_committed(p, from, msg, out);
        else if constexpr (std::is_same_v<T, CommitProof>) on_commit_proof(p, v, msg, out);
        else if constexpr (std::is_same_v<T, FetchNewView>) {
          if (last_new_view_ && last_new_view_->view >= msg.view) out.send(from, *last_new_view_);
        } else if constexpr (std::is_same_v<T, FetchViewChange>) on_fetch_view_change(v, from, msg, out);
      },
      m);
}

void Replica::on_timer(const Params& p, const NodeView& v, TimerId id, Outbox<Message>& out) {
  recent_.clear();
  retired_.clear();
  switch (id) {
    case kViewChangeTimer:
      request_timer_running_ = false;
      if (!in_view_change_ && fetching_) {
        // We are fetching a stable checkpoint's state: the others got that far without us,
        // so the view works and we are the ones behind (we missed messages while down or
        // cut off). Blaming the primary would only take us out of the view.
        restart_request_timer(p, out);
        break;
      }
      // The primary did not get a request executed in time, or the view change stalled.
      if (in_view_change_ || !waiting_.empty()) start_view_change(p, v, view_ + 1, out);
      break;
    case kBatchTimer:
      batch_timer_running_ = false;
      maybe_propose(p, v, true, out);
      break;
    case kStatusTimer:
      status_timer_running_ = false;
      on_status_tick(p, v, out);
      break;
    default:
      break;
  }
}

// The status tick (every status_interval while there is something to chase) stands in for
// the retransmissions of Castro's thesis §5.2: without it one lost message can stall a slot
// in every view, since with f replicas silent each of the others' votes is needed.
void Replica::arm_status(const Params& p, Outbox<Message>& out) {
  if (status_timer_running_) return;
  status_timer_running_ = true;
  out.set_timer(kStatusTimer, p.status_interval);
}

void Replica::on_status_tick(const Params& p, const NodeView& v, Outbox<Message>& out) {
  if (in_view_change_ && ++vc_ticks_ * p.status_interval.ns >= p.view_change_timeout.ns) {
    // VIEW-CHANGEs are retransmitted until the view starts (lost ones would leave correct
    // replicas waiting in different views for ever), once per view-change timeout and only
    // to the new primary and to replicas not yet heard asking for this view or a later
    // one: a VIEW-CHANGE carries every prepared certificate, and verifying one costs a
    // receiver hundreds of signature checks.
    //
    // Having heard from a replica does not mean it has heard from us, though: three correct
    // replicas can each hold one other's VIEW-CHANGE and miss the third's (r0 holds r3's, r3
    // r2's, r2 r0's), each re-sending only to the one it lacks, which already holds it.
    // None reaches 2f+1, so no view-change timer starts (§4.5.2), and with the new primary
    // faulty the view change never ends (chaos seed 3540). So we also ask every replica we
    // have not heard from for its VIEW-CHANGE: the receiver-driven half of Castro's thesis
    // §5.2, where a status message tells the others which VIEW-CHANGEs are missing.
    vc_ticks_ = 0;
    auto own = view_changes_[view_].find(v.self);
    for (NodeId r = 0; r < p.replicas; ++r) {
      if (r == v.self) continue;
      bool heard = false;
      for (auto it = view_changes_.lower_bound(view_); it != view_changes_.end() && !heard; ++it)
        heard = it->second.contains(r);
      if (own != view_changes_[view_].end() && (!heard || r == p.primary(view_))) send_durable(r, own->second, out);
      if (!heard) out.send(r, FetchViewChange{view_});
    }
  }
  if (fetching_) request_state(p, out);
  if (gap_asked_) {
    gap_asked_ = 0;  // ask again if the gap is still there
    fill_gap(p, v, out);
  }
  if (fetching_view_ > active_view_ && !higher_views_.empty()) {
    // Ask a replica seen in a higher view for its NEW-VIEW.
    auto it = higher_views_.upper_bound(static_cast<NodeId>(v.rng->below(p.replicas)));
    if (it == higher_views_.end()) it = higher_views_.begin();
    out.send(it->first, FetchNewView{fetching_view_});
  }
  // The next slot to execute made no progress for a whole tick: send our part again.
  const Seq next = last_executed_ + 1;
  bool stalled = false;
  if (!in_view_change_ && next == stalled_seq_) {
    for (auto it = log_.find(next); it != log_.end() && it->first < next + 16; ++it) {
      Slot& s = it->second;
      if (s.committed || !s.has_pre_prepare || s.view != view_) continue;
      stalled = true;
      if (p.primary(view_) == v.self)
        multicast_durable(p, v, PrePrepare{view_, it->first, s.digest, s.batch, s.pre_prepare_sig, auth_bytes(p)}, out);
      if (auto own = s.prepares.find(v.self); own != s.prepares.end() && own->second.view == view_)
        multicast_durable(p, v, Prepare{own->second}, out);
      if (auto own = s.commits.find(v.self); own != s.commits.end() && own->second.view == view_)
        multicast_durable(p, v, Commit{own->second}, out);
    }
  }
  stalled_seq_ = next;
  if (stalled || in_view_change_ || fetching_ || gap_asked_ || fetching_view_ > active_view_ || !waiting_.empty())
    arm_status(p, out);
}

// Slots after ours committed while ours did not: we missed its messages. Ask everyone for
// the commit certificates of the gap (once per status interval).
// `evidence`: a slot a quorum committed that we could not (we lack its pre-prepare).
void Replica::fill_gap(const Params& p, const NodeView& v, Outbox<Message>& out, Seq evidence) {
  const Seq next = last_executed_ + 1;
  if (gap_asked_ == next) return;
  auto own = log_.find(next);
  if (own != log_.end() && own->second.committed) return;
  auto it = log_.upper_bound(next);
  while (it != log_.end() && !it->second.committed) ++it;
  const Seq last = std::max(it == log_.end() ? 0 : it->first - 1, evidence);
  if (last < next) return;
  gap_asked_ = next;
  multicast(p, v, FetchCommitted{next, last}, out);
  arm_status(p, out);
}

void Replica::on_fetch_committed(const Params&, NodeId from, const FetchCommitted& f, Outbox<Message>& out) {
  for (auto it = log_.lower_bound(f.first); it != log_.end() && it->first <= f.last; ++it) {
    const Slot& s = it->second;
    if (!s.committed || s.commit_certificate.empty()) continue;
    out.send(from, CommitProof{s.committed_view, it->first, s.committed_digest, s.committed_batch, s.commit_certificate});
  }
}

// Another replica changing to f.view lacks our VIEW-CHANGE (see on_status_tick): ours, if
// we are changing to that view or a later one (a later one counts for its timer and its
// f+1 rule too), or the NEW-VIEW if we entered such a view already (it proves itself).
void Replica::on_fetch_view_change(const NodeView& v, NodeId from, const FetchViewChange& f, Outbox<Message>& out) {
  if (in_view_change_ && view_ >= f.view) {
    auto vcs = view_changes_.find(view_);
    if (vcs == view_changes_.end()) return;
    if (auto own = vcs->second.find(v.self); own != vcs->second.end()) send_durable(from, own->second, out);
  } else if (last_new_view_ && last_new_view_->view >= f.view) {
    out.send(from, *last_new_view_);
  }
}

void Replica::on_commit_proof(const Params& p, const NodeView& v, const CommitProof& proof, Outbox<Message>& out) {
  if (proof.seq <= last_executed_ || !in_window(p, proof.seq)) return;
  auto it = log_.find(proof.seq);
  if (it != log_.end() && it->second.committed) return;
  if (!valid_commit_proof(p, proof)) return;
  log_[proof.seq].commit(proof.view, proof.digest, proof.batch, proof.commits);
  if (gap_asked_ == proof.seq) gap_asked_ = 0;
  execute_ready(p, v, out);
}

uint16_t Replica::auth_bytes(const Params& p) const {
  return p.authentication == Authentication::signatures ? kSigBytes : kMacBytes;
}

// A signature used only as evidence in later certificates costs its computation only
// when the scenario authenticates with signatures (OSDI); with MACs (TOCS) the normal case
// pays for MACs, charged per send by the processing model.
void Replica::charge_signature(const Params& p, Outbox<Message>& out) const {
  if (p.authentication == Authentication::signatures) out.busy(p.costs.sign);
}

void Replica::multicast(const Params& p, const NodeView& v, const Message& m, Outbox<Message>& out) {
  for (NodeId r = 0; r < p.replicas; ++r)
    if (r != v.self) out.send(r, m);
}

void Replica::wait_for(const Params& p, const Request& r, Outbox<Message>& out) {
  if (store_.seen(r.cmd.client, r.cmd.seq)) return;
  waiting_.try_emplace({r.cmd.client, r.cmd.seq}, r);
  arm_status(p, out);
  if (!request_timer_running_ && !in_view_change_) {
    request_timer_running_ = true;
    out.set_timer(kViewChangeTimer, view_change_timeout(p));
  }
}

// §4.4: stop the timer when no longer waiting, restart it if still waiting for others.
void Replica::restart_request_timer(const Params& p, Outbox<Message>& out) {
  if (in_view_change_) return;
  if (waiting_.empty()) {
    if (request_timer_running_) out.cancel_timer(kViewChangeTimer);
    request_timer_running_ = false;
    return;
  }
  request_timer_running_ = true;
  out.set_timer(kViewChangeTimer, view_change_timeout(p));
}

void Replica::on_request(const Params& p, const NodeView& v, NodeId from, const Request& r, Outbox<Message>& out) {
  if (!valid_request(r)) return;
  const RequestId id{r.cmd.client, r.cmd.seq};
  if (const kv::Outcome* done = store_.result(r.cmd.client, r.cmd.seq)) {
    // Executed already: the reply was lost or the client retransmitted (§4.1).
    if (from == r.cmd.client) send_durable(from, Reply{active_view_, r.cmd.seq, *done, auth_bytes(p)}, out);
    return;
  }
  if (store_.seen(r.cmd.client, r.cmd.seq)) return;
  if (r.cmd.kind != kv::OpKind::get && refuses_writes(p)) return refuse_write(p, r, out);
  wait_for(p, r, out);
  if (in_view_change_) return;
  if (p.primary(view_) != v.self) {
    // A backup relays a request the client sent it to the primary (§4.1).
    if (from == r.cmd.client) out.send(p.primary(view_), r);
    return;
  }
  if (proposed_.contains(id) || std::any_of(queue_.begin(), queue_.end(), [&](const Request& q) {
        return q.cmd.client == id.first && q.cmd.seq == id.second;
      }))
    return;
  queue_.push_back(r);
  maybe_propose(p, v, false, out);
}

// Issue 13's partition handling: a replica whose node lost its majority (membership's
// ReadOnlyView) takes no new write in. It neither relays nor queues it nor waits on it
// (no view-change timer for it), and tells the client, which gives the write up once f+1
// replicas refused it (client.cpp). pBFT alone would not commit a write on a minority of
// replicas either, but the client would wait without end, and a service without a quorum
// protocol would accept it and diverge. Reads still go through the protocol as usual.
void Replica::refuse_write(const Params& p, const Request& r, Outbox<Message>& out) {
  waiting_.erase({r.cmd.client, r.cmd.seq});
  if (waiting_.empty() && request_timer_running_ && !in_view_change_) {
    out.cancel_timer(kViewChangeTimer);
    request_timer_running_ = false;
  }
  Reply reply;
  reply.view = active_view_;
  reply.seq = r.cmd.seq;
  reply.refused_read_only = true;
  reply.auth = auth_bytes(p);
  out.send(r.cmd.client, reply);
  out.note(kNoteWriteRefusedReadOnly, static_cast<int64_t>(r.cmd.client));
}

// Writes queued while the node was writable are refused when the primary next proposes
// while read-only, so no pre-prepare of a read-only primary carries a write.
void Replica::refuse_queued_writes(const Params& p, Outbox<Message>& out) {
  std::deque<Request> kept;
  for (Request& r : queue_) {
    if (r.cmd.kind == kv::OpKind::get) kept.push_back(std::move(r));
    else refuse_write(p, r, out);
  }
  queue_ = std::move(kept);
}

// The primary proposes a full batch at once and a partial one when the batch timeout
// fires, as long as the sequence number stays within the high water mark.
void Replica::maybe_propose(const Params& p, const NodeView& v, bool timeout, Outbox<Message>& out) {
  if (!is_primary(p, v.self)) return;
  if (refuses_writes(p)) refuse_queued_writes(p, out);
  while (!queue_.empty() && next_seq_ <= low_ + p.log_window &&
         (queue_.size() >= p.batch_size || timeout)) {
    PrePrepare pp;
    pp.view = view_;
    pp.seq = next_seq_++;
    const size_t take = std::min<size_t>(p.batch_size, queue_.size());
    for (size_t i = 0; i < take; ++i) {
      proposed_.insert({queue_.front().cmd.client, queue_.front().cmd.seq});
      pp.batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    pp.digest = batch_digest(pp.batch);
    pp.sig = sign(v.self, pre_prepare_statement(pp.view, pp.seq, pp.digest));
    pp.auth = auth_bytes(p);
    charge_signature(p, out);
    out.busy(Duration{p.costs.digest_per_kib.ns * static_cast<int64_t>(pp.wire_bytes()) / 1024});
    out.note(kNoteProposed, static_cast<int64_t>(pp.batch.size()));
    if (std::any_of(pp.batch.begin(), pp.batch.end(), [](const Request& r) { return r.cmd.kind != kv::OpKind::get; }))
      out.note(kNoteWriteProposed, static_cast<int64_t>(pp.seq));
    accept_pre_prepare(pp);
    must_persist(pp.wire_bytes());
    multicast_durable(p, v, pp, out);
  }
  if (!queue_.empty() && !batch_timer_running_) {
    batch_timer_running_ = true;
    out.set_timer(kBatchTimer, p.batch_timeout);
  }
}

void Replica::on_pre_prepare(const Params& p, const NodeView& v, NodeId from, const PrePrepare& pp,
                             Outbox<Message>& out) {
  note_higher_view(p, v, from, pp.view, out);
  if (from != p.primary(pp.view) || !in_window(p, pp.seq)) return;
  if (pp.view > active_view_ && (in_view_change_ || pp.view > view_)) {
    // The new primary's first proposals can overtake its NEW-VIEW: keep them until then.
    PrePrepare& early = early_pre_prepares_[pp.seq];
    if (pp.view >= early.view) early = pp;
    return;
  }
  if (in_view_change_ || pp.view != view_) return;
  if (!verify(from, pre_prepare_statement(pp.view, pp.seq, pp.digest), pp.sig)) return;
  if (pp.digest != batch_digest(pp.batch)) return;
  for (const Request& r : pp.batch)
    if (!valid_request(r)) return;
  auto it = log_.find(pp.seq);
  if (it != log_.end() && it->second.has_pre_prepare && it->second.view == pp.view) return;  // first one stands
  for (const Request& r : pp.batch) wait_for(p, r, out);
  accept_pre_prepare(pp);
  Prepare prep;
  prep.view = pp.view;
  prep.seq = pp.seq;
  prep.digest = pp.digest;
  prep.sig = sign(v.self, vote_statement(Stmt::prepare, pp.view, pp.seq, pp.digest));
  prep.auth = auth_bytes(p);
  charge_signature(p, out);
  log_[pp.seq].prepares[v.self] = prep;
  must_persist(pp.wire_bytes() + prep.wire_bytes());
  multicast_durable(p, v, prep, out);
  check_prepared(p, v, pp.seq, out);
}

void Replica::accept_pre_prepare(const PrePrepare& pp) {
  Slot& s = log_[pp.seq];
  s.has_pre_prepare = true;
  s.view = pp.view;
  s.digest = pp.digest;
  s.batch = pp.batch;
  s.pre_prepare_sig = pp.sig;
  s.prepared = false;
}

void Replica::on_vote(const Params& p, const NodeView& v, NodeId from, const Vote& vote, bool commit,
                      Outbox<Message>& out) {
  note_higher_view(p, v, from, vote.view, out);
  if (vote.view < view_ || !in_window(p, vote.seq)) return;
  if (!verify(from, vote_statement(commit ? Stmt::commit : Stmt::prepare, vote.view, vote.seq, vote.digest), vote.sig))
    return;
  if (!commit && from == p.primary(vote.view)) return;  // the primary's pre-prepare is its vote
  Slot& s = log_[vote.seq];
  (commit ? s.commits : s.prepares)[from] = vote;
  if (commit && !s.committed && vote.seq > last_executed_ + 1 && (!s.has_pre_prepare || s.view != vote.view) &&
      matching(s.commits, vote.view, vote.digest) >= p.quorum())
    fill_gap(p, v, out, vote.seq);  // a quorum decided a slot we cannot: we missed messages
  if (in_view_change_ || vote.view != view_) return;
  commit ? check_committed(p, v, vote.seq, out) : check_prepared(p, v, vote.seq, out);
}


// prepared(m, v, n, i): the pre-prepare and 2f matching prepares from distinct backups.
void Replica::check_prepared(const Params& p, const NodeView& v, Seq seq, Outbox<Message>& out) {
  auto it = log_.find(seq);
  if (it == log_.end()) return;
  Slot& s = it->second;
  if (!s.has_pre_prepare || s.view != view_ || s.prepared) return;
  if (matching(s.prepares, view_, s.digest) < 2 * p.f()) return;
  s.prepared = true;
  PreparedProof proof{view_, seq, s.digest, s.batch, s.pre_prepare_sig, {}};
  for (const auto& [r, vote] : s.prepares)
    if (vote.view == view_ && vote.digest == s.digest && proof.prepares.size() < 2 * p.f())
      proof.prepares.push_back(Signer{r, vote.sig});
  must_persist(proof.wire_bytes());
  s.proof = std::move(proof);
  Commit c;
  c.view = view_;
  c.seq = seq;
  c.digest = s.digest;
  c.sig = sign(v.self, vote_statement(Stmt::commit, view_, seq, s.digest));
  c.auth = auth_bytes(p);
  charge_signature(p, out);
  s.commits[v.self] = c;
  must_persist(c.wire_bytes());
  multicast_durable(p, v, c, out);
  check_committed(p, v, seq, out);
}

// committed-local(m, v, n, i): prepared and 2f+1 matching commits, its own included.
void Replica::check_committed(const Params& p, const NodeView& v, Seq seq, Outbox<Message>& out) {
  auto it = log_.find(seq);
  if (it == log_.end()) return;
  Slot& s = it->second;
  if (!s.prepared || s.view != view_ || s.committed) return;
  if (matching(s.commits, view_, s.digest) < p.quorum()) return;
  std::vector<Signer> certificate;
  for (const auto& [r, vote] : s.commits)
    if (vote.view == view_ && vote.digest == s.digest && certificate.size() < p.quorum())
      certificate.push_back(Signer{r, vote.sig});
  s.commit(view_, s.digest, s.batch, std::move(certificate));
  execute_ready(p, v, out);
}

void Replica::execute_ready(const Params& p, const NodeView& v, Outbox<Message>& out) {
  bool progressed = false;
  for (auto it = log_.find(last_executed_ + 1); it != log_.end() && it->first == last_executed_ + 1 && it->second.committed;
       it = log_.find(last_executed_ + 1)) {
    const Slot& s = it->second;
    for (const Request& r : s.committed_batch) {
      const bool fresh = !store_.seen(r.cmd.client, r.cmd.seq);
      kv::Outcome outcome = store_.apply(r.cmd);
      if (fresh || store_.result(r.cmd.client, r.cmd.seq))
        send_durable(r.cmd.client, Reply{view_, r.cmd.seq, outcome, auth_bytes(p)}, out);
      waiting_.erase({r.cmd.client, r.cmd.seq});
      proposed_.erase({r.cmd.client, r.cmd.seq});
    }
    out.busy(Duration{p.costs.execute.ns * static_cast<int64_t>(s.committed_batch.size())});
    last_executed_ = it->first;
    recent_.push_back(Execution{it->first, s.committed_digest, s.committed_batch});
    out.note(kNoteExecuted, static_cast<int64_t>(it->first));
    progressed = true;
    if (last_executed_ % p.checkpoint_interval == 0) take_checkpoint(p, v, out);
  }
  fill_gap(p, v, out);
  if (!progressed) return;
  if (!in_view_change_) failed_views_ = 0;
  // Requests executed elsewhere (state transfer) or proposed twice no longer count.
  std::erase_if(waiting_, [&](const auto& e) { return store_.seen(e.first.first, e.first.second); });
  restart_request_timer(p, out);
}

// f+1 replicas working in a view above ours: at least one is honest, so that view was
// entered and we missed its NEW-VIEW (we were down or cut off). Ask for it.
void Replica::note_higher_view(const Params& p, const NodeView&, NodeId from, View seen, Outbox<Message>& out) {
  if (seen <= active_view_ || (in_view_change_ && seen < view_)) return;
  View& h = higher_views_[from];
  h = std::max(h, seen);
  std::erase_if(higher_views_, [&](const auto& e) { return e.second <= active_view_; });
  if (higher_views_.size() < p.f() + 1) return;
  View lowest = higher_views_.begin()->second;
  for (const auto& [r, view] : higher_views_) lowest = std::min(lowest, view);
  if (fetching_view_ >= lowest) return;
  fetching_view_ = lowest;
  for (const auto& [r, view] : higher_views_) out.send(r, FetchNewView{lowest});
  arm_status(p, out);
}

}  // namespace meshsim::pbft
