// Churn for [chaos]: nodes that join the mesh, leave it gracefully and come back, or fail
// for good, at rates drawn from the seed. Drawn by draw_chaos after every other kind, from
// a stream of its own (StreamKind::churn), so a [chaos] without churn keys draws exactly
// the faults it drew before churn existed.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "sim/fault_schedule.h"
#include "sim/node_set.h"

namespace meshsim {

// `drawn` are the faults chaos has drawn so far (their crash and pause windows count
// toward max_down and keep their node busy); `scheduled` are the scenario's own faults
// (their crashes, pauses and leaves keep their node busy, their joins bring absent nodes
// in). `absent` are the nodes outside the mesh at the start: the pool join_rate draws from.
std::vector<FaultSpec> draw_churn(const ChaosSpec& chaos, uint64_t seed, uint32_t node_count, SimTime end,
                                  const NodeSet& absent, std::span<const FaultSpec> scheduled,
                                  std::span<const FaultSpec> drawn);

}  // namespace meshsim
