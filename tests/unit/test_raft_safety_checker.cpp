// The Raft safety checker on hand-built logs, with no server: what Leader Completeness
// demands of a new leader (§5.4, Figure 3), in particular of a stale one.
#include <doctest/doctest.h>

#include "protocols/raft/safety_checker.h"

using namespace meshsim;
using namespace meshsim::raft;

namespace {

RaftLog log_of(std::initializer_list<Term> terms) {
  RaftLog log;
  for (Term t : terms) log.append(Entry{t});
  return log;
}

}  // namespace

TEST_CASE("raft checker: a leader must hold what earlier terms committed, not what a later term did") {
  SafetyChecker checker(5);
  const RaftLog full = log_of({1, 1, 3});
  // Indices 1 and 2 committed by the leader of term 1; index 3 by the leader of term 3.
  REQUIRE(!checker.on_committed(0, 1, full, 1, 2));
  REQUIRE(!checker.on_committed(1, 3, full, 3, 3));
  REQUIRE(!checker.on_committed(2, 3, full, 1, 3));  // a follower learns it in term 3 too

  // A candidate of term 2 that got its votes before term 3 began (it was paused with them
  // in hand) wins after index 3 was committed: stale, but safe (raft chaos seed 7729).
  CHECK(!checker.on_became_leader(3, 2, log_of({1, 1})));

  // A leader of term 4 must hold index 3.
  auto late = checker.on_became_leader(4, 4, log_of({1, 1}));
  REQUIRE(late);
  CHECK(late->find("leader completeness: server 4 became leader of term 4 without the entry committed at index 3 {term 3") == 0);

  // And any leader above term 1 must hold index 2.
  SafetyChecker other(5);
  REQUIRE(!other.on_committed(0, 1, full, 1, 2));
  auto short_log = other.on_became_leader(2, 2, log_of({1}));
  REQUIRE(short_log);
  CHECK(short_log->find("without the entry committed at index 2") != std::string::npos);
  CHECK(!other.on_became_leader(3, 3, log_of({1, 1, 2})));
}
