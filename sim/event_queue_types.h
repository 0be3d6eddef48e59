// The event record and its total order key.
#pragma once
#include <cassert>
#include <cstdint>

#include "sim/ids.h"

namespace meshsim {

enum class EventKind : uint8_t {
  start = 0,    // module start on a node
  message = 1,  // payload = message slot, aux = message type
  timer = 2,    // payload = generation, aux = timer id
  fault = 3,    // payload = index of the fault action
  sample = 4,   // metrics sampling tick
  // A message whose receive processing on the target's CPU has ended (the per-node
  // processing model): aux = message type | CPU epoch << 8, payload = message slot.
  processed = 5,
  // A durable write on the node's disk completed (sim/disk_model.h): payload = the disk's
  // generation when it was scheduled (a crash or stall moves it on), module = the writer.
  disk = 6,
};

// 32 bytes (28 used; the ladder queue's rungs store events in 24, sim/rung_event.h). The
// order key packs the origin (24 bits) and the origin's sequence number (40 bits) into one
// word, so comparing two events is two integer compares. Limits:
// origins below 2^24 (node ids up to 16,777,199; the engine's own sources sit above) and
// 2^40 events created by one origin (over a day at 10 M events/s).
constexpr uint32_t kMaxOrigin = (1u << 24) - 1;
constexpr uint64_t kMaxOriginSeq = (uint64_t{1} << 40) - 1;
// Engine sources order after every node at equal times and never collide with node ids.
constexpr uint32_t kFaultOrigin = kMaxOrigin - 1;
constexpr uint32_t kSampleOrigin = kMaxOrigin;

struct Event {
  int64_t time;       // ns
  uint64_t key;       // origin << 40 | origin's own counter
  uint32_t target;    // node the event happens at
  uint32_t payload;
  uint16_t aux;
  EventKind kind;
  ModuleId module;

  Event() = default;
  Event(int64_t t, uint64_t seq, uint32_t origin, uint32_t target_, uint32_t payload_, uint16_t aux_,
        EventKind kind_, ModuleId module_)
      : time(t), key(static_cast<uint64_t>(origin) << 40 | seq), target(target_), payload(payload_), aux(aux_),
        kind(kind_), module(module_) {
    assert(origin <= kMaxOrigin && seq <= kMaxOriginSeq && "event key out of range");
  }
  uint32_t origin() const { return static_cast<uint32_t>(key >> 40); }
  uint64_t seq() const { return key & kMaxOriginSeq; }

  bool before(const Event& o) const { return time < o.time || (time == o.time && key < o.key); }
};
static_assert(sizeof(Event) == 32, "events must stay 32 bytes: the queue is the hot path");

}  // namespace meshsim
