// The run fingerprint: a running hash over every processed event (time, node, kind,
// message type). Same scenario + seed + build => same value; tests enforce it.
#pragma once
#include <cstdint>

#include "sim/rng.h"

namespace meshsim {

class Fingerprint {
 public:
  void add(int64_t time_ns, uint32_t node, uint8_t kind, uint16_t type, uint8_t module) {
    uint64_t word = static_cast<uint64_t>(node) << 32 | static_cast<uint64_t>(kind) << 24 |
                    static_cast<uint64_t>(module) << 16 | type;
    // Two mixing rounds per event: cheap (a few ns) and order-sensitive.
    h_ = splitmix64_mix(h_ ^ static_cast<uint64_t>(time_ns));
    h_ = splitmix64_mix(h_ ^ word);
  }
  uint64_t value() const { return h_; }

 private:
  uint64_t h_ = 0x6d65736873696d00ULL;
};

}  // namespace meshsim
