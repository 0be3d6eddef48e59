// What `meshsim sweep` and `meshsim check` say when their runs are over: a count of every
// kind of outcome (inconclusive and interrupted runs counted apart from passes and
// failures), the runs that need attention with their reproduction commands, the command's
// exit code, and the same as one JSON object for --json.
#pragma once
#include <string>
#include <vector>

#include "app/run_command.h"

namespace meshsim::cli {

// One run of a batch: what was asked and what came of it. `started` is false for a run
// that an interrupt kept from starting.
struct BatchRun {
  RunOptions job;
  RunOutcome outcome;
  bool started = false;
};

struct BatchTally {
  size_t passed = 0, failed = 0, inconclusive = 0, errors = 0, internal = 0, aside = 0, interrupted = 0,
         not_run = 0;
};

BatchTally tally(const std::vector<BatchRun>& runs);

// The most serious outcome decides: a signal (128 + its number), an internal error (3), bad
// input (2), a failed run (1), an inconclusive one (5), results that did not reach the
// database (4), else 0.
int batch_exit_code(const BatchTally& t, int signal);

// "12 passed, 1 failed, 2 inconclusive", then each run that needs a look.
void print_batch_summary(const std::vector<BatchRun>& runs, const BatchTally& t, int signal);

// --json: {"command", "target", counts, "exit_code", "runs": [...]}.
std::string batch_json(const std::string& command, const std::string& target, const std::vector<BatchRun>& runs,
                       const BatchTally& t, int exit_code);

// The verdict word of a run's line: ok, FAILED, INCONCLUSIVE, INTERRUPTED, ERROR, NOT RUN.
std::string verdict_word(const BatchRun& run);

}  // namespace meshsim::cli
