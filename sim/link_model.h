// Per-link behaviour: latency distribution, loss, duplication, reordering, bandwidth with
// serialization delay and a bounded FIFO.
#pragma once
#include <cstdint>
#include <string>

#include "sim/rng.h"
#include "sim/time.h"

namespace meshsim {

struct LatencySpec {
  enum class Kind : uint8_t { constant, uniform, normal, lognormal, pareto, exponential };
  Kind kind = Kind::constant;
  // constant: a. uniform: [a, b]. normal: mean a, stddev b (truncated at 0).
  // lognormal: median a, sigma b (shape). pareto: scale (minimum) a, shape b.
  // exponential: base a + exp(mean b)  (PHOLD's "100 ns + exp(1 us)").
  double a_ns = 1e6;
  double b_ns = 0;
  double shape = 0;  // sigma for lognormal, alpha for pareto
  // Draw once per link (from the pair) instead of once per message, as docs/benchmarks.md's
  // flood asks: "each link's latency is drawn once".
  bool per_link = false;

  Duration draw(Rng& rng) const;
  double mean_ns() const;  // analytic mean, for tests and docs
  std::string describe() const;
};

struct LinkSpec {
  LatencySpec latency;
  double loss = 0;       // probability a message is lost
  double duplicate = 0;  // probability a message is delivered twice
  double reorder = 0;    // probability a message is held back by an extra delay
  Duration reorder_delay = Duration::millis(10);  // the extra delay is uniform in [0, this]
  double bandwidth_bps = 0;                        // 0 = unlimited (no serialization delay)
  uint64_t queue_bytes = 0;                        // bounded FIFO; 0 = unbounded
};

}  // namespace meshsim
