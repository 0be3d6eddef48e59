#include "app/batch_commands.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "sim/config_section.h"

namespace meshsim::cli {

namespace {

// Runs jobs on `threads` workers; one Simulation per run and no shared mutable state but
// the job counter and the results vector (each slot written by one worker).
std::vector<RunOutcome> run_parallel(const std::vector<RunOptions>& jobs, unsigned threads,
                                     const ModuleRegistry& registry) {
  std::vector<RunOutcome> outcomes(jobs.size());
  std::atomic<size_t> next{0};
  std::mutex print;
  auto worker = [&] {
    for (size_t i = next++; i < jobs.size(); i = next++) {
      outcomes[i] = execute_run(jobs[i], registry);
      std::lock_guard lock(print);
      const RunOutcome& o = outcomes[i];
      if (o.exit_code >= 2) {
        std::fprintf(stderr, "  %-28s seed %-8llu ERROR  %s\n", jobs[i].scenario.c_str(),
                     static_cast<unsigned long long>(jobs[i].seed.value_or(0)), o.error.c_str());
      } else {
        std::fprintf(stdout, "  %-28s seed %-8llu %-8s %10llu events  %016llx  %.2fs\n", o.scenario_name.c_str(),
                     static_cast<unsigned long long>(o.seed), o.exit_code == 0 ? "ok" : "FAILED",
                     static_cast<unsigned long long>(o.result.events),
                     static_cast<unsigned long long>(o.result.fingerprint), o.result.wall_s);
      }
      std::fflush(stdout);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < std::max(1u, threads); ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  return outcomes;
}

int summarize(const std::vector<RunOptions>& jobs, const std::vector<RunOutcome>& outcomes) {
  size_t ok = 0, failed = 0, errors = 0;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    if (outcomes[i].exit_code == 0) ++ok;
    else if (outcomes[i].exit_code == 1) ++failed;
    else ++errors;
  }
  std::cout << ok << " passed, " << failed << " failed";
  if (errors) std::cout << ", " << errors << " errors";
  std::cout << std::endl;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    if (outcomes[i].exit_code != 1) continue;
    std::cout << "  FAILED " << outcomes[i].scenario_name << " seed " << outcomes[i].seed << ": "
              << outcomes[i].result.failure << "\n    reproduce: " << outcomes[i].reproduce << "\n";
  }
  (void)jobs;
  return errors ? 2 : failed ? 1 : 0;
}

// "1..100" or "7" or "1,5,9".
std::vector<uint64_t> parse_seeds(const std::string& text) {
  std::vector<uint64_t> seeds;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t dots = part.find("..");
    try {
      size_t used = 0;
      if (dots == std::string::npos) {
        seeds.push_back(std::stoull(part, &used));
        if (used != part.size()) throw std::invalid_argument(part);
      } else {
        uint64_t a = std::stoull(part.substr(0, dots)), b = std::stoull(part.substr(dots + 2), &used);
        if (b < a || b - a > 1'000'000) throw std::invalid_argument(part);
        for (uint64_t s = a; s <= b; ++s) seeds.push_back(s);
      }
    } catch (const std::exception&) {
      throw ScenarioError("--seeds: '" + part + "' is not a seed or a range like 1..100");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return seeds;
}

}  // namespace

int sweep_command(const RunOptions& base, const std::string& seed_text, unsigned threads,
                  const ModuleRegistry& registry) {
  std::vector<uint64_t> seeds;
  try {
    seeds = parse_seeds(seed_text);
  } catch (const ScenarioError& e) {
    std::cerr << "meshsim: " << e.what() << std::endl;
    return 2;
  }
  std::vector<RunOptions> jobs;
  for (uint64_t s : seeds) {
    RunOptions o = base;
    o.seed = s;
    o.quiet = true;
    o.progress = false;
    jobs.push_back(o);
  }
  std::cout << "sweep " << base.scenario << ": " << jobs.size() << " seeds on " << threads << " threads\n";
  return summarize(jobs, run_parallel(jobs, threads, registry));
}

int check_command(const std::string& folder, const RunOptions& base, unsigned threads,
                  const ModuleRegistry& registry) {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) {
    std::cerr << "meshsim: " << folder << ": not a folder of scenarios" << std::endl;
    return 2;
  }
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder))
    if (entry.is_regular_file() && entry.path().extension() == ".toml") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());  // directory order is not deterministic
  if (files.empty()) {
    std::cerr << "meshsim: " << folder << ": no .toml scenarios found" << std::endl;
    return 2;
  }
  std::vector<RunOptions> jobs;
  for (const auto& f : files) {
    RunOptions o = base;
    o.scenario = f;
    o.quiet = true;
    o.progress = false;
    jobs.push_back(o);
  }
  std::cout << "check " << folder << ": " << jobs.size() << " scenarios on " << threads << " threads\n";
  return summarize(jobs, run_parallel(jobs, threads, registry));
}

}  // namespace meshsim::cli
