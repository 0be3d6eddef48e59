// `meshsim protocols`: every protocol a scenario can name, with its roles, actions,
// Byzantine behaviours and metrics, then the metrics the engine reports for every run.
#pragma once
#include <iosfwd>

#include "sim/scenario/module_registry.h"

namespace meshsim::cli {

void print_protocols(const ModuleRegistry& registry, std::ostream& out);

}  // namespace meshsim::cli
