// Gossip messages. Rumors travel as full copies (id + payload); what a node already knows
// travels as a digest, a bitmap over rumor ids. Demers et al. (PODC 1987, §1.3) replace a
// full database comparison by checksums and recent-update lists; a bitmap digest is the
// exact version of that idea for a run with a fixed, numbered rumor set.
#pragma once
#include <cstdint>
#include <variant>

#include "protocols/gossip/rumor_set.h"

namespace meshsim::gossip {

// Type tag, length and module id on the wire.
inline constexpr uint32_t kHeaderBytes = 8;
// Each rumor copy carries its 4-byte id and its payload.
inline uint32_t rumor_copies_bytes(const RumorSet& s, uint16_t payload_bytes) {
  return s.count() * (4u + payload_bytes);
}
// A digest is a bitmap up to the highest id it names.
inline uint32_t digest_bytes(const RumorSet& s) { return (s.end_id() + 7) / 8; }

// Flooding: one rumor, forwarded on first receipt.
struct Flood {
  static constexpr const char* kName = "Flood";
  uint32_t rumor = 0;
  uint16_t payload_bytes = 0;
  uint32_t wire_bytes() const { return kHeaderBytes + 4 + payload_bytes; }
};

// Push: the sender's rumors (all it knows for anti-entropy, its infective ones for rumor
// mongering). With feedback loss of interest the receiver answers with a Reply naming the
// pushed rumors it already knew (Demers §1.4, "feedback").
struct Push {
  static constexpr const char* kName = "Push";
  RumorSet rumors;
  uint16_t payload_bytes = 0;
  bool want_feedback = false;
  uint32_t wire_bytes() const { return kHeaderBytes + 1 + rumor_copies_bytes(rumors, payload_bytes); }
};

// Pull: "here is what I know, send me what I miss".
struct PullRequest {
  static constexpr const char* kName = "PullRequest";
  RumorSet digest;
  uint32_t wire_bytes() const { return kHeaderBytes + digest_bytes(digest); }
};

// Push-pull: a push and a pull in one message. The receiver treats digest ∪ rumors as what
// the sender knows (anti-entropy sends its whole set as `rumors` and leaves digest empty).
struct PushPull {
  static constexpr const char* kName = "PushPull";
  RumorSet rumors;
  RumorSet digest;
  uint16_t payload_bytes = 0;
  uint32_t wire_bytes() const {
    return kHeaderBytes + rumor_copies_bytes(rumors, payload_bytes) + digest_bytes(digest);
  }
};

// Answer to a pull or push-pull (rumors the asker missed) and to a push with feedback
// (already_known: pushed rumors the receiver knew before).
struct Reply {
  static constexpr const char* kName = "Reply";
  RumorSet rumors;
  RumorSet already_known;
  uint16_t payload_bytes = 0;
  uint32_t wire_bytes() const {
    return kHeaderBytes + rumor_copies_bytes(rumors, payload_bytes) + digest_bytes(already_known);
  }
};

// Anti-entropy and rumor mongering.
using Message = std::variant<Push, PullRequest, PushPull, Reply>;
// Flooding has its own variant: pool slots take the size of the largest alternative, and a
// Flood-only slot is 12 bytes instead of 48 (the flood benchmark has millions in flight).
using FloodMessage = std::variant<Flood>;

}  // namespace meshsim::gossip
