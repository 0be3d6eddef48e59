#include "protocols/attention/workload.h"

#include <boost/random/normal_distribution.hpp>

#include "protocols/attention/streams.h"
#include "sim/rng.h"

namespace meshsim::attention {

double ground_truth(uint64_t seed, const Params& p, uint32_t round) {
  Rng rng(derive_stream(seed, StreamKind::attention, kStreamTruth, round));
  if (p.workload == Workload::discrete) return static_cast<double>(rng.below(p.options));
  return rng.unit();
}

double honest_proposal(uint64_t seed, const Params& p, uint32_t round, NodeId node) {
  const double truth = ground_truth(seed, p, round);
  Rng rng(derive_stream(seed, StreamKind::attention, kStreamProposal, round, node));
  if (p.workload == Workload::discrete) {
    if (p.options < 2 || !rng.chance(p.noise)) return truth;
    // A wrong option, uniformly among the others.
    const uint64_t other = rng.below(p.options - 1);
    return static_cast<double>(other >= static_cast<uint64_t>(truth) ? other + 1 : other);
  }
  boost::random::normal_distribution<double> normal(0.0, p.noise);
  return truth + (p.noise > 0 ? normal(rng) : 0.0);
}

double collusion_target(uint64_t seed, const Params& p, uint32_t round) {
  Rng rng(derive_stream(seed, StreamKind::attention, kStreamCollusion, round));
  if (p.workload == Workload::discrete) return static_cast<double>(rng.below(p.options));
  return rng.unit();
}

}  // namespace meshsim::attention
