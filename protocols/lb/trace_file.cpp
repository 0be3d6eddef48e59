// Reads an arrival trace (`arrivals = "trace"`, `trace_file`): a CSV file, one task a line,
//   time,node,size[,key][,capabilities]
// time: when the task arrives (a duration since the start: "1.5s", "250ms"); node: the
// submitter; size: CPU time at speed 1 ("100ms"); key: an unsigned integer or empty;
// capabilities: names separated by ';' or spaces. Blank lines and lines starting with '#'
// are skipped, and so is a first line that starts with "time" (a header). Hand-written: the
// format is five plain fields without quoting, and every error must name the file and line,
// which a general CSV library would make harder, not easier.
#include "protocols/lb/trace_file.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/errors.h"

namespace meshsim::lb {

namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  std::string f;
  while (std::getline(in, f, sep)) fields.push_back(trim(f));
  if (!line.empty() && line.back() == sep) fields.emplace_back();
  return fields;
}

}  // namespace

std::string resolve_trace_path(const std::string& scenario_file, const std::string& trace_file) {
  std::filesystem::path p(trace_file);
  if (p.is_absolute()) return p.string();
  return (std::filesystem::path(scenario_file).parent_path() / p).lexically_normal().string();
}

std::vector<TraceTask> read_trace(const std::string& path, const std::string& where) {
  std::ifstream in(path);
  if (!in) throw ScenarioError(where + "cannot open the trace file " + path);
  std::vector<TraceTask> tasks;
  std::string line;
  uint32_t number = 0;
  bool first = true;
  while (std::getline(in, line)) {
    ++number;
    const std::string text = trim(line);
    if (text.empty() || text[0] == '#') continue;
    if (first && text.rfind("time", 0) == 0) {
      first = false;
      continue;
    }
    first = false;
    const auto bad = [&](const std::string& what) {
      return ScenarioError(where + path + ":" + std::to_string(number) + ": " + what);
    };
    const std::vector<std::string> f = split(text, ',');
    if (f.size() < 3 || f.size() > 5)
      throw bad("expected time,node,size[,key][,capabilities], got " + std::to_string(f.size()) + " fields");
    TraceTask t;
    t.line = number;
    std::string error;
    const auto at = parse_duration(f[0], &error);
    if (!at || at->ns < 0) throw bad("time \"" + f[0] + "\" is not a duration such as \"1.5s\"" + (error.empty() ? "" : " (" + error + ")"));
    t.at_ns = at->ns;
    const auto [end, ec] = std::from_chars(f[1].data(), f[1].data() + f[1].size(), t.node);
    if (ec != std::errc{} || end != f[1].data() + f[1].size() || f[1].empty())
      throw bad("node \"" + f[1] + "\" is not a node number");
    const auto size = parse_duration(f[2], &error);
    if (!size || size->ns <= 0) throw bad("size \"" + f[2] + "\" is not a positive duration such as \"100ms\"");
    t.work_ns = size->ns;
    if (f.size() >= 4 && !f[3].empty()) {
      const auto [kend, kec] = std::from_chars(f[3].data(), f[3].data() + f[3].size(), t.key);
      if (kec != std::errc{} || kend != f[3].data() + f[3].size()) throw bad("key \"" + f[3] + "\" is not an unsigned integer");
    }
    if (f.size() == 5) {
      std::string caps = f[4];
      std::replace(caps.begin(), caps.end(), ';', ' ');
      std::stringstream names(caps);
      for (std::string c; names >> c;) t.capabilities.push_back(c);
    }
    tasks.push_back(std::move(t));
  }
  if (tasks.empty()) throw ScenarioError(where + path + ": the trace has no tasks");
  // By node, then time, then line: each node's tasks are contiguous and in arrival order.
  std::sort(tasks.begin(), tasks.end(), [](const TraceTask& a, const TraceTask& b) {
    return std::tie(a.node, a.at_ns, a.line) < std::tie(b.node, b.at_ns, b.line);
  });
  return tasks;
}

}  // namespace meshsim::lb
