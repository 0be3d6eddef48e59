// How far an end-of-run check has got, for the person waiting on it. A linearizability
// search can take minutes; the checker publishes its position here and the command line's
// progress ticker (another thread) reads it. Nothing in here feeds back into a run's
// results, so it cannot disturb determinism; the one thing that flows back is `cancel`,
// which ends the check with no verdict when the user interrupts the run.
#pragma once
#include <atomic>
#include <cstdint>

namespace meshsim {

struct CheckProgress {
  std::atomic<uint64_t> keys_total{0};      // independent parts the check splits into (keys)
  std::atomic<uint64_t> keys_done{0};       // parts finished
  std::atomic<uint64_t> states{0};          // configurations explored in the current part
  std::atomic<uint64_t> states_budget{0};   // the current part gives up past this many
  std::atomic<bool> cancel{false};          // set by the caller: stop now, verdict unknown
};

}  // namespace meshsim
