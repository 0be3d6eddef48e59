// Turning a proposal into an embedding, and GraphRoPE's positional encoding.
//
// A proposal is a real value (a measurement, or a discrete option's index). Its embedding is
// a random Fourier feature map (Rahimi & Recht 2007): e_i = sqrt(2) cos(w_i x + b_i) with
// w_i ~ N(0, 1/lengthscale²) and b_i ~ U[0, 2π) drawn once per run from the seed. Then
// e(x)·e(y)/d ≈ exp(-(x-y)²/(2 lengthscale²)): close proposals have close embeddings, far
// ones are near-orthogonal, and each component has unit variance, the regime scaled
// dot-product attention was designed for (Vaswani et al. 2017, §3.2.1). We chose a fixed
// kernel map over a learned encoder because the simulator has no training data and the
// mechanism's behaviour should not hinge on one.
#pragma once
#include <cstdint>
#include <vector>

#include <Eigen/Dense>

namespace meshsim::attention {

class Embedder {
 public:
  Embedder(uint64_t seed, uint32_t dim, double lengthscale);
  Eigen::VectorXd embed(double value) const;
  uint32_t dim() const { return static_cast<uint32_t>(frequencies_.size()); }

 private:
  Eigen::VectorXd frequencies_, phases_;
};

// The sinusoidal encoding of Vaswani et al. §3.5, applied to two graph positions instead of
// a sequence index: the first half of the dimensions encodes `degree`, the second half
// `betweenness` (scaled so that the most central node sits at position 100, a range the
// wavelengths resolve). Multiplied by `scale` before it is added to the embedding.
Eigen::VectorXd graph_positional_encoding(uint32_t dim, double degree, double betweenness_position, double scale);

}  // namespace meshsim::attention
