// Parameters of the load-balancing protocol family ([protocol] name = "lb"), shared by every
// node and read-only. README.md documents each key with the literature it comes from.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/time.h"

namespace meshsim::lb {

// Where a submitter sends a task (README.md, "Strategies").
enum class Strategy : uint8_t {
  random,        // one uniformly random eligible node
  round_robin,   // the submitter's own cursor over the eligible nodes
  power_of_d,    // probe d random eligible nodes, take the least loaded (Mitzenmacher 2001)
  least_loaded,  // the least loaded node in a gossiped, stale load view
  work_stealing, // tasks stay at their submitter; idle workers steal (Blumofe & Leiserson 1999)
  auction,       // contract net (Smith 1980): call d bidders, award to the earliest finish bid
  consistent_hash,  // a keyed task goes to its key's owner on a hash ring, or a replica (keyed_placement.h)
};

class KeyedPlacement;

enum class SizeKind : uint8_t { constant, exponential, pareto };

// How tasks arrive at a node (arrivals.cpp; README.md, "Arrivals").
enum class ArrivalKind : uint8_t {
  poisson,  // exponential gaps at arrival_rate
  on_off,   // interrupted Poisson: arrival_rate while "on", nothing while "off" (exponential phases)
  batch,    // batch_size tasks at once every batch_interval
  trace,    // the tasks of a CSV file, at their times and nodes
};

// How a worker shares its CPU among the tasks it holds (service.cpp).
enum class Discipline : uint8_t { fifo, processor_sharing };

// One line of an arrival trace (arrivals_trace.cpp).
struct TraceTask {
  int64_t at_ns = 0;
  uint32_t node = 0;
  int64_t work_ns = 0;
  uint64_t key = 0;  // carried for keyed placement; no strategy here routes by key
  std::vector<std::string> capabilities;
  uint32_t line = 0;  // in the trace file, for located errors
};

// Per-node speeds drawn from the seed (speed_dist.cpp), multiplying the [[nodes.attributes]] speed.
struct SpeedDistribution {
  enum class Kind : uint8_t { none, uniform, lognormal, pareto } kind = Kind::none;
  double a = 0, b = 0;  // uniform: min, max; lognormal: median, sigma; pareto: min, shape
};

// Planted bugs: each one breaks exactly one guarantee a checker guards, to prove the checker
// fails the run (tests/unit/test_lb_scenarios.cpp, scenarios/lb/planted_*.toml).
enum class Bug : uint8_t {
  none,
  commit_duplicates,    // the submitter accepts every completion, not only the first
  forget_timed_out,     // a timed-out task is dropped without a resubmission or a loss report
  ignore_capabilities,  // placement ignores required capabilities
  ring_replicas_short,  // consistent hashing keeps a key's data on r - 1 replicas, not r
};

struct Params {
  Strategy strategy = Strategy::random;
  uint32_t d = 2;  // probes per task, power-of-d (and the choices per ball in balls-into-bins)

  // Workload: Poisson arrivals at every node, sizes in CPU time at speed 1.
  double arrival_rate_per_s = 10;  // per node
  uint32_t tasks_per_node = 0;     // 0: no limit
  SimTime arrivals_stop = SimTime::max();
  SizeKind size_kind = SizeKind::exponential;
  Duration size_mean = Duration::millis(10);
  double pareto_shape = 2.0;  // alpha > 1 so the mean exists
  // Arrivals other than Poisson (arrivals.cpp): on/off phases, batches, or a trace whose
  // tasks are sorted by (node, time, line) so a node finds its own by binary search.
  ArrivalKind arrivals = ArrivalKind::poisson;
  Duration burst_on = Duration::seconds(1), burst_off = Duration::seconds(4);
  uint32_t batch_size = 10;
  Duration batch_interval = Duration::seconds(1);
  std::string trace_file;  // as resolved (relative to the scenario file)
  std::string trace_where;  // "scenario:line: protocol.trace_file: ", for errors found at attach
  std::vector<TraceTask> trace;
  Discipline discipline = Discipline::fifo;
  SpeedDistribution node_speed;
  // A share of tasks requires this capability ([[nodes.attributes]] capabilities).
  std::string required_capability;
  double capability_share = 0;

  // Submitter: a task not completed within task_timeout of its placement is resubmitted,
  // at most max_attempts placements in all, then reported lost.
  Duration task_timeout = Duration::seconds(2);
  uint32_t max_attempts = 4;
  Duration check_interval = Duration::millis(100);
  Duration probe_timeout = Duration::millis(100);
  // Worker: queue limit in tasks, multiplied by the node's capacity attribute; 0 = none.
  uint32_t queue_limit = 0;

  // least-loaded: the load view a node keeps, refreshed by gossip.
  Duration gossip_interval = Duration::millis(200);
  uint32_t view_size = 8;

  // work-stealing: an idle worker asks one random victim (any node, or an overlay
  // neighbour) for one waiting task or half of them, and asks again after steal_interval.
  bool steal_half = true;
  bool steal_from_neighbors = false;
  Duration steal_interval = Duration::millis(20);

  // Threshold migration, with any strategy: a worker with more than migrate_above tasks
  // offers work to one random node each check_interval; a node with at most migrate_below
  // tasks takes it by a steal request (half the waiting tasks). Each moved task carries
  // task_state_bytes of state, which the bandwidth model charges. 0 = off.
  uint32_t migrate_above = 0;
  uint32_t migrate_below = 0;
  uint32_t task_state_bytes = 0;

  // Metrics: a hotspot is a node whose load exceeds hotspot_factor × the mean load.
  double hotspot_factor = 2.0;

  // Balls into bins: `balls` placed one after another with no completions (0 = one per node).
  bool balls_into_bins = false;
  uint64_t balls = 0;

  // Keyed tasks and the hash ring (strategy consistent-hash; keyed_config.cpp reads its keys).
  // Shared by the module, which moves nodes on and off the ring, and the nodes, which read it.
  std::shared_ptr<KeyedPlacement> keyed;

  Bug bug = Bug::none;
};

inline constexpr uint32_t kMaxProbes = 8;

}  // namespace meshsim::lb
