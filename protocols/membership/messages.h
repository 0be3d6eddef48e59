// Membership messages (SWIM, Das, Gupta and Motivala, DSN 2002). Probes (Ping, Ack,
// PingReq) carry membership updates piggybacked on them (SWIM §4.1, "infection-style
// dissemination"), so joins, suspicions and leaves spread with no message of their own.
// Join and MemberList carry whole membership lists: the answer a seed gives a joining node,
// and the periodic push-pull state exchange that Serf/memberlist add to SWIM so a node that
// missed updates (a partition, a long pause) converges again.
#pragma once
#include <cstdint>
#include <variant>
#include <vector>

#include "sim/ids.h"

namespace meshsim::membership {

// Type tag, length, module id and sender on the wire.
inline constexpr uint32_t kHeaderBytes = 12;

enum class UpdateKind : uint8_t { alive, suspect, leave };

// One membership fact: "member is alive at incarnation i", "accuser suspects member at
// incarnation i" (SWIM §4.2), "member left". Accusations are taken as signed by their
// accuser (as pBFT's messages are): a relaying node cannot forge someone else's accusation,
// which is what makes counting distinct accusers (quorum confirmation) meaningful.
struct Update {
  NodeId member = 0;
  uint32_t incarnation = 0;
  UpdateKind kind = UpdateKind::alive;
  NodeId accuser = kNoNode;  // suspect only
  static constexpr uint32_t kWireBytes = 13;
  bool operator==(const Update&) const = default;
};
using Updates = std::vector<Update>;
inline uint32_t updates_bytes(const Updates& u) { return 1 + static_cast<uint32_t>(u.size()) * Update::kWireBytes; }

// Direct probe, or (origin != kNoNode) a probe made on behalf of `origin` (SWIM §3.1).
struct Ping {
  static constexpr const char* kName = "Ping";
  uint32_t seq = 0;
  NodeId origin = kNoNode;
  Updates updates;
  uint32_t wire_bytes() const { return kHeaderBytes + 8 + updates_bytes(updates); }
};

struct Ack {
  static constexpr const char* kName = "Ack";
  uint32_t seq = 0;
  NodeId origin = kNoNode;  // set while the ack travels back through the helper
  Updates updates;
  uint32_t wire_bytes() const { return kHeaderBytes + 8 + updates_bytes(updates); }
};

// "Probe `target` for me" to one of k helpers (SWIM §3.1, indirect probing).
struct PingReq {
  static constexpr const char* kName = "PingReq";
  uint32_t seq = 0;
  NodeId target = 0;
  Updates updates;
  uint32_t wire_bytes() const { return kHeaderBytes + 8 + updates_bytes(updates); }
};

// A joining node introduces itself to a seed.
struct Join {
  static constexpr const char* kName = "Join";
  uint32_t incarnation = 0;
  uint32_t wire_bytes() const { return kHeaderBytes + 4; }
};

// A membership list entry: alive and left members, and what the sender holds as suspect or
// failed (the receiver uses those only to refute a verdict about itself: a list is not an
// accusation, so it never counts toward a quorum).
enum class EntryStatus : uint8_t { alive, suspect, failed, left };
struct Entry {
  NodeId member = 0;
  uint32_t incarnation = 0;
  EntryStatus status = EntryStatus::alive;
};

// The q accusations that condemned a failed member (see MemberNode::handle_member_list).
struct Certificate {
  NodeId member = 0;
  uint32_t incarnation = 0;
  std::vector<NodeId> accusers;
};

// The whole list: a seed's answer to Join (reply), or a push-pull exchange (the receiver of
// a non-reply answers with its own list).
struct MemberList {
  static constexpr const char* kName = "MemberList";
  std::vector<Entry> entries;
  std::vector<Certificate> certificates;
  bool reply = false;
  uint32_t wire_bytes() const {
    uint32_t bytes = kHeaderBytes + 5 + static_cast<uint32_t>(entries.size()) * 9;
    for (const Certificate& c : certificates) bytes += 9 + 4 * static_cast<uint32_t>(c.accusers.size());
    return bytes;
  }
};

using Message = std::variant<Ping, Ack, PingReq, Join, MemberList>;

}  // namespace meshsim::membership
