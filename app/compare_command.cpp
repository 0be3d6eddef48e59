#include "app/compare_command.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sys/wait.h>

#include "app/atomic_file.h"
#include "app/batch_commands.h"
#include "app/compare_output.h"
#include "app/interrupt.h"
#include "sim/scenario/config_section.h"
#include "sink/results_db.h"

#ifndef MESHSIM_SOURCE_DIR
#define MESHSIM_SOURCE_DIR "."
#endif

namespace meshsim::cli {

namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (part.empty()) throw ScenarioError("--metrics " + text + ": an empty name; write it like --metrics op_latency_ns_p99,throughput_ops_per_s");
    out.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The report script: next to the sources this binary was built from, unless
// MESHSIM_REPORT_SCRIPT says where.
std::string report_script() {
  if (const char* env = std::getenv("MESHSIM_REPORT_SCRIPT")) return env;
  return std::string(MESHSIM_SOURCE_DIR) + "/results/report/compare_report.py";
}

// A Python that can import matplotlib: $MESHSIM_PYTHON alone when it is set (the user
// chose), else Debian's /usr/bin/python3 (where apt installs python3-matplotlib), then
// whatever python3 is on PATH.
std::string python_with_matplotlib() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("MESHSIM_PYTHON")) {
    candidates.push_back(env);
  } else {
    candidates.push_back("/usr/bin/python3");
    candidates.push_back("python3");
  }
  for (const auto& python : candidates) {
    std::string probe = shell_quote(python) + " -c 'import matplotlib, numpy' >/dev/null 2>&1";
    if (std::system(probe.c_str()) == 0) return python;
  }
  return "";
}

}  // namespace

void write_compare_report(const std::string& json_file, const std::string& html) {
  std::string python = python_with_matplotlib();
  if (python.empty())
    throw ScenarioError(std::string("--report needs Python 3 with matplotlib and numpy, and none was found (tried ") +
                        (std::getenv("MESHSIM_PYTHON") ? "$MESHSIM_PYTHON" : "/usr/bin/python3, python3") + "). Install them: sudo apt-get install python3-matplotlib python3-numpy "
                        "(or pip install matplotlib numpy), or point MESHSIM_PYTHON at such a Python.");
  std::string script = report_script();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(script, ec))
    throw ScenarioError("--report: the report script " + script + " is missing (set MESHSIM_REPORT_SCRIPT to its path)");
  std::string command = shell_quote(python) + " " + shell_quote(script) + " " + shell_quote(json_file) + " " + shell_quote(html);
  int status = std::system(command.c_str());
  if (status != 0)
    throw std::runtime_error("the report script failed (" + command + ", status " +
                             std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : status) + ")");
}

CompareCommand::CompareCommand(CLI::App& app, const ModuleRegistry& registry) : registry_(registry) {
  db_wait_s_ = options_.base.db_wait_s;
  command_ = app.add_subcommand("compare", "Compare two or more variants over many seeds: medians, intervals, tests, a report");
  CompareOptions& o = options_;
  command_->add_option("scenario", o.input.scenario, "Scenario to vary (with --vary)");
  command_->add_option("--variant", o.input.variants,
                       "A variant: NAME=SCENARIO.toml, or NAME=RESULTS.db[#SWEEP_ID] for a sweep already run (repeatable; "
                       "the first is the baseline)")
      ->allow_extra_args(false);  // one value per flag, so a scenario after it stays the positional
  command_->add_option("--vary", o.input.vary, "Vary one value of the scenario: --vary protocol.fanout=2,3,4 (the first is the baseline)")
      ->allow_extra_args(false);
  command_->add_option("--set", o.input.sets, "Override a value in every scenario variant (repeatable)")->allow_extra_args(false);
  command_->add_option("--seeds", o.seeds, "Seeds each variant runs: 1..30, or 3,5,9")->capture_default_str();
  command_->add_option("--threads", o.threads, "Parallel runs")->capture_default_str();
  command_->add_option("--db", o.base.db, "Results database the runs and their sweeps go to")->capture_default_str();
  command_->add_option("--db-wait", db_wait_s_, "Seconds to wait for a database another process is writing")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0 * 7));
  command_->add_option("--metrics", o.metrics_text, "Compare exactly these metrics (comma-separated); default: the main ones");
  command_->add_flag("--all-metrics", o.analysis.all_metrics, "Compare every metric the variants share");
  command_->add_flag("--unpaired", o.analysis.unpaired, "Never pair runs by seed (Mann–Whitney U instead of Wilcoxon signed-rank)");
  command_->add_option("--alpha", o.analysis.alpha, "Significance level, after Holm's correction")
      ->capture_default_str()
      ->check(CLI::Range(1e-9, 0.5));
  command_->add_flag("--json", o.json, "Print one JSON object instead of the table");
  command_->add_option("--csv", o.csv, "Also write the comparison as CSV to FILE");
  command_->add_option("--report", o.report, "Also write a self-contained HTML report with plots to FILE.html (needs matplotlib)");
}

int CompareCommand::run() {
  CompareOptions& o = options_;
  o.base.db_wait_s = db_wait_s_;
  install_interrupt_handlers();
  std::vector<VariantSamples> gathered;
  try {
    if (!o.metrics_text.empty()) o.analysis.metrics = split_list(o.metrics_text);
    std::vector<Variant> variants = parse_variants(o.input);
    parse_seeds(o.seeds);
    o.threads = bounded_threads(o.threads);
    if (!o.csv.empty()) check_report_path(o.csv, "--csv");
    if (!o.report.empty()) check_report_path(o.report, "--report");
    if (!o.report.empty() && python_with_matplotlib().empty()) write_compare_report("", o.report);  // says how to install it
    gathered = gather_variants(variants, o.base, o.seeds, o.threads, registry_);
  } catch (const ScenarioError& e) {
    std::cerr << "meshsim: " << e.what() << std::endl;
    return 2;
  } catch (const ResultsError& e) {
    std::cerr << "meshsim: " << e.what() << std::endl;
    return 2;
  }
  if (const int signal = interrupt_signal()) {
    std::cerr << "meshsim: compare interrupted by " << signal_name(signal) << "; nothing compared" << std::endl;
    return interrupted_exit_code(signal);
  }
  CompareResult result;
  try {
    result = analyse(std::move(gathered), o.analysis);
  } catch (const ScenarioError& e) {
    std::cerr << "meshsim: " << e.what() << std::endl;
    return 2;
  }
  const std::string json = compare_json(result, o.seeds);
  if (o.json) std::cout << json << std::endl;
  else std::cout << compare_table(result, o.seeds);
  try {
    if (!o.csv.empty()) {
      write_file_atomically(o.csv, compare_csv(result));
      if (!o.json) std::cout << "wrote " << o.csv << "\n";
    }
    if (!o.report.empty()) {
      // The script reads the JSON from a file next to the report, removed afterwards.
      std::string json_file = o.report + ".json.tmp";
      write_file_atomically(json_file, json);
      try {
        write_compare_report(json_file, o.report);
      } catch (...) {
        std::filesystem::remove(json_file);
        throw;
      }
      std::filesystem::remove(json_file);
      if (!o.json) std::cout << "wrote " << o.report << "\n";
    }
  } catch (const ScenarioError& e) {
    std::cerr << "meshsim: " << e.what() << std::endl;
    return 2;
  }
  return 0;
}

}  // namespace meshsim::cli
