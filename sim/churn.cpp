#include "sim/churn.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/rng.h"

namespace meshsim {

namespace {

constexpr int64_t kForever = std::numeric_limits<int64_t>::max();

struct Window {
  int64_t from, until;  // [from, until)
};

bool overlaps(const Window& w, int64_t from, int64_t until) { return w.from < until && from < w.until; }

// The largest number of `windows` in force at once anywhere in [from, until): a sweep
// over their ends, sorted. Only run when max_down asks for it.
uint32_t peak_in(const std::vector<Window>& windows, int64_t from, int64_t until) {
  std::vector<std::pair<int64_t, int>> edges;
  for (const Window& w : windows)
    if (overlaps(w, from, until)) {
      edges.push_back({std::max(w.from, from), +1});
      edges.push_back({w.until, -1});
    }
  std::sort(edges.begin(), edges.end());  // at equal times an end (-1) sorts before a start
  int now = 0, peak = 0;
  for (auto [t, d] : edges) peak = std::max(peak, now += d);
  return static_cast<uint32_t>(peak);
}

}  // namespace

std::vector<FaultSpec> draw_churn(const ChaosSpec& c, uint64_t seed, uint32_t node_count, SimTime end,
                                  const NodeSet& absent, std::span<const FaultSpec> scheduled,
                                  std::span<const FaultSpec> drawn) {
  std::vector<FaultSpec> out;
  const double departure_rate = c.leave_rate_per_s + c.fail_rate_per_s;
  if ((c.join_rate_per_s <= 0 || absent.empty()) && departure_rate <= 0) return out;
  const SimTime stop = c.stop.ns == 0 ? end : std::min(c.stop, end);
  Rng rng(derive_stream(seed, StreamKind::churn));
  auto exp_ns = [&](double mean_ns) {  // as in draw_chaos: clamped, at least 1 ns
    return static_cast<int64_t>(std::min(-std::log(1.0 - rng.unit()) * mean_ns, static_cast<double>(kMaxDuration.ns))) + 1;
  };
  auto fault = [&](FaultKind kind, int64_t at, NodeId n) {
    FaultSpec f;
    f.kind = kind;
    f.at = SimTime{at};
    f.nodes.add_range(n, n);
    f.source = "chaos";
    return f;
  };

  // What each node is doing already: in the mesh from when, and busy (down or away) when.
  std::vector<int64_t> present_from(node_count, 0);
  absent.for_each([&](NodeId n) { present_from[n] = kForever; });
  std::vector<std::vector<Window>> busy(node_count);
  std::vector<Window> down;  // chaos's own down windows, for max_down
  std::vector<bool> joined_by_scenario(node_count, false);
  for (const FaultSpec& f : scheduled) {
    const int64_t until = f.until ? f.until->ns : kForever;
    switch (f.kind) {
      case FaultKind::crash:
      case FaultKind::pause:
      case FaultKind::leave: f.nodes.for_each([&](NodeId n) { busy[n].push_back({f.at.ns, until}); }); break;
      case FaultKind::join:
        f.nodes.for_each([&](NodeId n) {
          joined_by_scenario[n] = true;
          present_from[n] = std::min(present_from[n], f.at.ns);
        });
        break;
      default: break;
    }
  }
  for (const FaultSpec& f : drawn)
    if ((f.kind == FaultKind::crash || f.kind == FaultKind::pause) && f.until)
      f.nodes.for_each([&](NodeId n) {
        busy[n].push_back({f.at.ns, f.until->ns});
        down.push_back({f.at.ns, f.until->ns});
      });

  // Joins: the absent nodes no scenario join names arrive one at a time, a Poisson process
  // of rate join_rate over the whole mesh, each a uniform pick among those still outside.
  if (c.join_rate_per_s > 0) {
    std::vector<NodeId> pool;
    absent.for_each([&](NodeId n) {
      if (!joined_by_scenario[n]) pool.push_back(n);
    });
    const double mean_gap_ns = 1e9 / c.join_rate_per_s;
    for (int64_t t = c.start.ns + exp_ns(mean_gap_ns); t < stop.ns && !pool.empty(); t += exp_ns(mean_gap_ns)) {
      const size_t k = rng.below(pool.size());
      const NodeId n = pool[k];
      pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(k));
      present_from[n] = t;
      out.push_back(fault(FaultKind::join, t, n));
    }
  }

  // Departures: one Poisson process of rate (leave_rate + fail_rate) per node over the whole
  // mesh, each hitting a uniform node and being a graceful leave with probability
  // leave_rate / (leave_rate + fail_rate), a failure for good otherwise. One process rather
  // than two keeps the departures in time order, so a node that failed is never drawn to
  // leave later. As with crashes, a departure that falls on a node outside the mesh or
  // already down is skipped, and so is one that would put more than max_down nodes down.
  if (departure_rate > 0) {
    const double mean_gap_ns = 1e9 / (departure_rate * node_count);
    const double leave_share = c.leave_rate_per_s / departure_rate;
    for (int64_t t = c.start.ns + exp_ns(mean_gap_ns); t < stop.ns; t += exp_ns(mean_gap_ns)) {
      const NodeId n = static_cast<NodeId>(rng.below(node_count));
      const bool leave = rng.chance(leave_share);
      const int64_t until = leave ? std::min(t + exp_ns(static_cast<double>(c.mean_absence.ns)), end.ns) : kForever;
      if (present_from[n] >= t) continue;
      if (std::any_of(busy[n].begin(), busy[n].end(), [&](const Window& w) { return overlaps(w, t, until); })) continue;
      if (c.max_down > 0 && peak_in(down, t, until) >= c.max_down) continue;
      busy[n].push_back({t, until});
      down.push_back({t, until});
      FaultSpec f = fault(leave ? FaultKind::leave : FaultKind::crash, t, n);
      if (leave) f.until = SimTime{until};  // the inverse of a leave is the node's return (a join)
      out.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace meshsim
