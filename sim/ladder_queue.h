// A ladder queue (Tang, Goh & Thng, ACM TOMACS 2005): O(1) amortised push and pop for the
// event distributions simulators see, where a heap pays O(log n) cache misses per pop.
//
// Structure: `top` holds far-future events unsorted; `rungs` split time into buckets of
// decreasing width (each finer rung covers one bucket of the rung above); `bottom` holds
// the next few events sorted. Push links the event into a bucket; pop takes from `bottom`,
// refilling it from the earliest non-empty bucket, and splits a crowded bucket into a finer
// rung instead of sorting it.
//
// Storage: pending events live in one slab, chained through Event::link (32 bytes an
// event), buckets are list heads and sizes (8 bytes). Moving an event between rungs relinks it; it is
// copied only into `bottom`. Freed slots are reused, so a warm queue allocates nothing and
// memory is bounded by the peak number of pending events, about 34 bytes each (a vector of
// buckets would keep every bucket's high-water capacity alive and cost several times more).
//
// Determinism: `bottom` is sorted by the full key (time, origin, seq) and buckets partition
// time, so the pop order is the unique key order whatever the bucket layout or insertion
// order: exactly the heap's order (tests/unit/test_ladder_queue.cpp compares them).
//
// Complexity: push O(rungs) to find the rung (rungs <= kMaxRungs, usually 1-3), then O(1);
// pop O(1) amortised: each event is relinked a bounded number of times and sorted once in
// a bucket of at most kSplitThreshold events.
#pragma once
#include <algorithm>
#include <cassert>
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/event_queue_types.h"

namespace meshsim {

class LadderQueue {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  void reserve(size_t n) { slab_.reserve(n); }

  const Event& top() {
    if (bottom_.empty()) refill();
    return bottom_.back();
  }

  void push(const Event& e) {
    ++size_;
    if (e.time >= top_start_) {
      link(top_, allocate(e));
      ++top_count_;
      top_sum_ += e.time;
      top_min_ = std::min(top_min_, e.time);
      top_max_ = std::max(top_max_, e.time);
      return;
    }
    for (size_t r = 0; r < active_; ++r) {
      Rung& rung = rungs_[r];
      if (e.time >= rung.current_start()) {
        size_t b = static_cast<size_t>((e.time - rung.start) / rung.width);
        link(rung.heads[b], allocate(e));
        ++rung.sizes[b];
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
  static constexpr uint32_t kNil = 0xffffffffu;
  static constexpr size_t kSplitThreshold = 48;  // a bucket larger than this is split
  static constexpr size_t kBottomLimit = 256;    // a bottom larger than this becomes a rung
  static constexpr size_t kMaxRungs = 24;
  static constexpr size_t kEventsPerBucket = 4;  // aim of a new rung; measured best of 1..8

  struct Rung {
    int64_t start = 0;
    int64_t width = 1;
    size_t current = 0;  // first bucket that may be non-empty
    size_t count = 0;
    std::vector<uint32_t> heads;
    std::vector<uint32_t> sizes;  // events per bucket, so a bucket is never walked to count it
    int64_t current_start() const { return start + static_cast<int64_t>(current) * width; }
    int64_t end() const { return start + static_cast<int64_t>(heads.size()) * width; }
  };

  // A function object, not a function pointer, so std::sort and upper_bound inline it.
  struct Later {
    bool operator()(const Event& a, const Event& b) const { return b.before(a); }
  };

  uint32_t allocate(const Event& e) {
    if (free_ != kNil) {
      uint32_t i = free_;
      free_ = slab_[i].link;
      slab_[i] = e;
      return i;
    }
    slab_.push_back(e);
    return static_cast<uint32_t>(slab_.size() - 1);
  }
  void link(uint32_t& head, uint32_t i) {
    slab_[i].link = head;
    head = i;
  }

  // Readies a rung of `n` empty buckets of `width` from `start`.
  Rung& add_rung(int64_t start, int64_t width, size_t n) {
    if (active_ == rungs_.size()) rungs_.emplace_back();
    Rung& r = rungs_[active_++];
    r.start = start;
    r.width = width;
    r.current = 0;
    r.count = 0;
    r.heads.assign(n, kNil);
    r.sizes.assign(n, 0);
    return r;
  }

  // Moves every event of list `head` into rung r's buckets (relinking, no copies).
  void spread(uint32_t head, Rung& r) {
    while (head != kNil) {
      uint32_t next = slab_[head].link;
      size_t b = static_cast<size_t>((slab_[head].time - r.start) / r.width);
      link(r.heads[b], head);
      ++r.sizes[b];
      ++r.count;
      head = next;
    }
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
    Rung& r = add_rung(lo, width, static_cast<size_t>((span + width - 1) / width));
    uint32_t list = kNil;
    for (const Event& e : bottom_) link(list, allocate(e));
    bottom_.clear();
    spread(list, r);
  }

  // Everything pending is in top: spread it over a new rung 0 of about kEventsPerBucket
  // events a bucket. The rung spans twice the mean distance from the earliest event rather than the
  // whole range, so a few far-future events (a timer seconds away among a wave of
  // millisecond messages) do not stretch every bucket; events past the rung stay in top.
  void spread_top() {
    assert(top_count_ > 0);
    int64_t n = std::max<int64_t>(1, static_cast<int64_t>(top_count_ / kEventsPerBucket));
    __int128 mean_offset = top_sum_ / static_cast<__int128>(top_count_) - top_min_;
    int64_t span = static_cast<int64_t>(std::min<__int128>(2 * mean_offset + 1, top_max_ - top_min_ + 1));
    int64_t width = std::max<int64_t>(1, (span + n - 1) / n);
    Rung& r = add_rung(top_min_, width, static_cast<size_t>((span + width - 1) / width));
    top_start_ = r.end();
    uint32_t list = top_;
    top_ = kNil;
    top_count_ = 0;
    top_sum_ = 0;
    top_min_ = std::numeric_limits<int64_t>::max();
    top_max_ = std::numeric_limits<int64_t>::min();
    while (list != kNil) {
      uint32_t next = slab_[list].link;
      const int64_t t = slab_[list].time;
      if (t >= top_start_) {
        link(top_, list);
        ++top_count_;
        top_sum_ += t;
        top_min_ = std::min(top_min_, t);
        top_max_ = std::max(top_max_, t);
      } else {
        size_t b = static_cast<size_t>((t - r.start) / r.width);
        link(r.heads[b], list);
        ++r.sizes[b];
        ++r.count;
      }
      list = next;
    }
  }

  void refill() {
    assert(size_ > 0 && "pop or top on an empty queue");
    for (;;) {
      if (active_ == 0) spread_top();
      Rung& r = rungs_[active_ - 1];
      if (r.count == 0) {
        --active_;
        continue;
      }
      while (r.heads[r.current] == kNil) ++r.current;
      uint32_t list = r.heads[r.current];
      r.heads[r.current] = kNil;
      const int64_t bucket_start = r.current_start();
      const int64_t parent_width = r.width;
      ++r.current;
      size_t n = r.sizes[r.current - 1];
      r.sizes[r.current - 1] = 0;
      r.count -= n;
      if (n > kSplitThreshold && parent_width > 1 && active_ < kMaxRungs) {
        int64_t buckets = std::min<int64_t>(std::max<int64_t>(2, static_cast<int64_t>(n / kEventsPerBucket)), parent_width);
        int64_t width = (parent_width + buckets - 1) / buckets;
        // add_rung may reallocate rungs_: `r` is not used after this point.
        Rung& finer = add_rung(bucket_start, width, static_cast<size_t>((parent_width + width - 1) / width));
        spread(list, finer);
        continue;
      }
      // The next refill will read the following buckets' events from random slab slots:
      // start loading them now, while the caller pops this bucket.
      for (size_t ahead = r.current; ahead < r.current + 2 && ahead < r.heads.size(); ++ahead)
        if (r.heads[ahead] != kNil) __builtin_prefetch(&slab_[r.heads[ahead]]);
      bottom_.reserve(n);
      while (list != kNil) {
        bottom_.push_back(slab_[list]);
        uint32_t next = slab_[list].link;
        slab_[list].link = free_;
        free_ = list;
        list = next;
      }
      std::sort(bottom_.begin(), bottom_.end(), Later{});
      return;
    }
  }

  std::vector<Event> slab_;  // pending events; Event::link chains a bucket
  uint32_t free_ = kNil;
  uint32_t top_ = kNil;
  size_t top_count_ = 0;
  __int128 top_sum_ = 0;  // sum of top's times, for their mean
  int64_t top_start_ = std::numeric_limits<int64_t>::min();
  int64_t top_min_ = std::numeric_limits<int64_t>::max();
  int64_t top_max_ = std::numeric_limits<int64_t>::min();
  std::vector<Rung> rungs_;
  size_t active_ = 0;
  std::vector<Event> bottom_;
  size_t size_ = 0;
};

}  // namespace meshsim
