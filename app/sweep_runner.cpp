#include "app/sweep_runner.h"

#include <algorithm>
#include <iostream>
#include <sstream>

#include "app/build_info.h"
#include "app/interrupt.h"
#include "app/readable.h"
#include "sink/results_db.h"
#include "sink/sweeps.h"

namespace meshsim::cli {

namespace {

std::string sweep_command_line(const SweepPlan& plan) {
  std::string line = "meshsim " + plan.command + " " + plan.base.scenario + " --seeds " + plan.seed_text;
  for (const auto& s : plan.base.sets) line += " --set " + s;
  return line + " --db " + plan.base.db;
}

sink::WriteOptions record_options(const RunOptions& base) {
  sink::WriteOptions options;
  options.wait_limit = std::chrono::milliseconds(static_cast<int64_t>(base.db_wait_s * 1000));
  options.on_wait = [](const std::string& what) { std::cerr << "meshsim: " << what << std::endl; };
  return options;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

bool is_main_metric(const std::string& name) {
  static const char* const kExact[] = {"throughput_ops_per_s", "raft_availability", "unavailable_ns_total",
                                       "messages_sent",        "bytes_sent",        "messages_per_op",
                                       "residue",              "coverage_final",    "delivery_delay_ns_mean",
                                       "ops_completed",        "raft_elections",    "pbft_view_changes",
                                       "linearizable"};
  for (const char* e : kExact)
    if (name == e) return true;
  bool percentile = ends_with(name, "_p50") || ends_with(name, "_p99");
  return percentile && (name.find("latency") != std::string::npos || name.find("coverage_time") != std::string::npos);
}

std::vector<RunOptions> sweep_jobs(const std::vector<SweepPlan>& plans) {
  std::vector<RunOptions> jobs;
  for (const SweepPlan& plan : plans) {
    for (uint64_t s : plan.seeds) {
      RunOptions o = plan.base;
      o.seed = s;
      o.quiet = true;
      o.progress = false;
      jobs.push_back(o);
    }
  }
  return jobs;
}

std::vector<SweepOutcome> run_sweeps(const std::vector<SweepPlan>& plans, unsigned threads, const ModuleRegistry& registry,
                                     bool lines, const BatchRunner& runner) {
  std::vector<SweepOutcome> out(plans.size());
  for (size_t p = 0; p < plans.size(); ++p) {
    const SweepPlan& plan = plans[p];
    try {
      prepare_db_path(plan.base.db);
      sink::SweepStart start{plan.command, plan.label, plan.base.scenario, plan.base.sets, plan.seed_text,
                             sweep_command_line(plan), build_id(), static_cast<int64_t>(plan.seeds.size())};
      out[p].sweep_id = sink::begin_sweep(plan.base.db, start, record_options(plan.base));
    } catch (const std::exception& e) {
      // The runs themselves may still reach the database (or a side file): go on.
      std::cerr << "meshsim: the sweep of " << plan.label << " is not recorded as a whole: " << e.what() << std::endl;
    }
  }
  std::vector<RunOptions> jobs = sweep_jobs(plans);
  std::vector<BatchRun> runs = runner(jobs, threads, registry, lines);
  const std::string status = interrupt_signal() ? "interrupted" : "complete";
  size_t next = 0;
  for (size_t p = 0; p < plans.size(); ++p) {
    std::vector<sink::SweepRunRow> rows;
    for (size_t k = 0; k < plans[p].seeds.size(); ++k, ++next) {
      const BatchRun& r = runs[next];
      out[p].runs.push_back(r);
      rows.push_back({plans[p].seeds[k], r.outcome.run_id, verdict_word(r), r.outcome.error});
    }
    if (out[p].sweep_id == 0) continue;
    try {
      sink::end_sweep(plans[p].base.db, out[p].sweep_id, status, rows, record_options(plans[p].base));
    } catch (const std::exception& e) {
      std::cerr << "meshsim: sweep " << out[p].sweep_id << " (" << plans[p].label << ") could not be closed: " << e.what()
                << std::endl;
    }
  }
  return out;
}

void usable_runs(const SweepOutcome& sweep, std::vector<int64_t>& run_ids, std::vector<uint64_t>& seeds) {
  for (const BatchRun& r : sweep.runs) {
    // A run that failed its [expect] or a checker still measured what it measured; one
    // that errored, was interrupted or never ran did not.
    const RunStatus status = r.outcome.result.status;
    bool finished = status == RunStatus::complete || status == RunStatus::failed || status == RunStatus::inconclusive;
    if (!r.started || r.outcome.run_id <= 0 || !finished || r.outcome.exit_code == 2 || r.outcome.exit_code == 3) continue;
    run_ids.push_back(r.outcome.run_id);
    seeds.push_back(r.outcome.seed);
  }
}

MetricSamples collect_samples(const std::string& db, const std::vector<int64_t>& run_ids, const std::vector<uint64_t>& seeds) {
  MetricSamples out;
  out.run_ids = run_ids;
  out.seeds = seeds;
  if (run_ids.empty()) return out;
  sink::RunSamples raw = sink::read_run_samples(db, run_ids);
  for (const auto& [name, first] : raw.scalars.front()) {
    std::vector<double> values;
    for (const auto& run : raw.scalars) {
      auto it = run.find(name);
      if (it == run.end()) break;
      values.push_back(it->second);
    }
    if (values.size() == run_ids.size()) out.values[name] = std::move(values);
  }
  out.series = std::move(raw.series);
  out.faults = std::move(raw.faults);
  return out;
}

std::string distribution_summary(const MetricSamples& samples) {
  std::ostringstream out;
  if (samples.run_ids.empty()) return "";
  out << "distributions over " << samples.run_ids.size() << " finished runs (median, interquartile range, range):\n";
  for (const auto& [name, values] : samples.values) {
    if (!is_main_metric(name)) continue;
    stats::Summary s = stats::summarize(values);
    std::string label = "  " + name;
    out << label << std::string(label.size() < 36 ? 36 - label.size() : 1, ' ') << readable_metric(name, s.median)
        << "   IQR " << readable_metric(name, s.q1) << " .. " << readable_metric(name, s.q3) << "   range "
        << readable_metric(name, s.min) << " .. " << readable_metric(name, s.max) << "\n";
  }
  return out.str();
}

}  // namespace meshsim::cli
