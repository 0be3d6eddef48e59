// A ladder queue (Tang, Goh & Thng, ACM TOMACS 2005): O(1) amortised push and pop for the
// event distributions simulators see, where a heap pays O(log n) cache misses per pop.
//
// Structure: `top` holds far-future events unsorted; `rungs` split time into buckets of
// decreasing width (each finer rung covers one bucket of the rung above); `bottom` holds
// the next few events sorted. Pop takes from `bottom`, refilling it from the earliest
// non-empty bucket, or splitting a crowded bucket into a finer rung instead of sorting it.
//
// Storage is laid out for the cache, because at a million pending events every random
// access is a miss and misses are the whole cost:
//  - `top` is a chunked vector (sim/chunked_vector.h): a push appends to it sequentially.
//  - A rung is built by counting sort into one contiguous array (bucket b is the slice
//    events[begin[b], begin[b+1])): building reads its source sequentially, and moving a
//    bucket to `bottom` or to a finer rung reads one slice sequentially.
//  - Events pushed into the range of an existing rung ("late" events) are appended to
//    their bucket's list of small contiguous blocks (sim/late_blocks.h), and join their
//    bucket when it is taken.
// Memory: 24 bytes a pending event inside a rung (sim/rung_event.h: time as an offset in
// its bucket; late blocks add 2 bytes a slot of links, and at most about as much again
// for partly filled blocks), 32 in top and bottom, and 16 bytes a bucket.
// Storage grows in 512 KB chunks and a rung frees its chunks as its buckets are taken, so
// nothing holds a consumed copy or doubling slack (PHOLD at N = 100,000: about 60 bytes
// of peak RSS a pending event, against 90-100 with std::vector).
//
// Determinism: `bottom` is sorted by the full key (time, origin, seq) and buckets partition
// time, so the pop order is the unique key order whatever the bucket layout or insertion
// order: exactly the heap's order (tests/unit/test_ladder_queue.cpp compares them).
//
// Complexity: push O(rungs) to find the rung (rungs <= kMaxRungs, usually 1-3), then O(1);
// pop O(1) amortised: each event is moved a bounded number of times and sorted once in a
// bucket of at most kSplitThreshold events.
#pragma once
#include <algorithm>
#include <cassert>
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/chunked_vector.h"
#include "sim/event_queue_types.h"
#include "sim/late_blocks.h"
#include "sim/rung_event.h"

namespace meshsim {

class LadderQueue {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  void reserve(size_t) {}  // storage grows in chunks as needed

  const Event& top() {
    if (bottom_.empty()) refill();
    return bottom_.back();
  }

  void push(const Event& e) {
    ++size_;
    if (e.time >= top_start_) {
      top_.push_back(e);
      top_sum_ += e.time;
      top_min_ = std::min(top_min_, e.time);
      top_max_ = std::max(top_max_, e.time);
      return;
    }
    for (size_t r = 0; r < active_; ++r) {
      Rung& rung = rungs_[r];
      if (e.time >= rung.current_start()) {
        const size_t b = rung.bucket_of(e.time);
        late_.append(rung.late[b], RungEvent::pack(e, rung.bucket_start(b)));
        ++rung.count;
        return;
      }
    }
    insert_bottom(e);
  }

  Event pop() {
    if (bottom_.empty()) refill();
    Event e = bottom_.back();
    bottom_.pop_back();
    --size_;
    return e;
  }

 private:
  static constexpr size_t kSplitThreshold = 48;  // a bucket larger than this is split
  static constexpr size_t kBottomLimit = 256;    // a bottom larger than this becomes a rung
  static constexpr size_t kMaxRungs = 24;
  static constexpr size_t kKeepCapacity = 1 << 16;  // events bottom's buffer may keep
  static constexpr size_t kEventsPerBucket = 4;
  static constexpr size_t kMinTopBuckets = 4096;  // aim of a new rung; measured best of 2/4/8

  struct Rung {
    int64_t start = 0;
    int64_t width = 1;
    size_t buckets = 0;
    size_t current = 0;  // first bucket not yet taken
    size_t count = 0;    // events in buckets >= current
    ChunkedVector<RungEvent> events;    // bucketed by counting sort; consumed chunks freed
    std::vector<uint32_t> begin;        // buckets + 1 offsets into events
    std::vector<LateBlocks::List> late;  // per bucket: its late events, in late_
    int64_t bucket_start(size_t b) const { return start + static_cast<int64_t>(b) * width; }
    int64_t current_start() const { return bucket_start(current); }
    int64_t end() const { return start + static_cast<int64_t>(buckets) * width; }
    size_t bucket_of(int64_t t) const { return static_cast<size_t>((t - start) / width); }
    size_t bucket_size(size_t b) const { return begin[b + 1] - begin[b] + late[b].size; }
  };

  // A function object, not a function pointer, so std::sort and upper_bound inline it.
  struct Later {
    bool operator()(const Event& a, const Event& b) const { return b.before(a); }
  };

  // Readies rung `active_` (reusing its storage) and returns its index.
  size_t add_rung(int64_t start, int64_t width, size_t buckets) {
    if (active_ == rungs_.size()) rungs_.emplace_back();
    Rung& r = rungs_[active_];
    r.start = start;
    r.width = width;
    r.buckets = buckets;
    r.current = 0;
    r.count = 0;
    r.begin.assign(buckets + 1, 0);
    r.late.assign(buckets, LateBlocks::List{});
    return active_++;
  }

  // Counting sort of `n` events from `src` plus the late list `late` into rung r. The list
  // is read twice in place (once to count, once to scatter while it is freed) rather than
  // first copied into a contiguous buffer: a crowded bucket of a flood wave holds two
  // million events, and a copy of them was 64 MiB of the peak at N = 1,000,000 (and more
  // memory traffic than the second read). `src(i)` gives the i-th source event;
  // `late_start` is the start of the bucket the late list was packed against.
  template <typename Source>
  void fill_rung(Rung& r, const Source& src, size_t n, LateBlocks::List& late, int64_t late_start) {
    const size_t late_count = late.size;
    for (size_t i = 0; i < n; ++i) ++r.begin[r.bucket_of(src(i).time) + 1];
    late_.for_each(late, [&r, late_start](const RungEvent& e) { ++r.begin[r.bucket_of(late_start + e.offset) + 1]; });
    for (size_t b = 0; b < r.buckets; ++b) r.begin[b + 1] += r.begin[b];
    r.events.resize_for_overwrite(n + late_count);
    fill_.assign(r.begin.begin(), r.begin.end() - 1);
    for (size_t i = 0; i < n; ++i) place(r, src(i));
    late_.drain(late, [this, &r, late_start](const RungEvent& e) { place(r, e.unpack(late_start)); });
    r.count = r.events.size();
  }

  // The scatter step of a counting sort into rung r: `fill_` holds each bucket's cursor.
  void place(Rung& r, const Event& e) {
    const size_t b = r.bucket_of(e.time);
    r.events[fill_[b]++] = RungEvent::pack(e, r.bucket_start(b));
  }

  // Upper bound (exclusive) of the times that belong in bottom.
  int64_t bottom_end() const { return active_ ? rungs_[active_ - 1].current_start() : top_start_; }

  void insert_bottom(const Event& e) {
    bottom_.insert(std::upper_bound(bottom_.begin(), bottom_.end(), e, Later{}), e);
    if (bottom_.size() > kBottomLimit && active_ < kMaxRungs) spill_bottom();
  }

  // Bottom grew too large (many events pushed into its range): spread it over a new rung.
  void spill_bottom() {
    int64_t lo = bottom_.back().time, span = std::max<int64_t>(1, bottom_end() - lo);
    int64_t width = std::max<int64_t>(1, span / static_cast<int64_t>(bottom_.size()));
    if (width == 1 && span < static_cast<int64_t>(bottom_.size())) return;  // too dense to split
    // Too sparse for a rung's buckets (256 events over more than 300 hours): bottom stays
    // a sorted vector, correct and merely slower.
    if (width > kMaxBucketWidth) return;
    Rung& r = rungs_[add_rung(lo, width, static_cast<size_t>((span + width - 1) / width))];
    LateBlocks::List none;
    fill_rung(r, [this](size_t i) -> const Event& { return bottom_[i]; }, bottom_.size(), none, 0);
    bottom_.clear();
  }

  // Everything pending is in top: spread it over a new rung 0 of about kEventsPerBucket
  // events a bucket. The rung spans twice the mean distance from the earliest event rather
  // than the whole range, so a few far-future events (a timer seconds away among a wave of
  // millisecond messages) do not stretch every bucket; events past the rung stay in top.
  void spread_top() {
    assert(!top_.empty());
    // No rung is active, so no late event is pending: give the late slab's memory back.
    late_.clear();
    // At least kMinTopBuckets: a tiny top (a few timers seconds apart, just before a burst)
    // says nothing about the spacing of what comes next, and a few wide buckets would
    // collect the whole burst as late events in one bucket.
    int64_t n = static_cast<int64_t>(std::max(kMinTopBuckets, top_.size() / kEventsPerBucket));
    __int128 mean_offset = top_sum_ / static_cast<__int128>(top_.size()) - top_min_;
    int64_t span = static_cast<int64_t>(std::min<__int128>(2 * mean_offset + 1, top_max_ - top_min_ + 1));
    // Buckets at most kMaxBucketWidth wide, so rung events can store 32-bit offsets: a rung
    // over a very sparse top covers n such buckets (over 4,000 hours) and leaves the rest in top.
    span = static_cast<int64_t>(std::min<__int128>(span, static_cast<__int128>(n) * kMaxBucketWidth));
    int64_t width = std::max<int64_t>(1, (span + n - 1) / n);
    Rung& r = rungs_[add_rung(top_min_, width, static_cast<size_t>((span + width - 1) / width))];
    top_start_ = r.end();
    // Pass 1 counts the events that fall in the rung; pass 2 scatters them into it and
    // compacts the rest of top in place. Both read top sequentially.
    size_t in_range = 0;
    for (size_t i = 0; i < top_.size(); ++i)
      if (top_[i].time < top_start_) {
        ++r.begin[r.bucket_of(top_[i].time) + 1];
        ++in_range;
      }
    for (size_t b = 0; b < r.buckets; ++b) r.begin[b + 1] += r.begin[b];
    r.events.resize_for_overwrite(in_range);
    fill_.assign(r.begin.begin(), r.begin.end() - 1);
    size_t keep = 0;
    top_sum_ = 0;
    top_min_ = std::numeric_limits<int64_t>::max();
    top_max_ = std::numeric_limits<int64_t>::min();
    for (size_t i = 0; i < top_.size(); ++i) {
      const Event& e = top_[i];
      if (e.time < top_start_) {
        place(r, e);
      } else {
        top_sum_ += e.time;
        top_min_ = std::min(top_min_, e.time);
        top_max_ = std::max(top_max_, e.time);
        top_[keep++] = e;
      }
    }
    top_.shrink_to(keep);
    r.count = in_range;
  }

  void refill() {
    assert(size_ > 0 && "pop or top on an empty queue");
    for (;;) {
      if (active_ == 0) spread_top();
      size_t index = active_ - 1;
      Rung* r = &rungs_[index];
      if (r->count == 0) {
        // A retired rung keeps its storage for the next one, unless it is large: a burst
        // (a flood wave) would otherwise pin its high-water mark in every rung for good.
        r->events.clear();
        --active_;
        continue;
      }
      while (r->bucket_size(r->current) == 0) ++r->current;
      const size_t b = r->current++;
      const size_t n = r->bucket_size(b);
      const int64_t bucket_start = r->start + static_cast<int64_t>(b) * r->width;
      const int64_t parent_width = r->width;
      r->count -= n;
      LateBlocks::List late = r->late[b];
      r->late[b] = LateBlocks::List{};
      if (n > kSplitThreshold && parent_width > 1 && active_ < kMaxRungs) {
        int64_t buckets = std::min<int64_t>(std::max<int64_t>(2, static_cast<int64_t>(n / kEventsPerBucket)), parent_width);
        int64_t width = (parent_width + buckets - 1) / buckets;
        size_t finer = add_rung(bucket_start, width, static_cast<size_t>((parent_width + width - 1) / width));
        r = &rungs_[index];  // add_rung may have moved the rungs (their vectors' data stay put)
        const Rung& parent = *r;
        const size_t first = parent.begin[b];
        fill_rung(rungs_[finer], [&parent, first, bucket_start](size_t i) { return parent.events[first + i].unpack(bucket_start); },
                  parent.begin[b + 1] - first, late, bucket_start);
        rungs_[index].events.release_below(rungs_[index].begin[b + 1]);
        continue;
      }
      bottom_.clear();
      // A burst (a million nodes starting at the same instant) can grow bottom to millions
      // of events; its capacity must not stay pinned for the rest of the run.
      if (bottom_.capacity() > kKeepCapacity && n <= kKeepCapacity) std::vector<Event>().swap(bottom_);
      for (size_t i = r->begin[b]; i < r->begin[b + 1]; ++i) bottom_.push_back(r->events[i].unpack(bucket_start));
      r->events.release_below(r->begin[b + 1]);
      late_.drain(late, [this, bucket_start](const RungEvent& e) { bottom_.push_back(e.unpack(bucket_start)); });
      std::sort(bottom_.begin(), bottom_.end(), Later{});
      return;
    }
  }

  // Chunked, not std::vector: no doubling slack, no copy of a full buffer on growth, and
  // chunks go back when they shrink (see chunked_vector.h), which keeps the peak near
  // 64 bytes a pending event. (A pool recycling chunks between the tiers was tried: no
  // measurable gain on PHOLD or flood at 100,000 nodes, and 6 % more peak memory on flood.)
  ChunkedVector<Event> top_;
  int64_t top_start_ = std::numeric_limits<int64_t>::min();
  int64_t top_min_ = std::numeric_limits<int64_t>::max();
  int64_t top_max_ = std::numeric_limits<int64_t>::min();
  __int128 top_sum_ = 0;  // sum of top's times, for their mean
  std::vector<Rung> rungs_;
  size_t active_ = 0;
  LateBlocks late_;  // events pushed into an existing rung
  std::vector<Event> bottom_;
  std::vector<uint32_t> fill_;   // counting-sort cursors
  size_t size_ = 0;
};

}  // namespace meshsim
