// The session in a build without MPI (app/mpi/CMakeLists.txt): always rank 0 of 1, no
// communication. Launched over several ranks, it says how to get MPI instead of letting
// K independent copies of meshsim each run the whole command.
#include <cstdlib>
#include <stdexcept>

#include "app/mpi/mpi_session.h"

namespace meshsim::mpi {

Session::Session(int*, char***) {
  const Launch launch = detect_launch();
  if (launch.world_size <= 1) return;
  // Rank as the launcher numbered it, so that only its rank 0 prints the reason.
  rank_ = launch.rank;
  unavailable_ =
      "meshsim: this build has no MPI, so it cannot run over " + std::to_string(launch.world_size) +
      " ranks. Install Open MPI and rebuild:\n"
      "  sudo apt-get install libopenmpi-dev openmpi-bin\n"
      "  ./scripts/build.sh release   (or run ./scripts/setup.sh, which installs them)\n";
}

Session::~Session() = default;

void Session::barrier() {}
void Session::broadcast(Bytes&, int) {}
std::vector<Bytes> Session::all_gather(const Bytes& mine) { return {mine}; }
std::vector<Bytes> Session::all_to_all(const std::vector<Bytes>& to_each) {
  if (to_each.size() != 1) throw std::logic_error("mpi: all_to_all needs one buffer per rank (1)");
  return to_each;
}
int64_t Session::all_reduce_min(int64_t value) { return value; }
int64_t Session::all_reduce_max(int64_t value) { return value; }
int64_t Session::all_reduce_sum(int64_t value) { return value; }
void Session::send(int, int, const Bytes&) { throw std::logic_error("mpi: send in a build without MPI"); }
std::optional<Message> Session::try_receive(int) { return std::nullopt; }
Message Session::receive(int, int) { throw std::logic_error("mpi: receive in a build without MPI"); }
Message Session::receive_idle(int, int, std::chrono::microseconds) {
  throw std::logic_error("mpi: receive in a build without MPI");
}
void Session::abort(int code) { std::exit(code); }

}  // namespace meshsim::mpi
