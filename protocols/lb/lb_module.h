// The load-balancing module: engine glue, metrics and checkers around the node state machine
// of node.h. Registered as "lb"; `strategy` picks the placement (README.md).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "protocols/lb/node.h"
#include "protocols/lb/ring_ledger.h"
#include "sim/node_module.h"
#include "sim/scenario/module_registry.h"

namespace meshsim {
class ConfigSection;
}

namespace meshsim::lb {

Params parse_params(ConfigSection& section);
// The workload keys beyond Poisson and FIFO (lb_workload_config.cpp), called by parse_params.
void parse_workload(ConfigSection& section, Params& p);
void parse_keyed(ConfigSection& section, Params& p);  // keyed_config.cpp
std::vector<MetricInfo> lb_metrics();

class LbModule : public NodeModule<Protocol> {
 public:
  // `capability_error` is the located message for a required capability no node has, which
  // only attach() can detect (the [protocol] section does not see [[nodes.attributes]]).
  explicit LbModule(Params params, std::string capability_error = {});

  std::string_view name() const override { return "lb"; }
  void crash(NodeId n) override;
  // Consistent hashing: a leave takes the node off the ring, a join puts it on; a crash and
  // a recovery leave the ring alone (ring_module.cpp).
  void recover(NodeId n) override;
  void leave(NodeId n) override;
  void join(NodeId n) override;
  void sample(SimTime now, Metrics& m) override;
  std::optional<Violation> check(SimTime now) override;
  std::optional<Violation> finish(SimTime now, Metrics& m) override;
  std::vector<MetricInfo> metrics() const override { return lb_metrics(); }
  std::vector<NodeId> nodes_in_role(std::string_view role) override;
  std::vector<std::string> roles() const override { return {"most-loaded", "worker"}; }
  std::string describe_node(NodeId n) const override;

  uint64_t committed() const { return committed_; }
  uint64_t duplicates() const { return duplicates_; }

 protected:
  void on_attach() override;
  Node make_node(NodeId n) override;
  void on_note(NodeId n, uint16_t what, int64_t value) override;
  void on_send(NodeId from, const Message& m) override;
  std::unique_ptr<ByzantineRewriter<Message>> make_byzantine(const ByzantineSpec& spec) override;
  std::vector<std::string> protocol_byzantine_behaviors() const override {
    return {"lie-load", "drop-tasks", "never-finish", "bid-and-drop"};
  }
  bool set_byzantine(NodeId n, const ByzantineSpec& spec) override;
  void clear_byzantine(NodeId n, uint32_t layer = kAllLayers) override;

 private:
  // The ledger of every task, by submitter and sequence number: what the exactly-once
  // checker compares completions against.
  enum class TaskState : uint8_t { unknown, submitted, committed, lost };
  TaskState& state_of(uint64_t task);
  void fail(std::string checker, std::string detail);
  void report_balls_into_bins(Metrics& m);
  void on_ring_note(NodeId n, uint16_t what, int64_t value);  // ring_module.cpp
  void finish_ring(SimTime now, Metrics& m);
  // The engine tells modules of a leave only when the node was up; one that leaves while
  // crashed is found absent here, at each metrics sample, and taken off the ring.
  void notice_departures(SimTime now, Metrics& m);

  RingLedger ring_;       // consistent hashing only
  bool leaving_ = false;  // crash() runs for a leave: the ring checker names the cause

  void check_trace() const;
  void apply_byzantine_flags(NodeId n);

  std::string capability_error_;
  // The node-state Byzantine behaviours in force, by (node, fault layer) -> Node::k* flags.
  std::map<std::pair<NodeId, uint32_t>, uint8_t> byzantine_flags_;
  std::vector<uint8_t> byzantine_node_flags_;  // their union per node, which the nodes read
  std::vector<std::vector<TaskState>> ledger_;
  std::unordered_map<uint64_t, uint64_t> required_;  // task -> capability mask (looked up only)
  uint64_t last_submitted_ = 0;
  std::vector<int64_t> busy_ns_;
  uint64_t submitted_ = 0, committed_ = 0, duplicates_ = 0, resubmitted_ = 0, rejected_ = 0;
  uint64_t lost_timeout_ = 0, lost_rejected_ = 0, lost_no_eligible_ = 0, lost_submitter_crash_ = 0;
  uint64_t dropped_by_crash_ = 0, messages_ = 0, capability_tasks_ = 0, migrations_ = 0, migration_bytes_ = 0;
  int64_t last_sojourn_ns_ = 0;
  int64_t first_arrival_ns_ = -1, last_commit_ns_ = 0;
  // Time averages of the sampled load statistics.
  uint64_t samples_ = 0;
  double cv_sum_ = 0, max_over_mean_sum_ = 0, hotspots_sum_ = 0, variance_sum_ = 0;
  uint32_t load_peak_ = 0;
  std::optional<Violation> violation_;
};

void register_lb(ModuleRegistry& registry);

}  // namespace meshsim::lb
