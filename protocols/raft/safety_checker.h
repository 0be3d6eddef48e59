// Raft's safety properties (§5.4, Figure 3), checked incrementally as servers step:
//  - Election Safety: at most one leader per term.
//  - Leader Append-Only: a leader never overwrites or deletes entries in its log.
//  - Log Matching: two logs holding an entry with the same index and term are identical
//    up to that index.
//  - Leader Completeness: a leader's log holds every entry committed in an earlier term.
//  - State Machine Safety: no two servers apply different entries at one index.
// Each server's log carries a hash of every prefix (raft_log.h), so every test is O(1)
// per entry written, committed or applied. Each check returns a description of the first
// violation (nodes, index, entries), or nothing.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "protocols/raft/raft_log.h"

namespace meshsim::raft {

class SafetyChecker {
 public:
  explicit SafetyChecker(uint32_t servers) : led_(servers) {}

  std::optional<std::string> on_became_leader(NodeId n, Term term, const RaftLog& log);
  std::optional<std::string> on_log_written(NodeId n, const RaftLog& log, Index from);
  // Server n, in term `term`, moved its commit index from from-1 to `to`.
  std::optional<std::string> on_committed(NodeId n, Term term, const RaftLog& log, Index from, Index to);
  std::optional<std::string> on_applied(NodeId n, const RaftLog& log, Index index);
  // After every step of a server that is leader: its log only grew since its last step.
  std::optional<std::string> after_leader_step(NodeId n, Term term, const RaftLog& log);
  void on_not_leader(NodeId n) { led_[n].term = 0; }

  Index committed() const { return committed_.size(); }

 private:
  struct Known {
    NodeId node;
    uint64_t prefix_hash;
    Entry entry;
    // committed_ only: the lowest term of a server seen holding it committed, which is
    // the term of the leader that committed it (that leader notes it first).
    Term commit_term = 0;
  };
  struct Led {
    Term term = 0;  // 0: not leading
    Index last = 0;
    uint64_t hash = 0;
  };
  static uint64_t key(Index i, Term t) { return splitmix64_mix(i * 0x9e3779b97f4a7c15ULL ^ t); }

  std::map<Term, NodeId> leaders_;
  std::unordered_map<uint64_t, Known> by_index_term_;  // looked up only: order never matters
  std::vector<Known> committed_;                        // index - 1
  std::vector<Known> applied_;                          // index - 1
  std::vector<Led> led_;
};

std::string describe(const Entry& e);

}  // namespace meshsim::raft
