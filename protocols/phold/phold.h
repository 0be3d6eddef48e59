// PHOLD (Fujimoto 1990), the standard synthetic benchmark for discrete-event engines, as
// docs/benchmarks.md specifies it: every node starts with E pending events whose
// timestamps are exp(mean 1 us); handling an event sends one message to a node chosen
// uniformly among all N (itself included), delivered after the network's latency
// (configure it as exponential: 100 ns + exp(mean 1 us)). The population stays N * E.
#pragma once
#include <variant>

#include "sim/node_module.h"
#include "sim/scenario/module_registry.h"

namespace meshsim::phold {

struct Token {
  static constexpr const char* kName = "Token";
  uint32_t wire_bytes() const { return 8; }
};
using Message = std::variant<Token>;

struct Params {
  uint16_t initial_events = 16;
  Duration initial_mean = Duration::micros(1);
};

// Timer ids 0..initial_events-1 hold the initial events, so they need no message slots.
constexpr TimerId kMaxInitialEvents = 64;

struct Node {
  void start(const Params& p, const NodeView& v, Outbox<Message>& out);
  void on_message(const Params& p, const NodeView& v, NodeId from, const Message& m, Outbox<Message>& out);
  void on_timer(const Params& p, const NodeView& v, TimerId id, Outbox<Message>& out);
  void crash() {}

 private:
  static void forward(const NodeView& v, Outbox<Message>& out);
};

struct Protocol {
  using Params = phold::Params;
  using Node = phold::Node;
  using Message = phold::Message;
  static constexpr TimerId timer_count = kMaxInitialEvents;
  static constexpr bool uses_rng = true;
  // A token carries nothing: it travels inside the event, with no pool slot.
  static uint32_t encode(const Message&) { return 0; }
  static Message decode(const Params&, uint32_t) { return Token{}; }
};

class PholdModule : public NodeModule<Protocol> {
 public:
  using NodeModule::NodeModule;
  std::string_view name() const override { return "phold"; }
  // Per-node state only, no metrics of its own: a partitioned run equals the sequential one.
  PartitionSupport partition_support() const override { return PartitionSupport::exact; }
};

void register_phold(ModuleRegistry& registry);

}  // namespace meshsim::phold
