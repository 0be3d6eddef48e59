// `mpirun -n K meshsim sweep`: the seeds of a sweep spread over K ranks and the threads of
// each (app/mpi/README.md has the design and the measurements).
//
// Rank 0 is the dispatcher: its main thread keeps the JobDispenser and answers the other
// ranks' requests, while its worker threads run seeds like everyone else's. A rank asks
// for work only when a thread of its own is idle, and each request carries the outcomes
// of the runs it just finished, so rank 0 prints every run's line as it happens. Each other
// rank writes its runs to a private database in its temporary folder, and sends that file
// to rank 0 at the end. Rank 0 merges it into the sweep's database in one transaction and
// renumbers the runs.
#pragma once
#include <vector>

#include "app/batch_report.h"
#include "app/mpi/mpi_session.h"
#include "app/run_command.h"

namespace meshsim::cli {

// Rank 0's side. It returns every job's run, with run ids in jobs[i].db, and prints the
// lines and status when `lines` is set. Each rank runs `threads` workers.
std::vector<BatchRun> run_over_ranks(const std::vector<RunOptions>& jobs, unsigned threads, const ModuleRegistry& registry,
                                     bool lines, mpi::Session& session);

// Any other rank's side, given the same job list. It runs what rank 0 hands out until rank
// 0 has nothing more, then sends its results database to rank 0.
void serve_over_ranks(const std::vector<RunOptions>& jobs, unsigned threads, const ModuleRegistry& registry,
                      mpi::Session& session);

// The sweep's exit code, from rank 0 to every other rank, so that each exits with it and
// mpirun's own exit code is the sweep's.
void send_exit_code(int code, mpi::Session& session);
int receive_exit_code(mpi::Session& session);

}  // namespace meshsim::cli
