// The statistics behind `meshsim compare` (app/stats/stats.h), checked against textbook
// values. Every p-value here was also computed with SciPy 1.10
// (scipy.stats.mannwhitneyu / wilcoxon), and the small exact ones by hand as noted.
#include <doctest/doctest.h>

#include <cmath>

#include "app/stats/stats.h"

using namespace meshsim::stats;

TEST_CASE("compare stats: summary uses type-7 quantiles like R and NumPy") {
  Summary s = summarize({7, 1, 3, 5, 9, 11, 2, 4});
  CHECK(s.n == 8);
  CHECK(s.min == 1);
  CHECK(s.max == 11);
  CHECK(s.median == doctest::Approx(4.5));
  CHECK(s.q1 == doctest::Approx(2.75));  // numpy.percentile([1,2,3,4,5,7,9,11], 25)
  CHECK(s.q3 == doctest::Approx(7.5));
  CHECK(s.mean == doctest::Approx(5.25));
  Summary empty = summarize({});
  CHECK(empty.n == 0);
  CHECK(std::isnan(empty.median));
}

TEST_CASE("compare stats: Mann-Whitney U, exact small sample") {
  // U = 17 of 20 for a; P(U >= 17) = P(U <= 3) = (1 + 1 + 2 + 3) / C(9,4) = 7/126 by
  // counting partitions, so the two-sided p is 14/126 = 0.1111.
  std::vector<double> a{19, 22, 16, 29, 24}, b{20, 11, 17, 12};
  CHECK(mann_whitney_u(a, b) == 17);
  CHECK(mann_whitney_p(a, b) == doctest::Approx(14.0 / 126));
  CHECK(mann_whitney_p(b, a) == doctest::Approx(14.0 / 126));
}

TEST_CASE("compare stats: Mann-Whitney U, normal approximation with ties") {
  std::vector<double> a{1, 2, 2, 3, 3, 3, 4, 5, 6, 7, 8, 8, 9, 10, 11, 12, 12, 13, 14, 15, 16};
  std::vector<double> b{3, 4, 5, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 18, 19, 20, 21, 22};
  CHECK(mann_whitney_u(a, b) == doctest::Approx(127.5));
  CHECK(mann_whitney_p(a, b) == doctest::Approx(0.012219006818).epsilon(1e-9));
}

TEST_CASE("compare stats: Wilcoxon signed-rank, exact (Hollander & Wolfe depression data)") {
  std::vector<double> before{1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30};
  std::vector<double> after{0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29};
  CHECK(wilcoxon_signed_rank_p(before, after) == doctest::Approx(0.0390625));  // 20/512
}

TEST_CASE("compare stats: Wilcoxon signed-rank, zeros dropped and ties corrected") {
  std::vector<double> x{125, 115, 130, 140, 140, 115, 140, 125, 140, 135};
  std::vector<double> y{110, 122, 125, 120, 140, 124, 123, 137, 135, 145};
  CHECK(wilcoxon_signed_rank_p(x, y) == doctest::Approx(0.635289318835).epsilon(1e-9));
}

TEST_CASE("compare stats: nothing to rank gives p = 1") {
  CHECK(mann_whitney_p({3, 3, 3}, {3, 3, 3}) == 1.0);
  CHECK(wilcoxon_signed_rank_p({1, 2, 3}, {1, 2, 3}) == 1.0);
  CHECK(mann_whitney_p({}, {1, 2}) == 1.0);
}

TEST_CASE("compare stats: Holm-Bonferroni adjustment") {
  std::vector<double> adjusted = holm_adjust({0.01, 0.04, 0.03, 0.005});
  REQUIRE(adjusted.size() == 4);
  CHECK(adjusted[0] == doctest::Approx(0.03));
  CHECK(adjusted[1] == doctest::Approx(0.06));
  CHECK(adjusted[2] == doctest::Approx(0.06));
  CHECK(adjusted[3] == doctest::Approx(0.02));
}

namespace {
// 30 per-seed values with a long tail, like request latencies over seeds.
std::vector<double> skewed_sample(double scale, double offset) {
  std::vector<double> v;
  for (int i = 0; i < 30; ++i) v.push_back(scale * (100 + 3 * i + (i % 7) * (i % 5) * 2.5) + offset);
  return v;
}
}  // namespace

TEST_CASE("compare stats: identical samples show no difference") {
  auto a = skewed_sample(1, 0);
  for (bool paired : {false, true}) {
    Difference d = compare_samples(a, a, paired);
    CHECK(d.relative == 0);
    CHECK(d.p_value == 1.0);
    CHECK(d.ci_low <= 0);
    CHECK(d.ci_high >= 0);
    CHECK(d.paired == paired);
  }
}

TEST_CASE("compare stats: a planted 20 % increase is found, with its sign, paired or not") {
  auto a = skewed_sample(1, 0), b = skewed_sample(1.2, 0);
  Difference unpaired = compare_samples(a, b, false);
  CHECK(unpaired.relative == doctest::Approx(0.2));
  CHECK(unpaired.p_value < 0.01);
  CHECK(unpaired.ci_low > 0);  // the interval excludes "no change"
  CHECK(unpaired.ci_high < 0.5);
  Difference paired = compare_samples(a, b, true);
  CHECK(paired.p_value < 1e-5);  // every pair moves up (tied magnitudes: normal approximation)
  CHECK(paired.ci_low > 0.15);
  CHECK(paired.ci_high < 0.25);
  Difference down = compare_samples(b, a, false);
  CHECK(down.relative == doctest::Approx(-1.0 / 6));
  CHECK(down.ci_high < 0);
}

TEST_CASE("compare stats: the bootstrap is deterministic for a seed") {
  auto a = skewed_sample(1, 0), b = skewed_sample(1.1, 3);
  Difference first = compare_samples(a, b, false, 7), again = compare_samples(a, b, false, 7);
  CHECK(first.ci_low == again.ci_low);
  CHECK(first.ci_high == again.ci_high);
}

TEST_CASE("compare stats: a zero baseline has no relative change") {
  Difference d = compare_samples({0, 0, 0, 0}, {1, 2, 1, 2}, false);
  CHECK(std::isnan(d.relative));
  CHECK(std::isnan(d.ci_low));
  Difference both_zero = compare_samples({0, 0, 0}, {0, 0, 0}, false);
  CHECK(both_zero.relative == 0);
}
