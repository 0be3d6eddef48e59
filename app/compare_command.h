// `meshsim compare`: two or more variants over many seeds, metric by metric, with medians,
// quartiles, bootstrap intervals, rank tests and one-line verdicts; a terminal table,
// --json, --csv FILE and --report FILE.html (plots drawn by results/report/compare_report.py
// with matplotlib). Wired into main.cpp by two calls, so other commands' changes there
// do not collide with it.
#pragma once
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "app/compare_analysis.h"
#include "app/run_command.h"

namespace meshsim::cli {

struct CompareOptions {
  CompareInput input;
  RunOptions base;  // --db, --db-wait
  std::string seeds = "1..30";
  unsigned threads = default_threads();
  AnalysisOptions analysis;
  std::string metrics_text;  // --metrics a,b,c
  bool json = false;
  std::string csv;     // --csv FILE
  std::string report;  // --report FILE.html
};

class CompareCommand {
 public:
  CompareCommand(CLI::App& app, const ModuleRegistry& registry);
  bool chosen() const { return command_->parsed(); }
  int run();  // the exit code: 0 done, 2 bad input, 3 internal error, 128 + signal interrupted

 private:
  CLI::App* command_;
  const ModuleRegistry& registry_;
  CompareOptions options_;
  double db_wait_s_;
};

// Runs results/report/compare_report.py on a compare JSON file to write `html`. Throws
// ScenarioError when no Python with matplotlib is found (saying how to install it).
void write_compare_report(const std::string& json_file, const std::string& html);

}  // namespace meshsim::cli
