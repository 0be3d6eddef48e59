// A read-only connection to an existing meshsim results database, and its statements:
// what `list`, `show`, `export` and `import` read through. Never creates or changes a file.
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "sink/results_db.h"

namespace meshsim::sink {

class ReadConnection;

// A prepared statement that finalizes itself and turns every error into a ResultsError.
class Query {
 public:
  Query(const ReadConnection& db, const char* sql);
  ~Query() { sqlite3_finalize(stmt_); }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& bind(int index, int64_t v) {
    sqlite3_reset(stmt_);  // so one statement serves many lookups
    sqlite3_bind_int64(stmt_, index, v);
    return *this;
  }
  bool next();  // true while there is a row
  int columns() const { return sqlite3_column_count(stmt_); }
  const char* name(int c) const { return sqlite3_column_name(stmt_, c); }
  bool is_null(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
  int type(int c) const { return sqlite3_column_type(stmt_, c); }
  int64_t i64(int c) const { return sqlite3_column_int64(stmt_, c); }
  double real(int c) const { return sqlite3_column_double(stmt_, c); }
  std::string text(int c) const;

 private:
  const ReadConnection& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class ReadConnection {
 public:
  // Throws ResultsError for a missing path, a folder, a file that is not SQLite or not a
  // meshsim database (an empty SQLite file counts as a database with no runs yet: it is
  // what a reader sees while another process is still creating the schema).
  explicit ReadConnection(const std::string& path);
  ~ReadConnection() { sqlite3_close_v2(db_); }
  ReadConnection(const ReadConnection&) = delete;
  ReadConnection& operator=(const ReadConnection&) = delete;

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  // False for an SQLite file with no schema yet: it has no runs.
  bool has_schema() const { return has_schema_; }
  [[noreturn]] void fail(const std::string& what) const;

 private:
  void open(bool immutable);
  int probe_version();  // the schema version, or -1 with the SQLite error code in probe_rc_
  void check_version(int version);

  std::string path_;
  sqlite3* db_ = nullptr;
  bool has_schema_ = true;
  int probe_rc_ = SQLITE_OK;
};

}  // namespace meshsim::sink
