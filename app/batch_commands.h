// `meshsim sweep` (one scenario over many seeds, in parallel threads) and
// `meshsim check` (a folder of scenarios with expectations, as a regression suite).
#pragma once
#include <string>

#include "app/run_command.h"

namespace meshsim::cli {

int sweep_command(const RunOptions& base, const std::string& seeds, unsigned threads,
                  const ModuleRegistry& registry);
int check_command(const std::string& folder, const RunOptions& base, unsigned threads,
                  const ModuleRegistry& registry);

}  // namespace meshsim::cli
