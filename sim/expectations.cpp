#include "sim/expectations.h"

#include <sstream>

#include "sim/run_spec.h"

namespace meshsim {

std::optional<std::string> check_expectations(const RunSpec& s, const Metrics& m) {
  std::ostringstream failures;
  for (const Expectation& e : s.expectations) {
    auto it = m.scalars().find(e.metric);
    std::ostringstream where;
    where << s.source << (e.line > 0 ? ":" + std::to_string(e.line) : std::string(" (--set)")) << ": expect." << e.metric << " " << e.op << " " << e.value;
    if (it == m.scalars().end()) {
      failures << where.str() << ": the run produced no metric of that name\n";
      continue;
    }
    double v = it->second;
    bool ok = e.op == "<" ? v < e.value : e.op == "<=" ? v <= e.value : e.op == ">" ? v > e.value
            : e.op == ">=" ? v >= e.value : e.op == "==" ? v == e.value : v != e.value;
    if (!ok) failures << where.str() << ": got " << v << "\n";
  }
  std::string text = failures.str();
  if (text.empty()) return std::nullopt;
  text.pop_back();
  return text;
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
  if (failures.empty())
    if (auto failed = check_expectations(s, m)) failures.push_back(*failed);
  if (failures.empty()) return verdict;
  verdict.status = RunStatus::failed;
  verdict.failure = failures.front();
  return verdict;
}

}  // namespace meshsim
