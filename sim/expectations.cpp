#include "sim/expectations.h"

#include <cmath>
#include <sstream>

#include "sim/run_spec.h"

namespace meshsim {

namespace {

// Failed expectations, and those that cannot be judged because their metric is NaN: the
// value is unknown (linearizable after a search out of budget), so "== 1" is neither met
// nor missed.
struct ExpectationOutcome {
  std::string failures, undecided;
};

ExpectationOutcome judge_expectations(const RunSpec& s, const Metrics& m) {
  std::ostringstream failures, undecided;
  for (const Expectation& e : s.expectations) {
    auto it = m.scalars().find(e.metric);
    std::ostringstream where;
    where << s.source << (e.line > 0 ? ":" + std::to_string(e.line) : std::string(" (--set)")) << ": expect." << e.metric << " " << e.op << " " << e.value;
    if (it == m.scalars().end()) {
      failures << where.str() << ": the run produced no metric of that name\n";
      continue;
    }
    double v = it->second;
    if (std::isnan(v)) {
      undecided << where.str() << ": the value is unknown\n";
      continue;
    }
    bool ok = e.op == "<" ? v < e.value : e.op == "<=" ? v <= e.value : e.op == ">" ? v > e.value
            : e.op == ">=" ? v >= e.value : e.op == "==" ? v == e.value : v != e.value;
    if (!ok) failures << where.str() << ": got " << v << "\n";
  }
  auto trimmed = [](std::string text) {
    if (!text.empty()) text.pop_back();
    return text;
  };
  return {trimmed(failures.str()), trimmed(undecided.str())};
}

}  // namespace

std::optional<std::string> check_expectations(const RunSpec& s, const Metrics& m) {
  std::string failures = judge_expectations(s, m).failures;
  if (failures.empty()) return std::nullopt;
  return failures;
}

std::string describe_violation(const Violation& v) {
  return "checker " + v.checker + " violated at " + format_readable(Duration{v.at.ns}) + ": " + v.detail;
}

Verdict judge_run(const RunSpec& s, const Metrics& m, const std::optional<Violation>& violation) {
  Verdict verdict;
  std::vector<std::string> failures;
  if (s.expected_failure) {
    const ExpectedFailure& want = *s.expected_failure;
    std::string where = s.source + ":" + std::to_string(want.line) + ": expect.failure = \"" + want.checker + "\"";
    if (!violation) {
      failures.push_back(where + ": the run ended without that checker firing");
    } else if (violation->checker != want.checker) {
      failures.push_back(describe_violation(*violation) + " (expected checker " + want.checker + " instead)");
    } else {
      verdict.note = describe_violation(*violation);
    }
  } else if (violation) {
    failures.push_back(describe_violation(*violation));
  }
  // Metric expectations are checked after a violation too; an unexpected violation is
  // reported alone, since the metrics of a run cut short say little.
  ExpectationOutcome expectations;
  if (failures.empty()) {
    expectations = judge_expectations(s, m);
    if (!expectations.failures.empty()) failures.push_back(expectations.failures);
  }
  if (!failures.empty()) {
    verdict.status = RunStatus::failed;
    verdict.failure = failures.front();
    return verdict;
  }
  // Nothing failed, but a checker could not decide: the run proves neither way. It is not
  // a pass (a violation may hide in what was not searched) nor a failure (none was found).
  if (!m.inconclusive().empty()) {
    verdict.status = RunStatus::inconclusive;
    verdict.failure = m.inconclusive().front();
  } else if (!expectations.undecided.empty()) {
    verdict.status = RunStatus::inconclusive;
    verdict.failure = expectations.undecided;
  }
  return verdict;
}

}  // namespace meshsim
