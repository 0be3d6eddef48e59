#include "app/run_command.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <new>
#include <sstream>
#include <thread>

#include "app/build_info.h"
#include "app/interrupt.h"
#include "app/json_writer.h"
#include "app/progress.h"
#include "app/trace_command.h"
#include "app/readable.h"
#include "sim/scenario/scenario.h"
#include "sim/simulation.h"
#include "sink/sqlite_sink.h"

namespace meshsim::cli {

namespace {

std::string shell_quote(const std::string& s) {
  if (s.find_first_of(" \t\"'$`\\|&;<>()*?") == std::string::npos && !s.empty()) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void print_summary(const RunOptions& o, const Scenario& sc, const RunOutcome& out, const Metrics& m) {
  const RunResult& r = out.result;
  std::ostringstream s;
  s << "meshsim run " << sc.name << " (seed " << sc.seed << ")\n";
  s << "  status       " << to_string(r.status) << "\n";
  s << "  topology     " << sc.topology.nodes << " nodes, " << sc.topology.kind << "\n";
  s << "  protocol     ";
  for (size_t i = 0; i < sc.modules.size(); ++i) s << (i ? ", " : "") << sc.modules[i].name;
  s << "\n";
  // events/s counts the event loop alone: end-of-run checks are shown on their own line.
  s << "  simulated    " << format_readable(Duration{r.sim_time_ns}) << " in " << readable_seconds(out.events_wall_s)
    << " wall, " << readable_count(static_cast<double>(r.events)) << " events ("
    << readable_count(out.events_wall_s > 0 ? static_cast<double>(r.events) / out.events_wall_s : 0) << " events/s)\n";
  if (out.checks_wall_s >= 0.01) s << "  checks       " << readable_seconds(out.checks_wall_s) << " of end-of-run checks\n";
  s << "  results db   written in " << readable_seconds(out.results_write_s) << "\n";
  s << "  fingerprint  " << hex64(r.fingerprint) << "\n";
  s << "  metrics\n";
  for (const auto& [name, value] : m.scalars()) {
    s << "    " << name << std::string(name.size() < 36 ? 36 - name.size() : 1, ' ') << readable_metric(name, value) << "\n";
  }
  if (!m.log_entries().empty()) {
    s << "  event log (" << m.log_entries().size() << " entries";
    s << (m.log_entries().size() > 10 ? ", first 10" : "") << ")\n";
    for (size_t i = 0; i < m.log_entries().size() && i < 10; ++i) {
      const LogEntry& e = m.log_entries()[i];
      std::string when = format_readable(Duration{e.sim_time_ns});
      s << "    " << std::string(when.size() < 10 ? 10 - when.size() : 0, ' ') << when << "  " << e.kind << "  " << e.detail << "\n";
    }
  }
  if (!r.note.empty()) s << "  expected     " << r.note << "\n";
  if (r.status == RunStatus::failed) {
    s << "  FAILED       " << r.failure << "\n";
    s << "  reproduce    " << out.reproduce << "\n";
    if (out.violation_ns >= 0 && o.trace.empty())
      s << "  trace it     " << trace_suggestion(out.reproduce, out.violation_ns) << "\n";
  }
  if (r.status == RunStatus::inconclusive) {
    s << "  INCONCLUSIVE " << r.failure << "\n";
    s << "  reproduce    " << out.reproduce << "\n";
  }
  if (r.status == RunStatus::interrupted) s << "  INTERRUPTED  " << r.failure << "\n";
  if (!out.side_file.empty())
    s << "  results      NOT in " << o.db << ": saved to " << out.side_file << "   (meshsim import " << out.side_file << ")\n";
  if (!o.trace.empty() && out.run_id > 0)
    s << "  trace        " << out.trace_rows << " rows (meshsim export " << out.run_id << " --db " << o.db
      << " --lamport trace.svg, or --shiviz trace.log)\n";
  if (out.run_id > 0)
    s << "  results      run " << out.run_id << " in " << o.db << "   (meshsim show " << out.run_id << " --db "
      << o.db << ")\n";
  std::cout << s.str();
}

std::string run_json(const Scenario& sc, const RunOutcome& out, const Metrics& m, const std::string& db) {
  JsonObject j;
  j.field("scenario", sc.name).field("scenario_path", sc.path).number("seed", static_cast<double>(sc.seed));
  j.field("status", to_string(out.result.status));
  j.number("events", static_cast<double>(out.result.events));
  j.number("sim_time_ns", static_cast<double>(out.result.sim_time_ns));
  j.number("wall_s", out.result.wall_s);
  j.number("events_wall_s", out.events_wall_s);
  j.number("checks_wall_s", out.checks_wall_s);
  j.number("results_write_s", out.results_write_s);
  j.field("fingerprint", hex64(out.result.fingerprint));
  j.number("run_id", static_cast<double>(out.run_id));
  j.field("db", db);
  if (!out.result.failure.empty()) j.field("failure", out.result.failure).field("reproduce", out.reproduce);
  if (out.trace_rows > 0) j.number("trace_rows", static_cast<double>(out.trace_rows));
  if (!out.result.note.empty()) j.field("expected_failure", out.result.note);
  if (!out.side_file.empty()) j.field("side_file", out.side_file);
  j.raw("metrics", json_scalars(m.scalars()));
  return j.str();
}

}  // namespace

std::string reproduce_command(const std::string& scenario, uint64_t seed, const std::vector<std::string>& sets) {
  std::string cmd = "meshsim run " + shell_quote(scenario) + " --seed " + std::to_string(seed);
  for (const auto& s : sets) cmd += " --set " + shell_quote(s);
  return cmd;
}

void prepare_db_path(const std::string& db) {
  namespace fs = std::filesystem;
  fs::path parent = fs::path(db).parent_path();
  std::error_code ec;
  if (parent.empty() || fs::is_directory(parent, ec)) return;
  // Only the last folder is created: `--db runs/today.db` is a natural request, while a
  // whole missing tree usually means a typo that would otherwise scatter folders about.
  fs::path grandparent = parent.parent_path();
  if (!grandparent.empty() && !fs::is_directory(grandparent, ec))
    throw ScenarioError(db + ": folder " + grandparent.string() +
                        " does not exist (meshsim creates only the database's own folder)");
  fs::create_directory(parent, ec);
  if (ec) throw ScenarioError(db + ": cannot create the folder for the results database: " + ec.message());
}

namespace {

// A run stopped by a signal: whatever its partial metrics would say, it proves nothing
// about the scenario, so it is neither complete nor failed. A checker violation found
// before the stop is real, though, and is kept in the text.
void mark_interrupted(RunResult& r, int signal, SimTime end) {
  std::string why = std::string("interrupted by ") + signal_name(signal) +
                    (r.sim_time_ns >= end.ns ? " during the end-of-run checks, after all " + format_readable(Duration{end.ns}) +
                                                   " simulated"
                                             : " at " + format_readable(Duration{r.sim_time_ns}) + " of " +
                                                   format_readable(Duration{end.ns}) + " simulated");
  if (r.status == RunStatus::failed && r.failure.rfind("checker ", 0) == 0) why += "; before that, " + r.failure;
  r.status = RunStatus::interrupted;
  r.failure = why;
  r.note.clear();
}

// Stands between the engine and the results sink. The engine ends its observers itself,
// right after the end-of-run checks; this is the moment the checks' wall time ends and the
// results write begins, so the write is timed apart from the run (results_write_s, checked
// against the 10 % budget of docs/benchmarks.md) and the run's wall time reaches the
// database (sim/ reads no clock).
class TimedSink : public RunObserver {
 public:
  TimedSink(SqliteSink& sink, Progress& progress, SimTime end) : sink_(sink), progress_(progress), end_(end) {}
  void on_run_start(const RunInfo& info) override { sink_.on_run_start(info); }
  void on_sample(int64_t t, const Metrics& m) override { sink_.on_sample(t, m); }
  void on_run_end(const RunInfo& info, const RunResult& result, const Metrics& m) override {
    progress_.finish();
    RunResult timed = result;
    if (const int signal = interrupt_signal()) mark_interrupted(timed, signal, end_);
    timed.wall_s = progress_.events_wall_s() + progress_.checks_wall_s();
    auto started = std::chrono::steady_clock::now();
    sink_.on_run_end(info, timed, m);
    write_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }
  double write_s = 0;

 private:
  SqliteSink& sink_;
  Progress& progress_;
  SimTime end_;
};

RunOutcome execute_run_unguarded(const RunOptions& o, const ModuleRegistry& registry) {
  RunOutcome out;
  std::unique_ptr<Scenario> scenario;
  std::unique_ptr<Simulation> sim;
  std::unique_ptr<TraceRecorder> trace;
  // Everything that can be wrong with the input is found here, before the database is
  // touched: a bad scenario leaves no trace in the results.
  try {
    scenario = std::make_unique<Scenario>(load_scenario(o.scenario, o.sets, registry, o.seed));
    sim = std::make_unique<Simulation>(resolve_run(*scenario, registry));
    if (!o.trace.empty()) trace = std::make_unique<TraceRecorder>(parse_trace_filter(o.trace, sim->node_count()), *sim);
    prepare_db_path(o.db);
  } catch (const ScenarioError& e) {
    out.exit_code = 2;
    out.error = e.what();
    return out;
  }
  out.seed = scenario->seed;
  out.scenario_name = scenario->name;
  out.reproduce = reproduce_command(o.scenario, scenario->seed, o.sets);

  RunInfo info = run_info_of(*scenario, o.scenario, out.reproduce);

  std::unique_ptr<SqliteSink> sink;
  try {
    sink::WriteOptions db_options;
    db_options.wait_limit = std::chrono::milliseconds(static_cast<int64_t>(o.db_wait_s * 1000));
    db_options.on_wait = [](const std::string& what) { std::cerr << "meshsim: " << what << std::endl; };
    sink = std::make_unique<SqliteSink>(o.db, db_options);
  } catch (const std::exception& e) {
    out.exit_code = 2;
    out.error = e.what();
    return out;
  }
  Progress progress(progress_mode(o.progress), scenario->name, scenario->end.ns);
  TimedSink timed_sink(*sink, progress, scenario->end);
  if (trace) {
    // Added before the sink, so every row is in when the sink writes the run.
    sim->add_observer(trace.get());
    sink->set_trace(trace.get());
  }
  sim->add_observer(&timed_sink);
  sim->metrics().watch_checks(&progress.checks());
  Simulation& running = *sim;
  try {
    out.result = running.run(info, [&](const Simulation& s) {
      progress.update(s);
      if (interrupt_signal()) running.request_stop();
    });
  } catch (const std::exception& e) {
    try {
      sink->mark_incomplete(e.what());
    } catch (const std::exception&) {
      // The row keeps 'running' with this pid, which reads as incomplete once we exit.
    }
    out.exit_code = 3;
    out.error = std::string("internal error during the run: ") + e.what() + "\n  reproduce: " + out.reproduce;
    return out;
  }
  progress.finish();
  if (const int signal = interrupt_signal()) mark_interrupted(out.result, signal, scenario->end);
  out.events_wall_s = progress.events_wall_s();
  out.checks_wall_s = progress.checks_wall_s();
  out.result.wall_s = out.events_wall_s + out.checks_wall_s;
  out.results_write_s = timed_sink.write_s;
  if (trace) out.trace_rows = trace->rows().size();
  for (const LogEntry& e : sim->metrics().log_entries())
    if (e.kind == "violation") out.violation_ns = e.sim_time_ns;
  out.run_id = sink->results_stored() ? sink->run_id() : 0;
  out.exit_code = exit_code_of(out.result.status);
  if (!sink->results_stored()) {
    out.side_file = sink->side_file();
    out.error = "the run " + std::string(out.exit_code == 0 ? "passed" : "ended " + std::string(to_string(out.result.status))) +
                ", but its results could not be written to " + o.db + ": " + sink->write_error();
    if (!out.side_file.empty())
      out.error += "\n  results saved to " + out.side_file + "\n  load them with: meshsim import " + out.side_file;
    out.exit_code = kExitResultsAside;
  }
  if (!o.quiet) {
    if (o.json) std::cout << run_json(*scenario, out, sim->metrics(), o.db) << std::endl;
    else print_summary(o, *scenario, out, sim->metrics());
  }
  return out;
}

}  // namespace

RunOutcome execute_run(const RunOptions& o, const ModuleRegistry& registry) {
  // Sweeps call this on worker threads, where an escaping exception would abort the
  // process and every run in flight with it.
  try {
    return execute_run_unguarded(o, registry);
  } catch (const std::bad_alloc&) {
    RunOutcome out;
    out.exit_code = 3;
    out.error = "internal error: out of memory";
    return out;
  } catch (const std::exception& e) {
    RunOutcome out;
    out.exit_code = 3;
    out.error = std::string("internal error: ") + e.what();
    return out;
  }
}

int run_command(const RunOptions& o, const ModuleRegistry& registry) {
  RunOutcome out = execute_run(o, registry);
  // Errors and results saved aside explain themselves here; verdicts are in the summary.
  if (!out.error.empty()) std::cerr << "meshsim: " << out.error << std::endl;
  return out.exit_code;
}

unsigned default_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

RunInfo run_info_of(const Scenario& scenario, const std::string& path, const std::string& command_line) {
  RunInfo info;
  info.scenario_path = path;
  info.scenario_name = scenario.name;
  info.scenario_text = scenario.text;
  info.seed = scenario.seed;
  info.build_id = build_id();
  info.command_line = command_line;
  info.parameters = scenario.parameters;
  return info;
}

// The command's exit code for a run's status (README, "Exit codes").
int exit_code_of(RunStatus status) {
  switch (status) {
    case RunStatus::complete: return 0;
    case RunStatus::inconclusive: return kExitInconclusive;
    case RunStatus::interrupted: return interrupted_exit_code(interrupt_signal());
    default: return 1;
  }
}

}  // namespace meshsim::cli
