// The hash ring of consistent hashing and the keyed placement built on it, without the
// engine: ownership, successor lists, keys moved on join and leave against K/N, replica
// placement, Zipf key draws.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

#include "protocols/lb/hash_ring.h"
#include "protocols/lb/keyed_placement.h"
#include "sim/rng.h"

using namespace meshsim;
using namespace meshsim::lb;

namespace {

// The owner by definition: the node whose point is the first at or clockwise of `pos`,
// found by scanning every point (no sorted array, no binary search).
NodeId brute_owner(const std::set<NodeId>& members, uint32_t vnodes, uint64_t pos) {
  NodeId best = kNoNode;
  uint64_t best_gap = UINT64_MAX;
  for (NodeId n : members)
    for (uint32_t i = 0; i < vnodes; ++i) {
      const uint64_t gap = node_position(n, i) - pos;  // clockwise distance, modulo 2^64
      if (gap < best_gap || (gap == best_gap && n < best)) best_gap = gap, best = n;
    }
  return best;
}

}  // namespace

TEST_CASE("lb ring: the owner is the first point clockwise, as a scan of every point finds it") {
  HashRing ring(16);
  std::set<NodeId> members;
  for (NodeId n = 0; n < 30; ++n) ring.add(n), members.insert(n);
  ring.remove(7), members.erase(7);
  ring.remove(7);  // removing twice is a no-op
  ring.add(3);     // adding twice is a no-op
  CHECK(ring.members() == 29);
  CHECK(!ring.contains(7));
  CHECK(ring.contains(3));
  Rng rng(5);
  for (int i = 0; i < 2000; ++i) {
    const uint64_t pos = rng();
    CHECK(ring.owner(pos) == brute_owner(members, 16, pos));
  }
  // A position exactly on a node's point belongs to that node.
  CHECK(ring.owner(node_position(12, 5)) == 12);
}

TEST_CASE("lb ring: successors are distinct, owner first, as many as asked or as there are members") {
  HashRing ring(8);
  for (NodeId n = 0; n < 5; ++n) ring.add(n);
  Rng rng(9);
  for (int i = 0; i < 500; ++i) {
    const uint64_t pos = rng();
    auto s = ring.successors(pos, 3);
    REQUIRE(s.size() == 3);
    CHECK(s[0] == ring.owner(pos));
    CHECK(std::set<NodeId>(s.begin(), s.end()).size() == 3);
    // The second successor owns the position once the first is gone: that is what makes it
    // the right replica to take over.
    HashRing without = ring;
    without.remove(s[0]);
    CHECK(without.owner(pos) == s[1]);
    CHECK(ring.successors(pos, 9).size() == 5);
  }
  HashRing empty(8);
  CHECK(empty.successors(42, 3).empty());
  CHECK(empty.owner(42) == kNoNode);
}

TEST_CASE("lb ring: a join moves about K/N keys, all to the joining node, a leave only the leaver's") {
  KeyedConfig c;
  c.keys = 100'000;
  c.virtual_nodes = 64;
  c.replicas = 3;
  KeyedPlacement p(c);
  p.start(1, 101);
  p.leave(100);  // 100 members; node 100 is the one that joins below
  double ratio_sum = 0;
  int changes = 0;
  for (NodeId joiner : {100u, 55u, 55u}) {  // join, leave, join: 100 → 101 → 100 → 101 members
    std::vector<NodeId> owners(c.keys);
    for (uint32_t k = 0; k < c.keys; ++k) owners[k] = p.replicas(k)[0];
    const bool joining = !p.is_member(joiner);
    const RingChange change = joining ? p.join(joiner) : p.leave(joiner);
    uint64_t moved = 0;
    for (uint32_t k = 0; k < c.keys; ++k) {
      if (owners[k] == p.replicas(k)[0]) continue;
      ++moved;
      // Consistency (Karger et al. 1997): keys move only to a joiner, only from a leaver.
      if (joining) CHECK(p.replicas(k)[0] == joiner);
      else CHECK(owners[k] == joiner);
    }
    CHECK(moved == change.owners_moved);
    CHECK(change.owners_ideal == doctest::Approx(c.keys / 101.0));
    // One node's share of 64 points has a standard deviation of about 1/sqrt(64) = 12.5 %.
    const double ratio = moved / change.owners_ideal;
    CHECK(ratio > 0.6);
    CHECK(ratio < 1.5);
    // Each moved owner brings one new copy; the shifted successor lists about r per key moved.
    CHECK(change.copies_moved >= (joining ? moved : moved / 2));
    CHECK(change.copies_moved <= 2 * c.replicas * moved);
    ratio_sum += ratio;
    ++changes;
  }
  // Over many nodes the mean share is exactly 1/N: average moves over every node's leave.
  double all = 0;
  for (NodeId n = 0; n < 100; ++n) {
    KeyedPlacement q(c);
    q.start(1, 100);
    all += q.leave(n).owners_moved / (c.keys / 100.0);
    if (n == 19) break;  // 20 leaves keep the test fast
  }
  CHECK(all / 20 == doctest::Approx(1.0).epsilon(0.1));
  CHECK(changes == 3);
  CHECK(ratio_sum > 0);
}

TEST_CASE("lb ring: replicas are the key's r successors and keys_of lists exactly the keys a node replicates") {
  KeyedConfig c;
  c.keys = 5000;
  c.virtual_nodes = 32;
  c.replicas = 3;
  KeyedPlacement p(c);
  p.start(7, 20);
  std::map<NodeId, std::vector<uint32_t>> expected;
  for (uint32_t k = 0; k < c.keys; ++k) {
    auto reps = p.replicas(k);
    auto succ = p.ring().successors(key_position(k), 3);
    REQUIRE(reps.size() == 3);
    CHECK(std::equal(reps.begin(), reps.end(), succ.begin(), succ.end()));
    for (uint32_t i = 0; i < 3; ++i) {
      CHECK(p.rank(k, reps[i]) == i);
      expected[reps[i]].push_back(k);
    }
  }
  uint64_t total = 0;
  for (NodeId n = 0; n < 20; ++n) {
    auto keys = p.keys_of(n);
    CHECK(std::vector<uint32_t>(keys.begin(), keys.end()) == expected[n]);
    total += keys.size();
  }
  CHECK(total == 3 * c.keys);
  // Fewer members than r: every member holds every key.
  KeyedPlacement small(c);
  small.start(7, 2);
  CHECK(small.replica_count() == 2);
  CHECK(small.keys_of(0).size() == c.keys);
  CHECK(small.rank(17, 5) == 2);  // not a member: not a replica
}

TEST_CASE("lb ring: keys follow a Zipf law, drawn from their own stream per task") {
  KeyedConfig c;
  c.keys = 1000;
  c.zipf = 1.0;
  KeyedPlacement p(c);
  p.start(3, 10);
  std::vector<uint32_t> count(c.keys, 0);
  for (uint32_t seq = 0; seq < 200'000; ++seq) ++count[p.draw_key(seq % 10, seq)];
  // P(i) ∝ 1/i: key 0 twice as popular as key 1, ten times key 9; P(0) = 1/H_1000 = 0.134.
  CHECK(count[0] / static_cast<double>(count[1]) == doctest::Approx(2.0).epsilon(0.05));
  CHECK(count[0] / static_cast<double>(count[9]) == doctest::Approx(10.0).epsilon(0.1));
  CHECK(count[0] / 200'000.0 == doctest::Approx(0.1336).epsilon(0.03));
  // A draw depends on (seed, submitter, seq) only.
  CHECK(p.draw_key(4, 77) == p.draw_key(4, 77));
  KeyedPlacement uniform({.keys = 1000, .zipf = 0.0});
  uniform.start(3, 10);
  std::vector<uint32_t> ucount(c.keys, 0);
  for (uint32_t seq = 0; seq < 100'000; ++seq) ++ucount[uniform.draw_key(0, seq)];
  CHECK(*std::max_element(ucount.begin(), ucount.end()) < 160);  // mean 100
}
