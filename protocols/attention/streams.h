// The attention module's random streams, all of StreamKind::attention (docs/determinism.md):
// the second identifier says which, so no two consumers share numbers.
#pragma once
#include <cstdint>

namespace meshsim::attention {

inline constexpr uint64_t kStreamEmbeddingBasis = 1;  // (): the random Fourier features
inline constexpr uint64_t kStreamProjection = 2;      // (head): random query/key projections
inline constexpr uint64_t kStreamTruth = 3;           // (round): the round's ground truth
inline constexpr uint64_t kStreamProposal = 4;        // (round, node): a node's noisy proposal
inline constexpr uint64_t kStreamCollusion = 5;       // (round): the colluders' common target

}  // namespace meshsim::attention
