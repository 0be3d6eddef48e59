// A Raft server as a pure state machine (the etcd-raft model): messages and timer firings
// in, an Outbox of messages, timers and notes out. No clock, no globals, no peeking at
// other servers. Role-specific handlers follow etcd-raft's naming (become_*, handle_*,
// maybe_*, broadcast_*). Section numbers cite Ongaro & Ousterhout 2014 ("§") and Ongaro's
// thesis ("thesis §").
#pragma once
#include <cstdint>
#include <algorithm>
#include <deque>
#include <vector>

#include "protocols/kv/store.h"
#include "protocols/raft/messages.h"
#include "protocols/raft/params.h"
#include "protocols/raft/raft_log.h"
#include "sim/outbox.h"

namespace meshsim::raft {

enum class Role : uint8_t { follower, pre_candidate, candidate, leader };
const char* to_string(Role r);


// Notes: milestones the module turns into metrics and feeds to the checkers.
enum : uint16_t {
  kNoteElectionStarted = 1,  // value: the new term
  kNoteBecameLeader,         // value: term
  kNoteSteppedDown,          // value: the term it led
  kNoteLogAppended,          // value: first index written (leader or follower)
  kNoteCommitted,            // value: new commit index
  kNoteApplied,              // value: index applied
  kNoteCommitLatency,        // value: ns from the leader's append to commit
  kNoteTruncatedCommitted,   // value: index of a committed entry that was overwritten
  kNoteSplitVote,            // value: term whose election timed out undecided
  kNoteSnapshotTaken,        // value: the snapshot's size in bytes
  kNoteSnapshotInstalled,    // value: the snapshot's last index
  kNoteConfigProposed,       // value: index of the configuration entry a leader appended
  kNoteConfigRefused,        // value: the server a leader could not add or remove now
  kNoteCommitLatencyDisk,    // value: ns of a commit's latency spent waiting for disks
  kNoteWriteAccepted,        // value: log index of a client's put or cas a leader appended
  kNoteWriteRefusedReadOnly, // value: the client whose write a read-only server refused
  kNoteStaleRead,            // value: the client a read-only server answered from its own store
};

class Server {
 public:
  void start(const Params& p, const NodeView& v, Outbox<Message>& out);
  void on_message(const Params& p, const NodeView& v, NodeId from, const Message& m, Outbox<Message>& out);
  void on_timer(const Params& p, const NodeView& v, TimerId id, Outbox<Message>& out);
  // Crash: keep the durable state (term, vote, log and snapshot: Figure 2 "persistent
  // state on all servers"), lose the rest; the state machine restarts from the snapshot
  // and is rebuilt by re-applying the log as commits are learned again.
  void crash();
  // A durable write issued with Outbox::persist has completed (the disk model is on).
  void on_persisted(const Params& p, const NodeView& v, uint64_t token, Outbox<Message>& out);
  // Whether this server's node is read-only now (membership's ReadOnlyView, read by the
  // module before each delivery): an input like the clock, so the server stays pure.
  void set_read_only(bool read_only) { read_only_ = read_only; }

  Role role() const { return role_; }
  Term term() const { return term_; }
  NodeId voted_for() const { return voted_for_; }
  NodeId leader() const { return leader_; }
  const RaftLog& log() const { return log_; }
  Index commit_index() const { return commit_; }
  Index last_applied() const { return applied_; }
  const kv::Store& store() const { return store_; }
  const kv::Store& snapshot() const { return snapshot_; }
  // The configuration this server acts on: the latest one in its log, committed or not
  // (thesis §4.1).
  const std::vector<bool>& members() const { return members_; }
  bool is_member(NodeId n) const { return n < members_.size() && members_[n]; }
  uint32_t majority() const { return member_count_ / 2 + 1; }

 private:
  using Out = Outbox<Message>;
  // Role changes.
  // Returns whether it restarted the election timer (params.h, ElectionTimerReset).
  bool become_follower(const Params& p, const NodeView& v, Term term, NodeId leader, Out& out);
  void become_pre_candidate(const Params& p, const NodeView& v, Out& out);
  void become_candidate(const Params& p, const NodeView& v, Out& out);
  void become_leader(const Params& p, const NodeView& v, Out& out);
  // Handlers.
  bool accept_leader(const Params& p, const NodeView& v, NodeId from, Term term, Out& out);
  void handle_request_vote(const Params& p, const NodeView& v, NodeId from, const RequestVote& m, Out& out);
  void handle_vote_reply(const Params& p, const NodeView& v, NodeId from, const VoteReply& m, Out& out);
  void handle_append(const Params& p, const NodeView& v, NodeId from, const AppendEntries& m, Out& out);
  void handle_append_reply(const Params& p, const NodeView& v, NodeId from, const AppendReply& m, Out& out);
  void handle_install_snapshot(const Params& p, const NodeView& v, NodeId from, const InstallSnapshot& m, Out& out);
  void handle_config_request(const Params& p, const NodeView& v, const ConfigRequest& m, Out& out);
  void handle_client_request(const Params& p, const NodeView& v, NodeId from, const ClientRequest& m, Out& out);
  // Leader duties.
  void broadcast_append(const Params& p, const NodeView& v, bool heartbeat, Out& out);
  void send_append(const Params& p, const NodeView& v, NodeId to, bool heartbeat, Out& out);
  // HeartbeatTiming::per_follower: heartbeats to the followers whose are due, then the one
  // heartbeat timer re-armed for the earliest next one.
  void heartbeat_due_followers(const Params& p, const NodeView& v, Out& out);
  void maybe_commit(const Params& p, const NodeView& v, Out& out);
  void check_quorum(const Params& p, const NodeView& v, Out& out);
  // Everyone.
  void apply_committed(const Params& p, const NodeView& v, Out& out);
  void maybe_snapshot(const Params& p, Out& out);
  // Recomputes members_ from the snapshot's configuration and the log's config entries.
  void refresh_config();
  Index last_config_index() const;
  void reset_election_timer(const Params& p, const NodeView& v, Out& out);
  bool leader_recently_heard(const Params& p, const NodeView& v) const;
  // Durable writes (server_durable.cpp), used when the run has a disk model: what changed
  // in term, vote and log since the last write is written as one batch, and replies that
  // depend on it leave only when it is durable.
  void mark_state_dirty() { state_dirty_ = uses_disk_; }
  void mark_log_dirty(Index from) {
    if (uses_disk_) dirty_from_ = dirty_from_ == 0 ? from : std::min(dirty_from_, from);
  }
  bool dirty() const { return state_dirty_ || dirty_from_ != 0; }
  void send_when_durable(const NodeView& v, NodeId to, Message m, Out& out);
  void flush_writes(const Params& p, const NodeView& v, Out& out);
  // The last index of this server's log that is durable (all of it without a disk model).
  Index durable_index() const;

  // Durable.
  Term term_ = 0;
  NodeId voted_for_ = kNoNode;
  RaftLog log_;
  kv::Store snapshot_;  // the state machine as of log_.snapshot_index()
  std::vector<bool> snapshot_members_;  // the configuration as of log_.snapshot_index()
  // Volatile.
  Role role_ = Role::follower;
  NodeId leader_ = kNoNode;
  Index commit_ = 0;
  Index applied_ = 0;
  kv::Store store_;
  bool read_only_ = false;
  std::vector<bool> members_;
  uint32_t member_count_ = 0;
  SimTime last_heard_leader_{-1};
  std::vector<bool> votes_;            // candidate and pre-candidate: who granted
  std::vector<Index> next_index_;      // leader
  std::vector<Index> match_index_;     // leader
  std::vector<uint32_t> inflight_;     // leader: unacknowledged appends carrying entries
  std::vector<bool> recent_active_;    // leader: heard from since the last quorum check
  std::vector<SimTime> heartbeat_due_; // leader, per-follower heartbeats: when each is next due
  struct Appended {
    Appended(Index i, SimTime t) : index(i), at(t) {}
    Index index;
    SimTime at;                // when the leader appended it
    SimTime durable_at{-1};    // when the leader's own write of it completed (disk model)
  };
  std::deque<Appended> append_times_;  // leader: when its own entries were appended
  // Durable writes (disk model only).
  struct Batch {
    uint64_t token = 0;
    bool issued = false;
    SimTime issued_at{};
    Term term = 0;
    NodeId vote = kNoNode;
    Index from = 0;  // first log index the write rewrites (0: the log is unchanged)
    std::vector<Entry> entries;
    struct Deferred {
      NodeId to;
      Message msg;
      SimTime made;
    };
    std::vector<Deferred> sends;  // replies that wait for this write
  };
  bool uses_disk_ = false;
  bool state_dirty_ = false;
  Index dirty_from_ = 0;
  uint64_t next_token_ = 0;
  std::deque<Batch> batches_;  // issued writes in order, then at most one still open
  Term durable_term_ = 0;
  NodeId durable_vote_ = kNoNode;
  RaftLog durable_log_;
  int64_t last_ack_disk_ns_ = 0;  // leader: the disk wait the latest acknowledgement reported
};

}  // namespace meshsim::raft
