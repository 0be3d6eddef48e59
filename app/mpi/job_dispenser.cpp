#include "app/mpi/job_dispenser.h"

#include <stdexcept>

namespace meshsim::mpi {

JobDispenser::JobDispenser(size_t jobs) : holder_(jobs, -1), done_(jobs, false) {}

std::optional<size_t> JobDispenser::take(int rank) {
  if (stopped_ || next_ >= holder_.size()) return std::nullopt;
  holder_[next_] = rank;
  return next_++;
}

void JobDispenser::finished(size_t job, int rank) {
  if (job >= holder_.size() || holder_[job] != rank)
    throw std::logic_error("rank " + std::to_string(rank) + " reports job " + std::to_string(job) +
                           (job >= holder_.size() ? ", which does not exist" : ", which it was never given"));
  if (done_[job]) throw std::logic_error("rank " + std::to_string(rank) + " reports job " + std::to_string(job) + " twice");
  done_[job] = true;
  ++back_;
}

}  // namespace meshsim::mpi
