#include "sink/sweeps.h"

#include <sqlite3.h>

#include <memory>
#include <sstream>

#include "sim/time.h"
#include "sink/read_connection.h"
#include "sink/results_db.h"

namespace meshsim::sink {

namespace {

// A statement on a write connection that finalizes itself; errors go through fail().
class Statement {
 public:
  Statement(WriteConnection& db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db.handle(), sql, -1, &stmt_, nullptr) != SQLITE_OK)
      db.fail(std::string("cannot prepare: ") + sqlite3_errmsg(db.handle()));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& text(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& integer(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& null(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  void run() {
    if (sqlite3_step(stmt_) != SQLITE_DONE) db_.fail(std::string("cannot write: ") + sqlite3_errmsg(db_.handle()));
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

 private:
  WriteConnection& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

std::string joined_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

bool failed_verdict(const std::string& verdict) { return verdict != "ok"; }

constexpr const char* kSweepColumns =
    "SELECT sweep_id, command, label, scenario_path, sets, seeds, command_line, build_id, status, runs_planned,"
    " coalesce(runs_failed, 0), started_at, coalesce(finished_at, '') FROM sweeps ";

SweepRow sweep_from_row(const Query& q) {
  SweepRow s;
  s.sweep_id = q.i64(0);
  s.command = q.text(1);
  s.label = q.text(2);
  s.scenario_path = q.text(3);
  s.sets = q.text(4);
  s.seeds = q.text(5);
  s.command_line = q.text(6);
  s.build_id = q.text(7);
  s.status = q.text(8);
  s.runs_planned = q.i64(9);
  s.runs_failed = q.i64(10);
  s.started_at = q.text(11);
  s.finished_at = q.text(12);
  return s;
}

void read_sweep_runs(const ReadConnection& db, SweepRow& s) {
  Query q(db, "SELECT seed, coalesce(run_id, 0), verdict, coalesce(error, '') FROM sweep_runs WHERE sweep_id = ? ORDER BY rowid");
  q.bind(1, s.sweep_id);
  while (q.next()) s.runs.push_back({static_cast<uint64_t>(q.i64(0)), q.i64(1), q.text(2), q.text(3)});
}

// A database older than version 5 has no sweeps: say so rather than "no such table".
void require_sweeps(const ReadConnection& db) {
  Query q(db, "SELECT count(*) FROM sqlite_master WHERE name = 'sweeps'");
  if (!q.next() || q.i64(0) == 0)
    throw ResultsError(db.path() + ": no sweeps recorded (the database predates schema version 5; run a sweep to migrate it)");
}

}  // namespace

int64_t begin_sweep(const std::string& db, const SweepStart& sweep, const WriteOptions& options) {
  WriteConnection conn(db, options);
  int64_t id = 0;
  conn.transaction([&] {
    Statement insert(conn,
                     "INSERT INTO sweeps (command, label, scenario_path, sets, seeds, command_line, build_id, runs_planned,"
                     " started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
    insert.text(1, sweep.command).text(2, sweep.label).text(3, sweep.scenario_path).text(4, joined_lines(sweep.sets));
    insert.text(5, sweep.seeds).text(6, sweep.command_line).text(7, sweep.build_id).integer(8, sweep.runs_planned);
    insert.run();
    id = sqlite3_last_insert_rowid(conn.handle());
  });
  return id;
}

void end_sweep(const std::string& db, int64_t sweep_id, const std::string& status, const std::vector<SweepRunRow>& runs,
               const WriteOptions& options) {
  WriteConnection conn(db, options);
  conn.transaction([&] {
    Statement insert(conn, "INSERT INTO sweep_runs (sweep_id, seed, run_id, verdict, error) VALUES (?, ?, ?, ?, ?)");
    int64_t failed = 0;
    for (const SweepRunRow& r : runs) {
      insert.integer(1, sweep_id).integer(2, static_cast<int64_t>(r.seed)).text(4, r.verdict);
      if (r.run_id > 0) insert.integer(3, r.run_id);
      else insert.null(3);
      if (r.error.empty()) insert.null(5);
      else insert.text(5, r.error);
      insert.run();
      if (failed_verdict(r.verdict)) ++failed;
    }
    Statement update(conn,
                     "UPDATE sweeps SET status = ?, runs_failed = ?, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
                     " WHERE sweep_id = ?");
    update.text(1, status).integer(2, failed).integer(3, sweep_id).run();
  });
}

SweepRow read_sweep(const std::string& db_path, int64_t sweep_id) {
  ReadConnection db(db_path);
  if (!db.has_schema()) throw ResultsError(db_path + ": no sweeps recorded yet");
  require_sweeps(db);
  std::string sql = std::string(kSweepColumns) + (sweep_id > 0 ? "WHERE sweep_id = ?" : "ORDER BY sweep_id DESC LIMIT 1");
  Query q(db, sql.c_str());
  if (sweep_id > 0) q.bind(1, sweep_id);
  if (!q.next())
    throw ResultsError(db_path + ": " + (sweep_id > 0 ? "no sweep " + std::to_string(sweep_id) : std::string("no sweeps recorded yet")) +
                       " (meshsim show --sweep 0 shows the newest)");
  SweepRow s = sweep_from_row(q);
  read_sweep_runs(db, s);
  return s;
}

std::vector<SweepRow> read_sweeps(const std::string& db_path, int limit) {
  ReadConnection db(db_path);
  std::vector<SweepRow> out;
  if (!db.has_schema()) return out;
  require_sweeps(db);
  std::string sql = std::string(kSweepColumns) + "ORDER BY sweep_id DESC LIMIT ?";
  Query q(db, sql.c_str());
  q.bind(1, limit > 0 ? limit : -1);
  while (q.next()) out.push_back(sweep_from_row(q));
  return out;
}

RunSamples read_run_samples(const std::string& db_path, const std::vector<int64_t>& run_ids) {
  ReadConnection db(db_path);
  RunSamples out;
  out.scalars.resize(run_ids.size());
  Query scalars(db, "SELECT name, value FROM scalars WHERE run_id = ? AND value IS NOT NULL");
  Query series(db, "SELECT name, sim_time_ns, value FROM series WHERE run_id = ? AND value IS NOT NULL ORDER BY name, sim_time_ns");
  for (size_t i = 0; i < run_ids.size(); ++i) {
    scalars.bind(1, run_ids[i]);
    while (scalars.next()) out.scalars[i][scalars.text(0)] = scalars.real(1);
    series.bind(1, run_ids[i]);
    while (series.next()) {
      auto& runs = out.series[series.text(0)];
      runs.resize(run_ids.size());
      runs[i].emplace_back(series.i64(1), series.real(2));
    }
  }
  // Faults are logged by the engine under plain kinds (crash, partition, ...); protocol
  // notes carry their module's prefix ("raft.leader").
  Query log(db, "SELECT sim_time_ns, kind, detail FROM events_log WHERE run_id = ? AND instr(kind, '.') = 0"
                " AND kind <> 'violation' ORDER BY sim_time_ns, rowid");
  out.faults.resize(run_ids.size());
  for (size_t i = 0; i < run_ids.size(); ++i) {
    log.bind(1, run_ids[i]);
    while (log.next()) out.faults[i].push_back({log.i64(0), log.text(1), log.text(2)});
  }
  return out;
}

std::string show_sweep(const std::string& db_path, int64_t sweep_id) {
  SweepRow s = read_sweep(db_path, sweep_id);
  std::ostringstream out;
  out << "sweep " << s.sweep_id << " in " << db_path << "\n";
  out << "  command      " << s.command << " (" << s.label << ")\n";
  out << "  scenario     " << s.scenario_path << "\n";
  if (!s.sets.empty()) out << "  sets         " << s.sets << "\n";
  out << "  seeds        " << s.seeds << " (" << s.runs_planned << " planned)\n";
  out << "  status       " << s.status << ", " << s.runs_failed << " not ok\n";
  out << "  build        " << s.build_id << "\n";
  out << "  started      " << s.started_at << (s.finished_at.empty() ? "" : ", finished " + s.finished_at) << "\n";
  out << "  command line " << s.command_line << "\n";
  out << "  runs (seed: verdict run id)\n";
  for (const SweepRunRow& r : s.runs) {
    out << "    " << r.seed << ": " << r.verdict;
    if (r.run_id > 0) out << "  run " << r.run_id;
    if (!r.error.empty()) out << "  " << r.error;
    out << "\n";
  }
  return out.str();
}

}  // namespace meshsim::sink
