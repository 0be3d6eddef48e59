// The per-node processing model, opt-in per module (Simulation::enable_processing). Each
// node has one CPU that serves work in arrival order: work booked at t starts at
// max(t, when the CPU frees up). A node that receives faster than it can verify builds a
// queue, and throughput saturates the way real BFT replicas do. A node's speed attribute
// divides every cost booked on it.
#pragma once
#include <cstdint>
#include <vector>

#include "sim/ids.h"
#include "sim/metrics.h"
#include "sim/time.h"

namespace meshsim {

class CpuModel {
 public:
  void enable(uint32_t node_count);
  bool enabled() const { return !busy_until_.empty(); }

  // Books `work` on node n after whatever is queued; returns how long from `now` until it
  // starts. Capped just past `end` so a backlog of huge costs cannot overflow.
  Duration occupy(NodeId n, Duration work, SimTime now, SimTime end);
  // How long the node's CPU stays busy with work already booked (0 when idle or off).
  Duration backlog(NodeId n, SimTime now) const {
    return enabled() && busy_until_[n] > now.ns ? Duration{busy_until_[n] - now.ns} : Duration{};
  }
  // A crash loses the queue: queued messages carry the epoch they were queued in and die
  // when it has moved on.
  void crash(NodeId n, SimTime now);
  uint8_t epoch(NodeId n) const { return enabled() ? epoch_[n] : 0; }
  // Per-node speed (1 = nominal), from the node attributes; empty = all nominal.
  void set_speeds(std::vector<double> speeds) { speed_ = std::move(speeds); }

  void record_wait(Duration wait);
  // cpu_busy_ns / cpu_utilisation per node, cpu_utilisation_max and the queue waits.
  void report(Metrics& metrics, SimTime now) const;

 private:
  std::vector<int64_t> busy_until_;  // per node: when its CPU finishes its queued work
  std::vector<int64_t> busy_ns_;     // per node: CPU time used, for utilisation
  std::vector<uint8_t> epoch_;       // per node: bumped on crash
  std::vector<double> speed_;
  int64_t wait_total_ns_ = 0;
  int64_t wait_max_ns_ = 0;
  uint64_t queued_ = 0;
};

}  // namespace meshsim
