// The statistics of `meshsim compare`: every variant against the first (the baseline),
// metric by metric, over seeds. Significance is honest about testing many metrics at once:
// p-values are adjusted with Holm–Bonferroni across the metrics of one comparison, and a
// difference counts only when the adjusted p is below alpha AND the bootstrap interval of
// the relative change excludes zero.
#pragma once
#include <string>
#include <vector>

#include "app/compare_variants.h"
#include "app/stats/stats.h"

namespace meshsim::cli {

struct AnalysisOptions {
  std::vector<std::string> metrics;  // --metrics: exactly these (each must be shared)
  bool all_metrics = false;          // --all-metrics: every shared metric, not only the main ones
  bool unpaired = false;             // --unpaired: never pair by seed
  double alpha = 0.05;
};

struct MetricComparison {
  std::string metric;
  stats::Summary baseline, variant;
  stats::Difference difference;
  double p_holm = 1;
  bool significant = false;
};

struct VariantComparison {
  size_t baseline = 0, variant = 0;  // indexes into CompareResult::variants
  std::string pairing;               // why paired or not, in words
  double smallest_p = 0;             // the smallest p-value the test can give with these sample sizes
  std::vector<MetricComparison> metrics;
};

// A time series across seeds: at each sample time, the mean and the quartiles.
struct SeriesBand {
  std::vector<int64_t> t_ns;
  std::vector<double> mean, q1, q3;
};

struct CompareResult {
  std::vector<VariantSamples> variants;
  std::vector<std::string> metrics;  // compared, in order
  std::vector<VariantComparison> comparisons;
  std::vector<std::vector<std::pair<std::string, SeriesBand>>> series;  // per variant
  double alpha = 0.05;
};

// Throws ScenarioError for a --metrics name that not every variant has, or a variant with
// fewer than two finished runs.
CompareResult analyse(std::vector<VariantSamples> variants, const AnalysisOptions& options);

// "pbft: op_latency_ns_p99 +38 % [31 %, 45 %], p < 0.001"
std::string verdict_line(const CompareResult& result, const VariantComparison& c, const MetricComparison& m);
// "12.3 ms", "+38 %", "p < 0.001" as the table and the verdicts write them.
std::string percent(double relative);
std::string p_text(double p);

}  // namespace meshsim::cli
