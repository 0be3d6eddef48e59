// The random faults [chaos] asks for, drawn from the seed before the run starts
// (TigerBeetle-style swarm testing): crashes and pauses as one Poisson process per kind
// over the whole mesh, partitions one after another, then disk faults and churn. A pure function of its arguments.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "sim/fault_schedule.h"

namespace meshsim {

// `absent` and `scheduled` (the scenario's own faults) matter only to churn (sim/churn.h):
// which nodes can join, and which are already down or away.
std::vector<FaultSpec> draw_chaos(const ChaosSpec& chaos, uint64_t seed, uint32_t node_count, SimTime end,
                                  const NodeSet& absent = {}, std::span<const FaultSpec> scheduled = {});

}  // namespace meshsim
