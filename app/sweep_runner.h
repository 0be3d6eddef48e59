// Sweeps kept as a whole: the seeds of one scenario (with its --set overrides) run through
// the batch machinery and recorded in the results database as one sweep (tables sweeps and
// sweep_runs), so `meshsim show --sweep ID` and `meshsim compare` can use them later.
// `meshsim sweep` runs one; `meshsim compare` runs one per variant on a shared pool.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "app/batch_commands.h"
#include "app/stats/stats.h"
#include "sink/sweeps.h"

namespace meshsim::cli {

struct SweepPlan {
  std::string command = "sweep";  // or "compare"
  std::string label;              // the scenario's stem, or the variant's name
  RunOptions base;                // scenario, --set overrides, database
  std::string seed_text;          // as written: "1..30"
  std::vector<uint64_t> seeds;
};

struct SweepOutcome {
  int64_t sweep_id = 0;  // 0 when the database would not take the sweep's record
  std::vector<BatchRun> runs;
};

// What runs a batch's jobs: run_parallel (threads of this process), or the sweep over MPI
// ranks (app/rank_sweep.h). It returns every job's run, with run ids in the jobs' database.
using BatchRunner = std::function<std::vector<BatchRun>(const std::vector<RunOptions>& jobs, unsigned threads,
                                                        const ModuleRegistry& registry, bool lines)>;

// The runs of the plans, in order: each seed of each plan, quiet and without progress.
std::vector<RunOptions> sweep_jobs(const std::vector<SweepPlan>& plans);

// All plans' runs on one pool of `threads` (one bar and ETA for everything), then each
// plan recorded as a sweep. A database that refuses the record costs the record, not the
// runs: a note on stderr and sweep_id 0.
std::vector<SweepOutcome> run_sweeps(const std::vector<SweepPlan>& plans, unsigned threads, const ModuleRegistry& registry,
                                     bool lines, const BatchRunner& runner = run_parallel);

// The metrics a summary leads with: latency and coverage percentiles, throughput,
// availability, traffic, residue. Other metrics are still stored and comparable on request.
bool is_main_metric(const std::string& name);

// name -> per-run values of the runs that finished and reached the database,
// in seed order; plus the run ids the values came from.
struct MetricSamples {
  std::vector<int64_t> run_ids;
  std::vector<uint64_t> seeds;
  std::map<std::string, std::vector<double>> values;  // only metrics every run has
  std::map<std::string, std::vector<std::vector<std::pair<int64_t, double>>>> series;  // name -> run -> points
  std::vector<std::vector<sink::RunSamples::Fault>> faults;                          // run -> its faults
};
MetricSamples collect_samples(const std::string& db, const std::vector<int64_t>& run_ids, const std::vector<uint64_t>& seeds);
// The runs of a sweep that count for statistics: finished (passed, failed or
// inconclusive) and stored.
void usable_runs(const SweepOutcome& sweep, std::vector<int64_t>& run_ids, std::vector<uint64_t>& seeds);

// "  op_latency_ns_p99   median 12.3 ms   IQR 11.9 ms .. 13.1 ms   range 10.1 ms .. 40 ms" for
// the main metrics (all metrics that vary when there are no main ones), for the end of a sweep.
std::string distribution_summary(const MetricSamples& samples);

}  // namespace meshsim::cli
