// The pBFT module: engine glue around the Replica and Client state machines, the checkers
// (agreement and validity after every execution, liveness at every sample,
// linearizability of the clients' history at the end) and the metrics of README.md.
#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "protocols/kv/history_report.h"
#include "protocols/pbft/byzantine.h"
#include "protocols/pbft/node.h"
#include "sim/node_interfaces.h"
#include "sim/node_module.h"
#include "sim/scenario/module_registry.h"

namespace meshsim {
class ConfigSection;
}

namespace meshsim::pbft {

Params parse_params(ConfigSection& section);

class PbftModule : public NodeModule<PbftProtocol> {
  using Base = NodeModule<PbftProtocol>;

 public:
  PbftModule(Params params, std::string size_error, std::string read_only_bug_error = {});
  void deliver(NodeId to, NodeId from, uint32_t slot) override;
  void timer(NodeId n, TimerId id) override;

  std::string_view name() const override { return "pbft"; }
  bool set_byzantine(NodeId n, const ByzantineSpec& spec) override;
  void sample(SimTime now, Metrics& m) override;
  std::optional<Violation> finish(SimTime now, Metrics& m) override;
  // Fault targets: "primary" (of the highest view a correct replica is in), "backup",
  // "replica", "client".
  std::vector<NodeId> nodes_in_role(std::string_view role) override;
  std::string describe_node(NodeId n) const override;
  std::string note_name(uint16_t what) const override;
  std::vector<std::string> roles() const override { return {"primary", "backup", "replica", "client"}; }
  std::vector<MetricInfo> metrics() const override;

  // A replica that was Byzantine at any time in the run: the checkers exclude its state.
  bool ever_faulty(NodeId n) const { return n < ever_faulty_.size() && ever_faulty_[n]; }
  std::vector<kv::Operation> history() const;

 protected:
  Node make_node(NodeId n) override;
  void on_attach() override;
  void on_note(NodeId n, uint16_t what, int64_t value) override;
  void on_send(NodeId from, const Message& m) override;
  std::unique_ptr<ByzantineRewriter<Message>> make_byzantine(const ByzantineSpec& spec) override;
  std::vector<std::string> protocol_byzantine_behaviors() const override { return ByzantineFactory::names(); }

 private:
  void on_executed(NodeId n);
  std::optional<std::string> invalid_request(const Request& r) const;
  void violated(const std::string& checker, const std::string& detail);
  void check_liveness(SimTime now);
  std::string replica_states() const;

  // Node n's read-only state, from whichever module offers ReadOnlyView (membership); false
  // without one.
  bool read_only(NodeId n) const { return read_only_view_ && read_only_view_->read_only(n); }
  void refresh_read_only(NodeId n);

  std::string size_error_;
  std::string read_only_bug_error_;  // located message: bug = "ignore-read-only" without a ReadOnlyView
  const ReadOnlyView* read_only_view_ = nullptr;  // found at attach; null without membership
  uint64_t writes_proposed_ = 0;            // pre-prepares carrying a write, with membership
  uint64_t writes_proposed_read_only_ = 0;  // ... by a primary whose node was read-only
  uint64_t writes_refused_read_only_ = 0;
  ByzantineFactory byzantine_factory_;
  NodeId byzantine_target_ = kNoNode;  // the node set_byzantine is building a behaviour for
  std::vector<uint8_t> ever_faulty_;

  // Agreement: what the first correct replica executed at each sequence number.
  struct Agreed {
    Digest digest;
    NodeId replica;
    size_t requests;
  };
  std::map<Seq, Agreed> agreed_;

  // Liveness.
  int64_t last_progress_ns_ = 0;
  int64_t stable_since_ns_ = 0;
  uint64_t stable_signature_ = 0;

  // Metrics.
  View max_view_ = 0;
  kv::ServiceCounters service_;  // downtime: a correct replica started a view change, none completed since
  uint64_t view_changes_ = 0;
  uint64_t view_change_starts_ = 0;
  std::map<Seq, int64_t> checkpoint_taken_ns_;
  std::set<Seq> checkpoint_stable_;  // sequence numbers a correct replica saw become stable
  uint64_t state_transfers_ = 0;
  uint64_t batches_ = 0;
  uint64_t batched_requests_ = 0;
  uint64_t sent_by_type_[std::variant_size_v<Message>] = {};
  size_t log_peak_ = 0;
};

void register_pbft(ModuleRegistry& registry);

}  // namespace meshsim::pbft
