// Re-running a candidate scenario for `meshsim shrink`: the whole scenario text through
// the same path as `meshsim run` (parse_scenario, resolve_run, Simulation), in this
// process and without any database, and the answer to one question: does it still fail
// the same way? Runs are deterministic, so a text already tried is answered from memory.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "sim/scenario/module_registry.h"

namespace meshsim::shrink {

// What a run's verdict says failed: "checker raft.leader_completeness" for a checker's
// violation, "expect.linearizable" for a failed expectation; empty when the run passed.
// Two runs fail "the same way" when their classes are equal, whatever the details.
struct Failure {
  std::string failure_class;
  std::string text;       // the run's failure text, for the summary
  int64_t at_ns = -1;     // when a checker fired (expectations are judged at the end: -1)
  int64_t end_ns = 0;     // the run's last simulated time
  std::string invalid;    // the candidate is not a valid scenario: why (never a failure)
};

// The class of a failure text as RunResult::failure words it (sim/expectations.cpp).
std::string failure_class_of(const std::string& failure_text);

class Probe {
 public:
  // `path` names the scenario in messages and anchors its relative paths (edge lists).
  Probe(const ModuleRegistry& registry, std::string path, uint64_t seed, uint64_t max_runs);

  // Runs `text` (or recalls its run). A text that does not load is `invalid`.
  Failure run(const std::string& text);
  // True when `text` fails with `failure_class`. False without running once the budget of
  // runs is spent or a stop was asked for: the search then ends with what it has.
  bool fails_with(const std::string& text, const std::string& failure_class);

  uint64_t runs() const { return runs_; }
  uint64_t recalled() const { return recalled_; }
  bool budget_spent() const { return runs_ >= max_runs_; }
  bool stopped() const { return stopped_; }

  // Asked between runs and during long ones (Ctrl-C): true ends the search.
  std::function<bool()> should_stop;
  // Told after every run, with the number of runs so far.
  std::function<void(uint64_t runs)> on_run;

 private:
  const ModuleRegistry& registry_;
  std::string path_;
  uint64_t seed_;
  uint64_t max_runs_;
  uint64_t runs_ = 0, recalled_ = 0;
  bool stopped_ = false;
  std::map<std::string, Failure> memo_;
};

}  // namespace meshsim::shrink
