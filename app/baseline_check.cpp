#include "app/baseline_check.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "sim/errors.h"

namespace meshsim::cli {

double Tolerances::for_metric(const std::string& name) const {
  auto it = per_metric.find(name);
  return it == per_metric.end() ? relative : it->second;
}

void parse_tolerance(const std::string& text, Tolerances& into) {
  const size_t eq = text.find('=');
  const std::string name = eq == std::string::npos ? "" : text.substr(0, eq);
  std::string value = eq == std::string::npos ? text : text.substr(eq + 1);
  const bool percent = !value.empty() && value.back() == '%';
  if (percent) value.pop_back();
  char* end = nullptr;
  double v = value.empty() ? NAN : std::strtod(value.c_str(), &end);
  if (std::isnan(v) || end != value.c_str() + value.size() || v < 0 || std::isinf(v) || (eq != std::string::npos && name.empty()))
    throw ScenarioError("--tolerance " + text + ": expected a relative move like 10% or 0.1, or METRIC=5%");
  if (percent) v /= 100;
  if (name.empty()) into.relative = v;
  else into.per_metric[name] = v;
}

size_t seeds_needed(double alpha) {
  // The smallest two-sided p of the exact signed-rank test with n pairs is 2 / 2^n.
  size_t n = 1;
  while (n < 60 && 2.0 / std::ldexp(1.0, static_cast<int>(n)) >= alpha) ++n;
  return n;
}

bool ScenarioCheck::regression(const Tolerances& t) const {
  if (!in_suite || !verdict_worse.empty()) return true;
  if (!changed.empty() && !t.allow_behaviour_change) return true;
  return std::any_of(moves.begin(), moves.end(), [](const MetricMove& m) { return m.regression; });
}

namespace {

const BaselineScenario* find_scenario(const Baseline& b, const std::string& file) {
  for (const BaselineScenario& s : b.scenarios)
    if (s.file == file) return &s;
  return nullptr;
}

const BaselineRun* find_run(const BaselineScenario& s, uint64_t seed) {
  for (const BaselineRun& r : s.runs)
    if (r.seed == seed) return &r;
  return nullptr;
}

// Each metric that every run on both sides reports, as paired samples in seed order.
std::vector<MetricMove> metric_moves(const BaselineScenario& before, const BaselineScenario& now, const Tolerances& t) {
  std::vector<const BaselineRun*> a, b;
  for (const BaselineRun& r : now.runs)
    if (const BaselineRun* old = find_run(before, r.seed)) {
      a.push_back(old);
      b.push_back(&r);
    }
  std::vector<MetricMove> moves;
  if (a.empty()) return moves;
  for (const auto& [name, unused] : a.front()->metrics) {
    if (!t.metrics.empty() && std::find(t.metrics.begin(), t.metrics.end(), name) == t.metrics.end()) continue;
    std::vector<double> xs, ys;
    for (size_t i = 0; i < a.size(); ++i) {
      auto x = a[i]->metrics.find(name), y = b[i]->metrics.find(name);
      if (x == a[i]->metrics.end() || y == b[i]->metrics.end() || !std::isfinite(x->second) || !std::isfinite(y->second)) break;
      xs.push_back(x->second);
      ys.push_back(y->second);
    }
    if (xs.size() != a.size() || xs == ys) continue;
    MetricMove m;
    m.metric = name;
    m.before = stats::summarize(xs);
    m.after = stats::summarize(ys);
    m.difference = stats::compare_samples(xs, ys, true, 1);
    m.tolerance = t.for_metric(name);
    // A median that leaves zero moved infinitely far; relative is NaN then.
    const double move = std::isnan(m.difference.relative) ? INFINITY : std::fabs(m.difference.relative);
    if (move <= m.tolerance) continue;
    m.significant = m.difference.p_value < t.alpha;
    m.regression = m.significant;
    moves.push_back(m);
  }
  return moves;
}

}  // namespace

std::vector<ScenarioCheck> check_against(const Baseline& before, const Baseline& now, const Tolerances& t) {
  std::vector<ScenarioCheck> out;
  for (const BaselineScenario& s : now.scenarios) {
    ScenarioCheck c;
    c.file = s.file;
    c.name = s.name;
    c.runs = s.runs.size();
    const BaselineScenario* old = find_scenario(before, s.file);
    if (!old) {
      c.in_baseline = false;
      out.push_back(c);
      continue;
    }
    c.text_changed = old->text != s.text;
    for (const BaselineRun& r : s.runs) {
      const BaselineRun* o = find_run(*old, r.seed);
      if (!o) continue;
      RunChange change{r.seed, o->fingerprint, r.fingerprint, o->status, r.status};
      if (o->fingerprint != r.fingerprint) c.changed.push_back(change);
      if (o->status == "complete" && r.status != "complete") c.verdict_worse.push_back(change);
    }
    c.moves = metric_moves(*old, s, t);
    out.push_back(std::move(c));
  }
  for (const BaselineScenario& s : before.scenarios)
    if (!find_scenario(now, s.file)) {
      ScenarioCheck c;
      c.file = s.file;
      c.name = s.name;
      c.in_suite = false;
      out.push_back(c);
    }
  return out;
}

}  // namespace meshsim::cli
