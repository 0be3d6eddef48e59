#include "app/diverge_command.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "app/build_info.h"
#include "app/divergence/other_build.h"
#include "app/divergence/scenario_run.h"
#include "sim/errors.h"

namespace meshsim::cli {

using divergence::RunRecipe;

DivergeCommands::DivergeCommands(CLI::App& app) {
  DivergeOptions& d = diverge_options_;
  diverge_ = app.add_subcommand("diverge", "Find the first event at which two runs part: two scenarios, two --set's or two builds");
  diverge_->add_option("a", d.a, "Scenario of run A (TOML)")->required();
  diverge_->add_option("b", d.b, "Scenario of run B (default: the same as A)");
  diverge_->add_option("--seed", d.seed, "Seed of both runs (overrides run.seed)");
  diverge_->add_option("--set", d.sets, "Override a scenario value in both runs (repeatable)");
  diverge_->add_option("--set-a", d.sets_a, "Override a value in run A only (repeatable)");
  diverge_->add_option("--set-b", d.sets_b, "Override a value in run B only (repeatable)");
  diverge_->add_option("--other-binary", d.other_binary,
                       "Run B with this meshsim binary (another build, e.g. the one before a change)");
  diverge_->add_option("--every", d.every, "Checkpoint the fingerprint every K events (memory against replay length)")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 30));
  diverge_->add_option("--context", d.context, "Events to show before the one where the runs part")
      ->capture_default_str()
      ->check(CLI::Range(0u, 1000u));

  EmitOptions& e = emit_options_;
  // Hidden (empty group): the protocol between two builds, not a command for users.
  emit_ = app.add_subcommand("emit-events", "A run's fingerprint checkpoints or events, for meshsim diverge --other-binary");
  emit_->group("");
  emit_->add_option("scenario", e.scenario)->required();
  emit_->add_option("--seed", e.seed);
  emit_->add_option("--set", e.sets);
  emit_->add_option("--every", e.every)->check(CLI::Range(uint64_t{1}, uint64_t{1} << 30));
  emit_->add_option("--events", e.events);
}

bool DivergeCommands::chosen() const { return diverge_->parsed() || emit_->parsed(); }

int DivergeCommands::run(const ModuleRegistry& registry) {
  return diverge_->parsed() ? diverge_command(diverge_options_, registry) : emit_events_command(emit_options_, registry);
}

int diverge_command(const DivergeOptions& o, const ModuleRegistry& registry) {
  try {
    RunRecipe a{o.a, "", o.sets, o.seed}, b{o.b.empty() ? o.a : o.b, "", o.sets, o.seed};
    a.sets.insert(a.sets.end(), o.sets_a.begin(), o.sets_a.end());
    b.sets.insert(b.sets.end(), o.sets_b.begin(), o.sets_b.end());
    // Both scenarios are checked before anything runs, so a typo in B is not found only
    // after A has run. (The other build checks its own.)
    build_simulation(a, registry);
    if (o.other_binary.empty()) build_simulation(b, registry);

    divergence::LocalRun side_a(describe_recipe(a), [&] { return build_simulation(a, registry); });
    std::unique_ptr<divergence::RunSide> side_b;
    if (o.other_binary.empty())
      side_b = std::make_unique<divergence::LocalRun>(describe_recipe(b), [&] { return build_simulation(b, registry); });
    else
      side_b = std::make_unique<divergence::OtherBuildRun>(o.other_binary, b);
    divergence::Divergence d = divergence::locate_divergence(side_a, *side_b, o.every, o.context);
    std::string a_label = side_a.label() + (o.other_binary.empty() ? "" : std::string("  [this build, ") + build_id() + "]");
    std::cout << divergence::format_divergence(d, a_label, side_b->label());
    return d.outcome == divergence::Outcome::identical ? 0 : 1;
  } catch (const ScenarioError& e) {
    std::cerr << "meshsim: " << e.what() << std::endl;
    return 2;
  }
}

int emit_events_command(const EmitOptions& o, const ModuleRegistry& registry) {
  try {
    RunRecipe recipe{o.scenario, "", o.sets, o.seed};
    if ((o.every == 0) == o.events.empty()) throw ScenarioError("emit-events: give one of --every K or --events I..J");
    std::unique_ptr<Simulation> sim = build_simulation(recipe, registry);
    if (o.every > 0) {
      divergence::write_checkpoints(std::cout, divergence::record_checkpoints(*sim, o.every), build_id());
      return 0;
    }
    const size_t dots = o.events.find("..");
    uint64_t first = 0, last = 0;
    try {
      if (dots == std::string::npos) throw std::invalid_argument("no ..");
      first = std::stoull(o.events.substr(0, dots));
      last = std::stoull(o.events.substr(dots + 2));
    } catch (const std::exception&) {
      throw ScenarioError("emit-events --events " + o.events + ": expected I..J (event numbers)");
    }
    divergence::write_events(std::cout, divergence::record_events(*sim, first, last), build_id());
    return 0;
  } catch (const ScenarioError& e) {
    std::cerr << "meshsim: " << e.what() << std::endl;
    return 2;
  }
}

}  // namespace meshsim::cli
