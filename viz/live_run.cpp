#include "viz/live_run.h"

#include "sim/errors.h"

#ifndef MESHSIM_BUILD_ID
#define MESHSIM_BUILD_ID "unknown"
#endif

namespace meshsim::viz {

LiveRun::LiveRun(RunSource source, const ModuleRegistry& registry)
    : source_(std::move(source)), registry_(registry) {
  rebuild({});
}

std::string LiveRun::effective_text(const std::vector<UiFault>& faults) const {
  std::string text = source_.text;
  if (faults.empty()) return text;
  if (!text.empty() && text.back() != '\n') text += '\n';
  text += "\n# Faults applied in `meshsim view` (times in ns, exact).\n";
  for (const UiFault& f : faults) text += to_toml(f);
  return text;
}

void LiveRun::rebuild(const std::vector<UiFault>& faults) {
  // Parse and build first, so a refused fault leaves the current run untouched.
  auto scenario = std::make_unique<Scenario>(
      parse_scenario(effective_text(faults), source_.path, source_.sets, registry_, source_.seed));
  auto sim = std::make_unique<Simulation>(resolve_run(*scenario, registry_));
  auto watch = std::make_unique<RunWatch>(*sim);
  sim->add_observer(watch.get());
  RunInfo info;
  info.scenario_path = source_.path;
  info.scenario_name = scenario->name;
  info.scenario_text = scenario->text;
  info.seed = scenario->seed;
  info.build_id = MESHSIM_BUILD_ID;
  info.parameters = scenario->parameters;
  sim->begin(info);
  // The old run is dropped only now: its observer (watch_) must outlive its Simulation.
  sim_.reset();
  watch_ = std::move(watch);
  sim_ = std::move(sim);
  scenario_ = std::move(scenario);
  result_.reset();
  ++generation_;
}

void LiveRun::seek(SimTime t) {
  if (t < sim_->now() || result_) rebuild(applied_);
  advance_to(t);
}

bool LiveRun::advance_to(SimTime t) { return advance_to(t, UINT64_MAX); }

bool LiveRun::advance_to(SimTime t, uint64_t max_events) {
  if (result_) return false;
  return sim_->run_until(t, max_events);
}

bool LiveRun::step_event() {
  if (result_) return false;
  return sim_->step();
}

const std::optional<RunResult>& LiveRun::finish_if_over() {
  if (!result_ && sim_->over()) result_ = sim_->finish();
  return result_;
}

void LiveRun::apply(const UiFault& f) {
  if (f.at >= end()) throw ScenarioError("the run ends at " + format_readable(Duration{end().ns}) +
                                         ": a fault must come before that");
  const SimTime back_to = std::max(sim_->now(), f.at);
  std::vector<UiFault> extended = applied_;
  extended.push_back(f);
  rebuild(extended);
  applied_ = std::move(extended);
  advance_to(back_to);
}

std::string LiveRun::saved_text() const {
  std::string header = "# Saved by meshsim view from " + source_.path + "; reproduce with\n#   meshsim run FILE --seed " +
                       std::to_string(scenario_->seed);
  for (const auto& s : source_.sets) header += " --set '" + s + "'";
  return header + "\n" + effective_text(applied_);
}

}  // namespace meshsim::viz
