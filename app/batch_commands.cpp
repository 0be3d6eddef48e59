#include "app/batch_commands.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <system_error>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "app/atomic_file.h"
#include "app/batch_report.h"
#include "app/batch_status.h"
#include "app/build_info.h"
#include "app/interrupt.h"
#include "app/junit_report.h"
#include "app/rank_sweep.h"
#include "app/readable.h"
#include "app/sweep_runner.h"
#include "sim/scenario/config_section.h"
#include "sim/scenario/scenario.h"

namespace meshsim::cli {

void print_run_line(BatchStatus& status, const BatchRun& run) {
  const RunOptions& job = run.job;
  const RunOutcome& o = run.outcome;
  status.print([&] {
    if (o.exit_code == 2 || o.exit_code == 3) {
      std::fprintf(stderr, "  %-28s seed %-8llu ERROR  %s\n", job.scenario.c_str(),
                   static_cast<unsigned long long>(job.seed.value_or(0)), o.error.c_str());
    } else {
      std::string verdict = verdict_word(run);
      if (o.exit_code == kExitResultsAside) verdict += ",ASIDE";
      std::fprintf(stdout, "  %-28s seed %-8llu %-12s %10llu events  %016llx  %s\n", o.scenario_name.c_str(),
                   static_cast<unsigned long long>(o.seed), verdict.c_str(), static_cast<unsigned long long>(o.result.events),
                   static_cast<unsigned long long>(o.result.fingerprint), readable_seconds(o.result.wall_s).c_str());
    }
    std::fflush(stdout);
  });
}

// One Simulation per run and no shared mutable state but the job counter and the results
// vector (each slot written by one worker).
std::vector<BatchRun> run_parallel(const std::vector<RunOptions>& jobs, unsigned threads, const ModuleRegistry& registry,
                                   bool lines) {
  std::vector<BatchRun> runs(jobs.size());
  for (size_t i = 0; i < jobs.size(); ++i) runs[i].job = jobs[i];
  std::atomic<size_t> next{0};
  std::atomic<unsigned> slots{0};
  BatchStatus status(progress_mode(true), jobs.size(), std::max(1u, threads));
  auto label = [](const RunOptions& job) {
    std::string name = std::filesystem::path(job.scenario).stem().string();
    return job.seed ? name + " seed " + std::to_string(*job.seed) : name;
  };
  auto worker = [&] {
    const unsigned slot = slots++;
    for (size_t i = next++; i < jobs.size(); i = next++) {
      if (interrupt_signal()) break;
      status.started(slot, label(jobs[i]));
      runs[i].outcome = execute_run(jobs[i], registry);
      runs[i].started = true;
      status.ended(slot);
      if (lines) print_run_line(status, runs[i]);
    }
  };
  // Thread creation can fail (a process or memory limit): go on with the workers there
  // are, down to none at all, in which case this thread does the work.
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < std::max(1u, threads); ++t) {
    try {
      pool.emplace_back(worker);
    } catch (const std::system_error& e) {
      std::fprintf(stderr, "meshsim: could start only %zu of %u threads (%s); going on with those\n", pool.size(),
                   threads, e.what());
      break;
    }
  }
  if (pool.empty()) worker();
  for (auto& t : pool) t.join();
  return runs;
}

namespace {

// The end of both commands: the summary (or --json), the --junit report, the exit code.
int report(const std::string& command, const std::string& target, const BatchOptions& options,
           const std::vector<BatchRun>& runs, int64_t sweep_id = 0) {
  const int signal = interrupt_signal();
  const BatchTally counts = tally(runs);
  int code = batch_exit_code(counts, signal);
  if (!options.junit.empty()) {
    try {
      write_file_atomically(options.junit, junit_xml("meshsim " + command + " " + target, runs, build_id()));
    } catch (const ScenarioError& e) {
      std::cerr << "meshsim: --junit: " << e.what() << std::endl;
      if (code == 0) code = 2;
    }
  }
  if (options.json) {
    std::string json = batch_json(command, target, runs, counts, code);
    // A recorded sweep's id, for `meshsim show --sweep` and `compare --variant NAME=DB#ID`.
    if (sweep_id > 0 && json.size() > 2) json.insert(json.size() - 1, ", \"sweep_id\": " + std::to_string(sweep_id));
    std::cout << json << std::endl;
  }
  else print_batch_summary(runs, counts, signal);
  return code;
}

// At most this many seeds in one sweep: each is a line of output and a row in the database.
constexpr uint64_t kMaxSeeds = 1'000'000;

// A seed as the user wrote it: decimal digits only (no sign, no spaces, nothing after),
// within uint64. std::stoull would accept "-3" and wrap it to 2^64 - 3.
std::optional<uint64_t> parse_seed(const std::string& text) {
  uint64_t value = 0;
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::vector<uint64_t> parse_seeds(const std::string& text) {
  std::vector<uint64_t> seeds;
  auto refuse = [&](const std::string& part, const std::string& why) {
    throw ScenarioError("--seeds " + text + ": '" + part + "' " + why);
  };
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t dots = part.find("..");
    if (dots == std::string::npos) {
      auto seed = parse_seed(part);
      if (!seed) refuse(part, "is not a seed (a whole number from 0 to 18446744073709551615)");
      seeds.push_back(*seed);
    } else {
      auto a = parse_seed(part.substr(0, dots)), b = parse_seed(part.substr(dots + 2));
      if (!a || !b) refuse(part, "is not a range of seeds like 1..100 (whole numbers, no signs)");
      if (*b < *a) refuse(part, "runs backwards; write the smaller seed first");
      if (*b - *a >= kMaxSeeds - seeds.size()) refuse(part, "has more than " + std::to_string(kMaxSeeds) + " seeds in all");
      // Counted, not compared to b: b may be the largest uint64, which s <= b never passes.
      for (uint64_t k = 0; k <= *b - *a; ++k) seeds.push_back(*a + k);
    }
    if (seeds.size() > kMaxSeeds) refuse(part, "brings the sweep past " + std::to_string(kMaxSeeds) + " seeds");
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return seeds;
}

unsigned bounded_threads(unsigned asked) {
  // More threads than cores only adds memory (a Simulation each) and contention; past
  // four per core it is a typo. Clamped, not refused, so a script written for a big
  // machine still runs on a small one.
  unsigned limit = 4 * default_threads();
  if (asked == 0) throw ScenarioError("--threads 0: give at least 1");
  if (asked > limit) {
    std::fprintf(stderr, "meshsim: --threads %u is more than 4 per core on this machine; using %u\n", asked, limit);
    return limit;
  }
  return asked;
}

namespace {

// Every *.toml below `folder`, sorted. A folder that cannot be read stops the check: a
// regression suite that silently skipped part of itself would pass what it never ran.
std::vector<std::string> scenario_files(const std::string& folder) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(folder, ec), end;
  if (ec) throw ScenarioError(folder + ": cannot read the folder: " + ec.message());
  fs::path last = folder;  // where the walk was when it failed: the folder it tried to enter
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    last = it->path();
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && it->path().extension() == ".toml") files.push_back(it->path().string());
  }
  if (ec) throw ScenarioError(last.string() + ": cannot read the folder: " + ec.message());
  std::sort(files.begin(), files.end());  // directory order is not deterministic
  return files;
}

}  // namespace

int sweep_command(const RunOptions& base, const std::string& seed_text, unsigned threads, const BatchOptions& options,
                  const ModuleRegistry& registry, mpi::Session& session) {
  std::vector<uint64_t> seeds;
  int bad_input = 0;
  try {
    seeds = parse_seeds(seed_text);
    threads = bounded_threads(threads);
    // Over MPI ranks, rank 0 alone checks what only it uses or what needs reading once.
    if (session.is_root()) {
      if (!options.junit.empty()) check_report_path(options.junit, "--junit");
      // Checked once here, not once per seed: a bad --set would otherwise repeat its
      // message for every seed of the sweep.
      if (!seeds.empty()) load_scenario(base.scenario, base.sets, registry, seeds.front());
    }
  } catch (const ScenarioError& e) {
    if (session.is_root()) std::cerr << "meshsim: " << e.what() << std::endl;
    bad_input = 2;
  }
  // Every rank takes the road rank 0 takes: all go on, or all exit 2 (its message printed once).
  if (session.active()) bad_input = static_cast<int>(session.all_reduce_max(session.is_root() ? bad_input : 0));
  if (bad_input) return bad_input;
  SweepPlan plan;
  plan.label = std::filesystem::path(base.scenario).stem().string();
  plan.base = base;
  plan.seed_text = seed_text;
  plan.seeds = seeds;
  if (!session.is_root()) {
    serve_over_ranks(sweep_jobs({plan}), threads, registry, session);
    return receive_exit_code(session);
  }
  BatchRunner runner = run_parallel;
  if (session.active()) {
    runner = [&](const std::vector<RunOptions>& jobs, unsigned t, const ModuleRegistry& r, bool lines) {
      return run_over_ranks(jobs, t, r, lines, session);
    };
  }
  if (!options.json) {
    std::cout << "sweep " << base.scenario << ": " << seeds.size() << " seeds on ";
    if (session.active()) std::cout << session.size() << " ranks x ";
    std::cout << threads << " threads\n";
  }
  SweepOutcome sweep = std::move(run_sweeps({plan}, threads, registry, !options.json, runner).front());
  int code = report("sweep", base.scenario, options, sweep.runs, sweep.sweep_id);
  if (!options.json) {
    // The distributions of the main metrics: what a sweep is usually run to learn.
    std::vector<int64_t> run_ids;
    std::vector<uint64_t> used_seeds;
    usable_runs(sweep, run_ids, used_seeds);
    try {
      std::cout << distribution_summary(collect_samples(base.db, run_ids, used_seeds));
    } catch (const std::exception& e) {
      std::cerr << "meshsim: no distributions: " << e.what() << std::endl;
    }
    if (sweep.sweep_id > 0)
      std::cout << "recorded as sweep " << sweep.sweep_id << " in " << base.db << "   (meshsim show --sweep "
                << sweep.sweep_id << " --db " << base.db << ")\n";
  }
  std::cout << std::flush;
  if (session.active()) send_exit_code(code, session);
  return code;
}

int check_command(const std::string& folder, const RunOptions& base, unsigned threads, const BatchOptions& options,
                  const ModuleRegistry& registry) {
  std::vector<std::string> files;
  try {
    threads = bounded_threads(threads);
    if (!options.junit.empty()) check_report_path(options.junit, "--junit");
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec)) throw ScenarioError(folder + ": not a folder of scenarios");
    files = scenario_files(folder);
    if (files.empty()) throw ScenarioError(folder + ": no .toml scenarios found");
  } catch (const ScenarioError& e) {
    std::cerr << "meshsim: " << e.what() << std::endl;
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
  if (!options.json) std::cout << "check " << folder << ": " << jobs.size() << " scenarios on " << threads << " threads\n";
  return report("check", folder, options, run_parallel(jobs, threads, registry, !options.json));
}

}  // namespace meshsim::cli
