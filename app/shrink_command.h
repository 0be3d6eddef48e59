// `meshsim shrink SCENARIO --seed N --out FILE`: a failing run reduced to the smallest
// scenario found that fails with the same checker or expectation (sim/shrink/shrinker.h),
// written with a header that says what was removed.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/module_registry.h"

namespace CLI {
class App;
}

namespace meshsim::cli {

struct ShrinkCommandOptions {
  std::string scenario;
  std::optional<uint64_t> seed;
  std::string out;
  uint64_t max_runs = 2000;
  std::vector<std::string> sets;  // --set section.key=value, written into the text first
  std::vector<std::string> keep;  // counts (and run.duration) left as written
  bool quiet = false;
};

// Adds the subcommand and its options to `app`; returns it, for main to ask whether it ran.
CLI::App* add_shrink_command(CLI::App& app, ShrinkCommandOptions& options);

// Exit codes: 0 written; 2 bad input (no such scenario, an --out that cannot be written, a
// seed that passes: nothing to shrink); 3 internal error; 130/143 interrupted (the best
// scenario found so far is still written).
int shrink_command(const ShrinkCommandOptions& options, const ModuleRegistry& registry);

}  // namespace meshsim::cli
