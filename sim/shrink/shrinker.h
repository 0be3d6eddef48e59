// `meshsim shrink`: from a run that fails a checker or an expectation, the smallest
// scenario found that still fails with the same one. Delta debugging (sim/shrink/ddmin.h)
// over the fault schedule, then simpler faults (fewer nodes, shorter and later windows),
// then a smaller run (shorter, fewer nodes, clients and operations). Every candidate is a
// whole deterministic run of the candidate's text (sim/shrink/probe.h), so what is kept is
// exactly what fails; the order of the search is fixed, so the result is too.
#pragma once
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/scenario/module_registry.h"

namespace meshsim::shrink {

// A count in the scenario worth lowering: clients, operations, keys, nodes. A key that
// counts the nodes at the start of the mesh (Raft's servers, pBFT's replicas) lowers
// topology.nodes with it, so the nodes after them (the clients) stay as many.
struct SizeKey {
  std::string section, key;
  int64_t minimum = 1;
  bool counts_leading_nodes = false;
};

struct ShrinkOptions {
  std::string path;  // the scenario file, for messages and relative paths
  uint64_t seed = 1;
  uint64_t max_runs = 500;
  std::vector<SizeKey> size_keys;
  bool shorten_run = true;  // false: run.duration stays as written
  std::function<void(const std::string&)> progress;  // one line per step
  std::function<bool()> should_stop;                 // Ctrl-C
};

struct SizeChange {
  std::string name;  // "protocol.max_ops"
  int64_t before = 0, after = 0;
};

struct ShrinkReport {
  std::string text;  // the shrunk scenario, without a header
  std::string failure_class;
  std::string original_failure, final_failure;  // the verdicts' texts
  int64_t original_at_ns = -1, final_at_ns = -1;
  bool original_expected = false;  // [expect] failure named it: `meshsim run` exited 0 on it
  size_t file_faults_before = 0, chaos_faults_before = 0, faults_after = 0;
  int64_t fault_time_before_ns = 0, fault_time_after_ns = 0;  // the faults' windows, summed
  int64_t duration_before_ns = 0, duration_after_ns = 0;
  std::vector<SizeChange> sizes;
  uint64_t runs = 0, recalled = 0;
  bool budget_spent = false, stopped = false;
};

// Ctrl-C before there was anything smaller to write.
class ShrinkInterrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws ScenarioError (bad input, exit code 2) for a scenario that does not load or whose
// run does not fail with `options.seed`: there is nothing to shrink. Throws
// ShrinkInterrupted when stopped before a first smaller scenario could be known, and
// std::runtime_error if the chaos draw written out as explicit faults does not reproduce the
// failure, which would be a broken determinism contract, not a user error. Stopped later
// (Ctrl-C, the budget), it returns the smallest scenario found so far.
ShrinkReport shrink_scenario(const std::string& text, const ShrinkOptions& options, const ModuleRegistry& registry);

}  // namespace meshsim::shrink
