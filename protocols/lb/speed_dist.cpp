#include "protocols/lb/speed_dist.h"

#include <algorithm>
#include <cmath>

#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include "sim/rng.h"
#include "sim/scenario/config_section.h"

namespace meshsim::lb {

SpeedDistribution parse_speed_distribution(ConfigSection& protocol) {
  SpeedDistribution d;
  if (!protocol.has("node_speed")) return d;
  ConfigSection s = protocol.subsection("node_speed");
  if (!s.has("dist")) s.fail("dist", "is required: \"uniform\", \"lognormal\" or \"pareto\"");
  const std::string dist = s.get_enum("dist", "uniform", {"uniform", "lognormal", "pareto"});
  // Speeds far from 1 make service times overflow or vanish; 1e-3..1e3 covers any real fleet.
  if (dist == "uniform") {
    d.kind = SpeedDistribution::Kind::uniform;
    d.a = s.get_double("min", 0.5, 1e-3, 1e3);
    d.b = s.get_double("max", 1.5, 1e-3, 1e3);
    if (d.b < d.a) s.fail("max", "must be at least min (" + std::to_string(d.a) + ")");
  } else if (dist == "lognormal") {
    d.kind = SpeedDistribution::Kind::lognormal;
    d.a = s.get_double("median", 1.0, 1e-3, 1e3);
    d.b = s.get_double("sigma", 0.5, 0.0, 3.0);
  } else {
    d.kind = SpeedDistribution::Kind::pareto;
    d.a = s.get_double("min", 0.5, 1e-3, 1e3);
    d.b = s.get_double("shape", 2.5, 1.01, 100.0);  // shape > 1: the mean speed exists
  }
  s.finish();
  return d;
}

double draw_node_speed(const SpeedDistribution& d, uint64_t seed, NodeId n) {
  if (d.kind == SpeedDistribution::Kind::none) return 1.0;
  Rng rng(derive_stream(seed, StreamKind::lb_speed, n));
  double speed = 1.0;
  switch (d.kind) {
    case SpeedDistribution::Kind::uniform:
      speed = boost::random::uniform_real_distribution<double>(d.a, d.b)(rng);
      break;
    case SpeedDistribution::Kind::lognormal:
      // Boost's lognormal takes the mean and sigma of the underlying normal: median = e^m.
      speed = boost::random::lognormal_distribution<double>(std::log(d.a), d.b)(rng);
      break;
    case SpeedDistribution::Kind::pareto:
      // Inverse transform: min · (1 − U)^(−1/shape).
      speed = d.a * std::pow(1.0 - rng.unit(), -1.0 / d.b);
      break;
    case SpeedDistribution::Kind::none:
      break;
  }
  // The clamp keeps a far tail draw from making service times overflow or round to zero.
  return std::clamp(speed, 1e-3, 1e3);
}

}  // namespace meshsim::lb
