#include "protocols/lb/key_store.h"

#include <algorithm>

#include "protocols/lb/keyed_placement.h"
#include "protocols/lb/node.h"

namespace meshsim::lb {

uint32_t KeyStore::depth(const Params& p) {
  const uint32_t r = p.keyed->replica_count();
  return p.bug == Bug::ring_replicas_short && r > 0 ? r - 1 : r;
}

bool KeyStore::responsible(const Params& p, uint32_t key, NodeId self) const {
  return key < p.keyed->keys() && p.keyed->rank(key, self) < depth(p);
}

void KeyStore::load_initial(const Params& p, const NodeView& v, Outbox<Message>& out) {
  for (uint32_t key : p.keyed->keys_of(v.self))
    if (responsible(p, key, v.self) && held_.insert(key).second) out.note(kNoteKeyStored, key);
}

void KeyStore::repair(const Params& p, const NodeView& v, Outbox<Message>& out) {
  const KeyedPlacement& ring = *p.keyed;
  const uint32_t d = depth(p);
  // Requests grouped by peer; std::map keeps the send order a function of the state alone.
  std::map<NodeId, FetchKeys> fetch;
  std::map<NodeId, StoreKeys> handoff;
  for (uint32_t key : ring.keys_of(v.self)) {
    if (!responsible(p, key, v.self) || held_.contains(key)) continue;
    auto reps = ring.replicas(key);
    for (uint32_t i = 0; i < reps.size(); ++i)
      if (reps[i] != v.self) fetch[reps[i]].keys.push_back(key);
  }
  std::vector<uint32_t> drop;
  for (uint32_t key : held_) {
    if (responsible(p, key, v.self)) continue;
    auto reps = ring.replicas(key).first(std::min<size_t>(d, ring.replica_count()));
    // Acknowledgements count for one round only: one kept longer may come from a replica
    // that has crashed and recovered empty since, and dropping on it would lose a copy.
    std::vector<NodeId>& acked = acks_[key];
    const bool all_acked = std::all_of(reps.begin(), reps.end(), [&](NodeId r) {
      return std::find(acked.begin(), acked.end(), r) != acked.end();
    });
    if (all_acked) {
      drop.push_back(key);
      continue;
    }
    acked.clear();
    for (NodeId r : reps) handoff[r].keys.push_back(key);
  }
  for (uint32_t key : drop) {
    held_.erase(key);
    acks_.erase(key);
    out.note(kNoteKeyDropped, key);
  }
  for (auto& [to, f] : fetch) out.send(to, std::move(f));
  for (auto& [to, s] : handoff) out.send(to, std::move(s));
}

void KeyStore::on_fetch(const Params&, const NodeView&, NodeId from, const FetchKeys& f, Outbox<Message>& out) {
  StoreKeys reply;
  for (uint32_t key : f.keys)
    if (held_.contains(key)) reply.keys.push_back(key);
  if (!reply.keys.empty()) out.send(from, std::move(reply));
}

void KeyStore::on_store(const Params& p, const NodeView& v, NodeId from, const StoreKeys& s, Outbox<Message>& out) {
  // Only a replica takes a copy: one sent under a ring that has since changed would
  // otherwise become a stray to hand off again.
  StoreAck ack;
  for (uint32_t key : s.keys) {
    if (!responsible(p, key, v.self)) continue;
    if (held_.insert(key).second) out.note(kNoteKeyStored, key);
    ack.keys.push_back(key);
  }
  // Acknowledge to a holder that is handing off; a replica answering a fetch needs none.
  if (!ack.keys.empty() && from != v.self && !std::all_of(ack.keys.begin(), ack.keys.end(), [&](uint32_t k) {
        return responsible(p, k, from);
      }))
    out.send(from, std::move(ack));
}

void KeyStore::on_ack(const Params& p, const NodeView& v, NodeId from, const StoreAck& a, Outbox<Message>&) {
  for (uint32_t key : a.keys) {
    if (!held_.contains(key) || responsible(p, key, v.self)) continue;
    std::vector<NodeId>& acked = acks_[key];
    if (std::find(acked.begin(), acked.end(), from) == acked.end()) acked.push_back(from);
  }
}

}  // namespace meshsim::lb
