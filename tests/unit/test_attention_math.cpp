// The attention maths of protocols/attention against weights computed by hand on small
// inputs and against a direct, loop-by-loop computation of multi-head attention; the
// outlier rule with its cap; the vote; and centralities on small graphs.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "protocols/attention/attention_math.h"
#include "protocols/attention/centrality.h"
#include "protocols/attention/embedding.h"
#include "sim/rng.h"

using namespace meshsim;
using namespace meshsim::attention;

namespace {

// Multi-head attention written out with loops, the way the paper states it, for comparison.
struct Direct {
  std::vector<double> weights;
  std::vector<std::vector<double>> output;
};
Direct direct_attention(const Eigen::MatrixXd& x, const Projections& p) {
  const int m = static_cast<int>(x.rows()), d = static_cast<int>(x.cols()), dk = d / static_cast<int>(p.heads);
  Direct r{std::vector<double>(m, 0.0), std::vector<std::vector<double>>(m, std::vector<double>(d, 0.0))};
  for (uint32_t h = 0; h < p.heads; ++h) {
    auto q = [&](int i, int c) {
      if (p.identity) return x(i, h * dk + c);
      double s = 0;
      for (int k = 0; k < d; ++k) s += x(i, k) * p.query[h](k, c);
      return s;
    };
    auto key = [&](int i, int c) {
      if (p.identity) return x(i, h * dk + c);
      double s = 0;
      for (int k = 0; k < d; ++k) s += x(i, k) * p.key[h](k, c);
      return s;
    };
    for (int i = 0; i < m; ++i) {
      std::vector<double> e(m, 0.0);
      double sum = 0;
      for (int j = 0; j < m; ++j) {
        if (j == i) continue;
        double s = 0;
        for (int c = 0; c < dk; ++c) s += q(i, c) * key(j, c);
        e[j] = std::exp(s / std::sqrt(static_cast<double>(dk)));
        sum += e[j];
      }
      for (int j = 0; j < m; ++j) {
        const double a = e[j] / sum;
        r.weights[j] += a / m / p.heads;
        for (int c = 0; c < dk; ++c) r.output[i][h * dk + c] += a * x(j, h * dk + c);
      }
    }
  }
  return r;
}

}  // namespace

TEST_CASE("attention: d = 2, three peers, one head, weights as computed by hand") {
  Eigen::MatrixXd x(3, 2);
  x << 1, 0,  //
      0, 1,   //
      1, 0;
  Projections p = make_projections(1, 2, 1, Projection::identity);
  AttentionResult r = attend(x, p, true);
  // Scores are dot products / sqrt(2), self masked. Row a sees b at 0 and c at 1/sqrt 2:
  // softmax gives c q = e^s/(1+e^s), b 1-q. Row b sees a and c at 0: 1/2 each. Row c
  // mirrors row a. Column means: a = c = (1/2 + q)/3, b = 2(1-q)/3.
  const double s = 1 / std::sqrt(2.0);
  const double q = std::exp(s) / (1 + std::exp(s));  // 0.669761
  CHECK(q == doctest::Approx(0.669761).epsilon(1e-6));
  CHECK(r.weights[0] == doctest::Approx((0.5 + q) / 3));
  CHECK(r.weights[1] == doctest::Approx(2 * (1 - q) / 3));
  CHECK(r.weights[2] == doctest::Approx((0.5 + q) / 3));
  CHECK(r.weights[0] == doctest::Approx(0.389920).epsilon(1e-5));
  CHECK(r.weights[1] == doctest::Approx(0.220159).epsilon(1e-5));
  CHECK(r.weights.sum() == doctest::Approx(1.0));
  // Row b's output is the mean of a and c: (1, 0).
  CHECK(r.output(1, 0) == doctest::Approx(1.0));
  CHECK(r.output(1, 1) == doctest::Approx(0.0));
  // Row a's output: (1-q)·b + q·c = (q, 1-q).
  CHECK(r.output(0, 0) == doctest::Approx(q));
  CHECK(r.output(0, 1) == doctest::Approx(1 - q));
  // Multiply-adds: identity projections cost none; scores m·m·dk = 18, outputs 18.
  CHECK(r.multiply_adds == 36);
}

TEST_CASE("attention: one peer alone gets all the weight") {
  Eigen::MatrixXd x(1, 4);
  x << 1, 2, 3, 4;
  AttentionResult r = attend(x, make_projections(1, 4, 2, Projection::identity), true);
  CHECK(r.weights[0] == 1.0);
  CHECK(r.output(0, 3) == 4.0);
}

TEST_CASE("attention: multi-head with identity and random projections matches the direct computation") {
  for (Projection kind : {Projection::identity, Projection::random}) {
    Rng rng(42);
    const int m = 7, d = 12;
    Eigen::MatrixXd x(m, d);
    for (int i = 0; i < x.size(); ++i) x.data()[i] = 2 * rng.unit() - 1;
    Projections p = make_projections(9, d, 3, kind);
    AttentionResult r = attend(x, p, true);
    Direct ref = direct_attention(x, p);
    for (int j = 0; j < m; ++j) CHECK(r.weights[j] == doctest::Approx(ref.weights[j]).epsilon(1e-12));
    for (int i = 0; i < m; ++i)
      for (int c = 0; c < d; ++c) CHECK(r.output(i, c) == doctest::Approx(ref.output[i][c]).epsilon(1e-12));
    CHECK(r.weights.sum() == doctest::Approx(1.0));
    // Projections cost 2·m·d·dk per head when random.
    const uint64_t expected = 3 * (2ull * m * m * 4) + (kind == Projection::random ? 3 * 2ull * m * d * 4 : 0);
    CHECK(r.multiply_adds == expected);
  }
}

TEST_CASE("attention: a far-off embedding receives almost no attention and is flagged") {
  Embedder e(7, 384, 0.1);
  Eigen::MatrixXd x(10, 384);
  for (int i = 0; i < 9; ++i) x.row(i) = e.embed(0.5 + 0.01 * i).transpose();
  x.row(9) = e.embed(10.5).transpose();
  AttentionResult r = attend(x, make_projections(7, 384, 8, Projection::identity), false);
  CHECK(r.weights[9] < 0.01);
  auto flagged = flag_outliers(r.weights, 2.0, 0.33, OutlierSide::both);
  REQUIRE(flagged.size() >= 1);
  CHECK(flagged.back() == 9);
}

TEST_CASE("outlier rule: two standard deviations, both sides or below only") {
  Eigen::VectorXd w(10);
  w << 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.9;  // mean 0.18, sd 0.24: 0.72 > 0.48
  CHECK(flag_outliers(w, 2.0, 0.33, OutlierSide::both) == std::vector<size_t>{9});
  CHECK(flag_outliers(w, 2.0, 0.33, OutlierSide::low).empty());
  CHECK(flag_outliers(w, 3.01, 0.33, OutlierSide::both).empty());  // 0.72 < 3.01 · 0.24
  Eigen::VectorXd edge(5);
  edge << 0.1, 0.1, 0.1, 0.1, 0.6;  // mean 0.2, sd 0.2: 0.4 is exactly 2 sd, not beyond
  CHECK(flag_outliers(edge, 2.0, 0.33, OutlierSide::both).empty());
  Eigen::VectorXd equal = Eigen::VectorXd::Constant(4, 0.25);
  CHECK(flag_outliers(equal, 2.0, 0.33, OutlierSide::both).empty());
}

TEST_CASE("outlier rule: the cap keeps the farthest, at most floor(cap · m)") {
  Eigen::VectorXd w(6);
  w << 0.0, 0.02, 0.0, 0.3, 0.34, 0.34;  // with sigma 0.5 every weight is beyond
  CHECK(flag_outliers(w, 0.5, 1.0, OutlierSide::both).size() == 6);
  // cap 0.33 of 6 = 1.98: one, the farthest from the mean 1/6 (ties to the lower index).
  CHECK(flag_outliers(w, 0.5, 0.33, OutlierSide::both) == std::vector<size_t>{4});
  CHECK(flag_outliers(w, 0.5, 0.34, OutlierSide::both) == std::vector<size_t>{4, 5});
  CHECK(flag_outliers(w, 0.5, 0.0, OutlierSide::both).empty());
}

TEST_CASE("outlier rule: with 2 sigma, Chebyshev bounds the flagged share by 1/4, so a 33 % cap never binds") {
  Rng rng(3);
  for (int trial = 0; trial < 2000; ++trial) {
    const int m = 2 + static_cast<int>(rng.below(40));
    Eigen::VectorXd w(m);
    for (int j = 0; j < m; ++j) w[j] = rng.chance(0.3) ? 10 * rng.unit() : rng.unit();
    CHECK(flag_outliers(w, 2.0, 1.0, OutlierSide::both).size() <= static_cast<size_t>(m) / 4);
  }
}

TEST_CASE("vote: identical proposals pool their scores, flagged rows do not vote, ties go to the smaller value") {
  Eigen::VectorXd s(4);
  s << 0.4, 0.3, 0.2, 0.1;
  CHECK(vote({1, 2, 2, 3}, s, {}) == 1);
  CHECK(vote({1, 2, 2, 3}, s, {1}) == 0);
  CHECK(vote({1, 2, 2, 3}, s, {0, 1, 2, 3}) == -1);
  Eigen::VectorXd t(2);
  t << 0.5, 0.5;
  CHECK(vote({5, 4}, t, {}) == 1);
}

TEST_CASE("centrality: degree and Brandes betweenness on a path, a star and a cycle") {
  // Path 0-1-2-3, edges given in both directions.
  Centralities path = compute_centralities(4, {{0, 1}, {1, 0}, {1, 2}, {2, 1}, {2, 3}, {3, 2}});
  CHECK(path.degree == std::vector<double>{1, 2, 2, 1});
  // Node 1 lies on the shortest paths 0-2 and 0-3; node 2 on 0-3 and 1-3.
  CHECK(path.betweenness == std::vector<double>{0, 2, 2, 0});
  // Star: the centre lies on every one of the C(4,2) = 6 leaf pairs' paths.
  Centralities star = compute_centralities(5, {{0, 1}, {0, 2}, {0, 3}, {0, 4}});
  CHECK(star.degree[0] == 4);
  CHECK(star.betweenness[0] == doctest::Approx(6.0));
  CHECK(star.betweenness[3] == doctest::Approx(0.0));
  // Square cycle 0-1-2-3-0: each opposite pair has two shortest paths, each through one of
  // the two other nodes, so every node gets 1/2.
  Centralities square = compute_centralities(4, {{0, 1}, {1, 2}, {2, 3}, {3, 0}});
  for (double b : square.betweenness) CHECK(b == doctest::Approx(0.5));
}

TEST_CASE("embedding: deterministic from the seed, close values close, far values near-orthogonal") {
  Embedder a(5, 384, 0.1), b(5, 384, 0.1), c(6, 384, 0.1);
  CHECK(a.embed(0.3) == b.embed(0.3));
  CHECK(a.embed(0.3) != c.embed(0.3));
  const double self = a.embed(0.3).squaredNorm() / 384;
  const double near = a.embed(0.3).dot(a.embed(0.31)) / 384;
  const double far = a.embed(0.3).dot(a.embed(3.3)) / 384;
  CHECK(self == doctest::Approx(1.0).epsilon(0.15));
  CHECK(near == doctest::Approx(std::exp(-0.5 * 0.01)).epsilon(0.1));  // kernel exp(-Δ²/2ℓ²)
  CHECK(std::abs(far) < 0.2);
}
