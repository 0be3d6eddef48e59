#include "app/shrink_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <toml++/toml.h>

#include "app/atomic_file.h"
#include "app/build_info.h"
#include "app/interrupt.h"
#include "app/readable.h"
#include "sim/scenario/scenario.h"
#include "sim/shrink/probe.h"
#include "sim/shrink/scenario_edit.h"
#include "sim/shrink/shrinker.h"

namespace meshsim::cli {

namespace {

// The counts worth lowering in the shipped protocols: the mesh, Raft's servers and pBFT's
// replicas (the clients after them stay as many), operations per client, keys. A key a
// scenario does not set is left alone: its default may mean "no limit".
std::vector<shrink::SizeKey> default_size_keys() {
  return {{"topology", "nodes", 1, false},
          {"protocol", "servers", 1, true},
          {"protocol", "replicas", 1, true},
          {"protocol", "max_ops", 1, false},
          {"protocol", "keys", 1, false}};
}

// The keys shrink may lower, less those --keep pins. A failed expectation can slip: a
// smaller mesh fails `nodes_up_final == 8` for another reason than the original, and
// --keep topology.nodes is how a user rules that out.
std::vector<shrink::SizeKey> size_keys_kept(const std::vector<std::string>& keep, bool& shorten_run) {
  std::vector<shrink::SizeKey> keys = default_size_keys();
  std::string known = "run.duration";
  for (const auto& k : keys) known += ", " + k.section + "." + k.key;
  shorten_run = true;
  for (const std::string& name : keep) {
    if (name == "run.duration") {
      shorten_run = false;
      continue;
    }
    auto it = std::find_if(keys.begin(), keys.end(), [&](const shrink::SizeKey& k) { return k.section + "." + k.key == name; });
    if (it == keys.end()) throw ScenarioError("--keep " + name + ": not a value shrink changes (" + known + ")");
    keys.erase(it);
  }
  // Fewer servers or replicas would take nodes off the mesh with them.
  if (std::find(keep.begin(), keep.end(), "topology.nodes") != keep.end())
    std::erase_if(keys, [](const shrink::SizeKey& k) { return k.counts_leading_nodes; });
  return keys;
}

// `--set section.key=value` written into the scenario's text, so the run shrunk is the one
// a sweep's reproduction command names and the output stands alone. Values are TOML, or
// taken as a string when they are not (as `meshsim run --set` reads them).
std::string apply_sets(std::string text, const std::vector<std::string>& sets) {
  for (const std::string& assignment : sets) {
    const size_t eq = assignment.find('='), dot = assignment.find('.');
    const std::string key = assignment.substr(0, eq);
    if (eq == std::string::npos || dot == std::string::npos || dot > eq || key.find('.', dot + 1) != std::string::npos ||
        key.find('[') != std::string::npos || dot == 0 || dot + 1 == eq)
      throw ScenarioError("--set " + assignment + ": shrink takes section.key=value (like protocol.keys=2); " +
                          "for other keys, edit a copy of the scenario");
    std::string value = assignment.substr(eq + 1);
    try {
      (void)toml::parse("v = " + value);
    } catch (const toml::parse_error&) {
      std::ostringstream quoted;
      quoted << toml::toml_formatter{toml::value<std::string>(value)};
      value = quoted.str();
    }
    text = shrink::set_key(text, key.substr(0, dot), key.substr(dot + 1), value);
  }
  return text;
}

std::string when(int64_t ns) { return ns < 0 ? "at the end" : "at " + format_readable(Duration{ns}); }

std::string summary_lines(const shrink::ShrinkReport& r, const std::string& prefix) {
  std::ostringstream s;
  const size_t before = r.file_faults_before + r.chaos_faults_before;
  s << prefix << "faults        " << before << " (" << r.file_faults_before << " written, " << r.chaos_faults_before
    << " drawn by [chaos]) -> " << r.faults_after << " explicit [[faults]]\n";
  s << prefix << "fault time    " << format_readable(Duration{r.fault_time_before_ns}) << " -> "
    << format_readable(Duration{r.fault_time_after_ns}) << " (the faults' windows, summed)\n";
  s << prefix << "run.duration  " << format_readable(Duration{r.duration_before_ns}) << " -> "
    << format_readable(Duration{r.duration_after_ns}) << "\n";
  for (const shrink::SizeChange& c : r.sizes)
    s << prefix << c.name << std::string(c.name.size() < 14 ? 14 - c.name.size() : 1, ' ') << c.before << " -> " << c.after
      << "\n";
  return s.str();
}

std::string header(const ShrinkCommandOptions& o, uint64_t seed, const shrink::ShrinkReport& r, double wall_s) {
  std::ostringstream s;
  s << "# Shrunk by meshsim shrink (" << build_id() << ") from " << o.scenario << ", seed " << seed;
  for (const std::string& set : o.sets) s << ", --set " << set;
  s << ".\n";
  s << "# It fails with " << r.failure_class << " " << when(r.final_at_ns) << " (the original " << when(r.original_at_ns)
    << "):\n#   meshsim run " << o.out << " --seed " << seed << "    # exits 1\n";
  s << "# What was removed:\n" << summary_lines(r, "#   ");
  s << "#   [chaos] is off: the faults it drew for seed " << seed << " are written out below, and only those the\n"
    << "#   failure needs are kept.\n";
  if (r.original_expected)
    s << "#   [expect] failure is removed: the original expects this failure (exit 0); here it fails the run.\n";
  s << "# " << r.runs << " re-runs (budget " << o.max_runs << ")" << (r.budget_spent ? ", budget spent: not 1-minimal" : "")
    << (r.stopped ? ", interrupted: not 1-minimal" : "") << ", " << readable_seconds(wall_s) << " wall.\n";
  s << "# Below: the original text with only the changed lines and the fault schedule rewritten.\n\n";
  return s.str();
}

}  // namespace

CLI::App* add_shrink_command(CLI::App& app, ShrinkCommandOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "shrink", "Reduce a failing run to the smallest scenario that still fails with the same checker or expectation");
  cmd->add_option("scenario", o.scenario, "Scenario file (TOML) whose run fails")->required();
  cmd->add_option("--seed", o.seed, "The failing seed (default: run.seed of the file)");
  cmd->add_option("--out", o.out, "Where to write the shrunk scenario (TOML)")->required();
  cmd->add_option("--max-runs", o.max_runs, "At most this many re-runs")->capture_default_str()->check(CLI::Range(1, 1'000'000));
  cmd->add_option("--set", o.sets, "Override a value first, as for run (section.key=value; repeatable): written into the output");
  cmd->add_option("--keep", o.keep,
                  "Leave this value as written (repeatable): run.duration, topology.nodes, protocol.servers, "
                  "protocol.replicas, protocol.max_ops, protocol.keys (topology.nodes keeps servers and replicas too)");
  cmd->add_flag("--quiet", o.quiet, "Print no progress on stderr");
  return cmd;
}

int shrink_command(const ShrinkCommandOptions& o, const ModuleRegistry& registry) {
  // Everything that can be wrong with the input is found before the first re-run.
  bool shorten_run = true;
  size_keys_kept(o.keep, shorten_run);
  check_report_path(o.out, "--out");
  std::error_code ec;
  if (std::filesystem::equivalent(o.scenario, o.out, ec))
    throw ScenarioError("--out " + o.out + ": that is the scenario being shrunk; write the result to another file");
  Scenario original = load_scenario(o.scenario, {}, registry, o.seed);
  const std::string text = apply_sets(original.text, o.sets);
  // The overrides are checked as the file will be: line numbers are the text's own.
  original = parse_scenario(text, o.scenario, {}, registry, o.seed);
  const uint64_t seed = original.seed;

  shrink::ShrinkOptions options;
  options.path = o.scenario;
  options.seed = seed;
  options.max_runs = o.max_runs;
  options.size_keys = size_keys_kept(o.keep, options.shorten_run);
  if (!o.quiet) options.progress = [](const std::string& line) { std::cerr << line << std::endl; };
  options.should_stop = [] { return interrupt_signal() != 0; };
  const auto started = std::chrono::steady_clock::now();
  shrink::ShrinkReport report;
  try {
    report = shrink::shrink_scenario(text, options, registry);
  } catch (const shrink::ShrinkInterrupted& e) {
    std::cerr << "meshsim: " << e.what() << "; nothing written" << std::endl;
    return interrupted_exit_code(interrupt_signal());
  }
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const std::string output = header(o, seed, report, wall_s) + report.text;
  // The written file, run as `meshsim run` will run it (its own path anchors relative
  // paths): the last proof that it fails the same way.
  shrink::Probe check(registry, o.out, seed, 1);
  const shrink::Failure written = check.run(output);
  if (written.failure_class != report.failure_class)
    throw std::runtime_error("the shrunk scenario does not fail with " + report.failure_class + " when run from " + o.out +
                             " (" + (written.invalid.empty() ? written.text : written.invalid) + ")");
  write_file_atomically(o.out, output);

  std::cout << "meshsim shrink " << o.scenario << " (seed " << seed << ")\n";
  std::cout << "  failure       " << report.failure_class << " " << when(report.final_at_ns) << "\n";
  std::cout << summary_lines(report, "  ");
  std::cout << "  re-runs       " << report.runs << " of at most " << o.max_runs << " (" << report.recalled
            << (report.recalled == 1 ? " candidate" : " candidates") << " recalled without re-running), " << readable_seconds(wall_s) << " wall"
            << (report.budget_spent ? "; budget spent: the result may not be 1-minimal" : "")
            << (report.stopped ? "; interrupted: the result may not be 1-minimal" : "") << "\n";
  std::cout << "  written       " << o.out << "\n";
  std::cout << "  reproduce     meshsim run " << o.out << " --seed " << seed << "\n";
  if (report.stopped) return interrupted_exit_code(interrupt_signal());
  return 0;
}

}  // namespace meshsim::cli
