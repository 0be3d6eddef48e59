// Running a suite for `meshsim baseline`: every scenario with an [expect] section below a
// folder, on every seed of a set, in parallel threads, in memory (nothing goes to a results
// database: a baseline is a file of its own).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "app/baseline_file.h"
#include "sim/scenario/module_registry.h"

namespace meshsim::cli {

struct SuiteScenario {
  std::string path;      // as found below the folder
  std::string relative;  // to the folder: the key in the baseline file
  std::string name;
  std::string text;
};

// The scenarios of the suite, sorted by path. Throws ScenarioError when the folder cannot be
// read, a scenario does not load, or none has an [expect] section.
std::vector<SuiteScenario> suite_scenarios(const std::string& folder, const ModuleRegistry& registry);

// Runs each scenario on each seed; the result has the shape of a baseline file (build id,
// seeds, per scenario and seed the verdict, fingerprint and scalar metrics).
Baseline run_suite(const std::vector<SuiteScenario>& suite, const std::vector<uint64_t>& seeds, unsigned threads,
                   const ModuleRegistry& registry);

}  // namespace meshsim::cli
