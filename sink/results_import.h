// `meshsim import FILE [--db DB]`: loads the runs of one results database into another.
// Made for side files (results a run could not write to its database, see sqlite_sink.h),
// and just as good for merging results gathered on several machines.
#pragma once
#include <cstdint>
#include <map>
#include <string>

namespace meshsim {

// Where a side file's run was meant to go, or "" for a plain results database.
std::string side_file_target(const std::string& file);

// Copies every finished run of `file` (not 'running' ones) with its parameters, scalars,
// series, node summaries and log into `db_path` under new run ids, in one transaction.
// A run already there (same start time, pid, host, scenario, seed and fingerprint) is
// skipped, so importing twice is harmless. When `file` is a side file for `db_path`, the
// original 'incomplete' row is told where its results went. Returns a report for the
// user; throws ResultsError when either file cannot be read or written.
std::string import_runs(const std::string& file, const std::string& db_path);

// The same, also saying which run of `file` became which run of `db_path` (skipped
// duplicates map to the run already there). `meshsim sweep` over MPI ranks merges each
// rank's database this way and renumbers the runs it reports (app/mpi/README.md).
struct ImportedRuns {
  std::string report;
  std::map<int64_t, int64_t> run_ids;  // run id in `file` -> run id in `db_path`
};
ImportedRuns import_runs_mapped(const std::string& file, const std::string& db_path);

}  // namespace meshsim
