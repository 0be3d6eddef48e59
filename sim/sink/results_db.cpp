#include "sim/sink/results_db.h"

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/sink/sqlite_sink.h"

namespace meshsim {
namespace {

// Long enough to wait out a writer's checkpoint; reads never hold locks for long.
constexpr int kBusyTimeoutMs = 10'000;
// `show` is for a terminal; the full log is one `export` away.
constexpr int kShowLogLimit = 200;

class Db;

// A prepared statement that finalizes itself and turns every error into a ResultsError.
class Query {
 public:
  Query(const Db& db, const char* sql);
  ~Query() { sqlite3_finalize(stmt_); }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& bind(int index, int64_t v) {
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
  std::string text(int c) const {
    const unsigned char* p = sqlite3_column_text(stmt_, c);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, c)))
             : std::string();
  }

 private:
  const Db& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// A read-only connection to an existing meshsim results database.
class Db {
 public:
  explicit Db(const std::string& path) : path_(path) {
    std::error_code ec;
    // Checked before SQLite sees the path so the message is plain, and so that nothing is
    // created even by accident.
    if (!std::filesystem::exists(path, ec)) fail_plain("no results database at " + path);
    if (std::filesystem::is_directory(path, ec))
      fail_plain(path + " is a directory, not a results database");
    try {
      if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        fail("cannot open");
      }
      sqlite3_busy_timeout(db_, kBusyTimeoutMs);
      check_version();
    } catch (...) {
      sqlite3_close_v2(db_);  // the destructor does not run when the constructor throws
      throw;
    }
  }
  ~Db() { sqlite3_close_v2(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  [[noreturn]] void fail(const std::string& what) const {
    std::string msg = "results database " + path_ + ": " + what;
    if (db_) msg += std::string(": ") + sqlite3_errmsg(db_);
    throw ResultsError(msg);
  }
  [[noreturn]] static void fail_plain(const std::string& msg) { throw ResultsError(msg); }

 private:
  void check_version() const;

  std::string path_;
  sqlite3* db_ = nullptr;
};

Query::Query(const Db& db, const char* sql) : db_(db) {
  if (sqlite3_prepare_v2(db.handle(), sql, -1, &stmt_, nullptr) != SQLITE_OK) {
    db.fail("cannot read");  // also what a non-SQLite file produces: "file is not a database"
  }
}

void Db::check_version() const {
  Query version(*this, "PRAGMA user_version");
  int v = version.next() ? static_cast<int>(version.i64(0)) : 0;
  if (v == 0) fail_plain(path_ + " is not a meshsim results database");
  if (v > kResultsSchemaVersion) {
    fail_plain(path_ + " has schema version " + std::to_string(v) + ", newer than this meshsim (" +
               std::to_string(kResultsSchemaVersion) + ")");
  }
}

bool Query::next() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) db_.fail("cannot read");
  return false;
}

// Every column of runs, in the order run_from_row and run.csv expect.
constexpr const char* kRunColumns =
    "SELECT run_id, scenario_name, scenario_path, scenario_text, seed, build_id, command_line,"
    " status, failure, events, sim_time_ns, wall_s, fingerprint, started_at, finished_at, pid,"
    " host FROM runs";

RunRow run_from_row(const Query& q) {
  RunRow r;
  r.run_id = q.i64(0);
  r.scenario_name = q.text(1);
  r.scenario_path = q.text(2);
  r.scenario_text = q.text(3);
  r.seed = static_cast<uint64_t>(q.i64(4));
  r.build_id = q.text(5);
  r.command_line = q.text(6);
  r.status = q.text(7);
  r.failure = q.text(8);
  if (!q.is_null(9)) r.events = q.i64(9);
  if (!q.is_null(10)) r.sim_time_ns = q.i64(10);
  if (!q.is_null(11)) r.wall_s = q.real(11);
  r.fingerprint = q.text(12);
  r.started_at = q.text(13);
  r.finished_at = q.text(14);
  r.pid = q.i64(15);
  r.host = q.text(16);
  r.shown_status = shown_status(r.status, r.pid, r.host);
  return r;
}

std::string this_host() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

bool process_alive(int64_t pid) {
  if (pid <= 0 || pid > INT_MAX) return false;
  // Signal 0 checks existence only; EPERM means it exists but belongs to someone else.
  return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

std::string format_real(double v, int digits) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

// Human-scale simulated time: "30.000s", "1.500ms", "750ns".
std::string format_sim_time(int64_t ns) {
  char buf[40];
  double a = static_cast<double>(ns < 0 ? -ns : ns);
  if (a >= 1e9) {
    std::snprintf(buf, sizeof buf, "%.3fs", static_cast<double>(ns) / 1e9);
  } else if (a >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.3fms", static_cast<double>(ns) / 1e6);
  } else if (a >= 1e3) {
    std::snprintf(buf, sizeof buf, "%.3fus", static_cast<double>(ns) / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%" PRId64 "ns", ns);
  }
  return buf;
}

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

// Columns padded to their widest cell; numeric columns (right[c]) aligned right.
std::string format_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows,
                         const std::vector<bool>& right, const std::string& indent = "") {
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line = indent;
    for (size_t c = 0; c < row.size(); ++c) {
      std::string pad(width[c] - row[c].size(), ' ');
      line += right[c] ? pad + row[c] : row[c] + (c + 1 < row.size() ? pad : "");
      if (c + 1 < row.size()) line += "  ";
    }
    out += line + "\n";
  };
  emit(header);
  for (const auto& row : rows) emit(row);
  return out;
}

// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
// Leading or trailing spaces are quoted too, since some readers strip them otherwise.
std::string csv_field(const std::string& s) {
  bool quote = s.find_first_of(",\"\r\n") != std::string::npos ||
               (!s.empty() && (s.front() == ' ' || s.back() == ' '));
  if (!quote) return s;
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

// Writes every row of `q` to dir/file with a header of the column names. REALs use 17
// significant digits so that a value read back from the CSV equals the stored double.
void write_csv(Query& q, const std::filesystem::path& dir, const char* file) {
  std::filesystem::path path = dir / file;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw ResultsError("cannot write " + path.string() + ": " + std::strerror(errno));
  for (int c = 0; c < q.columns(); ++c) out << (c ? "," : "") << csv_field(q.name(c));
  out << "\n";
  while (q.next()) {
    for (int c = 0; c < q.columns(); ++c) {
      if (c) out << ",";
      switch (q.type(c)) {
        case SQLITE_NULL: break;
        case SQLITE_INTEGER: out << q.i64(c); break;
        case SQLITE_FLOAT: out << format_real(q.real(c), 17); break;
        default: out << csv_field(q.text(c)); break;
      }
    }
    out << "\n";
  }
  out.flush();
  if (!out) throw ResultsError("cannot write " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

std::string shown_status(const std::string& stored_status, int64_t pid, const std::string& host) {
  if (stored_status != "running") return stored_status;
  if (host == this_host() && !process_alive(pid)) return "incomplete";
  return stored_status;
}

namespace {

std::vector<RunRow> read_runs(const Db& db, int limit) {
  std::string sql = std::string(kRunColumns) + " ORDER BY run_id DESC LIMIT ?";
  Query q(db, sql.c_str());
  q.bind(1, limit > 0 ? limit : -1);  // a negative LIMIT means no limit in SQLite
  std::vector<RunRow> runs;
  while (q.next()) runs.push_back(run_from_row(q));
  return runs;
}

RunRow read_run(const Db& db, int64_t run_id) {
  std::string sql = std::string(kRunColumns) + " WHERE run_id = ?";
  Query q(db, sql.c_str());
  q.bind(1, run_id);
  if (!q.next()) throw ResultsError("no run " + std::to_string(run_id) + " in " + db.path());
  return run_from_row(q);
}

}  // namespace

std::vector<RunRow> read_runs(const std::string& db_path, int limit) {
  return read_runs(Db(db_path), limit);
}

RunRow read_run(const std::string& db_path, int64_t run_id) {
  return read_run(Db(db_path), run_id);
}

std::string list_runs(const std::string& db_path, int limit) {
  Db db(db_path);
  std::vector<RunRow> runs = read_runs(db, limit);
  if (runs.empty()) return "no runs in " + db_path + "\n";
  std::vector<std::vector<std::string>> rows;
  for (const RunRow& r : runs) {
    rows.push_back({std::to_string(r.run_id), r.scenario_name, std::to_string(r.seed),
                    r.shown_status, r.events ? std::to_string(*r.events) : "-",
                    r.sim_time_ns ? format_sim_time(*r.sim_time_ns) : "-",
                    r.wall_s ? format_real(*r.wall_s, 3) : "-", or_dash(r.fingerprint)});
  }
  std::string out = format_table(
      {"id", "scenario", "seed", "status", "events", "sim time", "wall s", "fingerprint"}, rows,
      {true, false, true, false, true, true, true, false});
  Query count(db, "SELECT count(*) FROM runs");
  int64_t total = count.next() ? count.i64(0) : 0;
  if (total > static_cast<int64_t>(runs.size())) {
    out +=
        "(the " + std::to_string(runs.size()) + " newest of " + std::to_string(total) + " runs)\n";
  }
  return out;
}

std::string show_run(const std::string& db_path, int64_t run_id) {
  Db db(db_path);
  RunRow r = read_run(db, run_id);
  std::ostringstream out;
  std::string status = r.shown_status;
  if (status != r.status)
    status += " (stored as 'running', but process " + std::to_string(r.pid) + " is gone)";
  size_t scenario_lines =
      static_cast<size_t>(std::count(r.scenario_text.begin(), r.scenario_text.end(), '\n'));
  out << "run " << r.run_id << "\n"
      << "  scenario     " << r.scenario_name << " (" << r.scenario_path << ", " << scenario_lines
      << " lines stored)\n"
      << "  seed         " << r.seed << "\n"
      << "  status       " << status << "\n"
      << "  failure      " << or_dash(r.failure) << "\n"
      << "  events       " << (r.events ? std::to_string(*r.events) : "-") << "\n"
      << "  sim time     "
      << (r.sim_time_ns
              ? format_sim_time(*r.sim_time_ns) + " (" + std::to_string(*r.sim_time_ns) + " ns)"
              : "-")
      << "\n"
      << "  wall         " << (r.wall_s ? format_real(*r.wall_s, 4) + " s" : "-") << "\n"
      << "  fingerprint  " << or_dash(r.fingerprint) << "\n"
      << "  started      " << r.started_at << "\n"
      << "  finished     " << or_dash(r.finished_at) << "\n"
      << "  process      pid " << r.pid << " on " << r.host << "\n"
      << "  build        " << r.build_id << "\n"
      << "  command      " << r.command_line << "\n";

  auto section = [&](const char* title, const char* sql, const std::vector<std::string>& header,
                     const std::vector<bool>& right, auto&& row_of) {
    Query q(db, sql);
    q.bind(1, run_id);
    std::vector<std::vector<std::string>> rows;
    while (q.next()) rows.push_back(row_of(q));
    out << title << " (" << rows.size() << ")\n";
    if (!rows.empty()) out << format_table(header, rows, right, "  ");
  };
  section("parameters", "SELECT key, value FROM parameters WHERE run_id = ? ORDER BY rowid",
          {"key", "value"}, {false, false}, [](const Query& q) {
            return std::vector<std::string>{q.text(0), q.text(1)};
          });
  section("scalars", "SELECT name, value FROM scalars WHERE run_id = ? ORDER BY name",
          {"name", "value"}, {false, true}, [](const Query& q) {
            return std::vector<std::string>{q.text(0),
                                            q.is_null(1) ? "NaN" : format_real(q.real(1), 10)};
          });
  section("series",
          "SELECT name, count(*), min(sim_time_ns), max(sim_time_ns), min(value), max(value)"
          " FROM series WHERE run_id = ? GROUP BY name ORDER BY name",
          {"name", "points", "from", "to", "min", "max"}, {false, true, true, true, true, true},
          [](const Query& q) {
            return std::vector<std::string>{q.text(0),
                                            std::to_string(q.i64(1)),
                                            format_sim_time(q.i64(2)),
                                            format_sim_time(q.i64(3)),
                                            format_real(q.real(4), 6),
                                            format_real(q.real(5), 6)};
          });
  section("node summaries",
          "SELECT name, count(*), min(value), avg(value), max(value)"
          " FROM node_summaries WHERE run_id = ? GROUP BY name ORDER BY name",
          {"name", "nodes", "min", "mean", "max"}, {false, true, true, true, true},
          [](const Query& q) {
            return std::vector<std::string>{q.text(0), std::to_string(q.i64(1)),
                                            format_real(q.real(2), 6), format_real(q.real(3), 6),
                                            format_real(q.real(4), 6)};
          });

  Query count(db, "SELECT count(*) FROM events_log WHERE run_id = ?");
  count.bind(1, run_id);
  int64_t total = count.next() ? count.i64(0) : 0;
  std::string sql =
      "SELECT sim_time_ns, kind, detail FROM events_log WHERE run_id = ?"
      " ORDER BY sim_time_ns, rowid LIMIT " +
      std::to_string(kShowLogLimit);
  section("log", sql.c_str(), {"time", "kind", "detail"}, {true, false, false}, [](const Query& q) {
    return std::vector<std::string>{format_sim_time(q.i64(0)), q.text(1), q.text(2)};
  });
  if (total > kShowLogLimit) {
    out << "  ... " << (total - kShowLogLimit) << " more of " << total
        << " entries; `meshsim export " << run_id << " --csv DIR` writes them all\n";
  }
  return out.str();
}

void export_run_csv(const std::string& db_path, int64_t run_id, const std::string& dir) {
  Db db(db_path);
  read_run(db, run_id);  // an unknown run is an error, not six empty files
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw ResultsError("export directory " + dir + " does not exist (create it first)");
  }
  struct Export {
    const char* file;
    const char* sql;
  };
  // printf('%llu') shows the seed as the unsigned number the user typed.
  const Export exports[] = {
      {"run.csv",
       "SELECT run_id, scenario_name, scenario_path, printf('%llu', seed) AS seed, build_id,"
       " command_line, status, failure, events, sim_time_ns, wall_s, fingerprint, started_at,"
       " finished_at, pid, host, scenario_text FROM runs WHERE run_id = ?"},
      {"parameters.csv",
       "SELECT run_id, key, value FROM parameters WHERE run_id = ? ORDER BY rowid"},
      {"scalars.csv", "SELECT run_id, name, value FROM scalars WHERE run_id = ? ORDER BY name"},
      {"series.csv",
       "SELECT run_id, name, sim_time_ns, value FROM series WHERE run_id = ?"
       " ORDER BY name, sim_time_ns, rowid"},
      {"node_summaries.csv",
       "SELECT run_id, node, name, value FROM node_summaries WHERE run_id = ? ORDER BY name, node"},
      {"events_log.csv",
       "SELECT run_id, sim_time_ns, kind, detail FROM events_log WHERE run_id = ?"
       " ORDER BY sim_time_ns, rowid"},
  };
  for (const Export& e : exports) {
    Query q(db, e.sql);
    q.bind(1, run_id);
    write_csv(q, dir, e.file);
  }
}

}  // namespace meshsim
