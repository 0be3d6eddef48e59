// HyParView messages (Leitão, Pereira, Rodrigues, "HyParView: a membership protocol for
// reliable gossip-based broadcast", DSN 2007, §4). Active-view links model the paper's TCP
// connections: a Heartbeat keeps one open and lets the ends detect a failure, and a
// Disconnect answering a Heartbeat from a node that is not in the active view plays the
// part of a TCP reset (the link is half-open: one end restarted or dropped it).
#pragma once
#include <cstdint>
#include <variant>
#include <vector>

#include "sim/ids.h"

namespace meshsim::membership::hyparview {

// Type tag, length, module id and sender on the wire (as in membership/messages.h).
inline constexpr uint32_t kHeaderBytes = 12;

// A newcomer asks its contact (a seed) to let it in (§4.2).
struct Join {
  static constexpr const char* kName = "Join";
  uint32_t wire_bytes() const { return kHeaderBytes; }
};

// The contact's random walk announcing `node` (§4.2, Active and Passive Random Walk Length).
struct ForwardJoin {
  static constexpr const char* kName = "ForwardJoin";
  NodeId node = 0;
  uint32_t ttl = 0;
  uint32_t wire_bytes() const { return kHeaderBytes + 8; }
};

// "I put you in my active view": the other end of the link adds the sender too (the paper's
// TCP connection is symmetric by construction; here the acceptor says so explicitly).
struct JoinAccept {
  static constexpr const char* kName = "JoinAccept";
  uint32_t wire_bytes() const { return kHeaderBytes; }
};

// Promotion of a passive node when an active link fails (§4.3). High priority when the
// requester's active view is empty: the receiver must then accept, dropping someone.
struct Neighbor {
  static constexpr const char* kName = "Neighbor";
  bool high_priority = false;
  uint32_t wire_bytes() const { return kHeaderBytes + 1; }
};

struct NeighborReply {
  static constexpr const char* kName = "NeighborReply";
  bool accepted = false;
  uint32_t wire_bytes() const { return kHeaderBytes + 1; }
};

// The sender removed the receiver from its active view (and put it in its passive view).
struct Disconnect {
  static constexpr const char* kName = "Disconnect";
  uint32_t wire_bytes() const { return kHeaderBytes; }
};

// Passive-view maintenance (§4.4): a random walk carrying the origin, ka of its active and
// kp of its passive nodes; the node where it stops answers with as many of its passive nodes.
struct Shuffle {
  static constexpr const char* kName = "Shuffle";
  NodeId origin = 0;
  uint32_t ttl = 0;
  std::vector<NodeId> nodes;
  uint32_t wire_bytes() const { return kHeaderBytes + 10 + 4 * static_cast<uint32_t>(nodes.size()); }
};

struct ShuffleReply {
  static constexpr const char* kName = "ShuffleReply";
  std::vector<NodeId> nodes;
  uint32_t wire_bytes() const { return kHeaderBytes + 2 + 4 * static_cast<uint32_t>(nodes.size()); }
};

// Keep-alive on an active link (what TCP's own keep-alive and retransmission timeouts
// do in the paper's implementation).
struct Heartbeat {
  static constexpr const char* kName = "Heartbeat";
  uint32_t wire_bytes() const { return kHeaderBytes; }
};

using Message = std::variant<Join, ForwardJoin, JoinAccept, Neighbor, NeighborReply, Disconnect, Shuffle, ShuffleReply, Heartbeat>;

}  // namespace meshsim::membership::hyparview
