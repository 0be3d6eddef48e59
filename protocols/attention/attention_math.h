// The attention maths, free of the engine: multi-head scaled dot-product attention over the
// embeddings a node holds, the per-peer weights, the outlier rule and the vote. Unit tests
// check it against weights computed by hand (tests/unit/test_attention_math.cpp).
#pragma once
#include <cstdint>
#include <vector>

#include <Eigen/Dense>

#include "protocols/attention/params.h"

namespace meshsim::attention {

// Query and key projections per head. Identity: head k reads dimensions [k·d/h, (k+1)·d/h)
// of the embedding, so the heads split the embedding and cost no projection at all. Random:
// W_q and W_k of head k are d × d/h Gaussian matrices with variance 1/d drawn from the seed,
// which keeps the scores' scale. Values are never projected (head k's output is its slice of
// the embedding space), so an attention output is again an embedding: the gossip variant
// needs that to move a node's embedding towards it.
struct Projections {
  uint32_t heads = 1;
  bool identity = true;
  std::vector<Eigen::MatrixXd> query, key;  // random only: one d × d/h matrix per head
};
Projections make_projections(uint64_t seed, uint32_t dim, uint32_t heads, Projection kind);

struct AttentionResult {
  // Per held embedding j: the attention it receives, averaged over the rows (every held
  // embedding's query) and the heads. The diagonal is masked (no embedding attends to
  // itself): without the mask an outlier's own row gives it almost all of its weight and it
  // looks as heavy as an honest peer. The weights sum to 1.
  Eigen::VectorXd weights;
  // Row i: embedding i's attention output (heads concatenated); only when asked for.
  Eigen::MatrixXd output;
  uint64_t multiply_adds = 0;  // projections, scores and outputs, as computed
};

// X: one held embedding per row (m × d). m = 1 gives weight 1 to the only row.
AttentionResult attend(const Eigen::MatrixXd& X, const Projections& proj, bool want_output);

// The outlier rule: j is flagged when its weight lies more than `sigma` standard deviations
// (population) from the mean (on either side, or below only), at most floor(cap · m) of
// them, the farthest first (ties to the lower index). Returns indices in increasing order.
std::vector<size_t> flag_outliers(const Eigen::VectorXd& weights, double sigma, double cap, OutlierSide side);

// The vote: among rows not flagged (and with a positive score), the proposal value with the
// largest summed score wins (identical values pool their scores); ties go to the smaller
// value. Returns the index of the first row holding the winning value, or -1 if none is left.
int vote(const std::vector<double>& values, const Eigen::VectorXd& scores, const std::vector<size_t>& flagged);

}  // namespace meshsim::attention
