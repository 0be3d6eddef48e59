#include "sim/chaos.h"

#include <algorithm>
#include <cmath>
#include <span>

#include "sim/churn.h"
#include "sim/rng.h"

namespace meshsim {

namespace {
// The k-th node of `set` in increasing order (k itself when the set is empty: every node).
NodeId nth_node(const NodeSet& set, uint64_t k) {
  if (set.empty()) return static_cast<NodeId>(k);
  for (auto [first, last] : set.ranges()) {
    const uint64_t span = static_cast<uint64_t>(last) - first + 1;
    if (k < span) return static_cast<NodeId>(first + k);
    k -= span;
  }
  return set.ranges().back().second;  // unreachable for k < size()
}
}  // namespace

std::vector<FaultSpec> draw_chaos(const ChaosSpec& c, uint64_t seed, uint32_t node_count, SimTime end,
                                  const NodeSet& absent, std::span<const FaultSpec> scheduled) {
  std::vector<FaultSpec> faults;
  SimTime stop = c.stop.ns == 0 ? end : std::min(c.stop, end);
  Rng rng(derive_stream(seed, static_cast<uint64_t>(StreamKind::chaos)));
  auto exp_ns = [&](double mean_ns) {
    // Clamped: the tail of an exponential reaches ~37 means, past int64 for a mean near
    // kMaxDuration. A gap or downtime that long outlasts the run either way.
    return static_cast<int64_t>(std::min(-std::log(1.0 - rng.unit()) * mean_ns, static_cast<double>(kMaxDuration.ns))) + 1;
  };
  auto add = [&](FaultKind kind, int64_t at, int64_t length, NodeSet nodes) {
    FaultSpec f;
    f.kind = kind;
    f.at = SimTime{at};
    f.until = SimTime{std::min(at + length, end.ns)};
    f.nodes = std::move(nodes);
    f.source = "chaos";
    if (f.until->ns > at) faults.push_back(std::move(f));
  };
  // Node crashes and pauses: one Poisson process per kind over the whole mesh (rate per
  // node times node count), each event hitting a uniformly chosen node.
  struct Process { FaultKind kind; double rate; Duration mean; };
  // Draws each process in turn; a node takes no new fault of these processes while one is
  // running (busy_until), and with max_down > 0 no more than that many at once.
  // `eligible`: the nodes the processes may hit (the rate is per node of it); empty = all.
  auto draw_per_node = [&](std::span<const Process> processes, uint32_t max_down, const NodeSet& eligible) {
    std::vector<int64_t> busy_until(node_count, 0);
    const uint64_t candidates = eligible.empty() ? node_count : eligible.size();
    for (const Process& p : processes) {
      if (p.rate <= 0) continue;
      double mean_gap_ns = 1e9 / (p.rate * static_cast<double>(candidates));
      for (int64_t t = c.start.ns + exp_ns(mean_gap_ns); t < stop.ns; t += exp_ns(mean_gap_ns)) {
        // With every node eligible the k-th candidate is node k: the draws are those of
        // chaos before disk_nodes existed.
        NodeId victim = nth_node(eligible, rng.below(candidates));
        int64_t length = exp_ns(static_cast<double>(p.mean.ns));
        if (busy_until[victim] > t) continue;
        if (max_down > 0) {
          uint32_t down = static_cast<uint32_t>(std::count_if(busy_until.begin(), busy_until.end(),
                                                              [&](int64_t u) { return u > t; }));
          if (down >= max_down) continue;
        }
        busy_until[victim] = t + length;
        NodeSet s;
        s.add_range(victim, victim);
        const size_t before = faults.size();
        add(p.kind, t, length, s);
        if (faults.size() > before && p.kind == FaultKind::slow_disk) faults.back().slow_disk.factor = c.slow_disk_factor;
      }
    }
  };
  // Node crashes and pauses: one Poisson process per kind over the whole mesh (rate per
  // node times node count), each event hitting a uniformly chosen node.
  const Process node_processes[] = {{FaultKind::crash, c.crash_rate_per_s, c.mean_downtime},
                                    {FaultKind::pause, c.pause_rate_per_s, c.mean_pause}};
  draw_per_node(node_processes, c.max_down, NodeSet{});
  if (c.partition_rate_per_s > 0) {
    // Swarm-style partition modes drawn from the seed: isolate one node, or split uniformly.
    int64_t t = c.start.ns + exp_ns(1e9 / c.partition_rate_per_s);
    while (t < stop.ns) {
      int64_t length = exp_ns(static_cast<double>(c.mean_partition.ns));
      FaultSpec f;
      f.kind = FaultKind::partition;
      f.at = SimTime{t};
      f.until = SimTime{std::min(t + length, end.ns)};
      f.source = "chaos";
      NodeSet side;
      if (rng.chance(0.5)) {
        NodeId lone = static_cast<NodeId>(rng.below(node_count));
        side.add_range(lone, lone);
      } else {
        NodeId cut = static_cast<NodeId>(1 + rng.below(std::max<uint32_t>(1, node_count - 1)));
        side.add_range(0, cut - 1);
      }
      f.groups.push_back({"chaos", side});
      f.one_way = rng.chance(0.25);
      faults.push_back(std::move(f));
      t += length + exp_ns(1e9 / c.partition_rate_per_s);  // partitions do not overlap
    }
  }
  // Slow and stalled disks, last: with both rates 0 nothing more is drawn and the faults
  // above are what they were before disk faults existed. A Poisson process per kind over
  // the whole mesh, like crashes; a disk has at most one fault at a time (overlapping
  // slow-disk and stall windows would leave which one wins to the fault order).
  const Process disk_processes[] = {{FaultKind::slow_disk, c.slow_disk_rate_per_s, c.mean_slow_disk},
                                    {FaultKind::disk_stall, c.disk_stall_rate_per_s, c.mean_disk_stall}};
  draw_per_node(disk_processes, 0, c.disk_nodes);
  // Churn, from its own stream: it never shifts the draws above.
  std::vector<FaultSpec> churn = draw_churn(c, seed, node_count, end, absent, scheduled, faults);
  faults.insert(faults.end(), std::make_move_iterator(churn.begin()), std::make_move_iterator(churn.end()));
  return faults;
}

}  // namespace meshsim
