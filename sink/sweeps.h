// Sweeps kept as a whole in the results database (tables sweeps and sweep_runs, schema
// version 5): which runs belong to one `meshsim sweep` or to one variant of a
// `meshsim compare`, and which seeds failed to produce a run at all. `meshsim show
// --sweep ID` and `meshsim compare --variant NAME=FILE.db` read them back later.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sink/write_connection.h"

namespace meshsim::sink {

struct SweepStart {
  std::string command;  // "sweep" or "compare"
  std::string label;    // the scenario's stem for a sweep, the variant's name for compare
  std::string scenario_path;
  std::vector<std::string> sets;
  std::string seeds;  // as the user wrote them: "1..30"
  std::string command_line;
  std::string build_id;
  int64_t runs_planned = 0;
};

// One seed of a sweep: its run (0 when the run never reached this database) and verdict.
struct SweepRunRow {
  uint64_t seed = 0;
  int64_t run_id = 0;
  std::string verdict;  // ok, FAILED, INCONCLUSIVE, INTERRUPTED, ERROR, NOT RUN
  std::string error;
};

// Inserts the sweep's row ('running') before its runs start; returns its id.
int64_t begin_sweep(const std::string& db, const SweepStart& sweep, const WriteOptions& options);
// Its runs and final status, in one transaction. `status` is 'complete' or 'interrupted'.
void end_sweep(const std::string& db, int64_t sweep_id, const std::string& status, const std::vector<SweepRunRow>& runs,
               const WriteOptions& options);

struct SweepRow {
  int64_t sweep_id = 0;
  std::string command, label, scenario_path, sets, seeds, command_line, build_id, status, started_at, finished_at;
  int64_t runs_planned = 0, runs_failed = 0;
  std::vector<SweepRunRow> runs;  // by seed
};

// Throws ResultsError for a missing database or sweep. sweep_id 0 means the newest sweep.
SweepRow read_sweep(const std::string& db, int64_t sweep_id);
// Newest first; limit <= 0 means all.
std::vector<SweepRow> read_sweeps(const std::string& db, int limit);

// The per-run values a comparison needs, for the given runs (in their order).
struct RunSamples {
  std::vector<std::map<std::string, double>> scalars;  // one map per run
  // series[name][run] = (sim_time_ns, value) points
  std::map<std::string, std::vector<std::vector<std::pair<int64_t, double>>>> series;
  // faults[run] = its event log entries that are faults (kind without a module prefix):
  // (sim_time_ns, kind), and the details (which nodes) apart, as they can differ between
  // protocols (the leader is not the primary) while the schedule is the same.
  struct Fault {
    int64_t sim_time_ns;
    std::string kind, detail;
  };
  std::vector<std::vector<Fault>> faults;
};
RunSamples read_run_samples(const std::string& db, const std::vector<int64_t>& run_ids);

// Text for `meshsim show --sweep ID`: the sweep's row, its seeds' verdicts and run ids.
std::string show_sweep(const std::string& db, int64_t sweep_id);

}  // namespace meshsim::sink
