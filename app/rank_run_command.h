// `mpirun -n K meshsim run SCENARIO`: one run partitioned over the K ranks
// (sim/partitioned_run.h over app/mpi/rank_transport.h), bit-identical to the sequential
// run. Rank 0 writes the results and prints the summary.
#pragma once
#include "app/mpi/mpi_session.h"
#include "app/run_command.h"
#include "sim/scenario/module_registry.h"

namespace meshsim::cli {

int rank_run_command(const RunOptions& options, const ModuleRegistry& registry, mpi::Session& session);

}  // namespace meshsim::cli
