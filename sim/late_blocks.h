// Storage for the ladder queue's "late" events: events pushed into the time range of a rung
// that already exists, kept per bucket until the bucket is taken.
//
// Why blocks and not a linked list of events: a chain links single events scattered over a
// large slab, so taking a bucket costs one cache miss per event, and a push writes to a
// random recycled slot, another miss. Profiles put that at the top (flood at N = 100,000:
// 35 % of the time gathering chains in fill_rung, 27 % in push; PHOLD at N = 100,000: most
// of refill). Here a bucket's late events sit in a list of contiguous blocks of 2, 4, 8, 16,
// 32, then 64 events: a push appends to the bucket's tail block, which is hot in cache when
// few buckets are being filled (a flood wave fills the few buckets 1 to 10 ms ahead), and
// taking a bucket reads whole blocks front to back, which the hardware prefetches.
// Blocks double from 2 so that a bucket with one or two late events wastes little: the
// unused tail of a bucket's blocks is at most about its own size (plus 2 slots).
//
// Blocks are carved from one chunked arena of 24-byte rung events (sim/rung_event.h: the
// caller packs each event against its bucket's start); freed blocks go to a free list per
// size. Every block starts at an even slot, so the index of a list's next block (or of the
// next free block) lives in a side array with one entry per two slots: 2 bytes a slot,
// where a link inside each event would cost 8 (it would not fit the 24).
#pragma once
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <utility>

#include "sim/chunked_vector.h"
#include "sim/rung_event.h"

namespace meshsim {

class LateBlocks {
 public:
  static constexpr uint32_t kNil = 0xffffffffu;

  // One bucket's late events. `size` is enough to find where the next event goes: the
  // blocks' capacities follow a fixed sequence.
  struct List {
    uint32_t head = kNil;
    uint32_t tail = kNil;
    uint32_t size = 0;
  };

  void append(List& list, const RungEvent& e) {
    auto [index, offset] = locate(list.size);
    if (offset == 0) {
      uint32_t block = allocate(size_class(index));
      if (list.size == 0)
        list.head = block;
      else
        next_of(list.tail) = block;
      list.tail = block;
    }
    arena_[list.tail + offset] = e;
    ++list.size;
  }

  // Shows every event of `list` to `visit` in storage order, leaving the list as it is.
  template <typename Visit>
  void for_each(const List& list, Visit&& visit) const {
    uint32_t block = list.head, left = list.size;
    for (uint32_t index = 0; left > 0; ++index) {
      const uint32_t n = std::min(left, capacity(size_class(index)));
      for (uint32_t k = 0; k < n; ++k) visit(arena_[block + k]);
      left -= n;
      if (left > 0) block = links_[block >> 1];
    }
  }

  // Hands every event of `list` to `sink` in storage order, frees its blocks and empties it.
  template <typename Sink>
  void drain(List& list, Sink&& sink) {
    uint32_t block = list.head, left = list.size;
    for (uint32_t index = 0; left > 0; ++index) {
      const unsigned c = size_class(index);
      const uint32_t n = std::min(left, capacity(c));
      for (uint32_t k = 0; k < n; ++k) sink(arena_[block + k]);
      left -= n;
      const uint32_t next = left > 0 ? links_[block >> 1] : kNil;
      release(block, c);
      block = next;
    }
    list = List{};
  }

  size_t arena_size() const { return arena_.size(); }  // slots ever carved, for tests

  // Forgets every block at once (no list may be drained afterwards) and gives the arena's
  // memory back.
  void clear() {
    arena_.clear();
    links_.clear();
    free_.fill(kNil);
  }

 private:
  static constexpr unsigned kClasses = 6;  // blocks of 2, 4, 8, 16, 32, 64 events
  static constexpr uint32_t capacity(unsigned c) { return 2u << c; }
  static constexpr unsigned size_class(uint32_t index) { return index < kClasses ? index : kClasses - 1; }

  // Block index and offset in it of a list's event number s (0-based). The first five
  // blocks hold 2 + 4 + 8 + 16 + 32 = 62 events; every later one holds 64.
  static std::pair<uint32_t, uint32_t> locate(uint32_t s) {
    if (s < 62) {
      uint32_t index = static_cast<uint32_t>(std::bit_width(s + 2)) - 2;  // floor(log2(s + 2)) - 1
      return {index, s - ((2u << index) - 2)};
    }
    return {5 + (s - 62) / 64, (s - 62) % 64};
  }

  uint32_t allocate(unsigned c) {
    if (free_[c] != kNil) {
      uint32_t block = free_[c];
      free_[c] = links_[block >> 1];
      return block;
    }
    uint32_t block = static_cast<uint32_t>(arena_.size());
    arena_.resize_for_overwrite(arena_.size() + capacity(c));
    links_.resize_for_overwrite(arena_.size() >> 1);
    return block;
  }
  void release(uint32_t block, unsigned c) {
    next_of(block) = free_[c];
    free_[c] = block;
  }

  uint32_t& next_of(uint32_t block) { return links_[block >> 1]; }

  ChunkedVector<RungEvent> arena_;
  ChunkedVector<uint32_t> links_;  // links_[b / 2]: the block after block b in its list
  std::array<uint32_t, kClasses> free_ = {kNil, kNil, kNil, kNil, kNil, kNil};
};

}  // namespace meshsim
