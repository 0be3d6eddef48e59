// `meshsim sweep` (one scenario over many seeds, in parallel threads) and
// `meshsim check` (a folder of scenarios with expectations, as a regression suite).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "app/run_command.h"

namespace meshsim::cli {

// What a batch reports besides its runs' lines: --json prints one object instead of the
// text summary; --junit FILE writes a JUnit XML report for CI (app/junit_report.h).
struct BatchOptions {
  bool json = false;
  std::string junit;
};

int sweep_command(const RunOptions& base, const std::string& seeds, unsigned threads, const BatchOptions& options,
                  const ModuleRegistry& registry);
// "1..100", "7", "1,5,9" or a mix; throws ScenarioError naming the bad part. Exposed for tests.
std::vector<uint64_t> parse_seeds(const std::string& text);
// --threads as asked, clamped to 4 per core (with a note on stderr); 0 is refused.
unsigned bounded_threads(unsigned asked);

int check_command(const std::string& folder, const RunOptions& base, unsigned threads, const BatchOptions& options,
                  const ModuleRegistry& registry);

}  // namespace meshsim::cli
