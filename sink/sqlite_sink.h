// Writes runs into an SQLite results database (schema: results/schema.sql, documented in
// results/README.md). The sink lives outside the deterministic core: it may read the wall
// clock, the pid and the host name, none of which can change what a run computes.
//
// A finished run's results are never lost:
//   on_run_start  commits the runs row as 'running' with its parameters, immediately (a run
//                 killed from then on leaves a trace; a dead pid reads as 'incomplete');
//   on_run_end    writes scalars, series, node summaries and the log, then flips the status,
//                 all in ONE transaction, waiting for other writers as long as allowed.
// When the database cannot take them (locked past the wait limit, disk full, damaged, or
// the start row could not be written), the results go to a side file: a one-run results
// database next to the main one (or in the temp folder when that fails too), which
// `meshsim import` loads later. The main row is marked 'incomplete' naming the side file.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sim/observer.h"
#include "sink/write_connection.h"

namespace meshsim {

// PRAGMA user_version of databases this build writes and reads.
inline constexpr int kResultsSchemaVersion = 5;

// The text of results/schema.sql, compiled in so no file is read at run time.
std::string_view results_schema_sql();
// The script that brings a database of `from_version` to the next version ("" if none).
std::string_view results_schema_migration(int from_version);

// Name of the table a side file adds: where its run was meant to go.
inline constexpr const char* kSideFileTable = "meshsim_unsaved";

class SqliteSink : public RunObserver {
 public:
  // Opens (creating if needed) the database at db_path and its schema. The directory must
  // already exist: creating it is the caller's decision. Throws ResultsError naming
  // db_path on any failure, including a file that is not a meshsim database (left as it was).
  explicit SqliteSink(std::string db_path, sink::WriteOptions options = {});
  // A run still 'running' here was abandoned (an exception unwound past it): it is marked
  // 'incomplete' on a best-effort basis, since a destructor must not throw.
  ~SqliteSink() override;
  SqliteSink(const SqliteSink&) = delete;
  SqliteSink& operator=(const SqliteSink&) = delete;

  void on_run_start(const RunInfo& info) override;
  // Metrics are written once, at the end: sampling mid-run would cost the run time and a
  // partial series is of no use without the rest.
  void on_sample(int64_t sim_time_ns, const Metrics& metrics) override;
  // Does not throw for database trouble: see saved_aside() and write_error().
  void on_run_end(const RunInfo& info, const RunResult& result, const Metrics& metrics) override;

  // For a caller that caught an exception mid-run: records the run as 'incomplete' with
  // `why` as its failure text. No-op when no run is in progress.
  void mark_incomplete(const std::string& why);
  // Store this trace (`meshsim run --trace`) with the run's results. The recorder must
  // outlive the run. Kept in the main database only: a side file holds the results alone.
  void set_trace(const TraceRecorder* recorder) {
    if (db_) db_->set_trace(recorder ? &recorder->rows() : nullptr);
  }

  // Id of the current run, or of the last one once it ended; 0 before the first run or
  // when the start row could not be written.
  int64_t run_id() const { return run_id_; }
  bool run_in_progress() const { return in_progress_; }
  const std::string& db_path() const { return db_path_; }
  // After on_run_end: true when the results are in the main database.
  bool results_stored() const { return stored_; }
  // After on_run_end: why the main database did not take them, and the side file that did
  // (empty when saving aside failed too).
  const std::string& write_error() const { return write_error_; }
  const std::string& side_file() const { return side_file_; }

 private:
  std::string save_aside(const RunInfo& info, const RunResult& result, const Metrics& metrics);

  std::string db_path_;
  std::unique_ptr<sink::WriteConnection> db_;
  int64_t run_id_ = 0;
  bool in_progress_ = false;
  bool stored_ = false;
  std::string write_error_;
  std::string side_file_;
};

}  // namespace meshsim
