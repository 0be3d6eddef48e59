#include "sim/scenario/scenario_link.h"

#include <toml++/toml.h>

namespace meshsim {

namespace {
double ns_of(ConfigSection& s, const std::string& key, bool allow_zero = true) {
  auto d = s.get_optional_duration(key, allow_zero);
  if (!d) s.fail(key, "required for this latency kind");
  return static_cast<double>(d->ns);
}
}  // namespace

void read_latency(ConfigSection& parent, LatencySpec& spec) {
  if (!parent.has("latency")) return;
  if (parent.is_string("latency")) {
    // Shorthand: latency = "5ms" is a constant latency.
    spec = LatencySpec{};
    spec.a_ns = static_cast<double>(parent.get_duration("latency", {}, true).ns);
    return;
  }
  ConfigSection t = parent.subsection("latency");
  std::string kind = t.get_enum("kind", "constant",
                                {"constant", "uniform", "normal", "lognormal", "pareto", "exponential"});
  LatencySpec l;
  l.per_link = t.get_bool("per_link", false);
  if (kind == "constant") {
    l.kind = LatencySpec::Kind::constant;
    l.a_ns = ns_of(t, "value");
  } else if (kind == "uniform") {
    l.kind = LatencySpec::Kind::uniform;
    l.a_ns = ns_of(t, "min");
    l.b_ns = ns_of(t, "max");
    if (l.b_ns < l.a_ns) t.fail("max", "must be at least min");
  } else if (kind == "normal") {
    l.kind = LatencySpec::Kind::normal;
    l.a_ns = ns_of(t, "mean");
    l.b_ns = ns_of(t, "stddev");
  } else if (kind == "lognormal") {
    l.kind = LatencySpec::Kind::lognormal;
    l.a_ns = ns_of(t, "median", false);
    l.shape = t.get_double("sigma", 0.5, 0.0, 10.0);
  } else if (kind == "pareto") {
    l.kind = LatencySpec::Kind::pareto;
    l.a_ns = ns_of(t, "scale", false);
    l.shape = t.get_double("shape", 2.0, 0.01, 100.0);
  } else {
    l.kind = LatencySpec::Kind::exponential;
    l.a_ns = ns_of(t, "base");
    l.b_ns = ns_of(t, "mean", false);
  }
  t.finish();
  spec = l;
}

void read_link_keys(ConfigSection& s, LinkSpec& spec) {
  read_latency(s, spec.latency);
  spec.loss = s.get_probability("loss", spec.loss);
  spec.duplicate = s.get_probability("duplicate", spec.duplicate);
  spec.reorder = s.get_probability("reorder", spec.reorder);
  spec.reorder_delay = s.get_duration("reorder_delay", spec.reorder_delay);
  double mbps = s.get_double("bandwidth_mbps", spec.bandwidth_bps / 1e6, 0.0, 1e9);
  if (s.has("bandwidth_mbps") && mbps <= 0) s.fail("bandwidth_mbps", "must be greater than zero (omit it for unlimited)");
  spec.bandwidth_bps = mbps * 1e6;
  spec.queue_bytes = static_cast<uint64_t>(
      s.get_int("queue_bytes", static_cast<int64_t>(spec.queue_bytes), 0, int64_t{1} << 40));
  if (spec.queue_bytes > 0 && spec.bandwidth_bps == 0)
    s.fail("queue_bytes", "a queue bound needs bandwidth_mbps (without bandwidth nothing queues)");
}

}  // namespace meshsim
