// `meshsim baseline record FOLDER --out FILE` and `meshsim baseline check FOLDER --against
// FILE`: a suite's fingerprints and metric distributions kept in a file, and a later build
// (or an edited suite) held against it, to gate a protocol change in CI. Exit 0 no
// regression, 1 a regression beyond the tolerances, 2 bad input.
#pragma once
#include <string>
#include <vector>

#include "app/baseline_check.h"
#include "sim/scenario/module_registry.h"

namespace CLI {
class App;
}

namespace meshsim::cli {

struct BaselineOptions {
  std::string folder;
  std::string file;               // --out for record, --against for check
  std::string seeds = "1..10";    // record only; check uses the baseline's
  unsigned threads = 1;
  std::vector<std::string> tolerances;  // check: "10%", "NAME=5%"
  double alpha = 0.01;
  bool allow_behaviour_change = false;
  std::vector<std::string> metrics;
  std::string baseline_binary;    // check: the build that recorded the baseline, to locate code changes
  unsigned locate = 5;            // check: at most this many changed scenarios are located
};

class BaselineCommands {
 public:
  explicit BaselineCommands(CLI::App& app);
  bool chosen() const;
  int run(const ModuleRegistry& registry);

 private:
  CLI::App* baseline_ = nullptr;
  CLI::App* record_ = nullptr;
  CLI::App* check_ = nullptr;
  BaselineOptions options_;
};

int baseline_record(const BaselineOptions& options, const ModuleRegistry& registry);
int baseline_check(const BaselineOptions& options, const ModuleRegistry& registry);

}  // namespace meshsim::cli
