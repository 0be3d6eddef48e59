// The attention consensus module: engine glue, the shared context built from the seed and
// the topology, and the per-round measurements (agreement, validity, distance to the truth,
// detection precision and recall, decision time, traffic and CPU per decision).
// Registered as "attention"; README.md documents keys, metrics and results.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocols/attention/node.h"
#include "sim/node_module.h"
#include "sim/scenario/module_registry.h"

namespace meshsim {
class ConfigSection;
}

namespace meshsim::attention {

Params parse_params(ConfigSection& section);
std::vector<MetricInfo> attention_metrics();

class AttentionModule : public NodeModule<Protocol> {
 public:
  explicit AttentionModule(Params params) : NodeModule<Protocol>(std::move(params)) {}

  std::string_view name() const override { return "attention"; }
  bool set_byzantine(NodeId n, const ByzantineSpec& spec) override;
  std::optional<Violation> finish(SimTime now, Metrics& m) override;
  std::vector<MetricInfo> metrics() const override { return attention_metrics(); }
  std::string describe_node(NodeId n) const override;

 protected:
  Node make_node(NodeId n) override;
  void on_note(NodeId n, uint16_t what, int64_t value) override;
  void on_send(NodeId from, const Message& m) override;
  std::unique_ptr<ByzantineRewriter<Message>> make_byzantine(const ByzantineSpec& spec) override;
  std::vector<std::string> protocol_byzantine_behaviors() const override;

 private:
  void build_context();
  bool correct(NodeId n) const { return n >= byzantine_ever_.size() || !byzantine_ever_[n]; }

  struct RoundRecord {
    std::vector<double> correct_proposals;
    std::vector<double> decisions;  // by correct nodes
    uint32_t proposers = 0;         // correct nodes that proposed
  };
  std::shared_ptr<const Context> context_;
  std::vector<bool> byzantine_ever_;
  std::map<uint32_t, RoundRecord> rounds_;
  uint64_t messages_ = 0, bytes_ = 0, late_ = 0, decisions_ = 0, multiply_adds_ = 0;
  uint64_t true_flags_ = 0, false_flags_ = 0, missed_ = 0;
};

void register_attention(ModuleRegistry& registry);

}  // namespace meshsim::attention
