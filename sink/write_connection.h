// A connection that writes runs into a meshsim results database (schema:
// results/schema.sql): the main database of `meshsim run`, a side file holding results the
// main database could not take, and the target of `meshsim import`.
//
// Waiting: a writer waits for another writer's transaction for as long as `wait_limit`
// (WAL lets readers go on meanwhile), calling `on_wait` every few seconds so a user sees
// why nothing happens. Past the limit the write fails with "database is locked" and the
// caller saves the results elsewhere; it never aborts.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "sim/observer.h"
#include "sink/trace.h"

struct sqlite3;
struct sqlite3_stmt;

namespace meshsim::sink {

struct WriteOptions {
  std::chrono::milliseconds wait_limit{std::chrono::minutes(10)};
  std::function<void(const std::string&)> on_wait;  // "waiting for ... (12 s so far)"
  bool create = true;  // create the file when missing
};

class WriteConnection {
 public:
  // Opens (creating if allowed) and checks the file before changing anything in it: a
  // file that is not meshsim's, or of a newer schema, is refused untouched. Every failure
  // throws ResultsError (results_db.h) naming the path.
  WriteConnection(std::string path, WriteOptions options);
  ~WriteConnection();
  WriteConnection(const WriteConnection&) = delete;
  WriteConnection& operator=(const WriteConnection&) = delete;

  // Inserts a 'running' row with the run's parameters; one transaction. Returns its id.
  int64_t insert_running(const RunInfo& info);
  // Scalars, series, node summaries, log and the final status of run `run_id`, in ONE
  // transaction: a reader never sees a run marked complete with half of its series.
  void write_results(int64_t run_id, const RunResult& result, const Metrics& metrics);
  // A message trace to write with the next results, in the same transaction (null: none).
  void set_trace(const std::vector<TraceRow>* rows) { trace_ = rows; }
  // A finished run in one transaction (a side file's only run, or an import); returns its id.
  int64_t insert_finished(const RunInfo& info, const RunResult& result, const Metrics& metrics);
  // Marks a still-'running' row 'incomplete' with `why`.
  void mark_incomplete(int64_t run_id, const std::string& why);
  // Runs `sql` (no rows) inside one IMMEDIATE transaction with `body`, rolled back on throw.
  void transaction(const std::function<void()>& body);
  void exec(const std::string& sql);

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  [[noreturn]] void fail(const std::string& what) const;

 private:
  static int on_busy(void* self, int attempts);
  int64_t insert_run_rows(const RunInfo& info);
  void write_result_rows(int64_t run_id, const RunResult& result, const Metrics& metrics);
  void open();
  void refuse_foreign();
  std::string switch_to_wal();
  void ensure_schema();
  void prepare_statements();
  sqlite3_stmt* prepare(const char* sql);
  void step_done(sqlite3_stmt* stmt);
  void close() noexcept;

  std::string path_;
  WriteOptions options_;
  sqlite3* db_ = nullptr;
  std::chrono::steady_clock::time_point wait_started_;
  std::chrono::steady_clock::time_point last_wait_report_;

  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* rollback_ = nullptr;
  sqlite3_stmt* insert_run_ = nullptr;
  sqlite3_stmt* insert_parameter_ = nullptr;
  sqlite3_stmt* insert_scalar_ = nullptr;
  sqlite3_stmt* insert_series_ = nullptr;
  sqlite3_stmt* insert_node_summary_ = nullptr;
  sqlite3_stmt* insert_node_series_ = nullptr;
  sqlite3_stmt* insert_log_ = nullptr;
  sqlite3_stmt* update_run_end_ = nullptr;
  sqlite3_stmt* update_run_incomplete_ = nullptr;
  void write_trace_rows(int64_t run_id);
  const std::vector<TraceRow>* trace_ = nullptr;
};

}  // namespace meshsim::sink
