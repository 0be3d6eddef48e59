// The worker threads of one rank in `meshsim sweep` over MPI ranks (app/rank_sweep.cpp).
// Only the rank's main thread hands them jobs and collects what they finished, and only
// the main thread talks to MPI (MPI_THREAD_FUNNELED).
#pragma once
#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "app/batch_report.h"
#include "app/mpi/mpi_session.h"

namespace meshsim::cli::rank_sweep {

// What a worker hands back: the run, and on ranks other than 0 its database file's bytes.
struct LocalResult {
  BatchRun run;
  mpi::Bytes database;
};

class LocalPool {
 public:
  LocalPool(unsigned threads, std::function<LocalResult(size_t)> run) : run_(std::move(run)) {
    for (unsigned t = 0; t < std::max(1u, threads); ++t) {
      try {
        workers_.emplace_back([this] { work(); });
      } catch (const std::system_error& e) {
        std::fprintf(stderr, "meshsim: could start only %zu of %u threads (%s); going on with those\n", workers_.size(),
                     threads, e.what());
        break;
      }
    }
    if (workers_.empty()) throw std::runtime_error("could not start a single worker thread");
  }
  ~LocalPool() { close(); }
  LocalPool(const LocalPool&) = delete;
  LocalPool& operator=(const LocalPool&) = delete;

  void give(size_t job) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(job);
    }
    work_ready_.notify_one();
  }
  // Threads with nothing running and nothing queued for them: how many jobs to ask for.
  unsigned idle() const {
    std::lock_guard lock(mutex_);
    return static_cast<unsigned>(workers_.size()) - running_ - static_cast<unsigned>(queue_.size());
  }
  bool busy() const {
    std::lock_guard lock(mutex_);
    return running_ > 0 || !queue_.empty() || !finished_.empty();
  }
  std::vector<std::pair<size_t, LocalResult>> take_finished() {
    std::lock_guard lock(mutex_);
    return std::exchange(finished_, {});
  }
  // Until a run finishes or `limit` passes.
  void wait(std::chrono::microseconds limit) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, limit, [&] { return !finished_.empty(); });
  }
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    work_ready_.notify_all();
    for (auto& w : workers_)
      if (w.joinable()) w.join();
  }

 private:
  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      work_ready_.wait(lock, [&] { return closed_ || !queue_.empty(); });
      if (queue_.empty()) return;
      const size_t job = queue_.front();
      queue_.pop_front();
      ++running_;
      lock.unlock();
      LocalResult run = run_(job);
      lock.lock();
      --running_;
      finished_.emplace_back(job, std::move(run));
      changed_.notify_one();
    }
  }

  std::function<LocalResult(size_t)> run_;
  mutable std::mutex mutex_;
  std::condition_variable work_ready_, changed_;
  std::deque<size_t> queue_;
  std::vector<std::pair<size_t, LocalResult>> finished_;
  unsigned running_ = 0;
  bool closed_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace meshsim::cli::rank_sweep
