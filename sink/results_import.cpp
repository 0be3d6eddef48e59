#include "sink/results_import.h"

#include <sqlite3.h>

#include <filesystem>
#include <vector>

#include "sink/read_connection.h"
#include "sink/sqlite_sink.h"
#include "sink/write_connection.h"

namespace meshsim {
namespace {

constexpr const char* kRunCopyColumns =
    "scenario_name, scenario_path, scenario_text, seed, build_id, command_line, status, failure,"
    " events, sim_time_ns, wall_s, fingerprint, started_at, finished_at, pid, host";

// A statement on the target connection that finalizes itself.
class Statement {
 public:
  Statement(sink::WriteConnection& db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) db.fail("cannot prepare");
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement& bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.c_str(), -1, SQLITE_TRANSIENT);
    return *this;
  }
  bool row() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) db_.fail("import failed");
    return false;
  }
  void run() {
    while (row()) {
    }
    sqlite3_reset(stmt_);
  }
  int64_t i64(int c) const { return sqlite3_column_int64(stmt_, c); }

 private:
  sink::WriteConnection& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec);
}

}  // namespace

std::string side_file_target(const std::string& file) {
  sink::ReadConnection side(file);
  sqlite3_stmt* stmt = nullptr;
  std::string sql = std::string("SELECT target_db FROM ") + kSideFileTable + " LIMIT 1";
  if (sqlite3_prepare_v2(side.handle(), sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) return "";  // a plain database
  std::string target;
  if (sqlite3_step(stmt) == SQLITE_ROW) target = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  return target;
}

std::string import_runs(const std::string& file, const std::string& db_path) {
  return import_runs_mapped(file, db_path).report;
}

ImportedRuns import_runs_mapped(const std::string& file, const std::string& db_path) {
  ImportedRuns result;
  if (same_file(file, db_path)) throw ResultsError(file + " and " + db_path + " are the same file");
  sink::ReadConnection source(file);  // checks it is a meshsim results database, changes nothing
  if (!source.has_schema()) {
    result.report = "no runs in " + file + "\n";
    return result;
  }
  const std::string original_target = side_file_target(file);
  int64_t original_run = 0;
  if (!original_target.empty()) {
    sink::Query q(source, (std::string("SELECT original_run_id FROM ") + kSideFileTable).c_str());
    if (q.next()) original_run = q.i64(0);
  }

  sink::WriteConnection target(db_path, {});
  // ATTACH gives SQLite's own copy of every row: no value goes through a C++ type on the
  // way, so REALs, NULLs and the seed's bit pattern arrive exactly as stored. Only read
  // from: the source file is never changed.
  {
    Statement attach(target, "ATTACH ? AS source");
    attach.bind(1, file);
    attach.run();
  }
  bool source_has_node_series = false;
  {
    sink::Query q(source, "SELECT count(*) FROM sqlite_master WHERE name = 'node_series'");
    source_has_node_series = q.next() && q.i64(0) > 0;
  }
  std::string report;
  int imported = 0, skipped = 0;
  try {
    target.transaction([&] {
      std::vector<int64_t> runs;
      {
        Statement list(target, "SELECT run_id FROM source.runs WHERE status != 'running' ORDER BY run_id");
        while (list.row()) runs.push_back(list.i64(0));
      }
      for (int64_t run : runs) {
        Statement dup(target,
                      "SELECT m.run_id FROM main.runs m JOIN source.runs s ON s.run_id = ?"
                      " WHERE m.started_at = s.started_at AND m.pid = s.pid AND m.host = s.host AND"
                      " m.scenario_name = s.scenario_name AND m.seed = s.seed AND m.fingerprint IS s.fingerprint");
        dup.bind(1, run);
        if (dup.row()) {
          report += "  run " + std::to_string(run) + " is already run " + std::to_string(dup.i64(0)) + " of " + db_path + "; skipped\n";
          result.run_ids[run] = dup.i64(0);
          ++skipped;
          continue;
        }
        Statement copy(target, std::string("INSERT INTO main.runs (") + kRunCopyColumns + ") SELECT " + kRunCopyColumns +
                                   " FROM source.runs WHERE run_id = ?");
        copy.bind(1, run).run();
        int64_t id = sqlite3_last_insert_rowid(target.handle());
        for (const char* table_columns : {"parameters (run_id, key, value) SELECT ?2, key, value",
                                          "scalars (run_id, name, value) SELECT ?2, name, value",
                                          "series (run_id, name, sim_time_ns, value) SELECT ?2, name, sim_time_ns, value",
                                          "node_summaries (run_id, node, name, value) SELECT ?2, node, name, value",
                                          "events_log (run_id, sim_time_ns, kind, detail) SELECT ?2, sim_time_ns, kind, detail",
                                          "node_series (run_id, node, name, sim_time_ns, value) SELECT ?2, node, name, sim_time_ns, value"}) {
          std::string spec = table_columns;
          std::string table = spec.substr(0, spec.find(' '));
          if (table == "node_series" && !source_has_node_series) continue;  // a version-1 source
          Statement rows(target, "INSERT INTO main." + spec + " FROM source." + table + " WHERE run_id = ?1 ORDER BY rowid");
          rows.bind(1, run).bind(2, id).run();
        }
        report += "  run " + std::to_string(run) + " of " + file + " -> run " + std::to_string(id) + "\n";
        result.run_ids[run] = id;
        ++imported;
        if (original_run > 0 && same_file(original_target, db_path)) {
          Statement note(target,
                         "UPDATE main.runs SET failure = coalesce(failure, '') || '; results imported as run ' || ?1"
                         " WHERE run_id = ?2 AND status IN ('incomplete', 'running')");
          note.bind(1, id).bind(2, original_run).run();
        }
      }
    });
  } catch (...) {
    sqlite3_exec(target.handle(), "DETACH source", nullptr, nullptr, nullptr);
    throw;
  }
  sqlite3_exec(target.handle(), "DETACH source", nullptr, nullptr, nullptr);
  result.report = "imported " + std::to_string(imported) + " run(s) into " + db_path +
                  (skipped ? ", skipped " + std::to_string(skipped) + " already there" : "") + "\n" + report;
  return result;
}

}  // namespace meshsim
