#include "sim/link_model.h"

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>
#include <sstream>

namespace meshsim {

namespace {
// A draw in ns, clamped to [0, kMaxDuration]: heavy tails (Pareto with a small shape,
// lognormal with a large sigma) reach infinity, and converting that, or NaN, to an integer
// is undefined. A message so late arrives after the end of any run, as it would anyway.
int64_t to_ns(double v) {
  if (!(v > 0)) return 0;
  if (v >= static_cast<double>(kMaxDuration.ns)) return kMaxDuration.ns;
  return static_cast<int64_t>(std::llround(v));
}
}  // namespace

Duration LatencySpec::draw(Rng& rng) const {
  switch (kind) {
    case Kind::constant:
      return Duration{to_ns(a_ns)};
    case Kind::uniform:
      return Duration{to_ns(boost::random::uniform_real_distribution<double>(a_ns, b_ns)(rng))};
    case Kind::normal:
      // Truncated at zero: a message cannot arrive before it was sent.
      return Duration{to_ns(boost::random::normal_distribution<double>(a_ns, b_ns)(rng))};
    case Kind::lognormal:
      // Parameterised by median and sigma, as WAN latency is usually reported; Boost's
      // (m, s) are the underlying normal's mean and deviation, and median = exp(m).
      return Duration{to_ns(
          boost::random::lognormal_distribution<double>(std::log(a_ns), shape)(rng))};
    case Kind::pareto: {
      // Boost.Random has no Pareto distribution; inverse transform of a uniform draw:
      // x = scale / U^(1/alpha), U in (0, 1].
      double u = 1.0 - boost::random::uniform_01<double>()(rng);
      return Duration{to_ns(a_ns / std::pow(u, 1.0 / shape))};
    }
    case Kind::exponential:
      return Duration{to_ns(a_ns + boost::random::exponential_distribution<double>(1.0 / b_ns)(rng))};
  }
  return Duration{to_ns(a_ns)};
}

double LatencySpec::mean_ns() const {
  switch (kind) {
    case Kind::constant: return a_ns;
    case Kind::uniform: return (a_ns + b_ns) / 2;
    case Kind::normal: return a_ns;  // before truncation
    case Kind::lognormal: return a_ns * std::exp(shape * shape / 2);
    case Kind::pareto: return shape > 1 ? shape * a_ns / (shape - 1) : INFINITY;
    case Kind::exponential: return a_ns + b_ns;
  }
  return a_ns;
}

std::string LatencySpec::describe() const {
  std::ostringstream out;
  static const char* names[] = {"constant", "uniform", "normal", "lognormal", "pareto", "exponential"};
  out << names[static_cast<int>(kind)] << "(" << a_ns << "ns, " << b_ns << "ns, " << shape << ")";
  return out.str();
}

}  // namespace meshsim
