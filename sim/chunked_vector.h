// A vector that grows in fixed chunks of 2^ChunkBits elements.
//
// Why not std::vector: doubling leaves up to half its capacity unused and, while it grows,
// holds the old and the new buffer at once, so a queue of a million 32-byte events peaks
// near 3x its size. Why not std::deque: libstdc++ uses 512-byte chunks (16 events), so its
// indexing costs a division and a pointer chase per access on the queue's hottest path
// (measured: PHOLD at N = 100,000 ran 20 % slower with deques than with vectors). Large
// power-of-two chunks index with a shift and a mask, the chunk table stays in cache, and
// growth never copies an element.
//
// A ChunkPool (optional) recycles chunks between the vectors that share it. The ladder
// queue's containers hand chunks to each other all the time (a rung frees what it consumed
// while top grows); without a pool each hand-over went through malloc, which returned the
// memory to the kernel and took it back page by page: 9 % of PHOLD's time at N = 100,000 was
// page faults. A pool holds at most the chunks in use at the queue's high-water mark, so it
// does not raise the peak.
#pragma once
#include <algorithm>
#include <cassert>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <vector>

namespace meshsim {

template <typename T, unsigned ChunkBits = 14>
class ChunkPool {
 public:
  static constexpr size_t kChunk = size_t{1} << ChunkBits;
  std::unique_ptr<T[]> take() {
    if (free_.empty()) return std::make_unique_for_overwrite<T[]>(kChunk);
    std::unique_ptr<T[]> chunk = std::move(free_.back());
    free_.pop_back();
    return chunk;
  }
  void give(std::unique_ptr<T[]> chunk) {
    if (chunk) free_.push_back(std::move(chunk));
  }
  size_t spare() const { return free_.size(); }

 private:
  std::vector<std::unique_ptr<T[]>> free_;
};

template <typename T, unsigned ChunkBits = 14>
class ChunkedVector {
  static_assert(std::is_trivially_copyable_v<T>, "elements are moved by plain copies");
  static constexpr size_t kChunk = size_t{1} << ChunkBits;
  static constexpr size_t kMask = kChunk - 1;

 public:
  using Pool = ChunkPool<T, ChunkBits>;

  ChunkedVector() = default;
  // The pool must outlive the vector.
  explicit ChunkedVector(Pool* pool) : pool_(pool) {}

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Always inlined: on the event queue's hot path, and GCC's heuristics flip between
  // inlining it or not with unrelated changes elsewhere (measured: 4 M instructions per
  // 300k PHOLD events when it was not).
  [[gnu::always_inline]] T& operator[](size_t i) {
    assert(i < size_ && (i >> ChunkBits) >= released_);
    return chunks_[i >> ChunkBits][i & kMask];
  }
  [[gnu::always_inline]] const T& operator[](size_t i) const {
    assert(i < size_ && (i >> ChunkBits) >= released_);
    return chunks_[i >> ChunkBits][i & kMask];
  }

  void push_back(const T& value) {
    if ((size_ & kMask) == 0) ensure_chunk(size_ >> ChunkBits);
    chunks_[size_ >> ChunkBits][size_ & kMask] = value;
    ++size_;
  }

  // Grows or shrinks to n elements; new ones are uninitialised, to be overwritten.
  void resize_for_overwrite(size_t n) {
    if (n <= size_) return shrink_to(n);
    for (size_t c = size_ >> ChunkBits; c < ((n + kMask) >> ChunkBits); ++c) ensure_chunk(c);
    size_ = n;
  }

  // Shrinks to n elements and gives back every chunk no longer needed, keeping one spare
  // so that a queue oscillating around a chunk boundary does not allocate on every cycle.
  void shrink_to(size_t n) {
    assert(n <= size_);
    size_ = n;
    released_ = 0;
    size_t keep = ((n + kMask) >> ChunkBits) + 1;
    while (chunks_.size() > keep) {
      give_back(std::move(chunks_.back()));
      chunks_.pop_back();
    }
    for (size_t c = 0; c < ((n + kMask) >> ChunkBits); ++c) ensure_chunk(c);
  }
  void clear() { shrink_to(0); }

  // Frees the chunks that lie wholly below index i: a reader that consumes the elements
  // front to back (a ladder rung) gives memory back as it goes. Those indices must not be
  // read again before the next resize.
  void release_below(size_t i) {
    for (size_t c = released_; c < (i >> ChunkBits) && c < chunks_.size(); ++c) give_back(std::move(chunks_[c]));
    released_ = std::max(released_, i >> ChunkBits);
  }

 private:
  void ensure_chunk(size_t c) {
    if (c == chunks_.size()) chunks_.emplace_back();
    if (!chunks_[c]) chunks_[c] = pool_ ? pool_->take() : std::make_unique_for_overwrite<T[]>(kChunk);
  }
  void give_back(std::unique_ptr<T[]> chunk) {
    if (pool_) pool_->give(std::move(chunk));
  }

  std::vector<std::unique_ptr<T[]>> chunks_;  // a null entry was released
  size_t size_ = 0;
  size_t released_ = 0;  // chunks below this were given back by release_below
  Pool* pool_ = nullptr;  // where released chunks go (else they are freed)
};

}  // namespace meshsim
