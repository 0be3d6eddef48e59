#include "app/rank_run_command.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/build_info.h"
#include "app/interrupt.h"
#include "app/json_writer.h"
#include "app/mpi/rank_transport.h"
#include "app/readable.h"
#include "sim/errors.h"
#include "sim/partitioned_run.h"
#include "sim/scenario/scenario.h"
#include "sink/sqlite_sink.h"

namespace meshsim::cli {

namespace {

void print_summary(const Scenario& sc, const PartitionedOutcome& out, double wall_s, int64_t run_id,
                   const std::string& db, const std::vector<std::pair<double, double>>& ranks) {
  const RunResult& r = out.result;
  const PartitionedRunStats& st = out.stats;
  std::ostringstream s;
  s << "meshsim run " << sc.name << " (seed " << sc.seed << ") over " << st.partitions << " ranks\n";
  s << "  status       " << to_string(r.status) << "\n";
  s << "  topology     " << sc.topology.nodes << " nodes, " << sc.topology.kind << "; " << st.cut_edges
    << " overlay edges cross ranks\n";
  s << "  simulated    " << format_readable(Duration{r.sim_time_ns}) << " in " << readable_seconds(wall_s) << " wall, "
    << readable_count(static_cast<double>(r.events)) << " events ("
    << readable_count(wall_s > 0 ? static_cast<double>(r.events) / wall_s : 0) << " events/s)\n";
  s << "  windows      " << st.windows << " of " << format_readable(Duration{st.lookahead_ns}) << " lookahead, "
    << st.remote_messages << " messages crossed ranks\n";
  s << "  per rank     ";
  for (size_t p = 0; p < st.events.size(); ++p) s << (p ? ", " : "") << readable_count(static_cast<double>(st.events[p]));
  s << " events\n";
  s << "  rank time    ";
  for (size_t p = 0; p < ranks.size(); ++p)
    s << (p ? ", " : "") << readable_seconds(ranks[p].first) << " CPU (" << readable_seconds(ranks[p].second) << " waiting)";
  s << "\n";
  s << "  fingerprint  " << hex64(r.fingerprint) << "\n";
  s << "  metrics\n";
  for (const auto& [name, value] : out.metrics.scalars())
    s << "    " << name << std::string(name.size() < 36 ? 36 - name.size() : 1, ' ') << readable_metric(name, value) << "\n";
  if (r.status == RunStatus::failed) s << "  FAILED       " << r.failure << "\n";
  if (r.status == RunStatus::interrupted) s << "  INTERRUPTED  " << r.failure << "\n";
  if (run_id > 0) s << "  results      run " << run_id << " in " << db << "   (meshsim show " << run_id << " --db " << db << ")\n";
  std::cout << s.str();
}

}  // namespace

int rank_run_command(const RunOptions& o, const ModuleRegistry& registry, mpi::Session& session) {
  // Every rank reads the same scenario and decides alike: a bad one fails on all of them
  // before any collective, so none waits for another. Rank 0 says why.
  auto refuse = [&](const std::string& why) {
    if (session.is_root()) std::cerr << "meshsim: " << why << std::endl;
    return 2;
  };
  std::unique_ptr<Scenario> scenario;
  try {
    if (!o.trace.empty()) throw ScenarioError("--trace is not supported in a run over ranks; trace it with one process");
    scenario = std::make_unique<Scenario>(load_scenario(o.scenario, o.sets, registry, o.seed));
    if (session.is_root()) prepare_db_path(o.db);
  } catch (const ScenarioError& e) {
    return refuse(e.what());
  }
  RunInfo info = run_info_of(*scenario, o.scenario,
                             "mpirun -n " + std::to_string(session.size()) + " " +
                                 reproduce_command(o.scenario, scenario->seed, o.sets));

  mpi::RankTransport transport(session);
  const auto started = std::chrono::steady_clock::now();
  PartitionedOutcome out;
  try {
    // Ctrl-C (scripts/mpirun.sh passes it to every rank) stops all ranks at one window's end.
    out = run_partitioned([&] { return resolve_run(*scenario, registry); }, transport, info, 0,
                          [] { return interrupt_signal() != 0; });
  } catch (const ScenarioError& e) {
    return refuse(e.what());
  }
  out.result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // Each rank's CPU seconds and seconds blocked in the transport, for the summary: where
  // the wall time went (work, or waiting for the slowest rank and the copies).
  const double mine[2] = {static_cast<double>(std::clock()) / CLOCKS_PER_SEC, transport.wait_seconds()};
  mpi::Bytes bytes(sizeof mine);
  std::memcpy(bytes.data(), mine, sizeof mine);
  std::vector<std::pair<double, double>> ranks;
  for (const mpi::Bytes& b : session.all_gather(bytes)) {
    double v[2];
    std::memcpy(v, b.data(), sizeof v);
    ranks.emplace_back(v[0], v[1]);
  }
  if (!out.root) return 0;

  int64_t run_id = 0;
  try {
    sink::WriteOptions db_options;
    db_options.wait_limit = std::chrono::milliseconds(static_cast<int64_t>(o.db_wait_s * 1000));
    SqliteSink sink(o.db, db_options);
    sink.on_run_start(info);
    sink.on_run_end(info, out.result, out.metrics);
    run_id = sink.results_stored() ? sink.run_id() : 0;
    if (!sink.results_stored()) std::cerr << "meshsim: results not stored in " << o.db << ": " << sink.write_error() << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "meshsim: results not stored in " << o.db << ": " << e.what() << std::endl;
  }
  if (o.json) {
    JsonObject j;
    j.field("scenario", scenario->name).number("seed", static_cast<double>(scenario->seed));
    j.field("status", to_string(out.result.status));
    j.number("ranks", out.stats.partitions).number("events", static_cast<double>(out.result.events));
    j.number("wall_s", out.result.wall_s).field("fingerprint", hex64(out.result.fingerprint));
    j.number("windows", static_cast<double>(out.stats.windows)).number("lookahead_ns", static_cast<double>(out.stats.lookahead_ns));
    j.number("remote_messages", static_cast<double>(out.stats.remote_messages));
    j.number("cut_edges", static_cast<double>(out.stats.cut_edges)).number("wait_s", out.stats.wait_seconds);
    j.number("run_id", static_cast<double>(run_id));
    for (size_t p = 0; p < ranks.size(); ++p)
      j.number("rank" + std::to_string(p) + "_cpu_s", ranks[p].first).number("rank" + std::to_string(p) + "_wait_s", ranks[p].second);
    j.raw("metrics", json_scalars(out.metrics.scalars()));
    std::cout << j.str() << std::endl;
  } else if (!o.quiet) {
    print_summary(*scenario, out, out.result.wall_s, run_id, o.db, ranks);
  }
  return exit_code_of(out.result.status);
}

}  // namespace meshsim::cli
