#include "sim/sink/sqlite_sink.h"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace meshsim {

const char* to_string(RunStatus s) {
  switch (s) {
    case RunStatus::running: return "running";
    case RunStatus::complete: return "complete";
    case RunStatus::failed: return "failed";
    case RunStatus::incomplete: return "incomplete";
  }
  return "unknown";
}

namespace {

// Must stay byte-for-byte equal to results/schema.sql (checked by test_sqlite_sink.cpp).
constexpr std::string_view kSchemaSql =
    R"schema(-- meshsim results database, schema version 1 (PRAGMA user_version).
-- Modelled on OMNeT++'s SQLite result files: one row per run, everything else keyed by
-- run_id. Simulated time is an INTEGER count of nanoseconds, never a REAL, as in the engine.
-- The binary embeds this text (sim/sink/sqlite_sink.cpp) so meshsim can create a database
-- from any directory; tests/unit/test_sqlite_sink.cpp keeps the two byte-for-byte equal.
-- Every table and column is documented in results/README.md.

CREATE TABLE IF NOT EXISTS runs (
  -- AUTOINCREMENT so a deleted run's id is never handed to a later run.
  run_id        INTEGER PRIMARY KEY AUTOINCREMENT,
  scenario_name TEXT NOT NULL,
  scenario_path TEXT NOT NULL,
  scenario_text TEXT NOT NULL,
  -- The uint64 seed stored as its two's-complement int64 bit pattern.
  seed          INTEGER NOT NULL,
  build_id      TEXT NOT NULL,
  command_line  TEXT NOT NULL,
  status        TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'complete', 'failed', 'incomplete')),
  failure       TEXT,
  events        INTEGER,
  sim_time_ns   INTEGER,
  wall_s        REAL,
  -- 16 lowercase hex digits: a uint64 does not fit SQLite's signed INTEGER.
  fingerprint   TEXT CHECK (fingerprint IS NULL OR
                            (length(fingerprint) = 16 AND fingerprint NOT GLOB '*[^0-9a-f]*')),
  started_at    TEXT NOT NULL,
  finished_at   TEXT,
  pid           INTEGER NOT NULL,
  host          TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS parameters (
  run_id INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS parameters_by_run ON parameters (run_id, key);

CREATE TABLE IF NOT EXISTS scalars (
  run_id INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  name   TEXT NOT NULL,
  value  REAL
);
CREATE INDEX IF NOT EXISTS scalars_by_run ON scalars (run_id, name);

CREATE TABLE IF NOT EXISTS series (
  run_id      INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  sim_time_ns INTEGER NOT NULL,
  value       REAL
);
CREATE INDEX IF NOT EXISTS series_by_run ON series (run_id, name, sim_time_ns);

CREATE TABLE IF NOT EXISTS node_summaries (
  run_id INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  node   INTEGER NOT NULL,
  name   TEXT NOT NULL,
  value  REAL
);
CREATE INDEX IF NOT EXISTS node_summaries_by_run ON node_summaries (run_id, name, node);

CREATE TABLE IF NOT EXISTS events_log (
  run_id      INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  sim_time_ns INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  detail      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_log_by_run ON events_log (run_id, sim_time_ns);

PRAGMA user_version = 1;
)schema";

// Ten seconds is far longer than any single commit takes; a writer that still cannot get
// the lock after that is stuck on something a user has to look at.
constexpr int kBusyTimeoutMs = 10'000;

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

}  // namespace

std::string_view results_schema_sql() { return kSchemaSql; }

SqliteSink::SqliteSink(std::string db_path) : db_path_(std::move(db_path)) {
  try {
    open_database();
    ensure_schema();
    prepare_statements();
  } catch (...) {
    // The destructor does not run for a half-built object, so close here.
    close();
    throw;
  }
}

SqliteSink::~SqliteSink() {
  if (in_progress_ && db_) {
    try {
      mark_incomplete("run abandoned: the results sink was closed before the run ended");
    } catch (...) {
      // Nothing more can be done from a destructor; the read side still reports the
      // 'running' row as incomplete once this process is gone.
    }
  }
  close();
}

void SqliteSink::close() noexcept {
  for (sqlite3_stmt* stmt :
       {begin_, commit_, rollback_, insert_run_, insert_parameter_, insert_scalar_, insert_series_,
        insert_node_summary_, insert_log_, update_run_end_, update_run_incomplete_}) {
    sqlite3_finalize(stmt);  // no-op on nullptr
  }
  begin_ = commit_ = rollback_ = insert_run_ = insert_parameter_ = insert_scalar_ = insert_series_ =
      insert_node_summary_ = insert_log_ = update_run_end_ = update_run_incomplete_ = nullptr;
  sqlite3_close_v2(db_);
  db_ = nullptr;
}

void SqliteSink::fail(const std::string& what) const {
  std::string msg = "results database " + db_path_ + ": " + what;
  if (db_ && sqlite3_errcode(db_) != SQLITE_OK) msg += std::string(": ") + sqlite3_errmsg(db_);
  throw std::runtime_error(msg);
}

void SqliteSink::open_database() {
  namespace fs = std::filesystem;
  std::error_code ec;
  // SQLite's own message for these cases is "unable to open database file", which does not
  // say what to do about it.
  fs::path parent = fs::path(db_path_).parent_path();
  if (!parent.empty() && !fs::is_directory(parent, ec)) {
    fail("directory " + parent.string() + " does not exist (create it first)");
  }
  if (fs::is_directory(db_path_, ec)) fail("is a directory, not a database file");

  int rc =
      sqlite3_open_v2(db_path_.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) fail("cannot open");
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);

  // WAL lets readers and one writer at a time proceed without blocking each other, and a
  // killed writer leaves at most an uncommitted tail that the next opener discards.
  std::string mode = switch_to_wal();
  if (mode != "wal" && !(mode == "memory" && db_path_ == ":memory:")) {
    fail("cannot switch to WAL journal mode (got '" + mode +
         "'); network filesystems do not support it");
  }
  // NORMAL is crash-safe in WAL mode: only an OS crash or power cut can lose the last
  // commits, never a killed process, and it saves an fsync per commit.
  exec("PRAGMA synchronous = NORMAL");
  exec("PRAGMA foreign_keys = ON");
}

std::string SqliteSink::switch_to_wal() {
  // Changing the journal mode needs an exclusive lock, and SQLite reports SQLITE_BUSY at
  // once rather than calling the busy handler when another process holds a lock on a new
  // file (two sinks racing to create it). So retry here, for as long as the busy timeout.
  constexpr int kRetryMs = 5;
  for (int waited_ms = 0;; waited_ms += kRetryMs) {
    sqlite3_stmt* stmt = prepare("PRAGMA journal_mode = WAL");
    int rc = sqlite3_step(stmt);
    std::string mode;
    if (rc == SQLITE_ROW) mode = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    if (rc == SQLITE_ROW) return mode;
    if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
      fail("cannot set the journal mode");
    if (waited_ms >= kBusyTimeoutMs) fail("gave up waiting to set the journal mode");
    usleep(kRetryMs * 1000);
  }
}

void SqliteSink::ensure_schema() {
  auto read_version = [this] {
    sqlite3_stmt* stmt = prepare("PRAGMA user_version");
    int version = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    if (version < 0) fail("cannot read the schema version");
    return version;
  };
  auto check_newer = [this](int version) {
    if (version > kResultsSchemaVersion) {
      fail("schema version " + std::to_string(version) + " is newer than this meshsim (" +
           std::to_string(kResultsSchemaVersion) + "); use a newer build or another file");
    }
  };

  int version = read_version();
  if (version == kResultsSchemaVersion) return;
  check_newer(version);

  // Another process may be creating the schema at this very moment: take the write lock
  // first and look again, so exactly one of them runs the script.
  exec("BEGIN IMMEDIATE");
  try {
    version = read_version();
    check_newer(version);
    if (version == 0) {
      sqlite3_stmt* stmt =
          prepare("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'");
      int objects = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
      sqlite3_finalize(stmt);
      if (objects > 0) fail("not a meshsim results database (it has other tables)");
      exec(std::string(kSchemaSql).c_str());
    }
    // Versions between 0 and kResultsSchemaVersion would be migrated here; there are none yet.
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void SqliteSink::prepare_statements() {
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
  insert_series_ =
      prepare("INSERT INTO series (run_id, name, sim_time_ns, value) VALUES (?, ?, ?, ?)");
  insert_node_summary_ =
      prepare("INSERT INTO node_summaries (run_id, node, name, value) VALUES (?, ?, ?, ?)");
  insert_log_ =
      prepare("INSERT INTO events_log (run_id, sim_time_ns, kind, detail) VALUES (?, ?, ?, ?)");
  update_run_end_ = prepare(
      "UPDATE runs SET status = ?, failure = ?, events = ?, sim_time_ns = ?, wall_s = ?,"
      " fingerprint = ?, finished_at = " MESHSIM_NOW_UTC " WHERE run_id = ?");
  update_run_incomplete_ =
      prepare("UPDATE runs SET status = 'incomplete', failure = ?, finished_at = " MESHSIM_NOW_UTC
              " WHERE run_id = ? AND status = 'running'");
}

sqlite3_stmt* SqliteSink::prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    fail(std::string("cannot prepare \"") + sql + "\"");
  }
  return stmt;
}

void SqliteSink::exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    std::string head(sql, std::min<size_t>(std::char_traits<char>::length(sql), 40));
    fail("cannot execute \"" + head + "\"");
  }
}

void SqliteSink::step_done(sqlite3_stmt* stmt) {
  int rc = sqlite3_step(stmt);
  if (rc != SQLITE_DONE) {
    // Keep the statement's error text before reset, then leave it reusable.
    std::string what = std::string("cannot execute \"") + sqlite3_sql(stmt) + "\"";
    std::string msg = "results database " + db_path_ + ": " + what + ": " + sqlite3_errmsg(db_);
    sqlite3_reset(stmt);
    throw std::runtime_error(msg);
  }
  sqlite3_reset(stmt);
}

void SqliteSink::on_run_start(const RunInfo& info) {
  if (in_progress_) {
    throw std::logic_error("SqliteSink::on_run_start: run " + std::to_string(run_id_) +
                           " has not ended");
  }
  const std::string host = host_name();
  step_done(begin_);
  try {
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
    int64_t id = sqlite3_last_insert_rowid(db_);

    sqlite3_bind_int64(insert_parameter_, 1, id);
    for (const auto& [key, value] : info.parameters) {
      bind_text(insert_parameter_, 2, key);
      bind_text(insert_parameter_, 3, value);
      step_done(insert_parameter_);
    }
    // Committed now, not at the end: a run killed from here on must leave a trace.
    step_done(commit_);
    run_id_ = id;
    in_progress_ = true;
  } catch (...) {
    sqlite3_step(rollback_);
    sqlite3_reset(rollback_);
    throw;
  }
}

void SqliteSink::on_sample(int64_t /*sim_time_ns*/, const Metrics& /*metrics*/) {}

void SqliteSink::on_run_end(const RunInfo& /*info*/, const RunResult& result,
                            const Metrics& metrics) {
  if (!in_progress_) throw std::logic_error("SqliteSink::on_run_end without on_run_start");
  if (result.status == RunStatus::running) {
    throw std::logic_error("SqliteSink::on_run_end: a finished run cannot be 'running'");
  }
  try {
    write_run_end(result, metrics);
  } catch (const std::exception& e) {
    // The batch rolled back; record why the results are missing rather than leave the row
    // looking like a run that may still be going.
    try {
      mark_incomplete(std::string("results could not be written: ") + e.what());
    } catch (...) {
    }
    in_progress_ = false;
    throw;
  }
  in_progress_ = false;
}

void SqliteSink::write_run_end(const RunResult& result, const Metrics& metrics) {
  // One transaction for the whole batch: one fsync instead of one per row, and a reader
  // never sees a run marked complete with half of its series.
  step_done(begin_);
  try {
    sqlite3_bind_int64(insert_scalar_, 1, run_id_);
    for (const auto& [name, value] : metrics.scalars()) {
      bind_text(insert_scalar_, 2, name);
      sqlite3_bind_double(insert_scalar_, 3, value);
      step_done(insert_scalar_);
    }
    // Bindings survive sqlite3_reset, so run id and name are bound once per series.
    sqlite3_bind_int64(insert_series_, 1, run_id_);
    for (const auto& [name, points] : metrics.series()) {
      bind_text(insert_series_, 2, name);
      for (const SeriesPoint& p : points) {
        sqlite3_bind_int64(insert_series_, 3, p.sim_time_ns);
        sqlite3_bind_double(insert_series_, 4, p.value);
        step_done(insert_series_);
      }
    }
    sqlite3_bind_int64(insert_node_summary_, 1, run_id_);
    for (const NodeSummary& s : metrics.node_summaries()) {
      sqlite3_bind_int64(insert_node_summary_, 2, s.node);
      bind_text(insert_node_summary_, 3, s.name);
      sqlite3_bind_double(insert_node_summary_, 4, s.value);
      step_done(insert_node_summary_);
    }
    sqlite3_bind_int64(insert_log_, 1, run_id_);
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
    sqlite3_bind_int64(update_run_end_, 7, run_id_);
    step_done(update_run_end_);
    if (sqlite3_changes(db_) != 1) {
      throw std::runtime_error("results database " + db_path_ + ": run " + std::to_string(run_id_) +
                               " was deleted while it ran");
    }
    step_done(commit_);
  } catch (...) {
    sqlite3_step(rollback_);
    sqlite3_reset(rollback_);
    throw;
  }
}

void SqliteSink::mark_incomplete(const std::string& why) {
  if (!in_progress_) return;
  // Cleared first: if this write fails too, the row stays 'running' with a dead pid, which
  // the read side already reports as incomplete.
  in_progress_ = false;
  bind_text_or_null(update_run_incomplete_, 1, why);
  sqlite3_bind_int64(update_run_incomplete_, 2, run_id_);
  step_done(update_run_incomplete_);  // autocommit: one statement, one transaction
}

}  // namespace meshsim
