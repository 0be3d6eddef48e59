#include "app/divergence/scenario_run.h"

#include "sim/scenario/scenario.h"

namespace meshsim::divergence {

std::unique_ptr<Simulation> build_simulation(const RunRecipe& recipe, const ModuleRegistry& registry) {
  Scenario sc = recipe.text.empty() ? load_scenario(recipe.scenario, recipe.sets, registry, recipe.seed)
                                    : parse_scenario(recipe.text, recipe.scenario, recipe.sets, registry, recipe.seed);
  return std::make_unique<Simulation>(resolve_run(sc, registry));
}

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") ==
                        std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string describe_recipe(const RunRecipe& recipe) {
  std::string out = shell_quote(recipe.scenario);
  if (!recipe.text.empty()) out += " (as the baseline stored it)";
  if (recipe.seed) out += " --seed " + std::to_string(*recipe.seed);
  for (const auto& s : recipe.sets) out += " --set " + shell_quote(s);
  return out;
}

}  // namespace meshsim::divergence
