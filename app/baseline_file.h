// The baseline file of `meshsim baseline record` / `check`: what every scenario of a suite
// did on every seed, for a later build to be held against. TOML, so that two baselines
// diff line by line in a review: build id and seeds at the top, then per scenario its
// text (to locate the effect of an edited scenario later) and per seed the verdict, the
// event count, the fingerprint and the scalar metrics.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace meshsim::cli {

struct BaselineRun {
  uint64_t seed = 0;
  std::string status;       // complete, failed, inconclusive (RunStatus names)
  uint64_t events = 0;
  uint64_t fingerprint = 0;
  std::map<std::string, double> metrics;
};

struct BaselineScenario {
  std::string file;  // relative to the suite's folder
  std::string name;
  std::string text;  // the scenario file as it was run
  std::vector<BaselineRun> runs;  // in seed order
};

struct Baseline {
  static constexpr int kFormat = 1;
  std::string build_id;
  std::string command;  // how it was recorded
  std::vector<uint64_t> seeds;
  std::vector<BaselineScenario> scenarios;  // sorted by file
};

std::string baseline_toml(const Baseline& b);
// Throws ScenarioError naming the file (and line) when it cannot be read or is not a
// baseline this build understands.
Baseline read_baseline(const std::string& path);

std::string hex_fingerprint(uint64_t v);

}  // namespace meshsim::cli
