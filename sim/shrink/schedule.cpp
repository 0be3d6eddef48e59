#include "sim/shrink/schedule.h"

#include <algorithm>
#include <sstream>
#include <toml++/toml.h>

#include "sim/chaos.h"
#include "sim/scenario/toml_write.h"

namespace meshsim::shrink {

namespace {

// Keys whose value shrinking writes itself (or that are expanded away, like `every`).
bool written_from_spec(const std::string& key, const ScheduledFault& f) {
  static const char* always[] = {"kind", "at", "until", "every", "lasting", "stop"};
  for (const char* k : always)
    if (key == k) return true;
  return (key == "nodes" && f.writes_nodes) || (key == "groups" && f.writes_groups);
}

std::string toml_value(const toml::node& node) {
  std::ostringstream out;
  node.visit([&](const auto& n) { out << toml::toml_formatter{n}; });
  return out.str();
}

std::string toml_key(const std::string& name) {
  bool bare = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  if (bare) return name;
  std::ostringstream out;
  out << toml::toml_formatter{toml::value<std::string>(name)};
  return out.str();
}

bool needs_nodes(FaultKind k) { return k != FaultKind::partition && k != FaultKind::heal; }

}  // namespace

std::vector<ScheduledFault> schedule_of(const Scenario& sc) {
  std::vector<ScheduledFault> out;
  const toml::array* tables = sc.document ? (*sc.document)["faults"].as_array() : nullptr;
  for (size_t i = 0; tables && i < tables->size(); ++i) {
    const toml::table* t = tables->get(i)->as_table();
    if (!t) continue;
    const int line = static_cast<int>(t->source().begin.line);
    // A table with `every` became several faults, all carrying the table's line.
    for (const FaultSpec& spec : sc.faults) {
      if (spec.source != "scenario" || spec.line != line) continue;
      ScheduledFault f;
      f.spec = spec;
      f.writes_nodes = spec.target.empty() && needs_nodes(spec.kind);
      f.writes_groups = spec.target.empty() && spec.kind == FaultKind::partition;
      for (const auto& [key, value] : *t) {
        std::string k(key.str());
        if (!written_from_spec(k, f)) f.other_keys.push_back({k, toml_value(value)});
      }
      f.origin = "faults[" + std::to_string(i) + "], line " + std::to_string(line);
      out.push_back(std::move(f));
    }
  }
  for (FaultSpec& spec : draw_chaos(sc.chaos, sc.seed, sc.topology.nodes, sc.end, sc.absent, sc.faults)) {
    ScheduledFault f;
    f.writes_nodes = needs_nodes(spec.kind);
    f.writes_groups = spec.kind == FaultKind::partition;
    if (spec.one_way) f.other_keys = {{"one_way", "true"}, {"from", "\"" + spec.groups.at(0).first + "\""}};
    // A drawn slow disk needs its factor to be a fault of its own (std::to_string: a TOML float).
    if (spec.kind == FaultKind::slow_disk) f.other_keys = {{"factor", std::to_string(spec.slow_disk.factor)}};
    f.spec = std::move(spec);
    f.origin = "drawn by [chaos]";
    f.drawn = true;
    out.push_back(std::move(f));
  }
  return out;
}

std::string fault_toml(const ScheduledFault& f) {
  std::string out = "[[faults]]  # " + f.origin + "\n";
  out += "kind = \"" + std::string(to_string(f.spec.kind)) + "\"\n";
  out += "at = " + toml_time(f.spec.at) + "\n";
  if (f.spec.until) out += "until = " + toml_time(*f.spec.until) + "\n";
  if (f.writes_nodes) out += "nodes = " + toml_node_list(f.spec.nodes) + "\n";
  if (f.writes_groups) {
    out += "groups = { ";
    for (size_t g = 0; g < f.spec.groups.size(); ++g)
      out += (g ? ", " : "") + toml_key(f.spec.groups[g].first) + " = " + toml_node_list(f.spec.groups[g].second);
    out += " }\n";
  }
  for (const auto& [key, value] : f.other_keys) out += toml_key(key) + " = " + value + "\n";
  return out;
}

int64_t fault_span_ns(const ScheduledFault& f, int64_t end_ns) {
  const int64_t until = f.spec.until ? std::min(f.spec.until->ns, end_ns) : end_ns;
  return std::max<int64_t>(0, until - f.spec.at.ns);
}

bool restrict_to_nodes(ScheduledFault& f, uint32_t node_count) {
  auto restrict = [&](const NodeSet& s) {
    NodeSet kept;
    for (auto [a, b] : s.ranges())
      if (a < node_count) kept.add_range(a, std::min<NodeId>(b, node_count - 1));
    return kept;
  };
  if (f.writes_nodes) {
    f.spec.nodes = restrict(f.spec.nodes);
    if (f.spec.nodes.empty()) return false;
  }
  if (f.writes_groups) {
    std::vector<std::pair<std::string, NodeSet>> groups;
    NodeSet covered;
    for (auto& [name, g] : f.spec.groups) {
      NodeSet kept = restrict(g);
      if (kept.empty()) continue;
      for (auto [a, b] : kept.ranges()) covered.add_range(a, b);
      groups.push_back({name, kept});
    }
    // One group holding every node cuts nothing; the loader refuses it.
    if (groups.empty() || (groups.size() == 1 && covered.size() == node_count)) return false;
    // A one-way partition names its first group in `from`: it must survive.
    if (f.spec.one_way && groups.front().first != f.spec.groups.front().first) return false;
    f.spec.groups = std::move(groups);
  }
  return true;
}

}  // namespace meshsim::shrink
