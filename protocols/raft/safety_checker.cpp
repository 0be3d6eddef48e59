#include "protocols/raft/safety_checker.h"

#include <algorithm>

namespace meshsim::raft {

std::string describe(const Entry& e) {
  std::string s = "{term " + std::to_string(e.term);
  if (e.noop) return s + ", no-op}";
  return s + ", client " + std::to_string(e.cmd.client) + " #" + std::to_string(e.cmd.seq) + " " +
         kv::to_string(e.cmd.kind) + " key " + std::to_string(e.cmd.key) + "}";
}

namespace {
std::string at_index(Index i) { return "index " + std::to_string(i); }
std::string node(NodeId n) { return "server " + std::to_string(n); }
std::string entry_at(const RaftLog& log, Index i) {
  return log.has_entry(i) ? describe(log.at(i)) : "a compacted entry";
}
}  // namespace

std::optional<std::string> SafetyChecker::on_became_leader(NodeId n, Term term, const RaftLog& log) {
  auto [it, fresh] = leaders_.emplace(term, n);
  if (!fresh && it->second != n)
    return "election safety: " + node(it->second) + " and " + node(n) + " both became leader in term " +
           std::to_string(term);
  // Leader Completeness (§5.4, Figure 3): every entry committed in an earlier term must be
  // in the new leader's log. Not everything committed so far: a candidate paused with its
  // votes in hand can win its term after a higher term has committed entries (raft chaos
  // seed 7729: server 3 wins term 4 on votes parked while it was paused, after the leader
  // of term 5 committed index 544). That leader is stale, not unsafe: a majority is in the
  // higher term and rejects it. So the index compared is the highest one committed in a
  // lower term; its prefix hash covers all below it. Servers snapshot only committed
  // entries, so a leader's snapshot never passes the highest committed index.
  Index c = committed_.size();
  while (c > 0 && (committed_[c - 1].commit_term >= term || committed_[c - 1].prefix_hash == 0)) --c;
  if (c > 0 && c >= log.snapshot_index()) {
    const Known& k = committed_[c - 1];
    if (log.last_index() < c || log.prefix_hash(c) != k.prefix_hash) {
      std::string has = log.last_index() < c ? "its log ends at " + at_index(log.last_index())
                                             : "it holds " + entry_at(log, c) + " there (or a different prefix)";
      return "leader completeness: " + node(n) + " became leader of term " + std::to_string(term) +
             " without the entry committed at " + at_index(c) + " " + describe(k.entry) + " (committed by " +
             node(k.node) + "): " + has;
    }
  }
  return std::nullopt;
}

std::optional<std::string> SafetyChecker::on_log_written(NodeId n, const RaftLog& log, Index from) {
  from = std::max(from, log.snapshot_index() + 1);
  for (Index i = from; i <= log.last_index(); ++i) {
    auto [it, fresh] = by_index_term_.emplace(key(i, log.term_at(i)), Known{n, log.prefix_hash(i), log.at(i)});
    if (!fresh && it->second.prefix_hash != log.prefix_hash(i))
      return "log matching: " + node(n) + " and " + node(it->second.node) + " both hold an entry of term " +
             std::to_string(log.term_at(i)) + " at " + at_index(i) + " but their logs differ up to it (" +
             describe(log.at(i)) + " vs " + describe(it->second.entry) + ")";
  }
  return std::nullopt;
}

std::optional<std::string> SafetyChecker::on_committed(NodeId n, Term term, const RaftLog& log, Index from, Index to) {
  // Indices the server holds only in its snapshot are covered by the snapshot's hash.
  from = std::max(from, log.snapshot_index());
  for (Index i = from; i <= to; ++i) {
    if (i == 0) continue;
    // Indices this server compacted before its note was read stay unknown (hash 0) until
    // another server commits them with its log in hand.
    while (committed_.size() < i - 1) committed_.push_back(Known{n, 0, Entry{}, term});
    Known seen{n, log.prefix_hash(i), log.has_entry(i) ? log.at(i) : Entry{}, term};
    if (i > committed_.size()) {
      committed_.push_back(seen);
      continue;
    }
    Known& k = committed_[i - 1];
    k.commit_term = std::min(k.commit_term, term);
    if (k.prefix_hash == 0) {
      seen.commit_term = k.commit_term;
      k = seen;
      continue;
    }
    if (k.prefix_hash != log.prefix_hash(i))
      return "state machine safety: " + node(n) + " committed " + entry_at(log, i) + " at " + at_index(i) +
             " where " + node(k.node) + " had committed " + describe(k.entry) + " (or a different prefix)";
  }
  return std::nullopt;
}

std::optional<std::string> SafetyChecker::on_applied(NodeId n, const RaftLog& log, Index index) {
  // Notes are read after the step; if the server compacted its log in that step, only the
  // snapshot's own index still has a hash (which covers all before it).
  if (index < log.snapshot_index()) return std::nullopt;
  if (index > applied_.size()) {
    // applied_ may have a gap where every applier compacted before its notes were read;
    // those indices stay unchecked here (on_committed covered them).
    while (applied_.size() + 1 < index) applied_.push_back(Known{n, 0, Entry{}});
    applied_.push_back(Known{n, log.prefix_hash(index), log.has_entry(index) ? log.at(index) : Entry{}});
    return std::nullopt;
  }
  const Known& k = applied_[index - 1];
  if (k.prefix_hash != 0 && k.prefix_hash != log.prefix_hash(index))
    return "state machine safety: " + node(n) + " applied " + entry_at(log, index) + " at " + at_index(index) +
           " where " + node(k.node) + " applied " + describe(k.entry);
  return std::nullopt;
}

std::optional<std::string> SafetyChecker::after_leader_step(NodeId n, Term term, const RaftLog& log) {
  Led& l = led_[n];
  if (l.term == term && l.last >= log.snapshot_index() &&
      (log.last_index() < l.last || log.prefix_hash(l.last) != l.hash))
    return "leader append-only: " + node(n) + ", leader of term " + std::to_string(term) +
           ", changed or removed entries at or below " + at_index(l.last);
  l = Led{term, log.last_index(), log.prefix_hash(log.last_index())};
  return std::nullopt;
}

}  // namespace meshsim::raft
