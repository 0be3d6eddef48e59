// An event as the ladder queue's rungs store it: 24 bytes instead of 32.
//
// Why: in a flood over a million nodes, 11.7 million events are pending at the peak of a
// wave, nearly all of them inside a rung (in its bucket arrays and late blocks), so the
// bytes of a rung's event are most of the run's memory (tests/bench/README.md). Inside a
// bucket the time needs no 64 bits: it is stored as the offset from the bucket's start,
// which fits 32 bits because no rung has buckets wider than kMaxBucketWidth.
// Everything else is kept whole, so packing and unpacking lose nothing.
#pragma once
#include <cassert>
#include <cstdint>

#include "sim/event_queue_types.h"

namespace meshsim {

// The widest bucket a rung may have, so that an offset in a bucket fits 32 bits.
constexpr int64_t kMaxBucketWidth = int64_t{1} << 32;

struct RungEvent {
  uint32_t offset;  // time - start of the bucket the event sits in
  uint32_t target;
  uint64_t key;
  uint32_t payload;
  uint16_t aux;
  EventKind kind;
  ModuleId module;

  static RungEvent pack(const Event& e, int64_t bucket_start) {
    assert(e.time >= bucket_start && e.time - bucket_start < kMaxBucketWidth && "event outside its bucket");
    return RungEvent{static_cast<uint32_t>(e.time - bucket_start), e.target, e.key, e.payload, e.aux, e.kind, e.module};
  }
  Event unpack(int64_t bucket_start) const {
    Event e;
    e.time = bucket_start + offset;
    e.key = key;
    e.target = target;
    e.payload = payload;
    e.aux = aux;
    e.kind = kind;
    e.module = module;
    return e;
  }
};
static_assert(sizeof(RungEvent) == 24, "a rung's event must stay 24 bytes: it is most of a flood's memory");

}  // namespace meshsim
