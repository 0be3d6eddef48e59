// What a round asks and what each honest node proposes: a ground truth per round and a
// node's noisy reading of it (continuous), or one of `options` discrete answers of which
// honest nodes pick the true one with probability 1 - noise. Each is a pure function of
// (seed, round, node), so the module can recompute the truth without asking any node.
#pragma once
#include <cstdint>

#include "protocols/attention/params.h"
#include "sim/ids.h"

namespace meshsim::attention {

double ground_truth(uint64_t seed, const Params& p, uint32_t round);
double honest_proposal(uint64_t seed, const Params& p, uint32_t round, NodeId node);
// The value every colluder proposes in `round`; they agree on it without messages (a
// colluding coalition shares a plan), and it is drawn independently of the truth.
double collusion_target(uint64_t seed, const Params& p, uint32_t round);

}  // namespace meshsim::attention
