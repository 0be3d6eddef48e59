// Drives pBFT replicas and a client without the engine: messages wait on a wire until the
// test delivers them, timers fire when the test says so. Each delivery is written to a
// transcript ("r0 -> r1 PrePrepare v0 n1 batch 1"), which the transcript tests compare
// with golden files.
#pragma once
#include <deque>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "protocols/pbft/node.h"

namespace meshsim::pbft::testing {

inline std::string describe(const Message& m) {
  std::ostringstream o;
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, Request>) o << "Request c" << x.cmd.client << " #" << x.cmd.seq;
        else if constexpr (std::is_same_v<T, Reply>) o << "Reply v" << x.view << " #" << x.seq << " = " << x.outcome.value;
        else if constexpr (std::is_same_v<T, PrePrepare>) o << "PrePrepare v" << x.view << " n" << x.seq << " batch " << x.batch.size();
        else if constexpr (std::is_same_v<T, Prepare>) o << "Prepare v" << x.view << " n" << x.seq;
        else if constexpr (std::is_same_v<T, Commit>) o << "Commit v" << x.view << " n" << x.seq;
        else if constexpr (std::is_same_v<T, Checkpoint>) o << "Checkpoint n" << x.seq;
        else if constexpr (std::is_same_v<T, ViewChange>)
          o << "ViewChange to v" << x.new_view << " stable " << x.stable_seq << " prepared " << x.prepared.size();
        else if constexpr (std::is_same_v<T, NewView>)
          o << "NewView v" << x.view << " V " << x.view_changes.size() << " O " << x.pre_prepares.size();
        else if constexpr (std::is_same_v<T, FetchState>) o << "FetchState n" << x.seq;
        else if constexpr (std::is_same_v<T, StateReply>) o << "StateReply n" << x.seq;
        else if constexpr (std::is_same_v<T, FetchNewView>) o << "FetchNewView v" << x.view;
        else if constexpr (std::is_same_v<T, FetchCommitted>) o << "FetchCommitted n" << x.first << ".." << x.last;
        else if constexpr (std::is_same_v<T, CommitProof>) o << "CommitProof v" << x.view << " n" << x.seq;
        else if constexpr (std::is_same_v<T, FetchViewChange>) o << "FetchViewChange v" << x.view;
      },
      m);
  return o.str();
}

struct Harness {
  struct Envelope {
    NodeId from, to;
    Message msg;
  };

  Params p;
  std::vector<Node> nodes;
  std::vector<Rng> rngs;
  std::deque<Envelope> wire;
  std::set<NodeId> down;
  std::vector<std::string> transcript;
  SimTime now{};
  // With `disk`, durable writes take time: each waits here until complete_write.
  bool disk = false;
  std::vector<std::deque<uint64_t>> writes;

  explicit Harness(Params params, uint32_t clients = 1, bool with_disk = false) : p(std::move(params)), disk(with_disk) {
    writes.resize(p.replicas + clients);
    for (NodeId n = 0; n < p.replicas + clients; ++n) {
      nodes.emplace_back();
      nodes.back().is_replica = p.is_replica(n);
      rngs.emplace_back(1000 + n);
    }
    for (NodeId n = 0; n < nodes.size(); ++n) step(n, [&](const NodeView& v, Outbox<Message>& out) { nodes[n].start(p, v, out); });
  }

  Replica& replica(NodeId n) { return nodes[n].replica; }
  // The oldest pending write of n completes (the disk is FIFO).
  void complete_write(NodeId n) {
    const uint64_t token = writes[n].front();
    writes[n].pop_front();
    transcript.push_back("persisted " + name(n));
    step(n, [&](const NodeView& v, Outbox<Message>& out) { nodes[n].on_persisted(p, v, token, out); });
  }
  Client& client(NodeId n) { return nodes[n].client; }

  void step(NodeId n, const std::function<void(const NodeView&, Outbox<Message>&)>& f) {
    NodeView v;
    v.self = n;
    v.now = now;
    v.node_count = static_cast<uint32_t>(nodes.size());
    v.rng = &rngs[n];
    v.durable_writes_take_time = disk;
    Outbox<Message> out;
    f(v, out);
    if (down.contains(n)) return;
    for (const auto& w : out.writes()) writes[n].push_back(w.token);
    for (auto& s : out.sends()) wire.push_back({n, s.to, std::move(s.msg)});
  }

  void fire(NodeId n, TimerId id) {
    transcript.push_back("timer " + name(n) + " " + std::to_string(id));
    step(n, [&](const NodeView& v, Outbox<Message>& out) { nodes[n].on_timer(p, v, id, out); });
  }
  // The client issues its next operation.
  void issue(NodeId c) { fire(c, kClientIssueTimer); }
  void crash(NodeId n) {
    transcript.push_back("crash " + name(n));
    down.insert(n);
    writes[n].clear();  // a write not completed is lost
    nodes[n].crash();
  }
  void recover(NodeId n) {
    transcript.push_back("recover " + name(n));
    down.erase(n);
    step(n, [&](const NodeView& v, Outbox<Message>& out) { nodes[n].start(p, v, out); });
  }

  // Delivers until the wire is empty (messages to down nodes are lost), in FIFO order.
  // `keep` may drop a message (return false) to model loss.
  size_t deliver_all(const std::function<bool(const Envelope&)>& keep = {}) {
    size_t delivered = 0;
    while (!wire.empty()) {
      Envelope e = std::move(wire.front());
      wire.pop_front();
      now = now + Duration::micros(100);
      if (down.contains(e.to) || (keep && !keep(e))) continue;
      transcript.push_back(name(e.from) + " -> " + name(e.to) + " " + describe(e.msg));
      ++delivered;
      step(e.to, [&](const NodeView& v, Outbox<Message>& out) { nodes[e.to].on_message(p, v, e.from, e.msg, out); });
    }
    return delivered;
  }

  size_t count(const std::string& prefix) const {
    size_t k = 0;
    for (const auto& line : transcript)
      if (line.find(prefix) != std::string::npos) ++k;
    return k;
  }

  std::string name(NodeId n) const { return (p.is_replica(n) ? "r" : "c") + std::to_string(n); }
  std::string status() const {
    std::string s;
    for (NodeId r = 0; r < p.replicas; ++r) {
      const Replica& x = nodes[r].replica;
      s += name(r) + (down.contains(r) ? " down" : "") + (x.in_view_change() ? " changing to v" : " v") +
           std::to_string(x.view()) + " executed " + std::to_string(x.last_executed()) + " stable " +
           std::to_string(x.stable_seq()) + " log " + std::to_string(x.log_size()) + "\n";
    }
    return s;
  }
};

}  // namespace meshsim::pbft::testing
