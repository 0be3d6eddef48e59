// The phi accrual failure detector (Hayashibara, Défago, Yared, Katayama, SRDS 2004): instead
// of a yes/no timeout, a suspicion level phi = -log10(P(a heartbeat comes later than now)),
// estimated from the recent inter-arrival times of one monitored peer, assumed normal (§4).
// phi = 1 means a 10 % chance that the accusation is a mistake, phi = 8 one in 10^8 under
// that model. The normal tail uses the logistic approximation Akka's detector uses.
#pragma once
#include <array>
#include <cmath>
#include <cstdint>

namespace meshsim::membership {

class PhiWindow {
 public:
  static constexpr uint32_t kSize = 16;  // inter-arrival samples kept (Hayashibara §5 uses 1,000; a few dozen suffice for a stable mean)

  // A heartbeat (an ack from the peer) arrived at `now_ns`.
  void heartbeat(int64_t now_ns) {
    if (last_ns_ >= 0 && now_ns > last_ns_) {
      samples_[next_ % kSize] = static_cast<double>(now_ns - last_ns_);
      ++next_;
    }
    last_ns_ = now_ns;
  }
  bool started() const { return last_ns_ >= 0; }
  int64_t last_ns() const { return last_ns_; }

  // phi at `now_ns`; `expected_ns` stands in for the mean until two heartbeats arrived, and
  // `min_std_ns` keeps a perfectly regular peer from being accused by the first jitter.
  double phi(int64_t now_ns, double expected_ns, double min_std_ns) const {
    const uint32_t n = next_ < kSize ? next_ : kSize;
    double mean = expected_ns, var = 0;
    if (n > 0) {
      double sum = 0;
      for (uint32_t i = 0; i < n; ++i) sum += samples_[i];
      mean = sum / n;
      for (uint32_t i = 0; i < n; ++i) var += (samples_[i] - mean) * (samples_[i] - mean);
      var /= n;
    }
    const double std = std::max(std::sqrt(var), min_std_ns);
    const double y = (static_cast<double>(now_ns - last_ns_) - mean) / std;
    const double e = std::exp(-y * (1.5976 + 0.070566 * y * y));
    return y > 0 ? -std::log10(e / (1.0 + e)) : -std::log10(1.0 - 1.0 / (1.0 + e));
  }

 private:
  std::array<double, kSize> samples_{};
  uint32_t next_ = 0;
  int64_t last_ns_ = -1;
};

}  // namespace meshsim::membership
