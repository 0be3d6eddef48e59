#include "app/batch_report.h"

#include <cstdio>
#include <iostream>

#include "app/interrupt.h"
#include "app/json_writer.h"
#include "app/readable.h"

namespace meshsim::cli {

namespace {

bool is_error(const RunOutcome& o) { return o.exit_code == 2 || o.exit_code == 3; }

}  // namespace

std::string verdict_word(const BatchRun& run) {
  if (!run.started) return "NOT RUN";
  const RunOutcome& o = run.outcome;
  if (is_error(o)) return "ERROR";
  switch (o.result.status) {
    case RunStatus::complete: return "ok";
    case RunStatus::failed: return "FAILED";
    case RunStatus::inconclusive: return "INCONCLUSIVE";
    case RunStatus::interrupted: return "INTERRUPTED";
    default: return "ERROR";
  }
}

BatchTally tally(const std::vector<BatchRun>& runs) {
  BatchTally t;
  for (const BatchRun& r : runs) {
    const RunOutcome& o = r.outcome;
    if (!r.started) {
      ++t.not_run;
      continue;
    }
    if (o.exit_code == 2) ++t.errors;
    else if (o.exit_code == 3) ++t.internal;
    else if (o.result.status == RunStatus::complete) ++t.passed;
    else if (o.result.status == RunStatus::failed) ++t.failed;
    else if (o.result.status == RunStatus::inconclusive) ++t.inconclusive;
    else if (o.result.status == RunStatus::interrupted) ++t.interrupted;
    // Counted by verdict above, and once more here: where the results went is its own matter.
    if (o.exit_code == kExitResultsAside) ++t.aside;
  }
  return t;
}

int batch_exit_code(const BatchTally& t, int signal) {
  if (signal) return interrupted_exit_code(signal);
  if (t.internal) return 3;
  if (t.errors) return 2;
  if (t.failed) return 1;
  if (t.inconclusive) return kExitInconclusive;
  if (t.aside) return kExitResultsAside;
  return 0;
}

void print_batch_summary(const std::vector<BatchRun>& runs, const BatchTally& t, int signal) {
  std::cout << t.passed << " passed, " << t.failed << " failed";
  if (t.inconclusive) std::cout << ", " << t.inconclusive << " inconclusive";
  if (t.errors + t.internal) std::cout << ", " << t.errors + t.internal << " errors";
  if (t.aside) std::cout << ", " << t.aside << " with results saved aside";
  if (t.interrupted) std::cout << ", " << t.interrupted << " interrupted";
  if (t.not_run) std::cout << ", " << t.not_run << " not run";
  std::cout << std::endl;
  for (const BatchRun& r : runs) {
    const RunOutcome& o = r.outcome;
    if (!r.started || is_error(o)) continue;
    if (o.result.status == RunStatus::failed || o.result.status == RunStatus::inconclusive)
      std::cout << "  " << verdict_word(r) << " " << o.scenario_name << " seed " << o.seed << ": " << o.result.failure
                << "\n    reproduce: " << o.reproduce << "\n";
    if (o.exit_code == kExitResultsAside)
      std::cout << "  NOT STORED " << o.scenario_name << " seed " << o.seed << ": "
                << (o.side_file.empty() ? "results lost: " + o.error : "meshsim import " + o.side_file) << "\n";
  }
  if (signal)
    std::cout << "interrupted by " << signal_name(signal) << ": " << t.interrupted
              << " runs stopped early and stored as 'interrupted'; " << t.not_run << " not run" << std::endl;
}

std::string batch_json(const std::string& command, const std::string& target, const std::vector<BatchRun>& runs,
                       const BatchTally& t, int exit_code) {
  std::string list;
  for (const BatchRun& r : runs) {
    const RunOutcome& o = r.outcome;
    JsonObject j;
    j.field("scenario_path", r.job.scenario);
    if (!o.scenario_name.empty()) j.field("scenario", o.scenario_name);
    if (r.job.seed) j.number("seed", static_cast<double>(*r.job.seed));
    else if (r.started && !is_error(o)) j.number("seed", static_cast<double>(o.seed));
    j.field("verdict", verdict_word(r));
    if (r.started && !is_error(o)) {
      j.field("status", to_string(o.result.status));
      j.number("events", static_cast<double>(o.result.events));
      j.number("sim_time_ns", static_cast<double>(o.result.sim_time_ns));
      j.number("wall_s", o.result.wall_s);
      j.field("fingerprint", hex64(o.result.fingerprint));
      j.number("run_id", static_cast<double>(o.run_id));
      if (!o.result.failure.empty()) j.field("failure", o.result.failure);
      if (!o.side_file.empty()) j.field("side_file", o.side_file);
    }
    if (r.started) j.number("exit_code", o.exit_code);
    if (!o.error.empty()) j.field("error", o.error);
    if (!o.reproduce.empty()) j.field("reproduce", o.reproduce);
    list += (list.empty() ? "" : ", ") + j.str();
  }
  JsonObject j;
  j.field("command", command).field("target", target);
  j.number("passed", static_cast<double>(t.passed)).number("failed", static_cast<double>(t.failed));
  j.number("inconclusive", static_cast<double>(t.inconclusive));
  j.number("errors", static_cast<double>(t.errors + t.internal)).number("aside", static_cast<double>(t.aside));
  j.number("interrupted", static_cast<double>(t.interrupted)).number("not_run", static_cast<double>(t.not_run));
  j.number("exit_code", exit_code);
  j.raw("runs", "[" + list + "]");
  return j.str();
}

}  // namespace meshsim::cli
