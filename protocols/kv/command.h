// A client command for the replicated key-value store, as it travels in a protocol's log
// or request messages. Shared by every protocol that replicates the store (Raft, pBFT).
#pragma once
#include <cstdint>

#include "protocols/kv/history.h"

namespace meshsim::kv {

struct Command {
  uint32_t client = 0;
  uint64_t seq = 0;                // the client's own counter: (client, seq) names the operation
  uint64_t first_outstanding = 0;  // the client has all replies below this seq (Raft thesis §6.3)
  OpKind kind = OpKind::get;
  uint32_t key = 0;
  int64_t value = 0;
  int64_t expected = 0;

  // On the wire: ids, op, key, two values.
  static constexpr uint32_t kWireBytes = 4 + 8 + 8 + 1 + 4 + 8 + 8;
  bool operator==(const Command&) const = default;
};

// What applying a command produced.
struct Outcome {
  int64_t value = 0;  // get: the value read; put and cas: the value after the operation
  bool ok = true;     // cas: whether it swapped
  bool operator==(const Outcome&) const = default;
};

}  // namespace meshsim::kv
