#include "app/junit_report.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>

namespace meshsim::cli {

namespace {

constexpr const char* kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one.
size_t utf8_length(const std::string& s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  if (n == 2 && c < 0xC2) return 0;  // overlong
  return n;
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s < 0 ? 0 : s);
  return buf;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string attr(const char* name, const std::string& value) { return std::string(" ") + name + "=\"" + xml_escape(value) + "\""; }

// ISO 8601 without a zone, as the schema's xs:dateTime in Ant's reports: local time.
std::string timestamp_now() {
  char buf[32];
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &local);
  return buf;
}

std::string host() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

struct CaseXml {
  std::string text;
  bool failure = false, error = false, skipped = false;
  double time = 0;
};

CaseXml testcase(const BatchRun& r, const std::string& suite) {
  const RunOutcome& o = r.outcome;
  CaseXml c;
  c.time = r.started ? o.result.wall_s : 0;
  std::string name = r.job.seed ? "seed " + std::to_string(*r.job.seed)
                     : (r.started && !o.scenario_name.empty()) ? "seed " + std::to_string(o.seed)
                                                               : "scenario";
  c.text = "    <testcase" + attr("name", name) + attr("classname", suite) + attr("time", seconds(c.time));
  std::string body;
  const std::string reproduce = o.reproduce.empty() ? "" : "\nreproduce: " + o.reproduce;
  if (!r.started) {
    c.skipped = true;
    body = "      <skipped" + attr("message", "not run: the batch was interrupted before this run started") + "/>\n";
  } else if (o.exit_code == 2 || o.exit_code == 3) {
    c.error = true;
    body = "      <error" + attr("message", first_line(o.error)) + attr("type", o.exit_code == 2 ? "bad-input" : "internal-error") +
           ">" + xml_escape(o.error) + "</error>\n";
  } else if (o.result.status == RunStatus::failed) {
    c.failure = true;
    body = "      <failure" + attr("message", first_line(o.result.failure)) + attr("type", "failed") + ">" +
           xml_escape(o.result.failure + reproduce) + "</failure>\n";
  } else if (o.result.status == RunStatus::inconclusive || o.result.status == RunStatus::interrupted) {
    c.skipped = true;
    // An interrupted run's text already begins "interrupted by SIGINT ...".
    const std::string prefix = o.result.status == RunStatus::inconclusive ? "inconclusive: " : "";
    body = "      <skipped" + attr("message", prefix + first_line(o.result.failure)) + "/>\n";
  }
  if (r.started && o.exit_code == kExitResultsAside)
    body += "      <system-err>" + xml_escape("results not stored in the database: " + o.error) + "</system-err>\n";
  c.text += body.empty() ? "/>\n" : ">\n" + body + "    </testcase>\n";
  return c;
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '&': out += "&amp;"; ++i; continue;
      case '<': out += "&lt;"; ++i; continue;
      case '>': out += "&gt;"; ++i; continue;
      case '"': out += "&quot;"; ++i; continue;
      case '\'': out += "&apos;"; ++i; continue;
      case '\n': out += "&#10;"; ++i; continue;  // kept as a line break in attributes too
      case '\t': out += "&#9;"; ++i; continue;
      case '\r': out += "&#13;"; ++i; continue;
      default: break;
    }
    if (c < 0x20 || c == 0x7F) {
      out += kReplacement;
      ++i;
      continue;
    }
    size_t n = utf8_length(text, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    out.append(text, i, n);
    i += n;
  }
  return out;
}

std::string junit_xml(const std::string& name, const std::vector<BatchRun>& runs, const std::string& build_id) {
  // Suites in the order their scenarios first appear: one per scenario file.
  std::vector<std::string> paths;
  for (const BatchRun& r : runs)
    if (std::find(paths.begin(), paths.end(), r.job.scenario) == paths.end()) paths.push_back(r.job.scenario);
  const std::string stamp = timestamp_now(), hostname = host();
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  double total_time = 0;
  std::string suites;
  for (const std::string& path : paths) {
    std::string suite = std::filesystem::path(path).stem().string();
    for (const BatchRun& r : runs)
      if (r.job.scenario == path && !r.outcome.scenario_name.empty()) suite = r.outcome.scenario_name;
    std::string cases;
    size_t t = 0, f = 0, e = 0, s = 0;
    double time = 0;
    for (const BatchRun& r : runs) {
      if (r.job.scenario != path) continue;
      CaseXml c = testcase(r, suite);
      cases += c.text;
      ++t;
      f += c.failure;
      e += c.error;
      s += c.skipped;
      time += c.time;
    }
    suites += "  <testsuite" + attr("name", suite) + attr("tests", std::to_string(t)) + attr("failures", std::to_string(f)) +
              attr("errors", std::to_string(e)) + attr("skipped", std::to_string(s)) + attr("time", seconds(time)) +
              attr("timestamp", stamp) + attr("hostname", hostname) + ">\n" + "    <properties>\n" +
              "      <property" + attr("name", "scenario_path") + attr("value", path) + "/>\n" +
              "      <property" + attr("name", "build_id") + attr("value", build_id) + "/>\n" + "    </properties>\n" + cases +
              "    <system-out/>\n    <system-err/>\n  </testsuite>\n";
    tests += t;
    failures += f;
    errors += e;
    skipped += s;
    total_time += time;
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites" + attr("name", name) + attr("tests", std::to_string(tests)) +
         attr("failures", std::to_string(failures)) + attr("errors", std::to_string(errors)) +
         attr("skipped", std::to_string(skipped)) + attr("time", seconds(total_time)) + ">\n" + suites + "</testsuites>\n";
}

}  // namespace meshsim::cli
