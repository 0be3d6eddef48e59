// What one protocol step produces (the etcd-raft "Ready" batch): messages to send, timers
// to set or cancel. A step never touches the engine directly, so protocols are unit-tested
// by calling a step and reading its outbox, with no simulator at all.
#pragma once
#include <span>
#include <vector>

#include "sim/ids.h"
#include "sim/node_attributes.h"
#include "sim/rng.h"
#include "sim/time.h"

namespace meshsim {

// The inputs a step may read besides its own state and the message: who it is, the time
// the input arrived, the node count for any-to-any addressing, its overlay neighbours and
// its private random stream. Time is an input like any other (never a clock read).
struct NodeView {
  NodeId self = 0;
  SimTime now{};
  uint32_t node_count = 0;
  std::span<const NodeId> neighbors{};
  Rng* rng = nullptr;
  const NodeAttributes* attributes = nullptr;  // capacity, speed, zone, capabilities
  // Work already queued on this node's CPU, for protocols that model processing costs
  // (0 otherwise): a protocol may shed or redirect load when its own backlog grows.
  Duration cpu_backlog{};
  // Whether durable writes take time on this run (a [storage] section): a protocol then
  // issues them with Outbox::persist and acts on what depends on them in on_persisted;
  // otherwise a write is free and instant, as it was before the disk model.
  bool durable_writes_take_time = false;
};

template <class Msg>
class Outbox {
 public:
  struct Send {
    NodeId to;
    Msg msg;
    Duration extra_delay{};  // set only by Byzantine "delay" behaviours
  };
  struct TimerSet {
    TimerId id;
    Duration after;
  };

  void send(NodeId to, Msg msg) { sends_.push_back(Send{to, std::move(msg), {}}); }
  void set_timer(TimerId id, Duration after) { timers_.push_back({id, after}); }
  void cancel_timer(TimerId id) { cancels_.push_back(id); }
  // A protocol milestone for the module's metrics ("informed of rumor 3"): an output like
  // any other, so the state machine stays pure and the module does the bookkeeping.
  void note(uint16_t what, int64_t value) { notes_.push_back({what, value}); }
  struct Note {
    uint16_t what;
    int64_t value;
  };
  const std::vector<Note>& notes() const { return notes_; }
  // CPU work this step did besides receiving its input and authenticating what it sends
  // (executing a batch, say). Counts only where the module models processing time.
  void busy(Duration work) { work_ = work_ + work; }
  Duration work() const { return work_; }
  // A durable write of `bytes` on the node's disk (only when the view says writes take
  // time); the node's on_persisted(token) runs when it completes, never if it crashes first.
  struct Write {
    uint32_t bytes;
    uint64_t token;
  };
  void persist(uint32_t bytes, uint64_t token) { writes_.push_back({bytes, token}); }
  const std::vector<Write>& writes() const { return writes_; }

  std::vector<Send>& sends() { return sends_; }
  const std::vector<Send>& sends() const { return sends_; }
  const std::vector<TimerSet>& timers() const { return timers_; }
  const std::vector<TimerId>& cancels() const { return cancels_; }
  bool empty() const { return sends_.empty() && timers_.empty() && cancels_.empty() && notes_.empty() && writes_.empty(); }
  void clear() {
    clear_all_but_writes();
    writes_.clear();
  }
  // For protocols that never persist (NodeModule knows at compile time): the step's hot
  // path then does not pay for a list that is always empty.
  void clear_all_but_writes() {
    sends_.clear();
    timers_.clear();
    cancels_.clear();
    notes_.clear();
    work_ = {};
  }

 private:
  std::vector<Send> sends_;
  std::vector<TimerSet> timers_;
  std::vector<TimerId> cancels_;
  std::vector<Note> notes_;
  std::vector<Write> writes_;
  Duration work_{};
};

}  // namespace meshsim
