// `meshsim run` and the pieces `sweep` and `check` share with it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/module.h"
#include "sim/observer.h"

namespace meshsim::cli {

struct RunOptions {
  std::string scenario;
  std::optional<uint64_t> seed;
  std::string db = "results/meshsim.db";
  std::vector<std::string> sets;
  bool json = false;
  bool progress = true;   // only shown when stderr is a terminal
  bool quiet = false;     // sweeps print one line per run instead of the summary
};

struct RunOutcome {
  int exit_code = 0;  // 0 ok, 1 expectation/checker failed, 2 bad input, 3 internal error
  RunResult result;
  uint64_t seed = 0;
  int64_t run_id = 0;
  std::string scenario_name;
  std::string error;  // for exit code 2/3
  std::string reproduce;
  double results_write_s = 0;  // wall time of writing the run's results at its end
};

// The exact command that reproduces a run (TigerBeetle's VOPR habit).
std::string reproduce_command(const std::string& scenario, uint64_t seed, const std::vector<std::string>& sets);

// Loads, runs, stores and reports one run. Thread-safe: sweeps call it from many threads.
RunOutcome execute_run(const RunOptions& options, const ModuleRegistry& registry);

int run_command(const RunOptions& options, const ModuleRegistry& registry);

// Makes sure the database's folder exists (creating it) or explains why it cannot.
void prepare_db_path(const std::string& db);

}  // namespace meshsim::cli
