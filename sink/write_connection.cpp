#include "sink/write_connection.h"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "sink/results_db.h"
#include "sink/sqlite_sink.h"

namespace meshsim::sink {
namespace {

using namespace std::chrono_literals;

// How often a waiting writer says so.
constexpr auto kWaitReportEvery = 5s;

// SQLite's own ISO-8601 UTC clock, so the timestamp is taken inside the statement.
#define MESHSIM_NOW_UTC "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

std::string fingerprint_hex(uint64_t fingerprint) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, fingerprint);
  return buf;
}

void bind_text(sqlite3_stmt* stmt, int index, const std::string& text) {
  // SQLITE_STATIC: every bound string outlives the step that reads it.
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

void bind_text_or_null(sqlite3_stmt* stmt, int index, const std::string& text) {
  if (text.empty()) {
    sqlite3_bind_null(stmt, index);
  } else {
    bind_text(stmt, index, text);
  }
}

bool is_busy(int rc) { return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED; }

// What a user can do about the error SQLite just reported, or "".
std::string advice(sqlite3* db, const std::string& path) {
  switch (sqlite3_errcode(db) & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return " (the file is damaged: check it with sqlite3 " + path + " 'PRAGMA integrity_check', or use another --db)";
    case SQLITE_FULL: return " (free some space, or use a --db on another filesystem)";
    case SQLITE_BUSY: return " (another process held the database too long; --db-wait sets how long to wait)";
    default: return "";
  }
}

}  // namespace

WriteConnection::WriteConnection(std::string path, WriteOptions options)
    : path_(std::move(path)), options_(std::move(options)) {
  try {
    open();
    refuse_foreign();
    // WAL lets readers and one writer at a time proceed without blocking each other, and a
    // killed writer leaves at most an uncommitted tail that the next opener discards.
    std::string mode = switch_to_wal();
    if (mode != "wal" && !(mode == "memory" && path_ == ":memory:"))
      fail("cannot switch to WAL journal mode (got '" + mode + "'); network filesystems do not support it");
    // NORMAL is crash-safe in WAL mode: only an OS crash or power cut can lose the last
    // commits, never a killed process, and it saves an fsync per commit.
    exec("PRAGMA synchronous = NORMAL");
    exec("PRAGMA foreign_keys = ON");
    ensure_schema();
    prepare_statements();
  } catch (...) {
    close();  // the destructor does not run for a half-built object
    throw;
  }
}

WriteConnection::~WriteConnection() { close(); }

void WriteConnection::close() noexcept {
  for (sqlite3_stmt* stmt : {begin_, commit_, rollback_, insert_run_, insert_parameter_, insert_scalar_, insert_series_,
                             insert_node_summary_, insert_node_series_, insert_log_, update_run_end_, update_run_incomplete_}) {
    sqlite3_finalize(stmt);  // no-op on nullptr
  }
  begin_ = commit_ = rollback_ = insert_run_ = insert_parameter_ = insert_scalar_ = insert_series_ =
      insert_node_summary_ = insert_node_series_ = insert_log_ = update_run_end_ = update_run_incomplete_ = nullptr;
  sqlite3_close_v2(db_);
  db_ = nullptr;
}

void WriteConnection::fail(const std::string& what) const {
  std::string msg = "results database " + path_ + ": " + what;
  if (db_ && sqlite3_errcode(db_) != SQLITE_OK) msg += std::string(": ") + sqlite3_errmsg(db_) + advice(db_, path_);
  throw ResultsError(msg);
}

int WriteConnection::on_busy(void* self_ptr, int attempts) {
  auto* self = static_cast<WriteConnection*>(self_ptr);
  auto now = std::chrono::steady_clock::now();
  if (attempts == 0) self->wait_started_ = self->last_wait_report_ = now;
  auto waited = now - self->wait_started_;
  if (waited >= self->options_.wait_limit) return 0;  // SQLITE_BUSY: the caller decides
  if (self->options_.on_wait && now - self->last_wait_report_ >= kWaitReportEvery) {
    self->last_wait_report_ = now;
    auto s = std::chrono::duration_cast<std::chrono::seconds>(waited).count();
    auto limit = std::chrono::duration_cast<std::chrono::seconds>(self->options_.wait_limit).count();
    self->options_.on_wait("waiting for " + self->path_ + ": another process is writing to it (" + std::to_string(s) +
                           " s so far, giving up after " + std::to_string(limit) + " s)");
  }
  // Back off from 1 ms to 100 ms: quick when the other writer is nearly done, cheap when not.
  std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(1ms * (1 << std::min(attempts, 7)), 100ms));
  return 1;
}

void WriteConnection::open() {
  namespace fs = std::filesystem;
  std::error_code ec;
  // SQLite's own message for these cases is "unable to open database file", which does not
  // say what to do about it.
  fs::path parent = fs::path(path_).parent_path();
  if (!parent.empty() && !fs::is_directory(parent, ec)) fail("directory " + parent.string() + " does not exist (create it first)");
  if (fs::is_directory(path_, ec)) fail("is a directory, not a database file");
  if (!options_.create && !fs::exists(path_, ec)) fail("no such file");

  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (options_.create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr) != SQLITE_OK) fail("cannot open");
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_handler(db_, &WriteConnection::on_busy, this);
  // SQLite quietly opens a file it may not write read-only; say so now, not at the end.
  if (sqlite3_db_readonly(db_, "main") == 1)
    fail("cannot be written (read-only file, folder or filesystem); choose another --db");
}

void WriteConnection::refuse_foreign() {
  // Read-only looks, before anything changes the file: a database that is not meshsim's
  // keeps its journal mode and contents. One statement, so one read transaction: read
  // apart, another process could commit the schema between the two looks, and a fresh
  // meshsim database would seem to have tables but no version.
  sqlite3_stmt* stmt = prepare(
      "SELECT (SELECT user_version FROM pragma_user_version),"
      " (SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%')");
  int version = -1, objects = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    version = sqlite3_column_int(stmt, 0);
    objects = sqlite3_column_int(stmt, 1);
  }
  sqlite3_finalize(stmt);
  if (version < 0) fail("cannot read the schema version");
  if (version > kResultsSchemaVersion)
    fail("schema version " + std::to_string(version) + " is newer than this meshsim (" +
         std::to_string(kResultsSchemaVersion) + "); use a newer build or another file");
  if (version == 0 && objects != 0) fail("not a meshsim results database (it has other tables); nothing was changed in it");
}

std::string WriteConnection::switch_to_wal() {
  // Changing the journal mode needs an exclusive lock, and SQLite reports SQLITE_BUSY at
  // once rather than calling the busy handler when another process holds a lock on a new
  // file (two sinks racing to create it). So retry here, within the same wait limit.
  auto started = std::chrono::steady_clock::now();
  for (;;) {
    sqlite3_stmt* stmt = prepare("PRAGMA journal_mode = WAL");
    int rc = sqlite3_step(stmt);
    std::string mode;
    if (rc == SQLITE_ROW) mode = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    if (rc == SQLITE_ROW) return mode;
    if (!is_busy(rc)) fail("cannot set the journal mode");
    if (std::chrono::steady_clock::now() - started >= options_.wait_limit) fail("gave up waiting to set the journal mode");
    std::this_thread::sleep_for(5ms);
  }
}

void WriteConnection::ensure_schema() {
  auto read_version = [this] {
    sqlite3_stmt* stmt = prepare("PRAGMA user_version");
    int version = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    if (version < 0) fail("cannot read the schema version");
    return version;
  };
  if (read_version() == kResultsSchemaVersion) return;
  // A migration may rebuild a table that others refer to (version 3 rebuilds runs): with
  // foreign keys on, dropping the old table would cascade-delete every run's rows. The
  // pragma has no effect inside a transaction, so it is switched around it. The rebuilt
  // table keeps every run_id, so every reference still holds afterwards.
  exec("PRAGMA foreign_keys = OFF");
  // Another process may be creating the schema at this very moment: take the write lock
  // first and look again, so exactly one of them runs the script. The script and its
  // user_version commit together, so a reader sees no schema or all of it.
  exec("BEGIN IMMEDIATE");
  try {
    int version = read_version();
    if (version == 0) {
      refuse_foreign();
      exec(std::string(results_schema_sql()));
    }
    // Older versions are migrated one step at a time, in the same transaction.
    for (version = read_version(); version > 0 && version < kResultsSchemaVersion; version = read_version()) {
      std::string_view step = results_schema_migration(version);
      if (step.empty()) fail("no migration from schema version " + std::to_string(version));
      exec(std::string(step));
    }
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_exec(db_, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr);
    throw;
  }
  exec("PRAGMA foreign_keys = ON");
}


void WriteConnection::prepare_statements() {
  // IMMEDIATE takes the write lock up front, so a transaction never fails half-way on a
  // read-to-write upgrade that another process won.
  begin_ = prepare("BEGIN IMMEDIATE");
  commit_ = prepare("COMMIT");
  rollback_ = prepare("ROLLBACK");
  insert_run_ = prepare(
      "INSERT INTO runs (scenario_name, scenario_path, scenario_text, seed, build_id,"
      " command_line, status, started_at, pid, host)"
      " VALUES (?, ?, ?, ?, ?, ?, 'running', " MESHSIM_NOW_UTC ", ?, ?)");
  insert_parameter_ = prepare("INSERT INTO parameters (run_id, key, value) VALUES (?, ?, ?)");
  insert_scalar_ = prepare("INSERT INTO scalars (run_id, name, value) VALUES (?, ?, ?)");
  insert_series_ = prepare("INSERT INTO series (run_id, name, sim_time_ns, value) VALUES (?, ?, ?, ?)");
  insert_node_summary_ = prepare("INSERT INTO node_summaries (run_id, node, name, value) VALUES (?, ?, ?, ?)");
  insert_node_series_ = prepare("INSERT INTO node_series (run_id, node, name, sim_time_ns, value) VALUES (?, ?, ?, ?, ?)");
  insert_log_ = prepare("INSERT INTO events_log (run_id, sim_time_ns, kind, detail) VALUES (?, ?, ?, ?)");
  update_run_end_ = prepare(
      "UPDATE runs SET status = ?, failure = ?, events = ?, sim_time_ns = ?, wall_s = ?,"
      " fingerprint = ?, finished_at = " MESHSIM_NOW_UTC " WHERE run_id = ?");
  update_run_incomplete_ = prepare("UPDATE runs SET status = 'incomplete', failure = ?, finished_at = " MESHSIM_NOW_UTC
                                   " WHERE run_id = ? AND status = 'running'");
}

sqlite3_stmt* WriteConnection::prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK) fail(std::string("cannot prepare \"") + sql + "\"");
  return stmt;
}

void WriteConnection::exec(const std::string& sql) {
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
    fail("cannot execute \"" + sql.substr(0, 40) + "\"");
}

void WriteConnection::step_done(sqlite3_stmt* stmt) {
  int rc = sqlite3_step(stmt);
  if (rc != SQLITE_DONE) {
    // Keep the statement's error text before reset, then leave it reusable.
    std::string msg = "results database " + path_ + ": cannot execute \"" + sqlite3_sql(stmt) + "\": " + sqlite3_errmsg(db_) + advice(db_, path_);
    sqlite3_reset(stmt);
    throw ResultsError(msg);
  }
  sqlite3_reset(stmt);
}

void WriteConnection::transaction(const std::function<void()>& body) {
  step_done(begin_);
  try {
    body();
    step_done(commit_);
  } catch (...) {
    sqlite3_step(rollback_);
    sqlite3_reset(rollback_);
    throw;
  }
}

int64_t WriteConnection::insert_running(const RunInfo& info) {
  int64_t id = 0;
  transaction([&] { id = insert_run_rows(info); });
  return id;
}

int64_t WriteConnection::insert_finished(const RunInfo& info, const RunResult& result, const Metrics& metrics) {
  int64_t id = 0;
  transaction([&] {
    id = insert_run_rows(info);
    write_result_rows(id, result, metrics);
  });
  return id;
}

void WriteConnection::write_results(int64_t run_id, const RunResult& result, const Metrics& metrics) {
  transaction([&] { write_result_rows(run_id, result, metrics); });
}

int64_t WriteConnection::insert_run_rows(const RunInfo& info) {
  const std::string host = host_name();
  int64_t id = 0;
  {
    bind_text(insert_run_, 1, info.scenario_name);
    bind_text(insert_run_, 2, info.scenario_path);
    bind_text(insert_run_, 3, info.scenario_text);
    // Bit pattern preserved: seeds >= 2^63 read back negative in raw SQL (see README).
    sqlite3_bind_int64(insert_run_, 4, static_cast<int64_t>(info.seed));
    bind_text(insert_run_, 5, info.build_id);
    bind_text(insert_run_, 6, info.command_line);
    sqlite3_bind_int64(insert_run_, 7, static_cast<int64_t>(getpid()));
    bind_text(insert_run_, 8, host);
    step_done(insert_run_);
    id = sqlite3_last_insert_rowid(db_);
    sqlite3_bind_int64(insert_parameter_, 1, id);
    for (const auto& [key, value] : info.parameters) {
      bind_text(insert_parameter_, 2, key);
      bind_text(insert_parameter_, 3, value);
      step_done(insert_parameter_);
    }
  }
  return id;
}

void WriteConnection::write_result_rows(int64_t run_id, const RunResult& result, const Metrics& metrics) {
  {
    sqlite3_bind_int64(insert_scalar_, 1, run_id);
    for (const auto& [name, value] : metrics.scalars()) {
      bind_text(insert_scalar_, 2, name);
      sqlite3_bind_double(insert_scalar_, 3, value);
      step_done(insert_scalar_);
    }
    // Bindings survive sqlite3_reset, so run id and name are bound once per series.
    sqlite3_bind_int64(insert_series_, 1, run_id);
    for (const auto& [name, points] : metrics.series()) {
      bind_text(insert_series_, 2, name);
      for (const SeriesPoint& p : points) {
        sqlite3_bind_int64(insert_series_, 3, p.sim_time_ns);
        sqlite3_bind_double(insert_series_, 4, p.value);
        step_done(insert_series_);
      }
    }
    sqlite3_bind_int64(insert_node_summary_, 1, run_id);
    for (const NodeSummary& s : metrics.node_summaries()) {
      sqlite3_bind_int64(insert_node_summary_, 2, s.node);
      bind_text(insert_node_summary_, 3, s.name);
      sqlite3_bind_double(insert_node_summary_, 4, s.value);
      step_done(insert_node_summary_);
    }
    sqlite3_bind_int64(insert_node_series_, 1, run_id);
    for (const NodeSeriesPoint& p : metrics.node_series()) {
      sqlite3_bind_int64(insert_node_series_, 2, p.node);
      bind_text(insert_node_series_, 3, metrics.node_series_names()[p.name]);
      sqlite3_bind_int64(insert_node_series_, 4, p.sim_time_ns);
      sqlite3_bind_double(insert_node_series_, 5, p.value);
      step_done(insert_node_series_);
    }
    if (trace_) write_trace_rows(run_id);
    sqlite3_bind_int64(insert_log_, 1, run_id);
    for (const LogEntry& e : metrics.log_entries()) {
      sqlite3_bind_int64(insert_log_, 2, e.sim_time_ns);
      bind_text(insert_log_, 3, e.kind);
      bind_text(insert_log_, 4, e.detail);
      step_done(insert_log_);
    }
    const std::string status = to_string(result.status);
    const std::string fingerprint = fingerprint_hex(result.fingerprint);
    bind_text(update_run_end_, 1, status);
    bind_text_or_null(update_run_end_, 2, result.failure);
    sqlite3_bind_int64(update_run_end_, 3, static_cast<int64_t>(result.events));
    sqlite3_bind_int64(update_run_end_, 4, result.sim_time_ns);
    sqlite3_bind_double(update_run_end_, 5, result.wall_s);
    bind_text(update_run_end_, 6, fingerprint);
    sqlite3_bind_int64(update_run_end_, 7, run_id);
    step_done(update_run_end_);
    if (sqlite3_changes(db_) != 1)
      throw ResultsError("results database " + path_ + ": run " + std::to_string(run_id) + " was deleted while it ran");
  }
}

void WriteConnection::mark_incomplete(int64_t run_id, const std::string& why) {
  bind_text_or_null(update_run_incomplete_, 1, why);
  sqlite3_bind_int64(update_run_incomplete_, 2, run_id);
  step_done(update_run_incomplete_);  // autocommit: one statement, one transaction
}

void WriteConnection::write_trace_rows(int64_t run_id) {
  sqlite3_stmt* insert = prepare(
      "INSERT INTO trace (run_id, seq, sim_time_ns, event, node, peer, module, type, message_id, sent_ns, detail)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  // Prepared per trace (one per run): traced runs are rare, and the statement would
  // otherwise sit among the ones every run uses.
  struct Finalize {
    sqlite3_stmt* s;
    ~Finalize() { sqlite3_finalize(s); }
  } finalize{insert};
  auto bind_optional = [&](int column, int64_t v) {
    if (v < 0) sqlite3_bind_null(insert, column);
    else sqlite3_bind_int64(insert, column, v);
  };
  int64_t seq = 0;
  for (const TraceRow& r : *trace_) {
    sqlite3_bind_int64(insert, 1, run_id);
    sqlite3_bind_int64(insert, 2, seq++);
    sqlite3_bind_int64(insert, 3, r.sim_time_ns);
    bind_text(insert, 4, r.event);
    bind_optional(5, r.node);
    bind_optional(6, r.peer);
    bind_text(insert, 7, r.module);
    bind_text(insert, 8, r.type);
    if (r.message_id) sqlite3_bind_int64(insert, 9, static_cast<int64_t>(r.message_id));
    else sqlite3_bind_null(insert, 9);
    bind_optional(10, r.sent_ns);
    bind_text(insert, 11, r.detail);
    step_done(insert);
  }
}

}  // namespace meshsim::sink
