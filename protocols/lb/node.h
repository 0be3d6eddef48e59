// One node of the load-balancing mesh, as a pure state machine: it is a submitter (tasks
// arrive at it and it places them with the configured strategy, times them out and
// resubmits them) and a worker (it serves the tasks placed on it with its CPU, FIFO or by
// processor sharing (service.cpp), at the node's speed attribute times its drawn factor).
// Arrivals: arrivals.cpp.
#pragma once
#include <cstdint>
#include <map>
#include <vector>

#include "protocols/lb/key_store.h"
#include "protocols/lb/messages.h"
#include "protocols/lb/params.h"
#include "sim/outbox.h"

namespace meshsim::lb {

// Notes a node emits for the module's metrics and checkers (value in parentheses).
enum Note : uint16_t {
  kNoteSubmitted = 1,        // (task id) a task arrived at its submitter
  kNoteRequires,             // (capability mask) of the task just submitted
  kNoteStarted,              // (task id) the worker starts serving it
  kNoteServed,               // (service ns) the worker finished a task
  kNoteCommitted,            // (task id) the submitter accepted its completion: executed once
  kNoteSojourn,              // (ns) submission to accepted completion of that task
  kNoteServiceOfCommitted,   // (ns) the CPU time of that task, for its slowdown
  kNoteDuplicate,            // (task id) a completion of a task already accepted, suppressed
  kNoteResubmitted,          // (task id) placed again after a timeout
  kNoteRejected,             // (task id) a worker's queue was full
  kNoteLostTimeout,          // (task id) max_attempts placements timed out
  kNoteLostRejected,         // (task id) max_attempts placements were rejected
  kNoteLostNoEligible,       // (task id) no node has the required capabilities
  kNoteMigrated,             // (tasks) a victim handed over this many waiting tasks (stealing)
  kNoteKeyStored,            // (key) this node now holds a copy of the key's data
  kNoteKeyDropped,           // (key) this node discarded its copy after a handoff
  kNoteServedByReplica,      // (key) a replica, not the owner, accepted a keyed task
};

struct Protocol;

class Node {
 public:
  Node() = default;
  // A node that joins afresh continues its task numbering where its earlier life stopped,
  // so task ids stay unique over the whole run.
  explicit Node(uint32_t first_seq, double speed_scale = 1.0) : next_seq_(first_seq), speed_scale_(speed_scale) {}

  // Byzantine behaviours that act on what the node does rather than on what it sends
  // (lb_module.cpp): `never-finish` keeps accepted tasks and starts none; `bid-and-drop`
  // discards every task awarded to it by another node. The flags are fault state, owned by
  // the module (one byte per node) and only read here.
  static constexpr uint8_t kNeverFinish = 1, kDiscardAwards = 2;
  void read_byzantine_flags_from(const std::vector<uint8_t>* flags) { byzantine_flags_ = flags; }

  void start(const Params& p, const NodeView& v, Outbox<Message>& out);
  void on_message(const Params& p, const NodeView& v, NodeId from, const Message& m, Outbox<Message>& out);
  void on_timer(const Params& p, const NodeView& v, TimerId id, Outbox<Message>& out);
  void crash();

  // Tasks queued or in service here: the load every strategy compares.
  uint32_t load() const { return static_cast<uint32_t>(queue_.size() - head_); }
  // Tasks this node submitted and has not yet seen completed or given up.
  size_t pending_count() const { return pending_.size(); }
  bool has_pending(uint32_t seq) const { return pending_.contains(seq); }
  template <class F>
  void for_each_pending(F&& f) const {
    for (const auto& [seq, task] : pending_) f(seq);
  }
  uint32_t submitted() const { return next_seq_; }
  // The auction bid: how long until this node has served what it holds.
  int64_t bid_ns(const NodeView& v) const {
    return static_cast<int64_t>(static_cast<double>(queued_work_ns_) / speed(v));
  }
  // The node set's speed attribute times the speed drawn for this node (speed_dist.cpp).
  double speed(const NodeView& v) const { return v.attributes->speed(v.self) * speed_scale_; }

  static constexpr TimerId kArrivalTimer = 0;
  static constexpr TimerId kServiceTimer = 1;
  static constexpr TimerId kCheckTimer = 2;
  static constexpr TimerId kGossipTimer = 3;
  static constexpr TimerId kStealTimer = 4;
  static constexpr TimerId kRepairTimer = 5;  // consistent hashing: the key store's repair round

  const KeyStore& key_store() const { return keys_; }

 private:
  struct Pending {
    int64_t work_ns = 0;
    uint64_t capabilities = 0;
    int64_t submitted_ns = 0;
    int64_t placed_ns = 0;   // when the current attempt was placed (or its probes sent)
    NodeId worker = kNoNode;
    uint16_t attempt = 0;    // placements so far, minus one
    bool probing = false;    // power-of-d: waiting for probe replies
    uint32_t key = 0;        // consistent-hash: the task's key
  };
  struct Queued {
    uint64_t task;
    int64_t work_ns;
    uint64_t capabilities;
    uint16_t attempt;
    int64_t remaining_ns;  // work left at speed 1: all of it under FIFO, less under processor sharing
    bool started = false;  // processor sharing: its start is noted (the capability checker)
  };
  static constexpr uint64_t kStolen = UINT64_MAX;  // marks queue entries handed to a thief
  struct ProbeRound {
    uint32_t seq = 0;
    uint8_t asked = 0;
    uint8_t answered = 0;
    NodeId best = kNoNode;
    int64_t best_score = INT64_MAX;  // load (power-of-d) or bid (auction)
  };

  void submit(const Params& p, const NodeView& v, Outbox<Message>& out);
  void submit_task(const Params& p, const NodeView& v, int64_t work_ns, uint64_t capabilities, Outbox<Message>& out);
  // arrivals.cpp: the arrival process (Poisson, on/off, batch, trace).
  void start_arrivals(const Params& p, const NodeView& v, Outbox<Message>& out);
  void on_arrival_timer(const Params& p, const NodeView& v, Outbox<Message>& out);
  bool arrivals_over(const Params& p, const NodeView& v) const;
  void schedule_on_off(const Params& p, const NodeView& v, Outbox<Message>& out);
  void schedule_trace(const Params& p, const NodeView& v, Outbox<Message>& out);
  // service.cpp: processor sharing.
  void ps_advance(const NodeView& v);
  void ps_serve(const Params& p, const NodeView& v, Outbox<Message>& out);
  void report_done(const Params& p, const NodeView& v, const Queued& q, Outbox<Message>& out);
  void place(const Params& p, const NodeView& v, uint32_t seq, Outbox<Message>& out);
  void assign(const Params& p, const NodeView& v, uint32_t seq, NodeId worker, Outbox<Message>& out);
  void retry_or_lose(const Params& p, const NodeView& v, uint32_t seq, uint16_t lost_note, Outbox<Message>& out);
  void handle_assign(const Params& p, const NodeView& v, NodeId from, const Assign& a, Outbox<Message>& out);
  void handle_done(const Params& p, const NodeView& v, const Done& d, Outbox<Message>& out);
  void handle_reject(const Params& p, const NodeView& v, const Reject& r, Outbox<Message>& out);
  void handle_keyed_assign(const Params& p, const NodeView& v, NodeId from, const KeyedAssign& a, Outbox<Message>& out);
  void handle_probe_reply(const Params& p, const NodeView& v, NodeId from, const ProbeReply& r, Outbox<Message>& out);
  void decide_probe(const Params& p, const NodeView& v, uint32_t probe, Outbox<Message>& out);
  void handle_gossip(const Params& p, const NodeView& v, NodeId from, const LoadGossip& g);
  void remember_load(const Params& p, const NodeView& v, LoadEntry e);
  void check_timeouts(const Params& p, const NodeView& v, Outbox<Message>& out);
  void send_gossip(const Params& p, const NodeView& v, Outbox<Message>& out);
  void maybe_steal(const Params& p, const NodeView& v, Outbox<Message>& out);
  void handle_steal_request(const Params& p, const NodeView& v, NodeId from, Outbox<Message>& out);
  void handle_steal_reply(const Params& p, const NodeView& v, const StealReply& r, Outbox<Message>& out);
  void maybe_serve(const Params& p, const NodeView& v, Outbox<Message>& out);
  void finish_service(const Params& p, const NodeView& v, Outbox<Message>& out);
  Duration draw_size(const Params& p, const NodeView& v);
  Duration draw_interarrival(const Params& p, const NodeView& v);
  NodeId pick_random_eligible(const Params& p, const NodeView& v, uint64_t capabilities);

  // Durable: task ids are never reused, even across a crash of the submitter.
  uint32_t next_seq_ = 0;
  // Volatile.
  std::map<uint32_t, Pending> pending_;
  std::vector<Queued> queue_;  // FIFO from head_; compacted as it drains
  size_t head_ = 0;
  int64_t queued_work_ns_ = 0;  // work of every task in queue_ from head_, for bids
  bool serving_ = false;
  uint32_t round_robin_next_ = kNoNode;  // first use: just after self
  uint32_t next_probe_ = 0;
  std::map<uint32_t, ProbeRound> probes_;
  std::vector<LoadEntry> view_;
  bool stealing_ = false;  // a steal request is out (or its retry timer runs)
  // Arrivals (arrivals.cpp): the on/off phase and when it ends; the next trace line.
  bool burst_on_ = false;
  int64_t phase_end_ns_ = 0;
  size_t trace_next_ = 0;
  // Processor sharing: when the tasks' remaining work was last brought up to date.
  int64_t ps_updated_ns_ = 0;
  // Fault state, not protocol state: kept across a crash.
  double speed_scale_ = 1.0;
  const std::vector<uint8_t>* byzantine_flags_ = nullptr;
  uint8_t byzantine(const NodeView& v) const { return byzantine_flags_ ? (*byzantine_flags_)[v.self] : 0; }
  KeyStore keys_;          // consistent hashing: this node's copies of keyed data (volatile)
};

struct Protocol {
  using Params = lb::Params;
  using Node = lb::Node;
  using Message = lb::Message;
  static constexpr TimerId timer_count = 6;
  static constexpr bool uses_rng = true;
};

// The classical sequential setting (Azar, Broder, Karlin & Upfal 1994): m balls thrown one
// after another into n bins, each into the least loaded of d bins chosen uniformly at
// random (ties to the first). Returns the maximum load.
uint32_t place_balls(uint32_t bins, uint64_t balls, uint32_t d, Rng& rng);
// The leading term of the maximum load's theory: ln n / ln ln n for d = 1, ln ln n / ln d
// for d ≥ 2 (both + O(1), and for m = n).
double balls_max_load_theory(uint32_t bins, uint32_t d);

}  // namespace meshsim::lb
