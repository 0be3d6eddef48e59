// The scenario's [expect] table checked against a finished run's scalars.
#pragma once
#include <optional>
#include <string>

#include "sim/metrics.h"
#include "sim/scenario.h"

namespace meshsim {

// Returns a description of every failed expectation, or nullopt when all hold. A metric
// the run did not produce is a failure too (a typo must not pass silently).
std::optional<std::string> check_expectations(const Scenario& s, const Metrics& m);

}  // namespace meshsim
