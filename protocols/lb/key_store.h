// A node's share of the keyed data under consistent hashing: the keys it holds a copy of,
// and the repair that keeps every key on its r replicas while the ring changes and nodes
// crash (an in-memory store: a crash loses it, as a cache tier or memcached does).
//
// Every repair_interval a node compares what it holds with the ring (keyed_placement.h):
// - a key it is a replica of but lacks (it joined, a leave made it a successor, or it
//   recovered empty) is fetched from the key's other replicas;
// - a key it holds but is no longer a replica of (a join took it over) is handed to every
//   replica, and dropped only once each of them has acknowledged a copy, so a handoff
//   never leaves fewer copies than it found (Dynamo's hinted handoff, DeCandia et al. 2007).
// Every message is idempotent and repeated each round until it took effect, so loss,
// duplication and crashes only delay the repair.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "protocols/lb/messages.h"
#include "protocols/lb/params.h"
#include "sim/outbox.h"

namespace meshsim::lb {

class KeyStore {
 public:
  // Before the run the data set is loaded: every replica holds its keys.
  void load_initial(const Params& p, const NodeView& v, Outbox<Message>& out);
  void repair(const Params& p, const NodeView& v, Outbox<Message>& out);
  void on_fetch(const Params& p, const NodeView& v, NodeId from, const FetchKeys& f, Outbox<Message>& out);
  void on_store(const Params& p, const NodeView& v, NodeId from, const StoreKeys& s, Outbox<Message>& out);
  void on_ack(const Params& p, const NodeView& v, NodeId from, const StoreAck& a, Outbox<Message>& out);
  void clear() { held_.clear(), acks_.clear(); }

  bool holds(uint32_t key) const { return held_.contains(key); }
  const std::set<uint32_t>& held() const { return held_; }

 private:
  // How many of a key's replicas this node keeps the data on: r, or r - 1 with the planted
  // bug "ring-replicas-short".
  static uint32_t depth(const Params& p);
  bool responsible(const Params& p, uint32_t key, NodeId self) const;

  std::set<uint32_t> held_;
  std::map<uint32_t, std::vector<NodeId>> acks_;  // stray key -> replicas that confirmed a copy
};

}  // namespace meshsim::lb
