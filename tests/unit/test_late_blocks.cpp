// The ladder queue's per-bucket block lists: every appended event comes back once, in
// order, whatever the list's length, and freed blocks are reused.
#include <doctest/doctest.h>

#include <vector>

#include "sim/late_blocks.h"

using namespace meshsim;

namespace {
RungEvent numbered(uint64_t i) {
  return RungEvent::pack(Event{static_cast<int64_t>(i), i, 1, 0, 0, 0, EventKind::message, 0}, 0);
}

std::vector<uint64_t> drained(LateBlocks& blocks, LateBlocks::List& list) {
  std::vector<uint64_t> seqs;
  blocks.drain(list, [&](const RungEvent& e) { seqs.push_back(e.unpack(0).seq()); });
  return seqs;
}
}  // namespace

TEST_CASE("late blocks give back every event in order across block boundaries") {
  LateBlocks blocks;
  // Lengths at and around every block boundary (2, 6, 14, 30, 62, 126, ...), interleaved
  // over several lists so that their blocks alternate in the arena.
  for (uint32_t length : {0u, 1u, 2u, 3u, 5u, 6u, 7u, 13u, 14u, 15u, 61u, 62u, 63u, 125u, 126u, 127u, 1000u}) {
    std::vector<LateBlocks::List> lists(3);
    for (uint32_t i = 0; i < length; ++i)
      for (uint32_t l = 0; l < lists.size(); ++l) blocks.append(lists[l], numbered(l * 100'000 + i));
    for (uint32_t l = 0; l < lists.size(); ++l) {
      CHECK(lists[l].size == length);
      std::vector<uint64_t> seqs = drained(blocks, lists[l]);
      REQUIRE(seqs.size() == length);
      for (uint32_t i = 0; i < length; ++i) CHECK(seqs[i] == l * 100'000 + i);
      CHECK(lists[l].size == 0);
      CHECK(lists[l].head == LateBlocks::kNil);
    }
  }
}

TEST_CASE("late blocks reuse freed blocks instead of growing") {
  LateBlocks blocks;
  LateBlocks::List list;
  for (uint64_t i = 0; i < 500; ++i) blocks.append(list, numbered(i));
  const size_t arena = blocks.arena_size();
  for (int round = 0; round < 10; ++round) {
    CHECK(drained(blocks, list).size() == 500);
    for (uint64_t i = 0; i < 500; ++i) blocks.append(list, numbered(i));
  }
  CHECK(blocks.arena_size() == arena);
}
