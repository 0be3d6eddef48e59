#include "app/batch_status.h"

#include <algorithm>
#include <cstdio>

#include "app/readable.h"

namespace meshsim::cli {

BatchStatus::BatchStatus(ProgressMode mode, size_t total, unsigned slots)
    : mode_(mode), total_(total), slots_(slots) {
  if (mode_ == ProgressMode::off) return;
  ticker_ = std::thread([this] {
    auto every = mode_ == ProgressMode::terminal ? std::chrono::milliseconds(500) : plain_interval(std::chrono::seconds(10));
    auto next = Clock::now() + every;
    while (!stop_) {
      // Short naps so that stopping is prompt; shorter still when the interval is.
      std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(50), every));
      if (Clock::now() < next) continue;
      next += every;
      tick();
    }
  });
}

BatchStatus::~BatchStatus() {
  stop_ = true;
  if (ticker_.joinable()) ticker_.join();
  std::lock_guard lock(mutex_);
  clear_line();
}

void BatchStatus::started(unsigned slot, const std::string& name) {
  std::lock_guard lock(mutex_);
  slots_[slot] = Slot{name, Clock::now(), true};
}

void BatchStatus::ended(unsigned slot) {
  std::lock_guard lock(mutex_);
  slots_[slot].busy = false;
  ++done_;
}

void BatchStatus::clear_line() {
  if (mode_ == ProgressMode::terminal) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
}

void BatchStatus::tick() {
  std::lock_guard lock(mutex_);
  auto now = Clock::now();
  std::string running;
  for (const Slot& s : slots_) {
    if (!s.busy) continue;
    double seconds = std::chrono::duration<double>(now - s.since).count();
    // A log line only for the slow ones.
    if (mode_ == ProgressMode::plain && seconds < std::chrono::duration<double>(plain_interval(std::chrono::seconds(10))).count()) continue;
    running += (running.empty() ? "" : ", ") + s.name + " (" + readable_seconds(seconds) + ")";
  }
  if (running.empty()) return;
  std::string line = std::to_string(done_) + " of " + std::to_string(total_) + " done; running: " + running;
  if (mode_ == ProgressMode::terminal) {
    std::fprintf(stderr, "\r\033[K  %s", line.c_str());
  } else {
    std::fprintf(stderr, "  %s\n", line.c_str());
  }
  std::fflush(stderr);
}

}  // namespace meshsim::cli
