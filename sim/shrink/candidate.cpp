#include "sim/shrink/candidate.h"

#include <algorithm>
#include <toml++/toml.h>

#include "sim/scenario/toml_write.h"
#include "sim/shrink/scenario_edit.h"

namespace meshsim::shrink {

std::string render(const Candidate& c) {
  std::string out = c.base;
  while (out.size() >= 2 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') out.pop_back();
  if (!out.empty() && out.back() != '\n') out += '\n';
  if (c.faults.empty()) return out;
  out += "\n# The fault schedule, explicit: nothing is drawn at random.\n";
  for (const ScheduledFault& f : c.faults) out += "\n" + fault_toml(f);
  return out;
}

Candidate with_end(const Candidate& c, int64_t end_ns) {
  Candidate out;
  out.base = set_key(c.base, "run", "duration", toml_duration(Duration{end_ns}));
  out.end_ns = end_ns;
  for (ScheduledFault f : c.faults) {
    if (f.spec.at.ns >= end_ns) continue;
    if (f.spec.until && f.spec.until->ns > end_ns) f.spec.until = SimTime{end_ns};
    out.faults.push_back(std::move(f));
  }
  return out;
}

std::optional<int64_t> integer_key(const Candidate& c, const std::string& section, const std::string& key) {
  try {
    toml::table doc = toml::parse(c.base);
    if (auto v = doc[section][key].value_exact<int64_t>()) return *v;
  } catch (const toml::parse_error&) {
  }
  return std::nullopt;
}

Candidate with_key(const Candidate& c, const std::string& section, const std::string& key, int64_t value,
                   std::optional<int64_t> node_count) {
  Candidate out = c;
  out.base = set_key(c.base, section, key, std::to_string(value));
  if (!node_count) return out;
  out.base = set_key(out.base, "topology", "nodes", std::to_string(*node_count));
  out.faults.clear();
  for (ScheduledFault f : c.faults)
    if (*node_count > 0 && restrict_to_nodes(f, static_cast<uint32_t>(*node_count))) out.faults.push_back(std::move(f));
  return out;
}

int64_t total_fault_time_ns(const Candidate& c) {
  int64_t total = 0;
  for (const ScheduledFault& f : c.faults) total += fault_span_ns(f, c.end_ns);
  return total;
}

}  // namespace meshsim::shrink
