#include "protocols/attention/embedding.h"

#include <cmath>
#include <numbers>

#include <boost/random/normal_distribution.hpp>

#include "protocols/attention/streams.h"
#include "sim/rng.h"

namespace meshsim::attention {

Embedder::Embedder(uint64_t seed, uint32_t dim, double lengthscale) : frequencies_(dim), phases_(dim) {
  Rng rng(derive_stream(seed, StreamKind::attention, kStreamEmbeddingBasis));
  boost::random::normal_distribution<double> normal(0.0, 1.0 / lengthscale);
  for (uint32_t i = 0; i < dim; ++i) {
    frequencies_[i] = normal(rng);
    phases_[i] = 2 * std::numbers::pi * rng.unit();
  }
}

Eigen::VectorXd Embedder::embed(double value) const {
  return std::sqrt(2.0) * (frequencies_ * value + phases_).array().cos().matrix();
}

Eigen::VectorXd graph_positional_encoding(uint32_t dim, double degree, double betweenness_position, double scale) {
  Eigen::VectorXd pe(dim);
  const uint32_t half = dim / 2;
  auto encode = [&](uint32_t first, uint32_t count, double position) {
    for (uint32_t i = 0; i < count; ++i) {
      const double rate = std::pow(10000.0, -2.0 * (i / 2) / static_cast<double>(count));
      pe[first + i] = (i % 2 == 0) ? std::sin(position * rate) : std::cos(position * rate);
    }
  };
  encode(0, half, degree);
  encode(half, dim - half, betweenness_position);
  return scale * pe;
}

}  // namespace meshsim::attention
