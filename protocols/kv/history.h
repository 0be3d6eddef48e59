// The client history of a replicated key-value store: every operation a client invoked,
// when, and what it saw. Protocols that replicate the store (Raft, pBFT) record into it;
// the linearizability checker (linearizability.h) reads it.
//
// Every key is a register that starts at 0. Values written are unique per operation
// (client id and the client's own counter), which keeps the checker's search narrow.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace meshsim::kv {

enum class OpKind : uint8_t { get, put, cas };
const char* to_string(OpKind k);

// One operation. An operation that never completed (its client gave up, crashed, or the
// run ended first) is *indeterminate*: it may have taken effect at any time after its
// invocation, or never. Jepsen/Knossos call these :info operations.
struct Operation {
  uint32_t client = 0;
  OpKind kind = OpKind::get;
  uint32_t key = 0;
  int64_t value = 0;          // put: the value written; cas: the new value
  int64_t expected = 0;       // cas: the value it must find
  int64_t invoked_ns = 0;
  int64_t completed_ns = -1;  // -1: indeterminate
  int64_t result = 0;         // get: the value read
  bool ok = true;             // cas: whether it swapped (get and put are always ok)
  // A get answered by a read-only node from its own copy (issue 13): the client has an
  // answer, but one that promises nothing, so the record stays indeterminate and the
  // linearizability check drops it like any indeterminate get.
  bool possibly_stale = false;

  bool completed() const { return completed_ns >= 0; }
};

class History {
 public:
  // Records an invocation; returns its index for complete().
  size_t invoke(uint32_t client, OpKind kind, uint32_t key, int64_t value, int64_t expected, int64_t now_ns) {
    ops_.push_back(Operation{client, kind, key, value, expected, now_ns, -1, 0, true});
    return ops_.size() - 1;
  }
  void complete(size_t index, int64_t now_ns, int64_t result, bool ok) {
    Operation& op = ops_[index];
    op.completed_ns = now_ns;
    op.result = result;
    op.ok = ok;
  }
  const std::vector<Operation>& ops() const { return ops_; }
  std::vector<Operation>& ops() { return ops_; }

 private:
  std::vector<Operation> ops_;
};

}  // namespace meshsim::kv
