// Read side of the results database, behind `meshsim list`, `meshsim show RUN` and
// `meshsim export RUN --csv DIR`. Every function opens the file read-only and never creates
// it: a mistyped path must be an error, not a fresh empty database.
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace meshsim {

// Missing or foreign database, unknown run, unwritable export directory: conditions a user
// can fix, so the CLI prints the message and exits with code 2.
class ResultsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One row of the runs table (see results/README.md for the meaning of each column).
struct RunRow {
  int64_t run_id = 0;
  std::string scenario_name;
  std::string scenario_path;
  std::string scenario_text;
  uint64_t seed = 0;
  std::string build_id;
  std::string command_line;
  std::string status;                  // as stored
  std::string shown_status;            // 'incomplete' for a 'running' row whose process is gone
  std::string failure;                 // empty when NULL
  std::optional<int64_t> events;       // NULL until the run ends
  std::optional<int64_t> sim_time_ns;  // NULL until the run ends
  std::optional<double> wall_s;        // NULL until the run ends
  std::string fingerprint;             // 16 hex digits; empty until the run ends
  std::string started_at;
  std::string finished_at;  // empty when NULL
  int64_t pid = 0;
  std::string host;
};

// The `limit` newest runs, newest first; limit <= 0 means all of them.
std::vector<RunRow> read_runs(const std::string& db_path, int limit);
// Throws ResultsError when there is no such run.
RunRow read_run(const std::string& db_path, int64_t run_id);

// A stored 'running' status is only believed while the writing process is alive: a run
// killed by SIGKILL or a power cut cannot update its own row. Processes on other hosts
// cannot be checked, so their runs stay 'running'.
std::string shown_status(const std::string& stored_status, int64_t pid, const std::string& host);

// Text table of runs: id, scenario, seed, status, events, sim time, wall s, fingerprint.
std::string list_runs(const std::string& db_path, int limit = 20);
// The run row, its parameters, scalars, series (names, point counts, ranges), per-node
// summaries (aggregated over nodes) and the event log.
std::string show_run(const std::string& db_path, int64_t run_id);
// Writes run.csv, parameters.csv, scalars.csv, series.csv, node_summaries.csv and
// events_log.csv (RFC 4180 quoting, LF line ends) into an existing directory `dir`.
void export_run_csv(const std::string& db_path, int64_t run_id, const std::string& dir);

}  // namespace meshsim
