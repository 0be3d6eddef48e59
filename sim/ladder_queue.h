// A ladder queue (Tang, Goh & Thng, ACM TOMACS 2005): O(1) amortised push and pop for the
// event distributions simulators see, where a heap pays O(log n) cache misses per pop.
//
// Structure: `top` holds far-future events unsorted; `rungs` split time into buckets of
// decreasing width (each finer rung covers one bucket of the rung above); `bottom` holds
// the next few events sorted. Push appends to a bucket; pop takes from `bottom`, refilling
// it from the earliest non-empty bucket, splitting a crowded bucket into a finer rung.
//
// Determinism: events within `bottom` are sorted by the full key (time, origin, seq), and
// buckets partition time, so the pop order is the unique key order whatever the bucket
// layout or insertion order — exactly the order the heap gives (tests compare them).
//
// Complexity: push O(1) (plus O(rungs) to find the rung, rungs <= kMaxRungs);
// pop O(1) amortised (each event is moved between rungs a bounded number of times and
// sorted once in a bucket of at most kSplitThreshold events). Memory: 32 bytes a pending
// event plus vector slack and 24 bytes per bucket (about one bucket per two events).
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
  void reserve(size_t n) { top_.reserve(n); }

  const Event& top() {
    if (bottom_.empty()) refill();
    return bottom_.back();
  }

  void push(const Event& e) {
    ++size_;
    if (e.time >= top_start_) {
      top_.push_back(e);
      top_min_ = std::min(top_min_, e.time);
      top_max_ = std::max(top_max_, e.time);
      return;
    }
    for (size_t r = 0; r < active_; ++r) {
      Rung& rung = rungs_[r];
      if (e.time >= rung.current_start()) {
        rung.buckets[static_cast<size_t>((e.time - rung.start) / rung.width)].push_back(e);
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
  static constexpr size_t kSplitThreshold = 48;   // a bucket larger than this is split
  static constexpr size_t kBottomLimit = 256;     // a bottom larger than this becomes a rung
  static constexpr size_t kMaxRungs = 24;

  struct Rung {
    int64_t start = 0;
    int64_t width = 1;
    size_t buckets_used = 0;
    size_t current = 0;  // first bucket that may be non-empty
    size_t count = 0;
    std::vector<std::vector<Event>> buckets;
    int64_t current_start() const { return start + static_cast<int64_t>(current) * width; }
    int64_t end() const { return start + static_cast<int64_t>(buckets_used) * width; }
  };

  static bool later(const Event& a, const Event& b) { return b.before(a); }

  // Readies a rung of `n` buckets of `width` from `start`, reusing bucket storage.
  Rung& add_rung(int64_t start, int64_t width, size_t n) {
    if (active_ == rungs_.size()) rungs_.emplace_back();
    Rung& r = rungs_[active_++];
    r.start = start;
    r.width = width;
    r.current = 0;
    r.count = 0;
    r.buckets_used = n;
    if (r.buckets.size() < n) r.buckets.resize(n);
    return r;
  }

  // Upper bound (exclusive) of the times that belong in bottom.
  int64_t bottom_end() const { return active_ ? rungs_[active_ - 1].current_start() : top_start_; }

  void insert_bottom(const Event& e) {
    auto pos = std::upper_bound(bottom_.begin(), bottom_.end(), e, later);
    bottom_.insert(pos, e);
    if (bottom_.size() > kBottomLimit && active_ < kMaxRungs) spill_bottom();
  }

  // Bottom grew too large (many events pushed into its range): spread it over a new rung.
  void spill_bottom() {
    int64_t lo = bottom_.back().time, hi = bottom_end();
    int64_t span = std::max<int64_t>(1, hi - lo);
    int64_t width = std::max<int64_t>(1, span / static_cast<int64_t>(bottom_.size()));
    if (width == 1 && span < static_cast<int64_t>(bottom_.size())) return;  // too dense to split
    size_t n = static_cast<size_t>((span + width - 1) / width);
    Rung& r = add_rung(lo, width, n);
    for (const Event& e : bottom_) r.buckets[static_cast<size_t>((e.time - lo) / width)].push_back(e);
    r.count = bottom_.size();
    bottom_.clear();
  }

  void refill() {
    assert(size_ > 0 && "pop or top on an empty queue");
    for (;;) {
      if (active_ == 0) {
        // Everything pending is in top: spread it over rung 0 (about two events a bucket).
        int64_t span = top_max_ - top_min_ + 1;
        size_t n = std::max<size_t>(1, top_.size() / 2);
        int64_t width = std::max<int64_t>(1, (span + static_cast<int64_t>(n) - 1) / static_cast<int64_t>(n));
        n = static_cast<size_t>((span + width - 1) / width);
        Rung& r = add_rung(top_min_, width, n);
        for (const Event& e : top_) r.buckets[static_cast<size_t>((e.time - top_min_) / width)].push_back(e);
        r.count = top_.size();
        top_start_ = r.end();
        top_.clear();
        top_min_ = std::numeric_limits<int64_t>::max();
        top_max_ = std::numeric_limits<int64_t>::min();
      }
      Rung& r = rungs_[active_ - 1];
      if (r.count == 0) {
        --active_;
        continue;
      }
      while (r.buckets[r.current].empty()) ++r.current;
      std::vector<Event>& bucket = r.buckets[r.current];
      const int64_t bucket_start = r.current_start();
      ++r.current;
      r.count -= bucket.size();
      if (bucket.size() > kSplitThreshold && r.width > 1 && active_ < kMaxRungs) {
        size_t n = std::min<size_t>(bucket.size(), static_cast<size_t>(r.width));
        int64_t width = (r.width + static_cast<int64_t>(n) - 1) / static_cast<int64_t>(n);
        n = static_cast<size_t>((r.width + width - 1) / width);
        // Copy out first: add_rung may grow rungs_ and move the bucket we are reading.
        scratch_.swap(bucket);
        Rung& finer = add_rung(bucket_start, width, n);
        for (const Event& e : scratch_)
          finer.buckets[static_cast<size_t>((e.time - bucket_start) / width)].push_back(e);
        finer.count = scratch_.size();
        scratch_.clear();
        continue;
      }
      bottom_.swap(bucket);  // bucket takes bottom's (empty) storage back
      std::sort(bottom_.begin(), bottom_.end(), later);
      return;
    }
  }

  std::vector<Event> top_;
  int64_t top_start_ = std::numeric_limits<int64_t>::min();
  int64_t top_min_ = std::numeric_limits<int64_t>::max();
  int64_t top_max_ = std::numeric_limits<int64_t>::min();
  std::vector<Rung> rungs_;
  size_t active_ = 0;
  std::vector<Event> bottom_;
  std::vector<Event> scratch_;
  size_t size_ = 0;
};

}  // namespace meshsim
