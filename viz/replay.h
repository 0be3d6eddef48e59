// `meshsim view --run ID`: a recorded run, rebuilt from what the results database keeps
// (the scenario text, the seed, and the --set overrides in its reproduction command), so
// a failing run found by a sweep can be watched. The run is re-simulated, not read back:
// same text and seed, same events, same fingerprint.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "viz/live_run.h"

namespace meshsim::viz {

// Throws ResultsError (missing database, unknown run) with a message for the user.
RunSource recorded_run(const std::string& db, int64_t run_id);
// The --set values of a reproduction command ("meshsim run 'a b.toml' --seed 3 --set 'x=1'"),
// undoing the single-quote shell quoting run_command.cpp applies.
std::vector<std::string> sets_of_command(const std::string& command);

}  // namespace meshsim::viz
