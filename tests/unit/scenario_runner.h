// Runs a scenario file of the source tree through the whole engine, for the protocols'
// scenario tests: the result, the scalar metrics and the event log.
#pragma once
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "sim/scenario/scenario.h"
#include "sim/simulation.h"
#include "tests/unit/builtin_registry.h"

namespace meshsim::testing {

struct ScenarioOutcome {
  RunResult result;
  std::map<std::string, double> scalars;
  std::vector<LogEntry> log;
};

// `path` is relative to the source tree ("scenarios/raft/quiet.toml"); `sets` as --set.
inline ScenarioOutcome run_scenario_file(const std::string& path, uint64_t seed, std::vector<std::string> sets = {}) {
  const ModuleRegistry& registry = builtin_registry();
  Scenario sc = load_scenario(std::string(MESHSIM_SOURCE_DIR) + "/" + path, sets, registry, seed);
  Simulation sim(resolve_run(sc, registry));
  RunInfo info;
  info.seed = seed;
  ScenarioOutcome o{sim.run(info), {}, {}};
  o.scalars = sim.metrics().scalars();
  o.log = sim.metrics().log_entries();
  return o;
}

// A planted-bug scenario (its [expect] failure names the checker): with the file's bug the
// run completes with `checker` fired; with protocol.bug = "none" the expected failure does
// not happen and the run fails. So the checker catches the bug, and only the bug.
inline void check_planted_bug_caught(const std::string& path, const std::string& checker, uint64_t seed = 1) {
  auto buggy = run_scenario_file(path, seed);
  INFO(path, ": ", buggy.result.failure);
  CHECK(buggy.result.status == RunStatus::complete);
  CHECK(buggy.result.note.find(checker) != std::string::npos);
  auto fixed = run_scenario_file(path, seed, {"protocol.bug=\"none\""});
  CHECK(fixed.result.status == RunStatus::failed);
  CHECK(fixed.result.failure.find("without that checker firing") != std::string::npos);
}

}  // namespace meshsim::testing
