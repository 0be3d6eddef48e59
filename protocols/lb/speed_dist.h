// Per-node speeds drawn from the seed (`node_speed = { dist = ..., ... }` in [protocol]).
#pragma once
#include <cstdint>

#include "protocols/lb/params.h"
#include "sim/ids.h"

namespace meshsim {
class ConfigSection;
}

namespace meshsim::lb {

// Reads the `node_speed` table of [protocol]; Kind::none when it is absent.
SpeedDistribution parse_speed_distribution(ConfigSection& protocol);
// Node n's speed factor: a pure function of (seed, n) on a stream of its own
// (StreamKind::lb_speed), so it does not depend on the node count, on other nodes or on
// anything the protocol draws. 1 when no distribution is set.
double draw_node_speed(const SpeedDistribution& d, uint64_t seed, NodeId n);

}  // namespace meshsim::lb
