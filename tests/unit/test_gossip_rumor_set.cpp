// RumorSet (the bitmap every gossip node and message is made of) and the rumor schedule.
#include <doctest/doctest.h>

#include <set>

#include "protocols/gossip/gossip_node.h"

using namespace meshsim;
using namespace meshsim::gossip;

TEST_CASE("RumorSet: inline word, heap words, set algebra") {
  RumorSet a{1, 63, 64, 200};
  CHECK(a.contains(1));
  CHECK(a.contains(200));
  CHECK_FALSE(a.contains(2));
  CHECK_FALSE(a.contains(100000));
  CHECK(a.count() == 4);
  CHECK(a.end_id() == 201);
  CHECK_FALSE(a.insert(64));
  CHECK(a.insert(65));
  std::vector<uint32_t> order;
  a.for_each([&](uint32_t id) { order.push_back(id); });
  CHECK(order == std::vector<uint32_t>{1, 63, 64, 65, 200});

  RumorSet b{1, 200, 7};
  CHECK(a.intersect(b) == RumorSet{1, 200});
  CHECK(a.minus(b) == RumorSet{63, 64, 65});
  CHECK(a.unite(b).count() == 6);

  RumorSet copy = a;
  copy.erase(200);
  CHECK(a.contains(200));  // deep copy
  CHECK(copy == RumorSet{1, 63, 64, 65});  // trailing zero heap words do not matter
  RumorSet moved = std::move(copy);
  CHECK(moved.count() == 4);

  moved.keep_below(64);
  CHECK(moved == RumorSet{1, 63});
  moved.keep_below(2);
  CHECK(moved == RumorSet{1});
  moved.clear();
  CHECK(moved.empty());
  CHECK(moved.end_id() == 0);
  CHECK(sizeof(FloodNode) <= 24);
}

TEST_CASE("RumorSchedule and RumorPlan") {
  RumorSchedule s({{5, SimTime{300}}, {2, SimTime{100}}, {5, SimTime{200}}});
  auto mine = s.originated_by(5);
  CHECK(std::vector<uint32_t>(mine.begin(), mine.end()) == std::vector<uint32_t>{2, 0});  // by time
  CHECK(s.originated_by(3).empty());
  CHECK(s.cursor_at(5, SimTime{250}) == 1);  // the rumor due at 200 was missed

  // docs/benchmarks.md, Flood: rumor r starts at node (r * 7919) mod N at r seconds.
  RumorPlan plan;
  plan.count = 10;
  auto rumors = plan.resolve(1000, 1);
  CHECK(rumors[3].origin == (3 * 7919) % 1000);
  CHECK(rumors[3].at == SimTime{3'000'000'000});
  plan.rule = OriginRule::random;
  auto a = plan.resolve(1000, 1), b = plan.resolve(1000, 1), c = plan.resolve(1000, 2);
  bool same = true, differs = false;
  for (int r = 0; r < 10; ++r) {
    same &= a[r].origin == b[r].origin;
    differs |= a[r].origin != c[r].origin;
  }
  CHECK(same);
  CHECK(differs);
}

TEST_CASE("RumorSet agrees with std::set under random operations") {
  Rng rng(5);
  auto to_set = [](const RumorSet& s) {
    std::set<uint32_t> r;
    s.for_each([&](uint32_t id) { r.insert(id); });
    return r;
  };
  for (int round = 0; round < 200; ++round) {
    RumorSet a, b;
    std::set<uint32_t> ra, rb;
    uint32_t span = 1 + static_cast<uint32_t>(rng.below(400));  // some rounds stay inline
    for (int op = 0; op < 60; ++op) {
      uint32_t id = static_cast<uint32_t>(rng.below(span));
      switch (rng.below(4)) {
        case 0: CHECK(a.insert(id) == ra.insert(id).second); break;
        case 1: a.erase(id); ra.erase(id); break;
        case 2: b.insert(id); rb.insert(id); break;
        default: CHECK(a.contains(id) == (ra.count(id) == 1));
      }
    }
    REQUIRE(to_set(a) == ra);
    CHECK(a.count() == ra.size());
    CHECK(a.empty() == ra.empty());
    CHECK(a.end_id() == (ra.empty() ? 0 : *ra.rbegin() + 1));
    std::set<uint32_t> both, either, only_a;
    for (uint32_t x : ra) (rb.count(x) ? both : only_a).insert(x);
    either = ra;
    either.insert(rb.begin(), rb.end());
    CHECK(to_set(a.intersect(b)) == both);
    CHECK(to_set(a.minus(b)) == only_a);
    CHECK(to_set(a.unite(b)) == either);
    CHECK(to_set(b.unite(a)) == either);
    uint32_t limit = static_cast<uint32_t>(rng.below(span + 1));
    RumorSet cut = a;
    cut.keep_below(limit);
    std::set<uint32_t> rcut(ra.begin(), ra.lower_bound(limit));
    CHECK(to_set(cut) == rcut);
    CHECK((a == b) == (ra == rb));
  }
}
