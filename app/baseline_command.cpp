#include "app/baseline_command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "app/atomic_file.h"
#include "app/baseline_suite.h"
#include "app/batch_commands.h"
#include "app/build_info.h"
#include "app/divergence/other_build.h"
#include "app/divergence/scenario_run.h"
#include "app/readable.h"
#include "sim/errors.h"

namespace meshsim::cli {

BaselineCommands::BaselineCommands(CLI::App& app) {
  BaselineOptions& o = options_;
  o.threads = default_threads();
  baseline_ = app.add_subcommand("baseline", "Record a suite's fingerprints and metrics, or check a build against them (CI gate)");
  baseline_->require_subcommand(1);
  record_ = baseline_->add_subcommand("record", "Run every scenario with [expect] on every seed and store the results in a file");
  record_->add_option("folder", o.folder, "Folder of scenarios")->required();
  record_->add_option("--out", o.file, "Baseline file to write (TOML)")->required();
  record_->add_option("--seeds", o.seeds, "Seeds: 1..10, or 3,5,9")->capture_default_str();
  record_->add_option("--threads", o.threads, "Parallel runs")->capture_default_str();

  check_ = baseline_->add_subcommand("check", "Re-run a suite and report changed behaviour and metrics that moved; exit 1 on a regression");
  check_->add_option("folder", o.folder, "Folder of scenarios")->required();
  check_->add_option("--against", o.file, "Baseline file written by meshsim baseline record")->required();
  check_->add_option("--tolerance", o.tolerances,
                     "Largest move of a metric's median that passes: 10% (default), or METRIC=5% for one metric (repeatable)");
  check_->add_option("--alpha", o.alpha, "A move counts only when its paired test's p-value is below this")
      ->capture_default_str()
      ->check(CLI::Range(1e-12, 0.5));
  check_->add_flag("--allow-behaviour-change", o.allow_behaviour_change,
                   "A changed fingerprint alone is no regression (an intended change): only verdicts and metrics gate");
  check_->add_option("--metrics", o.metrics, "Compare only these metrics (comma-separated)")->delimiter(',');
  check_->add_option("--baseline-binary", o.baseline_binary,
                     "The meshsim that recorded the baseline: locates behaviour changes that come from the code");
  check_->add_option("--locate", o.locate, "Locate the first divergent event for at most this many changed scenarios")
      ->capture_default_str();
  check_->add_option("--threads", o.threads, "Parallel runs")->capture_default_str();
}

bool BaselineCommands::chosen() const { return baseline_->parsed(); }

int BaselineCommands::run(const ModuleRegistry& registry) {
  return record_->parsed() ? baseline_record(options_, registry) : baseline_check(options_, registry);
}

namespace {

std::string seed_list(const std::vector<uint64_t>& seeds) {
  std::string out;
  for (size_t i = 0; i < seeds.size(); ++i) {
    // Runs of consecutive seeds read as ranges: 1..10 rather than ten numbers.
    size_t j = i;
    while (j + 1 < seeds.size() && seeds[j + 1] == seeds[j] + 1) ++j;
    out += (out.empty() ? "" : ",") + std::to_string(seeds[i]) + (j > i ? ".." + std::to_string(seeds[j]) : "");
    i = j;
  }
  return out;
}

std::string percent(double v) {
  if (std::isnan(v)) return "from 0";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", v * 100);
  return buf;
}

std::string indent(const std::string& text, const std::string& by) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) out += (line.empty() ? "" : by + line) + "\n";
  return out;
}

}  // namespace

int baseline_record(const BaselineOptions& o, const ModuleRegistry& registry) {
  std::vector<SuiteScenario> suite;
  std::vector<uint64_t> seeds;
  unsigned threads = 1;
  try {
    seeds = parse_seeds(o.seeds);
    threads = bounded_threads(o.threads);
    check_report_path(o.file, "--out");
    suite = suite_scenarios(o.folder, registry);
  } catch (const ScenarioError& e) {
    std::cerr << "meshsim: " << e.what() << std::endl;
    return 2;
  }
  std::cout << "baseline record " << o.folder << ": " << suite.size() << " scenarios x " << seeds.size() << " seeds on "
            << threads << " threads\n";
  Baseline b = run_suite(suite, seeds, threads, registry);
  b.command = "meshsim baseline record " + divergence::shell_quote(o.folder) + " --seeds " + seed_list(seeds) + " --out " +
              divergence::shell_quote(o.file);
  for (const BaselineScenario& sc : b.scenarios) {
    size_t passed = 0;
    for (const BaselineRun& r : sc.runs) passed += r.status == "complete";
    std::printf("  %-34s %zu of %zu runs complete\n", sc.file.c_str(), passed, sc.runs.size());
  }
  try {
    write_file_atomically(o.file, baseline_toml(b));
  } catch (const ScenarioError& e) {
    std::cerr << "meshsim: " << e.what() << std::endl;
    return 2;
  }
  std::cout << "wrote " << o.file << " (build " << b.build_id << ")\n";
  if (seeds.size() < seeds_needed(0.01))
    std::cout << "note: with " << seeds.size() << " seeds, `baseline check` can flag a metric only with --alpha above "
              << 2.0 / std::ldexp(1.0, static_cast<int>(seeds.size())) << "; " << seeds_needed(0.01)
              << " seeds are needed for the default 0.01\n";
  return 0;
}

namespace {

// Where the first changed seed of a scenario parts from its baseline: the stored text
// against the file now (an edited scenario), or the baseline's build against this one.
std::string locate_change(const ScenarioCheck& c, const Baseline& before, const std::string& folder,
                          const BaselineOptions& o, const ModuleRegistry& registry) {
  const RunChange& first = c.changed.front();
  const std::string path = (std::filesystem::path(folder) / c.file).string();
  divergence::RunRecipe now{path, "", {}, first.seed};
  std::string stored_text;
  for (const BaselineScenario& s : before.scenarios)
    if (s.file == c.file) stored_text = s.text;
  std::unique_ptr<divergence::RunSide> old_side;
  std::string how;
  if (c.text_changed) {
    divergence::RunRecipe old{path, stored_text, {}, first.seed};
    old_side = std::make_unique<divergence::LocalRun>(describe_recipe(old),
                                                      [old, &registry] { return build_simulation(old, registry); });
    how = "the scenario as the baseline stored it (A) against the file now (B), both in this build";
  } else if (!o.baseline_binary.empty()) {
    old_side = std::make_unique<divergence::OtherBuildRun>(o.baseline_binary, now);
    how = "the baseline's build (A, " + o.baseline_binary + ") against this build (B)";
  } else {
    return "the scenario file is unchanged, so the code changed; to see where, with the build that recorded the "
           "baseline:\n  meshsim diverge " + divergence::shell_quote(path) + " --seed " + std::to_string(first.seed) +
           " --other-binary OLD_MESHSIM\n(or pass --baseline-binary OLD_MESHSIM to this check)\n";
  }
  divergence::LocalRun now_side(describe_recipe(now), [now, &registry] { return build_simulation(now, registry); });
  const divergence::Divergence d = divergence::locate_divergence(*old_side, now_side);
  std::string out = "where, on seed " + std::to_string(first.seed) + ": " + how + "\n";
  if (c.text_changed && d.a.fingerprint != first.fingerprint_before)
    out += "(this build runs the stored scenario to " + hex_fingerprint(d.a.fingerprint) + ", not the baseline's " +
           hex_fingerprint(first.fingerprint_before) + ": the code changed as well)\n";
  return out + divergence::format_divergence(d, old_side->label(), now_side.label());
}

void print_metric_moves(const ScenarioCheck& c) {
  std::string quiet;
  for (const MetricMove& m : c.moves) {
    if (!m.regression) {
      quiet += (quiet.empty() ? "" : ", ") + m.metric + " " + percent(m.difference.relative);
      continue;
    }
    const std::string interval = std::isnan(m.difference.relative)
                                     ? ""
                                     : " (95% CI " + percent(m.difference.ci_low) + " .. " + percent(m.difference.ci_high) + ")";
    std::printf("        %-32s %s -> %s   %s%s, p %.3g   REGRESSION (tolerance %s)\n", m.metric.c_str(),
                readable_metric(m.metric, m.before.median).c_str(), readable_metric(m.metric, m.after.median).c_str(),
                percent(m.difference.relative).c_str(), interval.c_str(), m.difference.p_value,
                percent(m.tolerance).substr(1).c_str());
  }
  // Moves past the tolerance that the seeds cannot tell from noise are named, not gated.
  if (!quiet.empty()) std::cout << indent("beyond tolerance but not significant: " + quiet, "        ");
}

}  // namespace

int baseline_check(const BaselineOptions& o, const ModuleRegistry& registry) {
  Tolerances t;
  Baseline before;
  std::vector<SuiteScenario> suite;
  unsigned threads = 1;
  try {
    for (const std::string& text : o.tolerances) parse_tolerance(text, t);
    t.alpha = o.alpha;
    t.allow_behaviour_change = o.allow_behaviour_change;
    t.metrics = o.metrics;
    threads = bounded_threads(o.threads);
    if (!o.baseline_binary.empty() && access(o.baseline_binary.c_str(), X_OK) != 0)
      throw ScenarioError("--baseline-binary " + o.baseline_binary + ": not found or not executable");
    before = read_baseline(o.file);
    suite = suite_scenarios(o.folder, registry);
  } catch (const ScenarioError& e) {
    std::cerr << "meshsim: " << e.what() << std::endl;
    return 2;
  }
  std::cout << "baseline check " << o.folder << " against " << o.file << "\n";
  std::cout << "  baseline: " << before.scenarios.size() << " scenarios x seeds " << seed_list(before.seeds) << ", build "
            << before.build_id << (before.build_id == build_id() ? " (this build)" : std::string("; this build ") + build_id())
            << "\n";
  std::printf("  a metric regresses when its median moves by more than %s (paired Wilcoxon p < %g)\n",
              percent(t.relative).substr(1).c_str(), t.alpha);
  if (before.seeds.size() < seeds_needed(t.alpha))
    std::cout << "  note: with " << before.seeds.size() << " seeds no paired test reaches p < " << t.alpha
              << ": no metric can fail this check (record with " << seeds_needed(t.alpha) << " seeds or more)\n";
  std::cout << "\n";

  const Baseline now = run_suite(suite, before.seeds, threads, registry);
  const std::vector<ScenarioCheck> checks = check_against(before, now, t);
  size_t regressions = 0, changed = 0, moved = 0, worse = 0, located = 0;
  for (const ScenarioCheck& c : checks) {
    const std::string label = c.file + " (" + c.name + ")";
    const bool regression = c.regression(t);
    regressions += regression;
    if (!c.in_baseline) {
      std::printf("  NEW        %s: not in the baseline (record a new one to hold it to its results)\n", label.c_str());
      continue;
    }
    if (!c.in_suite) {
      std::printf("  MISSING    %s: in the baseline, but not in %s (re-record the baseline if it left on purpose)\n",
                  label.c_str(), o.folder.c_str());
      continue;
    }
    const char* word = !c.verdict_worse.empty()                               ? "FAILED"
                       : !c.changed.empty() && !t.allow_behaviour_change      ? "CHANGED"
                       : regression                                          ? "MOVED"
                       : !c.changed.empty()                                  ? "changed"
                                                                             : "ok";
    if (c.changed.empty()) {
      std::printf("  %-10s %s: same behaviour on all %zu seeds\n", word, label.c_str(), c.runs);
    } else {
      ++changed;
      std::printf("  %-10s %s: fingerprint differs on %zu of %zu seeds%s\n", word, label.c_str(), c.changed.size(), c.runs,
                  c.text_changed ? "; the scenario file was edited" : "");
      for (size_t i = 0; i < c.changed.size() && i < 3; ++i)
        std::printf("      seed %llu: %s -> %s\n", static_cast<unsigned long long>(c.changed[i].seed),
                    hex_fingerprint(c.changed[i].fingerprint_before).c_str(),
                    hex_fingerprint(c.changed[i].fingerprint_after).c_str());
      if (c.changed.size() > 3) std::printf("      ... and %zu more\n", c.changed.size() - 3);
    }
    for (const RunChange& w : c.verdict_worse)
      std::printf("      seed %llu: verdict %s -> %s\n", static_cast<unsigned long long>(w.seed), w.status_before.c_str(),
                  w.status_after.c_str());
    worse += !c.verdict_worse.empty();
    if (!c.changed.empty() && located < o.locate) {
      ++located;
      try {
        std::cout << indent(locate_change(c, before, o.folder, o, registry), "      ");
      } catch (const ScenarioError& e) {
        std::cout << "      could not locate the change: " << e.what() << "\n";
      }
    }
    if (!c.moves.empty()) {
      std::cout << "      metrics (median over the seeds, baseline -> now):\n";
      print_metric_moves(c);
      moved += std::any_of(c.moves.begin(), c.moves.end(), [](const MetricMove& m) { return m.regression; });
    } else if (!c.changed.empty()) {
      std::cout << "      no metric moved beyond its tolerance\n";
    }
  }
  std::cout << "\n";
  if (regressions == 0) {
    std::cout << "no regression: " << checks.size() << " scenarios, " << changed << " with changed behaviour"
              << (changed ? " (allowed)" : "") << "\n";
    return 0;
  }
  std::cout << "REGRESSION in " << regressions << " of " << checks.size() << " scenarios (behaviour changed: " << changed
            << ", verdicts worse: " << worse << ", metrics moved: " << moved << ")\n";
  return 1;
}

}  // namespace meshsim::cli
