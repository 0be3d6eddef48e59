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
  Index last_index() const { return entries_.size(); }
  Term last_term() const { return entries_.empty() ? 0 : entries_.back().entry.term; }
  Term term_at(Index i) const {
    assert(i <= last_index());
    return i == 0 ? 0 : entries_[i - 1].entry.term;
  }
  const Entry& at(Index i) const {
    assert(i >= 1 && i <= last_index());
    return entries_[i - 1].entry;
  }
  uint64_t prefix_hash(Index i) const { return i == 0 ? 0 : entries_[i - 1].prefix_hash; }

  void append(const Entry& e) { entries_.push_back({e, chain(prefix_hash(last_index()), e)}); }
  // Removes entries after index i (a follower's conflict truncation, §5.3).
  void truncate_after(Index i) {
    assert(i <= last_index());
    entries_.resize(i);
  }
  // Raft §5.4.1: is a log ending at (last_term, last_index) at least as up to date as ours?
  bool candidate_up_to_date(Term last_term_, Index last_index_) const {
    return last_term_ != last_term() ? last_term_ > last_term() : last_index_ >= last_index();
  }
  // First index holding `term` (the fast back-off of the thesis §5.3), or 0 if none.
  Index first_index_of_term(Term term, Index at_or_before) const {
    Index i = at_or_before;
    while (i > 0 && term_at(i) > term) --i;
    if (i == 0 || term_at(i) != term) return 0;
    while (i > 1 && term_at(i - 1) == term) --i;
    return i;
  }
  // Last index holding `term`, or 0 if none (the leader's side of the fast back-off).
  Index last_index_of_term(Term term) const {
    for (Index i = last_index(); i > 0; --i) {
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

 private:
  struct Stored {
    Entry entry;
    uint64_t prefix_hash;
  };
  static uint64_t chain(uint64_t h, const Entry& e) {
    uint64_t x = splitmix64_mix(h ^ e.term);
    x = splitmix64_mix(x ^ (e.noop ? 1 : 0) ^ (static_cast<uint64_t>(e.cmd.client) << 1));
    x = splitmix64_mix(x ^ e.cmd.seq);
    x = splitmix64_mix(x ^ static_cast<uint64_t>(e.cmd.kind) ^ (static_cast<uint64_t>(e.cmd.key) << 8));
    x = splitmix64_mix(x ^ static_cast<uint64_t>(e.cmd.value));
    return splitmix64_mix(x ^ static_cast<uint64_t>(e.cmd.expected));
  }
  std::vector<Stored> entries_;
};

}  // namespace meshsim::raft
