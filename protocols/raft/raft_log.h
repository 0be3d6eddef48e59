// A server's log. Indices start at 1; index 0 is the empty prefix with term 0. Each entry
// carries a hash of the whole log prefix ending at it, so the checkers can test Log
// Matching (Raft §5.3: same index and term => identical prefixes) in O(1) per entry
// instead of comparing logs entry by entry. The hash is bookkeeping for the checkers; the
// protocol never reads it.
#pragma once
#include <cassert>
#include <cstdint>
#include <vector>

#include "protocols/raft/messages.h"
#include "sim/rng.h"

namespace meshsim::raft {

class RaftLog {
 public:
  Index last_index() const { return snapshot_index_ + entries_.size(); }
  Term last_term() const { return entries_.empty() ? snapshot_term_ : entries_.back().entry.term; }
  // Entries up to snapshot_index() were compacted into a snapshot (thesis ch. 5); their
  // terms and hashes are gone, except the last one's.
  Index snapshot_index() const { return snapshot_index_; }
  Term snapshot_term() const { return snapshot_term_; }
  bool has_entry(Index i) const { return i > snapshot_index_ && i <= last_index(); }
  Term term_at(Index i) const {
    assert(i >= snapshot_index_ && i <= last_index());
    return i == snapshot_index_ ? snapshot_term_ : entries_[i - snapshot_index_ - 1].entry.term;
  }
  const Entry& at(Index i) const {
    assert(has_entry(i));
    return entries_[i - snapshot_index_ - 1].entry;
  }
  uint64_t prefix_hash(Index i) const {
    assert(i >= snapshot_index_ && i <= last_index());
    return i == snapshot_index_ ? snapshot_hash_ : entries_[i - snapshot_index_ - 1].prefix_hash;
  }

  void append(const Entry& e) { entries_.push_back({e, chain(prefix_hash(last_index()), e)}); }
  // Removes entries after index i (a follower's conflict truncation, §5.3).
  void truncate_after(Index i) {
    assert(i >= snapshot_index_ && i <= last_index());
    entries_.resize(i - snapshot_index_);
  }
  // Forgets entries up to i, now held by a snapshot (i must be in the log).
  void compact(Index i) {
    assert(i >= snapshot_index_ && i <= last_index());
    snapshot_term_ = term_at(i);
    snapshot_hash_ = prefix_hash(i);
    entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(i - snapshot_index_));
    snapshot_index_ = i;
  }
  // A snapshot from the leader replaces the log (thesis §5.1), except that entries after
  // it survive if the log already holds the snapshot's last entry.
  void install(Index index, Term term, uint64_t hash) {
    if (index <= last_index() && index >= snapshot_index_ && term_at(index) == term) return compact(index);
    entries_.clear();
    snapshot_index_ = index;
    snapshot_term_ = term;
    snapshot_hash_ = hash;
  }
  // Raft §5.4.1: is a log ending at (last_term, last_index) at least as up to date as ours?
  bool candidate_up_to_date(Term last_term_, Index last_index_) const {
    return last_term_ != last_term() ? last_term_ > last_term() : last_index_ >= last_index();
  }
  // First index holding `term` at or before `at_or_before` (the fast back-off of the
  // thesis §5.3), or the first index after the snapshot if the run of `term` reaches it.
  Index first_index_of_term(Term term, Index at_or_before) const {
    Index i = at_or_before;
    while (i > snapshot_index_ && term_at(i) > term) --i;
    if (term_at(i) != term) return i + 1;
    while (i > snapshot_index_ + 1 && term_at(i - 1) == term) --i;
    return i;
  }
  // Last index holding `term`, or 0 if none (the leader's side of the fast back-off).
  Index last_index_of_term(Term term) const {
    for (Index i = last_index(); i > snapshot_index_; --i) {
      if (term_at(i) == term) return i;
      if (term_at(i) < term) return 0;
    }
    return 0;
  }
  std::vector<Entry> slice(Index from, Index to_inclusive) const {
    std::vector<Entry> out;
    for (Index i = from; i <= to_inclusive; ++i) out.push_back(at(i));
    return out;
  }
  size_t entries_held() const { return entries_.size(); }

 private:
  struct Stored {
    Entry entry;
    uint64_t prefix_hash;
  };
  static uint64_t chain(uint64_t h, const Entry& e) {
    uint64_t x = splitmix64_mix(h ^ e.term);
    x = splitmix64_mix(x ^ (e.noop ? 1 : 0) ^ (static_cast<uint64_t>(e.cmd.client) << 1) ^
                       (static_cast<uint64_t>(e.config) << 40) ^ (static_cast<uint64_t>(e.server) << 42));
    x = splitmix64_mix(x ^ e.cmd.seq);
    x = splitmix64_mix(x ^ static_cast<uint64_t>(e.cmd.kind) ^ (static_cast<uint64_t>(e.cmd.key) << 8));
    x = splitmix64_mix(x ^ static_cast<uint64_t>(e.cmd.value));
    return splitmix64_mix(x ^ static_cast<uint64_t>(e.cmd.expected));
  }
  std::vector<Stored> entries_;
  Index snapshot_index_ = 0;
  Term snapshot_term_ = 0;
  uint64_t snapshot_hash_ = 0;
};

}  // namespace meshsim::raft
