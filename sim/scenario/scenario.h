// A scenario as loaded and validated from TOML: everything a run needs, nothing half-checked.
// Loading either returns a complete Scenario or throws ScenarioError naming file, line and
// key, before anything is written anywhere.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/expectations.h"
#include "sim/fault_schedule.h"
#include "sim/link_model.h"
#include "sim/module.h"
#include "sim/node_attributes.h"
#include "sim/node_set.h"
#include "sim/run_spec.h"
#include "sim/scenario/config_section.h"
#include "sim/scenario/module_registry.h"
#include "sim/time.h"
#include "sim/topology_builders.h"

namespace toml {
inline namespace v3 {
class table;
}
}  // namespace toml

namespace meshsim {

struct ModuleSpec {
  std::string name;
  std::string section;  // "protocol" or "modules[1]"
  const toml::table* table = nullptr;  // owned by Scenario::document
  // Built once, when the scenario is validated: faults probe it for roles and behaviours,
  // and the run takes it (resolve_run), so a module is never built twice for one run.
  std::unique_ptr<Module> built;
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
  NodeAttributes attributes;  // [[nodes.attributes]]
  StorageSpec storage;        // [storage]
  NodeSet absent;             // [nodes] absent: they arrive with kind = "join"
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

// The scenario's plain values for one run, with its topology and modules built: what the
// kernel takes. Modules built while validating are handed over (so each is built once for
// the run); a second call builds fresh ones.
RunSpec resolve_run(Scenario& s, const ModuleRegistry& registry);

}  // namespace meshsim
