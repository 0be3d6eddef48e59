#include "app/compare_analysis.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "app/sweep_runner.h"
#include "sim/scenario/config_section.h"

namespace meshsim::cli {

namespace {

// Seeds paired when both variants ran the same seeds under the same fault schedule (same
// fault kinds at the same times, seed by seed): then a seed's two runs met the same
// conditions and their difference is the fairer measure. The nodes a fault hits may
// differ ("the leader" is not "the primary"), which is why only time and kind count.
std::string pairing_of(const VariantSamples& a, const VariantSamples& b, bool unpaired, bool& paired) {
  paired = false;
  if (unpaired) return "unpaired (--unpaired)";
  if (a.samples.seeds != b.samples.seeds) return "unpaired: the variants did not finish the same seeds";
  for (size_t i = 0; i < a.samples.faults.size() && i < b.samples.faults.size(); ++i) {
    const auto& fa = a.samples.faults[i];
    const auto& fb = b.samples.faults[i];
    bool same = fa.size() == fb.size();
    for (size_t k = 0; same && k < fa.size(); ++k) same = fa[k].sim_time_ns == fb[k].sim_time_ns && fa[k].kind == fb[k].kind;
    if (!same) return "unpaired: the fault schedules differ (seed " + std::to_string(a.samples.seeds[i]) + ")";
  }
  paired = true;
  return "paired by seed (same seeds, same fault schedule)";
}

SeriesBand band_of(const std::vector<std::vector<std::pair<int64_t, double>>>& runs) {
  SeriesBand band;
  if (runs.empty()) return band;
  // Every run samples at the same simulated times; a run that ended early (none should)
  // simply contributes to fewer points.
  for (size_t k = 0; k < runs.front().size(); ++k) {
    const int64_t t = runs.front()[k].first;
    std::vector<double> values;
    for (const auto& run : runs)
      if (k < run.size() && run[k].first == t) values.push_back(run[k].second);
    stats::Summary s = stats::summarize(values);
    band.t_ns.push_back(t);
    band.mean.push_back(s.mean);
    band.q1.push_back(s.q1);
    band.q3.push_back(s.q3);
  }
  return band;
}

std::vector<std::string> shared_metrics(const std::vector<VariantSamples>& variants) {
  std::vector<std::string> out;
  for (const auto& [name, values] : variants.front().samples.values) {
    bool everywhere = true;
    for (const auto& v : variants) everywhere = everywhere && v.samples.values.count(name);
    if (everywhere) out.push_back(name);
  }
  return out;
}

}  // namespace

std::string percent(double relative) {
  if (std::isnan(relative)) return "n/a";
  char buf[32];
  double pct = relative * 100;
  std::snprintf(buf, sizeof buf, std::fabs(pct) < 9.95 ? "%+.1f %%" : "%+.0f %%", pct);
  return buf;
}

std::string p_text(double p) {
  if (p < 0.001) return "p < 0.001";
  char buf[32];
  std::snprintf(buf, sizeof buf, "p = %.3f", p);
  return buf;
}

CompareResult analyse(std::vector<VariantSamples> variants, const AnalysisOptions& options) {
  CompareResult result;
  result.alpha = options.alpha;
  for (const auto& v : variants)
    if (v.samples.run_ids.size() < 2)
      throw ScenarioError("variant " + v.variant.name + ": " + std::to_string(v.samples.run_ids.size()) +
                          " finished runs; a comparison needs at least two (more seeds: --seeds 1..30)");
  std::vector<std::string> shared = shared_metrics(variants);
  if (!options.metrics.empty()) {
    for (const auto& m : options.metrics) {
      if (std::find(shared.begin(), shared.end(), m) != shared.end()) {
        result.metrics.push_back(m);
        continue;
      }
      // A metric can be missing from some runs only (a coverage time is not measured
      // when no rumor reached that coverage): name the variant that lacks it.
      std::string lacking;
      for (const auto& v : variants)
        if (!v.samples.values.count(m)) lacking += (lacking.empty() ? "" : ", ") + v.variant.name;
      throw ScenarioError("--metrics " + m + ": not measured in every run of " + lacking +
                          " (a metric must be in every run to be compared; meshsim protocols lists each protocol's metrics)");
    }
  } else {
    for (const auto& m : shared)
      if (options.all_metrics || is_main_metric(m)) result.metrics.push_back(m);
    if (result.metrics.empty()) result.metrics = shared;  // a protocol with no "main" metrics: all of them
  }

  for (size_t k = 1; k < variants.size(); ++k) {
    VariantComparison c;
    c.baseline = 0;
    c.variant = k;
    bool paired = false;
    c.pairing = pairing_of(variants[0], variants[k], options.unpaired, paired);
    std::vector<double> p_values;
    for (const auto& name : result.metrics) {
      const auto& a = variants[0].samples.values.at(name);
      const auto& b = variants[k].samples.values.at(name);
      MetricComparison m;
      m.metric = name;
      m.baseline = stats::summarize(a);
      m.variant = stats::summarize(b);
      m.difference = stats::compare_samples(a, b, paired);
      p_values.push_back(m.difference.p_value);
      c.metrics.push_back(m);
    }
    // Rank tests have a floor: 2 / 2^n signed-rank patterns, or 2 / C(n1 + n2, n1) orderings.
    const double n1 = static_cast<double>(variants[0].samples.run_ids.size());
    const double n2 = static_cast<double>(variants[k].samples.run_ids.size());
    c.smallest_p = paired ? 2 * std::pow(0.5, n1) : 2 / std::exp(std::lgamma(n1 + n2 + 1) - std::lgamma(n1 + 1) - std::lgamma(n2 + 1));
    std::vector<double> adjusted = stats::holm_adjust(p_values);
    for (size_t i = 0; i < c.metrics.size(); ++i) {
      MetricComparison& m = c.metrics[i];
      m.p_holm = adjusted[i];
      // An interval that includes "no change" is not a finding, whatever the test says;
      // with a zero baseline (no relative change) the test alone decides.
      const stats::Difference& d = m.difference;
      bool interval_clear = std::isnan(d.ci_low) || d.ci_low > 0 || d.ci_high < 0;
      m.significant = m.p_holm < options.alpha && interval_clear;
    }
    result.comparisons.push_back(std::move(c));
  }
  result.series.resize(variants.size());
  for (size_t v = 0; v < variants.size(); ++v)
    for (const auto& [name, runs] : variants[v].samples.series) result.series[v].emplace_back(name, band_of(runs));
  result.variants = std::move(variants);
  return result;
}

std::string verdict_line(const CompareResult& result, const VariantComparison& c, const MetricComparison& m) {
  const stats::Difference& d = m.difference;
  std::string line = result.variants[c.variant].variant.name + ": " + m.metric + " ";
  if (std::isnan(d.relative)) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%g -> %g (median; no relative change from 0)", m.baseline.median, m.variant.median);
    line += buf;
  } else {
    line += percent(d.relative) + " [" + percent(d.ci_low) + ", " + percent(d.ci_high) + "]";
  }
  line += ", " + p_text(m.p_holm);
  return line;
}

}  // namespace meshsim::cli
