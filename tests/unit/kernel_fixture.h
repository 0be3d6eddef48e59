// A run built in code, with no scenario file: the kernel's own API as a test, the live
// window or an MPI rank uses it. `Idle` is a protocol whose nodes do nothing but exist (and
// `Chatty` one whose nodes ping a neighbour every 10 ms), so a test sees the engine alone.
#pragma once
#include <memory>
#include <variant>

#include "sim/node_module.h"
#include "sim/run_spec.h"
#include "sim/simulation.h"
#include "sim/topology_builders.h"

namespace meshsim::testing {

struct Ping {
  uint32_t wire_bytes() const { return 16; }
};
using ChattyMessage = std::variant<Ping>;

struct ChattyParams {
  Duration period = Duration::millis(10);
};

struct ChattyNode {
  uint64_t received = 0;
  void start(const ChattyParams& p, const NodeView&, Outbox<ChattyMessage>& out) { out.set_timer(0, p.period); }
  void on_message(const ChattyParams&, const NodeView&, NodeId, const ChattyMessage&, Outbox<ChattyMessage>&) {
    ++received;
  }
  void on_timer(const ChattyParams& p, const NodeView& v, TimerId, Outbox<ChattyMessage>& out) {
    out.send((v.self + 1) % v.node_count, Ping{});
    out.set_timer(0, p.period);
  }
  void crash() {}
};

struct ChattyProtocol {
  using Params = ChattyParams;
  using Node = ChattyNode;
  using Message = ChattyMessage;
  static constexpr TimerId timer_count = 1;
  static constexpr bool uses_rng = false;
  static std::string describe(const Params&, const Message&) { return "ping"; }
};

class ChattyModule : public NodeModule<ChattyProtocol> {
 public:
  using NodeModule::NodeModule;
  std::string_view name() const override { return "chatty"; }
};

inline Topology ring_topology(uint32_t nodes) {
  TopologySpec t;
  t.kind = "ring";
  t.nodes = nodes;
  return build_topology(t, 1, "(test)", ".");
}

// A ring of `nodes` chatty nodes, 1 ms links, 10 s long.
inline RunSpec chatty_run(uint32_t nodes, uint64_t seed = 1) {
  RunSpec spec;
  spec.seed = seed;
  spec.topology = ring_topology(nodes);
  spec.link.latency.a_ns = 1e6;
  spec.modules.push_back(std::make_unique<ChattyModule>(ChattyParams{}));
  return spec;
}

inline NodeSet nodes(NodeId a, NodeId b) {
  NodeSet s;
  s.add_range(a, b);
  return s;
}

inline FaultSpec fault(FaultKind kind, double at_s, double until_s, NodeSet on) {
  FaultSpec f;
  f.kind = kind;
  f.at = SimTime{static_cast<int64_t>(at_s * 1e9)};
  f.until = SimTime{static_cast<int64_t>(until_s * 1e9)};
  f.nodes = std::move(on);
  f.source = "test";
  return f;
}

inline SimTime at_s(double s) { return SimTime{static_cast<int64_t>(s * 1e9)}; }

}  // namespace meshsim::testing
