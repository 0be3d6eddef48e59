// Faults as plain values: what happens, to whom, from when until when. The scenario layer
// (sim/scenario/) reads them from TOML; a test or an MPI rank can write them in code.
//
// Overlapping faults compose: each fault with an `until` is its own layer, which only its
// own end removes (docs/faults.md has the whole table). A message crosses only if no
// active cut (partition or isolation) blocks it; a node is crashed while any crash holds
// it and paused while any pause does (crashed wins); the most recently started degrade or
// drift on a link or node is the one in force; Byzantine behaviours stack.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/disk_model.h"
#include "sim/link_model.h"
#include "sim/module.h"
#include "sim/node_set.h"
#include "sim/time.h"

namespace meshsim {

struct LinkOverride {
  NodeSet from, to;
  bool both_ways = true;
  LinkSpec spec;
  std::optional<SimTime> active_from, active_until;  // set for degrade faults
};

enum class FaultKind {
  crash, recover, pause, resume, partition, heal, isolate, degrade, drift, byzantine, honest, action, join, leave,
  slow_disk, disk_stall
};
const char* to_string(FaultKind k);

struct FaultSpec {
  FaultKind kind = FaultKind::crash;
  SimTime at{};
  std::optional<SimTime> until;  // the inverse action is scheduled then
  NodeSet nodes;
  std::vector<std::pair<std::string, NodeSet>> groups;  // partition
  bool one_way = false;  // partition: only traffic from the first group to the others is cut
  LinkSpec degrade;       // degrade: the link spec applied between `nodes` and `peers`
  NodeSet peers;          // degrade: other end (default all)
  int64_t drift_ppm = 0;  // drift: timers run slow (+) or fast (-) by this many ppm
  SlowDisk slow_disk;     // slow-disk: what happens to the latency of writes
  ByzantineSpec byzantine;
  std::string module;  // byzantine: whose behaviour; action: who runs it
  std::string action;  // action: the protocol's own operation ("add-server")
  // Role target, resolved when the fault happens: `nodes` is then filled with the node(s)
  // that hold role `target` in module `target_module`. A partition puts them, with
  // `with_count` nodes of role `with_role` (same module), on one side.
  std::string target;
  std::string target_module;
  std::string with_role;
  uint32_t with_count = 0;
  int line = 0;           // source line, for messages
  std::string source;     // "scenario" or "chaos"
};

// Random faults at given rates, drawn from the seed (TigerBeetle-style swarm testing).
struct ChaosSpec {
  double crash_rate_per_s = 0;      // per node
  Duration mean_downtime = Duration::seconds(1);
  double partition_rate_per_s = 0;  // for the whole mesh
  Duration mean_partition = Duration::seconds(1);
  double pause_rate_per_s = 0;      // per node
  Duration mean_pause = Duration::millis(500);
  SimTime start{}, stop{};          // chaos only within [start, stop); stop 0 = end of run
  uint32_t max_down = 0;            // at most this many nodes down at once; 0 = no limit
  // Disk faults (need [storage]); drawn after everything else, so chaos without them draws
  // exactly what it drew before they existed.
  double slow_disk_rate_per_s = 0;  // per node
  Duration mean_slow_disk = Duration::seconds(1);
  double slow_disk_factor = 10;     // write latency multiplied by this during a slow-disk fault
  double disk_stall_rate_per_s = 0; // per node
  Duration mean_disk_stall = Duration::millis(500);
  NodeSet disk_nodes;               // the disks these faults hit (disk_nodes); empty = every node
  // Churn (sim/churn.h), drawn last from a stream of its own: with all three rates 0 nothing
  // more is drawn.
  double join_rate_per_s = 0;       // for the whole mesh: absent nodes arrive
  double leave_rate_per_s = 0;      // per node: graceful leaves, back after mean_absence
  Duration mean_absence = Duration::seconds(5);
  double fail_rate_per_s = 0;       // per node: crashes for good
};

}  // namespace meshsim
