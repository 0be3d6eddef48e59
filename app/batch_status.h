// The "what is running" line of `meshsim sweep`, `check` and `compare`: a bar, an ETA, which runs are in
// progress and for how long, so a 99-second scenario is not mistaken for a hang. On a
// terminal a status line on stderr is rewritten twice a second; piped, a line every 10 s
// names the runs that have taken longer than that.
#pragma once
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/progress.h"

namespace meshsim::cli {

class BatchStatus {
 public:
  BatchStatus(ProgressMode mode, size_t total, unsigned slots);
  ~BatchStatus();
  BatchStatus(const BatchStatus&) = delete;
  BatchStatus& operator=(const BatchStatus&) = delete;

  void started(unsigned slot, const std::string& name);
  void ended(unsigned slot);
  // Runs `print` (which writes a result line) with the status line out of its way.
  template <class F>
  void print(F&& print) {
    std::lock_guard lock(mutex_);
    clear_line();
    print();
  }

 private:
  void clear_line();
  void tick();
  std::string bar_and_eta(std::chrono::steady_clock::time_point now) const;  // "[####......] ETA 12 s, "

  using Clock = std::chrono::steady_clock;
  struct Slot {
    std::string name;
    Clock::time_point since;
    bool busy = false;
  };
  ProgressMode mode_;
  size_t total_, done_ = 0;
  std::vector<Slot> slots_;
  Clock::time_point started_;
  std::mutex mutex_;
  std::atomic<bool> stop_{false};
  std::thread ticker_;
};

}  // namespace meshsim::cli
