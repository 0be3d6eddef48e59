#include "viz/fault_edit.h"

#include <algorithm>
#include <charconv>
#include <sstream>

#include "sim/errors.h"
#include "sim/scenario/toml_write.h"

namespace meshsim::viz {

namespace {

std::string list_text(const std::vector<NodeId>& ids) {
  std::string t = toml_node_list(ids);
  t.erase(std::remove_if(t.begin(), t.end(), [](char c) { return c == '[' || c == ']' || c == '"' || c == ' '; }),
          t.end());
  return t;
}

bool parse_id(std::string_view s, uint32_t& v) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size() && !s.empty();
}

std::vector<std::string> words(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

}  // namespace

std::vector<NodeId> parse_node_list(std::string_view text, uint32_t node_count, const std::string& what) {
  std::vector<NodeId> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view item = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    size_t dots = item.find("..");
    uint32_t a = 0, b = 0;
    bool ok = dots == std::string_view::npos ? parse_id(item, a) && (b = a, true)
                                             : parse_id(item.substr(0, dots), a) && parse_id(item.substr(dots + 2), b);
    if (!ok || a > b)
      throw ScenarioError(what + ": expected node ids like 3, 1,4 or 0..9, got \"" + std::string(item) + "\"");
    if (b >= node_count)
      throw ScenarioError(what + ": node " + std::to_string(b) + " is beyond the node count (" +
                          std::to_string(node_count) + " nodes)");
    for (uint64_t n = a; n <= b; ++n) out.push_back(static_cast<NodeId>(n));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string to_toml(const UiFault& f) {
  std::string out = "[[faults]]\nkind = \"" + std::string(to_string(f.kind)) + "\"\n";
  out += "at = \"" + std::to_string(f.at.ns) + "ns\"\n";
  switch (f.kind) {
    case FaultKind::partition:
      out += "groups = { a = " + toml_node_list(f.group_a) + ", b = " + toml_node_list(f.group_b) + " }\n";
      break;
    case FaultKind::heal:
      break;
    case FaultKind::byzantine:
      out += "nodes = " + toml_node_list(f.nodes) + "\nbehavior = \"" + f.behavior + "\"\n";
      if (!f.module.empty()) out += "module = \"" + f.module + "\"\n";
      break;
    default:
      out += "nodes = " + toml_node_list(f.nodes) + "\n";
  }
  return out;
}

std::string describe(const UiFault& f) {
  std::string out = to_string(f.kind);
  if (f.kind == FaultKind::partition) return out + " " + list_text(f.group_a) + " | " + list_text(f.group_b);
  if (f.kind == FaultKind::heal) return out;
  out += " " + list_text(f.nodes);
  if (f.kind == FaultKind::byzantine) out += " " + f.behavior + (f.module.empty() ? "" : " " + f.module);
  return out;
}

UiFault parse_apply(std::string_view text, uint32_t node_count) {
  const std::string what = "--apply \"" + std::string(text) + "\"";
  std::vector<std::string> w = words(text);
  if (w.size() < 3 || w[w.size() - 2] != "at")
    throw ScenarioError(what + ": expected KIND NODES at TIME, e.g. \"crash 3 at 2s\" or \"partition 0..3 | 4..7 at 1s\"");
  UiFault f;
  std::string error;
  auto at = parse_duration(w.back(), &error);
  if (!at || at->ns < 0) throw ScenarioError(what + ": bad time \"" + w.back() + "\" (" + error + ")");
  f.at = SimTime{at->ns};
  const std::string& kind = w[0];
  std::vector<std::string> args(w.begin() + 1, w.end() - 2);
  auto expect_args = [&](size_t n, const char* form) {
    if (args.size() != n) throw ScenarioError(what + ": expected \"" + form + "\"");
  };
  if (kind == "crash" || kind == "recover" || kind == "pause" || kind == "resume" || kind == "isolate") {
    expect_args(1, (kind + " NODES at TIME").c_str());
    f.kind = kind == "crash" ? FaultKind::crash : kind == "recover" ? FaultKind::recover
           : kind == "pause" ? FaultKind::pause : kind == "resume" ? FaultKind::resume : FaultKind::isolate;
    f.nodes = parse_node_list(args[0], node_count, what);
  } else if (kind == "partition") {
    expect_args(3, "partition NODES | NODES at TIME");
    if (args[1] != "|") throw ScenarioError(what + ": expected \"partition NODES | NODES at TIME\"");
    f.kind = FaultKind::partition;
    f.group_a = parse_node_list(args[0], node_count, what);
    f.group_b = parse_node_list(args[2], node_count, what);
  } else if (kind == "heal") {
    expect_args(0, "heal at TIME");
    f.kind = FaultKind::heal;
  } else if (kind == "byzantine") {
    if (args.size() != 2 && args.size() != 3)
      throw ScenarioError(what + ": expected \"byzantine NODES BEHAVIOUR [MODULE] at TIME\"");
    f.kind = FaultKind::byzantine;
    f.nodes = parse_node_list(args[0], node_count, what);
    f.behavior = args[1];
    if (args.size() == 3) f.module = args[2];
  } else {
    throw ScenarioError(what + ": unknown kind \"" + kind +
                        "\" (crash, recover, pause, resume, isolate, partition, heal, byzantine)");
  }
  return f;
}

}  // namespace meshsim::viz
