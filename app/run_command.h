// `meshsim run` and the pieces `sweep` and `check` share with it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/module_registry.h"
#include "sim/observer.h"

namespace meshsim {
struct Scenario;
}

namespace meshsim::cli {

struct RunOptions {
  std::string scenario;
  std::optional<uint64_t> seed;
  std::string db = "results/meshsim.db";
  std::vector<std::string> sets;
  bool json = false;
  bool progress = true;   // a rewritten line on a terminal, a line every few seconds otherwise
  bool quiet = false;     // sweeps print one line per run instead of the summary
  double db_wait_s = 600;  // how long to wait for other writers before saving results aside
  std::string trace;       // --trace FILTER (empty: no trace)
};

struct RunOutcome {
  // 0 ok, 1 expectation/checker failed, 2 bad input, 3 internal error, 4 results saved
  // to a side file instead of the database, 5 inconclusive, 128 + signal interrupted.
  int exit_code = 0;
  RunResult result;
  uint64_t seed = 0;
  int64_t run_id = 0;
  std::string scenario_name;
  std::string error;  // for exit code 2/3
  std::string reproduce;
  double events_wall_s = 0;    // wall time of the event loop
  double checks_wall_s = 0;    // wall time of the end-of-run checks (a linearizability search)
  double results_write_s = 0;  // wall time of writing the run's results at its end
  std::string side_file;       // where the results went when the database refused them
  uint64_t trace_rows = 0;     // rows of the --trace stored with the run
  int64_t violation_ns = -1;   // when a checker fired, for the --trace suggestion
};

// Exit code 4: the run finished, the database could not take its results, and they are in
// a side file for `meshsim import` (or, when even that failed, only in the printed summary).
inline constexpr int kExitResultsAside = 4;
// Exit code 5: the run finished and nothing failed, but a checker could not decide (the
// linearizability search ran out of budget): neither a pass nor a failure. CI can treat it
// as either; README.md's "meshsim in your CI" shows how.
inline constexpr int kExitInconclusive = 5;
// The exit code for a run's status: 0 complete, 5 inconclusive, 128 + signal interrupted, else 1.
int exit_code_of(RunStatus status);
// What a run records about itself: the scenario's name, text, seed and parameters, this
// build's id, and the command that reproduces it.
RunInfo run_info_of(const Scenario& scenario, const std::string& path, const std::string& command_line);
// A run stopped by SIGINT / SIGTERM exits 128 + the signal (app/interrupt.h).

// The exact command that reproduces a run (TigerBeetle's VOPR habit).
std::string reproduce_command(const std::string& scenario, uint64_t seed, const std::vector<std::string>& sets);

// Loads, runs, stores and reports one run. Thread-safe: sweeps call it from many threads.
RunOutcome execute_run(const RunOptions& options, const ModuleRegistry& registry);

int run_command(const RunOptions& options, const ModuleRegistry& registry);

// Makes sure the database's folder exists (creating it) or throws ScenarioError saying why.
void prepare_db_path(const std::string& db);

// Parallel runs by default: one per core.
unsigned default_threads();

}  // namespace meshsim::cli
