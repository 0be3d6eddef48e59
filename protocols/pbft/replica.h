// A pBFT replica (Castro & Liskov, OSDI 1999): the normal case (pre-prepare, prepare,
// commit, in-order execution, replies), request batching, checkpoints with water marks and
// garbage collection, state transfer, and the view change of §4.4. A pure state machine:
// its inputs are messages and timers, its outputs go to the outbox.
//
// Files: replica.cpp (requests, normal case, execution), replica_checkpoint.cpp
// (checkpoints, water marks, state transfer), replica_view_change.cpp (view change).
#pragma once
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "protocols/kv/store.h"
#include "protocols/pbft/messages.h"
#include "protocols/pbft/params.h"
#include "sim/outbox.h"

namespace meshsim::pbft {

// Notes for the module's metrics and checkers (Outbox::note).
enum : uint16_t {
  kNoteExecuted = 1,           // value: seq (recent_executions() has the batch)
  kNoteViewChangeStarted = 2,  // value: the view this replica is moving to
  kNoteNewView = 3,            // value: the view it entered
  kNoteCheckpointTaken = 4,    // value: seq
  kNoteCheckpointStable = 5,   // value: seq (retired() lists the slots it let go)
  kNoteStateTransferred = 6,   // value: seq
  kNoteProposed = 7,           // value: batch size (primary)
  kNoteCompleted = 8,          // client: value = latency in ns
  kNoteStateTransferResumed = 9,  // value: the stable checkpoint a recovered replica fetches again
  kNoteWriteRefusedReadOnly = 10,  // value: the client whose write a read-only replica refused
  kNoteWriteProposed = 11,         // value: seq of a pre-prepare carrying at least one put or cas
};

using RequestId = std::pair<uint32_t, uint64_t>;  // (client, client seq)

class Replica {
 public:
  struct Execution {
    Seq seq;
    Digest digest;
    std::vector<Request> batch;
  };
  // A slot garbage-collected by a stable checkpoint: who voted COMMIT for what it executed.
  struct Retired {
    Seq seq;
    std::vector<NodeId> committers;
  };

  void start(const Params& p, const NodeView& v, Outbox<Message>& out);
  void on_message(const Params& p, const NodeView& v, NodeId from, const Message& m, Outbox<Message>& out);
  void on_timer(const Params& p, const NodeView& v, TimerId id, Outbox<Message>& out);
  // What survives depends on Params::durable (replica_durable.cpp). With `none`, view, log,
  // checkpoints and the service state are durable (a crash keeps them, see
  // docs/architecture.md, "Faults"); with `log`, only what completed writes hold; with
  // `amnesia`, nothing. The primary's batch queue, the requests being waited on and fetches
  // in progress never are.
  void crash();
  // Durable writes (replica_durable.cpp): end_step issues one write for what the step
  // changed; on_persisted releases what waited for it.
  void end_step(const Params& p, const NodeView& v, Outbox<Message>& out);
  void on_persisted(const Params& p, const NodeView& v, uint64_t token, Outbox<Message>& out);
  bool write_in_flight() const { return in_flight_.has_value(); }
  // Whether this replica's node is read-only now (membership's ReadOnlyView, set by the
  // module before each step: an input, like the clock). A read-only replica takes no new
  // write in (issue 13's partition handling).
  void set_read_only(bool read_only) { read_only_ = read_only; }

  View view() const { return view_; }
  bool in_view_change() const { return in_view_change_; }
  bool is_primary(const Params& p, NodeId self) const { return !in_view_change_ && p.primary(view_) == self; }
  Seq last_executed() const { return last_executed_; }
  Seq stable_seq() const { return low_; }
  Digest stable_state() const { return stable_state_; }
  const std::vector<Signer>& stable_proof() const { return stable_proof_; }
  const kv::Store& store() const { return store_; }
  size_t log_size() const { return log_.size(); }
  size_t waiting() const { return waiting_.size(); }
  // Cleared at the start of every step: what that step executed and retired.
  const std::vector<Execution>& recent_executions() const { return recent_; }
  const std::vector<Retired>& retired() const { return retired_; }

 private:
  struct Slot {
    // The pre-prepare accepted in `view` (at most one per view).
    bool has_pre_prepare = false;
    View view = 0;
    Digest digest = 0;
    std::vector<Request> batch;
    Sig pre_prepare_sig;
    std::map<NodeId, Vote> prepares;  // each replica's latest
    std::map<NodeId, Vote> commits;
    bool prepared = false;  // in `view`
    // The certificate of the highest view this slot prepared in: VIEW-CHANGE's P.
    std::optional<PreparedProof> proof;
    bool committed = false;  // committed-local: safe to execute, in whatever view
    Digest committed_digest = 0;
    std::vector<Request> committed_batch;
    View committed_view = 0;
    std::vector<Signer> commit_certificate;  // the 2f+1 COMMITs, for replicas with a gap

    void commit(View in_view, Digest d, std::vector<Request> b, std::vector<Signer> certificate) {
      committed = true;
      committed_view = in_view;
      committed_digest = d;
      committed_batch = std::move(b);
      commit_certificate = std::move(certificate);
    }
  };

  // replica.cpp
  void on_request(const Params& p, const NodeView& v, NodeId from, const Request& r, Outbox<Message>& out);
  bool refuses_writes(const Params& p) const { return read_only_ && p.bug != Bug::ignore_read_only; }
  void refuse_write(const Params& p, const Request& r, Outbox<Message>& out);
  void refuse_queued_writes(const Params& p, Outbox<Message>& out);
  void maybe_propose(const Params& p, const NodeView& v, bool timeout, Outbox<Message>& out);
  void on_pre_prepare(const Params& p, const NodeView& v, NodeId from, const PrePrepare& pp, Outbox<Message>& out);
  void accept_pre_prepare(const PrePrepare& pp);
  void on_vote(const Params& p, const NodeView& v, NodeId from, const Vote& vote, bool commit, Outbox<Message>& out);
  void check_prepared(const Params& p, const NodeView& v, Seq seq, Outbox<Message>& out);
  void check_committed(const Params& p, const NodeView& v, Seq seq, Outbox<Message>& out);
  void execute_ready(const Params& p, const NodeView& v, Outbox<Message>& out);
  void wait_for(const Params& p, const Request& r, Outbox<Message>& out);
  void restart_request_timer(const Params& p, Outbox<Message>& out);
  void multicast(const Params& p, const NodeView& v, const Message& m, Outbox<Message>& out);
  void arm_status(const Params& p, Outbox<Message>& out);
  void on_status_tick(const Params& p, const NodeView& v, Outbox<Message>& out);
  bool in_window(const Params& p, Seq seq) const { return seq > low_ && seq <= low_ + p.log_window; }
  uint16_t auth_bytes(const Params& p) const;
  void charge_signature(const Params& p, Outbox<Message>& out) const;
  void fill_gap(const Params& p, const NodeView& v, Outbox<Message>& out, Seq evidence = 0);
  void on_fetch_committed(const Params& p, NodeId from, const FetchCommitted& f, Outbox<Message>& out);
  void on_commit_proof(const Params& p, const NodeView& v, const CommitProof& proof, Outbox<Message>& out);
  void on_fetch_view_change(const NodeView& v, NodeId from, const FetchViewChange& f, Outbox<Message>& out);
  void note_higher_view(const Params& p, const NodeView& v, NodeId from, View seen, Outbox<Message>& out);

  // replica_checkpoint.cpp
  void take_checkpoint(const Params& p, const NodeView& v, Outbox<Message>& out);
  void on_checkpoint(const Params& p, const NodeView& v, NodeId from, const Checkpoint& c, Outbox<Message>& out);
  void make_stable(const Params& p, const NodeView& v, Seq seq, Digest state, std::vector<Signer> proof,
                   Outbox<Message>& out);
  void on_fetch_state(const Params& p, NodeId from, const FetchState& f, Outbox<Message>& out);
  void on_state_reply(const Params& p, const NodeView& v, const StateReply& r, Outbox<Message>& out);
  void start_state_transfer(const Params& p, const NodeView& v, Outbox<Message>& out);
  void request_state(const Params& p, Outbox<Message>& out);

  // replica_view_change.cpp
  void start_view_change(const Params& p, const NodeView& v, View target, Outbox<Message>& out);
  void on_view_change(const Params& p, const NodeView& v, NodeId from, const ViewChange& vc, Outbox<Message>& out);
  void try_new_view(const Params& p, const NodeView& v, Outbox<Message>& out);
  void on_new_view(const Params& p, const NodeView& v, const NewView& nv, Outbox<Message>& out);
  void enter_view(const Params& p, const NodeView& v, const NewView& nv, Outbox<Message>& out);
  Duration view_change_timeout(const Params& p) const;
  void arm_view_change_timer(const Params& p, Outbox<Message>& out);

  // replica_durable.cpp
  // The replica's durable fields, as a write took them.
  struct DurableState {
    View view = 0;
    bool in_view_change = false;
    View active_view = 0;
    uint32_t failed_views = 0;
    std::map<Seq, Slot> log;
    Seq low = 0;
    Digest stable_state = 0;
    std::vector<Signer> stable_proof;
    std::map<Seq, kv::Store> snapshots;
    std::map<Seq, std::map<NodeId, Checkpoint>> checkpoints;
    std::map<View, std::map<NodeId, ViewChange>> view_changes;
    std::optional<NewView> last_new_view;
    Seq next_seq = 1;
  };
  // A write and the sends that wait for it.
  struct Write {
    uint64_t token = 0;
    uint32_t bytes = 0;
    DurableState image;
    std::vector<std::pair<NodeId, Message>> sends;
  };
  // The step changed state that must be on disk before anything it says goes out.
  void must_persist(uint32_t bytes) {
    if (uses_disk_) open_.bytes += bytes;
  }
  // A message that speaks for this replica's durable state (a vote, a pre-prepare, a
  // checkpoint, a VIEW-CHANGE or NEW-VIEW, a reply): it leaves once every write issued
  // before it, and the one this step will issue, has completed.
  void send_durable(NodeId to, const Message& m, Outbox<Message>& out);
  void multicast_durable(const Params& p, const NodeView& v, const Message& m, Outbox<Message>& out);
  DurableState capture() const;
  void restore(DurableState s);
  void issue_write(Outbox<Message>& out);

  // Durable.
  View view_ = 0;
  bool in_view_change_ = false;  // view_ is the view being changed to, not yet entered
  View active_view_ = 0;         // the last view actually entered
  uint32_t failed_views_ = 0;    // view changes since a request last executed (timeout doubling)
  std::map<Seq, Slot> log_;
  Seq low_ = 0;  // low water mark h: the last stable checkpoint
  Digest stable_state_ = 0;
  std::vector<Signer> stable_proof_;
  std::map<Seq, kv::Store> snapshots_;  // own checkpoints' states, from the stable one up
  std::map<Seq, std::map<NodeId, Checkpoint>> checkpoints_;  // CHECKPOINTs seen above low_
  std::map<View, std::map<NodeId, ViewChange>> view_changes_;
  std::optional<NewView> last_new_view_;
  Seq last_executed_ = 0;
  kv::Store store_;
  Seq next_seq_ = 1;  // primary: the next sequence number to assign

  // Volatile.
  std::deque<Request> queue_;                // primary: received, not yet proposed
  std::set<RequestId> proposed_;             // primary: in a pre-prepare of this view
  std::map<RequestId, Request> waiting_;     // received and not executed (§4.4 timer)
  bool request_timer_running_ = false;
  View vc_timer_view_ = 0;  // the view whose NEW-VIEW the view-change timer waits for
  bool batch_timer_running_ = false;
  bool status_timer_running_ = false;
  Seq stalled_seq_ = 0;
  uint32_t vc_ticks_ = 0;  // status ticks since our VIEW-CHANGE was last (re)sent  // the next slot to execute at the last status tick
  Seq fetching_ = 0;                         // state transfer in progress to this seq
  std::vector<NodeId> fetch_from_;
  size_t fetch_next_ = 0;
  std::map<NodeId, View> higher_views_;      // replicas seen working in a view above ours
  View fetching_view_ = 0;
  Seq gap_asked_ = 0;  // the first missing slot asked for, until it arrives or the status timer
  std::map<Seq, PrePrepare> early_pre_prepares_;  // for a view not yet entered
  std::vector<Execution> recent_;
  std::vector<Retired> retired_;

  // Durable writes (Durability::log on a run with a [storage] section).
  bool uses_disk_ = false;   // set by start()
  bool amnesia_ = false;     // Durability::amnesia: a crash forgets everything
  // Group commit: one write in flight at a time; what changes meanwhile gathers in open_
  // and goes out as the next write when it completes (so a stalled disk holds at most two
  // images, and one fsync covers every step that waited).
  std::optional<Write> in_flight_;
  Write open_;
  uint64_t next_token_ = 1;
  DurableState durable_;      // what the last completed write holds
  bool read_only_ = false;  // an input, refreshed before every step
};

}  // namespace meshsim::pbft
