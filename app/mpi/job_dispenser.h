// Rank 0's ledger of a batch spread over ranks (`mpirun -n K meshsim sweep`): which jobs
// are still to run, which rank holds which, and when the batch is over.
//
// Jobs go out one at a time, in order, to whoever asks next: a rank asks only when one of
// its threads is idle, so a rank that drew slow seeds simply asks less often. That is the
// "shared counter" of dynamic self-scheduling; a fixed split (seeds 1..N/K to rank 0, ...)
// would leave every rank waiting for the one that drew the slowest seeds, and seeds of a
// chaos scenario differ in cost by 10x and more.
//
// Plain C++ with no MPI, so the unit tests can drive it through every interleaving they
// like; app/rank_sweep.cpp does the talking.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace meshsim::mpi {

class JobDispenser {
 public:
  explicit JobDispenser(size_t jobs);

  // The next job for `rank`, or nothing when every job has gone out or the batch stopped.
  std::optional<size_t> take(int rank);
  // `rank` reports `job` done. Throws std::logic_error for a job it was never given or
  // one reported twice: a message mixed up between ranks must not go unnoticed.
  void finished(size_t job, int rank);
  // No job goes out after this (an interrupt); the ones out still come back.
  void stop() { stopped_ = true; }
  bool stopped() const { return stopped_; }

  // Every job that went out has come back, and no more will go out.
  bool all_back() const { return (stopped_ || next_ == holder_.size()) && back_ == next_; }
  size_t jobs() const { return holder_.size(); }
  size_t taken() const { return next_; }
  size_t back() const { return back_; }
  // Which rank ran `job` (-1: never went out).
  int holder(size_t job) const { return holder_.at(job); }

 private:
  std::vector<int> holder_;   // job -> rank it went to, -1 while not out
  std::vector<bool> done_;    // job -> came back
  size_t next_ = 0;           // jobs 0..next_-1 went out
  size_t back_ = 0;
  bool stopped_ = false;
};

}  // namespace meshsim::mpi
