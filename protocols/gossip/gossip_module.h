// The gossip module: engine glue, metrics and the delivery checker around the pure node
// state machines of gossip_node.h. One registered name, "gossip"; `strategy = "flooding"`
// builds a FloodModule (no per-node random stream), anything else a GossipModule.
#pragma once
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "protocols/gossip/gossip_node.h"
#include "sim/node_module.h"
#include "sim/scenario/module_registry.h"

namespace meshsim {
class ConfigSection;
}

namespace meshsim::gossip {

// Reads and validates the [protocol] keys (README.md lists them) and calls finish().
Params parse_params(ConfigSection& section);
// The metrics of README.md, flooding's and gossip's alike.
std::vector<MetricInfo> gossip_metrics();

template <class P>
class BasicGossipModule : public NodeModule<P> {
  using Base = NodeModule<P>;
  using Message = typename P::Message;

 public:
  // `origin_error` is the located message for an origin_node beyond the node count, which
  // only attach() can detect (the [protocol] section does not know the topology).
  explicit BasicGossipModule(Params params, std::string origin_error = {});

  std::string_view name() const override { return "gossip"; }
  void deliver(NodeId to, NodeId from, uint32_t slot) override;
  void crash(NodeId n) override;
  bool set_byzantine(NodeId n, const ByzantineSpec& spec) override;
  void sample(SimTime now, Metrics& m) override;
  std::optional<Violation> check(SimTime now) override;
  std::optional<Violation> finish(SimTime now, Metrics& m) override;
  std::vector<MetricInfo> metrics() const override { return gossip_metrics(); }
  // Its events run partitioned; coverage, residue and the delivery checker read every node
  // at once, so a partitioned run leaves them out (sim/README.md, "Partitioned runs").
  PartitionSupport partition_support() const override {
    return Base::kMessagesCross ? PartitionSupport::events_only : PartitionSupport::none;
  }
  // "informed 1 of 1 rumors (spreading 1)" or "uninformed": one line for a live view.
  std::string describe_node(NodeId n) const override;

  // Read-outs for tests and the viewer.
  bool injected(uint32_t rumor) const { return rumors_[rumor].injected_at_ns >= 0; }
  uint32_t informed_count(uint32_t rumor) const { return rumors_[rumor].informed; }
  uint64_t deliveries() const { return deliveries_; }
  uint64_t redundant_deliveries() const { return redundant_; }

 protected:
  void on_attach() override;
  void on_note(NodeId n, uint16_t what, int64_t value) override;
  void on_send(NodeId from, const Message& m) override;

 private:
  struct RumorStats {
    int64_t injected_at_ns = -1;  // -1: not injected (yet)
    uint32_t informed = 0;        // nodes that know it, origin included
    uint32_t infective = 0;       // nodes spreading it (rumor mongering)
  };
  void record_informed(NodeId n, uint32_t rumor);
  std::optional<Violation> check_delivery(SimTime now, const std::vector<uint32_t>& components);
  void maybe_report_expected_deliveries(Metrics& m, const std::vector<uint32_t>& components, uint32_t injected);

  std::string origin_error_;
  std::vector<RumorStats> rumors_;
  std::vector<uint32_t> sent_per_node_;
  std::array<uint64_t, std::variant_size_v<Message>> sent_by_type_{};
  uint64_t deliveries_ = 0;
  uint64_t redundant_ = 0;
  uint64_t crashes_ = 0;
  bool byzantine_seen_ = false;
  uint64_t infective_pairs_ = 0;
  uint64_t receipts_ = 0;  // first receipts, origins excluded (Demers's delay statistics)
  double delay_sum_ns_ = 0;
  int64_t delay_max_ns_ = 0;
  std::optional<Violation> fabricated_;
};

using GossipModule = BasicGossipModule<GossipProtocol>;
using FloodModule = BasicGossipModule<FloodProtocol>;

void register_gossip(ModuleRegistry& registry);

}  // namespace meshsim::gossip
