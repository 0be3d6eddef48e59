// The run the window shows: a scenario text, a seed and --set overrides, plus the faults
// added in the window, driven through the ordinary kernel API (begin / run_until / step /
// finish). The run is deterministic, so going back in time, and adding a fault "now", are
// both done the exact way: build the run again from its (extended) text and fast-forward.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/scenario.h"
#include "sim/simulation.h"
#include "viz/fault_edit.h"
#include "viz/run_watch.h"

namespace meshsim::viz {

// Where a run comes from: a file, or a row of the results database (replay.h).
struct RunSource {
  std::string path;  // the scenario's path (relative edge-list files are found from it)
  std::string text;  // the scenario as written
  std::optional<uint64_t> seed;
  std::vector<std::string> sets;
};

class LiveRun {
 public:
  // Loads and validates the scenario (ScenarioError on bad input) and starts the run.
  LiveRun(RunSource source, const ModuleRegistry& registry);

  Simulation& sim() { return *sim_; }
  const Simulation& sim() const { return *sim_; }
  const Scenario& scenario() const { return *scenario_; }
  RunWatch& watch() { return *watch_; }
  SimTime now() const { return sim_->now(); }
  SimTime end() const { return scenario_->end; }
  uint64_t seed() const { return scenario_->seed; }
  // Bumped on every rebuild, so views holding per-run caches know to drop them.
  uint64_t generation() const { return generation_; }

  // Runs to time t: forward by stepping, backward by re-running from the start.
  void seek(SimTime t);
  // Forward only, without restarting; false when the run is over.
  bool advance_to(SimTime t);
  // The same, running at most `max_events` events (the clock may then stop short of t).
  bool advance_to(SimTime t, uint64_t max_events);
  bool step_event();
  bool over() { return sim_->over(); }
  // Calls finish() once the run is over, and keeps its result.
  const std::optional<RunResult>& finish_if_over();
  const std::optional<RunResult>& result() const { return result_; }

  // Adds a fault at f.at (now, for a click) and rebuilds the run up to now. Throws
  // ScenarioError if the extended scenario is refused (the fault is then not kept).
  void apply(const UiFault& f);
  const std::vector<UiFault>& applied() const { return applied_; }
  // The scenario text with the window's faults appended: what `--save` writes.
  std::string saved_text() const;
  const RunSource& source() const { return source_; }

 private:
  std::string effective_text(const std::vector<UiFault>& faults) const;
  void rebuild(const std::vector<UiFault>& faults);

  RunSource source_;
  const ModuleRegistry& registry_;
  std::vector<UiFault> applied_;
  std::unique_ptr<Scenario> scenario_;
  std::unique_ptr<Simulation> sim_;
  std::unique_ptr<RunWatch> watch_;
  std::optional<RunResult> result_;
  uint64_t generation_ = 0;
};

}  // namespace meshsim::viz
