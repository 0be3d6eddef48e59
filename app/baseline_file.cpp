#include "app/baseline_file.h"

#include <toml++/toml.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "app/json_writer.h"
#include "sim/errors.h"

namespace meshsim::cli {

std::string hex_fingerprint(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

namespace {

// TOML's basic strings take JSON's escapes.
std::string quoted(const std::string& s) { return json_escape(s); }

std::string key(const std::string& k) {
  if (!k.empty() && k.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == std::string::npos)
    return k;
  return quoted(k);
}

// Exact: a value read back compares equal to the one written.
std::string number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == std::floor(v) && std::fabs(v) < 9e15) return std::to_string(static_cast<long long>(v));
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

// A scenario's text, readable in the file: a literal multi-line string when it can be one
// (no ''' inside, no control characters but tab and line breaks), else an escaped string.
std::string text_value(const std::string& text) {
  bool literal = text.find("'''") == std::string::npos && (text.empty() || text.back() != '\'');
  for (unsigned char c : text)
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) literal = false;
  if (text.find('\r') != std::string::npos) literal = false;
  return literal ? "'''\n" + text + "'''" : quoted(text);
}

[[noreturn]] void refuse(const std::string& path, const toml::node* at, const std::string& why) {
  const auto line = at ? at->source().begin.line : 0;
  throw ScenarioError(path + (line ? ":" + std::to_string(line) : "") + ": not a usable meshsim baseline: " + why);
}

template <class T>
T required(const std::string& path, const toml::table& t, const std::string& name, const std::string& where) {
  const toml::node* n = t.get(name);
  if (!n) refuse(path, &t, where + " lacks '" + name + "'");
  auto v = n->value<T>();
  if (!v) refuse(path, n, where + "." + name + " has the wrong type");
  return *v;
}

uint64_t parse_hex(const std::string& path, const toml::node* at, const std::string& s) {
  if (s.size() != 16 || s.find_first_not_of("0123456789abcdef") != std::string::npos)
    refuse(path, at, "fingerprint '" + s + "' is not 16 hex digits");
  return std::stoull(s, nullptr, 16);
}

}  // namespace

std::string baseline_toml(const Baseline& b) {
  std::ostringstream s;
  s << "# meshsim baseline: what each scenario of a suite did on each seed, for\n"
    << "#   meshsim baseline check FOLDER --against THIS_FILE\n"
    << "# Re-record it (the command below) when a change of behaviour is intended.\n";
  s << "format = " << Baseline::kFormat << "\n";
  s << "build_id = " << quoted(b.build_id) << "\n";
  s << "recorded_with = " << quoted(b.command) << "\n";
  s << "seeds = [";
  for (size_t i = 0; i < b.seeds.size(); ++i) s << (i ? ", " : "") << b.seeds[i];
  s << "]\n";
  for (const BaselineScenario& sc : b.scenarios) {
    s << "\n[[scenario]]\nfile = " << quoted(sc.file) << "\nname = " << quoted(sc.name) << "\n";
    s << "text = " << text_value(sc.text) << "\n";
    for (const BaselineRun& r : sc.runs) {
      s << "\n[[scenario.run]]\nseed = " << r.seed << "\nstatus = " << quoted(r.status) << "\nevents = " << r.events
        << "\nfingerprint = \"" << hex_fingerprint(r.fingerprint) << "\"\n";
      s << "[scenario.run.metrics]\n";
      for (const auto& [name, value] : r.metrics) s << key(name) << " = " << number(value) << "\n";
    }
  }
  return s.str();
}

Baseline read_baseline(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path + ": cannot read the baseline file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  toml::table root;
  try {
    root = toml::parse(buffer.str(), std::string_view(path));
  } catch (const toml::parse_error& e) {
    throw ScenarioError(path + ":" + std::to_string(e.source().begin.line) +
                        ": not a meshsim baseline (TOML syntax error: " + std::string(e.description()) + ")");
  }
  Baseline b;
  const int64_t format = required<int64_t>(path, root, "format", "the file");
  if (format != Baseline::kFormat)
    refuse(path, root.get("format"), "format " + std::to_string(format) + " (this build reads format " +
                                         std::to_string(Baseline::kFormat) + ")");
  b.build_id = required<std::string>(path, root, "build_id", "the file");
  if (auto c = root["recorded_with"].value<std::string>()) b.command = *c;
  const toml::array* seeds = root["seeds"].as_array();
  if (!seeds || seeds->empty()) refuse(path, &root, "it lists no seeds");
  for (const toml::node& n : *seeds) {
    auto v = n.value<int64_t>();
    if (!v || *v < 0) refuse(path, &n, "a seed is not a whole number");
    b.seeds.push_back(static_cast<uint64_t>(*v));
  }
  const toml::array* scenarios = root["scenario"].as_array();
  if (!scenarios || scenarios->empty()) refuse(path, &root, "it holds no [[scenario]]");
  for (const toml::node& n : *scenarios) {
    const toml::table* t = n.as_table();
    if (!t) refuse(path, &n, "a [[scenario]] is not a table");
    BaselineScenario sc;
    sc.file = required<std::string>(path, *t, "file", "[[scenario]]");
    sc.name = required<std::string>(path, *t, "name", "[[scenario]]");
    sc.text = required<std::string>(path, *t, "text", "[[scenario]]");
    const toml::array* runs = t->get_as<toml::array>("run");
    if (!runs) refuse(path, t, "scenario " + sc.file + " has no [[scenario.run]]");
    for (const toml::node& rn : *runs) {
      const toml::table* rt = rn.as_table();
      if (!rt) refuse(path, &rn, "a [[scenario.run]] is not a table");
      BaselineRun r;
      const std::string where = "a run of " + sc.file;
      r.seed = static_cast<uint64_t>(required<int64_t>(path, *rt, "seed", where));
      r.status = required<std::string>(path, *rt, "status", where);
      r.events = static_cast<uint64_t>(required<int64_t>(path, *rt, "events", where));
      r.fingerprint = parse_hex(path, rt->get("fingerprint"), required<std::string>(path, *rt, "fingerprint", where));
      if (const toml::table* m = rt->get_as<toml::table>("metrics")) {
        for (const auto& [name, value] : *m) {
          auto v = value.value<double>();
          if (!v) refuse(path, &value, "metric " + std::string(name.str()) + " of " + sc.file + " is not a number");
          r.metrics[std::string(name.str())] = *v;
        }
      }
      sc.runs.push_back(std::move(r));
    }
    b.scenarios.push_back(std::move(sc));
  }
  return b;
}

}  // namespace meshsim::cli
