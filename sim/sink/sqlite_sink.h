// Writes runs into an SQLite results database (schema: results/schema.sql, documented in
// results/README.md). The sink lives outside the deterministic core: it may read the wall
// clock, the pid and the host name, none of which can change what a run computes.
//
// Crash safety follows from when rows are committed:
//   on_run_start  commits the runs row as 'running' with its parameters, immediately;
//   on_run_end    writes scalars, series, node summaries and the log, then flips the status,
//                 all in ONE transaction, so a run is either fully recorded or still 'running'.
// A process killed mid-run therefore leaves a 'running' row whose pid is dead; the read side
// (results_db.h) shows it as 'incomplete'. WAL journaling plus a busy timeout let several
// meshsim processes append to the same database at once.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/observer.h"

struct sqlite3;
struct sqlite3_stmt;

namespace meshsim {

// PRAGMA user_version of databases this build writes and reads.
inline constexpr int kResultsSchemaVersion = 1;

// The text of results/schema.sql, compiled in so no file is read at run time.
std::string_view results_schema_sql();

class SqliteSink : public RunObserver {
 public:
  // Opens (creating if needed) the database at db_path and its schema. The directory must
  // already exist: creating it is the caller's decision. Throws std::runtime_error naming
  // db_path on any failure, including a file that is not a meshsim database.
  explicit SqliteSink(std::string db_path);
  // A run still 'running' here was abandoned (an exception unwound past it): it is marked
  // 'incomplete' on a best-effort basis, since a destructor must not throw.
  ~SqliteSink() override;
  SqliteSink(const SqliteSink&) = delete;
  SqliteSink& operator=(const SqliteSink&) = delete;

  void on_run_start(const RunInfo& info) override;
  // Metrics are written once, at the end: sampling mid-run would cost the run time and a
  // partial series is of no use without the rest.
  void on_sample(int64_t sim_time_ns, const Metrics& metrics) override;
  void on_run_end(const RunInfo& info, const RunResult& result, const Metrics& metrics) override;

  // For a caller that caught an exception mid-run: records the run as 'incomplete' with
  // `why` as its failure text. No-op when no run is in progress.
  void mark_incomplete(const std::string& why);

  // Id of the current run, or of the last one once it ended; 0 before the first run.
  int64_t run_id() const { return run_id_; }
  bool run_in_progress() const { return in_progress_; }
  const std::string& db_path() const { return db_path_; }

 private:
  void open_database();
  std::string switch_to_wal();  // returns the resulting mode
  void close() noexcept;
  void ensure_schema();
  void prepare_statements();
  sqlite3_stmt* prepare(const char* sql);
  void exec(const char* sql);
  void step_done(sqlite3_stmt* stmt);  // steps a statement that returns no rows, then resets
  void write_run_end(const RunResult& result, const Metrics& metrics);
  [[noreturn]] void fail(const std::string& what) const;

  std::string db_path_;
  sqlite3* db_ = nullptr;
  int64_t run_id_ = 0;
  bool in_progress_ = false;

  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* rollback_ = nullptr;
  sqlite3_stmt* insert_run_ = nullptr;
  sqlite3_stmt* insert_parameter_ = nullptr;
  sqlite3_stmt* insert_scalar_ = nullptr;
  sqlite3_stmt* insert_series_ = nullptr;
  sqlite3_stmt* insert_node_summary_ = nullptr;
  sqlite3_stmt* insert_log_ = nullptr;
  sqlite3_stmt* update_run_end_ = nullptr;
  sqlite3_stmt* update_run_incomplete_ = nullptr;
};

}  // namespace meshsim
