// What NodeModule<> needs to know about pBFT: parameters, messages, timers, the per-node
// state machine (a replica for nodes 0..replicas-1, a client for the rest) and the CPU cost
// of each message for the engine's processing model.
#pragma once
#include "protocols/pbft/client.h"
#include "protocols/pbft/replica.h"

namespace meshsim::pbft {

struct Node {
  bool is_replica = true;
  Replica replica;
  Client client;

  // A replica's step ends by issuing the write for what it changed (replica_durable.cpp).
  void start(const Params& p, const NodeView& v, Outbox<Message>& out) {
    if (!is_replica) return client.start(p, v, out);
    replica.start(p, v, out);
    replica.end_step(p, v, out);
  }
  void on_message(const Params& p, const NodeView& v, NodeId from, const Message& m, Outbox<Message>& out) {
    if (!is_replica) return client.on_message(p, v, from, m, out);
    replica.on_message(p, v, from, m, out);
    replica.end_step(p, v, out);
  }
  void on_timer(const Params& p, const NodeView& v, TimerId id, Outbox<Message>& out) {
    if (!is_replica) return client.on_timer(p, v, id, out);
    replica.on_timer(p, v, id, out);
    replica.end_step(p, v, out);
  }
  void on_persisted(const Params& p, const NodeView& v, uint64_t token, Outbox<Message>& out) {
    if (is_replica) replica.on_persisted(p, v, token, out);
  }
  void crash() { is_replica ? replica.crash() : client.crash(); }
};

struct PbftProtocol {
  using Params = pbft::Params;
  using Node = pbft::Node;
  using Message = pbft::Message;
  static constexpr TimerId timer_count = 5;
  static constexpr bool uses_rng = true;

  static bool models_processing(const Params& p) { return p.model_processing; }
  static Duration receive_cost(const Params& p, const Message& m);
  static Duration send_cost(const Params& p, const Message& m);
};

}  // namespace meshsim::pbft
