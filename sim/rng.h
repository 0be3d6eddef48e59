// Random streams. One 64-bit seed per run; every consumer (a node's protocol, the
// workload, a fault source, a message's network fate) draws from its own stream derived
// from (seed, stream id) by SplitMix64 mixing, so adding a consumer never shifts another's
// numbers and results do not depend on the order in which consumers run.
//
// Generators are hand-written because they are tiny and their exact output is part of the
// determinism contract; distributions come from Boost.Random, whose algorithms are fixed
// (std::*_distribution differ between standard libraries, which SimGrid warns about too).
#pragma once
#include <concepts>
#include <cstdint>
#include <limits>

namespace meshsim {

constexpr uint64_t splitmix64_mix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Stream kinds: the one registry of every random stream in the engine and the protocols,
// so that node 3's protocol stream differs from node 3's network stream. A new consumer
// gets a new kind here (never a magic number at its call site), and a number is never
// reused for something else: docs/determinism.md lists each kind's identifiers and users.
enum class StreamKind : uint64_t {
  protocol = 1,       // (module name hash, node): a node's state machine, sim/node_module.h
  network = 2,        // (sender, sender's message number): one message's fate, sim/simulation.cpp
  topology = 3,       // (): random graph generators, sim/topology_builders.cpp
  rumor_origin = 4,   // (rumor index): random rumor origins, protocols/gossip/gossip_params.h
  faults = 5,         // (fault index): a role-targeted fault's choice, sim/fault_injection.cpp
  link = 6,           // (lower node, higher node): a pair's fixed latency, sim/network.cpp
  chaos = 7,          // (): the random fault schedule, sim/fault_injection.cpp
  byzantine = 8,      // (module name hash, node): a Byzantine decorator's draws, sim/node_module.h
  disk = 9,           // (node, node's write number): one durable write's latency, sim/disk_model.cpp
  balls_into_bins = 10,  // (d): the sequential placement of protocols/lb (balls-into-bins mode)
  ring_keys = 11,        // (submitter, task seq): a keyed task's Zipf key, protocols/lb/keyed_placement.cpp
  lb_speed = 12,     // (node): a node's speed factor drawn from [protocol] node_speed, protocols/lb/speed_dist.cpp
  churn = 14,         // (): [chaos] joins, leaves and failures for good, sim/churn.cpp
  attention = 15,     // (purpose, ...): embeddings, projections, truths, proposals of protocols/attention
};

// Derives a stream key from a seed and any number of identifiers (stream kind, node id, ...).
// Every identifier goes through a full SplitMix64 round after it is folded in, so flipping
// any one bit of any identifier changes about half the bits of the key, and the order of
// the identifiers matters: (kind, 1, 0) and (kind, 0, 1) are unrelated keys.
template <std::integral... Ids>
constexpr uint64_t derive_stream(uint64_t seed, uint64_t kind, Ids... ids) {
  uint64_t h = splitmix64_mix(splitmix64_mix(seed ^ 0x6d657368u) ^ kind);
  ((h = splitmix64_mix(h ^ static_cast<uint64_t>(ids))), ...);
  return h;
}
template <std::integral... Ids>
constexpr uint64_t derive_stream(uint64_t seed, StreamKind kind, Ids... ids) {
  return derive_stream(seed, static_cast<uint64_t>(kind), ids...);
}

// xoshiro256** (Blackman & Vigna): 32 bytes of state, period 2^256 - 1, so streams seeded
// from distinct keys do not overlap in practice even with a million nodes. Satisfies the
// UniformRandomBitGenerator concept that Boost.Random distributions need.
class Rng {
 public:
  using result_type = uint64_t;
  Rng() : Rng(0) {}
  explicit Rng(uint64_t key) {
    uint64_t z = key;
    for (auto& word : s_) {
      z += 0x9e3779b97f4a7c15ULL;
      word = splitmix64_mix(z);
    }
  }
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<uint64_t>::max(); }
  result_type operator()() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform integer in [0, bound) by Lemire's multiply-shift (unbiased with rejection).
  uint64_t below(uint64_t bound) {
    __uint128_t m = static_cast<__uint128_t>((*this)()) * bound;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < bound) {
      uint64_t threshold = (0 - bound) % bound;
      while (low < threshold) {
        m = static_cast<__uint128_t>((*this)()) * bound;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }
  // Uniform double in [0, 1) with 53 random bits.
  double unit() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return p > 0 && unit() < p; }

 private:
  static constexpr uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};
static_assert(sizeof(Rng) <= 32, "per-node RNG state must stay within 32 bytes");

}  // namespace meshsim
