// The `meshsim` command: run, sweep, check, list, show, export, protocols.
// Exit codes: 0 ok; 1 an expectation or checker failed; 2 bad input or usage; 3 internal error.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <thread>

#include "protocols/registry.h"
#include "app/batch_commands.h"
#include "app/run_command.h"
#include "sim/sink/results_db.h"

using namespace meshsim;

int main(int argc, char** argv) {
  CLI::App app{"meshsim — deterministic discrete-event simulator for peer-to-peer meshes"};
  app.require_subcommand(1);
  ModuleRegistry registry;
  register_builtin_protocols(registry);

  cli::RunOptions run;
  auto add_run_options = [&](CLI::App* cmd, bool with_seed) {
    if (with_seed) cmd->add_option("--seed", run.seed, "Seed for this run (overrides run.seed)");
    cmd->add_option("--db", run.db, "Results database (SQLite)")->capture_default_str();
    cmd->add_option("--set", run.sets, "Override a scenario value: --set protocol.fanout=4 (repeatable)");
  };
  CLI::App* run_cmd = app.add_subcommand("run", "Run one scenario and store its results");
  run_cmd->add_option("scenario", run.scenario, "Scenario file (TOML)")->required();
  add_run_options(run_cmd, true);
  run_cmd->add_flag("--json", run.json, "Print one JSON object instead of the summary");
  run_cmd->add_flag("!--no-progress", run.progress, "Do not show progress on a terminal");

  std::string seeds = "1..10";
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  CLI::App* sweep_cmd = app.add_subcommand("sweep", "Run one scenario over many seeds in parallel");
  sweep_cmd->add_option("scenario", run.scenario, "Scenario file (TOML)")->required();
  sweep_cmd->add_option("--seeds", seeds, "Seeds: 1..100, or 3,5,9")->capture_default_str();
  sweep_cmd->add_option("--threads", threads, "Parallel runs")->capture_default_str();
  add_run_options(sweep_cmd, false);

  std::string folder;
  CLI::App* check_cmd = app.add_subcommand("check", "Run every scenario in a folder and check its [expect]");
  check_cmd->add_option("folder", folder, "Folder of scenarios")->required();
  check_cmd->add_option("--threads", threads, "Parallel runs")->capture_default_str();
  add_run_options(check_cmd, false);

  std::string db = "results/meshsim.db";
  int limit = 20;
  int64_t run_id = 0;
  std::string csv_dir;
  CLI::App* list_cmd = app.add_subcommand("list", "List runs in a results database");
  list_cmd->add_option("--db", db, "Results database")->capture_default_str();
  list_cmd->add_option("--limit", limit, "Most recent N runs")->capture_default_str();
  CLI::App* show_cmd = app.add_subcommand("show", "Show one run: parameters, metrics, event log");
  show_cmd->add_option("run", run_id, "Run id")->required();
  show_cmd->add_option("--db", db, "Results database")->capture_default_str();
  CLI::App* export_cmd = app.add_subcommand("export", "Export one run's results as CSV files");
  export_cmd->add_option("run", run_id, "Run id")->required();
  export_cmd->add_option("--csv", csv_dir, "Folder to write the CSV files to")->required();
  export_cmd->add_option("--db", db, "Results database")->capture_default_str();
  CLI::App* protocols_cmd = app.add_subcommand("protocols", "List the protocols a scenario can name");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;  // usage errors are bad input: exit code 2
  }

  try {
    if (*run_cmd) return cli::run_command(run, registry);
    if (*sweep_cmd) return cli::sweep_command(run, seeds, threads, registry);
    if (*check_cmd) return cli::check_command(folder, run, threads, registry);
    if (*list_cmd) std::cout << list_runs(db, limit);
    if (*show_cmd) std::cout << show_run(db, run_id);
    if (*export_cmd) {
      std::error_code ec;
      std::filesystem::create_directories(csv_dir, ec);  // a new folder is what users expect
      export_run_csv(db, run_id, csv_dir);
      std::cout << "wrote run " << run_id << " to " << csv_dir << "/{parameters,scalars,series,node_summaries,events_log}.csv\n";
    }
    if (*protocols_cmd)
      for (const auto& [name, entry] : registry.all()) std::cout << name << "\t" << entry.first << "\n";
  } catch (const ResultsError& e) {
    std::cerr << "meshsim: " << e.what() << std::endl;
    return 2;
  }
  return 0;
}
