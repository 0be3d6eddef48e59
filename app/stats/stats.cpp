#include "app/stats/stats.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>

#include <boost/math/distributions/normal.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>

namespace meshsim::stats {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Resamples per bootstrap: enough for a stable 2.5 % / 97.5 % percentile (Efron &
// Tibshirani ch. 13 suggest 1000 or more for percentile intervals), cheap for 30 seeds.
constexpr int kBootstrapResamples = 2000;
// Largest n1 * n2 for which Mann–Whitney's p-value is computed exactly (a table of
// n1 * n2 * (n1 * n2) counts); beyond it the normal approximation is good.
constexpr size_t kExactMannWhitneyCells = 400;
// Largest n for the exact signed-rank distribution (counts up to 2^50 stay exact in a double).
constexpr size_t kExactWilcoxonN = 50;

// Quantile of sorted values, Hyndman & Fan type 7.
double quantile_sorted(const std::vector<double>& v, double p) {
  if (v.empty()) return kNaN;
  double h = (static_cast<double>(v.size()) - 1) * p;
  size_t lo = static_cast<size_t>(std::floor(h));
  if (lo + 1 >= v.size()) return v.back();
  return v[lo] + (h - static_cast<double>(lo)) * (v[lo + 1] - v[lo]);
}

// Median without a full sort (the bootstrap calls this thousands of times).
double median_of(std::vector<double>& v) {
  if (v.empty()) return kNaN;
  size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

double relative_change(double median_a, double median_b) {
  if (median_a == 0) return median_b == 0 ? 0.0 : kNaN;
  return (median_b - median_a) / std::fabs(median_a);
}

// Average ranks (1-based) of `values`, and the tie term sum(t^3 - t) over groups of equal values.
std::vector<double> average_ranks(const std::vector<double>& values, double& tie_term) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return values[x] < values[y]; });
  std::vector<double> ranks(values.size());
  tie_term = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2 + 1;
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
    double t = static_cast<double>(j - i + 1);
    tie_term += t * t * t - t;
    i = j + 1;
  }
  return ranks;
}

// Two-sided p-value of a statistic whose null distribution is normal(mean, sd), with a
// continuity correction of one half (the statistics move in steps of at least one half).
// Boost.Math gives the tail: no hand-written erfc.
double normal_two_sided(double statistic, double mean, double sd) {
  if (!(sd > 0)) return 1.0;
  double z = std::max(0.0, std::fabs(statistic - mean) - 0.5) / sd;
  boost::math::normal_distribution<double> standard;
  return std::min(1.0, 2 * boost::math::cdf(boost::math::complement(standard, z)));
}

// Exact two-sided p-value from counts[k] = number of equally likely outcomes whose
// statistic is k (a whole number: only tie-free samples get here): 2 * min(lower, upper tail).
double exact_two_sided(const std::vector<double>& counts, size_t observed) {
  double total = std::accumulate(counts.begin(), counts.end(), 0.0);
  double lower = std::accumulate(counts.begin(), counts.begin() + static_cast<std::ptrdiff_t>(observed) + 1, 0.0);
  double upper = std::accumulate(counts.begin() + static_cast<std::ptrdiff_t>(observed), counts.end(), 0.0);
  return std::min(1.0, 2 * std::min(lower, upper) / total);
}

// Number of orderings of n1 + n2 distinct values giving each U (0 .. n1 n2): the
// recurrence f(u; m, n) = f(u - n; m - 1, n) + f(u; m, n - 1) (Mann & Whitney 1947).
std::vector<double> mann_whitney_counts(size_t n1, size_t n2) {
  const size_t cells = n1 * n2 + 1;
  // table[m][n] is the distribution for sizes (m, n); rows are built from smaller ones.
  std::vector<std::vector<std::vector<double>>> table(n1 + 1, std::vector<std::vector<double>>(n2 + 1));
  for (size_t m = 0; m <= n1; ++m) {
    for (size_t n = 0; n <= n2; ++n) {
      std::vector<double> f(cells, 0.0);
      if (m == 0 || n == 0) {
        f[0] = 1;
      } else {
        const auto& take_a = table[m - 1][n];
        const auto& take_b = table[m][n - 1];
        for (size_t u = 0; u < cells; ++u) {
          if (u >= n) f[u] += take_a[u - n];
          f[u] += take_b[u];
        }
      }
      table[m][n] = std::move(f);
    }
  }
  return table[n1][n2];
}

// Number of sign assignments of ranks 1..n giving each W+ (0 .. n(n+1)/2).
std::vector<double> signed_rank_counts(size_t n) {
  std::vector<double> f(n * (n + 1) / 2 + 1, 0.0);
  f[0] = 1;
  for (size_t r = 1; r <= n; ++r)
    for (size_t w = f.size() - 1; w >= r; --w) f[w] += f[w - r];
  return f;
}

}  // namespace

Summary summarize(std::vector<double> values) {
  if (values.empty()) return Summary{kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, 0};
  std::sort(values.begin(), values.end());
  double sum = std::accumulate(values.begin(), values.end(), 0.0);
  return Summary{quantile_sorted(values, 0.5), quantile_sorted(values, 0.25), quantile_sorted(values, 0.75),
                 values.front(), values.back(), sum / static_cast<double>(values.size()), values.size()};
}

double mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> pooled(a);
  pooled.insert(pooled.end(), b.begin(), b.end());
  double tie_term = 0;
  std::vector<double> ranks = average_ranks(pooled, tie_term);
  double rank_sum_a = std::accumulate(ranks.begin(), ranks.begin() + static_cast<std::ptrdiff_t>(a.size()), 0.0);
  double n1 = static_cast<double>(a.size());
  return rank_sum_a - n1 * (n1 + 1) / 2;
}

double mann_whitney_p(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.empty() || b.empty()) return 1.0;
  std::vector<double> pooled(a);
  pooled.insert(pooled.end(), b.begin(), b.end());
  double tie_term = 0;
  average_ranks(pooled, tie_term);
  const double u = mann_whitney_u(a, b);
  const double n1 = static_cast<double>(a.size()), n2 = static_cast<double>(b.size()), n = n1 + n2;
  if (tie_term == 0 && a.size() * b.size() <= kExactMannWhitneyCells)
    return exact_two_sided(mann_whitney_counts(a.size(), b.size()), static_cast<size_t>(std::llround(u)));
  // Variance with the tie correction (Lehmann, Nonparametrics, 1975, eq. 1.52).
  double variance = n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1)));
  return normal_two_sided(u, n1 * n2 / 2, std::sqrt(std::max(0.0, variance)));
}

double wilcoxon_signed_rank_p(const std::vector<double>& a, const std::vector<double>& b) {
  assert(a.size() == b.size());
  // Zero differences are dropped (Wilcoxon's original treatment): a seed on which both
  // variants agree says nothing about the direction of a change.
  std::vector<double> magnitudes, signs;
  for (size_t i = 0; i < a.size(); ++i) {
    double d = b[i] - a[i];
    if (d == 0 || std::isnan(d)) continue;
    magnitudes.push_back(std::fabs(d));
    signs.push_back(d > 0 ? 1 : -1);
  }
  if (magnitudes.empty()) return 1.0;
  double tie_term = 0;
  std::vector<double> ranks = average_ranks(magnitudes, tie_term);
  double w_plus = 0;
  for (size_t i = 0; i < ranks.size(); ++i)
    if (signs[i] > 0) w_plus += ranks[i];
  const size_t n = magnitudes.size();
  if (tie_term == 0 && n <= kExactWilcoxonN)
    return exact_two_sided(signed_rank_counts(n), static_cast<size_t>(std::llround(w_plus)));
  const double nd = static_cast<double>(n);
  double variance = nd * (nd + 1) * (2 * nd + 1) / 24 - tie_term / 48;
  return normal_two_sided(w_plus, nd * (nd + 1) / 4, std::sqrt(std::max(0.0, variance)));
}

Difference compare_samples(const std::vector<double>& a, const std::vector<double>& b, bool paired, uint64_t seed) {
  assert(!paired || a.size() == b.size());
  Difference d{kNaN, kNaN, kNaN, 1.0, paired};
  if (a.empty() || b.empty()) return d;
  std::vector<double> ra(a), rb(b);
  d.relative = relative_change(median_of(ra), median_of(rb));
  d.p_value = paired ? wilcoxon_signed_rank_p(a, b) : mann_whitney_p(a, b);

  // Percentile bootstrap over seeds: resample seeds with replacement (both variants at
  // the same seeds when paired, so the pairing survives) and take the relative change of
  // medians each time. Boost.Random with a fixed seed keeps it reproducible everywhere.
  boost::random::mt19937_64 rng(seed);
  boost::random::uniform_int_distribution<size_t> pick_a(0, a.size() - 1), pick_b(0, b.size() - 1);
  std::vector<double> changes;
  changes.reserve(kBootstrapResamples);
  for (int r = 0; r < kBootstrapResamples; ++r) {
    for (size_t i = 0; i < ra.size(); ++i) {
      size_t k = pick_a(rng);
      ra[i] = a[k];
      if (paired) rb[i] = b[k];
    }
    if (!paired)
      for (size_t i = 0; i < rb.size(); ++i) rb[i] = b[pick_b(rng)];
    double change = relative_change(median_of(ra), median_of(rb));
    if (!std::isnan(change)) changes.push_back(change);
  }
  // An interval from a minority of resamples (the rest had a zero baseline) would mislead.
  if (changes.size() * 2 < static_cast<size_t>(kBootstrapResamples)) return d;
  std::sort(changes.begin(), changes.end());
  d.ci_low = quantile_sorted(changes, 0.025);
  d.ci_high = quantile_sorted(changes, 0.975);
  return d;
}

std::vector<double> holm_adjust(const std::vector<double>& p_values) {
  const size_t m = p_values.size();
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return p_values[x] < p_values[y]; });
  std::vector<double> adjusted(m);
  double running = 0;  // adjusted p-values never decrease along the sorted order
  for (size_t k = 0; k < m; ++k) {
    running = std::max(running, std::min(1.0, static_cast<double>(m - k) * p_values[order[k]]));
    adjusted[order[k]] = running;
  }
  return adjusted;
}

}  // namespace meshsim::stats
