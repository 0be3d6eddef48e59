// The Raft module: engine glue around the pure Server and Client state machines, the
// safety checkers (run after every step), the linearizability check of the clients'
// history (at the end), and the metrics of README.md.
#pragma once
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "protocols/kv/history_report.h"
#include "protocols/raft/raft_node.h"
#include "protocols/raft/safety_checker.h"
#include "sim/node_interfaces.h"
#include "sim/node_module.h"
#include "sim/scenario/module_registry.h"

namespace meshsim {
class ConfigSection;
}

namespace meshsim::raft {

Params parse_params(ConfigSection& section);

class RaftModule : public NodeModule<RaftProtocol> {
  using Base = NodeModule<RaftProtocol>;

 public:
  // `size_error` is the located message for a topology with too few nodes for the servers.
  RaftModule(Params params, std::string size_error, std::string read_only_bug_error = {});

  std::string_view name() const override { return "raft"; }
  void start(NodeId n) override;
  void deliver(NodeId to, NodeId from, uint32_t slot) override;
  void timer(NodeId n, TimerId id) override;
  void crash(NodeId n) override;
  void sample(SimTime now, Metrics& m) override;
  std::optional<Violation> finish(SimTime now, Metrics& m) override;
  // Fault targets: "leader" (of the highest term), "follower", "candidate", "server", "client".
  std::vector<NodeId> nodes_in_role(std::string_view role) override;
  std::string describe_node(NodeId n) const override;
  std::string note_name(uint16_t what) const override;
  std::vector<std::string> roles() const override { return {"leader", "follower", "candidate", "server", "client"}; }
  // Membership changes (thesis ch. 4): "add-server" and "remove-server", one server at a
  // time, handed to the leader as soon as it can take them.
  bool apply_action(std::string_view action, const NodeSet& nodes) override;
  std::vector<std::string> actions() const override { return {"add-server", "remove-server"}; }
  std::vector<MetricInfo> metrics() const override;

  // The server that leads the highest term so far, if it is still leading (tests, viewer).
  NodeId current_leader() const;
  const SafetyChecker& checker() const { return checker_; }
  // Every client's record, merged in (client, invocation) order.
  std::vector<kv::Operation> history() const;

 protected:
  Node make_node(NodeId n) override;
  void on_attach() override;
  void begin_leader_loss(SimTime now);
  void end_leader_gap(SimTime now);
  void on_note(NodeId n, uint16_t what, int64_t value) override;
  void on_send(NodeId from, const Message& m) override;

 private:
  void after_step(NodeId n);
  void offer_config_change();
  void violated(const std::string& checker, const std::string& detail);
  bool majority_can_commit();
  // Node n's read-only state, from whichever module offers ReadOnlyView (membership); false
  // when none does.
  bool read_only(NodeId n) const { return read_only_view_ && read_only_view_->read_only(n); }

  std::string size_error_;
  std::string read_only_bug_error_;  // located message: bug = "ignore-read-only" without a ReadOnlyView
  const ReadOnlyView* read_only_view_ = nullptr;  // found at attach; null without membership
  // The write path under a read-only node (issue 13): writes refused, writes accepted
  // anyway (each a violation), reads answered as possibly stale.
  uint64_t read_only_writes_refused_ = 0;
  uint64_t read_only_writes_accepted_ = 0;
  uint64_t read_only_stale_reads_ = 0;
  uint64_t writes_accepted_ = 0;
  SafetyChecker checker_{0};
  std::vector<Index> commit_seen_;  // per server: the commit index the checker last saw
  // Metrics.
  int64_t first_leader_ns_ = -1;
  int64_t last_commit_latency_ns_ = 0;  // the commit latency note just seen, for its disk part
  NodeId leader_ = kNoNode;
  Term leader_term_ = 0;
  kv::ServiceCounters service_;  // downtime: from a leader's loss to the next leader
  Term max_term_ = 0;
  uint64_t elections_ = 0;
  uint64_t split_votes_ = 0;
  uint64_t leader_changes_ = 0;
  uint64_t disruptions_ = 0;
  int64_t loss_since_ns_ = -1;        // a leader crashed or stepped down, no leader since
  int64_t disruption_since_ns_ = -1;  // an election started against a live leader, no leader since
  uint64_t config_refusals_ = 0;
  uint64_t samples_ = 0;
  uint64_t available_samples_ = 0;
  uint64_t appended_entries_sent_ = 0;
  std::deque<ConfigRequest> config_pending_;  // scenario actions not yet taken by a leader
  bool config_retry_ = false;
  uint64_t config_changes_ = 0;
  uint64_t snapshots_taken_ = 0;
  uint64_t snapshots_installed_ = 0;
  uint64_t snapshot_bytes_sent_ = 0;
};

void register_raft(ModuleRegistry& registry);

}  // namespace meshsim::raft
