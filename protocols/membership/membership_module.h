// The membership module: engine glue, metrics, checkers and Byzantine behaviours around the
// pure MemberNode state machines (member_node.h). Registered as "membership".
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "protocols/membership/member_node.h"
#include "sim/node_interfaces.h"
#include "sim/node_module.h"
#include "sim/scenario/module_registry.h"

namespace meshsim {
class ConfigSection;
}

namespace meshsim::membership {

Params parse_params(ConfigSection& section);
std::vector<MetricInfo> membership_metrics();

class MembershipModule : public NodeModule<MembershipProtocol>, public FailureDetectorView, public ReadOnlyView {
  using Base = NodeModule<MembershipProtocol>;

 public:
  // `seed_error` is the located message for a seed beyond the node count (known at attach).
  explicit MembershipModule(Params params, std::string seed_error = {});

  std::string_view name() const override { return "membership"; }
  void start(NodeId n) override;
  void crash(NodeId n) override;
  void join(NodeId n) override;
  void leave(NodeId n) override;
  void before_leave(NodeId n) override;
  bool set_byzantine(NodeId n, const ByzantineSpec& spec) override;
  std::vector<NodeId> nodes_in_role(std::string_view role) override;
  std::vector<std::string> roles() const override { return {"seed", "member"}; }
  const void* provides(const std::type_info& t) const override;
  std::string describe_node(NodeId n) const override;
  std::vector<MetricInfo> metrics() const override { return membership_metrics(); }
  void sample(SimTime now, Metrics& m) override;
  std::optional<Violation> check(SimTime now) override;
  std::optional<Violation> finish(SimTime now, Metrics& m) override;

  // FailureDetectorView: what node `self` believes (read by other modules on that node).
  bool suspects(NodeId self, NodeId peer) const override;
  std::vector<NodeId> live_peers(NodeId self) const override;
  // ReadOnlyView: whether node `self` lost its majority (the key-value workload reads it).
  bool read_only(NodeId self) const override { return nodes()[self].read_only(); }

  Duration completeness_bound() const { return bound_; }
  uint64_t false_positives() const { return false_positives_; }

 protected:
  MemberNode make_node(NodeId n) override;
  void on_attach() override;
  void on_note(NodeId n, uint16_t what, int64_t value) override;
  void on_send(NodeId from, const Message& m) override;
  std::unique_ptr<ByzantineRewriter<Message>> make_byzantine(const ByzantineSpec& spec) override;
  std::vector<std::string> protocol_byzantine_behaviors() const override { return {"accuse", "eternal-refuter"}; }

 private:
  struct Target {
    int64_t down_at_ns = -1;  // crashed or left and not back; -1 while up
    bool suspected = false, confirmed = false, all_know = false;
    uint32_t failed_by = 0;   // honest nodes that declared this life failed
    int64_t started_ns = -1;  // start or join of the current life
    uint32_t known_by = 0;
    bool known_99 = false, known_all = false;
  };
  uint32_t up_count() const;
  bool honest(NodeId n) const { return !byzantine_ever_[n]; }
  bool accuracy_armed() const;
  void begin_life(NodeId n);
  void went_down(NodeId n);

  std::string seed_error_;
  Duration bound_{};
  std::vector<Target> targets_;
  std::vector<int64_t> up_since_ns_;
  std::vector<uint8_t> disturbed_;     // crashed, left or paused at some point: not "healthy"
  std::vector<uint8_t> byzantine_ever_;
  uint32_t byzantine_count_ = 0;
  bool schedule_disturbs_ = false;     // pauses, partitions, degraded links or drift scheduled
  uint32_t cached_up_ = 0;
  int64_t converged_since_ns_ = -1;  // since when every up node's view holds exactly the up nodes
  uint64_t false_positives_ = 0, accusations_ = 0, refutations_ = 0, confirmed_ = 0;
  uint64_t graceful_leaves_ = 0;  // leaves announced with a Leave message
  uint64_t sent_messages_ = 0, sent_bytes_ = 0;
  std::optional<Violation> accuracy_violation_;
  std::vector<int64_t> read_only_since_ns_;  // -1 while writable
  std::vector<int64_t> read_only_node_ns_;   // per node, closed intervals
  double read_only_ns_ = 0;                  // summed over nodes
  uint64_t read_only_episodes_ = 0;
};

void register_membership(ModuleRegistry& registry);

}  // namespace meshsim::membership
