#include "app/trace_command.h"

#include <algorithm>
#include <iostream>

#include "app/atomic_file.h"
#include "sim/errors.h"
#include "sink/read_connection.h"
#include "sink/results_db.h"

namespace meshsim::cli {

std::vector<TraceRow> read_trace(const std::string& db_path, int64_t run_id) {
  const RunRow run = read_run(db_path, run_id);  // an unknown run is an error of its own
  sink::ReadConnection db(db_path);
  std::vector<TraceRow> rows;
  // A database written before traces existed (schema 3, opened read-only) has no table.
  sink::Query has_table(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'trace'");
  const bool traced = has_table.next() && has_table.i64(0) > 0;
  sink::Query q(db, traced ? "SELECT sim_time_ns, event, node, peer, module, type, message_id, sent_ns, detail FROM trace"
                             " WHERE run_id = ? ORDER BY seq"
                           : "SELECT 0, '', 0, 0, '', '', 0, 0, '' WHERE 0 AND ? IS NULL");
  q.bind(1, run_id);
  while (q.next()) {
    TraceRow r;
    r.sim_time_ns = q.i64(0);
    r.event = q.text(1);
    r.node = q.is_null(2) ? -1 : q.i64(2);
    r.peer = q.is_null(3) ? -1 : q.i64(3);
    r.module = q.text(4);
    r.type = q.text(5);
    r.message_id = q.is_null(6) ? 0 : static_cast<uint64_t>(q.i64(6));
    r.sent_ns = q.is_null(7) ? -1 : q.i64(7);
    r.detail = q.text(8);
    rows.push_back(std::move(r));
  }
  if (rows.empty())
    throw ScenarioError("run " + std::to_string(run_id) + " has no trace: record one with\n  " + run.command_line +
                        " --trace all     (or a filter: --trace 'nodes=0..4 time=1s..3s')");
  return rows;
}

int export_trace(const std::string& db, int64_t run_id, const std::string& shiviz_file, const std::string& lamport_file) {
  for (const auto& [file, option] : {std::pair{shiviz_file, "--shiviz"}, std::pair{lamport_file, "--lamport"}})
    if (!file.empty()) check_report_path(file, option);
  const bool html = lamport_file.size() > 5 && lamport_file.substr(lamport_file.size() - 5) == ".html";
  const bool svg = lamport_file.size() > 4 && lamport_file.substr(lamport_file.size() - 4) == ".svg";
  if (!lamport_file.empty() && !html && !svg)
    throw ScenarioError("--lamport " + lamport_file + ": name the file .svg or .html");
  std::vector<TraceRow> rows = read_trace(db, run_id);
  const RunRow run = read_run(db, run_id);
  if (!shiviz_file.empty()) {
    write_file_atomically(shiviz_file, shiviz_log(rows));
    std::cout << "wrote the trace of run " << run_id << " (" << rows.size() << " rows) to " << shiviz_file
              << ": open https://bestchai.bitbucket.io/shiviz/ and load the file\n";
  }
  if (!lamport_file.empty()) {
    const std::string title = run.scenario_name + ", seed " + std::to_string(run.seed) + ", run " + std::to_string(run_id);
    write_file_atomically(lamport_file, html ? lamport_html(rows, title) : lamport_svg(rows, title));
    std::cout << "wrote a space-time diagram of run " << run_id << " to " << lamport_file << "\n";
  }
  return 0;
}

std::string trace_suggestion(const std::string& reproduce, int64_t violation_ns) {
  // The second before the violation, and a millisecond after: enough for an election or
  // a view change, small enough to draw.
  // Whole milliseconds, rounded outwards, so the window reads well and still holds it.
  const int64_t from_ms = std::max<int64_t>(violation_ns - 1'000'000'000, 0) / 1'000'000;
  const int64_t to_ms = (violation_ns + 1'000'000) / 1'000'000 + 1;
  return reproduce + " --trace 'time=" + std::to_string(from_ms) + "ms.." + std::to_string(to_ms) + "ms'";
}

}  // namespace meshsim::cli
