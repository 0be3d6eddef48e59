// One Simulation owns one run: topology, network, fault schedule, modules, event queue,
// metrics. No globals, so many runs can share a process (sweeps run one per thread).
//
// The kernel takes plain values (sim/run_spec.h), never a scenario file: the scenario
// layer (sim/scenario/) resolves TOML into a RunSpec, and a test, the live window or an MPI
// rank can build one in code. Pieces by responsibility: this event kernel (simulation.cpp),
// fault application (fault_injection.h), chaos drawing (chaos.h), the CPU model
// (cpu_model.h), the network (network.h).
#pragma once
#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <typeinfo>
#include <unordered_map>
#include <vector>

#include "sim/cpu_model.h"
#include "sim/disk_model.h"
#include "sim/event_queue.h"
#include "sim/fingerprint.h"
#include "sim/metrics.h"
#include "sim/module.h"
#include "sim/network.h"
#include "sim/observer.h"
#include "sim/partition_outbox.h"
#include "sim/rng.h"
#include "sim/run_spec.h"
#include "sim/topology.h"

namespace meshsim {

enum class NodeState : uint8_t { up, crashed, paused, absent };
const char* to_string(NodeState s);

class FaultInjector;

class Simulation {
 public:
  explicit Simulation(RunSpec spec);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  void add_observer(RunObserver* o);

  // ---- driving a run ----
  // run() is begin(), step() until over(), finish(). `progress` (optional) is called every
  // 65,536 events, and once more when the event loop is over and the end-of-run checks
  // begin (finishing() is then true); sim/ reads no wall clock, so timing is the caller's.
  RunResult run(const RunInfo& info, const std::function<void(const Simulation&)>& progress = {});
  // Queues the start of every node, the fault schedule and the first sample; tells the
  // observers the run started.
  void begin(const RunInfo& info);
  // Runs one event. Returns false, running nothing, once the run is over: past the end
  // time, at the event limit, after a violation or a stop request, or out of events.
  bool step();
  // Runs every event up to and including time t (or until the run is over); the clock
  // then reads t, or the time the run ended. Returns !over().
  bool run_until(SimTime t);
  // The same, but stops after `max_events` events even if some up to t remain (the clock
  // then reads the last event's time): a live view's way of bounding the work per frame
  // when a burst (a flood over 100,000 nodes) packs millions of events into an instant.
  bool run_until(SimTime t, uint64_t max_events);
  bool over();
  // The end of the run: modules finish, final metrics, the verdict; observers hear
  // on_run_end. Call once, after begin().
  RunResult finish();
  // Ends the run after the current event, as if its time were up (Ctrl-C, a window's
  // stop button); the run's status is then `interrupted`.
  void request_stop() { stop_requested_ = halted_ = true; }
  bool finishing() const { return finishing_; }

  // ---- what modules may use (all deterministic) ----
  SimTime now() const { return now_; }
  SimTime end() const { return spec_.end; }
  uint64_t seed() const { return spec_.seed; }
  uint32_t node_count() const { return topology().node_count(); }
  const Topology& topology() const { return spec_.topology; }
  std::span<const NodeId> neighbors(NodeId n) const { return topology().neighbors(n); }
  const NodeAttributes& attributes() const { return spec_.attributes; }
  bool is_up(NodeId n) const { return state_[n] == NodeState::up; }
  NodeState node_state(NodeId n) const { return state_[n]; }
  Metrics& metrics() { return metrics_; }
  const Metrics& metrics() const { return metrics_; }
  const Network& network() const { return *network_; }
  // Someone observes messages and notes (RunObserver::wants_messages): modules then report
  // their notes through notify_note.
  bool listening() const { return listening_; }
  void notify_note(NodeId n, ModuleId m, uint16_t what, int64_t value) {
    for (RunObserver* o : observers_) o->on_note(now_.ns, n, m, what, value);
  }
  // Another module's declared per-node interface (sim/node_interfaces.h), or null.
  template <class I>
  const I* find_interface() const {
    for (const auto& m : modules_)
      if (const void* p = m->provides(typeid(I))) return static_cast<const I*>(p);
    return nullptr;
  }

  // Declares how many timer ids a module uses per node (for lazy cancellation).
  void declare_timers(ModuleId m, TimerId count);
  // Hands a message (already in the module's pool at `slot`) to the network.
  void send(ModuleId m, NodeId from, NodeId to, uint32_t slot, uint8_t msg_type, uint32_t bytes,
            Duration extra_delay = {});
  void set_timer(ModuleId m, NodeId node, TimerId id, Duration after);
  void cancel_timer(ModuleId m, NodeId node, TimerId id);
  // The per-node processing model (cpu_model.h), opt-in per module: the module's incoming
  // messages queue on the node's CPU for Module::receive_cost before their handler runs.
  // Timers are not queued (they model interrupts), but their work is charged like any
  // other step's.
  void enable_processing(ModuleId m);
  // Charges `work` (signing, executing a batch) to node n's CPU after whatever is already
  // queued; returns how long from now until that work starts.
  Duration occupy_cpu(NodeId n, Duration work) { return cpu_.occupy(n, work, now_, spec_.end); }
  bool models_processing() const { return cpu_.enabled(); }
  // Work already queued on node n's CPU: what a protocol sees of its own load.
  Duration cpu_backlog(NodeId n) const { return cpu_.backlog(n, now_); }
  // The per-node disk (disk_model.h), on when the run has a [storage] section: queues a
  // durable write of `bytes` on node n's disk; Module::persisted(n, token) is called when it
  // completes, unless the node crashes first (the write is then lost).
  void write_to_disk(ModuleId m, NodeId n, uint32_t bytes, uint64_t token);
  bool models_storage() const { return disk_.enabled(); }
  const DiskModel& disk() const { return disk_; }
  // Component id of every node over the links that currently carry traffic both ways
  // between up nodes (partitions respected); crashed and absent nodes get kNoNode. For
  // checkers. With over_overlay = false the graph is any-to-any (every reachable pair of
  // up nodes), which is what protocols that address peers uniformly at random rely on.
  std::vector<uint32_t> connected_components(bool over_overlay = true) const;

  // A checker found a safety violation during a step: the run stops after the current
  // event, with this as its failure (only the first report counts).
  void report_violation(Violation v) {
    if (!violation_) violation_ = std::move(v);
    halted_ = true;
  }

  // ---- a read-only view of the run, for observers and the live window ----
  uint64_t events_processed() const { return events_; }
  // Message and timer events handed to modules: what run.max_events limits.
  uint64_t handled_events() const { return handled_; }
  size_t pending_events() const { return queue_.size(); }
  const std::vector<std::unique_ptr<Module>>& modules() const { return modules_; }
  uint64_t fingerprint() const { return fingerprint_.value(); }
  // The event the next step() will take from the queue, or null when none is queued. For
  // tools that step a run event by event and want to say what each event was (meshsim
  // diverge): reading it changes nothing, and run() never calls it, so it costs a run
  // nothing. Whether step() then processes it at all is step()'s decision (the end time,
  // the event limit, a stop); whether it counts towards the fingerprint, dispatch's (a
  // cancelled timer or a sampling tick does not).
  const Event* next_event() { return queue_.empty() ? nullptr : &queue_.top(); }
  // Messages sent and not yet handled by their target (arriving, or queued on its CPU),
  // with send and arrival times. Known only while an
  // observer wants messages or after track_messages(true) (it costs a hash map entry per
  // message in flight); empty otherwise.
  void track_messages(bool on);
  // Sorted by arrival time (deliver_ns), then id: for tests and tools that want a list.
  std::vector<MessageRecord> pending_messages() const;
  size_t pending_message_count() const { return in_flight_.size(); }
  // The same messages in no particular order, without a copy: what a view that draws
  // every frame uses, since copying and sorting a million records per frame would cost
  // more than drawing them.
  template <class Visit>
  void for_each_pending_message(Visit&& visit) const {
    for (const auto& entry : in_flight_) visit(entry.second);
  }
  // About one in `stride` of them, without walking the others (a flood over 100,000 nodes
  // has most of a million in flight): every stride-th bucket of the table. A message's
  // bucket follows from its id, so the same messages are chosen frame after frame (until
  // the table grows), and a drawn dot does not flicker.
  template <class Visit>
  void for_each_pending_message_sample(size_t stride, Visit&& visit) const {
    const size_t buckets = in_flight_.bucket_count();
    for (size_t b = 0; b < buckets; b += std::max<size_t>(1, stride))
      for (auto it = in_flight_.begin(b); it != in_flight_.end(b); ++it) visit(it->second);
  }
  // The faults in force right now (each one's index in faults()).
  std::vector<uint32_t> active_faults() const;
  const std::vector<FaultSpec>& faults() const;
  // The drift in force on a node's timers, in ppm (the most recently started drift fault).
  int64_t drift_ppm(NodeId n) const { return drift_ppm_.empty() ? 0 : drift_ppm_[n]; }
  const RunSpec& spec() const { return spec_; }

  // ---- one partition of a partitioned run (sim/partitioned_run.h; simulation_partition.cpp) ----
  // Makes this Simulation partition `index` of `outbox->first.size() - 1`: it starts and
  // runs only its own nodes' events, and messages to other partitions' nodes go to
  // `outbox` (with their full event key) instead of the queue. Faults and sampling run on
  // every partition (state_ stays global), but only owners run module callbacks. Call
  // before begin(). `fingerprint_log` receives the partition's fingerprinted events.
  void become_partition(uint32_t index, PartitionOutbox* outbox, std::vector<Fingerprint::Entry>* fingerprint_log);
  bool owns(NodeId n) const { return n - own_first_ < own_count_; }
  // Runs every event earlier than `bound` (and not past the end); the conservative window.
  void run_window(int64_t bound);
  // The earliest pending event's time, INT64_MAX when none.
  int64_t next_event_time() { return queue_.empty() ? INT64_MAX : queue_.top().time; }
  // Queues the messages another partition posted to this one (PartitionOutbox's format).
  void accept_remote(const std::vector<uint8_t>& bytes);
  // Fault and sampling events this partition ran: every partition runs them, so a merge
  // counts them once.
  uint64_t replicated_events() const { return replicated_events_; }
  uint64_t remote_messages_sent() const { return remote_ ? remote_->messages : 0; }

 private:
  friend class FaultInjector;

  void dispatch(const Event& e);
  void deliver_message(const Event& e);
  void sample_all();
  void hand_over(const Event& e, uint16_t msg_type);
  void begin_processing(const Event& e);
  void drop_arrived(const Event& e, DropReason reason);
  // now + a + b for an event's time, saturating and capped just past the run's end.
  int64_t event_time(Duration a, Duration b = {}) const;
  void notify_send(const Event& e, uint32_t bytes);
  MessageRecord record_of(const Event& e, bool forget);
  // The observed paths, out of line so the unobserved hot path stays small.
  [[gnu::cold, gnu::noinline]] void observe_dropped_send(ModuleId m, NodeId from, NodeId to, uint64_t seq, uint8_t type,
                                                         uint32_t bytes, uint32_t slot, DropReason why);
  [[gnu::cold, gnu::noinline]] void observe_delivery(const Event& e);
  [[gnu::cold, gnu::noinline]] void observe_arrival_drop(const Event& e, DropReason why);
  // One event, without the checks step() makes (the caller made them).
  void run_event();
  // send()'s path for a target on another partition (partitioned runs only).
  [[gnu::cold, gnu::noinline]] void send_remote(ModuleId m, const Event& e, const MessageFate& fate, Duration extra_delay);
  // Whether modules' sample/check/finish run here: not in a partition when a module's own
  // metrics read the whole mesh (Module::partition_support).
  bool module_metrics_here(const Module& m) const;

  // Node transitions, driven by the fault injector (which decides when layers compose).
  void crash_node(NodeId n);
  void recover_node(NodeId n);
  void pause_node(NodeId n);
  void resume_node(NodeId n);
  void leave_node(NodeId n);
  void join_node(NodeId n);
  void set_drift(NodeId n, int64_t ppm);
  void stall_disk(NodeId n, uint32_t layer, bool begin);
  void slow_disk(NodeId n, uint32_t layer, const SlowDisk& s, bool begin);
  void start_disk_write(NodeId n);
  void complete_disk_write(const Event& e);
  void cancel_all_timers(NodeId n);
  void drop_parked(NodeId n);

  RunSpec spec_;
  std::unique_ptr<Network> network_;
  std::vector<std::unique_ptr<Module>>& modules_;  // spec_.modules, attached
  std::unique_ptr<FaultInjector> faults_;
  std::vector<NodeState> state_;
  std::vector<uint8_t> restart_pending_;         // recovered while paused: restarts on resume
  // A node's two counters side by side: a send reads both, and at 100,000 nodes or more
  // each array is a cache miss of its own (PHOLD's send spent most of its time on them).
  struct NodeCounters {
    uint64_t events = 0;    // the origin's own event sequence: the event key's low part
    // Messages only, for the network stream: a message's fate must not shift when the
    // node sets one more timer (which takes an event number).
    uint64_t messages = 0;
  };
  std::vector<NodeCounters> node_counters_;
  std::vector<std::vector<uint32_t>> timer_gen_;  // per module: node * timers + id
  // Per module, one bit a node: set once any timer of the node has been set a second time
  // or cancelled. Until then every timer event of the node is current and dispatch skips
  // reading its generation, a random access into a table of nodes x timer ids (PHOLD at
  // 100,000 nodes: 25 MB, a miss of about 200 ns for each of its 1.6 M initial timers).
  std::vector<std::vector<uint64_t>> timer_reused_;
  bool timers_reused(ModuleId m, NodeId n) const { return timer_reused_[m][n >> 6] >> (n & 63) & 1; }
  void mark_timers_reused(ModuleId m, NodeId n) { timer_reused_[m][n >> 6] |= uint64_t{1} << (n & 63); }
  std::vector<TimerId> timer_count_;
  std::vector<int64_t> drift_ppm_;               // clock drift per node (empty = none)
  std::vector<std::vector<Event>> parked_;       // events held for paused nodes
  std::vector<uint8_t> processing_;              // per module: its messages are served by the CPU
  CpuModel cpu_;
  DiskModel disk_;
  EventQueue queue_;
  SimTime now_{};
  uint64_t events_ = 0;
  uint64_t handled_ = 0;
  size_t peak_pending_ = 0;
  std::optional<Violation> violation_;
  bool begun_ = false;
  bool finished_ = false;
  bool hit_limit_ = false;
  bool stop_requested_ = false;
  bool halted_ = false;  // a violation, a stop request, the event limit or the end: the loop's one check
  bool finishing_ = false;
  RunInfo info_;
  Fingerprint fingerprint_;
  Metrics metrics_;
  std::vector<RunObserver*> observers_;
  // Message observation (off unless an observer wants messages or track_messages(true)).
  bool listening_ = false;
  bool tracking_ = false;
  bool observing_ = false;  // listening_ || tracking_: the per-message check
  std::unordered_map<uint64_t, MessageRecord> in_flight_;
  // Partitioned runs: this Simulation runs nodes [own_first_, own_first_ + own_count_)
  // (all of them, unpartitioned: one unsigned compare in send() tells a remote target).
  NodeId own_first_ = 0;
  uint32_t own_count_ = UINT32_MAX;
  uint32_t partition_index_ = 0;
  PartitionOutbox* remote_ = nullptr;
  uint64_t replicated_events_ = 0;
  uint64_t fault_events_pending_ = 0;
};

}  // namespace meshsim
