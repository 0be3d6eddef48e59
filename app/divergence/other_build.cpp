#include "app/divergence/other_build.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>

#include "sim/errors.h"

namespace meshsim::divergence {

namespace {

constexpr const char* kMagic = "meshsim-events 1";

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// A field of the tab-separated event line: tabs and line breaks in a message's rendering
// would split it.
std::string one_field(std::string s) {
  for (char& c : s)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return s;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

}  // namespace

void write_checkpoints(std::ostream& out, const Checkpoints& c, const std::string& build_id) {
  out << kMagic << " " << build_id << "\n";
  for (uint64_t h : c.hashes) out << "checkpoint " << hex64(h) << "\n";
  out << "end " << c.events << " " << hex64(c.fingerprint) << "\n";
}

void write_events(std::ostream& out, const std::vector<EventRecord>& events, const std::string& build_id) {
  out << kMagic << " " << build_id << "\n";
  for (const EventRecord& r : events)
    out << "event\t" << r.index << "\t" << hex64(r.hash) << "\t" << r.time_ns << "\t" << r.node << "\t" << r.kind << "\t"
        << one_field(r.module) << "\t" << one_field(r.type) << "\t" << r.from << "\t" << one_field(r.detail) << "\n";
  out << "end 0 0\n";
}

std::string OtherBuildRun::label() const {
  return describe_recipe(recipe_) + "  [" + binary_ + (build_id_.empty() ? "" : ", " + build_id_) + "]";
}

std::string OtherBuildRun::run(const std::string& mode) {
  std::string command = shell_quote(binary_) + " emit-events " + shell_quote(recipe_.scenario);
  if (recipe_.seed) command += " --seed " + std::to_string(*recipe_.seed);
  for (const auto& s : recipe_.sets) command += " --set " + shell_quote(s);
  command += " " + mode;
  if (access(binary_.c_str(), X_OK) != 0) throw ScenarioError("--other-binary " + binary_ + ": not found or not executable");
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw ScenarioError("--other-binary " + binary_ + ": cannot start it");
  std::string output;
  char buf[65536];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) output.append(buf, n);
  const int status = pclose(pipe);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  if (code == 127) throw ScenarioError("--other-binary " + binary_ + ": not found or not executable");
  if (code != 0 || output.rfind(kMagic, 0) != 0)
    throw ScenarioError("--other-binary " + binary_ + " failed (exit " + std::to_string(code) + ") on: " + command +
                        "\n  (both builds need `meshsim emit-events`, which came with `meshsim diverge`)");
  std::istringstream in(output);
  std::string first;
  std::getline(in, first);
  build_id_ = first.size() > std::string(kMagic).size() ? first.substr(std::string(kMagic).size() + 1) : "";
  return output.substr(first.size() + 1);
}

Checkpoints OtherBuildRun::checkpoints(uint64_t every) {
  std::istringstream in(run("--every " + std::to_string(every)));
  Checkpoints c;
  c.every = every;
  std::string word;
  bool ended = false;
  while (in >> word) {
    std::string hash;
    if (word == "checkpoint" && in >> hash && hash.size() == 16 && hash.find_first_not_of("0123456789abcdef") == std::string::npos) {
      c.hashes.push_back(std::stoull(hash, nullptr, 16));
    } else if (word == "end" && in >> c.events >> hash && hash.size() == 16 &&
               hash.find_first_not_of("0123456789abcdef") == std::string::npos) {
      c.fingerprint = std::stoull(hash, nullptr, 16);
      ended = true;
    } else {
      throw ScenarioError("--other-binary " + binary_ + ": unexpected output '" + word + "'");
    }
  }
  if (!ended) throw ScenarioError("--other-binary " + binary_ + ": its output stops short (no 'end' line)");
  return c;
}

std::vector<EventRecord> OtherBuildRun::events(uint64_t first, uint64_t last) {
  std::istringstream in(run("--events " + std::to_string(first) + ".." + std::to_string(last)));
  std::vector<EventRecord> out;
  std::string line;
  bool ended = false;
  while (std::getline(in, line)) {
    if (line.rfind("end ", 0) == 0) {
      ended = true;
      break;
    }
    std::vector<std::string> f = split_tabs(line);
    if (f.size() != 10 || f[0] != "event") throw ScenarioError("--other-binary " + binary_ + ": unexpected output '" + line + "'");
    try {
      EventRecord r;
      r.index = std::stoull(f[1]);
      r.hash = std::stoull(f[2], nullptr, 16);
      r.time_ns = std::stoll(f[3]);
      r.node = static_cast<uint32_t>(std::stoul(f[4]));
      r.kind = f[5];
      r.module = f[6];
      r.type = f[7];
      r.from = std::stoll(f[8]);
      r.detail = f[9];
      out.push_back(std::move(r));
    } catch (const std::exception&) {
      throw ScenarioError("--other-binary " + binary_ + ": unexpected output '" + line + "'");
    }
  }
  if (!ended) throw ScenarioError("--other-binary " + binary_ + ": its output stops short (no 'end' line)");
  return out;
}

}  // namespace meshsim::divergence
