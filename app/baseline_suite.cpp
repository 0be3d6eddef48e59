#include "app/baseline_suite.h"

#include <toml++/toml.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "app/build_info.h"
#include "sim/errors.h"
#include "sim/scenario/scenario.h"
#include "sim/simulation.h"

namespace meshsim::cli {

std::vector<SuiteScenario> suite_scenarios(const std::string& folder, const ModuleRegistry& registry) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) throw ScenarioError(folder + ": not a folder of scenarios");
  std::vector<std::string> files;
  fs::recursive_directory_iterator it(folder, ec), end;
  if (ec) throw ScenarioError(folder + ": cannot read the folder: " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) throw ScenarioError(folder + ": cannot read the folder: " + ec.message());
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && it->path().extension() == ".toml") files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());  // directory order is not deterministic
  std::vector<SuiteScenario> suite;
  for (const std::string& f : files) {
    Scenario sc = load_scenario(f, {}, registry);
    // Only scenarios that say what they expect are part of a suite, as for meshsim check;
    // the others are examples and benchmarks.
    if (!sc.document || !sc.document->contains("expect")) continue;
    suite.push_back({f, fs::path(f).lexically_relative(folder).generic_string(), sc.name, sc.text});
  }
  if (suite.empty()) throw ScenarioError(folder + ": no scenario with an [expect] section found");
  return suite;
}

Baseline run_suite(const std::vector<SuiteScenario>& suite, const std::vector<uint64_t>& seeds, unsigned threads,
                   const ModuleRegistry& registry) {
  Baseline b;
  b.build_id = build_id();
  b.seeds = seeds;
  for (const SuiteScenario& s : suite) {
    BaselineScenario sc{s.relative, s.name, s.text, {}};
    for (uint64_t seed : seeds) sc.runs.push_back(BaselineRun{seed, "", 0, 0, {}});
    b.scenarios.push_back(std::move(sc));
  }
  // One job per (scenario, seed); each worker writes only the slot of its job.
  const size_t jobs = suite.size() * seeds.size();
  std::atomic<size_t> next{0};
  std::mutex error_mutex;
  std::string error;
  auto worker = [&] {
    for (size_t j = next++; j < jobs; j = next++) {
      const size_t s = j / seeds.size(), k = j % seeds.size();
      BaselineRun& run = b.scenarios[s].runs[k];
      try {
        // The text read when the suite was listed: a file edited meanwhile does not mix
        // two versions into one baseline.
        Scenario sc = parse_scenario(suite[s].text, suite[s].path, {}, registry, seeds[k]);
        Simulation sim(resolve_run(sc, registry));
        RunInfo info;
        info.scenario_path = suite[s].path;
        info.seed = seeds[k];
        const RunResult r = sim.run(info);
        run.status = to_string(r.status);
        run.events = r.events;
        run.fingerprint = r.fingerprint;
        run.metrics = sim.metrics().scalars();
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (error.empty()) error = suite[s].path + " seed " + std::to_string(seeds[k]) + ": " + e.what();
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < std::max(1u, threads); ++t) {
    try {
      pool.emplace_back(worker);
    } catch (const std::system_error&) {
      break;  // fewer threads, same work
    }
  }
  worker();
  for (auto& t : pool) t.join();
  if (!error.empty()) throw std::runtime_error(error);
  return b;
}

}  // namespace meshsim::cli
