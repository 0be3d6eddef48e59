// The random faults [chaos] asks for, drawn from the seed before the run starts
// (TigerBeetle-style swarm testing): crashes and pauses as one Poisson process per kind
// over the whole mesh, partitions one after another. A pure function of its arguments.
#pragma once
#include <cstdint>
#include <vector>

#include "sim/fault_schedule.h"

namespace meshsim {

std::vector<FaultSpec> draw_chaos(const ChaosSpec& chaos, uint64_t seed, uint32_t node_count, SimTime end);

}  // namespace meshsim
