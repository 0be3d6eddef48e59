// One run partitioned over K partitions (ranks), bit-identical to the sequential run.
//
// Every partition builds the whole RunSpec (topology, faults, modules) and runs only the
// events of the nodes it owns (a contiguous id range). The event key (time, origin,
// origin's counter) orders events independently of who runs them, so each partition runs
// its events in the order the sequential run would. Synchronisation is conservative, with
// bounded windows (YAWNS, Nicol 1993; the granted-time windows of ns-3's distributed
// simulator): the lookahead L is the least latency any message can have (the link model's
// floor), every partition runs the events in [T, T + L) where T is the earliest pending
// event anywhere, and messages to other partitions' nodes are exchanged at the window's
// end, which they cannot precede (sent at >= T, they arrive at >= T + L). Faults are
// global and deterministic: every partition applies all of them, so node state (up,
// crashed, partitioned) is the same everywhere at every instant; module callbacks run on
// the owner only.
//
// The fingerprint is kept exactly: partitions record their fingerprinted events, the root
// merges them by key at every window's end and folds them in that order (fingerprint.h).
// Metrics are reduced at the root once, at the end (sim/README.md, "Partitioned runs").
//
// The transport is an interface: InProcessTransport runs K partitions in one process,
// window by window in turn (tests, debugging); app/mpi/ runs one partition per MPI rank.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/metrics.h"
#include "sim/observer.h"
#include "sim/run_spec.h"

namespace meshsim {

class Simulation;

// Partition p owns nodes [first[p], first[p + 1]): K nearly equal contiguous ranges.
std::vector<NodeId> contiguous_partitions(uint32_t nodes, uint32_t parts);
// Overlay edges whose ends lie in different partitions (each undirected edge once).
uint64_t cut_edges(const Topology& topology, const std::vector<NodeId>& first);

// The least delay any message can have (the floor of every link spec's latency, overrides
// and degrade faults included): the window length. Zero when some latency can be zero.
Duration partition_lookahead(const Simulation& sim);
// Why `sim` (built, not begun) cannot run as `parts` partitions; empty when it can.
std::string partition_refusal(const Simulation& sim, uint32_t parts);

class PartitionTransport {
 public:
  using Buffers = std::vector<std::vector<uint8_t>>;
  virtual ~PartitionTransport() = default;
  virtual uint32_t partitions() const = 0;
  // The partitions this process runs, ascending. The process running partition 0 is the root.
  virtual std::vector<uint32_t> local_partitions() const = 0;
  // The least of every process's value.
  virtual int64_t min_all(int64_t local_min) = 0;
  // out[i][d]: what local partition i sends partition d. Returns in[i][s]: what partition
  // s sent local partition i.
  virtual std::vector<Buffers> exchange(std::vector<Buffers> out) = 0;
  // One buffer per local partition; the root gets every partition's, in partition order,
  // the others nothing.
  virtual Buffers gather(Buffers local) = 0;
  // Wall seconds spent blocked in the calls above (waiting for the slowest partition).
  virtual double wait_seconds() const { return 0; }
};

// K partitions in this process, run one after another in every window.
class InProcessTransport : public PartitionTransport {
 public:
  explicit InProcessTransport(uint32_t parts) : parts_(parts) {}
  uint32_t partitions() const override { return parts_; }
  std::vector<uint32_t> local_partitions() const override;
  int64_t min_all(int64_t local_min) override { return local_min; }
  std::vector<Buffers> exchange(std::vector<Buffers> out) override;
  Buffers gather(Buffers local) override { return local; }

 private:
  uint32_t parts_;
};

struct PartitionedRunStats {
  uint32_t partitions = 1;
  int64_t lookahead_ns = 0;
  uint64_t windows = 0;
  uint64_t remote_messages = 0;   // messages that crossed partitions
  uint64_t cut_edges = 0;         // overlay edges between partitions
  std::vector<uint64_t> events;   // per partition (fault and sampling events counted on each)
  double wait_seconds = 0;        // the root's time blocked in the transport
};

struct PartitionedOutcome {
  bool root = false;  // only the root's result and metrics are the run's
  RunResult result;
  Metrics metrics;
  PartitionedRunStats stats;
};

// Runs one simulation over the transport's partitions. `build` is called once per local
// partition and must give the same RunSpec each time (a scenario resolved again, say).
// Throws ScenarioError (exit 2 at the command line) when the run cannot be partitioned.
// `debug_window_extra_ns` lengthens every window: only for the test that shows a window
// longer than the lookahead breaks the result.
// `stop` (optional) is asked at every window's end: when it says true on any process, every
// partition stops there together and the run's status is `interrupted` (Ctrl-C).
PartitionedOutcome run_partitioned(const std::function<RunSpec()>& build, PartitionTransport& transport,
                                   const RunInfo& info, int64_t debug_window_extra_ns = 0,
                                   const std::function<bool()>& stop = {});

}  // namespace meshsim
