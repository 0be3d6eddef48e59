#include "sink/results_db.h"

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

#include "sink/read_connection.h"
#include "sim/time.h"
#include "sink/sqlite_sink.h"

namespace meshsim {
namespace {

// `show` is for a terminal; the full log is one `export` away.
constexpr int kShowLogLimit = 200;

using sink::Query;
using Db = sink::ReadConnection;

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

// Simulated time as people read it ("30 s", "1.5 ms"); CSV and SQL keep nanoseconds.
std::string format_sim_time(int64_t ns) { return format_readable(Duration{ns}); }

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

// The shape of one series in a line of block characters: its time range cut into
// kSparkBuckets equal slices, each drawn at the height of its mean value between the
// series' min and max. A slice with no sample is a space. Averaging happens in SQL, so a
// series of millions of points costs one indexed scan.
constexpr int kSparkBuckets = 40;

std::string series_sparkline(const Db& db, int64_t run_id, const std::string& name, int64_t from, int64_t to, double lo,
                             double hi) {
  static const char* const levels[] = {"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"};
  std::vector<std::string> cells(kSparkBuckets, " ");
  sqlite3_stmt* stmt = nullptr;
  const char* sql =
      "SELECT (sim_time_ns - ?3) * ?5 / (?4 - ?3 + 1) AS bucket, avg(value) FROM series"
      " WHERE run_id = ?1 AND name = ?2 GROUP BY bucket";
  if (sqlite3_prepare_v2(db.handle(), sql, -1, &stmt, nullptr) != SQLITE_OK) return "";
  sqlite3_bind_int64(stmt, 1, run_id);
  sqlite3_bind_text(stmt, 2, name.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(stmt, 3, from);
  sqlite3_bind_int64(stmt, 4, to);
  sqlite3_bind_int64(stmt, 5, kSparkBuckets);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    int64_t bucket = sqlite3_column_int64(stmt, 0);
    if (bucket < 0 || bucket >= kSparkBuckets || sqlite3_column_type(stmt, 1) == SQLITE_NULL) continue;
    double v = sqlite3_column_double(stmt, 1);
    int level = hi > lo ? static_cast<int>((v - lo) / (hi - lo) * 7.0 + 0.5) : 3;
    cells[static_cast<size_t>(bucket)] = levels[std::clamp(level, 0, 7)];
  }
  sqlite3_finalize(stmt);
  std::string line;
  for (const std::string& c : cells) line += c;
  return line;
}

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

}  // namespace

std::string shown_status(const std::string& stored_status, int64_t pid, const std::string& host) {
  if (stored_status != "running") return stored_status;
  if (host == this_host() && !process_alive(pid)) return "incomplete";
  return stored_status;
}

namespace {

std::vector<RunRow> read_runs(const Db& db, int limit) {
  if (!db.has_schema()) return {};
  std::string sql = std::string(kRunColumns) + " ORDER BY run_id DESC LIMIT ?";
  Query q(db, sql.c_str());
  q.bind(1, limit > 0 ? limit : -1);  // a negative LIMIT means no limit in SQLite
  std::vector<RunRow> runs;
  while (q.next()) runs.push_back(run_from_row(q));
  return runs;
}

RunRow read_run(const Db& db, int64_t run_id) {
  if (!db.has_schema()) throw ResultsError("no run " + std::to_string(run_id) + " in " + db.path() + " (it has no runs yet)");
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
          {"name", "points", "from", "to", "min", "max", "shape over time"}, {false, true, true, true, true, true, false},
          [&](const Query& q) {
            return std::vector<std::string>{q.text(0),
                                            std::to_string(q.i64(1)),
                                            format_sim_time(q.i64(2)),
                                            format_sim_time(q.i64(3)),
                                            format_real(q.real(4), 6),
                                            format_real(q.real(5), 6),
                                            series_sparkline(db, run_id, q.text(0), q.i64(2), q.i64(3), q.real(4), q.real(5))};
          });
  // Per-node series (schema version 2): for each series, the spread over nodes at the end,
  // and the shape of the slowest node's curve is one `export` away.
  Query has_node_series(db, "SELECT count(*) FROM sqlite_master WHERE name = 'node_series'");
  if (has_node_series.next() && has_node_series.i64(0) > 0) {
    section("per-node series (export for every point)",
            "SELECT name, count(DISTINCT node), count(*), min(value), max(value) FROM node_series"
            " WHERE run_id = ? GROUP BY name ORDER BY name",
            {"name", "nodes", "points", "min", "max"}, {false, true, true, true, true}, [](const Query& q) {
              return std::vector<std::string>{q.text(0), std::to_string(q.i64(1)), std::to_string(q.i64(2)),
                                              format_real(q.real(3), 6), format_real(q.real(4), 6)};
            });
  }
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

}  // namespace meshsim
