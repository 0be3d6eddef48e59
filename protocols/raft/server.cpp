#include "protocols/raft/server.h"

#include <algorithm>
#include <cassert>

namespace meshsim::raft {

const char* to_string(Role r) {
  switch (r) {
    case Role::follower: return "follower";
    case Role::pre_candidate: return "pre-candidate";
    case Role::candidate: return "candidate";
    case Role::leader: return "leader";
  }
  return "?";
}

namespace {
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
}  // namespace

const char* to_string(ConfigOp op) {
  switch (op) {
    case ConfigOp::none: return "none";
    case ConfigOp::add: return "add";
    case ConfigOp::remove: return "remove";
  }
  return "?";
}

void Server::start(const Params& p, const NodeView& v, Out& out) {
  uses_disk_ = v.durable_writes_take_time;
  role_ = Role::follower;
  leader_ = kNoNode;
  if (snapshot_members_.empty()) {
    snapshot_members_.assign(p.servers, false);
    for (NodeId n = 0; n < p.first_members(); ++n) snapshot_members_[n] = true;
  }
  refresh_config();
  reset_election_timer(p, v, out);
}

void Server::refresh_config() {
  members_ = snapshot_members_;
  for (Index i = log_.snapshot_index() + 1; i <= log_.last_index(); ++i) {
    const Entry& e = log_.at(i);
    if (e.config == ConfigOp::add) members_[e.server] = true;
    if (e.config == ConfigOp::remove) members_[e.server] = false;
  }
  member_count_ = static_cast<uint32_t>(std::count(members_.begin(), members_.end(), true));
}

Index Server::last_config_index() const {
  for (Index i = log_.last_index(); i > log_.snapshot_index(); --i)
    if (log_.at(i).config != ConfigOp::none) return i;
  return 0;
}

void Server::crash() {
  if (uses_disk_) {
    // Only what completed writes made durable survives (server_durable.cpp).
    term_ = durable_term_;
    voted_for_ = durable_vote_;
    log_ = durable_log_;
    batches_.clear();
    state_dirty_ = false;
    dirty_from_ = 0;
    refresh_config();
  }
  role_ = Role::follower;
  leader_ = kNoNode;
  commit_ = log_.snapshot_index();
  applied_ = log_.snapshot_index();
  store_ = snapshot_;
  last_heard_leader_ = SimTime{-1};
  votes_.clear();
  next_index_.clear();
  match_index_.clear();
  inflight_.clear();
  recent_active_.clear();
  heartbeat_due_.clear();
  append_times_.clear();
}

void Server::on_message(const Params& p, const NodeView& v, NodeId from, const Message& m, Out& out) {
  std::visit(Overloaded{
                 [&](const RequestVote& x) { handle_request_vote(p, v, from, x, out); },
                 [&](const VoteReply& x) { handle_vote_reply(p, v, from, x, out); },
                 [&](const AppendEntries& x) { handle_append(p, v, from, x, out); },
                 [&](const AppendReply& x) { handle_append_reply(p, v, from, x, out); },
                 [&](const ClientRequest& x) { handle_client_request(p, v, from, x, out); },
                 [&](const ClientReply&) {},  // servers are not clients: ignore strays
                 [&](const InstallSnapshot& x) { handle_install_snapshot(p, v, from, x, out); },
                 [&](const ConfigRequest& x) {
                   if (from == v.self) handle_config_request(p, v, x, out);  // only the operator's console
                 },
             },
             m);
  flush_writes(p, v, out);
}

void Server::on_timer(const Params& p, const NodeView& v, TimerId id, Out& out) {
  if (id == kHeartbeatTimer) {
    if (role_ != Role::leader) return;
    if (p.heartbeat == HeartbeatTiming::per_follower) return heartbeat_due_followers(p, v, out);
    broadcast_append(p, v, true, out);
    out.set_timer(kHeartbeatTimer, p.heartbeat_interval);
    return;
  }
  if (id != kElectionTimer) return;
  if (role_ == Role::leader) {
    check_quorum(p, v, out);
    flush_writes(p, v, out);
    return;
  }
  if (!is_member(v.self)) {
    // Not in the configuration (yet, or any more): a server outside it never campaigns.
    role_ = Role::follower;
    reset_election_timer(p, v, out);
    return;
  }
  if (role_ == Role::candidate) out.note(kNoteSplitVote, static_cast<int64_t>(term_));
  if (p.pre_vote) become_pre_candidate(p, v, out);
  else become_candidate(p, v, out);
  flush_writes(p, v, out);
}

// ---- roles ----

void Server::reset_election_timer(const Params& p, const NodeView& v, Out& out) {
  // §5.2: randomized timeouts make split votes rare and short.
  int64_t span = p.election_timeout_max.ns - p.election_timeout_min.ns;
  int64_t jitter = span > 0 ? static_cast<int64_t>(v.rng->below(static_cast<uint64_t>(span) + 1)) : 0;
  out.set_timer(kElectionTimer, Duration{p.election_timeout_min.ns + jitter});
}

bool Server::become_follower(const Params& p, const NodeView& v, Term term, NodeId leader, Out& out) {
  const bool was_leader = role_ == Role::leader;
  if (was_leader) {
    out.note(kNoteSteppedDown, static_cast<int64_t>(term_));
    out.cancel_timer(kHeartbeatTimer);
    append_times_.clear();
  }
  if (term > term_) {
    term_ = term;
    voted_for_ = kNoNode;  // a new term: no vote cast in it yet
    mark_state_dirty();
  }
  role_ = Role::follower;
  leader_ = leader;
  // Figure 2 restarts a follower's election timer only when it grants a vote or hears the
  // current leader (the callers do that); a higher term alone does not, so a server that
  // merely learned of a new term still campaigns on its old schedule. A former leader had
  // no election timer running (or a quorum check), so it needs a fresh one either way.
  if (!was_leader && p.election_timer_reset == ElectionTimerReset::paper) return false;
  reset_election_timer(p, v, out);
  return true;
}

void Server::become_pre_candidate(const Params& p, const NodeView& v, Out& out) {
  // Thesis §9.6: ask first whether an election could be won, without raising the term, so
  // a server that was cut off does not disrupt the cluster when it returns.
  role_ = Role::pre_candidate;
  leader_ = kNoNode;
  votes_.assign(p.servers, false);
  votes_[v.self] = true;
  reset_election_timer(p, v, out);
  if (majority() == 1) return become_candidate(p, v, out);
  for (NodeId s = 0; s < p.servers; ++s)
    if (s != v.self && is_member(s)) out.send(s, RequestVote{term_ + 1, log_.last_index(), log_.last_term(), true});
}

void Server::become_candidate(const Params& p, const NodeView& v, Out& out) {
  ++term_;
  voted_for_ = v.self;  // durable before any RequestVote leaves (Figure 2)
  mark_state_dirty();
  role_ = Role::candidate;
  leader_ = kNoNode;
  votes_.assign(p.servers, false);
  votes_[v.self] = true;
  out.note(kNoteElectionStarted, static_cast<int64_t>(term_));
  reset_election_timer(p, v, out);
  if (majority() == 1) return become_leader(p, v, out);
  for (NodeId s = 0; s < p.servers; ++s)
    if (s != v.self && is_member(s)) send_when_durable(v, s, RequestVote{term_, log_.last_index(), log_.last_term(), false}, out);
}

void Server::become_leader(const Params& p, const NodeView& v, Out& out) {
  role_ = Role::leader;
  leader_ = v.self;
  next_index_.assign(p.servers, log_.last_index() + 1);
  match_index_.assign(p.servers, 0);
  inflight_.assign(p.servers, 0);
  recent_active_.assign(p.servers, false);
  heartbeat_due_.assign(p.servers, v.now);
  append_times_.clear();
  out.note(kNoteBecameLeader, static_cast<int64_t>(term_));
  if (p.noop_on_election) {
    // Thesis §6.4: a blank entry of the new term lets the leader learn which entries are
    // committed (an earlier term's entries commit only under one of its own, §5.4.2).
    Entry e;
    e.term = term_;
    e.noop = true;
    log_.append(e);
    mark_log_dirty(log_.last_index());
    out.busy(p.costs.append_entry);
    append_times_.emplace_back(log_.last_index(), v.now);
    out.note(kNoteLogAppended, static_cast<int64_t>(log_.last_index()));
  }
  match_index_[v.self] = durable_index();
  broadcast_append(p, v, true, out);
  out.set_timer(kHeartbeatTimer, p.heartbeat_interval);
  // The election timer becomes the leader's quorum check (thesis §6.2).
  if (p.check_quorum) out.set_timer(kElectionTimer, p.election_timeout_max);
  else out.cancel_timer(kElectionTimer);
  maybe_commit(p, v, out);  // a one-server cluster commits alone
}

bool Server::leader_recently_heard(const Params& p, const NodeView& v) const {
  return last_heard_leader_.ns >= 0 && v.now - last_heard_leader_ < p.election_timeout_min;
}

// ---- elections ----

void Server::handle_request_vote(const Params& p, const NodeView& v, NodeId from, const RequestVote& m, Out& out) {
  if (!p.is_server(from)) return;
  // A server that heard from a live leader within the minimum election timeout believes
  // in it: it refuses pre-votes (thesis §9.6) and, with CheckQuorum, ignores vote requests
  // altogether (thesis §4.2.3), so a disruptive server cannot depose a working leader.
  const bool believes_leader = role_ == Role::leader || leader_recently_heard(p, v);
  const bool sticky = p.check_quorum && believes_leader;
  if (m.pre_vote) {
    bool grant = !believes_leader && m.term > term_ && log_.candidate_up_to_date(m.last_log_term, m.last_log_index);
    out.send(from, VoteReply{grant ? m.term : term_, grant, true});
    return;
  }
  if (m.term > term_) {
    if (sticky) return;
    become_follower(p, v, m.term, kNoNode, out);
  }
  bool grant = m.term == term_ && (voted_for_ == kNoNode || voted_for_ == from) &&
               log_.candidate_up_to_date(m.last_log_term, m.last_log_index);
  if (grant) {
    voted_for_ = from;  // durable before the reply leaves
    mark_state_dirty();
    reset_election_timer(p, v, out);
  }
  send_when_durable(v, from, VoteReply{term_, grant, false}, out);
}

void Server::handle_vote_reply(const Params& p, const NodeView& v, NodeId from, const VoteReply& m, Out& out) {
  if (!p.is_server(from)) return;
  if (m.term > term_ && !(m.pre_vote && m.granted)) {
    become_follower(p, v, m.term, kNoNode, out);
    return;
  }
  bool counting = m.pre_vote ? role_ == Role::pre_candidate && m.term == term_ + 1
                             : role_ == Role::candidate && m.term == term_;
  if (!counting || !m.granted) return;
  votes_[from] = true;
  // Only votes of servers in the candidate's configuration count.
  uint32_t granted = 0;
  for (NodeId s = 0; s < p.servers; ++s) granted += votes_[s] && is_member(s);
  if (granted < majority()) return;
  if (m.pre_vote) become_candidate(p, v, out);
  else become_leader(p, v, out);
}

// ---- replication ----

// What AppendEntries and InstallSnapshot have in common: a stale leader is told the
// current term; a current one makes a candidate (or a stale leader) a follower (§5.2) and
// resets the election timer. Returns whether the message is to be handled.
bool Server::accept_leader(const Params& p, const NodeView& v, NodeId from, Term term, Out& out) {
  if (!p.is_server(from)) return false;
  if (term < term_) {
    out.send(from, AppendReply{term_, false, 0, 0, 0});
    return false;
  }
  // AppendEntries from the current term's leader: the one message besides a granted vote
  // that restarts the election timer under Figure 2.
  bool timer_reset = false;
  if (term > term_ || role_ != Role::follower || leader_ != from) timer_reset = become_follower(p, v, term, from, out);
  if (!timer_reset) reset_election_timer(p, v, out);
  last_heard_leader_ = v.now;
  return true;
}

void Server::handle_append(const Params& p, const NodeView& v, NodeId from, const AppendEntries& m, Out& out) {
  if (!accept_leader(p, v, from, m.term, out)) return;

  // Entries at or below our snapshot are committed, so they match the leader's (Leader
  // Completeness): skip them and start the check at the snapshot.
  Index prev = m.prev_index;
  size_t first = 0;
  if (prev < log_.snapshot_index()) {
    first = static_cast<size_t>(std::min<Index>(m.entries.size(), log_.snapshot_index() - prev));
    prev += first;
    if (prev < log_.snapshot_index()) {
      send_when_durable(v, from, AppendReply{term_, true, prev, 0, 0}, out);
      return;
    }
  }
  // §5.3 consistency check, with the thesis §5.3 hints for a fast back-off.
  if (prev > log_.last_index()) {
    send_when_durable(v, from, AppendReply{term_, false, 0, 0, log_.last_index() + 1}, out);
    return;
  }
  if (first == 0 && log_.term_at(prev) != m.prev_term) {
    Term conflict = log_.term_at(prev);
    send_when_durable(v, from, AppendReply{term_, false, 0, conflict, log_.first_index_of_term(conflict, prev)}, out);
    return;
  }
  Index first_written = 0;
  Index i = prev;
  for (size_t k = first; k < m.entries.size(); ++k) {
    const Entry& e = m.entries[k];
    ++i;
    if (i <= log_.last_index()) {
      if (log_.term_at(i) == e.term) continue;  // already have it (a duplicate or reordered append)
      // §5.3: a conflicting entry and all that follow it are deleted.
      if (i <= commit_) out.note(kNoteTruncatedCommitted, static_cast<int64_t>(i));
      log_.truncate_after(i - 1);
    }
    log_.append(e);
    mark_log_dirty(i);
    out.busy(p.costs.append_entry);
    if (first_written == 0) first_written = i;
  }
  if (first_written) {
    out.note(kNoteLogAppended, static_cast<int64_t>(first_written));
    refresh_config();  // a new (or truncated) configuration entry takes effect at once (thesis §4.1)
  }
  const Index last_new = m.prev_index + m.entries.size();
  // Figure 2: commitIndex = min(leaderCommit, index of last new entry).
  Index new_commit = std::min(m.leader_commit, last_new);
  if (new_commit > commit_) {
    commit_ = new_commit;
    out.note(kNoteCommitted, static_cast<int64_t>(commit_));
    apply_committed(p, v, out);
  }
  send_when_durable(v, from, AppendReply{term_, true, last_new, 0, 0}, out);
}

void Server::handle_append_reply(const Params& p, const NodeView& v, NodeId from, const AppendReply& m, Out& out) {
  if (!p.is_server(from)) return;
  if (m.term > term_) {
    become_follower(p, v, m.term, kNoNode, out);
    return;
  }
  if (role_ != Role::leader || m.term < term_) return;  // stale: from an earlier term
  recent_active_[from] = true;
  last_ack_disk_ns_ = m.disk_wait_ns;
  if (inflight_[from] > 0) --inflight_[from];
  if (m.success) {
    match_index_[from] = std::max(match_index_[from], m.match_index);
    next_index_[from] = std::max(next_index_[from], match_index_[from] + 1);
    maybe_commit(p, v, out);
  } else {
    // Thesis §5.3: skip a whole conflicting term at a time rather than one entry.
    Index next = m.conflict_index;
    if (m.conflict_term != 0) {
      Index last = log_.last_index_of_term(m.conflict_term);
      if (last != 0) next = last + 1;
    }
    next_index_[from] = std::clamp<Index>(next, match_index_[from] + 1, log_.last_index() + 1);
    inflight_[from] = 0;
  }
  if (next_index_[from] <= log_.last_index()) send_append(p, v, from, false, out);
}

void Server::handle_install_snapshot(const Params& p, const NodeView& v, NodeId from, const InstallSnapshot& m, Out& out) {
  if (!accept_leader(p, v, from, m.term, out)) return;
  if (m.last_index > commit_) {
    // Thesis §5.1: the snapshot replaces the state machine and whatever of the log it covers.
    log_.install(m.last_index, m.last_term, m.prefix_hash);
    // The snapshot file is written at once (not charged to the disk model).
    if (uses_disk_) durable_log_.install(m.last_index, m.last_term, m.prefix_hash);
    snapshot_ = m.store;
    snapshot_members_ = m.members;
    refresh_config();
    store_ = m.store;
    commit_ = applied_ = m.last_index;
    out.note(kNoteSnapshotInstalled, static_cast<int64_t>(m.last_index));
  }
  send_when_durable(v, from, AppendReply{term_, true, m.last_index, 0, 0}, out);
}

void Server::handle_config_request(const Params& p, const NodeView& v, const ConfigRequest& m, Out& out) {
  // Thesis §4.1: one change at a time — the previous configuration entry must be
  // committed — and (Ongaro's 2015 correction to single-server changes) the leader must
  // have committed an entry of its own term first.
  bool valid = m.server < p.servers && (m.op == ConfigOp::add ? !is_member(m.server) : is_member(m.server) && member_count_ > 1);
  bool allowed = role_ == Role::leader && last_config_index() <= commit_ && log_.term_at(commit_) == term_;
  if (!valid || !allowed) {
    out.note(kNoteConfigRefused, static_cast<int64_t>(m.server));
    return;
  }
  Entry e;
  e.term = term_;
  e.config = m.op;
  e.server = m.server;
  log_.append(e);
  mark_log_dirty(log_.last_index());
  out.busy(p.costs.append_entry);
  refresh_config();
  append_times_.emplace_back(log_.last_index(), v.now);
  out.note(kNoteLogAppended, static_cast<int64_t>(log_.last_index()));
  out.note(kNoteConfigProposed, static_cast<int64_t>(log_.last_index()));
  if (m.op == ConfigOp::add) {
    // The new server starts from nothing: send from the start (a snapshot if compacted).
    next_index_[m.server] = log_.snapshot_index() + 1;
    match_index_[m.server] = 0;
    inflight_[m.server] = 0;
  }
  match_index_[v.self] = durable_index();
  broadcast_append(p, v, false, out);
  maybe_commit(p, v, out);
}

void Server::handle_client_request(const Params& p, const NodeView& v, NodeId from, const ClientRequest& m, Out& out) {
  // Issue 13's partition handling: a node that lost its majority serves reads from its own
  // state machine, flagged possibly stale, and refuses writes outright instead of leaving
  // the client to time out (Raft alone would never commit them on a minority, but a
  // store without a consensus log would accept them and diverge).
  if (read_only_ && (m.cmd.kind == kv::OpKind::get || p.bug != Bug::ignore_read_only)) {
    ClientReply r;
    r.seq = m.cmd.seq;
    if (m.cmd.kind == kv::OpKind::get) {
      r.possibly_stale = true;
      r.outcome = kv::Outcome{store_.get(m.cmd.key), true};
      out.note(kNoteStaleRead, static_cast<int64_t>(from));
    } else {
      r.refused_read_only = true;
      out.note(kNoteWriteRefusedReadOnly, static_cast<int64_t>(from));
    }
    out.send(from, r);
    return;
  }
  if (role_ != Role::leader) {
    ClientReply r;
    r.seq = m.cmd.seq;
    r.redirect = true;
    r.leader_hint = leader_;
    out.send(from, r);
    return;
  }
  Entry e;
  e.term = term_;
  e.cmd = m.cmd;
  e.cmd.client = from;  // the engine vouches for the sender; the command cannot claim another client
  log_.append(e);
  mark_log_dirty(log_.last_index());
  out.busy(p.costs.append_entry);
  append_times_.emplace_back(log_.last_index(), v.now);
  out.note(kNoteLogAppended, static_cast<int64_t>(log_.last_index()));
  if (e.cmd.kind != kv::OpKind::get) out.note(kNoteWriteAccepted, static_cast<int64_t>(log_.last_index()));
  match_index_[v.self] = durable_index();
  broadcast_append(p, v, false, out);
  maybe_commit(p, v, out);
}

void Server::broadcast_append(const Params& p, const NodeView& v, bool heartbeat, Out& out) {
  for (NodeId s = 0; s < p.servers; ++s)
    if (s != v.self && is_member(s)) send_append(p, v, s, heartbeat, out);
}

void Server::send_append(const Params& p, const NodeView& v, NodeId to, bool heartbeat, Out& out) {
  if (heartbeat) {
    // A heartbeat also retransmits: resend from the last known match, forgetting what an
    // optimistic pipeline assumed was on its way.
    inflight_[to] = 0;
    next_index_[to] = std::min(next_index_[to], match_index_[to] + 1);
  } else if (inflight_[to] >= p.max_inflight) {
    return;  // flow control: wait for a reply or the next heartbeat
  }
  if (next_index_[to] <= log_.snapshot_index()) {
    // The follower needs entries this leader compacted: send the snapshot (thesis §5.1).
    InstallSnapshot snap;
    snap.term = term_;
    snap.last_index = log_.snapshot_index();
    snap.last_term = log_.snapshot_term();
    snap.prefix_hash = log_.prefix_hash(log_.snapshot_index());
    snap.store = snapshot_;
    snap.members = snapshot_members_;
    ++inflight_[to];
    heartbeat_due_[to] = v.now + p.heartbeat_interval;
    out.send(to, std::move(snap));
    return;
  }
  AppendEntries m;
  m.term = term_;
  m.prev_index = next_index_[to] - 1;
  m.prev_term = log_.term_at(m.prev_index);
  m.leader_commit = commit_;
  Index last = std::min<Index>(log_.last_index(), m.prev_index + p.max_entries_per_append);
  if (last > m.prev_index) {
    m.entries = log_.slice(m.prev_index + 1, last);
    ++inflight_[to];
    // Pipelining (thesis §10.2.1): assume success and send the next batch without waiting.
    if (p.max_inflight > 1) next_index_[to] = last + 1;
  } else if (!heartbeat) {
    return;  // nothing new to send
  }
  // Without parallel writes (thesis §10.2.1) everything the leader sends waits for its
  // writes, as in a Ready loop that persists before it sends (etcd before its async
  // storage writes): entries leave only once durable, and a slow disk delays heartbeats.
  heartbeat_due_[to] = v.now + p.heartbeat_interval;
  if (uses_disk_ && !p.leader_parallel_write) send_when_durable(v, to, std::move(m), out);
  else out.send(to, std::move(m));
}

void Server::heartbeat_due_followers(const Params& p, const NodeView& v, Out& out) {
  // LogCabin's Peer::nextHeartbeatTime: anything sent to a follower counts as its heartbeat,
  // so a follower that replication keeps busy gets no extra empty AppendEntries. One engine
  // timer serves all followers: it wakes at the earliest due time (possibly early, when that
  // follower was sent something meanwhile, and then finds nothing due and sleeps again).
  SimTime next = v.now + p.heartbeat_interval;
  for (NodeId s = 0; s < p.servers; ++s) {
    if (s == v.self || !is_member(s)) continue;
    if (heartbeat_due_[s] <= v.now) send_append(p, v, s, true, out);
    next = std::min(next, heartbeat_due_[s]);
  }
  out.set_timer(kHeartbeatTimer, next - v.now);
}

void Server::maybe_commit(const Params& p, const NodeView& v, Out& out) {
  std::vector<Index> matches;
  for (NodeId s = 0; s < p.servers; ++s)
    if (is_member(s)) matches.push_back(s == v.self ? durable_index() : match_index_[s]);
  if (!is_member(v.self)) matches.push_back(0);  // a leader removing itself does not count itself
  const uint32_t need = majority();
  if (matches.size() < need) return;
  std::nth_element(matches.begin(), matches.begin() + (need - 1), matches.end(), std::greater<>());
  Index n = matches[need - 1];  // the highest index a majority of the configuration holds
  if (n <= commit_) return;
  // §5.4.2: only an entry of the leader's current term is committed by counting replicas;
  // earlier entries commit with it. The Figure 8 bug skips this test.
  if (log_.term_at(n) != term_ && p.bug != Bug::commit_old_terms) return;
  commit_ = n;
  out.note(kNoteCommitted, static_cast<int64_t>(commit_));
  while (!append_times_.empty() && append_times_.front().index <= commit_) {
    const Appended& a = append_times_.front();
    const int64_t total = (v.now - a.at).ns;
    out.note(kNoteCommitLatency, total);
    if (uses_disk_) {
      // The part of the latency spent on disks: the leader's own write, and the disk wait
      // of the acknowledgement that completed the majority; in sequence without parallel
      // writes, overlapping with them otherwise (thesis §10.2.1).
      const int64_t own = a.durable_at.ns >= 0 ? (a.durable_at - a.at).ns : 0;
      const int64_t disk = p.leader_parallel_write ? std::max(own, last_ack_disk_ns_) : own + last_ack_disk_ns_;
      out.note(kNoteCommitLatencyDisk, std::min(disk, total));
    }
    append_times_.pop_front();
  }
  apply_committed(p, v, out);
  // Thesis §4.2.2: a leader removed from the configuration steps down once the change
  // is committed (it managed the cluster until then without counting itself).
  if (!is_member(v.self) && last_config_index() <= commit_) {
    broadcast_append(p, v, true, out);  // let the others learn the commit first
    become_follower(p, v, term_, kNoNode, out);
    return;
  }
  // Followers learn the new commit index with the next append or heartbeat.
}

void Server::check_quorum(const Params& p, const NodeView& v, Out& out) {
  recent_active_[v.self] = true;
  uint32_t active_members = 0;
  for (NodeId s = 0; s < p.servers; ++s) active_members += recent_active_[s] && is_member(s);
  std::fill(recent_active_.begin(), recent_active_.end(), false);
  if (active_members < majority()) {
    become_follower(p, v, term_, kNoNode, out);
    return;
  }
  out.set_timer(kElectionTimer, p.election_timeout_max);
}

void Server::apply_committed(const Params& p, const NodeView& v, Out& out) {
  while (applied_ < commit_) {
    ++applied_;
    out.busy(p.costs.apply_entry);
    const Entry& e = log_.at(applied_);
    out.note(kNoteApplied, static_cast<int64_t>(applied_));
    if (e.noop || e.config != ConfigOp::none) continue;
    kv::Outcome result = store_.apply(e.cmd);
    // Only the leader answers, so a client gets one reply per attempt; a duplicate entry
    // (a retried request appended twice) is answered from the session (thesis §6.3).
    if (role_ == Role::leader) {
      ClientReply r;
      r.seq = e.cmd.seq;
      r.outcome = result;
      r.leader_hint = v.self;
      out.send(e.cmd.client, r);
    }
  }
  maybe_snapshot(p, out);
}

void Server::maybe_snapshot(const Params& p, Out& out) {
  // Thesis §5.1: each server snapshots its own applied state once the log past the last
  // snapshot grows beyond a threshold, so long runs keep memory bounded.
  if (p.snapshot_threshold == 0 || applied_ - log_.snapshot_index() < p.snapshot_threshold) return;
  snapshot_ = store_;
  // The configuration as of applied_: the snapshot's, plus config entries up to applied_.
  for (Index i = log_.snapshot_index() + 1; i <= applied_; ++i) {
    const Entry& e = log_.at(i);
    if (e.config == ConfigOp::add) snapshot_members_[e.server] = true;
    if (e.config == ConfigOp::remove) snapshot_members_[e.server] = false;
  }
  if (uses_disk_) durable_log_.install(applied_, log_.term_at(applied_), log_.prefix_hash(applied_));
  log_.compact(applied_);
  out.note(kNoteSnapshotTaken, static_cast<int64_t>(snapshot_.wire_bytes()));
}

}  // namespace meshsim::raft
