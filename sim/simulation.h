// One Simulation owns one run: topology, network, fault schedule, modules, event queue,
// metrics. No globals, so many runs can share a process (sweeps run one per thread).
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sim/event_queue.h"
#include "sim/fingerprint.h"
#include "sim/metrics.h"
#include "sim/module.h"
#include "sim/network.h"
#include "sim/observer.h"
#include "sim/rng.h"
#include "sim/scenario.h"
#include "sim/topology.h"

namespace meshsim {

enum class NodeState : uint8_t { up, crashed, paused };

class Simulation {
 public:
  Simulation(const Scenario& scenario, const ModuleRegistry& registry);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  void add_observer(RunObserver* o) { observers_.push_back(o); }
  // Runs to the scenario's end time or event limit. `progress` (optional) is called every
  // 65,536 events, and once more when the event loop is over and the end-of-run checks
  // begin (finishing() is then true); sim/ reads no wall clock, so timing is the caller's.
  RunResult run(const RunInfo& info, const std::function<void(const Simulation&)>& progress = {});
  bool finishing() const { return finishing_; }

  // ---- what modules may use (all deterministic) ----
  SimTime now() const { return now_; }
  uint64_t seed() const { return scenario_.seed; }
  uint32_t node_count() const { return topology_.node_count(); }
  const Topology& topology() const { return topology_; }
  std::span<const NodeId> neighbors(NodeId n) const { return topology_.neighbors(n); }
  bool is_up(NodeId n) const { return state_[n] == NodeState::up; }
  NodeState node_state(NodeId n) const { return state_[n]; }
  Metrics& metrics() { return metrics_; }
  const Network& network() const { return *network_; }

  // Declares how many timer ids a module uses per node (for lazy cancellation).
  void declare_timers(ModuleId m, TimerId count);
  // Hands a message (already in the module's pool at `slot`) to the network.
  void send(ModuleId m, NodeId from, NodeId to, uint32_t slot, uint8_t msg_type, uint32_t bytes,
            Duration extra_delay = {});
  void set_timer(ModuleId m, NodeId node, TimerId id, Duration after);
  // The per-node processing model, opt-in per module. Each node has one CPU that serves
  // the module's incoming messages in arrival order: a message arriving at t starts service
  // at max(t, when the CPU frees up), takes Module::receive_cost, and its handler runs when
  // the service ends. So a node that receives faster than it can verify builds a queue and
  // throughput saturates the way real BFT replicas do. Timers are not queued (they model
  // interrupts), but their work is charged like any other step's.
  void enable_processing(ModuleId m);
  // Charges `work` (signing, executing a batch) to node n's CPU after whatever is already
  // queued; returns how long from now until that work starts.
  Duration occupy_cpu(NodeId n, Duration work);
  bool models_processing() const { return !busy_until_.empty(); }
  void cancel_timer(ModuleId m, NodeId node, TimerId id);
  // Component id of every node over the links that currently carry traffic both ways
  // between up nodes (partitions respected); crashed nodes get kNoNode. For checkers.
  // With over_overlay = false the graph is any-to-any (every reachable pair of up nodes),
  // which is what protocols that address peers uniformly at random rely on.
  std::vector<uint32_t> connected_components(bool over_overlay = true) const;

  // A checker found a safety violation during a step: the run stops after the current
  // event, with this as its failure (only the first report counts).
  void report_violation(Violation v) {
    if (!violation_) violation_ = std::move(v);
  }

  uint64_t events_processed() const { return events_; }
  // Message and timer events handed to modules: what run.max_events limits.
  uint64_t handled_events() const { return handled_; }
  size_t pending_events() const { return queue_.size(); }
  const std::vector<std::unique_ptr<Module>>& modules() const { return modules_; }
  uint64_t fingerprint() const { return fingerprint_.value(); }

 private:
  struct FaultAction {
    uint32_t fault;
    bool inverse;
  };
  void dispatch(const Event& e);
  void apply_fault(const FaultAction& a);
  void resolve_target(uint32_t fault_index);
  void sample_all();
  void crash_node(NodeId n);
  void hand_over(const Event& e, uint16_t msg_type);
  void begin_processing(const Event& e);
  // now + a + b for an event's time, saturating and capped just past the run's end.
  int64_t event_time(Duration a, Duration b = {}) const;
  void report_processing();
  void recover_node(NodeId n);
  void resume_node(NodeId n);
  void generate_chaos();
  Module* module_named(std::string_view name);

  const Scenario& scenario_;
  Topology topology_;
  std::unique_ptr<Network> network_;
  std::vector<std::unique_ptr<Module>> modules_;
  std::vector<NodeState> state_;
  std::vector<uint64_t> node_seq_;              // per-origin event counters
  // Per-node message counters, for the network stream only: a message's fate must not
  // shift when the node sets one more timer (which takes a node_seq_ number).
  std::vector<uint64_t> node_msg_seq_;
  std::vector<std::vector<uint32_t>> timer_gen_;  // per module: node * timers + id
  std::vector<TimerId> timer_count_;
  std::vector<int64_t> drift_ppm_;               // clock drift per node (empty = none)
  std::vector<std::vector<Event>> parked_;       // events held for paused nodes
  // Processing model (empty unless a module enabled it).
  std::vector<uint8_t> processing_;   // per module: its messages are served by the CPU
  std::vector<int64_t> busy_until_;   // per node: when its CPU finishes its queued work
  std::vector<int64_t> busy_ns_;      // per node: CPU time used, for utilisation
  std::vector<uint8_t> cpu_epoch_;    // per node: bumped on crash, so queued messages die with it
  int64_t queue_wait_total_ns_ = 0;
  int64_t queue_wait_max_ns_ = 0;
  uint64_t queued_messages_ = 0;
  EventQueue queue_;
  SimTime now_{};
  uint64_t events_ = 0;
  uint64_t handled_ = 0;
  size_t peak_pending_ = 0;
  std::vector<FaultSpec> faults_;  // scenario faults plus the ones chaos drew
  std::vector<FaultAction> actions_;
  std::optional<Violation> violation_;
  bool finishing_ = false;
  Fingerprint fingerprint_;
  Metrics metrics_;
  std::vector<RunObserver*> observers_;
};

}  // namespace meshsim
