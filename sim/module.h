// The engine-facing side of a protocol module. sim/ knows protocols only through this
// interface and the registry; protocols/ implement it, usually by deriving from the typed
// NodeModule<> template (sim/node_module.h) which does the message pool and outbox plumbing.
#pragma once
#include <cstdint>
#include <typeinfo>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/ids.h"
#include "sim/metric_info.h"
#include "sim/metrics.h"
#include "sim/node_set.h"
#include "sim/time.h"

namespace meshsim {

class Simulation;

// A Byzantine behaviour as the fault schedule names it. Generic behaviours (silent, delay,
// drop, replay) work for every protocol; protocols add their own (equivocate, ...).
struct ByzantineSpec {
  std::string behavior;
  Duration delay{};          // for "delay"
  double probability = 1.0;  // share of outgoing messages affected (drop, replay)
  // Which fault switched the behaviour on: behaviours on one node stack (each fault its own
  // layer), and a fault's end removes only its own.
  uint32_t layer = 0;
};
inline constexpr uint32_t kAllLayers = UINT32_MAX;

// A safety or liveness violation found by a protocol's checker.
struct Violation {
  SimTime at{};
  std::string checker;  // "gossip.component_delivery"
  std::string detail;   // nodes, rumor, what was expected
};

// "leader, follower, candidate": a list of names for a message.
inline std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// How a module takes part in a run partitioned over ranks (sim/partitioned_run.h).
enum class PartitionSupport : uint8_t {
  // Refused for more than one partition: its checkers or its nodes read other nodes'
  // state synchronously (Raft's and pBFT's safety checkers, linearizability), or its
  // messages cannot be copied between processes.
  none,
  // Runs partitioned with every metric equal to the sequential run's: its state is per
  // node and it reports no whole-mesh metric (PHOLD).
  exact,
  // Its events run partitioned exactly (the fingerprint and the engine's metrics equal the
  // sequential run's), but its own metrics and checkers read every node at once, so a
  // partitioned run does not compute them (flooding, gossip): see sim/README.md.
  events_only,
};

class Module {
 public:
  virtual ~Module() = default;
  virtual std::string_view name() const = 0;

  // Called once after the topology exists and before any event.
  virtual void attach(Simulation& sim, ModuleId id) = 0;
  virtual void start(NodeId node) = 0;
  virtual void deliver(NodeId to, NodeId from, uint32_t slot) = 0;
  virtual void timer(NodeId node, TimerId id) = 0;
  // Crash loses volatile state; recover restarts the node from what it declared durable.
  virtual void crash(NodeId node) = 0;
  virtual void recover(NodeId node) = 0;
  // A durable write the module issued (Simulation::write_to_disk) has completed.
  virtual void persisted(NodeId /*node*/, uint64_t /*token*/) {}
  // The network dropped a message: give its pool slot back.
  virtual void release(uint32_t slot) = 0;
  // The network duplicated a message: copy it into a new slot.
  virtual uint32_t clone(uint32_t slot) = 0;
  // The per-node processing model (Simulation::enable_processing): the CPU time the
  // receiving node spends on the message in `slot` before its handler runs (verifying a
  // MAC or a signature, hashing a batch).
  virtual Duration receive_cost(uint32_t /*slot*/) const { return {}; }
  // A short rendering of the message in `slot` for traces and the live view; empty when
  // the protocol provides none.
  virtual std::string describe_message(uint32_t /*slot*/) const { return {}; }
  // The name of message type `type` (the index in the protocol's message variant), for
  // traces and filters: "RequestVote". The name of a protocol note ("leader"), or empty
  // for notes that are bookkeeping only.
  virtual std::string message_type_name(uint8_t type) const { return "type" + std::to_string(type); }
  virtual std::string note_name(uint16_t /*what*/) const { return {}; }

  // A node leaves the mesh for good (its process ends cleanly, it forgets everything), or
  // joins it afresh: unlike recover, a join starts from a new node's state, durable state
  // included. Timers are cancelled by the engine on leave, as on crash.
  virtual void leave(NodeId node) { crash(node); }
  // Called just before leave() while the node is still up and can send: a graceful
  // process says goodbye (membership's Leave). Nothing by default.
  virtual void before_leave(NodeId /*node*/) {}
  virtual void join(NodeId node) { recover(node); }

  // Byzantine behaviour switched on for a node by the fault schedule (layer spec.layer), or
  // off (one layer, or kAllLayers). Returns false if the behaviour name is unknown.
  virtual bool set_byzantine(NodeId node, const ByzantineSpec& spec) = 0;
  virtual void clear_byzantine(NodeId node, uint32_t layer = kAllLayers) = 0;
  // Behaviour names this module accepts (generic ones plus the protocol's own), for errors.
  virtual std::vector<std::string> byzantine_behaviors() const = 0;

  // Role targets for faults ("crash the leader"): the up nodes that hold `role` right now,
  // in the order the fault should prefer them. roles() lists the names this module knows
  // (empty: none), for the scenario's error messages.
  virtual std::vector<NodeId> nodes_in_role(std::string_view /*role*/) { return {}; }
  virtual std::vector<std::string> roles() const { return {}; }
  // Scenario actions a protocol offers (`kind = "action"`, e.g. Raft's "add-server"),
  // applied to `nodes` when the action's time comes. Returns false for an unknown name.
  virtual bool apply_action(std::string_view /*action*/, const NodeSet& /*nodes*/) { return false; }
  virtual std::vector<std::string> actions() const { return {}; }

  // Cross-module reads on one node (sim/node_interfaces.h): the interface of type `type`
  // this module offers, or null. Simulation::find_interface<I>() is the typed way to ask.
  virtual const void* provides(const std::type_info& /*type*/) const { return nullptr; }
  // One line per node for a live view or a trace ("leader term 3, commit 41"); empty
  // when the module has nothing to say about the node.
  virtual std::string describe_node(NodeId /*node*/) const { return {}; }
  // Every metric the module can report (sim/metric_info.h): what `meshsim protocols` lists
  // and what an [expect] key is checked against before the run. The engine's own metrics
  // are engine_metrics(), not repeated here.
  virtual std::vector<MetricInfo> metrics() const { return {}; }

  // Partitioned runs: what the module supports, and how its messages cross partitions.
  // export_message appends the message in `slot` to `out` and frees the slot (nothing for
  // a message inlined in the event's payload); import_message reads one back from `in`
  // (advancing it) and returns the payload the receiving partition's event carries.
  virtual PartitionSupport partition_support() const { return PartitionSupport::none; }
  virtual void export_message(uint32_t /*slot*/, std::vector<uint8_t>& /*out*/) {}
  virtual uint32_t import_message(uint32_t payload, const uint8_t*& /*in*/) { return payload; }

  // Time-series sampling at the scenario's metrics interval.
  virtual void sample(SimTime /*now*/, Metrics&) {}
  // Runs the protocol's safety checkers; called at every sample and at the end.
  virtual std::optional<Violation> check(SimTime /*now*/) { return std::nullopt; }
  // End of run: final metrics and liveness-style checks (e.g. every rumor delivered).
  virtual std::optional<Violation> finish(SimTime /*now*/, Metrics&) { return std::nullopt; }
};

}  // namespace meshsim
