// [chaos] disk faults (sim/chaos.cpp): drawn after every other kind, so a chaos spec
// without them draws exactly what it drew before; with them, slow and stalled disks land
// within the chaos window, one at a time per disk, with the configured factor.
#include <doctest/doctest.h>

#include <algorithm>

#include "sim/chaos.h"

using namespace meshsim;

namespace {

ChaosSpec base_chaos() {
  ChaosSpec c;
  c.crash_rate_per_s = 0.1;
  c.pause_rate_per_s = 0.05;
  c.partition_rate_per_s = 0.2;
  c.stop = SimTime{Duration::seconds(25).ns};
  c.max_down = 2;
  return c;
}

bool same(const FaultSpec& a, const FaultSpec& b) {
  return a.kind == b.kind && a.at == b.at && a.until == b.until && a.nodes.to_string() == b.nodes.to_string() &&
         a.groups.size() == b.groups.size() && a.one_way == b.one_way;
}

}  // namespace

TEST_CASE("chaos disk faults: the other draws are unchanged, and disk faults follow them") {
  const SimTime end{Duration::seconds(30).ns};
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    CAPTURE(seed);
    const std::vector<FaultSpec> without = draw_chaos(base_chaos(), seed, 8, end);
    ChaosSpec c = base_chaos();
    c.slow_disk_rate_per_s = 0.1;
    c.slow_disk_factor = 20;
    c.disk_stall_rate_per_s = 0.05;
    const std::vector<FaultSpec> with = draw_chaos(c, seed, 8, end);
    REQUIRE(with.size() > without.size());
    for (size_t i = 0; i < without.size(); ++i) CHECK(same(with[i], without[i]));
    std::vector<std::vector<std::pair<int64_t, int64_t>>> windows(8);
    for (size_t i = without.size(); i < with.size(); ++i) {
      const FaultSpec& f = with[i];
      CHECK((f.kind == FaultKind::slow_disk || f.kind == FaultKind::disk_stall));
      CHECK(f.source == "chaos");
      CHECK(f.at.ns < c.stop.ns);
      REQUIRE(f.until);
      CHECK(f.until->ns > f.at.ns);
      if (f.kind == FaultKind::slow_disk) CHECK(f.slow_disk.factor == 20);
      REQUIRE(f.nodes.size() == 1);
      f.nodes.for_each([&](NodeId n) { windows[n].push_back({f.at.ns, f.until->ns}); });
    }
    for (auto& w : windows) {  // one disk fault at a time per disk
      std::sort(w.begin(), w.end());
      for (size_t i = 1; i < w.size(); ++i) CHECK(w[i].first >= w[i - 1].second);
    }
  }
}

TEST_CASE("chaos disk faults: zero rates draw nothing more, and the draw is a function of the seed") {
  const SimTime end{Duration::seconds(30).ns};
  ChaosSpec c = base_chaos();
  c.mean_slow_disk = Duration::seconds(3);  // means and factor alone change nothing
  c.slow_disk_factor = 50;
  const auto a = draw_chaos(base_chaos(), 7, 8, end), b = draw_chaos(c, 7, 8, end);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK(same(a[i], b[i]));
  c.disk_stall_rate_per_s = 0.2;
  const auto d1 = draw_chaos(c, 7, 8, end), d2 = draw_chaos(c, 7, 8, end);
  REQUIRE(d1.size() == d2.size());
  for (size_t i = 0; i < d1.size(); ++i) CHECK(same(d1[i], d2[i]));
}

TEST_CASE("chaos disk faults: disk_nodes limits them to a node set, and naming every node draws as before") {
  const SimTime end{Duration::seconds(30).ns};
  ChaosSpec c = base_chaos();
  c.slow_disk_rate_per_s = 0.2;
  c.disk_stall_rate_per_s = 0.2;
  ChaosSpec all = c;
  all.disk_nodes = NodeSet::all(8);
  ChaosSpec some = c;
  some.disk_nodes.add_range(0, 0);
  some.disk_nodes.add_range(5, 6);
  size_t disk_faults = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    CAPTURE(seed);
    const auto a = draw_chaos(c, seed, 8, end), b = draw_chaos(all, seed, 8, end);
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) CHECK(same(a[i], b[i]));
    for (const FaultSpec& f : draw_chaos(some, seed, 8, end)) {
      if (f.kind != FaultKind::slow_disk && f.kind != FaultKind::disk_stall) continue;
      ++disk_faults;
      f.nodes.for_each([&](NodeId n) { CHECK((n == 0 || n == 5 || n == 6)); });
    }
  }
  CHECK(disk_faults > 20);  // the set's three disks still draw faults (about 6 per seed)
}
