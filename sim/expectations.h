// The scenario's [expect] table checked against a finished run's scalars.
#pragma once
#include <optional>
#include <string>

#include "sim/metrics.h"
#include "sim/module.h"
#include "sim/observer.h"

namespace meshsim {

struct Expectation {
  std::string metric;
  std::string op;  // "<", "<=", ">", ">=", "==", "!="
  double value = 0;
  int line = 0;
};

// `[expect] failure = "pbft.agreement"`: the run must stop on exactly this checker. Used
// by scenarios that prove a checker can fail (a planted bug, more faults than a protocol
// tolerates), so a regression suite of them is green when every checker still catches
// what it should.
struct ExpectedFailure {
  std::string checker;
  int line = 0;
};

struct RunSpec;

// Returns a description of every failed expectation, or nullopt when all hold. A metric
// the run did not produce is a failure too (a typo must not pass silently); a metric whose
// value is unknown (NaN) neither holds nor fails.
std::optional<std::string> check_expectations(const RunSpec& s, const Metrics& m);

// The verdict on a finished run: its status and failure text from the checker violation
// (if any), `[expect] failure` and the metric expectations. A violation by exactly the
// checker named in `expect.failure` is the expected outcome: the run is complete, and
// `note` says what fired. With no failure, a checker that could not decide
// (Metrics::report_inconclusive) or an expectation on an unknown value makes the run
// inconclusive, and `failure` says why.
struct Verdict {
  RunStatus status = RunStatus::complete;
  std::string failure;
  std::string note;
};
Verdict judge_run(const RunSpec& s, const Metrics& m, const std::optional<Violation>& violation);

// "checker NAME violated at TIME: DETAIL", as runs report it.
std::string describe_violation(const Violation& v);

}  // namespace meshsim
