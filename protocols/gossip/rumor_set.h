// A set of rumor ids as a bitmap, the unit of gossip state and of every gossip message.
//
// Ids below 64 live in one inline word, so a node of a run with at most 64 rumors costs
// 16 bytes and never touches the heap (a million flooding nodes with 10 rumors: 16 MB).
// Larger ids spill into one heap block whose first word holds its length, which keeps the
// inline case at two words instead of the three a std::vector header would need.
#pragma once
#include <bit>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <utility>

namespace meshsim::gossip {

class RumorSet {
 public:
  RumorSet() = default;
  RumorSet(std::initializer_list<uint32_t> ids) {
    for (uint32_t id : ids) insert(id);
  }
  RumorSet(const RumorSet& o) : low_(o.low_) {
    if (o.high_) {
      high_ = new uint64_t[o.high_[0] + 1];
      std::memcpy(high_, o.high_, (o.high_[0] + 1) * sizeof(uint64_t));
    }
  }
  RumorSet(RumorSet&& o) noexcept : low_(std::exchange(o.low_, 0)), high_(std::exchange(o.high_, nullptr)) {}
  RumorSet& operator=(RumorSet o) noexcept {
    std::swap(low_, o.low_);
    std::swap(high_, o.high_);
    return *this;
  }
  ~RumorSet() { delete[] high_; }

  bool contains(uint32_t id) const { return (word(id / 64) >> (id % 64)) & 1; }
  // Returns true when the id was not in the set before.
  bool insert(uint32_t id) {
    uint32_t w = id / 64;
    uint64_t bit = uint64_t{1} << (id % 64);
    if (w == 0) {
      bool fresh = !(low_ & bit);
      low_ |= bit;
      return fresh;
    }
    reserve_words(w);
    bool fresh = !(high_[w] & bit);
    high_[w] |= bit;
    return fresh;
  }
  void erase(uint32_t id) {
    uint32_t w = id / 64;
    if (w == 0) low_ &= ~(uint64_t{1} << id);
    else if (high_ && w <= high_[0]) high_[w] &= ~(uint64_t{1} << (id % 64));
  }
  void clear() {
    low_ = 0;
    delete[] high_;
    high_ = nullptr;
  }

  bool empty() const {
    for (uint32_t i = 0; i < words(); ++i)
      if (word(i)) return false;
    return true;
  }
  uint32_t count() const {
    uint32_t c = 0;
    for (uint32_t i = 0; i < words(); ++i) c += static_cast<uint32_t>(std::popcount(word(i)));
    return c;
  }
  // One past the highest id in the set (0 when empty): the length of a bitmap encoding.
  uint32_t end_id() const {
    for (uint32_t i = words(); i-- > 0;)
      if (uint64_t w = word(i)) return i * 64 + 64 - static_cast<uint32_t>(std::countl_zero(w));
    return 0;
  }

  // Calls f(id) for every id, ascending (deterministic order for the outbox).
  template <class F>
  void for_each(F&& f) const {
    for (uint32_t i = 0; i < words(); ++i)
      for (uint64_t w = word(i); w; w &= w - 1) f(i * 64 + static_cast<uint32_t>(std::countr_zero(w)));
  }

  RumorSet minus(const RumorSet& o) const {
    return combine(o, [](uint64_t a, uint64_t b) { return a & ~b; });
  }
  RumorSet intersect(const RumorSet& o) const {
    return combine(o, [](uint64_t a, uint64_t b) { return a & b; });
  }
  RumorSet unite(const RumorSet& o) const {
    return combine(o, [](uint64_t a, uint64_t b) { return a | b; });
  }
  // Drops ids >= limit (input from the network is not trusted to name real rumors).
  void keep_below(uint32_t limit) {
    for (uint32_t i = 0; i < words(); ++i) {
      uint64_t lo = uint64_t{i} * 64;
      if (lo >= limit) set_word(i, 0);
      else if (limit - lo < 64) set_word(i, word(i) & ((uint64_t{1} << (limit - lo)) - 1));
    }
  }

  friend bool operator==(const RumorSet& a, const RumorSet& b) {
    uint32_t n = a.words() > b.words() ? a.words() : b.words();
    for (uint32_t i = 0; i < n; ++i)
      if (a.word(i) != b.word(i)) return false;
    return true;
  }

 private:
  uint32_t words() const { return 1 + (high_ ? static_cast<uint32_t>(high_[0]) : 0); }
  uint64_t word(uint32_t i) const {
    if (i == 0) return low_;
    return high_ && i <= high_[0] ? high_[i] : 0;
  }
  void set_word(uint32_t i, uint64_t v) {
    if (i == 0) {
      low_ = v;
      return;
    }
    if (v == 0 && (!high_ || i > high_[0])) return;  // zero words need no storage
    reserve_words(i);
    high_[i] = v;
  }
  // Makes word index `w` (>= 1) addressable; doubles so that growing id by id stays linear.
  void reserve_words(uint32_t w) {
    uint64_t have = high_ ? high_[0] : 0;
    if (w <= have) return;
    uint64_t want = w > 2 * have ? w : 2 * have;
    auto* grown = new uint64_t[want + 1]();
    if (high_) std::memcpy(grown + 1, high_ + 1, have * sizeof(uint64_t));
    grown[0] = want;
    delete[] high_;
    high_ = grown;
  }
  template <class Op>
  RumorSet combine(const RumorSet& o, Op op) const {
    RumorSet r;
    uint32_t n = words() > o.words() ? words() : o.words();
    // Size the heap block once, from the highest non-zero result word.
    uint32_t top = n;
    while (top > 1 && op(word(top - 1), o.word(top - 1)) == 0) --top;
    if (top > 1) r.reserve_words(top - 1);
    for (uint32_t i = 0; i < top; ++i) r.set_word(i, op(word(i), o.word(i)));
    return r;
  }

  uint64_t low_ = 0;          // ids 0..63
  uint64_t* high_ = nullptr;  // [0] = word count n, [1..n] = ids 64..64(n+1)-1
};

static_assert(sizeof(RumorSet) == 16);

}  // namespace meshsim::gossip
