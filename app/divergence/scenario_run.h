// A run named the way a user names it: a scenario file, --set overrides and a seed. What
// each side of meshsim diverge and each run of meshsim baseline is.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/module_registry.h"
#include "sim/simulation.h"

namespace meshsim::divergence {

struct RunRecipe {
  std::string scenario;  // the file
  // When not empty, the scenario's text to use instead of the file's (the version a
  // baseline stored), read as if it were at `scenario` (relative paths resolve there).
  std::string text;
  std::vector<std::string> sets;
  std::optional<uint64_t> seed;
};

// A fresh Simulation for the recipe, not yet begun. Throws ScenarioError for bad input.
std::unique_ptr<Simulation> build_simulation(const RunRecipe& recipe, const ModuleRegistry& registry);

// "scenarios/raft/quiet.toml --seed 3 --set protocol.fanout=4", shell-quoted.
std::string describe_recipe(const RunRecipe& recipe);
std::string shell_quote(const std::string& s);

}  // namespace meshsim::divergence
