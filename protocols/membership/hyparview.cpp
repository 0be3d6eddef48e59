#include "protocols/membership/hyparview.h"

#include <algorithm>
#include <cassert>

namespace meshsim::membership::hyparview {

namespace {

template <class T>
void erase_value(std::vector<T>& v, const T& x) {
  v.erase(std::remove(v.begin(), v.end(), x), v.end());
}

bool contains(const std::vector<NodeId>& v, NodeId n) { return std::find(v.begin(), v.end(), n) != v.end(); }

}  // namespace

void HyParViewNode::start(const Params& p, const NodeView& v, HvOutbox& out) {
  send_join(p, v, out);
  // Random first offsets so that a mesh started at once does not beat in step.
  out.set_timer(kHeartbeatTimer, Duration{1 + static_cast<int64_t>(v.rng->below(p.heartbeat_period.ns))});
  out.set_timer(kShuffleTimer, Duration{1 + static_cast<int64_t>(v.rng->below(p.shuffle_period.ns))});
}

void HyParViewNode::crash() { *this = HyParViewNode{}; }

void HyParViewNode::announce_leave(HvOutbox& out) {
  for (const ActivePeer& a : active_) out.send(a.id, Disconnect{});
  active_.clear();
}

bool HyParViewNode::in_passive(NodeId n) const { return contains(passive_, n); }

HyParViewNode::ActiveView::const_iterator HyParViewNode::find_active(NodeId n) const {
  return std::find_if(active_.begin(), active_.end(), [n](const ActivePeer& a) { return a.id == n; });
}

// The next seed other than this node, round-robin. A node that is the only seed has nobody
// to join through: it is the mesh's first member and waits for others to join it.
void HyParViewNode::send_join(const Params& p, const NodeView& v, HvOutbox& out) {
  for (size_t tried = 0; tried < p.seeds.size(); ++tried) {
    NodeId seed = p.seeds[seed_cursor_++ % p.seeds.size()];
    if (seed == v.self) continue;
    out.send(seed, Join{});
    out.set_timer(kJoinTimer, p.join_timeout);
    return;
  }
  joined_ = true;
}

void HyParViewNode::on_message(const Params& p, const NodeView& v, NodeId from, const Message& m, HvOutbox& out) {
  // Any message on an active link shows the other end alive (TCP sees every segment).
  for (ActivePeer& a : active_)
    if (a.id == from) a.last_heard = v.now;
  std::visit([&](const auto& msg) { handle(p, v, from, msg, out); }, m);
}

void HyParViewNode::on_timer(const Params& p, const NodeView& v, TimerId id, HvOutbox& out) {
  switch (id) {
    case kJoinTimer:
      // No JoinAccept yet: the seed is down or the answer was lost; try the next one.
      if (active_.empty()) send_join(p, v, out);
      break;
    case kHeartbeatTimer:
      on_heartbeat_timer(p, v, out);
      break;
    case kShuffleTimer:
      on_shuffle_timer(p, v, out);
      break;
    case kNeighborTimer:
      // §4.3: no answer from the passive node we asked: take it for failed, try another.
      if (pending_neighbor_ != kNoNode) {
        remove_passive(pending_neighbor_);
        pending_neighbor_ = kNoNode;
        if (active_.size() < p.active_size) request_neighbor(p, v, out);
      }
      break;
    default:
      assert(false && "unknown hyparview timer");
  }
}

// §4.2: the contact adds the newcomer to its active view, then announces it to every other
// active neighbour with a ForwardJoin walk of length ARWL.
void HyParViewNode::handle(const Params& p, const NodeView& v, NodeId from, const Join&, HvOutbox& out) {
  if (from == v.self) return;
  add_active(p, v, from, out);
  out.send(from, JoinAccept{});
  for (const ActivePeer& a : active_)
    if (a.id != from) out.send(a.id, ForwardJoin{from, p.arwl});
}

// §4.2: the walk ends (the node takes the newcomer into its active view) when its TTL runs
// out or the node has a single active neighbour (nowhere to go on); on the way, the node at
// TTL = PRWL keeps a copy in its passive view.
void HyParViewNode::handle(const Params& p, const NodeView& v, NodeId from, const ForwardJoin& m, HvOutbox& out) {
  if (m.node == v.self) return;
  if (in_active(m.node)) return;  // already linked: nothing to add, and the walk has done its job
  if (m.ttl == 0 || active_.size() <= 1) {
    add_active(p, v, m.node, out);
    out.send(m.node, JoinAccept{});
    return;
  }
  if (m.ttl == p.prwl) add_passive(p, v, m.node);
  const NodeId next = random_active_except(v, from, m.node);
  if (next == kNoNode) {
    add_active(p, v, m.node, out);
    out.send(m.node, JoinAccept{});
    return;
  }
  out.send(next, ForwardJoin{m.node, m.ttl - 1});
}

void HyParViewNode::handle(const Params& p, const NodeView& v, NodeId from, const JoinAccept&, HvOutbox& out) {
  if (from == v.self) return;
  add_active(p, v, from, out);
  joined_ = true;
  out.cancel_timer(kJoinTimer);
}

// §4.3: a high-priority request (the requester has no active neighbour left) is always
// accepted; a low-priority one only while the active view has room.
void HyParViewNode::handle(const Params& p, const NodeView& v, NodeId from, const Neighbor& m, HvOutbox& out) {
  if (from == v.self) return;
  const bool accept = in_active(from) || m.high_priority || active_.size() < p.active_size;
  if (accept) add_active(p, v, from, out);
  out.send(from, NeighborReply{accept});
}

void HyParViewNode::handle(const Params& p, const NodeView& v, NodeId from, const NeighborReply& m, HvOutbox& out) {
  if (from == pending_neighbor_) {
    pending_neighbor_ = kNoNode;
    out.cancel_timer(kNeighborTimer);
  }
  // Accepted: the other end holds this node now, so take it even if the answer comes late
  // (a half-open link would only be reset by the next heartbeat). Refused: it stays in the
  // passive view; the next heartbeat tick asks another node (bounded retries, not a storm).
  refusals_ = m.accepted ? 0 : refusals_ + 1;
  if (m.accepted) {
    add_active(p, v, from, out);
    joined_ = true;
    // A success says the neighbourhood has room: fill the rest of the view now rather than
    // one link per heartbeat period (after a mass crash that is what bounds the healing).
    if (pending_neighbor_ == kNoNode && active_.size() < p.active_size) request_neighbor(p, v, out);
  }
}

void HyParViewNode::handle(const Params& p, const NodeView& v, NodeId from, const Disconnect&, HvOutbox&) {
  if (p.bug == Bug::ignore_disconnect) return;
  auto it = find_active(from);
  if (it == active_.end()) return;
  active_.erase(it);
  add_passive(p, v, from);
}

// §4.4: the walk goes on while TTL > 0 and the node has another active neighbour to hand it
// to; where it stops, the node answers the origin directly with as many passive nodes as it
// received, and keeps the received ones, evicting first those it sent back.
void HyParViewNode::handle(const Params& p, const NodeView& v, NodeId from, const Shuffle& m, HvOutbox& out) {
  if (m.origin == v.self) return;
  const uint32_t ttl = m.ttl > 0 ? m.ttl - 1 : 0;
  if (ttl > 0 && active_.size() > 1) {
    const NodeId next = random_active_except(v, from, m.origin);
    if (next != kNoNode) {
      Shuffle fwd = m;
      fwd.ttl = ttl;
      out.send(next, std::move(fwd));
      return;
    }
  }
  ShuffleReply reply{sample(v, passive_, static_cast<uint32_t>(m.nodes.size()))};
  for (NodeId n : m.nodes) add_passive(p, v, n, reply.nodes);
  out.send(m.origin, std::move(reply));
}

void HyParViewNode::handle(const Params& p, const NodeView& v, NodeId, const ShuffleReply& m, HvOutbox&) {
  for (NodeId n : m.nodes) add_passive(p, v, n, last_shuffle_sent_);
  last_shuffle_sent_.clear();
}

// A heartbeat from a node that is not in the active view is a segment on a connection this
// node does not have: answer with a reset (Disconnect), so the other end drops its half.
void HyParViewNode::handle(const Params&, const NodeView& v, NodeId from, const Heartbeat&, HvOutbox& out) {
  if (from != v.self && !in_active(from)) out.send(from, Disconnect{});
}

// The link watchdog: silent active links are failed (§4.3: the node is removed, not kept as
// passive), the others get a heartbeat, and a view below its size asks a passive node.
void HyParViewNode::on_heartbeat_timer(const Params& p, const NodeView& v, HvOutbox& out) {
  out.set_timer(kHeartbeatTimer, p.heartbeat_period);
  for (auto it = active_.begin(); it != active_.end();) {
    if (v.now - it->last_heard > p.link_timeout) {
      out.note(kNoteLinkFailed, it->id);
      it = active_.erase(it);
    } else {
      ++it;
    }
  }
  for (const ActivePeer& a : active_) out.send(a.id, Heartbeat{});
  if (active_.size() < p.active_size && pending_neighbor_ == kNoNode) {
    // Join again through a seed, even with some active links, when no backup is left (every
    // passive node failed) or when a view at most half full keeps being refused (its live
    // passive nodes are full, and low-priority requests never displace anyone). Either way
    // the node may sit in a small island of nodes that hold only each other, which its own
    // Shuffles never leave: seen after a 70 % crash, and in 1 of 500 chaos seeds (two nodes
    // holding only each other for 25 s). The seed's ForwardJoin walks link it to the rest.
    const bool stuck = refusals_ >= kRefusalsBeforeRejoin && 2 * active_.size() <= p.active_size;
    if (passive_.empty() || stuck) {
      refusals_ = 0;
      send_join(p, v, out);
    } else {
      request_neighbor(p, v, out);
    }
  }
}

void HyParViewNode::request_neighbor(const Params& p, const NodeView& v, HvOutbox& out) {
  if (passive_.empty()) return;
  pending_neighbor_ = passive_[v.rng->below(passive_.size())];
  out.send(pending_neighbor_, Neighbor{active_.empty()});
  out.set_timer(kNeighborTimer, p.neighbor_timeout);
}

void HyParViewNode::on_shuffle_timer(const Params& p, const NodeView& v, HvOutbox& out) {
  out.set_timer(kShuffleTimer, p.shuffle_period);
  if (active_.empty()) return;
  std::vector<NodeId> actives;
  for (const ActivePeer& a : active_) actives.push_back(a.id);
  const NodeId target = actives[v.rng->below(actives.size())];
  Shuffle s{v.self, p.arwl, {v.self}};
  for (NodeId n : sample(v, actives, p.shuffle_ka)) s.nodes.push_back(n);
  for (NodeId n : sample(v, passive_, p.shuffle_kp)) s.nodes.push_back(n);
  last_shuffle_sent_ = s.nodes;
  out.note(kNoteShuffled, v.self);
  out.send(target, std::move(s));
}

// §4.3: a full active view makes room by dropping a random member, which is told
// (Disconnect) and kept as a passive node.
void HyParViewNode::add_active(const Params& p, const NodeView& v, NodeId n, HvOutbox& out) {
  if (n == v.self) return;
  for (ActivePeer& a : active_)
    if (a.id == n) {
      a.last_heard = v.now;
      return;
    }
  remove_passive(n);
  if (active_.size() >= p.active_size && p.bug != Bug::no_drop_when_full) {
    const size_t drop = v.rng->below(active_.size());
    const NodeId dropped = active_[drop].id;
    active_.erase(active_.begin() + static_cast<std::ptrdiff_t>(drop));
    out.send(dropped, Disconnect{});
    add_passive(p, v, dropped);
  }
  active_.push_back({n, v.now, v.now});
  // A restarted node may be taken in by a Neighbor request before any seed answers: an
  // active link, however it came, is membership of the overlay.
  joined_ = true;
  out.note(kNoteActiveAdded, n);
}

// A full passive view evicts one of `evict_first` it holds (§4.4: the nodes it just sent in
// a shuffle), else a random member.
void HyParViewNode::add_passive(const Params& p, const NodeView& v, NodeId n, const std::vector<NodeId>& evict_first) {
  if (n == v.self || in_active(n) || contains(passive_, n)) return;
  if (passive_.size() >= p.passive_size) {
    auto victim = passive_.end();
    for (NodeId e : evict_first)
      if ((victim = std::find(passive_.begin(), passive_.end(), e)) != passive_.end()) break;
    if (victim == passive_.end()) victim = passive_.begin() + static_cast<std::ptrdiff_t>(v.rng->below(passive_.size()));
    passive_.erase(victim);
  }
  passive_.push_back(n);
}

void HyParViewNode::remove_passive(NodeId n) { erase_value(passive_, n); }

NodeId HyParViewNode::random_active_except(const NodeView& v, NodeId a, NodeId b) const {
  uint32_t eligible = 0;
  for (const ActivePeer& x : active_) eligible += x.id != a && x.id != b;
  if (eligible == 0) return kNoNode;
  uint64_t pick = v.rng->below(eligible);
  for (const ActivePeer& x : active_)
    if (x.id != a && x.id != b && pick-- == 0) return x.id;
  return kNoNode;
}

// k distinct members of `from` drawn uniformly (a partial Fisher-Yates shuffle).
std::vector<NodeId> HyParViewNode::sample(const NodeView& v, std::vector<NodeId> from, uint32_t k) const {
  const size_t take = std::min<size_t>(k, from.size());
  for (size_t i = 0; i < take; ++i) std::swap(from[i], from[i + v.rng->below(from.size() - i)]);
  from.resize(take);
  return from;
}

}  // namespace meshsim::membership::hyparview
