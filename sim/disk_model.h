// The per-node disk, beside the CPU of the processing model (cpu_model.h): a durable write
// of b bytes completes after a latency drawn from a distribution (the link latency syntax)
// plus b / bandwidth, and writes are served one at a time in the order they were issued.
// What depends on a write happens only when it completes: the engine tells the module
// (Module::persisted), and a crash before then loses it, since a write that has not
// returned is not durable.
//
// Opt-in: with no [storage] section the model is off, no event is ever created for it, and
// a run is bit for bit what it was before the disk existed.
//
// Faults act on the disk as layers (docs/faults.md): `disk-stall` freezes it while any
// stall layer holds the node (the write in service keeps what it had left, as an fsync
// that hangs); `slow-disk` changes the latency of writes that start while it is in force,
// the most recently started one winning.
#pragma once
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include "sim/ids.h"
#include "sim/link_model.h"
#include "sim/metrics.h"
#include "sim/node_set.h"
#include "sim/time.h"

namespace meshsim {

struct DiskSpec {
  LatencySpec latency;       // per write (an fsync's cost)
  double bandwidth_bps = 0;  // bytes per second * 8; 0 = unlimited
};

// [storage] and its [[storage.disks]] per-node-set overrides (later overrides win).
struct StorageSpec {
  bool enabled = false;
  DiskSpec disk;
  std::vector<std::pair<NodeSet, DiskSpec>> overrides;
  const DiskSpec& for_node(NodeId n) const {
    for (auto it = overrides.rbegin(); it != overrides.rend(); ++it)
      if (it->first.contains(n)) return it->second;
    return disk;
  }
};

// A slow-disk fault's effect: multiply the drawn latency, or draw it from another spec.
struct SlowDisk {
  double factor = 1;
  std::optional<LatencySpec> latency;
};

class DiskModel {
 public:
  // A write waiting or in service.
  struct Write {
    uint64_t token;          // the module's own handle for it
    ModuleId module;
    uint32_t bytes;
    int64_t issued_ns;
    int64_t remaining_ns;    // service time left; -1 until it starts
  };

  void enable(uint64_t seed, uint32_t node_count, StorageSpec spec);
  bool enabled() const { return spec_.enabled; }

  // Queues a write; returns true when the disk was idle, so the caller schedules it.
  bool submit(NodeId n, ModuleId m, uint32_t bytes, uint64_t token, SimTime now);
  // Starts the head write if the disk is free and not stalled: the time it completes, or
  // nullopt. The caller queues a completion event stamped with generation(n).
  std::optional<int64_t> start_head(NodeId n, SimTime now);
  // The head completed: removed and returned (to tell its module).
  Write complete_head(NodeId n, SimTime now);
  // A completion event is valid while its generation matches (a crash or stall moves it on).
  uint32_t generation(NodeId n) const { return generation_[n]; }

  // A crash loses every write not yet completed; returns how many.
  size_t crash(NodeId n);
  // Stall layers: the disk is frozen while any holds the node.
  void stall(NodeId n, uint32_t layer, bool begin, SimTime now);
  bool stalled(NodeId n) const { return !stall_layers_.empty() && !stall_layers_[n].empty(); }
  void slow(NodeId n, uint32_t layer, const SlowDisk& s, bool begin);
  // The factor of the slow-disk fault in force on n (1 when none).
  double slow_factor(NodeId n) const {
    return slow_layers_.empty() || slow_layers_[n].empty() ? 1.0 : slow_layers_[n].back().second.factor;
  }

  size_t queue_depth(NodeId n) const { return queue_[n].size(); }
  ModuleId head_module(NodeId n) const { return queue_[n].front().module; }
  size_t total_queued() const { return total_queued_; }
  void report(Metrics& metrics, SimTime now) const;

 private:
  Duration draw_service(NodeId n, uint32_t bytes);

  StorageSpec spec_;
  uint64_t seed_ = 0;
  std::vector<std::deque<Write>> queue_;        // per node, FIFO; the head is in service
  std::vector<int64_t> started_ns_;              // per node: when the head's service (re)started
  std::vector<uint32_t> generation_;
  std::vector<uint64_t> writes_issued_;          // per node: the stream counter for draws
  std::vector<std::vector<uint32_t>> stall_layers_;                // per node, allocated on first stall
  std::vector<int64_t> stall_began_ns_;
  std::vector<int64_t> stalled_ns_;
  std::vector<std::vector<std::pair<uint32_t, SlowDisk>>> slow_layers_;  // in start order
  std::vector<size_t> depth_max_;
  std::vector<Histogram> latency_;               // per node: issue to completion
  Histogram all_latency_;
  size_t total_queued_ = 0;
  uint64_t writes_lost_ = 0;
};

}  // namespace meshsim
