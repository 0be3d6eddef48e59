// The event record and its total order key.
#pragma once
#include <cstdint>

#include "sim/ids.h"

namespace meshsim {

enum class EventKind : uint8_t {
  start = 0,    // module start on a node
  message = 1,  // payload = message slot, aux = message type
  timer = 2,    // payload = generation, aux = timer id
  fault = 3,    // payload = index of the fault action
  sample = 4,   // metrics sampling tick
};

struct Event {
  int64_t time;      // ns
  uint64_t seq;      // origin's own counter
  uint32_t origin;   // creating node, or an engine source id above the node range
  uint32_t target;   // node the event happens at
  uint32_t payload;
  uint16_t aux;
  EventKind kind;
  ModuleId module;

  bool before(const Event& o) const {
    if (time != o.time) return time < o.time;
    if (origin != o.origin) return origin < o.origin;
    return seq < o.seq;
  }
};
static_assert(sizeof(Event) == 32, "events must stay 32 bytes: the queue is the hot path");

}  // namespace meshsim
