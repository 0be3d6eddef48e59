// A scenario as loaded and validated from TOML: everything a run needs, nothing half-checked.
// Loading either returns a complete Scenario or throws ScenarioError naming file, line and
// key, before anything is written anywhere.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/config_section.h"
#include "sim/link_model.h"
#include "sim/module.h"
#include "sim/node_set.h"
#include "sim/time.h"

namespace toml {
inline namespace v3 {
class table;
}
}  // namespace toml

namespace meshsim {

struct TopologySpec {
  std::string kind = "full";  // full grid torus ring random-regular erdos-renyi
                              // watts-strogatz barabasi-albert edge-list none random-picks
  uint32_t nodes = 0;
  uint32_t degree = 4;    // random-regular; random-picks (d distinct picks per node)
  double p = 0.01;        // erdos-renyi edge probability; watts-strogatz rewiring
  uint32_t k = 4;         // watts-strogatz neighbours (even)
  uint32_t m = 2;         // barabasi-albert edges per new node
  uint32_t width = 0;     // grid/torus; 0 = square root of nodes
  std::string file;       // edge-list path (relative to the scenario)
};

struct LinkOverride {
  NodeSet from, to;
  bool both_ways = true;
  LinkSpec spec;
  std::optional<SimTime> active_from, active_until;  // set for degrade faults
};

enum class FaultKind {
  crash, recover, pause, resume, partition, heal, isolate, degrade, drift, byzantine, honest, action
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
  ByzantineSpec byzantine;
  std::string action;  // action: the protocol's own operation ("add-server"), run by target_module
  // Role target, resolved when the fault happens: `nodes` is then filled with the node(s)
  // that hold the role ("leader") in module `target_module`; a partition puts them, with
  // `with_followers` nodes of role "follower", on one side.
  std::string target;
  std::string target_module;
  uint32_t with_followers = 0;
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
};

struct Expectation {
  std::string metric;
  std::string op;  // "<", "<=", ">", ">=", "=="
  double value = 0;
  int line = 0;
};

// `[expect] failure = "pbft.agreement"`: the run must stop on exactly this checker. Used
// by scenarios that prove a checker can fail (a planted bug, more faults than a protocol
// tolerates), so a regression suite of them is green when every checker still catches
// what it should.
struct ExpectedFailure {
  std::string checker;
  int line = 0;
};

struct ModuleSpec {
  std::string name;
  std::string section;  // "protocol" or "modules[1]"
  const toml::table* table = nullptr;  // owned by Scenario::document
};

// Work a scenario may ask for before a single event runs: fault windows expanded from
// `every` plus those [chaos] is expected to draw, and metrics samples over the run. Both
// are held in memory, so "every = \"1ns\"" or "crash_rate = 1e6" would otherwise exhaust
// it (or take hours) instead of being an error.
inline constexpr uint64_t kMaxFaults = 100'000;
inline constexpr uint64_t kMaxSamples = 1'000'000;

struct Scenario {
  std::string path;
  std::string name;
  std::string text;
  uint64_t seed = 1;
  SimTime end = SimTime{Duration::seconds(10).ns};
  uint64_t max_events = 0;  // 0 = no limit
  TopologySpec topology;
  LinkSpec link;
  std::vector<LinkOverride> overrides;
  std::vector<FaultSpec> faults;
  ChaosSpec chaos;
  Duration sample_interval = Duration::millis(100);
  bool node_series = true;  // [metrics] node_series: record per-node time series
  std::vector<ModuleSpec> modules;
  std::vector<Expectation> expectations;
  std::optional<ExpectedFailure> expected_failure;
  std::vector<std::pair<std::string, std::string>> parameters;  // flattened, after --set
  std::shared_ptr<toml::table> document;

  std::string directory() const;  // for relative paths (edge-list files)
};

// Reads, overrides (`--set key=value`) and validates a scenario. Module sections are
// checked by building each module once through the registry.
Scenario load_scenario(const std::string& path,
                       const std::vector<std::string>& overrides,
                       const ModuleRegistry& registry,
                       std::optional<uint64_t> seed_override = std::nullopt);
// Same, from text already in memory (tests).
Scenario parse_scenario(const std::string& text, const std::string& path,
                        const std::vector<std::string>& overrides,
                        const ModuleRegistry& registry,
                        std::optional<uint64_t> seed_override = std::nullopt);

ConfigSection module_section(const Scenario& s, const ModuleSpec& m);

}  // namespace meshsim
