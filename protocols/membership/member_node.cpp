#include "protocols/membership/member_node.h"

#include <algorithm>
#include <bit>

namespace meshsim::membership {

namespace {

bool is_live(Status s) { return s == Status::alive || s == Status::suspect; }

// SWIM §4.1: an update is piggybacked a bounded number of times, λ·log n, enough for an
// infection-style spread to reach every member with high probability.
uint32_t retransmit_budget(const Params& p, uint32_t n) {
  return p.retransmit_mult * static_cast<uint32_t>(std::bit_width(n + 1u));
}

Duration effective_suspicion_timeout(const Params& p) {
  // The fixed-timeout detector has no suspicion phase: an accusation is a verdict.
  return p.detector == Detector::fixed_timeout ? Duration{} : p.suspicion_timeout;
}

}  // namespace

void MemberNode::ensure_size(const NodeView& v) {
  if (members_.size() < v.node_count) members_.resize(v.node_count);
}

void MemberNode::set_status(NodeId member, Status s) {
  Member& m = members_[member];
  live_count_ -= is_live(m.status);
  agreed_alive_ -= m.agreed && is_live(m.status);
  m.status = s;
  live_count_ += is_live(s);
  agreed_alive_ += m.agreed && is_live(s);
}

// The agreed membership grows with every member learned. It shrinks only all at once, when
// the view is quiet (no suspicion pending) and the members held alive are a majority of
// it (maybe_commit_agreed): the majority side of a partition then drops the minority, while
// the minority, never a majority, keeps the old membership and stays read-only until the
// heal. Shrinking it failure by failure would let the minority evict the majority one
// member at a time and both sides accept writes.
void MemberNode::set_agreed(NodeId member, bool agreed) {
  Member& m = members_[member];
  if (m.agreed == agreed) return;
  agreed_count_ += agreed ? 1 : -1;
  if (is_live(m.status)) agreed_alive_ += agreed ? 1 : -1;
  m.agreed = agreed;
}

void MemberNode::maybe_commit_agreed() {
  if (!suspicions_.empty() || agreed_alive_ == agreed_count_ || 2 * agreed_alive_ <= agreed_count_) return;
  for (NodeId m = 0; m < members_.size(); ++m)
    if (members_[m].agreed && (members_[m].status == Status::failed || members_[m].status == Status::left)) set_agreed(m, false);
}

void MemberNode::note_read_only_change(bool was, MemberOutbox& out) const {
  if (read_only() != was) out.note(kNoteReadOnly, read_only() ? 1 : 0);
}

uint32_t MemberNode::accusers_of(NodeId member) const {
  auto it = suspicions_.find(member);
  return it == suspicions_.end() ? 0 : static_cast<uint32_t>(it->second.accusers.size());
}

void MemberNode::start(const Params& p, const NodeView& v, MemberOutbox& out) {
  ensure_size(v);
  members_[v.self].incarnation = incarnation_;
  set_status(v.self, Status::alive);
  set_agreed(v.self, true);
  // A node starts knowing only the seeds; everything else it learns from them.
  bool is_seed = false;
  for (NodeId s : p.seeds) {
    if (s == v.self) {
      is_seed = true;
    } else if (s < v.node_count && members_[s].status == Status::unknown) {
      set_status(s, Status::alive);
      set_agreed(s, true);
      out.note(kNoteLearned, s);
    }
  }
  joined_ = is_seed;
  if (!joined_) send_join(p, v, out);
  // Random phases keep the nodes' protocol periods from ticking in lockstep.
  out.set_timer(kProbeTimer, Duration{1 + static_cast<int64_t>(v.rng->below(static_cast<uint64_t>(p.period.ns)))});
  out.set_timer(kSyncTimer, Duration{1 + static_cast<int64_t>(v.rng->below(static_cast<uint64_t>(p.sync_interval.ns)))});
}

void MemberNode::crash() {
  members_.clear();
  suspicions_.clear();
  certificates_.clear();
  watched_.clear();
  queue_.clear();
  probe_order_.clear();
  probe_cursor_ = 0;
  live_count_ = 0;
  agreed_count_ = 0;
  agreed_alive_ = 0;
  // The one durable field: a restarted node speaks at a higher incarnation than anything
  // said about its previous life, so its Alive outbids old suspicions (SWIM §4.2).
  ++incarnation_;
  probe_target_ = kNoNode;
  probe_acked_ = true;
  joined_ = false;
  seed_cursor_ = 0;
}

void MemberNode::send_join(const Params& p, const NodeView& v, MemberOutbox& out) {
  for (size_t tries = 0; tries < p.seeds.size(); ++tries) {
    NodeId seed = p.seeds[seed_cursor_++ % p.seeds.size()];
    if (seed == v.self || seed >= v.node_count) continue;
    out.send(seed, Join{incarnation_});
    break;
  }
  out.set_timer(kJoinTimer, p.join_timeout);
}

void MemberNode::on_timer(const Params& p, const NodeView& v, TimerId id, MemberOutbox& out) {
  const bool was_read_only = read_only();
  step_timer(p, v, id, out);
  note_read_only_change(was_read_only, out);
}

void MemberNode::step_timer(const Params& p, const NodeView& v, TimerId id, MemberOutbox& out) {
  switch (id) {
    case kJoinTimer:
      if (!joined_) send_join(p, v, out);
      break;
    case kProbeTimer:
      expire_suspicions(p, v, out);
      maybe_commit_agreed();
      if (p.detector == Detector::phi) {
        phi_tick(p, v, out);
        out.set_timer(kProbeTimer, p.period);
        break;
      }
      // SWIM §3.1: a target that neither answered the ping nor any ping-req by the end of
      // the protocol period is accused.
      if (!probe_acked_ && probe_target_ != kNoNode && is_live(status_of(probe_target_))) accuse(p, v, probe_target_, out);
      begin_probe(p, v, out);
      out.set_timer(kProbeTimer, p.period);
      break;
    case kPingTimeout:
      on_ping_timeout(p, v, out);
      break;
    case kSyncTimer: {
      // Serf's reconnect: half the exchanges go to a member held failed, when there is one.
      // A partition leaves each side holding the other failed; without this no message
      // would ever cross again after the heal, and the split would be permanent.
      NodeId peer = kNoNode;
      if (!certificates_.empty() && v.rng->chance(0.5)) peer = random_failed_member(v);
      if (peer == kNoNode) peer = random_live_member(v, kNoNode);
      if (peer != kNoNode) out.send(peer, member_list(false));
      out.set_timer(kSyncTimer, p.sync_interval);
      break;
    }
    default:
      break;
  }
}

void MemberNode::begin_probe(const Params& p, const NodeView& v, MemberOutbox& out) {
  probe_target_ = kNoNode;
  probe_acked_ = true;
  // SWIM §4.3: round-robin over a list shuffled at each pass bounds the time until every
  // member is probed by this node (at most 2n - 1 periods), unlike a fresh random pick.
  for (int pass = 0; pass < 2 && probe_target_ == kNoNode; ++pass) {
    while (probe_cursor_ < probe_order_.size()) {
      NodeId c = probe_order_[probe_cursor_++];
      if (c != v.self && is_live(status_of(c))) {
        probe_target_ = c;
        break;
      }
    }
    if (probe_target_ != kNoNode) break;
    probe_order_.clear();
    probe_cursor_ = 0;
    for (NodeId m = 0; m < members_.size(); ++m)
      if (m != v.self && is_live(members_[m].status)) probe_order_.push_back(m);
    for (size_t i = probe_order_.size(); i > 1; --i) std::swap(probe_order_[i - 1], probe_order_[v.rng->below(i)]);
  }
  if (probe_target_ == kNoNode) return;
  probe_acked_ = false;
  out.send(probe_target_, Ping{++probe_seq_, kNoNode, take_piggyback(p)});
  out.set_timer(kPingTimeout, p.ping_timeout);
}

void MemberNode::on_ping_timeout(const Params& p, const NodeView& v, MemberOutbox& out) {
  if (probe_acked_ || probe_target_ == kNoNode) return;
  if (p.detector == Detector::fixed_timeout) {
    accuse(p, v, probe_target_, out);
    probe_acked_ = true;  // the verdict is given; the period's end must not give it again
    return;
  }
  // SWIM §3.1: ask k other members to probe the target for us; one ack through any of them
  // clears it, so a single lossy or slow link does not condemn the target.
  std::vector<NodeId> helpers;
  for (uint32_t tries = 0; helpers.size() < p.indirect_k && tries < 2 * p.indirect_k; ++tries) {
    NodeId h = random_live_member(v, probe_target_);
    if (h != kNoNode && std::find(helpers.begin(), helpers.end(), h) == helpers.end()) helpers.push_back(h);
  }
  for (NodeId h : helpers) out.send(h, PingReq{probe_seq_, probe_target_, take_piggyback(p)});
}

void MemberNode::on_message(const Params& p, const NodeView& v, NodeId from, const Message& m, MemberOutbox& out) {
  ensure_size(v);
  if (members_.empty() || members_[v.self].status == Status::unknown) return;  // not started
  const bool was_read_only = read_only();
  std::visit(
      [&](const auto& msg) {
        using T = std::decay_t<decltype(msg)>;
        if constexpr (std::is_same_v<T, Ping>) handle_ping(p, v, from, msg, out);
        else if constexpr (std::is_same_v<T, Ack>) handle_ack(p, v, from, msg, out);
        else if constexpr (std::is_same_v<T, PingReq>) handle_ping_req(p, v, from, msg, out);
        else if constexpr (std::is_same_v<T, Join>) handle_join(p, v, from, msg, out);
        else handle_member_list(p, v, from, msg, out);
      },
      m);
  note_read_only_change(was_read_only, out);
}

void MemberNode::handle_ping(const Params& p, const NodeView& v, NodeId from, const Ping& m, MemberOutbox& out) {
  for (const Update& u : m.updates) apply(p, v, u, out);
  out.send(from, Ack{m.seq, m.origin, take_piggyback(p)});
}

void MemberNode::handle_ack(const Params& p, const NodeView& v, NodeId from, const Ack& m, MemberOutbox& out) {
  for (const Update& u : m.updates) apply(p, v, u, out);
  if (m.origin != kNoNode && m.origin != v.self) {
    // We probed on someone's behalf: pass the target's answer on (SWIM §3.1).
    out.send(m.origin, Ack{m.seq, kNoNode, take_piggyback(p)});
    return;
  }
  if (m.seq == probe_seq_) probe_acked_ = true;
  if (auto it = watched_.find(from); it != watched_.end() && m.origin == kNoNode) it->second.heartbeat(v.now.ns);
}

// Phi accrual on a monitoring ring: node i watches the next `monitors` live members after
// it by id, so every member has about that many monitors and a quorum q of them is the
// issue's "q of the node's m monitors". Each period it pings them all (the heartbeat); the
// acks' inter-arrival times feed each watched member's window (Hayashibara §4).
void MemberNode::phi_tick(const Params& p, const NodeView& v, MemberOutbox& out) {
  std::map<NodeId, PhiWindow> next;
  const uint32_t n = static_cast<uint32_t>(members_.size());
  for (uint32_t step = 1; step < n && next.size() < p.monitors; ++step) {
    const NodeId c = static_cast<NodeId>((v.self + step) % n);
    if (!is_live(members_[c].status)) continue;
    auto it = watched_.find(c);
    next.emplace(c, it != watched_.end() ? it->second : PhiWindow{});
  }
  watched_ = std::move(next);
  for (auto& [member, window] : watched_) {
    if (!window.started()) window.heartbeat(v.now.ns);  // monitoring starts now
    const double phi = window.phi(v.now.ns, static_cast<double>(p.period.ns), static_cast<double>(p.phi_min_std.ns));
    if (phi > p.phi_threshold) accuse(p, v, member, out);
    out.send(member, Ping{++probe_seq_, kNoNode, take_piggyback(p)});
  }
}

void MemberNode::handle_ping_req(const Params& p, const NodeView& v, NodeId from, const PingReq& m, MemberOutbox& out) {
  for (const Update& u : m.updates) apply(p, v, u, out);
  if (m.target < v.node_count && m.target != v.self) out.send(m.target, Ping{m.seq, from, take_piggyback(p)});
}

void MemberNode::handle_join(const Params& p, const NodeView& v, NodeId from, const Join& m, MemberOutbox& out) {
  if (m.incarnation <= kMaxIncarnation) apply_alive(p, v, from, m.incarnation, /*spread=*/true, out);
  out.send(from, member_list(true));
}

void MemberNode::handle_member_list(const Params& p, const NodeView& v, NodeId from, const MemberList& m,
                                    MemberOutbox& out) {
  for (const Entry& e : m.entries) {
    if (e.member >= v.node_count || e.incarnation > kMaxIncarnation) continue;
    if (e.member == v.self) {
      // memberlist's push-pull: a node that finds itself held suspect or failed refutes.
      if ((e.status == EntryStatus::suspect || e.status == EntryStatus::failed) && e.incarnation >= incarnation_)
        refute(p, v, e.incarnation, out);
      continue;
    }
    // Suspect and failed entries are never taken on trust: only accusations count.
    if (e.status == EntryStatus::alive || e.status == EntryStatus::suspect) apply_alive(p, v, e.member, e.incarnation, false, out);
    else if (e.status == EntryStatus::left) apply_leave(p, v, e.member, e.incarnation, out);
  }
  // A failure certificate is the q signed accusations that condemned a member: a node that
  // missed them (it was partitioned, or joined later) checks them as it would the
  // accusations themselves, so the list never carries a bare verdict.
  for (const Certificate& c : m.certificates)
    for (NodeId a : c.accusers)
      if (c.member < v.node_count && c.incarnation <= kMaxIncarnation) apply_suspect(p, v, Update{c.member, c.incarnation, UpdateKind::suspect, a}, out);
  if (!m.reply) {
    out.send(from, member_list(true));
  } else if (!joined_) {
    joined_ = true;
    out.cancel_timer(kJoinTimer);
    out.note(kNoteJoined, from);
    // Announce ourselves: the seed spreads our Alive too, but it may crash before it does.
    enqueue(p, v, Update{v.self, incarnation_, UpdateKind::alive, kNoNode});
  }
}

void MemberNode::apply(const Params& p, const NodeView& v, const Update& u, MemberOutbox& out) {
  if (u.member >= v.node_count || u.incarnation > kMaxIncarnation) return;
  switch (u.kind) {
    case UpdateKind::alive: apply_alive(p, v, u.member, u.incarnation, true, out); break;
    case UpdateKind::suspect: apply_suspect(p, v, u, out); break;
    case UpdateKind::leave: apply_leave(p, v, u.member, u.incarnation, out); break;
  }
}

// SWIM §4.2: Alive(i) overrides Suspect(j) and Alive(j) for i > j; a failed or left member
// comes back only with a higher incarnation (a new life after a restart or a rejoin).
void MemberNode::apply_alive(const Params& p, const NodeView& v, NodeId member, uint32_t inc, bool spread,
                             MemberOutbox& out) {
  if (member == v.self) return;
  Member& m = members_[member];
  if (m.status != Status::unknown && inc <= m.incarnation) return;
  const Status was = m.status;
  m.incarnation = inc;
  set_status(member, Status::alive);
  suspicions_.erase(member);
  certificates_.erase(member);
  if (was == Status::unknown || was == Status::failed || was == Status::left) {
    set_agreed(member, true);
    out.note(kNoteLearned, member);
  }
  if (spread) enqueue(p, v, Update{member, inc, UpdateKind::alive, kNoNode});
}

// SWIM §4.2: Suspect(i) overrides Alive(j) for i >= j and Suspect(j) for i > j. Under quorum
// confirmation the suspicion also collects its distinct accusers at that incarnation.
void MemberNode::apply_suspect(const Params& p, const NodeView& v, const Update& u, MemberOutbox& out) {
  if (u.member == v.self) {
    if (u.incarnation >= incarnation_) refute(p, v, u.incarnation, out);
    return;
  }
  if (u.accuser >= v.node_count) return;
  // An accusation by a member this node holds failed or left is stale: after a partition
  // heals, the other side's verdicts about this side would otherwise condemn healthy
  // members before they hear of it and refute (the accuser counts again once it rejoins).
  if (const Status a = members_[u.accuser].status; a == Status::failed || a == Status::left) return;
  Member& m = members_[u.member];
  // An accusation of a member we never heard of, or of a new life of one we buried, is
  // news of that member first.
  const bool buried = m.status == Status::failed || m.status == Status::left;
  if (m.status == Status::unknown || (buried && u.incarnation > m.incarnation)) {
    m.incarnation = u.incarnation;
    set_status(u.member, Status::alive);
    set_agreed(u.member, true);
    certificates_.erase(u.member);
    out.note(kNoteLearned, u.member);
  }
  if (m.status == Status::failed || m.status == Status::left || u.incarnation < m.incarnation) return;
  if (m.status == Status::alive || u.incarnation > m.incarnation) {
    m.incarnation = u.incarnation;
    set_status(u.member, Status::suspect);
    suspicions_[u.member] = Suspicion{v.now, {u.accuser}};
  } else {
    Suspicion& s = suspicions_[u.member];
    if (std::find(s.accusers.begin(), s.accusers.end(), u.accuser) != s.accusers.end()) return;
    if (s.accusers.size() >= std::max<uint32_t>(p.quorum, 1)) return;  // enough already
    s.accusers.push_back(u.accuser);
  }
  enqueue(p, v, u);
  maybe_confirm(p, v, u.member, out);
}

void MemberNode::apply_leave(const Params& p, const NodeView& v, NodeId member, uint32_t inc, MemberOutbox& out) {
  if (member == v.self) return;
  Member& m = members_[member];
  if (m.status == Status::left || (m.status != Status::unknown && inc < m.incarnation)) return;
  m.incarnation = inc;
  set_status(member, Status::left);
  suspicions_.erase(member);
  certificates_.erase(member);
  enqueue(p, v, Update{member, inc, UpdateKind::leave, kNoNode});
  (void)out;
}

void MemberNode::refute(const Params& p, const NodeView& v, uint32_t accused_incarnation, MemberOutbox& out) {
  // SWIM §4.2: only the member itself raises its incarnation, and an Alive at the higher
  // number overrides every suspicion of the lower one.
  incarnation_ = std::min(std::max(incarnation_, accused_incarnation) + 1, kMaxIncarnation);
  members_[v.self].incarnation = incarnation_;
  enqueue(p, v, Update{v.self, incarnation_, UpdateKind::alive, kNoNode});
  out.note(kNoteRefuted, incarnation_);
}

void MemberNode::accuse(const Params& p, const NodeView& v, NodeId member, MemberOutbox& out) {
  const Member& m = members_[member];
  if (!is_live(m.status)) return;
  if (m.status == Status::suspect) {
    const auto& accusers = suspicions_[member].accusers;
    if (std::find(accusers.begin(), accusers.end(), v.self) != accusers.end()) return;
  }
  out.note(kNoteAccused, member);
  apply_suspect(p, v, Update{member, m.incarnation, UpdateKind::suspect, v.self}, out);
}

// A suspicion becomes a failure after the suspicion timeout (SWIM §4.2) and, under quorum
// confirmation, only once q distinct members accuse: fewer than q liars or cut-off monitors
// can then never evict a healthy member.
void MemberNode::maybe_confirm(const Params& p, const NodeView& v, NodeId member, MemberOutbox& out) {
  if (p.bug == Bug::suspicion_never_expires) return;
  auto it = suspicions_.find(member);
  if (it == suspicions_.end()) return;
  const uint32_t needed = p.bug == Bug::quorum_of_one ? 1 : std::max<uint32_t>(p.quorum, 1);
  if (it->second.accusers.size() < needed || v.now - it->second.since < effective_suspicion_timeout(p)) return;
  // Pass the signed accusations on: a node that missed some of them can then confirm too.
  for (NodeId a : it->second.accusers) enqueue(p, v, Update{member, members_[member].incarnation, UpdateKind::suspect, a});
  certificates_[member] = std::move(it->second.accusers);
  suspicions_.erase(it);
  set_status(member, Status::failed);
  out.note(kNoteFailed, member);
}

void MemberNode::expire_suspicions(const Params& p, const NodeView& v, MemberOutbox& out) {
  std::vector<NodeId> due;
  for (const auto& [member, s] : suspicions_)
    if (v.now - s.since >= effective_suspicion_timeout(p)) due.push_back(member);
  for (NodeId member : due) maybe_confirm(p, v, member, out);
}

void MemberNode::enqueue(const Params& p, const NodeView& v, const Update& u) {
  // A newer fact about a member makes older ones about it useless, except that distinct
  // accusations of one member are all worth spreading.
  std::erase_if(queue_, [&](const Queued& q) {
    if (q.update.member != u.member) return false;
    if (u.kind == UpdateKind::suspect) return q.update.kind != UpdateKind::suspect || q.update.accuser == u.accuser;
    return true;
  });
  queue_.push_back(Queued{u, retransmit_budget(p, v.node_count)});
}

Updates MemberNode::take_piggyback(const Params& p) {
  Updates picked;
  // Newest first: fresh news (a refutation racing a suspicion) should not wait behind a
  // bootstrap's backlog of joins.
  for (size_t i = queue_.size(); i > 0 && picked.size() < p.max_piggyback; --i) {
    Queued& q = queue_[i - 1];
    picked.push_back(q.update);
    --q.sends_left;
  }
  std::erase_if(queue_, [](const Queued& q) { return q.sends_left == 0; });
  return picked;
}

MemberList MemberNode::member_list(bool reply) const {
  MemberList list{list_entries(), {}, reply};
  for (const auto& [member, accusers] : certificates_)
    list.certificates.push_back(Certificate{member, members_[member].incarnation, accusers});
  return list;
}

std::vector<Entry> MemberNode::list_entries() const {
  std::vector<Entry> entries;
  entries.reserve(live_count_ + certificates_.size());
  for (NodeId m = 0; m < members_.size(); ++m) {
    const Member& e = members_[m];
    switch (e.status) {
      case Status::unknown: break;
      case Status::alive: entries.push_back({m, e.incarnation, EntryStatus::alive}); break;
      case Status::suspect: entries.push_back({m, e.incarnation, EntryStatus::suspect}); break;
      case Status::failed: entries.push_back({m, e.incarnation, EntryStatus::failed}); break;
      case Status::left: entries.push_back({m, e.incarnation, EntryStatus::left}); break;
    }
  }
  return entries;
}

NodeId MemberNode::random_failed_member(const NodeView& v) {
  // Certificates are kept exactly for the failed members, in id order.
  auto it = certificates_.begin();
  std::advance(it, static_cast<long>(v.rng->below(certificates_.size())));
  return it->first;
}

void MemberNode::announce_leave(const Params& p, const NodeView& v, MemberOutbox& out) {
  // Serf/memberlist's graceful leave: the node's own Leave at its current incarnation rides
  // a Ping to a few live members, which apply it and piggyback it on (SWIM §4.1) like any
  // update. Sent to several because nobody acks it: the node is gone before the acks come.
  if (!joined_ || p.leave_fanout == 0) return;
  Updates farewell{Update{v.self, incarnation_, UpdateKind::leave, kNoNode}};
  std::vector<NodeId> told;
  for (uint32_t draw = 0; draw < 4 * p.leave_fanout && told.size() < p.leave_fanout; ++draw) {
    NodeId peer = random_live_member(v, kNoNode);
    if (peer == kNoNode) break;
    if (std::find(told.begin(), told.end(), peer) != told.end()) continue;
    told.push_back(peer);
    out.send(peer, Ping{++probe_seq_, kNoNode, farewell});
  }
}

NodeId MemberNode::random_live_member(const NodeView& v, NodeId except) {
  if (live_count_ <= 1 || members_.empty()) return kNoNode;
  // A few uniform draws find one quickly in a well-known mesh; a scan from a random start
  // covers a sparse list (a node that has just joined).
  const uint64_t n = members_.size();
  for (int tries = 0; tries < 8; ++tries) {
    NodeId c = static_cast<NodeId>(v.rng->below(n));
    if (c != v.self && c != except && is_live(members_[c].status)) return c;
  }
  const NodeId first = static_cast<NodeId>(v.rng->below(n));
  for (uint64_t i = 0; i < n; ++i) {
    NodeId c = static_cast<NodeId>((first + i) % n);
    if (c != v.self && c != except && is_live(members_[c].status)) return c;
  }
  return kNoNode;
}

}  // namespace meshsim::membership
