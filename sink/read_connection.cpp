#include "sink/read_connection.h"

#include <unistd.h>

#include <filesystem>

#include "sink/sqlite_sink.h"

namespace meshsim::sink {
namespace {

// Long enough to wait out a writer's checkpoint; reads never hold locks for long.
constexpr int kBusyTimeoutMs = 10'000;

// SQLite's URI form with every reserved character escaped, so any path works.
std::string file_uri(const std::string& path, bool immutable) {
  std::string uri = "file:";
  std::string absolute = std::filesystem::absolute(path).string();
  for (unsigned char c : absolute) {
    if (c == '?' || c == '#' || c == '%' || c < 0x21 || c >= 0x7f) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      uri += buf;
    } else {
      uri += static_cast<char>(c);
    }
  }
  uri += immutable ? "?mode=ro&immutable=1" : "?mode=ro";
  return uri;
}

bool is_readonly_failure(int rc) {
  int primary = rc & 0xff;
  return primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN;
}

}  // namespace

std::string Query::text(int c) const {
  const unsigned char* p = sqlite3_column_text(stmt_, c);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, c)))
           : std::string();
}

Query::Query(const ReadConnection& db, const char* sql) : db_(db) {
  if (sqlite3_prepare_v2(db.handle(), sql, -1, &stmt_, nullptr) != SQLITE_OK) {
    db.fail("cannot read");  // also what a non-SQLite file produces: "file is not a database"
  }
}

bool Query::next() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) db_.fail("cannot read");
  return false;
}

ReadConnection::ReadConnection(const std::string& path) : path_(path) {
  std::error_code ec;
  // Checked before SQLite sees the path so the message is plain, and so that nothing is
  // created even by accident.
  if (!std::filesystem::exists(path, ec)) throw ResultsError("no results database at " + path);
  if (std::filesystem::is_directory(path, ec)) throw ResultsError(path + " is a directory, not a results database");
  try {
    open(false);
    int version = probe_version();
    // A WAL database needs its -shm index even to be read. In a folder we cannot write,
    // with no -shm there, SQLite cannot make one and refuses ("attempt to write a
    // readonly database"). No writer can be at work on such a file either (it would have
    // made the -shm), so it is read as immutable, without locks.
    if (version < 0 && is_readonly_failure(probe_rc_)) {
      sqlite3_close_v2(db_);
      db_ = nullptr;
      open(true);
      version = probe_version();
    }
    if (version < 0) fail("cannot read");
    check_version(version);
  } catch (...) {
    sqlite3_close_v2(db_);  // the destructor does not run when the constructor throws
    db_ = nullptr;
    throw;
  }
}

void ReadConnection::open(bool immutable) {
  std::string uri = file_uri(path_, immutable);
  if (sqlite3_open_v2(uri.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) != SQLITE_OK) fail("cannot open");
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
}

int ReadConnection::probe_version() {
  sqlite3_stmt* stmt = nullptr;
  probe_rc_ = sqlite3_prepare_v2(db_, "PRAGMA user_version", -1, &stmt, nullptr);
  int version = -1;
  if (probe_rc_ == SQLITE_OK) {
    probe_rc_ = sqlite3_step(stmt);
    if (probe_rc_ == SQLITE_ROW) {
      version = sqlite3_column_int(stmt, 0);
      probe_rc_ = SQLITE_OK;
    }
  }
  sqlite3_finalize(stmt);
  return version;
}

void ReadConnection::check_version(int version) {
  if (version == 0) {
    // Looked at again with the tables in one statement (one read transaction): a writer
    // may have committed the schema since the first look.
    Query both(*this,
               "SELECT (SELECT user_version FROM pragma_user_version),"
               " (SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%')");
    both.next();
    version = static_cast<int>(both.i64(0));
    if (version == 0 && both.i64(1) > 0) throw ResultsError(path_ + " is not a meshsim results database");
    has_schema_ = version != 0;
  }
  if (version > kResultsSchemaVersion) {
    throw ResultsError(path_ + " has schema version " + std::to_string(version) + ", newer than this meshsim (" +
                       std::to_string(kResultsSchemaVersion) + ")");
  }
}

void ReadConnection::fail(const std::string& what) const {
  std::string msg = "results database " + path_ + ": " + what;
  if (db_) msg += std::string(": ") + sqlite3_errmsg(db_);
  throw ResultsError(msg);
}

}  // namespace meshsim::sink
