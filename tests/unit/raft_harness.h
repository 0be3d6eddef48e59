// A tiny driver for Raft servers with no engine: steps are called by hand, messages wait
// in a list until a test delivers or drops them, and every note goes to a SafetyChecker.
// Tests script exact interleavings (the paper's Figure 8) this way.
#pragma once
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "protocols/raft/safety_checker.h"
#include "protocols/raft/server.h"

namespace meshsim::raft::testing {

// Five servers, no no-op entry on election: the cluster of the step-level tests, so a
// test's log holds only the entries it appended.
inline Params five_servers() {
  Params p;
  p.servers = 5;
  p.noop_on_election = false;
  return p;
}

struct InFlight {
  NodeId from, to;
  Message msg;
};

class Harness {
 public:
  // With `durable_writes`, the servers see a disk (NodeView::durable_writes_take_time):
  // each write they issue waits in pending_writes() until the test completes it.
  explicit Harness(Params p, bool durable_writes = false)
      : p_(p), servers_(p.servers), rngs_(), checker_(p.servers), durable_writes_(durable_writes),
        pending_writes_(p.servers), timers_set_(p.servers) {
    for (uint32_t i = 0; i < p.servers; ++i) rngs_.emplace_back(1000 + i);
    for (NodeId n = 0; n < p.servers; ++n) step(n, [&](Server& s, const NodeView& v, Outbox<Message>& o) { s.start(p_, v, o); });
  }

  Server& server(NodeId n) { return servers_[n]; }
  std::vector<InFlight>& inflight() { return inflight_; }
  const std::optional<std::string>& violation() const { return violation_; }

  void timeout(NodeId n) {
    step(n, [&](Server& s, const NodeView& v, Outbox<Message>& o) { s.on_timer(p_, v, kElectionTimer, o); });
  }
  void heartbeat(NodeId n) {
    step(n, [&](Server& s, const NodeView& v, Outbox<Message>& o) { s.on_timer(p_, v, kHeartbeatTimer, o); });
  }
  void client_put(NodeId leader, uint32_t key, int64_t value) {
    kv::Command c;
    c.client = p_.servers;
    c.seq = next_seq_++;
    c.first_outstanding = c.seq;
    c.kind = kv::OpKind::put;
    c.key = key;
    c.value = value;
    step(leader, [&](Server& s, const NodeView& v, Outbox<Message>& o) { s.on_message(p_, v, p_.servers, ClientRequest{c}, o); });
  }
  void change_config(NodeId leader, ConfigOp op, NodeId server) {
    step(leader, [&](Server& s, const NodeView& v, Outbox<Message>& o) { s.on_message(p_, v, leader, ConfigRequest{op, server}, o); });
  }
  // Durable writes (durable_writes only): issued and not yet completed, oldest first.
  size_t pending_writes(NodeId n) const { return pending_writes_[n].size(); }
  // Completes `n`'s oldest write: the server's on_persisted step runs.
  void complete_write(NodeId n) {
    REQUIRE(!pending_writes_[n].empty());
    uint64_t token = pending_writes_[n].front();
    pending_writes_[n].erase(pending_writes_[n].begin());
    step(n, [&](Server& s, const NodeView& v, Outbox<Message>& o) { s.on_persisted(p_, v, token, o); });
  }
  // Completes every write of `n`, including those its completions issue.
  void complete_writes(NodeId n) {
    while (!pending_writes_[n].empty()) complete_write(n);
  }
  // The timers `n`'s latest step set (a timer set again restarts).
  const std::vector<TimerId>& timers_set(NodeId n) const { return timers_set_[n]; }
  bool restarted_election_timer(NodeId n) const {
    return std::find(timers_set_[n].begin(), timers_set_[n].end(), kElectionTimer) != timers_set_[n].end();
  }
  // Delivers one waiting message, the first from `from` to `to`; false if there is none.
  bool deliver_one(NodeId from, NodeId to) {
    for (size_t i = 0; i < inflight_.size(); ++i) {
      if (inflight_[i].from != from || inflight_[i].to != to) continue;
      InFlight m = inflight_[i];
      inflight_.erase(inflight_.begin() + static_cast<std::ptrdiff_t>(i));
      step(to, [&](Server& s, const NodeView& v, Outbox<Message>& o) { s.on_message(p_, v, from, m.msg, o); });
      return true;
    }
    return false;
  }
  // Counts waiting messages from `from` of type M.
  template <class M>
  size_t waiting_from(NodeId from) const {
    return static_cast<size_t>(std::count_if(inflight_.begin(), inflight_.end(), [&](const InFlight& m) {
      return m.from == from && std::holds_alternative<M>(m.msg);
    }));
  }

  void crash(NodeId n) {
    pending_writes_[n].clear();  // a write that has not completed is lost
    servers_[n].crash();
    checker_.on_not_leader(n);
    commit_seen_[n] = 0;
    std::erase_if(inflight_, [n](const InFlight& m) { return m.to == n || m.from == n; });
  }
  void recover(NodeId n) {
    step(n, [&](Server& s, const NodeView& v, Outbox<Message>& o) { s.start(p_, v, o); });
  }
  // Delivers (in order) every waiting message between the given servers, repeatedly, until
  // none is left; messages to or from anyone else stay waiting. Returns how many went.
  size_t deliver_among(const std::vector<NodeId>& group) {
    auto in = [&](NodeId n) { return std::find(group.begin(), group.end(), n) != group.end(); };
    size_t count = 0;
    for (bool progress = true; progress;) {
      progress = false;
      for (size_t i = 0; i < inflight_.size(); ++i) {
        if (!in(inflight_[i].from) || !in(inflight_[i].to)) continue;
        InFlight m = inflight_[i];
        inflight_.erase(inflight_.begin() + static_cast<std::ptrdiff_t>(i));
        ++count;
        progress = true;
        if (trace_) trace_->push_back(std::to_string(m.from) + "->" + std::to_string(m.to) + " " + describe_message(m.msg));
        step(m.to, [&](Server& s, const NodeView& v, Outbox<Message>& o) { s.on_message(p_, v, m.from, m.msg, o); });
        break;
      }
    }
    return count;
  }
  void drop_all() { inflight_.clear(); }
  // Time passes with no step (each step also advances the clock by 1 ms).
  void advance(Duration d) { now_ = now_ + d; }
  // Deliveries are described into `trace` from now on (transcript tests).
  void set_trace(std::vector<std::string>* trace) { trace_ = trace; }

  static std::string describe_message(const Message& m) {
    auto u = [](uint64_t x) { return std::to_string(x); };
    if (const auto* x = std::get_if<RequestVote>(&m))
      return std::string(x->pre_vote ? "PreVote" : "RequestVote") + "{term " + u(x->term) + ", last " + u(x->last_log_index) + "/" + u(x->last_log_term) + "}";
    if (const auto* x = std::get_if<VoteReply>(&m))
      return std::string(x->pre_vote ? "PreVoteReply" : "VoteReply") + "{term " + u(x->term) + (x->granted ? ", granted}" : ", refused}");
    if (const auto* x = std::get_if<AppendEntries>(&m)) {
      std::string e;
      for (const Entry& en : x->entries) e += (e.empty() ? "" : " ") + u(en.term) + (en.noop ? "/noop" : "/" + u(static_cast<uint64_t>(en.cmd.value)));
      return "Append{term " + u(x->term) + ", prev " + u(x->prev_index) + "/" + u(x->prev_term) + ", commit " + u(x->leader_commit) + ", [" + e + "]}";
    }
    if (const auto* x = std::get_if<AppendReply>(&m))
      return "AppendReply{term " + u(x->term) + (x->success ? ", ok, match " + u(x->match_index) : ", reject, hint " + u(x->conflict_index) + "/" + u(x->conflict_term)) + "}";
    if (const auto* x = std::get_if<InstallSnapshot>(&m))
      return "InstallSnapshot{term " + u(x->term) + ", last " + u(x->last_index) + "/" + u(x->last_term) + "}";
    return "client message";
  }

 private:
  template <class F>
  void step(NodeId n, F&& f) {
    now_ = now_ + Duration::millis(1);
    NodeView v;
    v.self = n;
    v.now = now_;
    v.node_count = p_.servers + 1;
    v.rng = &rngs_[n];
    v.durable_writes_take_time = durable_writes_;
    Outbox<Message> out;
    f(servers_[n], v, out);
    for (const auto& w : out.writes()) pending_writes_[n].push_back(w.token);
    timers_set_[n].clear();
    for (const auto& t : out.timers()) timers_set_[n].push_back(t.id);
    for (const auto& note : out.notes()) observe(n, note.what, note.value);
    const Server& s = servers_[n];
    if (s.role() == Role::leader) record(checker_.after_leader_step(n, s.term(), s.log()));
    for (auto& send : out.sends())
      if (send.to < p_.servers) inflight_.push_back({n, send.to, send.msg});
  }
  void observe(NodeId n, uint16_t what, int64_t value) {
    const Server& s = servers_[n];
    switch (what) {
      case kNoteBecameLeader: record(checker_.on_became_leader(n, static_cast<Term>(value), s.log())); break;
      case kNoteLogAppended: record(checker_.on_log_written(n, s.log(), static_cast<Index>(value))); break;
      case kNoteCommitted:
        record(checker_.on_committed(n, s.term(), s.log(), commit_seen_[n] + 1, static_cast<Index>(value)));
        commit_seen_[n] = static_cast<Index>(value);
        break;
      case kNoteApplied: record(checker_.on_applied(n, s.log(), static_cast<Index>(value))); break;
      case kNoteTruncatedCommitted: record("server " + std::to_string(n) + " overwrote a committed entry"); break;
      default: break;
    }
  }
  void record(std::optional<std::string> v) {
    if (v && !violation_) violation_ = v;
  }

  Params p_;
  std::vector<Server> servers_;
  std::vector<Rng> rngs_;
  SafetyChecker checker_;
  std::vector<Index> commit_seen_ = std::vector<Index>(64, 0);
  std::vector<InFlight> inflight_;
  std::optional<std::string> violation_;
  std::vector<std::string>* trace_ = nullptr;
  bool durable_writes_ = false;
  std::vector<std::vector<uint64_t>> pending_writes_;
  std::vector<std::vector<TimerId>> timers_set_;
  SimTime now_{};
  uint64_t next_seq_ = 0;
};

}  // namespace meshsim::raft::testing
