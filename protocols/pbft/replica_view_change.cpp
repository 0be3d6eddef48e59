// The view change (OSDI 1999 §4.4): VIEW-CHANGE with the stable checkpoint and prepared
// certificates, NEW-VIEW with the pre-prepares recomputed by every replica, timeouts that
// double per failed view, and joining a view change on f+1 VIEW-CHANGEs for higher views.
#include <algorithm>
#include <set>

#include "protocols/pbft/certificates.h"
#include "protocols/pbft/replica.h"

namespace meshsim::pbft {

// T doubles with each view change that passes without a request executing (§4.5.2), so a
// run of faulty primaries cannot keep the correct replicas changing views for ever. The cap
// (not in the paper; implementations have one) bounds the wait after a long partition.
Duration Replica::view_change_timeout(const Params& p) const {
  const int64_t t = p.view_change_timeout.ns << std::min<uint32_t>(failed_views_ > 0 ? failed_views_ - 1 : 0, 20);
  return Duration{std::min(t, std::max(p.view_change_timeout_max.ns, p.view_change_timeout.ns))};
}

void Replica::start_view_change(const Params& p, const NodeView& v, View target, Outbox<Message>& out) {
  if (target <= view_ && (in_view_change_ || target <= active_view_)) return;
  view_ = target;
  in_view_change_ = true;
  ++failed_views_;
  queue_.clear();
  proposed_.clear();
  batch_timer_running_ = false;
  request_timer_running_ = false;
  out.cancel_timer(kBatchTimer);

  ViewChange vc;
  vc.new_view = target;
  vc.replica = v.self;
  vc.stable_seq = low_;
  vc.stable_state = stable_state_;
  vc.stable_proof = low_ == 0 ? std::vector<Signer>{} : stable_proof_;
  for (const auto& [seq, slot] : log_)
    if (slot.proof && seq > low_) vc.prepared.push_back(*slot.proof);
  vc.sig = sign(v.self, view_change_statement(vc));
  out.busy(p.costs.sign);
  out.note(kNoteViewChangeStarted, static_cast<int64_t>(target));
  view_changes_[target][v.self] = vc;
  must_persist(vc.wire_bytes());
  multicast_durable(p, v, vc, out);
  vc_ticks_ = 0;
  out.cancel_timer(kViewChangeTimer);
  arm_status(p, out);
  arm_view_change_timer(p, out);
  try_new_view(p, v, out);
}

// §4.5.2: the wait for NEW-VIEW starts only once 2f+1 VIEW-CHANGEs for the view are in.
// A replica cut off from the others therefore stays asking for the next view instead of
// climbing views alone, and rejoins as soon as it hears the view the others entered.
void Replica::arm_view_change_timer(const Params& p, Outbox<Message>& out) {
  if (!in_view_change_ || vc_timer_view_ == view_) return;
  // A replica asking for a later view has given up on this one too: it counts.
  std::set<NodeId> gave_up;
  for (auto it = view_changes_.lower_bound(view_); it != view_changes_.end(); ++it)
    for (const auto& [r, vc] : it->second) gave_up.insert(r);
  if (gave_up.size() < p.quorum()) return;
  vc_timer_view_ = view_;
  out.set_timer(kViewChangeTimer, view_change_timeout(p));
}

void Replica::on_view_change(const Params& p, const NodeView& v, NodeId from, const ViewChange& vc,
                             Outbox<Message>& out) {
  if (vc.replica != from) return;
  if (vc.new_view <= active_view_ && last_new_view_ && last_new_view_->view >= vc.new_view) {
    // It missed the NEW-VIEW of a view we entered (even if we have moved on since); a
    // NEW-VIEW proves itself, so any replica may pass it on.
    out.send(from, *last_new_view_);
    return;
  }
  if (vc.new_view <= active_view_) return;
  if (!valid_view_change(p, vc)) return;
  view_changes_[vc.new_view][from] = vc;
  arm_view_change_timer(p, out);

  // Join: f+1 replicas want a view above ours, so at least one correct replica does.
  const View floor = in_view_change_ ? view_ : active_view_;
  std::map<NodeId, View> above;
  for (const auto& [view, senders] : view_changes_)
    if (view > floor)
      for (const auto& [r, msg] : senders)
        if (r != v.self) above[r] = above.contains(r) ? std::min(above[r], view) : view;
  if (above.size() >= p.f() + 1) {
    View smallest = above.begin()->second;
    for (const auto& [r, view] : above) smallest = std::min(smallest, view);
    start_view_change(p, v, smallest, out);
  }
  try_new_view(p, v, out);
}

// The new primary, with 2f+1 VIEW-CHANGEs for its view (its own among them), announces it.
void Replica::try_new_view(const Params& p, const NodeView& v, Outbox<Message>& out) {
  if (!in_view_change_ || p.primary(view_) != v.self) return;
  auto it = view_changes_.find(view_);
  if (it == view_changes_.end() || it->second.size() < p.quorum() || !it->second.contains(v.self)) return;
  NewView nv;
  nv.view = view_;
  // Our own first, then the lowest ids: any 2f+1 valid ones make a valid V.
  nv.view_changes.push_back(it->second.at(v.self));
  for (const auto& [r, vc] : it->second)
    if (r != v.self && nv.view_changes.size() < p.quorum()) nv.view_changes.push_back(vc);
  nv.pre_prepares = compute_new_view(p, view_, v.self, nv.view_changes);
  nv.sig = sign(v.self, new_view_statement(nv));
  out.busy(Duration{p.costs.sign.ns * static_cast<int64_t>(1 + nv.pre_prepares.size())});
  must_persist(nv.wire_bytes());
  multicast_durable(p, v, nv, out);
  enter_view(p, v, nv, out);
}

void Replica::on_new_view(const Params& p, const NodeView& v, const NewView& nv, Outbox<Message>& out) {
  if (nv.view <= active_view_ || (in_view_change_ && nv.view < view_)) return;
  if (!valid_new_view(p, nv)) return;
  must_persist(nv.wire_bytes());
  enter_view(p, v, nv, out);
}

void Replica::enter_view(const Params& p, const NodeView& v, const NewView& nv, Outbox<Message>& out) {
  view_ = active_view_ = nv.view;
  in_view_change_ = false;
  last_new_view_ = nv;
  fetching_view_ = 0;
  higher_views_.clear();
  view_changes_.erase(view_changes_.begin(), view_changes_.upper_bound(view_));
  out.note(kNoteNewView, static_cast<int64_t>(view_));

  // Adopt the newest stable checkpoint V proves, fetching its state if we lack it.
  const ViewChange& top = highest_checkpoint(nv.view_changes);
  if (top.stable_seq > low_) make_stable(p, v, top.stable_seq, top.stable_state, top.stable_proof, out);

  // Pre-prepares of earlier views no longer count; prepared certificates and commits stay.
  for (auto& [seq, slot] : log_) {
    slot.has_pre_prepare = false;
    slot.prepared = false;
  }
  const bool primary = p.primary(view_) == v.self;
  Seq max_s = low_;
  for (const PrePrepare& pp : nv.pre_prepares) {
    max_s = std::max(max_s, pp.seq);
    if (!in_window(p, pp.seq)) continue;
    accept_pre_prepare(pp);
    for (const Request& r : pp.batch) wait_for(p, r, out);
    if (!primary) {
      Prepare prep;
      prep.view = view_;
      prep.seq = pp.seq;
      prep.digest = pp.digest;
      prep.sig = sign(v.self, vote_statement(Stmt::prepare, view_, pp.seq, pp.digest));
      prep.auth = auth_bytes(p);
      charge_signature(p, out);
      log_[pp.seq].prepares[v.self] = prep;
      multicast_durable(p, v, prep, out);
    }
  }
  for (const PrePrepare& pp : nv.pre_prepares)
    if (in_window(p, pp.seq)) check_prepared(p, v, pp.seq, out);

  // Proposals of this view that arrived before its NEW-VIEW.
  std::map<Seq, PrePrepare> early;
  early.swap(early_pre_prepares_);
  for (const auto& [seq, pp] : early)
    if (pp.view == view_ && !primary) on_pre_prepare(p, v, p.primary(view_), pp, out);

  if (primary) {
    // Numbers above max-s prepared nowhere in a quorum, so none committed: reuse them.
    next_seq_ = max_s + 1;
    // Requests we know of that O does not carry are proposed afresh.
    for (const PrePrepare& pp : nv.pre_prepares)
      for (const Request& r : pp.batch) proposed_.insert({r.cmd.client, r.cmd.seq});
    for (const auto& [id, r] : waiting_)
      if (!proposed_.contains(id)) queue_.push_back(r);
    maybe_propose(p, v, true, out);
  }
  request_timer_running_ = false;
  out.cancel_timer(kViewChangeTimer);
  restart_request_timer(p, out);
}

}  // namespace meshsim::pbft
