// How the process was started, from the environment alone (built with and without MPI:
// the build without MPI needs it to refuse a launch over several ranks).
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>

#include "app/mpi/mpi_session.h"

namespace meshsim::mpi {

namespace {

std::optional<int> env_int(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return std::nullopt;
  int value = 0;
  auto [end, ec] = std::from_chars(text, text + std::strlen(text), value);
  if (ec != std::errc() || *end != '\0' || value < 0) return std::nullopt;
  return value;
}

}  // namespace

Launch detect_launch() {
  Launch launch;
  // Open MPI's own launcher first, then the generic process-management interfaces that
  // Slurm and other launchers speak. Whichever is present says MPI_Init will find a job.
  for (auto [size_var, rank_var] : {std::pair{"OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"},
                                    std::pair{"PMIX_SIZE", "PMIX_RANK"}, std::pair{"PMI_SIZE", "PMI_RANK"}}) {
    auto size = env_int(size_var);
    auto rank = env_int(rank_var);
    if (!size && !rank) continue;
    launch.by_launcher = true;
    if (size && *size > 0) launch.world_size = *size;
    if (rank) launch.rank = *rank;
    if (size) break;  // PMIx sets only the rank: keep looking for a size elsewhere
  }
  return launch;
}

}  // namespace meshsim::mpi
