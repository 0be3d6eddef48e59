// The ladder queue must pop exactly the heap's order: the unique (time, origin, seq) order.
#include <doctest/doctest.h>

#include <cmath>

#include "sim/event_queue.h"
#include "sim/rng.h"

using namespace meshsim;

namespace {

enum class Shape { exponential, clustered, bimodal, bursty, wave, sparse };

// Drives both queues with the same pushes and pops, as a simulation would: a handled event
// schedules 0..2 new events no earlier than itself. Returns the number of events compared.
size_t compare_orders(Shape shape, uint64_t seed, size_t initial, size_t steps, uint64_t max_children = 2) {
  Rng rng(seed);
  HeapQueue heap;
  LadderQueue ladder;
  std::vector<uint64_t> seq(1000, 0);
  auto make = [&](int64_t now) {
    uint32_t origin = static_cast<uint32_t>(rng.below(1000));
    int64_t delay = 0;
    switch (shape) {
      case Shape::exponential: delay = static_cast<int64_t>(-std::log(1 - rng.unit()) * 1000); break;
      case Shape::clustered: delay = static_cast<int64_t>(rng.below(4)) * 1000; break;  // many equal times
      case Shape::bimodal: delay = rng.chance(0.1) ? 1'000'000'000 + static_cast<int64_t>(rng.below(1000)) : static_cast<int64_t>(rng.below(100)); break;
      case Shape::bursty: delay = rng.chance(0.5) ? 0 : static_cast<int64_t>(rng.below(1'000'000)); break;
      // A flood's links: 1 to 10 ms, so a wave piles thousands of late events per bucket.
      case Shape::wave: delay = 1'000'000 + static_cast<int64_t>(rng.below(9'000'000)); break;
      // Up to 2^52 ns (52 days) ahead, some events in the same instant: buckets would be
      // wider than the 2^32 ns a rung event's offset can hold, so the caps must apply.
      case Shape::sparse: delay = rng.chance(0.2) ? 0 : static_cast<int64_t>(rng.below(uint64_t{1} << 52)); break;
    }
    // Every field carries a value, so that packing into a rung's 24 bytes and back is checked.
    return Event{now + delay, seq[origin]++, origin, static_cast<uint32_t>(rng.below(1u << 24)),
                 static_cast<uint32_t>(rng()), static_cast<uint16_t>(rng.below(1u << 16)),
                 static_cast<EventKind>(rng.below(7)), static_cast<ModuleId>(rng.below(256))};
  };
  for (size_t i = 0; i < initial; ++i) {
    Event e = make(0);
    heap.push(e);
    ladder.push(e);
  }
  size_t compared = 0;
  for (size_t step = 0; step < steps && !heap.empty(); ++step) {
    REQUIRE(ladder.size() == heap.size());
    Event a = heap.pop(), b = ladder.pop();
    REQUIRE(a.time == b.time);
    REQUIRE(a.origin() == b.origin());
    REQUIRE(a.seq() == b.seq());
    REQUIRE(a.target == b.target);
    REQUIRE(a.payload == b.payload);
    REQUIRE(a.aux == b.aux);
    REQUIRE(a.kind == b.kind);
    REQUIRE(a.module == b.module);
    ++compared;
    // While the population is small a handled event may fan out (a flood's forwarding);
    // past 4x the initial population it schedules 0..2, so the run stays bounded.
    uint64_t fanout = heap.size() < 4 * initial ? max_children : 2;
    uint64_t children = rng.below(fanout + 1);
    for (uint64_t c = 0; c < children; ++c) {
      Event e = make(a.time);
      heap.push(e);
      ladder.push(e);
    }
  }
  while (!heap.empty()) {
    Event a = heap.pop(), b = ladder.pop();
    REQUIRE(a.seq() == b.seq());
    REQUIRE(a.origin() == b.origin());
    ++compared;
  }
  CHECK(ladder.empty());
  return compared;
}

}  // namespace

TEST_CASE("ladder queue pops in exactly the heap's order") {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    CHECK(compare_orders(Shape::exponential, seed, 5000, 60000) > 60000);
    CHECK(compare_orders(Shape::clustered, seed, 5000, 60000) > 60000);
    CHECK(compare_orders(Shape::bimodal, seed, 5000, 60000) > 60000);
    CHECK(compare_orders(Shape::bursty, seed, 2000, 60000) > 2000);
  }
}

// Sizes at which the queue's storage spans many chunks and its late lists many blocks:
// hold at 200,000 pending events (PHOLD's regime), and flood-like waves of up to 15 children
// an event.
TEST_CASE("ladder queue pops in exactly the heap's order at large sizes") {
  CHECK(compare_orders(Shape::exponential, 7, 200'000, 1'000'000) > 1'000'000);
  CHECK(compare_orders(Shape::wave, 8, 1'000, 1'000'000, 15) > 1'000'000);
  CHECK(compare_orders(Shape::clustered, 9, 100'000, 500'000, 4) > 500'000);
}

TEST_CASE("ladder queue keeps its order and every field when events lie days apart") {
  for (uint64_t seed = 1; seed <= 3; ++seed) CHECK(compare_orders(Shape::sparse, seed, 20'000, 200'000) > 200'000);
}

TEST_CASE("ladder queue handles a single event, equal times, and refills after draining") {
  LadderQueue q;
  q.push(Event{5, 0, 1, 0, 0, 0, EventKind::timer, 0});
  CHECK(q.pop().time == 5);
  CHECK(q.empty());
  for (uint64_t s = 0; s < 1000; ++s) q.push(Event{7, 999 - s, 2, 0, 0, 0, EventKind::timer, 0});
  for (uint64_t s = 0; s < 1000; ++s) CHECK(q.pop().seq() == s);
  q.push(Event{100, 0, 0, 0, 0, 0, EventKind::timer, 0});
  q.push(Event{8, 0, 0, 0, 0, 0, EventKind::timer, 0});
  CHECK(q.top().time == 8);
  CHECK(q.pop().time == 8);
  CHECK(q.pop().time == 100);
}
