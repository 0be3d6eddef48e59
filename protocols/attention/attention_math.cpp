#include "protocols/attention/attention_math.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <map>

#include <boost/random/normal_distribution.hpp>

#include "protocols/attention/streams.h"
#include "sim/rng.h"

namespace meshsim::attention {

Projections make_projections(uint64_t seed, uint32_t dim, uint32_t heads, Projection kind) {
  Projections p;
  p.heads = heads;
  p.identity = kind == Projection::identity;
  if (p.identity) return p;
  const uint32_t dk = dim / heads;
  boost::random::normal_distribution<double> normal(0.0, 1.0 / std::sqrt(static_cast<double>(dim)));
  for (uint32_t h = 0; h < heads; ++h) {
    Rng rng(derive_stream(seed, StreamKind::attention, kStreamProjection, h));
    Eigen::MatrixXd q(dim, dk), k(dim, dk);
    for (Eigen::Index i = 0; i < q.size(); ++i) q.data()[i] = normal(rng);
    for (Eigen::Index i = 0; i < k.size(); ++i) k.data()[i] = normal(rng);
    p.query.push_back(std::move(q));
    p.key.push_back(std::move(k));
  }
  return p;
}

AttentionResult attend(const Eigen::MatrixXd& X, const Projections& proj, bool want_output) {
  const Eigen::Index m = X.rows(), d = X.cols();
  const Eigen::Index dk = d / proj.heads;
  assert(dk * proj.heads == d);
  AttentionResult r;
  r.weights = Eigen::VectorXd::Zero(m);
  if (want_output) r.output = Eigen::MatrixXd::Zero(m, d);
  if (m == 1) {
    r.weights[0] = 1.0;
    if (want_output) r.output = X;
    return r;
  }
  const double scale = 1.0 / std::sqrt(static_cast<double>(dk));
  const uint64_t um = static_cast<uint64_t>(m), ud = static_cast<uint64_t>(d), udk = static_cast<uint64_t>(dk);
  for (uint32_t h = 0; h < proj.heads; ++h) {
    Eigen::MatrixXd scores;
    if (proj.identity) {
      const auto slice = X.middleCols(h * dk, dk);
      scores = scale * (slice * slice.transpose());
    } else {
      const Eigen::MatrixXd q = X * proj.query[h], k = X * proj.key[h];
      r.multiply_adds += 2 * um * ud * udk;
      scores = scale * (q * k.transpose());
    }
    r.multiply_adds += um * um * udk;
    scores.diagonal().setConstant(-std::numeric_limits<double>::infinity());
    // Row-wise softmax, shifted by the row maximum so exp never overflows.
    Eigen::VectorXd row_max = scores.rowwise().maxCoeff();
    Eigen::MatrixXd a = (scores.colwise() - row_max).array().exp().matrix();
    a = a.array().colwise() / a.rowwise().sum().array();
    r.weights += a.colwise().sum().transpose() / static_cast<double>(m);
    if (want_output) {
      r.output.middleCols(h * dk, dk) = a * X.middleCols(h * dk, dk);
      r.multiply_adds += um * um * udk;
    }
  }
  r.weights /= static_cast<double>(proj.heads);
  return r;
}

std::vector<size_t> flag_outliers(const Eigen::VectorXd& w, double sigma, double cap, OutlierSide side) {
  const Eigen::Index m = w.size();
  if (m < 2) return {};
  const double mean = w.mean();
  const double sd = std::sqrt((w.array() - mean).square().mean());
  std::vector<std::pair<double, size_t>> beyond;  // (deviation, index)
  for (Eigen::Index j = 0; j < m; ++j) {
    const double dev = side == OutlierSide::low ? mean - w[j] : std::abs(w[j] - mean);
    if (dev > sigma * sd && sd > 0) beyond.emplace_back(dev, static_cast<size_t>(j));
  }
  std::stable_sort(beyond.begin(), beyond.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  const size_t limit = static_cast<size_t>(std::floor(cap * static_cast<double>(m) + 1e-9));
  if (beyond.size() > limit) beyond.resize(limit);
  std::vector<size_t> out;
  for (const auto& [dev, j] : beyond) out.push_back(j);
  std::sort(out.begin(), out.end());
  return out;
}

int vote(const std::vector<double>& values, const Eigen::VectorXd& scores, const std::vector<size_t>& flagged) {
  std::map<double, std::pair<double, int>> pooled;  // value -> (summed score, first row)
  for (size_t j = 0; j < values.size(); ++j) {
    if (std::binary_search(flagged.begin(), flagged.end(), j) || !(scores[j] > 0)) continue;
    auto [it, fresh] = pooled.try_emplace(values[j], 0.0, static_cast<int>(j));
    it->second.first += scores[j];
  }
  int best = -1;
  double best_score = -1;
  for (const auto& [value, entry] : pooled)  // increasing value: a tie keeps the smaller one
    if (entry.first > best_score) best_score = entry.first, best = entry.second;
  return best;
}

}  // namespace meshsim::attention
