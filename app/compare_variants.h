// What `meshsim compare` compares: two or more variants, each a set of per-seed runs.
// A variant is a scenario (--variant NAME=FILE.toml), one value of a --vary KEY=V1,V2,...
// on a shared scenario, or a sweep already in a results database (--variant
// NAME=FILE.db or NAME=FILE.db#SWEEP_ID), which is how two builds are compared: each runs
// the same sweep into its own database.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "app/sweep_runner.h"

namespace meshsim::cli {

struct Variant {
  std::string name;
  std::string scenario;           // empty for a stored sweep
  std::vector<std::string> sets;  // the shared --set overrides, then this variant's own
  std::string stored_db;          // a stored sweep's database ...
  int64_t stored_sweep = 0;       // ... and its id (0: the newest)
  std::string source;             // how the user named it, for the outputs
};

struct CompareInput {
  std::string scenario;                 // the positional scenario, for --vary
  std::vector<std::string> variants;    // --variant NAME=SOURCE (repeatable)
  std::vector<std::string> vary;        // --vary KEY=V1,V2,... (at most one)
  std::vector<std::string> sets;        // --set applied to every scenario variant
};

// Turns the options into variants, or throws ScenarioError saying what is wrong: a
// malformed --variant or --vary, an unknown file, a duplicate name, fewer than two variants.
std::vector<Variant> parse_variants(const CompareInput& input);

// The per-seed samples of every variant, in the variants' order: scenario variants are run
// (one recorded sweep each, all on one pool of threads), stored ones are read.
struct VariantSamples {
  Variant variant;
  int64_t sweep_id = 0;
  std::string db;
  size_t runs_not_ok = 0;  // runs that errored, were interrupted or never ran: left out of the statistics
  MetricSamples samples;
};
std::vector<VariantSamples> gather_variants(const std::vector<Variant>& variants, const RunOptions& base,
                                            const std::string& seed_text, unsigned threads,
                                            const ModuleRegistry& registry);

}  // namespace meshsim::cli
