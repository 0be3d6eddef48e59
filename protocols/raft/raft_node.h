// What NodeModule<> needs to know about Raft: its parameters, messages and timers, and the
// per-node state machine, which is a server (nodes 0..servers-1) or a client (the rest).
#pragma once
#include <cstdint>

#include "protocols/raft/client.h"
#include "protocols/raft/server.h"

namespace meshsim::raft {

struct Node {
  bool is_server = true;
  Server server;
  Client client;

  void start(const Params& p, const NodeView& v, Outbox<Message>& out) {
    is_server ? server.start(p, v, out) : client.start(p, v, out);
  }
  void on_message(const Params& p, const NodeView& v, NodeId from, const Message& m, Outbox<Message>& out) {
    is_server ? server.on_message(p, v, from, m, out) : client.on_message(p, v, from, m, out);
  }
  void on_timer(const Params& p, const NodeView& v, TimerId id, Outbox<Message>& out) {
    is_server ? server.on_timer(p, v, id, out) : client.on_timer(p, v, id, out);
  }
  void on_persisted(const Params& p, const NodeView& v, uint64_t token, Outbox<Message>& out) {
    if (is_server) server.on_persisted(p, v, token, out);
  }
  void crash() { is_server ? server.crash() : client.crash(); }
};

struct RaftProtocol {
  using Params = raft::Params;
  using Node = raft::Node;
  using Message = raft::Message;
  static constexpr TimerId timer_count = 4;
  static constexpr bool uses_rng = true;
  // The processing model is on only when some cost is set (params.h, Costs), so runs
  // without cost keys keep their fingerprints.
  static bool models_processing(const Params& p) { return p.costs.any(); }
  static Duration receive_cost(const Params& p, const Message&) { return p.costs.receive; }
  static Duration send_cost(const Params& p, const Message&) { return p.costs.send; }
  // "RequestVote term 3 last 41@2 (pre-vote)": a message's content for traces.
  static std::string describe(const Params&, const Message& m);
};

}  // namespace meshsim::raft
