// The run fingerprint: a running hash over every processed event (time, node, kind,
// message type). Same scenario + seed + build => same value; tests enforce it.
//
// A partitioned run (sim/partitioned_run.h) does not hash where the event runs: each
// partition records its events' (time, key, word) in the order it runs them, which is key
// order, and the root merges the partitions' records by key and folds them with fold():
// the same global order, so the same value as the sequential run.
#pragma once
#include <cstdint>
#include <vector>

#include "sim/rng.h"

namespace meshsim {

class Fingerprint {
 public:
  struct Entry {
    int64_t time_ns;
    uint64_t key;   // the event's order key (origin << 40 | origin's counter)
    uint64_t word;  // what fold() mixes in after the time
  };

  void add(int64_t time_ns, uint64_t key, uint32_t node, uint8_t kind, uint16_t type, uint8_t module) {
    uint64_t word = static_cast<uint64_t>(node) << 32 | static_cast<uint64_t>(kind) << 24 |
                    static_cast<uint64_t>(module) << 16 | type;
    if (log_) [[unlikely]] {
      log_->push_back({time_ns, key, word});
      return;
    }
    fold(time_ns, word);
  }
  void fold(int64_t time_ns, uint64_t word) {
    // Two mixing rounds per event: cheap (a few ns) and order-sensitive.
    h_ = splitmix64_mix(h_ ^ static_cast<uint64_t>(time_ns));
    h_ = splitmix64_mix(h_ ^ word);
  }
  uint64_t value() const { return h_; }
  // From now on, append entries to `log` instead of hashing them (a partition's run).
  void record_into(std::vector<Entry>* log) { log_ = log; }

 private:
  uint64_t h_ = 0x6d65736873696d00ULL;
  std::vector<Entry>* log_ = nullptr;
};

}  // namespace meshsim
