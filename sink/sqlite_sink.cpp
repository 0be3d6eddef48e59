#include "sink/sqlite_sink.h"

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <ctime>
#include <filesystem>
#include <stdexcept>

namespace meshsim {

const char* to_string(RunStatus s) {
  switch (s) {
    case RunStatus::running: return "running";
    case RunStatus::complete: return "complete";
    case RunStatus::failed: return "failed";
    case RunStatus::inconclusive: return "inconclusive";
    case RunStatus::interrupted: return "interrupted";
    case RunStatus::incomplete: return "incomplete";
  }
  return "invalid";
}

namespace {

// "runs.db.unsaved-20261129-031502-4711-1.db": sorts by time, unique per process and run.
std::string side_file_name(const std::string& db_path) {
  static std::atomic<int> counter{0};
  char stamp[32];
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &utc);
  std::string base = std::filesystem::path(db_path).filename().string();
  if (base.empty()) base = "results.db";
  return base + ".unsaved-" + stamp + "-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + ".db";
}

void write_side_file(const std::string& path, const std::string& target_db, int64_t original_run_id,
                     const std::string& error, const RunInfo& info, const RunResult& result, const Metrics& metrics) {
  sink::WriteOptions options;
  options.wait_limit = std::chrono::seconds(10);  // a fresh file nobody else knows of
  sink::WriteConnection side(path, options);
  side.transaction([&] {
    side.exec(std::string("CREATE TABLE ") + kSideFileTable +
              " (target_db TEXT NOT NULL, original_run_id INTEGER NOT NULL, error TEXT NOT NULL)");
    sqlite3_stmt* stmt = nullptr;
    std::string sql = std::string("INSERT INTO ") + kSideFileTable + " VALUES (?, ?, ?)";
    if (sqlite3_prepare_v2(side.handle(), sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) side.fail("cannot prepare");
    std::string absolute = std::filesystem::absolute(target_db).string();
    sqlite3_bind_text(stmt, 1, absolute.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(stmt, 2, original_run_id);
    sqlite3_bind_text(stmt, 3, error.c_str(), -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) side.fail("cannot record the target database");
  });
  side.insert_finished(info, result, metrics);
}

}  // namespace

SqliteSink::SqliteSink(std::string db_path, sink::WriteOptions options)
    : db_path_(std::move(db_path)), db_(std::make_unique<sink::WriteConnection>(db_path_, std::move(options))) {}

SqliteSink::~SqliteSink() {
  if (in_progress_) {
    try {
      mark_incomplete("run abandoned: the results sink was closed before the run ended");
    } catch (...) {
      // Nothing more can be done from a destructor; the read side still reports the
      // 'running' row as incomplete once this process is gone.
    }
  }
}

void SqliteSink::on_run_start(const RunInfo& info) {
  if (in_progress_) throw std::logic_error("SqliteSink::on_run_start: run " + std::to_string(run_id_) + " has not ended");
  stored_ = false;
  write_error_.clear();
  side_file_.clear();
  run_id_ = 0;
  try {
    run_id_ = db_->insert_running(info);
    in_progress_ = true;
  } catch (const std::exception& e) {
    // The run goes on: its results will be saved aside at the end, which beats losing
    // the hours it may take because the database was busy for a moment now.
    write_error_ = std::string("cannot record the run's start: ") + e.what();
  }
}

void SqliteSink::on_sample(int64_t /*sim_time_ns*/, const Metrics& /*metrics*/) {}

void SqliteSink::on_run_end(const RunInfo& info, const RunResult& result, const Metrics& metrics) {
  if (result.status == RunStatus::running) throw std::logic_error("SqliteSink::on_run_end: a finished run cannot be 'running'");
  if (!in_progress_ && write_error_.empty()) throw std::logic_error("SqliteSink::on_run_end without on_run_start");
  if (in_progress_) {
    in_progress_ = false;
    try {
      db_->write_results(run_id_, result, metrics);
      stored_ = true;
      return;
    } catch (const std::exception& e) {
      write_error_ = e.what();  // the transaction rolled back: nothing half-written
    }
  }
  side_file_ = save_aside(info, result, metrics);
  if (run_id_ > 0) {
    std::string why = "results could not be written: " + write_error_ +
                      (side_file_.empty() ? "; saving them aside failed too"
                                          : "; saved to " + side_file_ + " (load them with: meshsim import " + side_file_ + ")");
    try {
      db_->mark_incomplete(run_id_, why);
    } catch (...) {
      // Still 'running' with this process's pid: the read side reports it as incomplete.
    }
  }
}

std::string SqliteSink::save_aside(const RunInfo& info, const RunResult& result, const Metrics& metrics) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string name = side_file_name(db_path_);
  std::vector<fs::path> folders{fs::path(db_path_).parent_path()};
  fs::path temp = fs::temp_directory_path(ec);
  if (!ec) folders.push_back(temp);
  std::string errors;
  for (const fs::path& folder : folders) {
    fs::path path = folder.empty() ? fs::path(name) : folder / name;
    try {
      write_side_file(path.string(), db_path_, run_id_, write_error_, info, result, metrics);
      return path.string();
    } catch (const std::exception& e) {
      errors += std::string("; ") + e.what();
      fs::remove(path, ec);  // a half-made side file would only mislead
      fs::remove(path.string() + "-wal", ec);
      fs::remove(path.string() + "-shm", ec);
    }
  }
  write_error_ += "; saving the results aside failed" + errors;
  return "";
}

void SqliteSink::mark_incomplete(const std::string& why) {
  if (!in_progress_) return;
  // Cleared first: if this write fails too, the row stays 'running' with a dead pid, which
  // the read side already reports as incomplete.
  in_progress_ = false;
  db_->mark_incomplete(run_id_, why);
}

}  // namespace meshsim
