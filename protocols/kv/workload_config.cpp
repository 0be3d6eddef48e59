#include "protocols/kv/workload_config.h"

#include "sim/scenario/config_section.h"

namespace meshsim::kv {

WorkloadParams parse_workload(ConfigSection& s) {
  WorkloadParams w;
  w.keys = static_cast<uint32_t>(s.get_int("keys", w.keys, 1, 1'000'000));
  w.get_share = s.get_probability("get_share", w.get_share);
  w.cas_share = s.get_probability("cas_share", w.cas_share);
  if (w.get_share + w.cas_share > 1.0) s.fail("cas_share", "get_share + cas_share must not exceed 1 (the rest are puts)");
  w.open_loop = s.get_enum("loop", "closed", {"closed", "open"}) == "open";
  w.think = s.get_duration("think_time", w.think, true);
  w.rate_per_s = s.get_double("rate", w.rate_per_s, 1e-6, 1e6);
  if (!w.open_loop && s.has("rate")) s.fail("rate", "has no effect in a closed loop (set loop = \"open\")");
  if (w.open_loop && s.has("think_time")) s.fail("think_time", "has no effect in an open loop");
  w.max_ops = static_cast<uint32_t>(s.get_int("max_ops", 0, 0, 100'000'000));
  w.request_timeout = s.get_duration("request_timeout", w.request_timeout);
  w.start = s.get_duration("workload_start", w.start, true);
  w.linearizability_max_states = static_cast<uint64_t>(
      s.get_int("linearizability_max_states", static_cast<int64_t>(w.linearizability_max_states), 1, 1'000'000'000));
  return w;
}

}  // namespace meshsim::kv
