// The membership module in HyParView mode (`[protocol] view = "hyparview"`): engine glue,
// metrics and checkers around the pure HyParViewNode state machines (hyparview.h).
// Registered under the name "membership", like the full-list mode it replaces for a run.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocols/membership/hyparview.h"
#include "sim/node_module.h"

namespace meshsim {
class ConfigSection;
}

namespace meshsim::membership::hyparview {

Params parse_params(ConfigSection& section);
std::vector<MetricInfo> hyparview_metrics();
// Reads the HyParView keys of `section` and builds the module (called by the membership
// factory once it has read `view = "hyparview"`).
std::unique_ptr<Module> make_module(ConfigSection& section);

// Overlay statistics of one moment, over the up nodes (hyparview_overlay.cpp).
struct OverlaySnapshot {
  uint32_t up = 0;
  double active_mean = 0, passive_mean = 0;
  uint32_t active_min = 0, active_max = 0;
  double largest_component_share = 0;  // of the up nodes, over active links between up nodes
  uint32_t indegree_min = 0, indegree_max = 0;
  double indegree_std = 0;
};
OverlaySnapshot snapshot_overlay(const std::vector<HyParViewNode>& nodes, const std::vector<uint8_t>& up);

class HyParViewModule : public NodeModule<HyParViewProtocol> {
  using Base = NodeModule<HyParViewProtocol>;

 public:
  HyParViewModule(Params params, std::string seed_error);

  std::string_view name() const override { return "membership"; }
  void start(NodeId n) override;
  void crash(NodeId n) override;
  void leave(NodeId n) override;
  void before_leave(NodeId n) override;
  std::vector<NodeId> nodes_in_role(std::string_view role) override;
  std::vector<std::string> roles() const override { return {"seed", "member"}; }
  std::string describe_node(NodeId n) const override;
  std::vector<MetricInfo> metrics() const override { return hyparview_metrics(); }
  void sample(SimTime now, Metrics& m) override;
  std::optional<Violation> check(SimTime now) override;
  std::optional<Violation> finish(SimTime now, Metrics& m) override;

  Duration symmetry_bound() const { return bound_; }
  // Start or join of node n's current life (-1 while it is down).
  int64_t life_started_ns(NodeId n) const { return started_ns_[n]; }
  // Up long enough to have joined (join_timeout): the end-of-run figures leave out a node
  // that a chaos schedule brought back in the run's last moments.
  bool settled(NodeId n, SimTime now) const {
    return started_ns_[n] >= 0 && now.ns - started_ns_[n] >= params().join_timeout.ns;
  }

 protected:
  void on_attach() override;
  void on_note(NodeId n, uint16_t what, int64_t value) override;
  void on_send(NodeId from, const Message& m) override;

 private:
  struct Asymmetry {
    int64_t since_ns;       // when the holder put the peer in its active view (identifies the link)
    int64_t first_seen_ns;  // first sample that saw the link one-sided
  };
  bool symmetry_armed() const;
  std::vector<uint8_t> up_flags() const;
  std::vector<uint8_t> settled_flags(SimTime now) const;
  void check_view_bounds(SimTime now);
  void check_symmetry(SimTime now);

  std::string seed_error_;
  Duration bound_{};
  bool schedule_disturbs_ = false;
  std::vector<int64_t> started_ns_;      // start or join of the node's current life; -1 while down
  std::vector<uint8_t> in_some_active_;  // someone put the node in its active view this life
  std::map<std::pair<NodeId, NodeId>, Asymmetry> one_sided_;  // (holder, peer) links seen one-sided
  uint32_t one_sided_now_ = 0;
  std::optional<Violation> violation_;
  uint64_t sent_messages_ = 0, sent_bytes_ = 0, link_failures_ = 0, shuffles_ = 0, graceful_leaves_ = 0;
  OverlaySnapshot last_{};
  double min_share_after_connected_ = -1;  // -1 until the overlay was first connected
  int64_t connected_since_ns_ = -1;        // since when the up nodes' overlay is one component
};

}  // namespace meshsim::membership::hyparview
