// The pending-event set. Two implementations with one interface: a 4-ary heap (the
// baseline docs/architecture.md describes) and a ladder queue (sim/ladder_queue.h). The engine uses
// the ladder queue because it wins on both benchmark workloads (tests/bench/README.md);
// tests check that both pop events in the same order.
//
// HeapQueue: a 4-ary min-heap of 32-byte events in one vector.
//
// Order key (time, origin, origin_seq) is total and independent of insertion order: origin
// is the node (or engine source) that created the event and origin_seq that origin's own
// counter. A global insertion counter would break the day the node set is split across
// processes; this key does not (docs/determinism.md).
//
// Complexity (n pending events):  push O(log4 n)   pop O(4 log4 n)   top O(1)
// Memory: 32 bytes per pending event, amortised growth of one vector, no per-event allocation.
// A 4-ary heap halves the depth of a binary heap; its four children share two cache lines.
// Timers are cancelled lazily: a cancelled timer stays queued and is skipped when popped
// (its generation no longer matches), so cancel is O(1).
#pragma once
#include <cstdint>
#include <vector>

#include "sim/event_queue_types.h"
#include "sim/ladder_queue.h"

namespace meshsim {

class HeapQueue {
 public:
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  const Event& top() { return heap_.front(); }
  void reserve(size_t n) { heap_.reserve(n); }

  void push(const Event& e) {
    size_t i = heap_.size();
    heap_.push_back(e);
    while (i > 0) {
      size_t parent = (i - 1) / kArity;
      if (!e.before(heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }

  Event pop() {
    Event result = heap_.front();
    Event last = heap_.back();
    heap_.pop_back();
    size_t n = heap_.size();
    if (n == 0) return result;
    size_t i = 0;
    for (;;) {
      size_t first = i * kArity + 1;
      if (first >= n) break;
      size_t best = first;
      size_t end = first + kArity < n ? first + kArity : n;
      for (size_t c = first + 1; c < end; ++c)
        if (heap_[c].before(heap_[best])) best = c;
      if (!heap_[best].before(last)) break;
      heap_[i] = heap_[best];
      i = best;
    }
    heap_[i] = last;
    return result;
  }

 private:
  static constexpr size_t kArity = 4;
  std::vector<Event> heap_;
};

using EventQueue = LadderQueue;

}  // namespace meshsim
