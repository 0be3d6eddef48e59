// `meshsim sweep` (one scenario over many seeds, in parallel threads) and
// `meshsim check` (a folder of scenarios with expectations, as a regression suite).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "app/batch_report.h"
#include "app/mpi/mpi_session.h"
#include "app/run_command.h"

namespace meshsim::cli {

// What a batch reports besides its runs' lines: --json prints one object instead of the
// text summary; --junit FILE writes a JUnit XML report for CI (app/junit_report.h).
struct BatchOptions {
  bool json = false;
  std::string junit;
};

// Runs `jobs` on `threads` workers with the status line (bar, ETA, what is running); with
// `lines`, one result line per run on stdout. After a Ctrl-C the runs in progress stop
// early (execute_run sees the signal) and no new one starts. Shared by sweep, check and
// compare, so every batch goes through the same engine path as `meshsim run`.
std::vector<BatchRun> run_parallel(const std::vector<RunOptions>& jobs, unsigned threads, const ModuleRegistry& registry,
                                   bool lines);

// A run's line on stdout (an error's on stderr), as run_parallel prints it with `lines`.
class BatchStatus;
void print_run_line(BatchStatus& status, const BatchRun& run);

// Over MPI ranks when `session` is active (app/rank_sweep.h): every rank calls it, rank 0
// prints and records, and every rank returns rank 0's exit code.
int sweep_command(const RunOptions& base, const std::string& seeds, unsigned threads, const BatchOptions& options,
                  const ModuleRegistry& registry, mpi::Session& session);
// "1..100", "7", "1,5,9" or a mix; throws ScenarioError naming the bad part. Exposed for tests.
std::vector<uint64_t> parse_seeds(const std::string& text);
// --threads as asked, clamped to 4 per core (with a note on stderr); 0 is refused.
unsigned bounded_threads(unsigned asked);

int check_command(const std::string& folder, const RunOptions& base, unsigned threads, const BatchOptions& options,
                  const ModuleRegistry& registry);

}  // namespace meshsim::cli
