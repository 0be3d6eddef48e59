// The `meshsim` command: run, sweep, check, compare, baseline, diverge, shrink, list, show, export, import, protocols.
// Exit codes (README.md): 0 ok; 1 an expectation or checker failed; 2 bad input or usage;
// 3 internal error; 4 the run finished but its results went to a side file (see import);
// 5 inconclusive (a checker could not decide); 130 / 143 stopped by SIGINT / SIGTERM.
// Every exception ends here as a message and one of these codes, never as an abort.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <new>
#include <sstream>
#include <thread>

#include "app/batch_commands.h"
#include "app/baseline_command.h"
#include "app/build_info.h"
#include "app/compare_command.h"
#include "app/diverge_command.h"
#include "app/interrupt.h"
#include "app/mpi/mpi_session.h"
#include "app/protocols_command.h"
#include "app/rank_run_command.h"
#include "app/run_command.h"
#include "app/shrink_command.h"
#include "app/trace_command.h"
#include "protocols/registry.h"
#include "sim/scenario/config_section.h"
#include "sink/results_db.h"
#include "sink/results_import.h"
#include "sink/sweeps.h"
#include "viz/view_command.h"

using namespace meshsim;

namespace {

int import_command(const std::string& file, std::string db) {
  if (db.empty()) db = side_file_target(file);
  if (db.empty()) db = "results/meshsim.db";
  cli::prepare_db_path(db);
  std::cout << import_runs(file, db);
  return 0;
}

// An exception that reached main on one rank: the other ranks may be waiting for this one
// in a collective, so the whole job ends here with the code (after the message above).
int ended_alone(mpi::Session& session, int code) {
  if (session.active()) session.abort(code);
  return code;
}

}  // namespace

// Every rank of an MPI job runs this (app/mpi/README.md). A rank that fails on its own
// (an exception) ends the whole job through session.abort, so no other rank waits for it
// forever; failures every rank sees alike (bad input) are decided together and return.
int meshsim_main(int argc, char** argv, mpi::Session& session) try {
  CLI::App app{"meshsim — deterministic discrete-event simulator for peer-to-peer meshes"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("meshsim ") + cli::build_id(), "Print the build id (git describe, compiler, build type) and exit");
  ModuleRegistry registry;
  register_builtin_protocols(registry);

  cli::RunOptions run;
  double db_wait_s = run.db_wait_s;
  auto add_run_options = [&](CLI::App* cmd, bool with_seed) {
    if (with_seed) cmd->add_option("--seed", run.seed, "Seed for this run (overrides run.seed)");
    cmd->add_option("--db", run.db, "Results database (SQLite)")->capture_default_str();
    cmd->add_option("--set", run.sets, "Override a scenario value: --set protocol.fanout=4 (repeatable)");
    cmd->add_option("--db-wait", db_wait_s,
                    "Seconds to wait for a database another process is writing, before saving results aside")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 86400.0 * 7));
  };
  CLI::App* run_cmd = app.add_subcommand("run", "Run one scenario and store its results");
  run_cmd->add_option("scenario", run.scenario, "Scenario file (TOML)")->required();
  add_run_options(run_cmd, true);
  run_cmd->add_flag("--json", run.json, "Print one JSON object instead of the summary");
  run_cmd->add_option("--trace", run.trace,
                      "Record the run's messages and protocol notes in the database: all, or filters like "
                      "'nodes=0..4 time=1s..3s types=RequestVote,VoteReply max=100000'");
  run_cmd->add_flag("!--no-progress,!--quiet", run.progress, "Show no progress on stderr");

  std::string seeds = "1..10";
  unsigned threads = cli::default_threads();
  CLI::App* sweep_cmd = app.add_subcommand("sweep", "Run one scenario over many seeds in parallel");
  sweep_cmd->add_option("scenario", run.scenario, "Scenario file (TOML)")->required();
  sweep_cmd->add_option("--seeds", seeds, "Seeds: 1..100, or 3,5,9")->capture_default_str();
  sweep_cmd->add_option("--threads", threads, "Parallel runs")->capture_default_str();
  add_run_options(sweep_cmd, false);
  cli::BatchOptions batch;
  auto add_batch_options = [&](CLI::App* cmd) {
    cmd->add_flag("--json", batch.json, "Print one JSON object (every run and the counts) instead of the summary");
    cmd->add_option("--junit", batch.junit, "Write a JUnit XML report for CI to FILE (one test case per scenario and seed)");
  };
  add_batch_options(sweep_cmd);

  std::string folder;
  CLI::App* check_cmd = app.add_subcommand("check", "Run every scenario in a folder and check its [expect]");
  check_cmd->add_option("folder", folder, "Folder of scenarios")->required();
  check_cmd->add_option("--threads", threads, "Parallel runs")->capture_default_str();
  add_run_options(check_cmd, false);
  add_batch_options(check_cmd);

  std::string db = "results/meshsim.db";
  int limit = 20;
  int64_t run_id = 0;
  std::string csv_dir;
  CLI::App* list_cmd = app.add_subcommand("list", "List runs in a results database");
  list_cmd->add_option("--db", db, "Results database")->capture_default_str();
  list_cmd->add_option("--limit", limit, "Most recent N runs")->capture_default_str();
  CLI::App* show_cmd = app.add_subcommand("show", "Show one run: parameters, metrics, event log");
  int64_t sweep_id = -1;
  show_cmd->add_option("run", run_id, "Run id");
  show_cmd->add_option("--sweep", sweep_id, "Show a recorded sweep instead (its seeds, verdicts and runs; 0: the newest)");
  show_cmd->add_option("--db", db, "Results database")->capture_default_str();
  std::string shiviz_file, lamport_file;
  CLI::App* export_cmd = app.add_subcommand("export", "Export one run: its results as CSV files, its trace for ShiViz or as a diagram");
  export_cmd->add_option("run", run_id, "Run id")->required();
  export_cmd->add_option("--csv", csv_dir, "Folder to write the CSV files to");
  export_cmd->add_option("--shiviz", shiviz_file, "Write the run's --trace in ShiViz's log format (with vector clocks)");
  export_cmd->add_option("--lamport", lamport_file, "Draw the run's --trace as a space-time diagram (FILE.svg or FILE.html)");
  export_cmd->add_option("--db", db, "Results database")->capture_default_str();
  std::string import_file, import_db;
  CLI::App* import_cmd = app.add_subcommand("import", "Load the runs of a side file (or any results database) into a database");
  import_cmd->add_option("file", import_file, "Side file left by a run whose database could not be written")->required();
  import_cmd->add_option("--db", import_db, "Target database (default: the one the side file was meant for)");
  viz::ViewOptions view;
  CLI::App* view_cmd = app.add_subcommand("view", "Watch a run live in a window: time control, faults by click, replay of a stored run");
  view_cmd->add_option("scenario", view.scenario, "Scenario file (TOML); or --run ID");
  view_cmd->add_option("--seed", view.seed, "Seed for this run (overrides run.seed)");
  view_cmd->add_option("--set", view.sets, "Override a scenario value, as for run (repeatable)");
  view_cmd->add_option("--run", view.run_id, "Replay a run stored in the results database");
  view_cmd->add_option("--db", view.db, "Results database, for --run")->capture_default_str();
  view_cmd->add_option("--until", view.until, "Play at full speed to this simulated time (or \"end\") first");
  view_cmd->add_option("--screenshot", view.screenshot, "Draw, save the window as this PNG, print the fingerprint and exit");
  view_cmd->add_option("--frames", view.frames, "Draw this many frames, print the frame rate and fingerprint, exit");
  view_cmd->add_option("--dump-layout", view.dump_layout, "On exit, write each node's window position to this file");
  view_cmd->add_option("--apply", view.apply, "Apply a fault as a click would: \"crash 3 at 2s\" (repeatable)");
  view_cmd->add_option("--save", view.save, "On exit, save the scenario with the applied faults to this TOML file");
  cli::DivergeCommands diverge(app);
  cli::BaselineCommands baseline(app);
  cli::ShrinkCommandOptions shrink;
  CLI::App* shrink_cmd = cli::add_shrink_command(app, shrink);
  cli::CompareCommand compare(app, registry);
  CLI::App* protocols_cmd = app.add_subcommand("protocols", "List the protocols a scenario can name: roles, actions, Byzantine behaviours, metrics");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Every rank parses the same arguments and comes here alike: one of them says why.
    std::ostringstream discard;
    int code = session.is_root() ? app.exit(e) : app.exit(e, discard, discard);
    return code == 0 ? 0 : 2;  // usage errors are bad input: exit code 2
  }
  // The commands that know how to share their work over ranks; any other, launched over
  // several, would run K times over and race on its outputs.
  const bool runs_over_ranks = sweep_cmd->parsed() || run_cmd->parsed();
  if (session.size() > 1 && !runs_over_ranks) {
    if (session.is_root())
      std::cerr << "meshsim: " << app.get_subcommands().front()->get_name()
                << " does not run over MPI ranks; run it without mpirun (sweep and run do: app/mpi/README.md)" << std::endl;
    return 2;
  }
  run.db_wait_s = db_wait_s;

  // Only the commands that run simulations stop gracefully; list, show and friends are
  // quick and keep the default (end at once).
  if (*run_cmd || *sweep_cmd || *check_cmd || *shrink_cmd) cli::install_interrupt_handlers();
  try {
    // Over several ranks, one run partitioned over them (app/rank_run_command.h).
    if (*run_cmd) return session.size() > 1 ? cli::rank_run_command(run, registry, session) : cli::run_command(run, registry);
    if (*sweep_cmd) return cli::sweep_command(run, seeds, threads, batch, registry, session);
    if (*check_cmd) return cli::check_command(folder, run, threads, batch, registry);
    if (*shrink_cmd) return cli::shrink_command(shrink, registry);
    if (compare.chosen()) return compare.run();
    if (*list_cmd) std::cout << list_runs(db, limit);
    if (*show_cmd && sweep_id >= 0) std::cout << sink::show_sweep(db, sweep_id);
    else if (*show_cmd && run_id == 0) throw ScenarioError("show: say what to show: a run id, or --sweep ID");
    else if (*show_cmd) std::cout << show_run(db, run_id);
    if (*export_cmd) {
      if (csv_dir.empty() && shiviz_file.empty() && lamport_file.empty())
        throw ScenarioError("export: say what to write: --csv FOLDER, --shiviz FILE or --lamport FILE.svg|.html");
      if (!csv_dir.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(csv_dir, ec);  // a new folder is what users expect
        export_run_csv(db, run_id, csv_dir);
        std::cout << "wrote run " << run_id << " to " << csv_dir << "/{run,parameters,scalars,series,node_summaries,node_series,events_log}.csv\n";
      }
      if (!shiviz_file.empty() || !lamport_file.empty()) return cli::export_trace(db, run_id, shiviz_file, lamport_file);
    }
    if (*import_cmd) return import_command(import_file, import_db);
    if (*view_cmd) return viz::view_command(view, registry);
    if (diverge.chosen()) return diverge.run(registry);
    if (baseline.chosen()) return baseline.run(registry);
    if (*protocols_cmd) cli::print_protocols(registry, std::cout);
  } catch (const ResultsError& e) {
    // A database that is missing, foreign, read-only, damaged or locked for too long.
    std::cerr << "meshsim: " << e.what() << std::endl;
    return ended_alone(session, 2);
  } catch (const ScenarioError& e) {
    std::cerr << "meshsim: " << e.what() << std::endl;
    return ended_alone(session, 2);
  }
  return 0;
} catch (const std::bad_alloc&) {
  std::cerr << "meshsim: internal error: out of memory" << std::endl;
  return ended_alone(session, 3);
} catch (const std::exception& e) {
  std::cerr << "meshsim: internal error: " << e.what() << std::endl;
  return ended_alone(session, 3);
} catch (...) {
  std::cerr << "meshsim: internal error: unknown exception" << std::endl;
  return ended_alone(session, 3);
}

int main(int argc, char** argv) {
  std::unique_ptr<mpi::Session> session;
  try {
    // Makes no MPI call unless a launcher (mpirun, srun) started the process.
    session = std::make_unique<mpi::Session>(&argc, &argv);
  } catch (const std::exception& e) {
    std::cerr << "meshsim: " << e.what() << std::endl;
    return 3;
  }
  if (!session->unavailable_reason().empty()) {
    if (session->is_root()) std::cerr << session->unavailable_reason();
    return 2;
  }
  return meshsim_main(argc, argv, *session);
}
