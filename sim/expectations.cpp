#include "sim/expectations.h"

#include <sstream>

namespace meshsim {

std::optional<std::string> check_expectations(const Scenario& s, const Metrics& m) {
  std::ostringstream failures;
  for (const Expectation& e : s.expectations) {
    auto it = m.scalars().find(e.metric);
    std::ostringstream where;
    where << s.path << ":" << e.line << ": expect." << e.metric << " " << e.op << " " << e.value;
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

}  // namespace meshsim
