// Statistics for comparing variants over many seeds (meshsim compare, and the baseline /
// regression check). Per-seed results of a simulation are rarely normal (latency tails,
// bimodal elections), so everything here is rank- or resampling-based: medians and
// quartiles, a bootstrap confidence interval, Mann–Whitney U (independent seeds) or the
// Wilcoxon signed-rank test (seeds paired by a shared fault schedule), and Holm's
// correction when many metrics are tested at once. Deterministic: the bootstrap draws
// from a fixed seed, so the same samples always give the same numbers.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace meshsim::stats {

// Quantiles use linear interpolation between order statistics (Hyndman & Fan type 7, the
// default of R, NumPy and spreadsheets), so the numbers match what a user checks by hand.
// An empty sample gives n = 0 and NaN everywhere else.
struct Summary {
  double median, q1, q3, min, max, mean;
  size_t n;
};
Summary summarize(std::vector<double> values);

// b against a. relative = (median_b - median_a) / |median_a| (NaN when median_a is 0 and
// median_b is not; 0 when both are 0). [ci_low, ci_high] is a 95 % percentile bootstrap
// interval on `relative`. p_value is two-sided: Mann–Whitney U when unpaired, Wilcoxon
// signed-rank when paired (a[i] and b[i] ran the same seed).
struct Difference {
  double relative, ci_low, ci_high, p_value;
  bool paired;
};
Difference compare_samples(const std::vector<double>& a, const std::vector<double>& b, bool paired,
                           uint64_t seed = 1);

// Two-sided p-values of the two rank tests, exposed for reuse and for tests. Exact when
// the samples are small and free of ties (the normal approximation is poor there);
// otherwise the normal approximation with tie and continuity corrections. 1 when there
// is nothing to rank (an empty sample, or every value equal).
double mann_whitney_p(const std::vector<double>& a, const std::vector<double>& b);
double wilcoxon_signed_rank_p(const std::vector<double>& a, const std::vector<double>& b);  // a.size() == b.size()
// Mann–Whitney's U statistic for sample a (ties count one half).
double mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b);

// Holm–Bonferroni step-down adjustment: testing m metrics at once, the adjusted p-values
// keep the chance of any false "significant" at or below alpha. Same order as the input.
std::vector<double> holm_adjust(const std::vector<double>& p_values);

}  // namespace meshsim::stats
