// Holding a suite's new runs against its baseline (meshsim baseline check): which
// scenarios behave differently (fingerprints, verdicts) and which metrics moved, by how
// much and how surely. Metrics are compared per scenario across the seeds, as paired
// samples (seed k of the baseline against seed k now: both draw the same topology and
// fault schedule from the seed), with app/stats: the relative move of the median, its
// bootstrap interval and the Wilcoxon signed-rank p-value.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/baseline_file.h"
#include "app/stats/stats.h"

namespace meshsim::cli {

struct Tolerances {
  double relative = 0.10;                    // --tolerance 10%: the largest move of a median that passes
  std::map<std::string, double> per_metric;  // --tolerance NAME=5%
  double alpha = 0.01;                       // a move counts only when its p-value is below this
  bool allow_behaviour_change = false;       // a changed fingerprint alone does not fail the check
  std::vector<std::string> metrics;          // --metrics: compare only these (empty: all)
  double for_metric(const std::string& name) const;
};

// "10%", "0.1", or "NAME=5%" for one metric; throws ScenarioError saying what is wrong.
void parse_tolerance(const std::string& text, Tolerances& into);

struct MetricMove {
  std::string metric;
  stats::Summary before, after;
  stats::Difference difference;
  double tolerance = 0;
  bool significant = false;  // p < alpha
  bool regression = false;   // beyond tolerance and significant
};

struct RunChange {
  uint64_t seed = 0;
  uint64_t fingerprint_before = 0, fingerprint_after = 0;
  std::string status_before, status_after;
};

struct ScenarioCheck {
  std::string file, name;
  bool in_baseline = true, in_suite = true;
  bool text_changed = false;
  size_t runs = 0;
  std::vector<RunChange> changed;         // fingerprint differs
  std::vector<RunChange> verdict_worse;   // complete before, not now
  std::vector<MetricMove> moves;          // beyond tolerance (significant or not)
  bool regression(const Tolerances& t) const;
};

std::vector<ScenarioCheck> check_against(const Baseline& before, const Baseline& now, const Tolerances& t);

// The smallest number of seeds with which a paired test can reach p < alpha at all; fewer
// seeds can never flag a metric.
size_t seeds_needed(double alpha);

}  // namespace meshsim::cli
