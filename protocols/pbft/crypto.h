// Modelled cryptography. pBFT's safety rests on two properties, which the simulation keeps
// exactly while charging their CPU cost through the processing model:
//  - a replica cannot pass off a statement as another replica's: a signature is a keyed
//    hash of the statement under the signer's secret, and only the signer's own step ever
//    signs (a Byzantine behaviour rewrites its own node's output and signs with its own id;
//    the engine stamps every direct message with its true sender);
//  - digests bind content: two different batches get different digests (64-bit hashes;
//    a collision would need ~2^32 batches, far beyond any run).
// This is not cryptography, and needs none: nobody in the simulation tries to invert it.
#pragma once
#include <cstdint>
#include <span>

#include "protocols/kv/command.h"
#include "sim/ids.h"
#include "sim/rng.h"

namespace meshsim::pbft {

using Digest = uint64_t;

constexpr uint16_t kMacBytes = 8;
constexpr uint16_t kSigBytes = 64;

struct Sig {
  uint64_t value = 0;
  bool operator==(const Sig&) const = default;
};

// Statement kinds, so that a signature on one kind of message never verifies as another.
enum class Stmt : uint8_t { request, pre_prepare, prepare, commit, checkpoint, view_change, new_view };

inline uint64_t hash_combine(uint64_t h, uint64_t v) { return splitmix64_mix(h ^ (v + 0x9e3779b97f4a7c15ULL)); }

inline uint64_t statement(Stmt kind, uint64_t a, uint64_t b, uint64_t c) {
  return hash_combine(hash_combine(hash_combine(static_cast<uint64_t>(kind) + 1, a), b), c);
}

// The signer's secret is a function of its id alone: the scheme's strength lies in who is
// allowed to call sign(), not in the key (see above).
inline Sig sign(NodeId signer, uint64_t stmt) {
  return Sig{hash_combine(splitmix64_mix(0x7062667400000000ULL ^ signer), stmt)};
}
inline bool verify(NodeId signer, uint64_t stmt, Sig sig) { return sign(signer, stmt) == sig; }

inline uint64_t command_digest(const kv::Command& c) {
  uint64_t h = hash_combine(c.client, c.seq);
  h = hash_combine(h, c.first_outstanding);
  h = hash_combine(h, static_cast<uint64_t>(c.kind) << 32 | c.key);
  h = hash_combine(h, static_cast<uint64_t>(c.value));
  return hash_combine(h, static_cast<uint64_t>(c.expected));
}

}  // namespace meshsim::pbft
